//! Evaluating a hook's direct form: Rhai's meaning of each step, or `Bail`
//! where Rhai would report an error (the call then runs in Rhai).

use super::ir::{Block, Ex, Fun, Get, Hook, Op, Set, St, V};
use crate::model::habits::Habits;
use crate::model::response::Response;
use crate::programs::hooks::MemberFacts;
use crate::script::memo;
use rhai::{Dynamic, FLOAT, INT, ImmutableString, Map};

/// What a hook can see of a member that does not change during the
/// membership (copied when the member joins).
#[derive(Debug, Clone)]
pub struct Fixed {
    pub segment: ImmutableString,
    pub referred: bool,
    pub habits: Habits,
    pub response: Response,
    /// `ctx.mean_basket`.
    pub mean_basket: f64,
    pub time_unit: ImmutableString,
}

/// The inputs of one call.
#[derive(Debug, Clone, Copy)]
pub struct Inputs<'a> {
    pub member: &'a MemberFacts,
    /// `ctx.time`.
    pub time: f64,
    /// `purchase.amount` and `purchase.time` (`on_purchase` only).
    pub purchase: Option<(f64, f64)>,
    pub fixed: &'a Fixed,
    /// `member.state` (for hooks that use it).
    pub state: Option<&'a Map>,
}

/// What a call changed: the member's points and stamps, and the purchase.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Effects {
    pub points: f64,
    pub stamps: INT,
    pub discount: f64,
    pub reward_cost: f64,
    pub rewards: u32,
    pub points_awarded: f64,
}

/// The branches a call took, in order (at most 128).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Path {
    bits: u128,
    len: u8,
}

impl Path {
    fn push(&mut self, b: bool) -> R<()> {
        if self.len == 128 {
            return Err(Stop::Bail);
        }
        self.bits |= u128::from(b) << self.len;
        self.len += 1;
        Ok(())
    }
}

/// A direct call's result.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub value: V,
    pub effects: Effects,
    /// The inputs read (`memo.rs` bits; `TAINT` for an effect).
    pub reads: u16,
    pub path: Path,
    /// What the call set in `member.state`, in order.
    pub state_writes: Vec<(ImmutableString, V)>,
}

enum Stop {
    Return(V),
    /// Rhai decides this call.
    Bail,
}

type R<T> = Result<T, Stop>;

struct Eval<'a> {
    inp: Inputs<'a>,
    fx: Effects,
    reads: u16,
    path: Path,
    locals: Vec<V>,
    state_writes: Vec<(ImmutableString, V)>,
}

/// Evaluate `hook` on `inp`; `None` when Rhai must decide the call.
pub fn run(hook: &Hook, inp: Inputs<'_>) -> Option<Outcome> {
    let mut e = Eval {
        inp,
        fx: Effects {
            points: inp.member.points,
            stamps: inp.member.stamps,
            discount: 0.0,
            reward_cost: 0.0,
            rewards: 0,
            points_awarded: 0.0,
        },
        reads: 0,
        path: Path::default(),
        locals: Vec::with_capacity(hook.locals),
        state_writes: Vec::new(),
    };
    let value = match e.block(&hook.body) {
        Ok(v) | Err(Stop::Return(v)) => v,
        Err(Stop::Bail) => return None,
    };
    Some(Outcome {
        value,
        effects: e.fx,
        reads: e.reads,
        path: e.path,
        state_writes: e.state_writes,
    })
}

