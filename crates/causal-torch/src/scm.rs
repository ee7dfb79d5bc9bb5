//! `NeuralScm`: a structural causal model whose mechanisms are neural networks of each node's
//! parents, fitted by maximum likelihood, then sampled, intervened on and queried for
//! counterfactuals.
//!
//! All mechanisms live in one batched [`MaskedMlp`] (NOTEARS-MLP's locally connected layout), so
//! node j's distribution is a function of its parents in the given DAG only. Continuous nodes
//! have Gaussian heads with a learned mean network and a per-node noise scale (an additive-noise
//! model, in standardised units); discrete nodes with two levels are Bernoulli, more levels
//! categorical. Discrete parents enter their children as their level index.

use causal_core::CoreError;
use causal_core::contract::{Fit, ParamGuard};
use causal_core::data::Dataset;
use causal_core::graph::{GraphKind, MixedGraph};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;
use tch::nn::VarStore;
use tch::{Device, Kind, Reduction, Tensor};

use crate::data::tensor_to_vec;
use crate::error::{Result, TorchError};
use crate::nn::{Activation, MaskedMlp};
use crate::trainer::{History, Objective, TrainerParams};

/// How a node is modelled.
#[derive(Clone, Debug, PartialEq)]
pub enum NodeKind {
    /// Gaussian with additive noise; `mean` and `sd` standardise the column.
    Continuous {
        /// Column mean.
        mean: f64,
        /// Column standard deviation.
        sd: f64,
    },
    /// Bernoulli over two levels (`levels[1]` is "1").
    Binary {
        /// The two values, ascending.
        levels: [f64; 2],
    },
    /// Categorical over its observed levels.
    Categorical {
        /// The values, ascending.
        levels: Vec<f64>,
    },
}

impl NodeKind {
    fn n_levels(&self) -> usize {
        match self {
            Self::Continuous { .. } => 1,
            Self::Binary { .. } => 2,
            Self::Categorical { levels } => levels.len(),
        }
    }

    fn encode(&self, v: f64, node: &str) -> Result<f64> {
        match self {
            Self::Continuous { mean, sd } => Ok((v - mean) / sd),
            Self::Binary { levels } => level_index(levels, v, node),
            Self::Categorical { levels } => level_index(levels, v, node),
        }
    }

    fn decode(&self, z: f64) -> f64 {
        match self {
            Self::Continuous { mean, sd } => mean + sd * z,
            Self::Binary { levels } => levels[(z.round() as usize).min(1)],
            Self::Categorical { levels } => {
                levels[(z.round().max(0.0) as usize).min(levels.len() - 1)]
            }
        }
    }
}

fn level_index(levels: &[f64], v: f64, node: &str) -> Result<f64> {
    levels
        .iter()
        .position(|l| (l - v).abs() < 1e-9)
        .map(|i| i as f64)
        .ok_or_else(|| {
            CoreError::InvalidParameter(format!(
                "value {v} is not one of the levels {levels:?} of discrete node '{node}'"
            ))
            .into()
        })
}

/// An intervention on one node.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Intervention {
    /// do(X = value): the node's mechanism is replaced by a constant (as core's
    /// `Intervention::Hard`).
    Hard(f64),
    /// The mechanism's output is shifted by `delta` (in the node's units; continuous only).
    Shift(f64),
}

/// Which regime each training row comes from, and the nodes each regime intervenes on
/// (perfect interventions, as in DCDI): a targeted node's value was set from outside, so its
/// mechanism's term is left out of the likelihood for that regime's rows, while every other
/// node's mechanism is shared by all regimes.
///
/// Regime 0 is usually the observational one (no targets), but any regime may have none.
///
/// With [`Regimes::imperfect`], a targeted node keeps a mechanism of its parents in that
/// regime, one of the regime's own (DCDI's imperfect interventions): a reagent that changes how
/// a node responds to its parents, without setting its value, is modelled, not dropped.
#[derive(Clone, Debug, PartialEq)]
pub struct Regimes {
    row_regime: Vec<usize>,
    targets: Vec<Vec<String>>,
    imperfect: bool,
}

impl Regimes {
    /// `row_regime[i]` is row i's regime, an index into `targets`; `targets[r]` names the nodes
    /// regime r intervenes on.
    ///
    /// # Errors
    ///
    /// [`TorchError::InvalidParameter`] for a row whose regime has no entry in `targets`
    /// (naming the row and the regime), or no regimes at all; [`CoreError::Duplicate`] for a
    /// node listed twice in one regime.
    pub fn new(row_regime: Vec<usize>, targets: Vec<Vec<String>>) -> Result<Self> {
        if targets.is_empty() {
            return Err(TorchError::InvalidParameter(
                "Regimes needs at least one regime".into(),
            ));
        }
        if let Some((i, r)) = row_regime
            .iter()
            .enumerate()
            .find(|(_, r)| **r >= targets.len())
        {
            return Err(TorchError::InvalidParameter(format!(
                "row {i} is tagged with regime {r}, but only {} regimes have targets",
                targets.len()
            )));
        }
        for t in &targets {
            for (k, name) in t.iter().enumerate() {
                if t[..k].contains(name) {
                    return Err(CoreError::Duplicate(name.clone()).into());
                }
            }
        }
        Ok(Self {
            row_regime,
            targets,
            imperfect: false,
        })
    }

    /// Makes every regime's interventions imperfect: each targeted node gets a mechanism of
    /// its own in that regime (same parents, its own weights and noise scale), fitted on the
    /// regime's rows, instead of being left out of their likelihood.
    pub fn imperfect(mut self) -> Self {
        self.imperfect = true;
        self
    }

    /// Whether the interventions are imperfect (see [`Regimes::imperfect`]).
    pub fn is_imperfect(&self) -> bool {
        self.imperfect
    }

    /// The regime of each row.
    pub fn row_regime(&self) -> &[usize] {
        &self.row_regime
    }

    /// The targets of each regime.
    pub fn targets(&self) -> &[Vec<String>] {
        &self.targets
    }

