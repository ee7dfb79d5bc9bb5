//! One regression tree grown on a bootstrap sample of binned rows (squared-error CART).

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::bins::Binned;

/// Below this many rows (or an eighth of the feature's bins) a node sorts its rows' bins
/// instead of filling a histogram.
const SORT_BELOW: usize = 128;

/// The settings every tree of a forest shares.
#[derive(Clone, Copy, Debug)]
pub(super) struct Growth {
    pub(super) max_depth: usize,
    pub(super) min_samples_leaf: usize,
    pub(super) features_per_split: usize,
    /// Draw each tree's rows with replacement (else every row once).
    pub(super) bootstrap: bool,
}

/// A node: a split (`x[feature] <= value` goes left) or, with `feature == LEAF`, a leaf
/// predicting `value`.
#[derive(Clone, Copy, Debug)]
struct Node {
    feature: u32,
    value: f64,
    left: u32,
    right: u32,
}

const LEAF: u32 = u32::MAX;

impl Node {
    fn leaf(value: f64) -> Self {
        Self {
            feature: LEAF,
            value,
            left: 0,
            right: 0,
        }
    }
}

/// A fitted tree.
#[derive(Clone, Debug)]
pub(super) struct Tree {
    nodes: Vec<Node>,
}

impl Tree {
    /// The prediction for one row, given its features (`value(j)` is feature `j`'s value).
    pub(super) fn predict(&self, value: impl Fn(usize) -> f64) -> f64 {
        let mut node = self.nodes[0];
        while node.feature != LEAF {
            let next = if value(node.feature as usize) <= node.value {
                node.left
            } else {
                node.right
            };
            node = self.nodes[next as usize];
        }
        node.value
    }
}

/// The best split found at a node: rows with a code at most `bin` go left.
#[derive(Clone, Copy)]
struct Split {
    score: f64,
    feature: usize,
    bin: u16,
    threshold: f64,
}

/// One occupied bin of a node: its code, row count, weight and weighted target sum.
#[derive(Clone, Copy)]
struct BinStats {
    code: u16,
    rows: u32,
    w: f64,
    wy: f64,
}

/// Grows a tree on a bootstrap sample of the binned rows (or on all of them), as
/// scikit-learn's random forest does: each row's weight is the number of times it is drawn, a
/// node stops splitting at `max_depth`, below `2 · min_samples_leaf` (and 2) distinct rows or
/// when its targets are constant, a split leaves at least `min_samples_leaf` distinct rows on
/// each side, and a split is chosen among `features_per_split` features drawn without
/// replacement (drawing on past features that are constant in the node) to maximise the
/// decrease in weighted squared error.
///
/// With `row_weights` (by training row), a row's weight is its bootstrap count times its own
/// weight (scikit-learn's `sample_weight`); rows of weight zero take no part.
pub(super) fn grow(
    binned: &Binned,
    y: &[f64],
    row_weights: Option<&[f64]>,
    growth: Growth,
    rng: &mut ChaCha8Rng,
) -> Tree {
    let m = binned.rows;
    let mut counts = vec![u32::from(!growth.bootstrap); m];
    if growth.bootstrap {
        for _ in 0..m {
            counts[rng.random_range(0..m)] += 1;
        }
    }
    let weight: Vec<f64> = counts
        .iter()
        .enumerate()
        .map(|(r, &c)| f64::from(c) * row_weights.map_or(1.0, |w| w[r]))
        .collect();
    let mut samples: Vec<u32> = (0..m as u32)
        .filter(|&r| weight[r as usize] > 0.0)
        .collect();
    let mut grower = Grower {
        binned,
        y,
        weight: &weight,
        growth,
        features: (0..binned.thresholds.len()).collect(),
        node_w: Vec::new(),
        node_wy: Vec::new(),
        hist: Vec::new(),
        occupied: Vec::new(),
    };
    let mut nodes = vec![Node::leaf(0.0)];
    let mut stack = vec![(0usize, 0usize, samples.len(), 0usize)];
    while let Some((id, start, end, depth)) = stack.pop() {
        let node_samples = &mut samples[start..end];
        let (w, wy, wyy) = node_samples.iter().fold((0.0, 0.0, 0.0), |(a, b, c), &s| {
            let (wi, yi) = (weight[s as usize], y[s as usize]);
            (a + wi, b + wi * yi, c + wi * yi * yi)
        });
        let mean = wy / w;
        let impurity = wyy / w - mean * mean;
        let n = node_samples.len();
        // A split needs two rows, and `min_samples_leaf` on each side.
        let splittable = depth < growth.max_depth
            && n >= (2 * growth.min_samples_leaf).max(2)
            && impurity > f64::EPSILON * mean.mul_add(mean, 1.0);
        let split = if splittable {
            grower.best_split(node_samples, rng)
        } else {
            None
        };
        let Some(split) = split else {
            nodes[id] = Node::leaf(mean);
            continue;
        };
        let codes = binned.feature(split.feature);
        let mid = partition(node_samples, |s| codes[s as usize] <= split.bin);
        let (left, right) = (nodes.len(), nodes.len() + 1);
        nodes.push(Node::leaf(0.0));
        nodes.push(Node::leaf(0.0));
        nodes[id] = Node {
            feature: split.feature as u32,
            value: split.threshold,
            left: left as u32,
            right: right as u32,
        };
        stack.push((right, start + mid, end, depth + 1));
        stack.push((left, start, start + mid, depth + 1));
    }
    Tree { nodes }
}