impl Eval<'_> {
    fn block(&mut self, b: &Block) -> R<V> {
        let base = self.locals.len();
        let mut last = V::Unit;
        for s in &b.0 {
            match self.stmt(s) {
                Ok(v) => last = v,
                Err(e) => {
                    self.locals.truncate(base);
                    return Err(e);
                }
            }
        }
        self.locals.truncate(base);
        Ok(last)
    }

    fn stmt(&mut self, s: &St) -> R<V> {
        match s {
            St::Let(e) => {
                let v = self.expr(e)?;
                self.locals.push(v);
            }
            St::Assign(i, op, e) => {
                let r = self.expr(e)?;
                let v = match op {
                    None => r,
                    Some(op) => binary(*op, &self.locals[*i], &r)?,
                };
                self.locals[*i] = v;
            }
            St::SetProp(p, op, e) => {
                let r = self.expr(e)?;
                let v = match op {
                    None => r,
                    Some(op) => {
                        let g = match p {
                            Set::Points => Get::Points,
                            Set::Stamps => Get::Stamps,
                            Set::Discount => Get::Discount,
                        };
                        let cur = self.get(g)?;
                        binary(*op, &cur, &r)?
                    }
                };
                self.set(*p, &v)?;
            }
            St::SetState(k, op, e) => {
                let r = self.expr(e)?;
                let v = match op {
                    None => r,
                    Some(op) => {
                        let cur = self.state(k)?;
                        binary(*op, &cur, &r)?
                    }
                };
                if matches!(v, V::Map(_)) {
                    return Err(Stop::Bail);
                }
                // Rhai gets `member.state` and sets it back after changing
                // it: the getter's read and the setter's effect.
                self.reads |= memo::STATE | memo::TAINT;
                self.state_writes.push((k.clone(), v));
            }
            St::Reward(e) => {
                let cost = number(&self.expr(e)?)?;
                self.reads |= memo::TAINT;
                self.fx.reward_cost += cost;
                self.fx.rewards += 1;
            }
            St::Award(e) => {
                let n = number(&self.expr(e)?)?;
                self.reads |= memo::TAINT;
                self.fx.points_awarded += n;
            }
            St::If(c, a, b) => {
                let c = self.cond(c)?;
                self.path.push(c)?;
                let branch = if c { a } else { b };
                return if branch.0.is_empty() {
                    Ok(V::Unit)
                } else {
                    self.block(branch)
                };
            }
            St::Return(e) => {
                let v = match e {
                    Some(e) => self.expr(e)?,
                    None => V::Unit,
                };
                return Err(Stop::Return(v));
            }
            St::Expr(e) => return self.expr(e),
            St::Block(b) => {
                return if b.0.is_empty() {
                    Ok(V::Unit)
                } else {
                    self.block(b)
                };
            }
            St::Noop => {}
            St::Bail => return Err(Stop::Bail),
        }
        Ok(V::Unit)
    }

    fn cond(&mut self, e: &Ex) -> R<bool> {
        match self.expr(e)? {
            V::Bool(b) => Ok(b),
            _ => Err(Stop::Bail),
        }
    }

    fn expr(&mut self, e: &Ex) -> R<V> {
        Ok(match e {
            Ex::Lit(v) => v.clone(),
            Ex::Local(i) => self.locals[*i].clone(),
            Ex::Get(g) => self.get(*g)?,
            Ex::State(k) => self.state(k)?,
            Ex::Share(x) => {
                let x = number(&self.expr(x)?)?;
                V::Float(self.inp.fixed.habits.share_at_least(x))
            }
            Ex::Bin(op, ab) => {
                let a = self.expr(&ab.0)?;
                let b = self.expr(&ab.1)?;
                binary(*op, &a, &b)?
            }
            Ex::Neg(x) => match self.expr(x)? {
                V::Int(i) => V::Int(i.checked_neg().ok_or(Stop::Bail)?),
                V::Float(f) => V::Float(-f),
                _ => return Err(Stop::Bail),
            },
            Ex::Not(x) => match self.expr(x)? {
                V::Bool(b) => V::Bool(!b),
                _ => return Err(Stop::Bail),
            },
            Ex::And(v) => {
                for x in v {
                    let b = self.cond(x)?;
                    self.path.push(b)?;
                    if !b {
                        return Ok(V::Bool(false));
                    }
                }
                V::Bool(true)
            }
            Ex::Or(v) => {
                for x in v {
                    let b = self.cond(x)?;
                    self.path.push(b)?;
                    if b {
                        return Ok(V::Bool(true));
                    }
                }
                V::Bool(false)
            }
            Ex::Call(f, x) => call(*f, self.expr(x)?)?,
            Ex::Block(b) => self.block(b)?,
            Ex::Map(keys, entries) => {
                let mut out: Vec<(&'static str, V)> = keys.iter().map(|k| (*k, V::Unit)).collect();
                for (at, x) in entries {
                    out[*at].1 = self.expr(x)?;
                }
                V::Map(out)
            }
            Ex::Bail => return Err(Stop::Bail),
        })
    }

    /// `member.state.KEY` as the call left it: unit for a missing key (as
    /// Rhai reads a map). The value's type joins the path: it can differ
    /// from call to call, and Rhai's operations with it.
    fn state(&mut self, k: &ImmutableString) -> R<V> {
        self.reads |= memo::STATE;
        let v = match self.state_writes.iter().rev().find(|(w, _)| w == k) {
            Some((_, v)) => v.clone(),
            None => match self.inp.state.ok_or(Stop::Bail)?.get(k.as_str()) {
                Some(d) => scalar(d)?,
                None => V::Unit,
            },
        };
        let tag = match v {
            V::Unit => 0,
            V::Bool(_) => 1,
            V::Int(_) => 2,
            V::Float(_) => 3,
            V::Str(_) => 4,
            V::Map(_) => return Err(Stop::Bail),
        };
        for b in 0..3 {
            self.path.push(tag >> b & 1 == 1)?;
        }
        Ok(v)
    }

    /// A property, noting what was read as the objects' getters do
    /// (`member.rs`, `ctx.rs`, `purchase.rs`).
    fn get(&mut self, g: Get) -> R<V> {
        let m = self.inp.member;
        let f = self.inp.fixed;
        let mut read = |bit: u16| self.reads |= bit;
        Ok(match g {
            Get::Purchases => {
                read(memo::PURCHASES);
                V::Int(m.purchases as INT)
            }
            Get::Spend => {
                read(memo::SPEND);
                V::Float(m.spend)
            }
            Get::Segment => V::Str(f.segment.clone()),
            Get::Tenure => {
                read(memo::TENURE);
                V::Float(m.tenure)
            }
            Get::Referred => V::Bool(f.referred),
            Get::Rate => V::Float(f.habits.rate()),
            Get::MeanBasket => V::Float(f.habits.mean_basket()),
            Get::Points => {
                read(memo::POINTS);
                V::Float(self.fx.points)
            }
            Get::Stamps => {
                read(memo::STAMPS);
                V::Int(self.fx.stamps)
            }
            Get::Time => {
                read(memo::TIME);
                V::Float(self.inp.time)
            }
            Get::TimeUnit => V::Str(f.time_unit.clone()),
            Get::CtxMeanBasket => V::Float(f.mean_basket),
            Get::Response(k) => V::Float(f.response.get(k).unwrap_or(f64::NAN)),
            Get::Amount => {
                read(memo::P_AMOUNT);
                V::Float(self.inp.purchase.ok_or(Stop::Bail)?.0)
            }
            Get::PurchaseTime => {
                read(memo::P_TIME);
                V::Float(self.inp.purchase.ok_or(Stop::Bail)?.1)
            }
            Get::Discount => {
                read(memo::P_DISCOUNT);
                V::Float(self.fx.discount)
            }
        })
    }

    /// A setter: the types the objects register (`member.rs`,
    /// `purchase.rs`); any other is Rhai's error.
    fn set(&mut self, p: Set, v: &V) -> R<()> {
        self.reads |= memo::TAINT;
        match (p, v) {
            (Set::Points, V::Float(x)) => self.fx.points = *x,
            (Set::Points, V::Int(i)) => self.fx.points = *i as f64,
            (Set::Stamps, V::Int(i)) => self.fx.stamps = *i,
            (Set::Discount, V::Float(x)) => self.fx.discount = *x,
            (Set::Discount, V::Int(i)) => self.fx.discount = *i as f64,
            _ => return Err(Stop::Bail),
        }
        Ok(())
    }
}

