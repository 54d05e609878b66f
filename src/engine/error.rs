//! Why a simulation stopped. Every cause comes from the scenario (a script,
//! response inputs that make a customer buy without end, or an uncertain
//! value's distribution that draws beyond the largest number), so the CLI
//! reports them as bad input.

use crate::programs::hooks::HookError;
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SimError {
    /// A script hook failed (the message reads `FILE:LINE:COL: ...`).
    Hook(HookError),
    /// A customer had more events within the horizon than any real customer
    /// has: the purchase rate ran away. The message names the likely keys.
    Runaway(String),
    /// An uncertain value's draw was not a finite number (its distribution
    /// reaches beyond the largest number). The message names the value.
    Draw(String),
}

impl fmt::Display for SimError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SimError::Hook(e) => e.fmt(f),
            SimError::Runaway(why) | SimError::Draw(why) => f.write_str(why),
        }
    }
}

impl std::error::Error for SimError {}

impl From<HookError> for SimError {
    fn from(e: HookError) -> Self {
        SimError::Hook(e)
    }
}
