//! From Rhai's syntax tree of a hook to the direct form (`ir.rs`), for the
//! part of the language direct evaluation handles. Anything else makes the
//! whole hook stay with Rhai (`None`).

use super::ir::{Block, Ex, Fun, Get, Hook, Op, Set, St, V};
use crate::script::engine::INCENTIVE_KEYS;
use rhai::{AST, ASTFlags, ASTNode, Dynamic, Expr, FnCallExpr, ImmutableString, Map, Stmt, Token};

/// What a name stands for while a hook is lowered.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Sym {
    /// A value on the locals stack.
    Val(usize),
    Member,
    Purchase,
    Ctx,
    Params,
    Response,
    /// `member.state`.
    State,
}

/// An object or a value partway through a property chain (`ctx.params.x`).
enum Obj {
    Sym(Sym),
    Val(Ex),
}

struct Lowering<'a> {
    params: &'a Map,
    /// Functions the script defines (they take precedence over built-ins).
    script_fns: Vec<ImmutableString>,
    max_map_size: usize,
    syms: Vec<(ImmutableString, Sym)>,
    locals: usize,
    most: usize,
    state: bool,
}

/// The direct form of hook `name` of `ast`, if all of it is within what
/// direct evaluation handles. `params` are the script's `params` (fixed for
/// the run: read at lowering).
pub fn hook(ast: &AST, name: &str, params: &Map, max_map_size: usize) -> Option<Hook> {
    let f = ast.iter_functions().find(|f| f.name == name)?;
    let objs: &[Sym] = if name == "on_purchase" {
        &[Sym::Member, Sym::Purchase, Sym::Ctx]
    } else {
        &[Sym::Member, Sym::Ctx]
    };
    if f.params.len() != objs.len() {
        return None;
    }
    let syms = f
        .params
        .iter()
        .zip(objs)
        .map(|(p, s)| (ImmutableString::from(*p), *s))
        .collect();
    let script_fns = ast.iter_functions().map(|f| f.name.into()).collect();
    let mut l = Lowering {
        params,
        script_fns,
        max_map_size,
        syms,
        locals: 0,
        most: 0,
        state: false,
    };
    // The body's top-level statements: walk an AST holding only this
    // function; its body's statements are the walk's roots.
    let mut one = ast.clone_functions_only();
    one.retain_functions(|_, _, n, _| n == name);
    if one.iter_functions().count() != 1 {
        return None;
    }
    let mut body: Vec<Stmt> = Vec::new();
    one.walk(&mut |path: &[ASTNode]| {
        if let [ASTNode::Stmt(s)] = path {
            body.push((*s).clone());
        }
        true
    });
    let body = l.block(&body)?;
    Some(Hook {
        body,
        locals: l.most,
        state: l.state,
    })
}

