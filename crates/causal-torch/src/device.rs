//! Device selection from `CAUSAL_DEVICE`.

use tch::{Cuda, Device};

use crate::error::{Result, TorchError};

/// The environment variable that selects the device.
pub const DEVICE_ENV: &str = "CAUSAL_DEVICE";

/// Parses `cpu`, `cuda` or `cuda:N`, checking that the CUDA device exists.
///
/// # Errors
///
/// [`TorchError::Device`] for an unknown string, or CUDA requested where LibTorch sees none.
pub fn parse_device(spec: &str) -> Result<Device> {
    let spec = spec.trim().to_ascii_lowercase();
    if spec == "cpu" {
        return Ok(Device::Cpu);
    }
    let ordinal = match spec.as_str() {
        "cuda" | "gpu" => 0,
        s => match s.strip_prefix("cuda:").map(str::parse::<usize>) {
            Some(Ok(n)) => n,
            _ => {
                return Err(TorchError::Device(format!(
                    "'{spec}' is not a device; use cpu, cuda or cuda:N"
                )));
            }
        },
    };
    let count = if Cuda::is_available() {
        Cuda::device_count() as usize
    } else {
        0
    };
    if ordinal >= count {
        return Err(TorchError::Device(format!(
            "'{spec}' requested but LibTorch sees {count} CUDA device(s); \
             set {DEVICE_ENV}=cpu or use a CUDA build of LibTorch"
        )));
    }
    Ok(Device::Cuda(ordinal))
}

/// The device named by `CAUSAL_DEVICE`, or CUDA if available, else CPU.
///
/// # Errors
///
/// As [`parse_device`], when `CAUSAL_DEVICE` is set to something unusable.
pub fn default_device() -> Result<Device> {
    match std::env::var(DEVICE_ENV) {
        Ok(spec) if !spec.trim().is_empty() => parse_device(&spec),
        _ => Ok(Device::cuda_if_available()),
    }
}

/// Checks that this binary kept a CUDA LibTorch's backend: `Ok(true)` when
/// `$LIBTORCH/lib/libtorch_cuda.so` exists and is loaded in this process, `Ok(false)` when there
/// is nothing to check (`LIBTORCH` unset, a CPU-only LibTorch, or not Linux).
///
/// Nothing references libtorch_cuda.so by symbol, so a linker running with `--as-needed` drops
/// it unless the crate's build script keeps it (build-support/torch_cuda_link.rs); CUDA is then
/// unavailable even on a GPU machine. Each crate that trains on CUDA tests this.
///
/// # Errors
///
/// [`TorchError::Device`] when a CUDA LibTorch is configured but its backend is not loaded.
pub fn check_cuda_linked() -> Result<bool> {
    let Some(dir) = std::env::var_os("LIBTORCH") else {
        return Ok(false);
    };
    let lib = std::path::Path::new(&dir).join("lib/libtorch_cuda.so");
    let Ok(maps) = std::fs::read_to_string("/proc/self/maps") else {
        return Ok(false);
    };
    if !lib.exists() {
        return Ok(false);
    }
    if maps.contains("libtorch_cuda.so") {
        Ok(true)
    } else {
        Err(TorchError::Device(format!(
            "{} exists but is not loaded: the linker dropped it (--as-needed), so CUDA is \
             unavailable; keep it with build-support/torch_cuda_link.rs in this crate's build.rs",
            lib.display()
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_cpu_and_rejects_nonsense() {
        assert_eq!(parse_device(" CPU ").unwrap(), Device::Cpu);
        let err = parse_device("cuda:x").unwrap_err().to_string();
        assert!(err.contains("cuda:x"), "{err}");
        if !Cuda::is_available() {
            let err = parse_device("cuda:0").unwrap_err().to_string();
            assert!(err.contains("0 CUDA device"), "{err}");
        }
    }
}
