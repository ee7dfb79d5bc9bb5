//! The internal form of an estimand: [`T`], with variables as bitsets over a name table, and its
//! sound simplifier. [`super::Expr`] is the public, named form.

use std::collections::HashMap;

use super::expr::Expr;
use crate::graph::NodeSet;

/// Variable names; a [`NodeSet`] indexes into it.
#[derive(Clone, Debug)]
pub(crate) struct Table {
    pub(crate) names: Vec<String>,
    index: HashMap<String, usize>,
}

impl Table {
    pub(crate) fn new(names: Vec<String>) -> Self {
        let index = names
            .iter()
            .enumerate()
            .map(|(i, n)| (n.clone(), i))
            .collect();
        Self { names, index }
    }

    /// Every name in an expression, in order of first appearance.
    pub(crate) fn from_expr(e: &Expr) -> Self {
        let mut names = Vec::new();
        let mut seen = HashMap::new();
        fn walk(e: &Expr, names: &mut Vec<String>, seen: &mut HashMap<String, usize>) {
            let add = |v: &String| {
                if !seen.contains_key(v) {
                    seen.insert(v.clone(), names.len());
                    names.push(v.clone());
                }
            };
            match e {
                Expr::P {
                    vars,
                    given,
                    intervened,
                    ..
                } => vars.iter().chain(given).chain(intervened).for_each(add),
                Expr::Sum { over, body } => {
                    over.iter().for_each(add);
                    walk(body, names, seen);
                }
                Expr::Product { factors } => factors.iter().for_each(|f| walk(f, names, seen)),
                Expr::Quotient {
                    numerator,
                    denominator,
                } => {
                    walk(numerator, names, seen);
                    walk(denominator, names, seen);
                }
            }
        }
        walk(e, &mut names, &mut seen);
        Self::new(names)
    }

    fn set(&self, vs: &[String]) -> NodeSet {
        NodeSet::from_indices(
            self.names.len(),
            vs.iter().filter_map(|v| self.index.get(v).copied()),
        )
    }
}

/// An estimand over variable indices.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) enum T {
    /// `P(vars | do(act), given)`, `P*` when `star`; empty `vars` is 1.
    P {
        vars: NodeSet,
        given: NodeSet,
        act: NodeSet,
        star: bool,
    },
    Sum {
        over: NodeSet,
        body: Box<T>,
    },
    Prod(Vec<T>),
    Frac(Box<T>, Box<T>),
}

/// Passes of the fixpoint loops; each pass strictly shrinks the term, so this is never reached
/// on sane input, it only bounds the work.
const MAX_PASSES: usize = 64;

impl T {
    /// The observational `P(vars | given)`.
    #[cfg(test)]
    pub(crate) fn p(vars: NodeSet, given: NodeSet) -> Self {
        let act = vars.difference(&vars);
        Self::P {
            vars,
            given,
            act,
            star: false,
        }
    }

    pub(crate) fn one() -> Self {
        Self::Prod(Vec::new())
    }

    pub(crate) fn is_one(&self) -> bool {
        match self {
            Self::P { vars, .. } => vars.is_empty(),
            Self::Prod(fs) => fs.iter().all(Self::is_one),
            _ => false,
        }
    }

    pub(crate) fn sum(over: NodeSet, body: T) -> Self {
        if over.is_empty() {
            body
        } else {
            Self::Sum {
                over,
                body: Box::new(body),
            }
        }
    }

    /// Free variables, given the table width `n`.
    pub(crate) fn free(&self, n: usize) -> NodeSet {
        match self {
            Self::P {
                vars, given, act, ..
            } => vars.union(given).union(act),
            Self::Sum { over, body } => body.free(n).difference(over),
            Self::Prod(fs) => {
                let mut s = NodeSet::new(n);
                for f in fs {
                    s.union_with(&f.free(n));
                }
                s
            }
            Self::Frac(a, b) => a.free(n).union(&b.free(n)),
        }
    }