impl Lowering<'_> {
    fn lookup(&self, name: &str) -> Option<Sym> {
        self.syms
            .iter()
            .rev()
            .find(|(n, _)| n.as_str() == name)
            .map(|(_, s)| *s)
    }

    fn block(&mut self, stmts: &[Stmt]) -> Option<Block> {
        let (syms, locals) = (self.syms.len(), self.locals);
        let out = stmts
            .iter()
            .map(|s| self.stmt(s))
            .collect::<Option<Vec<_>>>();
        self.syms.truncate(syms);
        self.locals = locals;
        out.map(Block)
    }

    fn stmt(&mut self, s: &Stmt) -> Option<St> {
        Some(match s {
            Stmt::Noop(..) => St::Noop,
            Stmt::Expr(e) => match self.purchase_method(e) {
                Some(st) => st?,
                None => St::Expr(self.expr(e)?),
            },
            Stmt::FnCall(f, ..) => St::Expr(self.call(f)?),
            Stmt::Block(b) => St::Block(self.block(b.statements())?),
            Stmt::Var(x, flags, ..) => {
                if flags.contains(ASTFlags::EXPORTED) {
                    return None;
                }
                let (ident, e, _) = &**x;
                match self.obj(e)? {
                    // `let m = member;` (or `purchase`, `member.state`)
                    // copies the object in Rhai (`let` flattens a shared
                    // value): `m` no longer sees or makes the call's
                    // changes, nor are its reads noted on the member. Left
                    // to Rhai.
                    Obj::Sym(Sym::Member | Sym::Purchase | Sym::State | Sym::Val(_)) => {
                        return None;
                    }
                    // `let p = ctx.params;`: `p` names the object (read-only,
                    // and unchanged during a call: a copy reads the same).
                    Obj::Sym(s) => {
                        self.syms.push((ident.name.clone(), s));
                        St::Noop
                    }
                    Obj::Val(v) => {
                        self.syms.push((ident.name.clone(), Sym::Val(self.locals)));
                        self.locals += 1;
                        self.most = self.most.max(self.locals);
                        St::Let(v)
                    }
                }
            }
            Stmt::Assignment(x) => {
                let (op, b) = &**x;
                let op = match op.get_op_assignment_info() {
                    None => None,
                    Some((.., tok, _)) => Some(binary(tok)?),
                };
                let rhs = self.expr(&b.rhs)?;
                match &b.lhs {
                    Expr::Variable(v, ..) => match self.lookup(&v.1)? {
                        Sym::Val(i) => St::Assign(i, op, rhs),
                        _ => return None,
                    },
                    Expr::Dot(d, ..) => {
                        let Expr::Variable(v, ..) = &d.lhs else {
                            return None;
                        };
                        let base = self.lookup(&v.1)?;
                        // `member.state.KEY = e`
                        if let (Sym::Member, Expr::Dot(d2, ..)) = (base, &d.rhs)
                            && let (Expr::Property(s, ..), Expr::Property(k, ..)) =
                                (&d2.lhs, &d2.rhs)
                            && s.2.as_str() == "state"
                        {
                            self.state = true;
                            return Some(St::SetState(k.2.clone(), op, rhs));
                        }
                        let Expr::Property(p, ..) = &d.rhs else {
                            return None;
                        };
                        let set = match (base, p.2.as_str()) {
                            (Sym::Member, "points") => Set::Points,
                            (Sym::Member, "stamps") => Set::Stamps,
                            (Sym::Purchase, "discount") => Set::Discount,
                            _ => return None,
                        };
                        St::SetProp(set, op, rhs)
                    }
                    _ => return None,
                }
            }
            Stmt::If(fc, ..) => St::If(
                self.expr(&fc.expr)?,
                self.block(fc.body.statements())?,
                self.block(fc.branch.statements())?,
            ),
            Stmt::Return(e, flags, ..) => {
                if flags.contains(ASTFlags::BREAK) {
                    // `throw`: Rhai reports it.
                    St::Bail
                } else {
                    St::Return(match e {
                        Some(e) => Some(self.expr(e)?),
                        None => None,
                    })
                }
            }
            _ => return None,
        })
    }

    /// `purchase.reward(x)` or `purchase.award_points(x)` as a statement:
    /// `Some(None)` when it is one that cannot be lowered.
    fn purchase_method(&mut self, e: &Expr) -> Option<Option<St>> {
        let Expr::Dot(d, ..) = e else { return None };
        let Expr::Variable(v, ..) = &d.lhs else {
            return None;
        };
        if self.lookup(&v.1) != Some(Sym::Purchase) {
            return None;
        }
        let Expr::MethodCall(f, ..) = &d.rhs else {
            // A property (`purchase.amount` as a block's value).
            return None;
        };
        // A script function of the name is called instead (with `this`).
        if f.args.len() != 1 || f.capture_parent_scope || self.script_fns.contains(&f.name) {
            return Some(None);
        }
        let arg = self.expr(&f.args[0]);
        Some(match f.name.as_str() {
            "reward" => arg.map(St::Reward),
            "award_points" => arg.map(St::Award),
            _ => None,
        })
    }

    fn expr(&mut self, e: &Expr) -> Option<Ex> {
        match self.obj(e)? {
            Obj::Val(v) => Some(v),
            Obj::Sym(_) => None,
        }
    }

    /// An expression that may also name an object (`ctx.params`).
    fn obj(&mut self, e: &Expr) -> Option<Obj> {
        Some(Obj::Val(match e {
            Expr::DynamicConstant(d, ..) if d.is_map() => Ex::Lit(constant_map(d)?),
            Expr::DynamicConstant(d, ..) => Ex::Lit(value(d)?),
            Expr::BoolConstant(b, ..) => Ex::Lit(V::Bool(*b)),
            Expr::IntegerConstant(i, ..) => Ex::Lit(V::Int(*i)),
            Expr::FloatConstant(f, ..) => Ex::Lit(V::Float(**f)),
            Expr::StringConstant(s, ..) => Ex::Lit(V::Str(s.clone())),
            Expr::Unit(..) => Ex::Lit(V::Unit),
            Expr::Variable(v, ..) => match self.lookup(&v.1)? {
                Sym::Val(i) => Ex::Local(i),
                s => return Some(Obj::Sym(s)),
            },
            Expr::Dot(d, ..) => {
                let mut o = self.obj(&d.lhs)?;
                let mut r = &d.rhs;
                while let Expr::Dot(d2, ..) = r {
                    o = self.step(o, &d2.lhs)?;
                    r = &d2.rhs;
                }
                return self.step(o, r);
            }
            Expr::FnCall(f, ..) => self.call(f)?,
            Expr::And(v, ..) => Ex::And(v.iter().map(|e| self.expr(e)).collect::<Option<_>>()?),
            Expr::Or(v, ..) => Ex::Or(v.iter().map(|e| self.expr(e)).collect::<Option<_>>()?),
            Expr::Stmt(b) => Ex::Block(self.block(b.statements())?),
            Expr::Map(m, ..) => {
                let (entries, template) = &**m;
                if entries.len() > self.max_map_size && self.max_map_size > 0 {
                    return None;
                }
                if template.len() != entries.len()
                    || entries
                        .iter()
                        .any(|(k, _)| !template.contains_key(k.name.as_str()))
                {
                    return None;
                }
                // Only keys an `incentive` map may hold: a map is only of
                // use as its answer.
                let mut keys = entries
                    .iter()
                    .map(|(k, _)| {
                        INCENTIVE_KEYS
                            .iter()
                            .find(|n| **n == k.name.as_str())
                            .copied()
                    })
                    .collect::<Option<Vec<&'static str>>>()?;
                keys.sort_unstable();
                let ex = entries
                    .iter()
                    .map(|(k, e)| {
                        let at = keys.iter().position(|n| *n == k.name.as_str())?;
                        Some((at, self.expr(e)?))
                    })
                    .collect::<Option<Vec<_>>>()?;
                Ex::Map(keys, ex)
            }
            _ => return None,
        }))
    }

    /// One step of a property chain: `.name` or `.method(args)`.
    fn step(&mut self, o: Obj, r: &Expr) -> Option<Obj> {
        let get = |g| Some(Obj::Val(Ex::Get(g)));
        match (o, r) {
            (Obj::Sym(s), Expr::Property(p, ..)) => {
                let name = p.2.as_str();
                match s {
                    Sym::Member if name == "state" => {
                        self.state = true;
                        Some(Obj::Sym(Sym::State))
                    }
                    Sym::State => Some(Obj::Val(Ex::State(p.2.clone()))),
                    Sym::Member => get(match name {
                        "purchases" => Get::Purchases,
                        "spend" => Get::Spend,
                        "segment" => Get::Segment,
                        "tenure" => Get::Tenure,
                        "referred" => Get::Referred,
                        "rate" => Get::Rate,
                        "mean_basket" => Get::MeanBasket,
                        "points" => Get::Points,
                        "stamps" => Get::Stamps,
                        _ => return None,
                    }),
                    Sym::Purchase => get(match name {
                        "amount" => Get::Amount,
                        "time" => Get::PurchaseTime,
                        "discount" => Get::Discount,
                        _ => return None,
                    }),
                    Sym::Ctx => match name {
                        "params" => Some(Obj::Sym(Sym::Params)),
                        "response" => Some(Obj::Sym(Sym::Response)),
                        "time" => get(Get::Time),
                        "time_unit" => get(Get::TimeUnit),
                        "mean_basket" => get(Get::CtxMeanBasket),
                        _ => None,
                    },
                    Sym::Params => Some(Obj::Val(match self.params.get(name) {
                        Some(d) => Ex::Lit(value(d)?),
                        // Rhai's error names the missing entry.
                        None => Ex::Bail,
                    })),
                    Sym::Response => {
                        let k = crate::model::response::KEYS
                            .iter()
                            .find(|k| k.name == name)?;
                        get(Get::Response(k.name))
                    }
                    Sym::Val(_) => None,
                }
            }
            (o, Expr::MethodCall(f, ..)) => {
                if f.capture_parent_scope || self.script_fns.contains(&f.name) {
                    return None;
                }
                match o {
                    Obj::Sym(Sym::Member) if f.name == "share_at_least" && f.args.len() == 1 => {
                        Some(Obj::Val(Ex::Share(Box::new(self.expr(&f.args[0])?))))
                    }
                    Obj::Val(v) if f.args.is_empty() => {
                        Some(Obj::Val(Ex::Call(fun(&f.name)?, Box::new(v))))
                    }
                    _ => None,
                }
            }
            _ => None,
        }
    }

    fn call(&mut self, f: &FnCallExpr) -> Option<Ex> {
        if f.capture_parent_scope {
            return None;
        }
        if let Some(tok) = &f.op_token {
            return match f.args.len() {
                1 => {
                    let a = Box::new(self.expr(&f.args[0])?);
                    match tok {
                        Token::Bang => Some(Ex::Not(a)),
                        Token::Minus | Token::UnaryMinus => Some(Ex::Neg(a)),
                        _ => None,
                    }
                }
                2 => {
                    let op = binary(tok)?;
                    let a = self.expr(&f.args[0])?;
                    let b = self.expr(&f.args[1])?;
                    Some(Ex::Bin(op, Box::new((a, b))))
                }
                _ => None,
            };
        }
        if f.args.len() != 1 || self.script_fns.contains(&f.name) {
            return None;
        }
        let fun = fun(&f.name)?;
        Some(Ex::Call(fun, Box::new(self.expr(&f.args[0])?)))
    }
}

