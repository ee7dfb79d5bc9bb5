//! The ID and IDC algorithms of Shpitser & Pearl (2006), on the compact graph.

use super::cg::Cg;
use super::term::T;
use crate::graph::NodeSet;

/// The distribution the current ID call works with, over the call's node set `v`.
#[derive(Clone, Debug)]
pub(crate) enum Dist {
    /// The observational margin `P(vars | given)`, `vars` being the call's node set, which is
    /// ancestral in the whole graph.
    Atom { vars: NodeSet, given: NodeSet },
    /// A product of one factor per node of the call's node set, in topological order, each the
    /// exact conditional of its node given its predecessors (line 7's new distribution).
    Chain(Vec<(usize, T)>),
    /// Any term over the call's node set.
    General(T),
}

/// The failure of ID: the node sets of the c-forests `F` and `F'` (line 5), and the treatments
/// and outcomes of the (reduced) query they refute.
pub(crate) type Fail = Box<(NodeSet, NodeSet, NodeSet, NodeSet)>;

pub(crate) struct Id<'a> {
    pub(crate) cg: &'a Cg,
    /// Transport mode (sID): the nodes whose mechanisms differ between the source and the
    /// target (children of selection nodes). Observational terms are then the target's `P*`,
    /// and a c-factor free of differences comes from the source's experiments.
    pub(crate) differ: Option<NodeSet>,
}