    /// Each regime's targets as indices into `names` (every target must be one of them).
    fn target_indices(&self, names: &[String]) -> Result<Vec<Vec<usize>>> {
        self.targets
            .iter()
            .map(|t| {
                t.iter()
                    .map(|name| {
                        names
                            .iter()
                            .position(|x| x == name)
                            .ok_or_else(|| CoreError::UnknownNode(name.clone()).into())
                    })
                    .collect()
            })
            .collect()
    }

    /// The `n × d` mask (1 = the shared mechanism's term counts) for nodes `names`, checking
    /// every target is one of them and the row count matches.
    fn mask(&self, names: &[String], n: usize) -> Result<Vec<f32>> {
        if self.row_regime.len() != n {
            return Err(TorchError::InvalidParameter(format!(
                "the regime tags cover {} rows but the data has {n}",
                self.row_regime.len()
            )));
        }
        let d = names.len();
        let mut per_regime = Vec::with_capacity(self.targets.len());
        for t in self.target_indices(names)? {
            let mut m = vec![1.0_f32; d];
            for j in t {
                m[j] = 0.0;
            }
            per_regime.push(m);
        }
        Ok(self
            .row_regime
            .iter()
            .flat_map(|r| per_regime[*r].iter().copied())
            .collect())
    }
}

/// Hyperparameters of a [`NeuralScm`].
///
/// # Examples
///
/// ```
/// use causal_core::{data::Dataset, graph::MixedGraph};
/// use causal_torch::scm::{Intervention, NeuralScmParams};
/// use causal_torch::trainer::TrainerParams;
///
/// let x: Vec<f64> = (0..400).map(|i| ((i * 37) % 101) as f64 / 50.0 - 1.0).collect();
/// let y: Vec<f64> = x.iter().enumerate().map(|(i, v)| 2.0 * v + ((i * 13) % 7) as f64 / 20.0).collect();
/// let data = Dataset::new(vec!["x".into(), "y".into()], vec![x, y])?;
/// let mut g = MixedGraph::with_nodes(["x", "y"])?;
/// g.add_directed("x", "y")?;
/// let trainer = TrainerParams::new().epochs(60).learning_rate(1e-2).batch_size(64)
///     .device(tch::Device::Cpu).quiet(true);
/// let scm = NeuralScmParams::new().hidden(&[16]).trainer(trainer).fit(&g, &data)?;
/// let m = scm.intervene(&[("x", Intervention::Hard(0.5))])?.mean("y", 2000, 0)?;
/// assert!((m - 1.15).abs() < 0.3, "{m}");
/// # Ok::<(), causal_torch::TorchError>(())
/// ```
#[derive(Clone, Debug)]
pub struct NeuralScmParams {
    hidden: Vec<usize>,
    activation: Activation,
    trainer: TrainerParams,
    validation_fraction: f64,
    seed: u64,
}

impl Default for NeuralScmParams {
    fn default() -> Self {
        Self::new()
    }
}

impl NeuralScmParams {
    /// Defaults: hidden widths [32, 32], ELU, the trainer's defaults with 200 epochs and
    /// learning rate 3e-3 and patience 20, 10% of the rows held out for early stopping, seed 0.
    pub fn new() -> Self {
        Self {
            hidden: vec![32, 32],
            activation: Activation::Elu,
            trainer: TrainerParams::new()
                .epochs(200)
                .learning_rate(3e-3)
                .patience(Some(20)),
            validation_fraction: 0.1,
            seed: 0,
        }
    }

    /// Hidden widths of each node's mechanism (at least one layer).
    pub fn hidden(mut self, hidden: &[usize]) -> Self {
        self.hidden = hidden.to_vec();
        self
    }

    /// The activation between layers.
    pub fn activation(mut self, activation: Activation) -> Self {
        self.activation = activation;
        self
    }

    /// The training configuration (its device is the model's device).
    pub fn trainer(mut self, trainer: TrainerParams) -> Self {
        self.trainer = trainer;
        self
    }

    /// Fraction of rows held out for early stopping, in `[0, 0.5]` (0 disables it).
    pub fn validation_fraction(mut self, f: f64) -> Self {
        self.validation_fraction = f;
        self
    }

    /// Seed for weight initialisation and the train/validation split (the trainer has its own).
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Checks, then fits: as [`Fit::fit`] on the checked [`NeuralScm`] (graph first here).
    ///
    /// # Errors
    ///
    /// As [`ParamGuard::check`] and [`Fit::fit`].
    pub fn fit(&self, graph: &MixedGraph, data: &Dataset) -> Result<NeuralScmFit> {
        self.clone().check()?.fit(data, graph)
    }

    /// Checks, then fits on rows from several regimes: as [`Fit::fit`] with `(graph, regimes)`.
    ///
    /// # Errors
    ///
    /// As [`ParamGuard::check`] and [`Fit::fit`].
    pub fn fit_regimes(
        &self,
        graph: &MixedGraph,
        data: &Dataset,
        regimes: &Regimes,
    ) -> Result<NeuralScmFit> {
        self.clone().check()?.fit(data, (graph, regimes))
    }
}

impl ParamGuard for NeuralScmParams {
    type Checked = NeuralScm;
    type Error = TorchError;

    /// Checks the validation fraction and the trainer.
    ///
    /// # Errors
    ///
    /// [`TorchError::InvalidParameter`] naming the bad setting.
    fn check(self) -> Result<NeuralScm> {
        if !(0.0..=0.5).contains(&self.validation_fraction) {
            return Err(TorchError::InvalidParameter(format!(
                "validation_fraction must be in [0, 0.5], got {}",
                self.validation_fraction
            )));
        }
        self.trainer.clone().check()?;
        Ok(NeuralScm { params: self })
    }
}

/// A checked neural SCM (see [`NeuralScmParams`]); fitting it to a DAG and data gives a
/// [`NeuralScmFit`].
#[derive(Clone, Debug)]
pub struct NeuralScm {
    params: NeuralScmParams,
}

impl<'g> Fit<&'g MixedGraph> for NeuralScm {
    type Object = NeuralScmFit;
    type Error = TorchError;

