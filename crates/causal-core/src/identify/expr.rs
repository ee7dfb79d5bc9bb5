//! The symbolic estimand [`Expr`]: probability terms, sums, products and quotients.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::fmt;

use serde::{Deserialize, Serialize};

use super::term::{T, Table};

/// A symbolic expression over probability terms, as produced by identification.
///
/// Variables are node names. A sum binds its variables in its body (lexical scoping): in
/// `sum_{Z} P(Z | X) [sum_{X'} P(Y | X', Z) P(X')]` the inner sum's variable is a copy of `X`
/// that the printers rename with primes, while evaluation treats it as a fresh binding.
///
/// # Examples
///
/// ```
/// use causal_core::identify::Expr;
///
/// // sum_{Z} P(Y | X, Z) P(Z)
/// let e = Expr::sum(["Z"], Expr::product([Expr::p(["Y"], ["X", "Z"]), Expr::p(["Z"], [] as [&str; 0])]));
/// assert_eq!(e.to_string(), "sum_{Z} P(Y | X, Z) P(Z)");
/// assert_eq!(e.to_latex(), r"\sum_{Z} P(Y \mid X, Z) P(Z)");
/// // Summing Y out of a joint marginalizes it.
/// let m = Expr::sum(["Y"], Expr::p(["Y", "Z"], ["X"])).simplify();
/// assert_eq!(m.to_string(), "P(Z | X)");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Expr {
    /// `P(vars | do(intervened), given)`; with no `vars` it is the constant 1. `star` marks the
    /// target population's distribution `P*` in transport formulas.
    P {
        /// The variables the term is a distribution of.
        vars: Vec<String>,
        /// Conditioning variables.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        given: Vec<String>,
        /// Intervened variables (`do(..)`), empty for an observational term.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        intervened: Vec<String>,
        /// Whether this is the target population's `P*` (transportability).
        #[serde(default, skip_serializing_if = "is_false")]
        star: bool,
    },
    /// The sum of `body` over all values of the variables `over`.
    Sum {
        /// Summation variables, bound in `body`.
        over: Vec<String>,
        /// The summand.
        body: Box<Expr>,
    },
    /// A product of factors (the empty product is 1).
    Product {
        /// The factors.
        factors: Vec<Expr>,
    },
    /// A quotient.
    Quotient {
        /// Numerator.
        numerator: Box<Expr>,
        /// Denominator.
        denominator: Box<Expr>,
    },
}

fn is_false(b: &bool) -> bool {
    !*b
}

fn owned<S: AsRef<str>>(names: impl IntoIterator<Item = S>) -> Vec<String> {
    names.into_iter().map(|s| s.as_ref().to_owned()).collect()
}

impl Expr {
    /// The observational term `P(vars | given)`.
    pub fn p<S: AsRef<str>, T: AsRef<str>>(
        vars: impl IntoIterator<Item = S>,
        given: impl IntoIterator<Item = T>,
    ) -> Self {
        Self::P {
            vars: owned(vars),
            given: owned(given),
            intervened: Vec::new(),
            star: false,
        }
    }

    /// The constant 1.
    pub fn one() -> Self {
        Self::Product {
            factors: Vec::new(),
        }
    }

    /// `sum_{over} body`.
    pub fn sum<S: AsRef<str>>(over: impl IntoIterator<Item = S>, body: Expr) -> Self {
        Self::Sum {
            over: owned(over),
            body: Box::new(body),
        }
    }

    /// The product of `factors`.
    pub fn product(factors: impl IntoIterator<Item = Expr>) -> Self {
        Self::Product {
            factors: factors.into_iter().collect(),
        }
    }

    /// `numerator / denominator`.
    pub fn quotient(numerator: Expr, denominator: Expr) -> Self {
        Self::Quotient {
            numerator: Box::new(numerator),
            denominator: Box::new(denominator),
        }
    }

    /// Whether this is the constant 1 (an empty product or a term of no variables).
    pub fn is_one(&self) -> bool {
        match self {
            Self::P { vars, .. } => vars.is_empty(),
            Self::Product { factors } => factors.iter().all(Self::is_one),
            _ => false,
        }
    }

