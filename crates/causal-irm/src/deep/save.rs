//! Saving a fitted deep-invariance model to a folder and loading it back for prediction: the
//! weights as safetensors (causal-torch's checkpoint) beside the architecture as JSON.

use causal_core::contract::ParamGuard;
use std::path::Path;

use causal_torch::device::{default_device, parse_device};
use causal_torch::nn::Activation;
use causal_torch::tch::nn::VarStore;
use serde::{Deserialize, Serialize};

use super::model::DeepFit;
use super::net::Net;
use super::params::{DeepParams, Method, Task};
use crate::error::{IrmError, Result};

/// The weights' file in a model folder.
pub const WEIGHTS_FILE: &str = "model.safetensors";
/// The architecture's file in a model folder.
pub const ARCHITECTURE_FILE: &str = "architecture.json";

/// What rebuilding a fitted model's network needs (the weights aside).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Architecture {
    /// The method (DANN adds a head and a domain classifier).
    pub method: Method,
    /// The task.
    pub task: Task,
    /// Hidden widths (empty: a linear model).
    pub hidden: Vec<usize>,
    /// Hidden activation.
    pub activation: Activation,
    /// Dropout after hidden layers (inactive at prediction).
    pub dropout: f64,
    /// Input features.
    pub n_features: usize,
    /// Training environments (DANN's domain classifier has one output per environment).
    pub n_train_envs: usize,
}

impl Architecture {
    /// The architecture a fit with `p` on `n_features` features and `n_train_envs` training
    /// environments builds.
    pub(crate) fn of(p: &DeepParams, n_features: usize, n_train_envs: usize) -> Self {
        Self {
            method: p.method,
            task: p.task,
            hidden: p.hidden.clone(),
            activation: p.activation,
            dropout: p.dropout,
            n_features,
            n_train_envs,
        }
    }
}

impl DeepFit {
    /// The network's architecture.
    pub fn architecture(&self) -> &Architecture {
        &self.architecture
    }

    /// Writes the model to the folder `dir` (created if missing): the weights of the selected
    /// epoch to [`WEIGHTS_FILE`] and the architecture to [`ARCHITECTURE_FILE`]. The curves and
    /// the training history are not saved.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// use causal_core::contract::ParamGuard;
    /// use causal_core::data::{ColumnRoles, Dataset};
    /// use causal_irm::deep::{DeepParams, DeepFit, Method, Task};
    ///
    /// let data = Dataset::new(
    ///     vec!["e".into(), "x".into(), "y".into()],
    ///     vec![
    ///         vec![0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0],
    ///         vec![0.0, 1.0, 2.0, 3.0, 0.0, 1.0, 2.0, 4.0],
    ///         vec![0.0, 0.0, 1.0, 1.0, 0.0, 0.0, 1.0, 1.0],
    ///     ],
    /// )?;
    /// let roles = ColumnRoles::new().environment("e").outcome("y").covariates(["x"]);
    /// let model = DeepParams::new(Method::Erm, Task::Binary)
    ///     .hidden(&[4])
    ///     .epochs(5)
    ///     .check()?
    ///     .fit(&data, &roles, &[])?;
    /// model.save("irm-model")?;
    /// let back = DeepFit::load("irm-model", None)?;
    /// assert_eq!(back.predict(&data, &roles)?, model.predict(&data, &roles)?);
    /// # Ok::<(), causal_irm::IrmError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`IrmError::Torch`] naming the file that could not be written.
    pub fn save(&self, dir: impl AsRef<Path>) -> Result<()> {
        let dir = dir.as_ref();
        let output = |path: &Path, message: String| {
            IrmError::Torch(causal_torch::TorchError::Output {
                path: path.display().to_string(),
                message,
            })
        };
        std::fs::create_dir_all(dir).map_err(|e| output(dir, e.to_string()))?;
        let arch = dir.join(ARCHITECTURE_FILE);
        let text = serde_json::to_string_pretty(&self.architecture)
            .map_err(|e| output(&arch, e.to_string()))?;
        std::fs::write(&arch, text).map_err(|e| output(&arch, e.to_string()))?;
        causal_torch::checkpoint::save(&self.vs, dir.join(WEIGHTS_FILE))?;
        Ok(())
    }

    /// Loads a model written by [`DeepFit::save`] onto `device` (`cpu`, `cuda`,
    /// `cuda:N`; default: `CAUSAL_DEVICE`, else CUDA when available). It predicts as the saved
    /// model did; its curves and history are empty and its selected epoch is 0.
    ///
    /// # Errors
    ///
    /// [`IrmError::InvalidParameter`] naming the architecture file when it is missing or
    /// malformed; [`IrmError::Torch`] for a bad device or a weights file that is missing or does
    /// not fit the architecture (naming the file and the variable).
    pub fn load(dir: impl AsRef<Path>, device: Option<&str>) -> Result<Self> {
        let dir = dir.as_ref();
        let arch_path = dir.join(ARCHITECTURE_FILE);
        let bad = |m: String| IrmError::InvalidParameter(format!("{}: {m}", arch_path.display()));
        let text = std::fs::read_to_string(&arch_path).map_err(|e| bad(e.to_string()))?;
        let architecture: Architecture =
            serde_json::from_str(&text).map_err(|e| bad(e.to_string()))?;
        let params = DeepParams::new(architecture.method, architecture.task)
            .hidden(&architecture.hidden)
            .activation(architecture.activation)
            .dropout(architecture.dropout)
            .check()
            .map_err(|e| bad(e.to_string()))?;
        if architecture.n_features == 0 || architecture.n_train_envs == 0 {
            return Err(bad("n_features and n_train_envs must be at least 1".into()));
        }
        let device = match device {
            Some(spec) => parse_device(spec)?,
            None => default_device()?,
        };
        let mut vs = VarStore::new(device);
        let net = Net::build(
            &vs.root(),
            &params.0,
            architecture.n_features,
            architecture.n_train_envs,
        )?;
        causal_torch::checkpoint::load(&mut vs, dir.join(WEIGHTS_FILE))?;
        Ok(Self {
            vs,
            net,
            device,
            n_features: architecture.n_features,
            method: architecture.method,
            architecture,
            history: Default::default(),
            curves: Vec::new(),
            selected_epoch: 0,
            oracle_epoch: None,
        })
    }
}
