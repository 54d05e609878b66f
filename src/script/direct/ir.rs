//! The form a hook takes when it is evaluated directly: values, the
//! properties a hook reads and writes, expressions and statements.

use rhai::{Dynamic, INT, ImmutableString};

/// A value as Rhai holds it, for the types direct evaluation handles.
#[derive(Debug, Clone, PartialEq)]
pub enum V {
    Unit,
    Bool(bool),
    Int(INT),
    Float(f64),
    Str(ImmutableString),
    /// A map literal's value, its keys (those an `incentive` map may hold)
    /// in Rhai's map order (sorted).
    Map(Vec<(&'static str, V)>),
}

impl V {
    /// The value as Rhai holds it (`lower::value` is the way back); `None`
    /// for a map, which is only ever an `incentive`'s answer.
    pub fn to_dynamic(&self) -> Option<Dynamic> {
        Some(match self {
            V::Unit => Dynamic::UNIT,
            V::Bool(b) => Dynamic::from_bool(*b),
            V::Int(i) => Dynamic::from_int(*i),
            V::Float(x) => Dynamic::from_float(*x),
            V::Str(s) => Dynamic::from(s.clone()),
            V::Map(_) => return None,
        })
    }
}

/// A property a hook reads.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Get {
    Purchases,
    Spend,
    Segment,
    Tenure,
    Referred,
    Rate,
    MeanBasket,
    Points,
    Stamps,
    Time,
    TimeUnit,
    CtxMeanBasket,
    /// `ctx.response.KEY`, by the key's name.
    Response(&'static str),
    Amount,
    PurchaseTime,
    Discount,
}

/// A property a hook sets.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Set {
    Points,
    Stamps,
    Discount,
}

/// A built-in function of one argument.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Fun {
    ToFloat,
    ToInt,
    Floor,
    Ceiling,
    Round,
    Int,
    Fraction,
    Sqrt,
    Exp,
    Ln,
}

/// A binary operator.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Op {
    Add,
    Sub,
    Mul,
    Div,
    Rem,
    Pow,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

/// An expression.
#[derive(Debug, Clone)]
pub enum Ex {
    Lit(V),
    /// A local variable, by its place on the locals stack.
    Local(usize),
    Get(Get),
    /// `member.state.KEY` (unit when the map has no such key).
    State(ImmutableString),
    /// `member.share_at_least(x)`.
    Share(Box<Ex>),
    Bin(Op, Box<(Ex, Ex)>),
    Neg(Box<Ex>),
    Not(Box<Ex>),
    And(Vec<Ex>),
    Or(Vec<Ex>),
    Call(Fun, Box<Ex>),
    /// A block used as a value (`if` as an expression, `{ ... }`).
    Block(Block),
    /// A map literal: its keys in the map's order, and its entries in
    /// source order (evaluated in that order), each with its key's place.
    Map(Vec<&'static str>, Vec<(usize, Ex)>),
    /// Something Rhai would fail on (a missing `params` entry): the call is
    /// handed to Rhai, which reports it.
    Bail,
}

/// A statement.
#[derive(Debug, Clone)]
pub enum St {
    /// `let` or `const`: pushes a new local.
    Let(Ex),
    /// `x = e` or, with an operator, `x op= e`.
    Assign(usize, Option<Op>, Ex),
    /// `member.points = e`, `member.stamps op= e`, `purchase.discount = e`.
    SetProp(Set, Option<Op>, Ex),
    /// `member.state.KEY = e` (or `op=`).
    SetState(ImmutableString, Option<Op>, Ex),
    /// `purchase.reward(cost)`.
    Reward(Ex),
    /// `purchase.award_points(n)`.
    Award(Ex),
    If(Ex, Block, Block),
    Return(Option<Ex>),
    Expr(Ex),
    Block(Block),
    Noop,
    /// `throw`: handed to Rhai.
    Bail,
}

/// A hook's body and the most locals it holds at once.
#[derive(Debug, Clone)]
pub struct Hook {
    pub body: Block,
    pub locals: usize,
    /// Whether it reads or writes `member.state`.
    pub state: bool,
}

/// Statements with their own scope.
#[derive(Debug, Clone, Default)]
pub struct Block(pub Vec<St>);