    pub(crate) fn from_expr(e: &Expr, table: &Table) -> Self {
        match e {
            Expr::P {
                vars,
                given,
                intervened,
                star,
            } => Self::P {
                vars: table.set(vars),
                given: table.set(given),
                act: table.set(intervened),
                star: *star,
            },
            Expr::Sum { over, body } => Self::Sum {
                over: table.set(over),
                body: Box::new(Self::from_expr(body, table)),
            },
            Expr::Product { factors } => {
                Self::Prod(factors.iter().map(|f| Self::from_expr(f, table)).collect())
            }
            Expr::Quotient {
                numerator,
                denominator,
            } => Self::Frac(
                Box::new(Self::from_expr(numerator, table)),
                Box::new(Self::from_expr(denominator, table)),
            ),
        }
    }

    pub(crate) fn to_expr(&self, names: &[String]) -> Expr {
        let list = |s: &NodeSet| s.iter().map(|i| names[i].clone()).collect::<Vec<_>>();
        match self {
            Self::P {
                vars,
                given,
                act,
                star,
            } => {
                if vars.is_empty() {
                    Expr::one()
                } else {
                    Expr::P {
                        vars: list(vars),
                        given: list(given),
                        intervened: list(act),
                        star: *star,
                    }
                }
            }
            Self::Sum { over, body } => Expr::Sum {
                over: list(over),
                body: Box::new(body.to_expr(names)),
            },
            Self::Prod(fs) => Expr::Product {
                factors: fs.iter().map(|f| f.to_expr(names)).collect(),
            },
            Self::Frac(a, b) => Expr::quotient(a.to_expr(names), b.to_expr(names)),
        }
    }

    /// Sound algebraic simplification (see [`Expr::simplify`]).
    pub(crate) fn simplify(&self) -> T {
        match self {
            Self::P { vars, .. } if vars.is_empty() => Self::one(),
            Self::P { .. } => self.clone(),
            Self::Sum { over, body } => simplify_sum(over.clone(), body.simplify()),
            Self::Prod(fs) => simplify_prod(fs.iter().map(T::simplify).collect()),
            Self::Frac(a, b) => simplify_frac(a.simplify(), b.simplify()),
        }
    }

    /// Applies `f` to every probability term, bottom-up.
    pub(crate) fn map_atoms(&self, f: &mut impl FnMut(&T) -> T) -> T {
        match self {
            Self::P { .. } => f(self),
            Self::Sum { over, body } => Self::Sum {
                over: over.clone(),
                body: Box::new(body.map_atoms(f)),
            },
            Self::Prod(fs) => Self::Prod(fs.iter().map(|t| t.map_atoms(f)).collect()),
            Self::Frac(a, b) => Self::Frac(Box::new(a.map_atoms(f)), Box::new(b.map_atoms(f))),
        }
    }
}

/// Factors of a product (a non-product is its own single factor).
fn factors_of(t: T) -> Vec<T> {
    match t {
        T::Prod(fs) => fs,
        other => vec![other],
    }
}

fn simplify_prod(fs: Vec<T>) -> T {
    // Flatten and drop ones.
    let mut flat = Vec::with_capacity(fs.len());
    for f in fs {
        match f {
            T::Prod(inner) => flat.extend(inner.into_iter().filter(|g| !g.is_one())),
            g if g.is_one() => {}
            g => flat.push(g),
        }
    }
    // A product with quotients becomes one quotient, so that factors can cancel.
    if flat.iter().any(|f| matches!(f, T::Frac(..))) {
        let mut num = Vec::new();
        let mut den = Vec::new();
        for f in flat {
            match f {
                T::Frac(a, b) => {
                    num.extend(factors_of(*a));
                    den.extend(factors_of(*b));
                }
                g => num.push(g),
            }
        }
        return simplify_frac(T::Prod(num), T::Prod(den));
    }
    merge_chains(&mut flat);
    match flat.len() {
        0 => T::one(),
        1 => flat.pop().unwrap_or_else(T::one),
        _ => T::Prod(flat),
    }
}