    /// Fits the SCM of `graph` (a DAG whose nodes are columns of `data`) by maximum likelihood.
    /// Columns flagged discrete in `data` get Bernoulli/categorical heads.
    ///
    /// # Errors
    ///
    /// [`CoreError::InvalidParameter`] (wrapped) for a graph with non-directed edges, naming
    /// the edge; [`CoreError::Cycle`] for a cycle; [`CoreError::UnknownColumn`] for a node
    /// missing from `data`; [`CoreError::BadValue`] for a constant continuous column;
    /// [`TorchError::InvalidParameter`] for bad hyperparameters or too few rows; training errors
    /// (e.g. [`TorchError::Diverged`]).
    fn fit(&self, data: &Dataset, graph: &'g MixedGraph) -> Result<NeuralScmFit> {
        self.fit_masked(data, graph, None)
    }
}

impl<'g> Fit<(&'g MixedGraph, &'g Regimes)> for NeuralScm {
    type Object = NeuralScmFit;
    type Error = TorchError;

    /// Fits on observational and interventional rows together: each node's mechanism is
    /// shared by every regime, and a row's term for a node its regime targets is left out of
    /// the likelihood (a perfect intervention set that value from outside).
    ///
    /// # Errors
    ///
    /// As the single-regime fit, plus [`CoreError::UnknownNode`] for a target that is not a
    /// node of `graph` and [`TorchError::InvalidParameter`] when the regime tags do not cover
    /// exactly the rows of `data`.
    fn fit(
        &self,
        data: &Dataset,
        (graph, regimes): (&'g MixedGraph, &'g Regimes),
    ) -> Result<NeuralScmFit> {
        self.fit_masked(data, graph, Some(regimes))
    }
}

impl NeuralScm {
    fn fit_masked(
        &self,
        data: &Dataset,
        graph: &MixedGraph,
        regimes: Option<&Regimes>,
    ) -> Result<NeuralScmFit> {
        let p = &self.params;
        let trainer = p.trainer.clone().check()?;
        let device = trainer.device();
        if graph.kind() != GraphKind::Dag {
            let bad = graph
                .edges()
                .iter()
                .find(|e| !(e.is_directed_from(e.a, e.b) || e.is_directed_from(e.b, e.a)))
                .map(|e| format!("{} - {}", graph.name(e.a), graph.name(e.b)))
                .unwrap_or_default();
            return Err(CoreError::InvalidParameter(format!(
                "a NeuralScm needs a DAG; the edge {bad} is not directed"
            ))
            .into());
        }
        let order = graph.topological_order()?;
        let names: Vec<String> = graph.nodes().to_vec();
        let d = names.len();
        let data = data.select(&names.iter().map(String::as_str).collect::<Vec<_>>())?;
        let n = data.n_rows();
        let mask = regimes.map(|r| r.mask(&names, n)).transpose()?;
        let n_val = (n as f64 * p.validation_fraction).round() as usize;
        if n - n_val < 2 {
            return Err(TorchError::InvalidParameter(format!(
                "{n} rows are too few to fit a NeuralScm"
            )));
        }
        let kinds = names
            .iter()
            .enumerate()
            .map(|(j, name)| node_kind(&data, j, name))
            .collect::<Result<Vec<_>>>()?;
        let parents: Vec<Vec<usize>> = (0..d).map(|j| graph.parents(j)).collect();
        let k = kinds.iter().map(NodeKind::n_levels).max().unwrap_or(1);

        crate::seed::manual_seed(p.seed);
        let vs = VarStore::new(device);
        let root = vs.root();
        let net = MaskedMlp::new(
            &root / "mechanisms",
            d,
            &parents,
            &p.hidden,
            k,
            p.activation,
        )?;
        let log_sigma = root.f_zeros("log_sigma", &[d as i64])?;
        // Imperfect regimes: a mechanism network and noise scales of their own per regime with
        // targets (only the targets' outputs are used).
        let targets = regimes
            .map(|r| r.target_indices(&names))
            .transpose()?
            .unwrap_or_default();
        let imperfect = regimes.is_some_and(Regimes::is_imperfect);
        let regime_mechs = targets
            .iter()
            .enumerate()
            .map(|(r, t)| -> Result<Option<RegimeMechanism>> {
                if !imperfect || t.is_empty() {
                    return Ok(None);
                }
                let path = &root / format!("regime{r}");
                Ok(Some(RegimeMechanism {
                    net: MaskedMlp::new(
                        &path / "mechanisms",
                        d,
                        &parents,
                        &p.hidden,
                        k,
                        p.activation,
                    )?,
                    log_sigma: path.f_zeros("log_sigma", &[d as i64])?,
                    targets: t.clone(),
                }))
            })
            .collect::<Result<Vec<_>>>()?;
        let mut scm = NeuralScmFit {
            vs,
            net,
            log_sigma,
            names,
            kinds,
            parents,
            order,
            device,
            history: History::default(),
            regime_targets: targets,
            regime_mechs,
        };

        let z = scm.encode(&data)?;
        // A seeded split: shuffle the rows once, the first n_val are validation.
        let mut rows: Vec<i64> = (0..n as i64).collect();
        rand::seq::SliceRandom::shuffle(
            rows.as_mut_slice(),
            &mut ChaCha8Rng::seed_from_u64(p.seed),
        );
        let idx =
            |r: &[i64]| -> Result<Tensor> { Ok(Tensor::f_from_slice(r)?.f_to_device(device)?) };
        let z_train = z.f_index_select(0, &idx(&rows[n_val..])?)?;
        let z_val = if n_val > 0 {
            Some(z.f_index_select(0, &idx(&rows[..n_val])?)?)
        } else {
            None
        };
        let mask = mask
            .map(|m| -> Result<Tensor> {
                Ok(Tensor::f_from_slice(&m)?
                    .f_reshape([n as i64, d as i64])?
                    .f_to_device(device)?)
            })
            .transpose()?;
        let m_train = match &mask {
            Some(m) => Some(m.f_index_select(0, &idx(&rows[n_val..])?)?),
            None => None,
        };
        let m_val = match (&mask, n_val) {
            (Some(m), 1..) => Some(m.f_index_select(0, &idx(&rows[..n_val])?)?),
            _ => None,
        };
        // Each row's regime, where some regime has mechanisms of its own.
        let tags = match regimes {
            Some(r) if scm.regime_mechs.iter().any(Option::is_some) => {
                let all: Vec<i64> = r.row_regime.iter().map(|&g| g as i64).collect();
                let pick = |part: &[i64]| -> Result<Tensor> {
                    let v: Vec<i64> = part.iter().map(|&i| all[i as usize]).collect();
                    Ok(Tensor::f_from_slice(&v)?.f_to_device(device)?)
                };
                Some((pick(&rows[n_val..])?, pick(&rows[..n_val])?))
            }
            _ => None,
        };
        let mut vs = std::mem::replace(&mut scm.vs, VarStore::new(device));
        let mut objective = Likelihood {
            scm: &scm,
            z_train: &z_train,
            z_val: z_val.as_ref(),
            m_train: m_train.as_ref(),
            m_val: m_val.as_ref(),
            g_train: tags.as_ref().map(|t| &t.0),
            g_val: tags.as_ref().filter(|_| n_val > 0).map(|t| &t.1),
        };
        let history = trainer.fit(&mut vs, &mut objective, n - n_val)?;
        scm.vs = vs;
        scm.history = history;
        Ok(scm)
    }
}