/// Why hook `name` of `ast` is not evaluated directly: the first construct
/// outside the reproduced part found in it (for `validate`).
pub fn why_not(ast: &AST, name: &str) -> String {
    let mut one = ast.clone_functions_only();
    one.retain_functions(|_, _, n, _| n == name);
    let own: Vec<String> = ast.iter_functions().map(|f| f.name.to_string()).collect();
    let mut why: Option<String> = None;
    one.walk(&mut |path: &[ASTNode]| {
        let found = match path.last() {
            Some(ASTNode::Stmt(s)) => match s {
                Stmt::While(..) | Stmt::Do(..) | Stmt::For(..) => Some("a loop".to_string()),
                Stmt::Switch(..) => Some("`switch`".into()),
                Stmt::TryCatch(..) => Some("`try`/`catch`".into()),
                Stmt::FnCall(f, ..) => call_why(f, &own),
                _ => None,
            },
            Some(ASTNode::Expr(e)) => match e {
                Expr::Array(..) | Expr::Index(..) => Some("an array or an index".into()),
                Expr::InterpolatedString(..) => Some("string interpolation".into()),
                Expr::FnCall(f, ..) | Expr::MethodCall(f, ..) => call_why(f, &own),
                _ => None,
            },
            _ => None,
        };
        if why.is_none() {
            why = found;
        }
        why.is_none()
    });
    why.unwrap_or_else(|| "something outside that part".into())
}