/// `P(A | B, C) P(B | C) = P(A, B | C)`, applied until no pair merges.
fn merge_chains(fs: &mut Vec<T>) {
    for _ in 0..MAX_PASSES {
        let mut merged = false;
        'outer: for i in 0..fs.len() {
            for j in 0..fs.len() {
                if i == j {
                    continue;
                }
                if let (
                    T::P {
                        vars: a,
                        given: bc,
                        act: act_i,
                        star: star_i,
                    },
                    T::P {
                        vars: b,
                        given: c,
                        act: act_j,
                        star: star_j,
                    },
                ) = (&fs[i], &fs[j])
                    && act_i == act_j
                    && star_i == star_j
                    && *bc == b.union(c)
                    && !a.intersects(bc)
                    && !b.intersects(c)
                {
                    let new = T::P {
                        vars: a.union(b),
                        given: c.clone(),
                        act: act_i.clone(),
                        star: *star_i,
                    };
                    let (lo, hi) = if i < j { (i, j) } else { (j, i) };
                    fs.remove(hi);
                    fs[lo] = new;
                    merged = true;
                    break 'outer;
                }
            }
        }
        if !merged {
            return;
        }
    }
}

fn simplify_sum(mut over: NodeSet, body: T) -> T {
    if over.is_empty() {
        return body;
    }
    let n = over.capacity();
    match body {
        T::Sum {
            over: inner,
            body: b,
        } if !inner.intersects(&over) => simplify_sum(over.union(&inner), *b),
        T::P {
            vars,
            given,
            act,
            star,
        } => {
            // Summing a distribution over some of its own variables marginalizes them.
            let drop = over.intersection(&vars).difference(&given).difference(&act);
            over = over.difference(&drop);
            let atom = if vars.difference(&drop).is_empty() {
                T::one()
            } else {
                T::P {
                    vars: vars.difference(&drop),
                    given,
                    act,
                    star,
                }
            };
            T::sum(over, atom)
        }
        T::Frac(a, b) if !b.free(n).intersects(&over) => {
            // The denominator does not depend on the summation variables.
            simplify_frac(simplify_sum(over, *a), *b)
        }
        T::Prod(fs) => simplify_sum_prod(over, fs, n),
        other => T::sum(over, other),
    }
}

fn simplify_sum_prod(mut over: NodeSet, mut fs: Vec<T>, n: usize) -> T {
    let mut outside: Vec<T> = Vec::new();
    for _ in 0..MAX_PASSES {
        let mut changed = false;
        // Factors free of every summation variable leave the sum.
        let frees: Vec<NodeSet> = fs.iter().map(|f| f.free(n)).collect();
        let mut keep = Vec::with_capacity(fs.len());
        for (f, fr) in fs.drain(..).zip(&frees) {
            if fr.intersects(&over) {
                keep.push(f);
            } else {
                outside.push(f);
                changed = true;
            }
        }
        fs = keep;
        if fs.len() <= 1 {
            break;
        }
        // A summation variable that only one factor mentions moves into that factor.
        let frees: Vec<NodeSet> = fs.iter().map(|f| f.free(n)).collect();
        let mut push: Vec<NodeSet> = vec![NodeSet::new(n); fs.len()];
        for v in over.iter() {
            let holders: Vec<usize> = (0..fs.len()).filter(|&k| frees[k].contains(v)).collect();
            if holders.len() == 1 {
                push[holders[0]].insert(v);
            }
        }
        for (k, p) in push.iter().enumerate() {
            if !p.is_empty() {
                over = over.difference(p);
                let f = std::mem::replace(&mut fs[k], T::one());
                fs[k] = simplify_sum(p.clone(), f);
                changed = true;
            }
        }
        if changed {
            let merged = simplify_prod(std::mem::take(&mut fs));
            match merged {
                T::Prod(inner) => fs = inner,
                T::Frac(..) | T::Sum { .. } | T::P { .. } => {
                    let inner = simplify_sum(over.clone(), merged);
                    outside.push(inner);
                    return simplify_prod(outside);
                }
            }
        } else {
            break;
        }
    }
    let inner = if fs.len() == 1 {
        simplify_sum(over, fs.pop().unwrap_or_else(T::one))
    } else if over.is_empty() {
        simplify_prod(fs)
    } else {
        T::Sum {
            over,
            body: Box::new(T::Prod(fs)),
        }
    };
    outside.push(inner);
    simplify_prod(outside)
}