fn node_kind(data: &Dataset, j: usize, name: &str) -> Result<NodeKind> {
    let col = data.col(j);
    if data.discrete_flags()[j] {
        let mut levels: Vec<f64> = col.to_vec();
        levels.sort_by(f64::total_cmp);
        levels.dedup();
        return Ok(match levels.len() {
            0 | 1 => {
                return Err(CoreError::BadValue {
                    row: 1,
                    column: name.to_string(),
                    message: "a discrete node needs at least two levels".into(),
                }
                .into());
            }
            2 => NodeKind::Binary {
                levels: [levels[0], levels[1]],
            },
            _ => NodeKind::Categorical { levels },
        });
    }
    let n = col.len() as f64;
    let mean = col.iter().sum::<f64>() / n;
    let var = col.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n;
    if var.partial_cmp(&1e-24) != Some(std::cmp::Ordering::Greater) {
        return Err(CoreError::BadValue {
            row: 1,
            column: name.to_string(),
            message: "the column is constant, so its noise scale is zero".into(),
        }
        .into());
    }
    Ok(NodeKind::Continuous {
        mean,
        sd: var.sqrt(),
    })
}

/// A fitted neural SCM; see [`NeuralScmParams`].
#[derive(Debug)]
pub struct NeuralScmFit {
    vs: VarStore,
    net: MaskedMlp,
    /// Per-node log noise scale in standardised units (used by continuous nodes).
    log_sigma: Tensor,
    names: Vec<String>,
    kinds: Vec<NodeKind>,
    parents: Vec<Vec<usize>>,
    order: Vec<usize>,
    device: Device,
    history: History,
    /// Each training regime's targets (node indices); empty without regimes.
    regime_targets: Vec<Vec<usize>>,
    /// Each regime's own mechanisms for its targets (imperfect interventions), by regime.
    regime_mechs: Vec<Option<RegimeMechanism>>,
}

/// The mechanisms a regime's imperfect interventions put in place of the shared ones.
#[derive(Debug)]
struct RegimeMechanism {
    net: MaskedMlp,
    log_sigma: Tensor,
    targets: Vec<usize>,
}

struct Likelihood<'a> {
    scm: &'a NeuralScmFit,
    z_train: &'a Tensor,
    z_val: Option<&'a Tensor>,
    /// Regime masks (1 = the shared term counts), aligned with the rows; `None` = all count.
    m_train: Option<&'a Tensor>,
    m_val: Option<&'a Tensor>,
    /// Each row's regime (int64), where some regime has mechanisms of its own.
    g_train: Option<&'a Tensor>,
    g_val: Option<&'a Tensor>,
}

impl Likelihood<'_> {
    /// Mean over the rows of `z` of the summed node terms: the shared mechanisms' where `mask`
    /// keeps them (masked terms count as zero, as in DCDI), plus each imperfect regime's own
    /// mechanisms for its targets on its rows (`tags`: the rows' regimes).
    fn loss(&self, z: &Tensor, mask: Option<Tensor>, tags: Option<Tensor>) -> Result<Tensor> {
        let mut l = self.scm.node_nll(z)?;
        if let Some(m) = mask {
            l = l.f_mul(&m)?;
        }
        let mut total = l.f_sum(Kind::Float)?;
        if let Some(tags) = tags {
            for (r, mech) in self.scm.regime_mechs.iter().enumerate() {
                let Some(mech) = mech else { continue };
                let rows = tags.f_eq(r as i64)?.f_nonzero()?.f_view([-1])?;
                if rows.size()[0] == 0 {
                    continue;
                }
                let cols: Vec<i64> = mech.targets.iter().map(|&j| j as i64).collect();
                let cols = Tensor::f_from_slice(&cols)?.f_to_device(self.scm.device)?;
                let own = self
                    .scm
                    .nll_with(&mech.net, &mech.log_sigma, &z.f_index_select(0, &rows)?)?
                    .f_index_select(1, &cols)?;
                total = total.f_add(&own.f_sum(Kind::Float)?)?;
            }
        }
        Ok(total.f_div_scalar(z.size()[0] as f64)?)
    }
}

impl Objective for Likelihood<'_> {
    fn train_loss(&mut self, batch: &Tensor, _epoch: usize) -> Result<Vec<(String, Tensor)>> {
        let z = self.z_train.f_index_select(0, batch)?;
        let mask = self
            .m_train
            .map(|m| m.f_index_select(0, batch))
            .transpose()?;
        let tags = self
            .g_train
            .map(|g| g.f_index_select(0, batch))
            .transpose()?;
        Ok(vec![("nll".into(), self.loss(&z, mask, tags)?)])
    }

    fn validation_loss(&mut self, _epoch: usize) -> Result<Option<f64>> {
        match self.z_val {
            None => Ok(None),
            Some(z) => {
                let mask = self.m_val.map(Tensor::shallow_clone);
                let tags = self.g_val.map(Tensor::shallow_clone);
                Ok(Some(self.loss(z, mask, tags)?.f_double_value(&[])?))
            }
        }
    }
}