/// Moves the rows for which `goes_left` holds to the front; returns how many there are.
fn partition(rows: &mut [u32], goes_left: impl Fn(u32) -> bool) -> usize {
    let mut mid = 0;
    for k in 0..rows.len() {
        if goes_left(rows[k]) {
            rows.swap(mid, k);
            mid += 1;
        }
    }
    mid
}

/// Scratch space reused by every node of one tree.
struct Grower<'a> {
    binned: &'a Binned,
    y: &'a [f64],
    weight: &'a [f64],
    growth: Growth,
    features: Vec<usize>,
    node_w: Vec<f64>,
    node_wy: Vec<f64>,
    hist: Vec<BinStats>,
    occupied: Vec<BinStats>,
}

impl Grower<'_> {
    fn best_split(&mut self, samples: &[u32], rng: &mut ChaCha8Rng) -> Option<Split> {
        // The node's weights and weighted targets, gathered once for all its features.
        self.node_w.clear();
        self.node_wy.clear();
        for &s in samples {
            let w = self.weight[s as usize];
            self.node_w.push(w);
            self.node_wy.push(w * self.y[s as usize]);
        }
        let p = self.features.len();
        let mut best: Option<Split> = None;
        let mut visited = 0;
        for f_i in 0..p {
            if visited >= self.growth.features_per_split {
                break;
            }
            let j = rng.random_range(f_i..p);
            self.features.swap(f_i, j);
            let feature = self.features[f_i];
            self.occupied_bins(samples, feature);
            if self.occupied.len() < 2 {
                continue; // constant in this node: drawn, but not counted
            }
            visited += 1;
            if let Some(split) = self.scan(feature, samples.len())
                && best.is_none_or(|b| split.score > b.score)
            {
                best = Some(split);
            }
        }
        best
    }

    /// Fills `occupied` with the node's bins of `feature` in increasing order.
    fn occupied_bins(&mut self, samples: &[u32], feature: usize) {
        let codes = self.binned.feature(feature);
        let bins = self.binned.bins(feature);
        self.occupied.clear();
        if samples.len() < SORT_BELOW || samples.len() * 8 < bins {
            for (k, &s) in samples.iter().enumerate() {
                self.occupied.push(BinStats {
                    code: codes[s as usize],
                    rows: 1,
                    w: self.node_w[k],
                    wy: self.node_wy[k],
                });
            }
            self.occupied.sort_unstable_by_key(|b| b.code);
            self.occupied.dedup_by(|next, kept| {
                let same = next.code == kept.code;
                if same {
                    kept.rows += next.rows;
                    kept.w += next.w;
                    kept.wy += next.wy;
                }
                same
            });
            return;
        }
        self.hist.clear();
        self.hist.resize(
            bins,
            BinStats {
                code: 0,
                rows: 0,
                w: 0.0,
                wy: 0.0,
            },
        );
        for (k, &s) in samples.iter().enumerate() {
            let h = &mut self.hist[usize::from(codes[s as usize])];
            h.rows += 1;
            h.w += self.node_w[k];
            h.wy += self.node_wy[k];
        }
        for (code, h) in self.hist.iter().enumerate() {
            if h.rows > 0 {
                self.occupied.push(BinStats {
                    code: code as u16,
                    ..*h
                });
            }
        }
    }

    /// The best cut between consecutive occupied bins: the largest `S_L²/W_L + S_R²/W_R`
    /// (which maximises the decrease in weighted squared error) among cuts that leave
    /// `min_samples_leaf` rows on each side.
    fn scan(&self, feature: usize, n: usize) -> Option<Split> {
        let (w_all, wy_all) = self
            .occupied
            .iter()
            .fold((0.0, 0.0), |(a, b), h| (a + h.w, b + h.wy));
        let min_leaf = self.growth.min_samples_leaf;
        let (mut rows, mut w, mut wy) = (0usize, 0.0, 0.0);
        let mut best: Option<(f64, usize)> = None;
        for (k, h) in self.occupied[..self.occupied.len() - 1].iter().enumerate() {
            rows += h.rows as usize;
            w += h.w;
            wy += h.wy;
            if rows < min_leaf {
                continue;
            }
            if n - rows < min_leaf {
                break;
            }
            let (w_r, wy_r) = (w_all - w, wy_all - wy);
            let score = wy * wy / w + wy_r * wy_r / w_r;
            if best.is_none_or(|(s, _)| score > s) {
                best = Some((score, k));
            }
        }
        let (score, k) = best?;
        let (lo, hi) = (self.occupied[k].code, self.occupied[k + 1].code);
        let t = &self.binned.thresholds[feature];
        // Any threshold between the two bins splits the node alike; the middle one is the
        // nearest to scikit-learn's midpoint between the node's neighbouring values.
        let threshold = 0.5 * (t[usize::from(lo)] + t[usize::from(hi) - 1]);
        Some(Split {
            score,
            feature,
            bin: lo,
            threshold,
        })
    }
}