fn simplify_frac(a: T, b: T) -> T {
    // Nested quotients flatten: (a / b) / c = a / (b c), a / (b / c) = a c / b.
    let (mut num, mut den) = (Vec::new(), Vec::new());
    for (t, top) in [(a, true), (b, false)] {
        match t {
            T::Frac(x, y) => {
                let (xs, ys) = (factors_of(*x), factors_of(*y));
                if top {
                    num.extend(xs);
                    den.extend(ys);
                } else {
                    den.extend(xs);
                    num.extend(ys);
                }
            }
            other => {
                if top {
                    num.extend(factors_of(other));
                } else {
                    den.extend(factors_of(other));
                }
            }
        }
    }
    num.retain(|f| !f.is_one());
    den.retain(|f| !f.is_one());
    // Cancel equal factors.
    let mut k = 0;
    while k < den.len() {
        if let Some(pos) = num.iter().position(|f| *f == den[k]) {
            num.remove(pos);
            den.remove(k);
        } else {
            k += 1;
        }
    }
    merge_chains(&mut num);
    merge_chains(&mut den);
    // P(A, B | C) / P(B | C) = P(A | B, C).
    let mut k = 0;
    while k < den.len() {
        let hit = if let T::P {
            vars: b,
            given: c,
            act,
            star,
        } = &den[k]
        {
            num.iter().position(|f| {
                matches!(f, T::P { vars: a, given: c2, act: act2, star: star2 }
                    if c2 == c && act2 == act && star2 == star && b.is_subset(a) && a != b)
            })
        } else {
            None
        };
        if let Some(pos) = hit {
            if let (
                T::P {
                    vars: a,
                    given: c,
                    act,
                    star,
                },
                T::P { vars: b, .. },
            ) = (&num[pos], &den[k])
            {
                num[pos] = T::P {
                    vars: a.difference(b),
                    given: c.union(b),
                    act: act.clone(),
                    star: *star,
                };
            }
            den.remove(k);
        } else {
            k += 1;
        }
    }
    let num = match num.len() {
        0 => T::one(),
        1 => num.pop().unwrap_or_else(T::one),
        _ => T::Prod(num),
    };
    match den.len() {
        0 => num,
        1 => T::Frac(Box::new(num), Box::new(den.pop().unwrap_or_else(T::one))),
        _ => T::Frac(Box::new(num), Box::new(T::Prod(den))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(items: &[usize]) -> NodeSet {
        NodeSet::from_indices(8, items.iter().copied())
    }

    #[test]
    fn chain_rule_merges_and_sums_collapse() {
        // sum_{W} P(Y | W, X) P(W | X) = P(Y | X) with X=0, W=1, Y=2.
        let t = T::sum(
            s(&[1]),
            T::Prod(vec![T::p(s(&[2]), s(&[0, 1])), T::p(s(&[1]), s(&[0]))]),
        );
        assert_eq!(t.simplify(), T::p(s(&[2]), s(&[0])));
    }

    #[test]
    fn quotient_of_joint_is_conditional() {
        let t = T::Frac(
            Box::new(T::p(s(&[1, 2]), s(&[0]))),
            Box::new(T::sum(s(&[2]), T::p(s(&[1, 2]), s(&[0])))),
        );
        assert_eq!(t.simplify(), T::p(s(&[2]), s(&[0, 1])));
        // x / x = 1.
        let x = T::p(s(&[1]), s(&[]));
        assert!(
            T::Frac(Box::new(x.clone()), Box::new(x))
                .simplify()
                .is_one()
        );
    }

    #[test]
    fn sums_of_factors_free_of_the_variable_pull_out() {
        // sum_{Z} P(X) P(Y | Z) P(Z) keeps P(X) outside.
        let t = T::sum(
            s(&[3]),
            T::Prod(vec![
                T::p(s(&[0]), s(&[])),
                T::p(s(&[2]), s(&[3])),
                T::p(s(&[3]), s(&[])),
            ]),
        )
        .simplify();
        assert_eq!(
            t,
            T::Prod(vec![T::p(s(&[0]), s(&[])), T::p(s(&[2]), s(&[]))])
        );
    }
}