impl NeuralScmFit {
    /// The node names, in the graph's order.
    pub fn nodes(&self) -> &[String] {
        &self.names
    }

    /// How each node is modelled.
    pub fn kinds(&self) -> &[NodeKind] {
        &self.kinds
    }

    /// The training history.
    pub fn history(&self) -> &History {
        &self.history
    }

    /// The variables (for checkpoints: [`crate::checkpoint::save`]).
    pub fn var_store(&self) -> &VarStore {
        &self.vs
    }

    /// The variables, mutably (for [`crate::checkpoint::load`] into a model fitted on the same
    /// graph and columns).
    pub fn var_store_mut(&mut self) -> &mut VarStore {
        &mut self.vs
    }

    /// The batched mechanism network.
    pub fn network(&self) -> &MaskedMlp {
        &self.net
    }

    /// Each continuous node's noise standard deviation in its own units (NaN for discrete).
    ///
    /// # Errors
    ///
    /// LibTorch errors.
    pub fn noise_sd(&self) -> Result<Vec<f64>> {
        let s = tensor_to_vec(&self.log_sigma.f_exp()?)?;
        Ok(self
            .kinds
            .iter()
            .zip(s)
            .map(|(k, s)| match k {
                NodeKind::Continuous { sd, .. } => sd * s,
                _ => f64::NAN,
            })
            .collect())
    }

    fn index(&self, name: &str) -> Result<usize> {
        self.names
            .iter()
            .position(|n| n == name)
            .ok_or_else(|| CoreError::UnknownNode(name.to_string()).into())
    }

    /// Encodes `data` (the model's columns, any order) into the internal `n × d` tensor.
    fn encode(&self, data: &Dataset) -> Result<Tensor> {
        // Encoded from the exact f64 values; the network's input is rounded to f32 once, last.
        let names: Vec<&str> = self.names.iter().map(String::as_str).collect();
        data.require_numeric(&names)?;
        let mut cols = Vec::with_capacity(self.names.len());
        for (kind, name) in self.kinds.iter().zip(&self.names) {
            let raw = data.column(name)?;
            let enc = raw
                .iter()
                .map(|v| kind.encode(*v, name))
                .collect::<Result<Vec<f64>>>()?;
            cols.push(Tensor::f_from_slice(&enc)?);
        }
        Ok(Tensor::f_stack(&cols, 1)?
            .f_to_kind(Kind::Float)?
            .f_to_device(self.device)?)
    }

    /// A table of this model's nodes from `columns`, the discrete nodes marked as such.
    fn table(&self, columns: Vec<Vec<f64>>) -> Result<Dataset> {
        let out = Dataset::new(self.names.clone(), columns)?;
        let discrete: Vec<&str> = self
            .names
            .iter()
            .zip(&self.kinds)
            .filter(|(_, k)| !matches!(k, NodeKind::Continuous { .. }))
            .map(|(n, _)| n.as_str())
            .collect();
        Ok(if discrete.is_empty() {
            out
        } else {
            out.with_discrete(&discrete)?
        })
    }

    fn decode(&self, z: &Tensor) -> Result<Dataset> {
        let n = z.size()[0] as usize;
        let flat = tensor_to_vec(z)?;
        let d = self.names.len();
        let columns = (0..d)
            .map(|j| {
                (0..n)
                    .map(|i| self.kinds[j].decode(flat[i * d + j]))
                    .collect()
            })
            .collect();
        self.table(columns)
    }

    /// Negative log-likelihood of each node's term in each encoded row, `n × d`, in
    /// standardised units and without the Gaussian constant ½ log 2π (what training needs).
    fn node_nll(&self, z: &Tensor) -> Result<Tensor> {
        self.nll_with(&self.net, &self.log_sigma, z)
    }

    /// As `node_nll`, with the mechanisms `net` and noise scales `log_sigma`.
    fn nll_with(&self, net: &MaskedMlp, log_sigma: &Tensor, z: &Tensor) -> Result<Tensor> {
        let out = net.f_forward(z)?; // n × d × k
        let mut cols = Vec::with_capacity(self.kinds.len());
        let sigma_all = log_sigma.f_unsqueeze(0)?;
        for (j, kind) in self.kinds.iter().enumerate() {
            let j64 = j as i64;
            let col = match kind {
                NodeKind::Continuous { .. } => {
                    let mu = out.f_select(1, j64)?.f_select(1, 0)?;
                    let x = z.f_select(1, j64)?;
                    let ls = sigma_all.f_select(1, j64)?;
                    // Gaussian NLL up to the constant: ½((x−μ)/σ)² + log σ.
                    x.f_sub(&mu)?
                        .f_mul(&ls.f_neg()?.f_exp()?)?
                        .f_square()?
                        .f_mul_scalar(0.5)?
                        .f_add(&ls)?
                }
                NodeKind::Binary { .. } => {
                    let logit = out.f_select(1, j64)?.f_select(1, 0)?;
                    let target = z.f_select(1, j64)?;
                    logit.f_binary_cross_entropy_with_logits::<Tensor>(
                        &target,
                        None,
                        None,
                        Reduction::None,
                    )?
                }
                NodeKind::Categorical { levels } => {
                    let logits = out.f_select(1, j64)?.f_narrow(1, 0, levels.len() as i64)?;
                    let target = z.f_select(1, j64)?.f_to_kind(Kind::Int64)?;
                    logits.f_cross_entropy_loss::<Tensor>(
                        &target,
                        None,
                        Reduction::None,
                        -100,
                        0.0,
                    )?
                }
            };
            cols.push(col);
        }
        Ok(Tensor::f_stack(&cols, 1)?)
    }

