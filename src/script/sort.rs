//! `array.sort(comparer)`, `sort_by`, `order`, `order_by` and
//! `dedup(comparer)`, replacing Rhai's own: Rhai's versions swallow every
//! error the comparator raises (a `throw`, a type error, the operations
//! budget) and go on sorting, so a comparator that loops or throws could
//! neither stop the run nor be reported. These stop at the comparator's
//! first error and hand it back to the hook.
//!
//! The sort is a stable merge sort written out here: `slice::sort_by` may
//! panic when a comparator is not a total order, and a script's comparator
//! need not be one. With at most `max_array_size` elements it makes at most
//! n·log2(n) comparator calls, each counted by the operations budget.

use rhai::{Array, Dynamic, Engine, EvalAltResult, FnPtr, INT, NativeCallContext};
use std::cmp::Ordering;

type Res<T> = Result<T, Box<EvalAltResult>>;

/// Register the replacements (engine functions take precedence over Rhai's packages).
pub fn register(engine: &mut Engine) {
    engine
        .register_fn("sort", sort_by)
        .register_fn("sort_by", sort_by)
        .register_fn("order", order_by)
        .register_fn("order_by", order_by)
        .register_fn("dedup", dedup_by);
}

/// The comparator's verdict on (x, y): an integer (its sign) or a bool
/// (true: x comes first), as in Rhai.
fn compare(ctx: &NativeCallContext, f: &FnPtr, x: &Dynamic, y: &Dynamic) -> Res<Ordering> {
    let v = f.call_raw(ctx, None, [x.clone(), y.clone()])?;
    if let Ok(i) = v.as_int() {
        return Ok(i.cmp(&(0 as INT)));
    }
    if let Ok(b) = v.as_bool() {
        return Ok(if b { Ordering::Less } else { Ordering::Greater });
    }
    Err(format!(
        "a sort comparator returned a {}; expected an integer (negative, 0, positive) or a bool",
        v.type_name()
    )
    .into())
}

fn sort_by(ctx: NativeCallContext, array: &mut Array, f: FnPtr) -> Res<()> {
    let items = std::mem::take(array);
    *array = merge_sort(items, &mut |x, y| compare(&ctx, &f, x, y))?;
    Ok(())
}

fn order_by(ctx: NativeCallContext, array: &mut Array, f: FnPtr) -> Res<Array> {
    merge_sort(array.clone(), &mut |x, y| compare(&ctx, &f, x, y))
}

fn dedup_by(ctx: NativeCallContext, array: &mut Array, f: FnPtr) -> Res<()> {
    let items = std::mem::take(array);
    let mut kept: Array = Vec::with_capacity(items.len());
    for item in items {
        let dup = match kept.last() {
            // Rhai's order of arguments: (previous kept, current).
            Some(prev) => {
                let v = f.call_raw(&ctx, None, [prev.clone(), item.clone()])?;
                v.as_bool().map_err(|t| -> Box<EvalAltResult> {
                    format!("a dedup comparator returned a {t}; expected a bool").into()
                })?
            }
            None => false,
        };
        if !dup {
            kept.push(item);
        }
    }
    *array = kept;
    Ok(())
}

/// Stable merge sort with a comparator that may fail; the first failure
/// stops it.
fn merge_sort<T>(mut v: Vec<T>, cmp: &mut impl FnMut(&T, &T) -> Res<Ordering>) -> Res<Vec<T>> {
    if v.len() <= 1 {
        return Ok(v);
    }
    let right = v.split_off(v.len() / 2);
    let left = merge_sort(v, cmp)?;
    let right = merge_sort(right, cmp)?;
    let mut out = Vec::with_capacity(left.len() + right.len());
    let mut l = left.into_iter().peekable();
    let mut r = right.into_iter().peekable();
    while let (Some(a), Some(b)) = (l.peek(), r.peek()) {
        // Take from the right only when strictly smaller: stable.
        if cmp(b, a)? == Ordering::Less {
            out.extend(r.next());
        } else {
            out.extend(l.next());
        }
    }
    out.extend(l);
    out.extend(r);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_sort_is_stable_and_stops_at_the_first_error() {
        let v: Vec<(i32, char)> = vec![(2, 'a'), (1, 'b'), (2, 'c'), (0, 'd'), (1, 'e')];
        let sorted = merge_sort(v.clone(), &mut |x, y| Ok(x.0.cmp(&y.0))).unwrap();
        assert_eq!(sorted, [(0, 'd'), (1, 'b'), (1, 'e'), (2, 'a'), (2, 'c')]);
        let mut calls = 0;
        let e = merge_sort(v, &mut |_, _| {
            calls += 1;
            Err("stop".into())
        })
        .unwrap_err();
        assert_eq!(calls, 1);
        assert!(e.to_string().contains("stop"));
    }

    #[test]
    fn a_comparator_that_is_no_order_neither_panics_nor_loses_elements() {
        let v: Vec<i32> = (0..200).collect();
        let mut flip = false;
        let out = merge_sort(v, &mut |_, _| {
            flip = !flip;
            Ok(if flip {
                Ordering::Less
            } else {
                Ordering::Greater
            })
        })
        .unwrap();
        let mut back = out.clone();
        back.sort();
        assert_eq!(back, (0..200).collect::<Vec<_>>());
    }
}
