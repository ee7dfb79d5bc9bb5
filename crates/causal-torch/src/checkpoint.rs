//! Saving and loading model weights (every variable of a `VarStore`, buffers included).

use std::path::Path;

use std::collections::HashMap;

use tch::nn::VarStore;
use tch::{Device, Tensor};

use crate::error::{Result, TorchError};

/// Writes every variable of `vs` (trainable or not, e.g. batch-norm statistics) to `path` in
/// the safetensors format, whatever the extension (tch's own `VarStore::save` picks a format
/// from the extension that its `load` then cannot read back for `.pt`).
///
/// # Examples
///
/// ```
/// use causal_torch::{checkpoint, nn::MlpParams};
/// use tch::{Device, Kind, Tensor, nn::VarStore};
///
/// let vs = VarStore::new(Device::Cpu);
/// let net = MlpParams::new(2, &[8], 1).build(vs.root())?;
/// let path = std::env::temp_dir().join(format!("ckpt-doc-{}.pt", std::process::id()));
/// checkpoint::save(&vs, &path)?;
///
/// let mut vs2 = VarStore::new(Device::Cpu);
/// let net2 = MlpParams::new(2, &[8], 1).build(vs2.root())?;
/// checkpoint::load(&mut vs2, &path)?;
/// let x = Tensor::randn([4, 2], (Kind::Float, Device::Cpu));
/// assert!(net.forward_t(&x, false).equal(&net2.forward_t(&x, false)));
/// # std::fs::remove_file(&path).ok();
/// # Ok::<(), causal_torch::TorchError>(())
/// ```
///
/// # Errors
///
/// [`TorchError::Checkpoint`] naming the path.
pub fn save(vs: &VarStore, path: impl AsRef<Path>) -> Result<()> {
    let path = path.as_ref();
    let mut named: Vec<(String, Tensor)> = vs.variables().into_iter().collect();
    named.sort_by(|a, b| a.0.cmp(&b.0));
    let named: Vec<(String, Tensor)> = named
        .into_iter()
        .map(|(n, t)| Ok((n, t.f_to_device(Device::Cpu)?)))
        .collect::<std::result::Result<_, tch::TchError>>()
        .map_err(|source| err(path, source))?;
    Tensor::write_safetensors(&named, path).map_err(|source| err(path, source))
}

/// Loads the variables saved by [`save`] into `vs`, which must hold variables of the same
/// names and shapes (build the same network first); values move to `vs`'s device.
///
/// # Errors
///
/// [`TorchError::Checkpoint`] naming the path: a missing or corrupt file, or a variable of
/// `vs` that the file lacks or holds with another shape (named in the message).
pub fn load(vs: &mut VarStore, path: impl AsRef<Path>) -> Result<()> {
    let path = path.as_ref();
    let saved: HashMap<String, Tensor> = Tensor::read_safetensors(path)
        .map_err(|source| err(path, source))?
        .into_iter()
        .collect();
    let mut vars: Vec<(String, Tensor)> = vs.variables().into_iter().collect();
    vars.sort_by(|a, b| a.0.cmp(&b.0));
    let mismatch = |m: String| err(path, tch::TchError::Shape(m));
    for (name, var) in &vars {
        let src = saved
            .get(name)
            .ok_or_else(|| mismatch(format!("variable '{name}' is not in the checkpoint")))?;
        if src.size() != var.size() {
            return Err(mismatch(format!(
                "variable '{name}' has shape {:?} in the checkpoint but {:?} in the model",
                src.size(),
                var.size()
            )));
        }
    }
    tch::no_grad(|| {
        for (name, var) in &vars {
            if let Some(src) = saved.get(name) {
                let src = src
                    .f_to_kind(var.kind())
                    .and_then(|s| s.f_to_device(var.device()))
                    .map_err(|source| err(path, source))?;
                var.shallow_clone()
                    .f_copy_(&src)
                    .map_err(|source| err(path, source))?;
            }
        }
        Ok(())
    })
}

fn err(path: &Path, source: tch::TchError) -> TorchError {
    TorchError::Checkpoint {
        path: path.display().to_string(),
        source,
    }
}