    /// Log-likelihood of each row of `data` (the model's columns, any order) under the fitted
    /// mechanisms, summed over the nodes not in `skip`: Σ_j log p(x_j | pa_j), in the units of
    /// the data given (a continuous node's density includes −log of its column SD and
    /// −½ log 2π, so it is comparable with any other density of the same columns).
    ///
    /// Skipping a perfect intervention's targets gives the held-out regime's conditional
    /// log-likelihood of the other nodes given the targets' values.
    ///
    /// # Errors
    ///
    /// [`CoreError::UnknownNode`] for a name in `skip` outside the model; data errors naming
    /// the column (missing, non-numeric, not a level of a discrete node).
    pub fn log_likelihood(&self, data: &Dataset, skip: &[&str]) -> Result<Vec<f64>> {
        let mut keep = vec![true; self.names.len()];
        for name in skip {
            keep[self.index(name)?] = false;
        }
        let z = self.encode(data)?;
        let nll = tch::no_grad(|| self.node_nll(&z))?;
        self.row_log_likelihood(&nll, &keep)
    }

    /// The number of regimes the model was fitted on (0 without [`Regimes`]).
    pub fn n_regimes(&self) -> usize {
        self.regime_targets.len()
    }

    /// Regime `regime`'s own mechanisms, or an error naming it when it has none to offer:
    /// `Ok(None)` for a regime without targets (the shared mechanisms are its own).
    fn regime_mechanism(&self, regime: usize) -> Result<Option<&RegimeMechanism>> {
        let targets = self.regime_targets.get(regime).ok_or_else(|| {
            TorchError::InvalidParameter(format!(
                "regime {regime} does not exist: the model was fitted on {} regimes",
                self.regime_targets.len()
            ))
        })?;
        match &self.regime_mechs[regime] {
            Some(m) => Ok(Some(m)),
            None if targets.is_empty() => Ok(None),
            None => Err(TorchError::InvalidParameter(format!(
                "regime {regime} is a perfect intervention on {}: their values were set from \
                 outside and have no mechanism to use (fit with Regimes::imperfect, or give the \
                 values to sample_given)",
                targets
                    .iter()
                    .map(|&j| format!("'{}'", self.names[j]))
                    .collect::<Vec<_>>()
                    .join(", ")
            ))),
        }
    }

    /// Log-likelihood of each row of `data` as a row of training regime `regime` (an index into
    /// the [`Regimes`] the model was fitted with): Σ_j log p_r(x_j | pa_j), where a target of an
    /// imperfect regime has the regime's own mechanism and every other node the shared one. In
    /// the units of the data, as [`NeuralScmFit::log_likelihood`].
    ///
    /// # Errors
    ///
    /// [`TorchError::InvalidParameter`] for a regime that does not exist, or one whose
    /// interventions are perfect (its targets have no mechanism); data errors naming the column.
    pub fn log_likelihood_in(&self, data: &Dataset, regime: usize) -> Result<Vec<f64>> {
        let mech = self.regime_mechanism(regime)?;
        let z = self.encode(data)?;
        let nll = tch::no_grad(|| -> Result<Tensor> {
            let shared = self.node_nll(&z)?;
            let Some(m) = mech else { return Ok(shared) };
            let cols: Vec<i64> = m.targets.iter().map(|&j| j as i64).collect();
            let cols = Tensor::f_from_slice(&cols)?.f_to_device(self.device)?;
            let own = self
                .nll_with(&m.net, &m.log_sigma, &z)?
                .f_index_select(1, &cols)?;
            Ok(shared.f_index_copy(1, &cols, &own)?)
        })?;
        self.row_log_likelihood(&nll, &vec![true; self.names.len()])
    }

    /// Each row's Σ_{j kept} −(nll_j + constant_j): per-node negative log-likelihoods in
    /// standardised units (`n × d`) back to log-densities in the data's units.
    fn row_log_likelihood(&self, nll: &Tensor, keep: &[bool]) -> Result<Vec<f64>> {
        let flat = tensor_to_vec(&nll.f_to_kind(Kind::Double)?)?;
        let d = self.names.len();
        let half_log_2pi = 0.5 * (2.0 * std::f64::consts::PI).ln();
        let offsets: Vec<f64> = self
            .kinds
            .iter()
            .map(|k| match k {
                NodeKind::Continuous { sd, .. } => half_log_2pi + sd.ln(),
                _ => 0.0,
            })
            .collect();
        Ok(flat
            .chunks(d)
            .map(|row| {
                row.iter()
                    .zip(&offsets)
                    .zip(keep)
                    .filter(|(_, k)| **k)
                    .map(|((l, o), _)| -(l + o))
                    .sum()
            })
            .collect())
    }

    /// Draws one row per row of `given`, with the nodes that `given` holds set to that row's
    /// values (a perfect intervention whose values are given row by row) and every other
    /// node drawn from its mechanism (seeded).
    ///
    /// # Errors
    ///
    /// [`CoreError::UnknownNode`] for a column of `given` that is not a node; data errors
    /// naming the column; [`TorchError::InvalidParameter`] for an empty `given`.
    pub fn sample_given(&self, given: &Dataset, seed: u64) -> Result<Dataset> {
        let n = given.n_rows();
        if n == 0 {
            return Err(TorchError::InvalidParameter("cannot draw 0 samples".into()));
        }
        let mut fixed = Vec::new();
        for name in given.names() {
            let j = self.index(name)?;
            let enc = given
                .column(name)?
                .iter()
                .map(|v| self.kinds[j].encode(*v, name).map(|e| e as f32))
                .collect::<Result<Vec<f32>>>()?;
            fixed.push((j, enc));
        }
        let ivs = vec![None; self.names.len()];
        let z = self.sample_encoded_fixed(n, &ivs, &fixed, None, seed)?;
        let data = self.decode(&z)?;
        // Given nodes hold exactly the values given (no f32 round trip).
        let columns = (0..self.names.len())
            .map(|j| match fixed.iter().find(|(k, _)| *k == j) {
                Some(_) => given.column(&self.names[j]).map(<[f64]>::to_vec),
                None => Ok(data.col(j).to_vec()),
            })
            .collect::<std::result::Result<Vec<_>, _>>()?;
        self.table(columns)
    }