/// A value of `member.state` the direct form holds (numbers, booleans,
/// strings, unit); anything else is Rhai's to handle.
fn scalar(d: &Dynamic) -> R<V> {
    super::lower::value(d).ok_or(Stop::Bail)
}

/// A number argument of a native method registered for `f64` and `INT`.
fn number(v: &V) -> R<f64> {
    match v {
        V::Float(x) => Ok(*x),
        V::Int(i) => Ok(*i as f64),
        _ => Err(Stop::Bail),
    }
}

/// Rhai's built-in binary operators on these types.
fn binary(op: Op, a: &V, b: &V) -> R<V> {
    match (a, b) {
        (V::Int(x), V::Int(y)) => int_op(op, *x, *y),
        (V::Float(x), V::Float(y)) => float_op(op, *x, *y),
        (V::Float(x), V::Int(y)) => float_op(op, *x, *y as FLOAT),
        (V::Int(x), V::Float(y)) => float_op(op, *x as FLOAT, *y),
        (V::Bool(x), V::Bool(y)) => compare(op, x, y),
        (V::Str(x), V::Str(y)) => compare(op, x.as_str(), y.as_str()),
        // Rhai's built-ins for unit: `() == ()` only; every other
        // comparison with unit (a string on the other side too) is false
        // but `!=`.
        (V::Unit, V::Unit) => match op {
            Op::Eq => Ok(V::Bool(true)),
            Op::Ne | Op::Lt | Op::Le | Op::Gt | Op::Ge => Ok(V::Bool(false)),
            _ => Err(Stop::Bail),
        },
        (V::Unit, V::Str(_)) | (V::Str(_), V::Unit) => match op {
            Op::Ne => Ok(V::Bool(true)),
            Op::Eq | Op::Lt | Op::Le | Op::Gt | Op::Ge => Ok(V::Bool(false)),
            _ => Err(Stop::Bail),
        },
        _ => Err(Stop::Bail),
    }
}