    /// The free variables (those not bound by a sum), sorted.
    pub fn free_variables(&self) -> BTreeSet<String> {
        match self {
            Self::P {
                vars,
                given,
                intervened,
                ..
            } => vars
                .iter()
                .chain(given)
                .chain(intervened)
                .cloned()
                .collect(),
            Self::Sum { over, body } => {
                let mut f = body.free_variables();
                for v in over {
                    f.remove(v);
                }
                f
            }
            Self::Product { factors } => factors.iter().flat_map(Self::free_variables).collect(),
            Self::Quotient {
                numerator,
                denominator,
            } => {
                let mut f = numerator.free_variables();
                f.extend(denominator.free_variables());
                f
            }
        }
    }

    fn all_names(&self, out: &mut HashSet<String>) {
        match self {
            Self::P {
                vars,
                given,
                intervened,
                ..
            } => out.extend(vars.iter().chain(given).chain(intervened).cloned()),
            Self::Sum { over, body } => {
                out.extend(over.iter().cloned());
                body.all_names(out);
            }
            Self::Product { factors } => factors.iter().for_each(|f| f.all_names(out)),
            Self::Quotient {
                numerator,
                denominator,
            } => {
                numerator.all_names(out);
                denominator.all_names(out);
            }
        }
    }

    /// The same expression after sound algebraic simplification: nested sums merge, a sum of a
    /// joint over one of its variables marginalizes it, factors free of a summation variable
    /// leave the sum, chain-rule products merge (`P(A | B, C) P(B | C) = P(A, B | C)`), equal
    /// factors cancel in quotients, and `P(A, B | C) / P(B | C)` becomes `P(A | B, C)`.
    /// Quotients assume positive denominators, as every estimand does.
    pub fn simplify(&self) -> Expr {
        let table = Table::from_expr(self);
        T::from_expr(self, &table).simplify().to_expr(&table.names)
    }

    /// The expression in LaTeX (math mode, without delimiters).
    pub fn to_latex(&self) -> String {
        let mut p = Printer::new(self, true);
        let mut out = String::new();
        p.top(self, &mut out);
        out
    }

    fn text(&self) -> String {
        let mut p = Printer::new(self, false);
        let mut out = String::new();
        p.top(self, &mut out);
        out
    }
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text())
    }
}

/// Writes text or LaTeX, renaming a summation variable with primes when it shadows a free
/// variable or an enclosing summation variable.
struct Printer {
    latex: bool,
    /// Display name of each variable in scope.
    scope: HashMap<String, Vec<String>>,
    /// Display names in use.
    taken: HashSet<String>,
    /// Every name written anywhere, which fresh names must also avoid.
    all: HashSet<String>,
}

impl Printer {
    fn new(e: &Expr, latex: bool) -> Self {
        let mut all = HashSet::new();
        e.all_names(&mut all);
        let taken: HashSet<String> = e.free_variables().into_iter().collect();
        Self {
            latex,
            scope: HashMap::new(),
            taken,
            all,
        }
    }

    fn name(&self, v: &str) -> String {
        let shown = self
            .scope
            .get(v)
            .and_then(|s| s.last())
            .map_or(v, String::as_str);
        if self.latex {
            latex_name(shown)
        } else {
            shown.to_owned()
        }
    }