    fn interventions(&self, spec: &[(&str, Intervention)]) -> Result<Vec<Option<Intervention>>> {
        let mut out = vec![None; self.names.len()];
        for (name, iv) in spec {
            let j = self.index(name)?;
            match (iv, &self.kinds[j]) {
                (Intervention::Shift(_), k) if !matches!(k, NodeKind::Continuous { .. }) => {
                    return Err(CoreError::InvalidParameter(format!(
                        "a shift intervention needs a continuous node; '{name}' is discrete"
                    ))
                    .into());
                }
                (Intervention::Hard(v) | Intervention::Shift(v), _) if !v.is_finite() => {
                    return Err(CoreError::InvalidParameter(format!(
                        "the intervention on '{name}' has a non-finite value {v}"
                    ))
                    .into());
                }
                (Intervention::Hard(v), k) => {
                    k.encode(*v, name)?;
                }
                _ => {}
            }
            if out[j].replace(*iv).is_some() {
                return Err(CoreError::Duplicate(name.to_string()).into());
            }
        }
        Ok(out)
    }

    /// Ancestral sampling of `n` rows (in encoded units) under the given interventions.
    fn sample_encoded(&self, n: usize, ivs: &[Option<Intervention>], seed: u64) -> Result<Tensor> {
        self.sample_encoded_fixed(n, ivs, &[], None, seed)
    }

    /// As `sample_encoded`, with the nodes in `fixed` set row by row to the encoded values, and
    /// the targets of `mech` drawn from its mechanisms instead of the shared ones.
    fn sample_encoded_fixed(
        &self,
        n: usize,
        ivs: &[Option<Intervention>],
        fixed: &[(usize, Vec<f32>)],
        mech: Option<&RegimeMechanism>,
        seed: u64,
    ) -> Result<Tensor> {
        if n == 0 {
            return Err(TorchError::InvalidParameter("cannot draw 0 samples".into()));
        }
        let d = self.names.len();
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let sigma = tensor_to_vec(&self.log_sigma.f_exp()?)?;
        let own_sigma = mech
            .map(|m| tensor_to_vec(&m.log_sigma.f_exp()?))
            .transpose()?;
        let mut z = Tensor::f_zeros([n as i64, d as i64], (Kind::Float, self.device))?;
        tch::no_grad(|| -> Result<()> {
            for &j in &self.order {
                let given = fixed.iter().find(|(k, _)| *k == j);
                let value: Vec<f32> = match (ivs[j], &self.kinds[j]) {
                    _ if given.is_some() => given.map(|(_, v)| v.clone()).unwrap_or_default(),
                    (Some(Intervention::Hard(v)), k) => {
                        vec![k.encode(v, &self.names[j])? as f32; n]
                    }
                    (iv, kind) => match (mech, &own_sigma) {
                        (Some(m), Some(own)) if m.targets.contains(&j) => {
                            let out = m.net.f_forward(&z)?.f_select(1, j as i64)?;
                            self.draw(kind, &out, own[j], iv, &mut rng)?
                        }
                        _ => {
                            let out = self.net.f_forward(&z)?.f_select(1, j as i64)?;
                            self.draw(kind, &out, sigma[j], iv, &mut rng)?
                        }
                    },
                };
                let col = Tensor::f_from_slice(&value)?.f_to_device(self.device)?;
                z.f_select(1, j as i64)?.f_copy_(&col)?;
            }
            Ok(())
        })?;
        // The row tensor was filled in place; hand back a plain copy.
        z = crate::trainer::deep_copy(&z)?;
        Ok(z)
    }

    fn draw(
        &self,
        kind: &NodeKind,
        out: &Tensor,
        sigma: f64,
        iv: Option<Intervention>,
        rng: &mut ChaCha8Rng,
    ) -> Result<Vec<f32>> {
        Ok(match kind {
            NodeKind::Continuous { sd, .. } => {
                let shift = match iv {
                    Some(Intervention::Shift(s)) => s / sd,
                    _ => 0.0,
                };
                let mu = tensor_to_vec(&out.f_select(1, 0)?)?;
                mu.iter()
                    .map(|m| {
                        let e: f64 = rng.sample(StandardNormal);
                        (m + sigma * e + shift) as f32
                    })
                    .collect()
            }
            NodeKind::Binary { .. } => {
                let p = tensor_to_vec(&out.f_select(1, 0)?.f_sigmoid()?)?;
                p.iter()
                    .map(|p| f32::from(u8::from(rng.random::<f64>() < *p)))
                    .collect()
            }
            NodeKind::Categorical { levels } => {
                let probs = out
                    .f_narrow(1, 0, levels.len() as i64)?
                    .f_softmax(1, Kind::Double)?;
                let flat = tensor_to_vec(&probs)?;
                flat.chunks(levels.len())
                    .map(|p| {
                        let u: f64 = rng.random();
                        let mut acc = 0.0;
                        let mut pick = levels.len() - 1;
                        for (i, pi) in p.iter().enumerate() {
                            acc += pi;
                            if u < acc {
                                pick = i;
                                break;
                            }
                        }
                        pick as f32
                    })
                    .collect()
            }
        })
    }

    /// Draws `n` rows from the fitted observational distribution (seeded).
    ///
    /// # Errors
    ///
    /// [`TorchError::InvalidParameter`] for `n = 0`; LibTorch errors.
    pub fn sample(&self, n: usize, seed: u64) -> Result<Dataset> {
        let ivs = vec![None; self.names.len()];
        self.decode(&self.sample_encoded(n, &ivs, seed)?)
    }

    /// Draws `n` rows of training regime `regime` (seeded): the targets of an imperfect regime
    /// from the regime's own mechanisms, every other node from the shared ones.
    ///
    /// # Errors
    ///
    /// As [`NeuralScmFit::log_likelihood_in`] for the regime; [`TorchError::InvalidParameter`]
    /// for `n = 0`.
    pub fn sample_in(&self, regime: usize, n: usize, seed: u64) -> Result<Dataset> {
        let mech = self.regime_mechanism(regime)?;
        let ivs = vec![None; self.names.len()];
        self.decode(&self.sample_encoded_fixed(n, &ivs, &[], mech, seed)?)
    }