impl Id<'_> {
    fn n(&self) -> usize {
        self.cg.n
    }

    /// An observational term: the target's `P*` in transport mode.
    fn obs(&self, vars: NodeSet, given: NodeSet) -> T {
        let act = vars.difference(&vars);
        T::P {
            vars,
            given,
            act,
            star: self.differ.is_some(),
        }
    }

    /// `P_x(y)` from the observational distribution of the whole graph.
    pub(crate) fn identify(&self, y: &NodeSet, x: &NodeSet) -> Result<T, Fail> {
        let all = self.cg.all();
        let p = Dist::Atom {
            vars: all.clone(),
            given: self.cg.empty_set(),
        };
        let t = self
            .id(y, x, &p, &all)
            .map_err(|e| Box::new((e.0, e.1, x.clone(), y.clone())))?;
        Ok(self.finish(&t))
    }

    /// `P_x(y | z)` (IDC).
    pub(crate) fn identify_conditional(
        &self,
        y: &NodeSet,
        x: &NodeSet,
        z: &NodeSet,
    ) -> Result<T, Fail> {
        let (x, z) = self.idc_reduce(y, x, z);
        if z.is_empty() {
            return self.identify(y, &x);
        }
        let all = self.cg.all();
        let p = Dist::Atom {
            vars: all.clone(),
            given: self.cg.empty_set(),
        };
        let yz = y.union(&z);
        let joint = self
            .id(&yz, &x, &p, &all)
            .map_err(|e| Box::new((e.0, e.1, x.clone(), yz.clone())))?;
        let joint = self.finish(&joint);
        let t = T::Frac(Box::new(joint.clone()), Box::new(T::sum(y.clone(), joint)));
        Ok(self.finish(&t))
    }

    /// IDC's first line, repeated: a `z` that rule 2 can turn into an action moves to `x`.
    pub(crate) fn idc_reduce(&self, y: &NodeSet, x: &NodeSet, z: &NodeSet) -> (NodeSet, NodeSet) {
        let (mut x, mut z) = (x.clone(), z.clone());
        'again: loop {
            let members: Vec<usize> = z.iter().collect();
            for zi in members {
                let single = NodeSet::from_indices(self.n(), [zi]);
                let rest = z.difference(&single);
                if self
                    .cg
                    .m_separated(y, &single, &x.union(&rest), Some(&x), Some(&single))
                {
                    x.insert(zi);
                    z.remove(zi);
                    continue 'again;
                }
            }
            return (x, z);
        }
    }

    /// Simplifies, drops conditioning variables that m-separation shows irrelevant, and
    /// simplifies again.
    pub(crate) fn finish(&self, t: &T) -> T {
        let t = t.simplify();
        let t = t.map_atoms(&mut |a| self.reduce_atom(a));
        t.simplify()
    }

    /// `P(A | C)` = `P(A | C \ {w})` whenever `A` and `w` are m-separated by `C \ {w}`
    /// (global Markov property of the observational distribution).
    fn reduce_atom(&self, a: &T) -> T {
        let T::P {
            vars,
            given,
            act,
            star,
        } = a
        else {
            return a.clone();
        };
        // Both populations share the causal diagram, so the target's P* is Markov to it as
        // well; interventional terms are left alone.
        if !act.is_empty() || vars.is_empty() {
            return a.clone();
        }
        let mut given = given.clone();
        let mut order = self.cg.in_order(&given);
        order.reverse();
        loop {
            let mut changed = false;
            for &w in &order {
                if !given.contains(w) {
                    continue;
                }
                let single = NodeSet::from_indices(self.n(), [w]);
                let rest = given.difference(&single);
                if self.cg.m_separated(vars, &single, &rest, None, None) {
                    given = rest;
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        T::P {
            vars: vars.clone(),
            given,
            act: act.clone(),
            star: *star,
        }
    }

    fn term(&self, p: &Dist) -> T {
        match p {
            Dist::Atom { vars, given } => self.obs(vars.clone(), given.clone()),
            Dist::Chain(fs) => T::Prod(fs.iter().map(|(_, f)| f.clone()).collect()),
            Dist::General(t) => t.clone(),
        }
    }

    /// `sum_{v \ keep} P` as a distribution over `keep`.
    fn marginalize(&self, p: &Dist, v: &NodeSet, keep: &NodeSet) -> Dist {
        let gone = v.difference(keep);
        match p {
            Dist::Atom { given, .. } => Dist::Atom {
                vars: keep.clone(),
                given: given.clone(),
            },
            Dist::Chain(fs) => {
                let kept: Vec<(usize, T)> = fs
                    .iter()
                    .filter(|(u, _)| keep.contains(*u))
                    .cloned()
                    .collect();
                // Factors of removed nodes sum to one, from the last in order backwards, as
                // long as no kept factor mentions a removed node.
                if kept
                    .iter()
                    .all(|(_, f)| !f.free(self.n()).intersects(&gone))
                {
                    Dist::Chain(kept)
                } else {
                    Dist::General(T::sum(gone, self.term(p)).simplify())
                }
            }
            Dist::General(t) => Dist::General(T::sum(gone, t.clone()).simplify()),
        }
    }

    /// `P(v_i | predecessors of v_i in v)` under the distribution `p` over `v`.
    fn conditional(&self, p: &Dist, vi: usize, v: &NodeSet) -> T {
        match p {
            Dist::Atom { given, .. } => {
                // v is ancestral, so pre(v_i) ∪ {v_i} is too, and the ordered local Markov
                // property lets the Markov pillow (district of v_i among its predecessors and
                // their parents) replace the predecessors.
                let pre = self.cg.predecessors(vi, v);
                let upto = pre.union(&NodeSet::from_indices(self.n(), [vi]));
                let dis = self.cg.district(vi, &upto);
                let mut pillow = dis.clone();
                for d in dis.iter() {
                    pillow.union_with(&self.cg.pa[d]);
                }
                pillow.remove(vi);
                let pillow = pillow.intersection(&pre);
                self.obs(NodeSet::from_indices(self.n(), [vi]), pillow.union(given))
            }
            Dist::Chain(fs) => fs
                .iter()
                .find(|(u, _)| *u == vi)
                .map(|(_, f)| f.clone())
                .unwrap_or_else(T::one),
            Dist::General(t) => {
                let pre = self.cg.predecessors(vi, v);
                let after = v
                    .difference(&pre)
                    .difference(&NodeSet::from_indices(self.n(), [vi]));
                let from = v.difference(&pre);
                T::Frac(
                    Box::new(T::sum(after, t.clone())),
                    Box::new(T::sum(from, t.clone())),
                )
                .simplify()
            }
        }
    }

    /// ID(y, x, P, G[v]).
    ///
    /// Lines 2, 3 and 7 are tail calls, run as a loop so that their depth (up to the number of
    /// nodes) takes no stack; only line 4's product recurses, once per nesting of districts.
    pub(crate) fn id(&self, y: &NodeSet, x: &NodeSet, p: &Dist, v: &NodeSet) -> Result<T, Fail> {
        let cg = self.cg;
        let (mut x, mut p, mut v) = (x.clone(), p.clone(), v.clone());
        loop {
            // Line 1.
            if x.is_empty() {
                return Ok(T::sum(v.difference(y), self.term(&p)).simplify());
            }
            // Line 2.
            let an = cg.ancestors(y, &v, None);
            if an != v {
                p = self.marginalize(&p, &v, &an);
                x = x.intersection(&an);
                v = an;
                continue;
            }
            // Line 3.
            let w = v.difference(&x).difference(&cg.ancestors(y, &v, Some(&x)));
            if !w.is_empty() {
                x = x.union(&w);
                continue;
            }
            // Line 4.
            let comps = cg.districts(&v.difference(&x));
            if comps.len() > 1 {
                let mut fs = Vec::with_capacity(comps.len());
                for s in &comps {
                    fs.push(self.id(s, &v.difference(s), &p, &v)?);
                }
                return Ok(T::sum(v.difference(&y.union(&x)), T::Prod(fs)).simplify());
            }
            let s = comps.into_iter().next().unwrap_or_else(|| cg.empty_set());
            let dv = cg.districts(&v);
            // Line 5.
            if dv.len() == 1 {
                if let Some(differ) = &self.differ
                    && !differ.intersects(&s)
                {
                    // sID: the c-factor Q[S] = P(s | do(pa(S) \ S)) is the same in both
                    // populations, since no selection node points into S; take it from the
                    // source's experiment.
                    let mut pa = cg.empty_set();
                    for u in s.iter() {
                        pa.union_with(&cg.pa[u]);
                    }
                    let q = T::P {
                        vars: s.clone(),
                        given: cg.empty_set(),
                        act: pa.difference(&s),
                        star: false,
                    };
                    return Ok(T::sum(s.difference(y), q).simplify());
                }
                return Err(Box::new((v, s, x, y.clone())));
            }
            // Line 6.
            if dv.contains(&s) {
                let fs: Vec<T> = cg
                    .in_order(&s)
                    .into_iter()
                    .map(|vi| self.conditional(&p, vi, &v))
                    .collect();
                return Ok(T::sum(s.difference(y), T::Prod(fs)).simplify());
            }
            // Line 7: the district of G containing S (S is a strict subset of it).
            let big = dv
                .into_iter()
                .find(|d| s.is_subset(d))
                .unwrap_or_else(|| v.clone());
            let fs: Vec<(usize, T)> = cg
                .in_order(&big)
                .into_iter()
                .map(|vi| (vi, self.conditional(&p, vi, &v)))
                .collect();
            x = x.intersection(&big);
            p = Dist::Chain(fs);
            v = big;
        }
    }
}