fn compare<T: PartialOrd + ?Sized>(op: Op, x: &T, y: &T) -> R<V> {
    Ok(V::Bool(match op {
        Op::Eq => x == y,
        Op::Ne => x != y,
        Op::Lt => x < y,
        Op::Le => x <= y,
        Op::Gt => x > y,
        Op::Ge => x >= y,
        _ => return Err(Stop::Bail),
    }))
}

/// Rhai's checked integer arithmetic; its errors are Rhai's to report.
fn int_op(op: Op, x: INT, y: INT) -> R<V> {
    let r = match op {
        Op::Add => x.checked_add(y),
        Op::Sub => x.checked_sub(y),
        Op::Mul => x.checked_mul(y),
        Op::Div => {
            if y == 0 {
                None
            } else {
                x.checked_div(y)
            }
        }
        Op::Rem => x.checked_rem(y),
        Op::Pow => {
            if y > INT::from(u32::MAX) || y < 0 {
                None
            } else {
                x.checked_pow(y as u32)
            }
        }
        _ => return compare(op, &x, &y),
    };
    r.map(V::Int).ok_or(Stop::Bail)
}

/// Rhai's float operators (also for a float and an integer, converted
/// with `as`), comparisons within a relative epsilon as Rhai makes them.
fn float_op(op: Op, x: FLOAT, y: FLOAT) -> R<V> {
    let max = || {
        if x * y == 0.0 {
            1.0
        } else {
            x.abs().max(y.abs())
        }
    };
    Ok(match op {
        Op::Add => V::Float(x + y),
        Op::Sub => V::Float(x - y),
        Op::Mul => V::Float(x * y),
        Op::Div => V::Float(x / y),
        Op::Rem => V::Float(x % y),
        Op::Pow => V::Float(x.powf(y)),
        Op::Eq => {
            let m = max();
            V::Bool(m == 0.0 || (x - y).abs() / m <= FLOAT::EPSILON)
        }
        Op::Ne => {
            let m = max();
            V::Bool(m != 0.0 && (x - y).abs() / m > FLOAT::EPSILON)
        }
        Op::Gt => {
            let m = max();
            V::Bool(m != 0.0 && (x - y) / m > FLOAT::EPSILON)
        }
        Op::Ge => {
            let m = max();
            V::Bool(m == 0.0 || (x - y) / m > -FLOAT::EPSILON)
        }
        Op::Lt => {
            let m = max();
            V::Bool(m != 0.0 && (y - x) / m > FLOAT::EPSILON)
        }
        Op::Le => {
            let m = max();
            V::Bool(m == 0.0 || (y - x) / m > -FLOAT::EPSILON)
        }
    })
}

/// Rhai's built-in functions of one argument (`math_basic.rs`).
fn call(f: Fun, v: V) -> R<V> {
    Ok(match (f, v) {
        (Fun::ToFloat, V::Int(i)) => V::Float(i as FLOAT),
        (Fun::ToFloat, V::Float(x)) => V::Float(x),
        (Fun::ToInt, V::Int(i)) => V::Int(i),
        (Fun::ToInt, V::Float(x)) => {
            if x > (INT::MAX as FLOAT) || x < (INT::MIN as FLOAT) {
                return Err(Stop::Bail);
            }
            V::Int(x.trunc() as INT)
        }
        (Fun::Floor, V::Float(x)) => V::Float(x.floor()),
        (Fun::Ceiling, V::Float(x)) => V::Float(x.ceil()),
        (Fun::Round, V::Float(x)) => V::Float(x.round()),
        (Fun::Int, V::Float(x)) => V::Float(x.trunc()),
        (Fun::Fraction, V::Float(x)) => V::Float(x.fract()),
        (Fun::Sqrt, V::Float(x)) => V::Float(x.sqrt()),
        (Fun::Exp, V::Float(x)) => V::Float(x.exp()),
        (Fun::Ln, V::Float(x)) => V::Float(x.ln()),
        _ => return Err(Stop::Bail),
    })
}
