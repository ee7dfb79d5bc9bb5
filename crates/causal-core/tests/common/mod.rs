//! Helpers of the identification tests: ADMGs from a one-line spec, and random discrete
//! structural causal models (binary variables, one binary latent confounder per bidirected
//! edge).

#![allow(dead_code)] // Each test file uses part of this module.

use std::collections::HashMap;

use causal_core::data::Dataset;
use causal_core::graph::{Admg, MixedGraph};
use rand::Rng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

/// A binary SCM: node `v` (in topological order `0..n`) has observed parents `pa[v]` and
/// latent parents `lat[v]` (indices of bidirected edges); its CPT gives `P(v = 1)` for each
/// configuration of (observed parents, latent parents) as a binary number.
pub struct Scm {
    pub n: usize,
    pub names: Vec<String>,
    pa: Vec<Vec<usize>>,
    lat: Vec<Vec<usize>>,
    p_latent: Vec<f64>,
    cpt: Vec<Vec<f64>>,
    pub graph: Admg,
}

impl Scm {
    pub fn random(rng: &mut ChaCha8Rng, n: usize) -> Self {
        let names: Vec<String> = (0..n).map(|i| format!("V{i}")).collect();
        let mut pa = vec![Vec::new(); n];
        let mut lat = vec![Vec::new(); n];
        let mut bidirected = Vec::new();
        let p_dir = rng.random_range(0.25..0.55);
        let p_bi = rng.random_range(0.1..0.35);
        for j in 0..n {
            for i in 0..j {
                if rng.random::<f64>() < p_dir {
                    pa[j].push(i);
                }
                if rng.random::<f64>() < p_bi {
                    lat[i].push(bidirected.len());
                    lat[j].push(bidirected.len());
                    bidirected.push((i, j));
                }
            }
        }
        let p_latent = (0..bidirected.len())
            .map(|_| rng.random_range(0.2..0.8))
            .collect();
        let cpt = (0..n)
            .map(|v| {
                let k = pa[v].len() + lat[v].len();
                (0..1usize << k)
                    .map(|_| rng.random_range(0.1..0.9))
                    .collect()
            })
            .collect();
        // Insert the nodes in a shuffled order so that graph order differs from causal order.
        let mut insertion: Vec<usize> = (0..n).collect();
        insertion.shuffle(rng);
        let mut graph = MixedGraph::new();
        for &v in &insertion {
            graph.add_node(names[v].clone()).unwrap();
        }
        for j in 0..n {
            for &i in &pa[j] {
                graph.add_directed(&names[i], &names[j]).unwrap();
            }
        }
        for &(i, j) in &bidirected {
            graph.add_bidirected(&names[i], &names[j]).unwrap();
        }
        Self {
            n,
            names,
            pa,
            lat,
            p_latent,
            cpt,
            graph: Admg::from_mixed(&graph).unwrap(),
        }
    }

    /// The napkin graph W -> Z -> X -> Y, W <-> X, W <-> Y with random binary mechanisms.
    pub fn napkin(rng: &mut ChaCha8Rng) -> Self {
        let names: Vec<String> = ["W", "Z", "X", "Y"].iter().map(|s| s.to_string()).collect();
        let pa = vec![vec![], vec![0], vec![1], vec![2]];
        let lat = vec![vec![0, 1], vec![], vec![0], vec![1]];
        let p_latent = vec![rng.random_range(0.3..0.7), rng.random_range(0.3..0.7)];
        let cpt = (0..4)
            .map(|v: usize| {
                let k = pa[v].len() + lat[v].len();
                (0..1usize << k)
                    .map(|_| rng.random_range(0.1..0.9))
                    .collect()
            })
            .collect();
        let graph = Admg::from_names(
            ["W", "Z", "X", "Y"],
            &[("W", "Z"), ("Z", "X"), ("X", "Y")],
            &[("W", "X"), ("W", "Y")],
        )
        .unwrap();
        Self {
            n: 4,
            names,
            pa,
            lat,
            p_latent,
            cpt,
            graph,
        }
    }