    fn list(&self, vs: &[String]) -> String {
        vs.iter()
            .map(|v| self.name(v))
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn bind(&mut self, over: &[String]) -> Vec<String> {
        let mut bound = Vec::new();
        for v in over {
            let mut shown = v.clone();
            if self.taken.contains(&shown) {
                shown.push('\'');
                while self.taken.contains(&shown) || self.all.contains(&shown) {
                    shown.push('\'');
                }
            }
            self.taken.insert(shown.clone());
            self.scope.entry(v.clone()).or_default().push(shown.clone());
            bound.push(shown);
        }
        bound
    }

    fn unbind(&mut self, over: &[String], bound: Vec<String>) {
        // `bind` only ever inserts names that were not taken, so removing them is exact.
        for (v, shown) in over.iter().zip(bound) {
            if let Some(s) = self.scope.get_mut(v) {
                s.pop();
            }
            self.taken.remove(&shown);
        }
    }

    /// An expression in a position where it extends to the end (top level, a sum's body).
    fn top(&mut self, e: &Expr, out: &mut String) {
        match e {
            Expr::Product { factors } if factors.is_empty() => out.push('1'),
            Expr::Product { factors } => {
                for (k, f) in factors.iter().enumerate() {
                    if k > 0 {
                        out.push(' ');
                    }
                    self.factor(f, out);
                }
            }
            Expr::Sum { over, body } => {
                let bound = self.bind(over);
                let names = bound
                    .iter()
                    .map(|s| if self.latex { latex_name(s) } else { s.clone() })
                    .collect::<Vec<_>>()
                    .join(", ");
                if self.latex {
                    out.push_str(&format!("\\sum_{{{names}}} "));
                } else {
                    out.push_str(&format!("sum_{{{names}}} "));
                }
                self.top(body, out);
                self.unbind(over, bound);
            }
            Expr::Quotient {
                numerator,
                denominator,
            } => {
                if self.latex {
                    out.push_str("\\frac{");
                    self.top(numerator, out);
                    out.push_str("}{");
                    self.top(denominator, out);
                    out.push('}');
                } else {
                    self.operand(numerator, out);
                    out.push_str(" / ");
                    self.operand(denominator, out);
                }
            }
            Expr::P { .. } => self.atom(e, out),
        }
    }

    /// A factor inside a product: compound factors are bracketed.
    fn factor(&mut self, e: &Expr, out: &mut String) {
        match e {
            Expr::P { .. } => self.atom(e, out),
            Expr::Quotient { .. } if self.latex => self.top(e, out),
            _ => {
                out.push_str(if self.latex { "\\left[" } else { "[" });
                self.top(e, out);
                out.push_str(if self.latex { "\\right]" } else { "]" });
            }
        }
    }

    /// An operand of a text quotient.
    fn operand(&mut self, e: &Expr, out: &mut String) {
        match e {
            Expr::P { .. } => self.atom(e, out),
            _ => {
                out.push('(');
                self.top(e, out);
                out.push(')');
            }
        }
    }

    fn atom(&mut self, e: &Expr, out: &mut String) {
        let Expr::P {
            vars,
            given,
            intervened,
            star,
        } = e
        else {
            return;
        };
        if vars.is_empty() {
            out.push('1');
            return;
        }
        let p = match (self.latex, star) {
            (true, true) => "P^*",
            (false, true) => "P*",
            _ => "P",
        };
        out.push_str(p);
        out.push('(');
        out.push_str(&self.list(vars));
        let mut cond = Vec::new();
        if !intervened.is_empty() {
            if self.latex {
                cond.push(format!("\\mathrm{{do}}({})", self.list(intervened)));
            } else {
                cond.push(format!("do({})", self.list(intervened)));
            }
        }
        if !given.is_empty() {
            cond.push(self.list(given));
        }
        if !cond.is_empty() {
            out.push_str(if self.latex { " \\mid " } else { " | " });
            out.push_str(&cond.join(", "));
        }
        out.push(')');
    }
}

fn latex_name(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '_' | '&' | '%' | '#' | '$' | '{' | '}' => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shadowed_sum_variables_get_primes() {
        // Front-door: sum_{Z} P(Z | X) [sum_{X} P(Y | X, Z) P(X)] with the inner X bound.
        let inner = Expr::sum(
            ["X"],
            Expr::product([Expr::p(["Y"], ["X", "Z"]), Expr::p(["X"], [] as [&str; 0])]),
        );
        let e = Expr::sum(["Z"], Expr::product([Expr::p(["Z"], ["X"]), inner]));
        assert_eq!(
            e.to_string(),
            "sum_{Z} P(Z | X) [sum_{X'} P(Y | X', Z) P(X')]"
        );
        assert_eq!(
            e.to_latex(),
            r"\sum_{Z} P(Z \mid X) \left[\sum_{X'} P(Y \mid X', Z) P(X')\right]"
        );
    }

    #[test]
    fn quotients_and_interventions_print() {
        let e = Expr::quotient(
            Expr::p(["Y", "Z"], ["X"]),
            Expr::sum(["Y"], Expr::p(["Y", "Z"], ["X"])),
        );
        assert_eq!(e.to_string(), "P(Y, Z | X) / (sum_{Y'} P(Y', Z | X))");
        assert_eq!(e.simplify().to_string(), "P(Y | Z, X)");
        let d = Expr::P {
            vars: vec!["Y".into()],
            given: vec!["W_1".into()],
            intervened: vec!["X".into()],
            star: true,
        };
        assert_eq!(d.to_string(), "P*(Y | do(X), W_1)");
        assert_eq!(d.to_latex(), r"P^*(Y \mid \mathrm{do}(X), W\_1)");
        let json = serde_json::to_string(&e).unwrap();
        let back: Expr = serde_json::from_str(&json).unwrap();
        assert_eq!(back, e);
        assert!(Expr::one().is_one());
        assert_eq!(Expr::one().to_string(), "1");
    }
}