    /// The model under interventions (hard `Set` or `Shift`), to sample from or query.
    ///
    /// # Errors
    ///
    /// [`CoreError::UnknownNode`] for a name outside the model, [`CoreError::Duplicate`] for a
    /// node intervened twice, [`CoreError::InvalidParameter`] for a shift on a discrete node,
    /// a value that is not a level of a discrete node, or a non-finite value.
    pub fn intervene(&self, interventions: &[(&str, Intervention)]) -> Result<Intervened<'_>> {
        Ok(Intervened {
            scm: self,
            ivs: self.interventions(interventions)?,
        })
    }

    /// Counterfactual rows: for each unit (a row of `units`, which holds the model's columns),
    /// the values its variables would have taken under the interventions, by abduction of
    /// each continuous node's additive noise u = x − f(pa), then prediction with the same noise.
    ///
    /// # Errors
    ///
    /// [`CoreError::InvalidParameter`] when a discrete node would have to be recomputed (its
    /// noise is not additive, so the counterfactual is not identified this way); the errors of
    /// [`NeuralScmFit::intervene`]; data errors naming the column.
    pub fn counterfactual(
        &self,
        units: &Dataset,
        interventions: &[(&str, Intervention)],
    ) -> Result<Dataset> {
        let ivs = self.interventions(interventions)?;
        let z = self.encode(units)?;
        let d = self.names.len();
        // Nodes whose value can change: the intervened ones and their descendants.
        let mut affected = vec![false; d];
        for &j in &self.order {
            affected[j] = ivs[j].is_some() || self.parents[j].iter().any(|&p| affected[p]);
        }
        let cf = tch::no_grad(|| -> Result<Tensor> {
            let noise = z.f_sub(&self.net.f_forward(&z)?.f_select(2, 0)?)?;
            let cf = crate::trainer::deep_copy(&z)?;
            for &j in &self.order {
                if !affected[j] {
                    continue;
                }
                let j64 = j as i64;
                let col = match (ivs[j], &self.kinds[j]) {
                    (Some(Intervention::Hard(v)), k) => {
                        let e = k.encode(v, &self.names[j])?;
                        Tensor::f_full([z.size()[0]], e, (Kind::Float, self.device))?
                    }
                    (iv, NodeKind::Continuous { sd, .. }) => {
                        let shift = match iv {
                            Some(Intervention::Shift(s)) => s / sd,
                            _ => 0.0,
                        };
                        self.net
                            .f_forward(&cf)?
                            .f_select(1, j64)?
                            .f_select(1, 0)?
                            .f_add(&noise.f_select(1, j64)?)?
                            .f_add_scalar(shift)?
                    }
                    _ => {
                        return Err(CoreError::InvalidParameter(format!(
                            "the counterfactual of discrete node '{}' is not identified by \
                             additive-noise abduction",
                            self.names[j]
                        ))
                        .into());
                    }
                };
                cf.f_select(1, j64)?.f_copy_(&col)?;
            }
            Ok(cf)
        })?;
        // Unaffected nodes keep their factual values exactly (no f32 round trip).
        let decoded = self.decode(&cf)?;
        let columns = (0..d)
            .map(|j| {
                if affected[j] {
                    Ok(decoded.col(j).to_vec())
                } else {
                    Ok(units.column(&self.names[j])?.to_vec())
                }
            })
            .collect::<Result<Vec<_>>>()?;
        self.table(columns)
    }
}

/// A [`NeuralScmFit`] under interventions; see [`NeuralScmFit::intervene`].
#[derive(Debug)]
pub struct Intervened<'a> {
    scm: &'a NeuralScmFit,
    ivs: Vec<Option<Intervention>>,
}

impl Intervened<'_> {
    /// Draws `n` rows from the interventional distribution (seeded).
    ///
    /// # Errors
    ///
    /// [`TorchError::InvalidParameter`] for `n = 0`; LibTorch errors.
    pub fn sample(&self, n: usize, seed: u64) -> Result<Dataset> {
        let data = self
            .scm
            .decode(&self.scm.sample_encoded(n, &self.ivs, seed)?)?;
        // Hard-set nodes hold exactly the value set (no f32 round trip).
        if !self
            .ivs
            .iter()
            .any(|iv| matches!(iv, Some(Intervention::Hard(_))))
        {
            return Ok(data);
        }
        let columns = self
            .ivs
            .iter()
            .enumerate()
            .map(|(j, iv)| match iv {
                Some(Intervention::Hard(v)) => vec![*v; n],
                _ => data.col(j).to_vec(),
            })
            .collect();
        let discrete: Vec<&str> = data
            .names()
            .iter()
            .zip(data.discrete_flags())
            .filter(|(_, f)| **f)
            .map(|(n, _)| n.as_str())
            .collect();
        let out = Dataset::new(data.names().to_vec(), columns)?;
        Ok(if discrete.is_empty() {
            out
        } else {
            out.with_discrete(&discrete)?
        })
    }

    /// Monte Carlo E[target | do(..)] from `n` draws.
    ///
    /// # Errors
    ///
    /// As [`Intervened::sample`], plus [`CoreError::UnknownNode`] for `target`.
    pub fn mean(&self, target: &str, n: usize, seed: u64) -> Result<f64> {
        let j = self.scm.index(target)?;
        let s = self.sample(n, seed)?;
        let col = s.col(j);
        Ok(col.iter().sum::<f64>() / col.len() as f64)
    }

    /// Monte Carlo quantiles of `target` under the interventions (linear interpolation between
    /// order statistics), one per level in `probs` ⊂ [0, 1].
    ///
    /// # Errors
    ///
    /// As [`Intervened::mean`], plus [`CoreError::InvalidParameter`] for a level outside [0, 1].
    pub fn quantiles(&self, target: &str, probs: &[f64], n: usize, seed: u64) -> Result<Vec<f64>> {
        if let Some(p) = probs.iter().find(|p| !(0.0..=1.0).contains(*p)) {
            return Err(CoreError::InvalidParameter(format!(
                "quantile level {p} is outside [0, 1]"
            ))
            .into());
        }
        let j = self.scm.index(target)?;
        let s = self.sample(n, seed)?;
        let mut col = s.col(j).to_vec();
        col.sort_by(f64::total_cmp);
        Ok(probs
            .iter()
            .map(|p| {
                let h = p * (col.len() - 1) as f64;
                let lo = h.floor() as usize;
                let hi = (lo + 1).min(col.len() - 1);
                col[lo] + (h - lo as f64) * (col[hi] - col[lo])
            })
            .collect())
    }
}