fn call_why(f: &FnCallExpr, own: &[String]) -> Option<String> {
    let name = f.name.as_str();
    if own.iter().any(|n| n == name) {
        Some(format!("its own function `{name}`"))
    } else if name == "random" {
        Some("`ctx.random()`".into())
    } else if f.op_token.is_none()
        && fun(name).is_none()
        && !["share_at_least", "reward", "award_points"].contains(&name)
    {
        Some(format!("the function `{name}`"))
    } else {
        None
    }
}

/// A constant (or a `member.state` entry) as a direct value: numbers,
/// booleans, strings, unit.
pub(super) fn value(d: &Dynamic) -> Option<V> {
    if d.is_shared() {
        return None;
    }
    if d.is_unit() {
        return Some(V::Unit);
    }
    if let Ok(b) = d.as_bool() {
        return Some(V::Bool(b));
    }
    if let Ok(i) = d.as_int() {
        return Some(V::Int(i));
    }
    if let Ok(f) = d.as_float() {
        return Some(V::Float(f));
    }
    if d.is_string() {
        return d.as_immutable_string_ref().ok().map(|s| V::Str(s.clone()));
    }
    None
}

/// A map literal the optimizer made a constant, if it holds only keys an
/// `incentive` map may hold and values [`value`] takes (Rhai's map order is
/// its keys' order).
fn constant_map(d: &Dynamic) -> Option<V> {
    let m = d.as_map_ref().ok()?;
    m.iter()
        .map(|(k, x)| {
            let key = INCENTIVE_KEYS.iter().find(|n| **n == k.as_str())?;
            Some((*key, value(x)?))
        })
        .collect::<Option<Vec<_>>>()
        .map(V::Map)
}

fn binary(t: &Token) -> Option<Op> {
    Some(match t {
        Token::Plus | Token::PlusAssign => Op::Add,
        Token::Minus | Token::MinusAssign => Op::Sub,
        Token::Multiply | Token::MultiplyAssign => Op::Mul,
        Token::Divide | Token::DivideAssign => Op::Div,
        Token::Modulo | Token::ModuloAssign => Op::Rem,
        Token::PowerOf | Token::PowerOfAssign => Op::Pow,
        Token::EqualsTo => Op::Eq,
        Token::NotEqualsTo => Op::Ne,
        Token::LessThan => Op::Lt,
        Token::LessThanEqualsTo => Op::Le,
        Token::GreaterThan => Op::Gt,
        Token::GreaterThanEqualsTo => Op::Ge,
        _ => return None,
    })
}

fn fun(name: &str) -> Option<Fun> {
    Some(match name {
        "to_float" => Fun::ToFloat,
        "to_int" => Fun::ToInt,
        "floor" => Fun::Floor,
        "ceiling" => Fun::Ceiling,
        "round" => Fun::Round,
        "int" => Fun::Int,
        "fraction" => Fun::Fraction,
        "sqrt" => Fun::Sqrt,
        "exp" => Fun::Exp,
        "ln" => Fun::Ln,
        _ => return None,
    })
}