    fn p_one(&self, v: usize, x: &[u8], u: &[u8]) -> f64 {
        let mut idx = 0usize;
        for &p in &self.pa[v] {
            idx = idx << 1 | x[p] as usize;
        }
        for &l in &self.lat[v] {
            idx = idx << 1 | u[l] as usize;
        }
        self.cpt[v][idx]
    }

    /// The joint distribution of the observed nodes under `do(fixed)`, by enumeration.
    pub fn intervened_joint(&self, fixed: &HashMap<usize, u8>) -> Vec<f64> {
        let k = self.p_latent.len();
        let mut joint = vec![0.0; 1 << self.n];
        let mut x = vec![0u8; self.n];
        let mut u = vec![0u8; k];
        for uc in 0..1usize << k {
            let mut wu = 1.0;
            for (l, bit) in u.iter_mut().enumerate() {
                *bit = (uc >> l & 1) as u8;
                wu *= if *bit == 1 {
                    self.p_latent[l]
                } else {
                    1.0 - self.p_latent[l]
                };
            }
            for xc in 0..1usize << self.n {
                let mut w = wu;
                for (v, bit) in x.iter_mut().enumerate() {
                    *bit = (xc >> v & 1) as u8;
                }
                for v in 0..self.n {
                    if let Some(&val) = fixed.get(&v) {
                        if x[v] != val {
                            w = 0.0;
                            break;
                        }
                    } else {
                        let p = self.p_one(v, &x, &u);
                        w *= if x[v] == 1 { p } else { 1.0 - p };
                    }
                }
                joint[xc] += w;
            }
        }
        joint
    }

    /// The same model with new random mechanisms for `nodes` (a second population).
    pub fn with_new_mechanisms(&self, rng: &mut ChaCha8Rng, nodes: &[usize]) -> Self {
        let mut cpt = self.cpt.clone();
        for &v in nodes {
            for p in &mut cpt[v] {
                *p = rng.random_range(0.1..0.9);
            }
        }
        Self {
            n: self.n,
            names: self.names.clone(),
            pa: self.pa.clone(),
            lat: self.lat.clone(),
            p_latent: self.p_latent.clone(),
            cpt,
            graph: self.graph.clone(),
        }
    }

    pub fn sample(&self, rng: &mut ChaCha8Rng, rows: usize) -> Dataset {
        let mut cols = vec![Vec::with_capacity(rows); self.n];
        let mut x = vec![0u8; self.n];
        let mut u = vec![0u8; self.p_latent.len()];
        for _ in 0..rows {
            for (l, bit) in u.iter_mut().enumerate() {
                *bit = u8::from(rng.random::<f64>() < self.p_latent[l]);
            }
            for v in 0..self.n {
                x[v] = u8::from(rng.random::<f64>() < self.p_one(v, &x, &u));
                cols[v].push(f64::from(x[v]));
            }
        }
        Dataset::new(self.names.clone(), cols).unwrap()
    }
}

pub fn prob(joint: &[f64], event: &[(usize, u8)]) -> f64 {
    joint
        .iter()
        .enumerate()
        .filter(|(c, _)| event.iter().all(|&(v, val)| (c >> v & 1) as u8 == val))
        .map(|(_, p)| p)
        .sum()
}

/// Builds an ADMG from `"A -> B; B <-> C"` (nodes in order of appearance).
pub fn admg(spec: &str) -> Admg {
    let mut g = MixedGraph::new();
    let mut edges = Vec::new();
    for part in spec.split(';').map(str::trim).filter(|s| !s.is_empty()) {
        let (op, bi) = if part.contains("<->") {
            ("<->", true)
        } else {
            ("->", false)
        };
        let (a, b) = part.split_once(op).expect("edge");
        let (a, b) = (a.trim().to_owned(), b.trim().to_owned());
        for n in [&a, &b] {
            if g.index(n).is_err() {
                g.add_node(n.clone()).unwrap();
            }
        }
        edges.push((a, b, bi));
    }
    for (a, b, bi) in edges {
        if bi {
            g.add_bidirected(&a, &b).unwrap();
        } else {
            g.add_directed(&a, &b).unwrap();
        }
    }
    Admg::from_mixed(&g).unwrap()
}
