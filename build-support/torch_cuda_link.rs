// Included (`include!`) by the build script of every crate whose binaries, tests or examples
// link LibTorch: causal-torch, causal-irm, causal-cf, causal-cli and causal-lab.
//
// Two link arguments, because link arguments reach only the package's own binaries, tests and
// examples (hence one call in each such crate's build.rs):
// - an rpath to LibTorch's lib/ folder, so what the workspace builds runs without
//   LD_LIBRARY_PATH (and `cargo install` gives a binary that starts). LIBTORCH is resolved
//   through symlinks first (.cargo/config.toml points it at `.libtorch`, a link that
//   `cargo xtask libtorch` makes), so the binary keeps working if the link moves;
// - libtorch_cuda.so, kept linked: torch-sys links `torch_cuda`, but rustc links native
//   libraries with `--as-needed`, and nothing references libtorch_cuda.so by symbol (it
//   registers the CUDA backend in static initialisers), so the linker drops it and
//   `tch::Cuda::is_available()` is false even with a CUDA LibTorch on a GPU machine.

/// LibTorch's lib/ folder from LIBTORCH, symlinks resolved; `None` when LIBTORCH is unset or
/// missing (torch-sys then reports it, or found LibTorch in a system location).
#[allow(dead_code)] // Each build script uses one of the two entry points below.
fn libtorch_lib_dir() -> Option<std::path::PathBuf> {
    println!("cargo:rerun-if-env-changed=LIBTORCH");
    let dir = std::path::PathBuf::from(std::env::var_os("LIBTORCH")?).join("lib");
    dir.canonicalize().ok()
}

/// The rpath and CUDA link arguments for every binary, test and example of the package, when
/// `feature` (e.g. "TORCH") is enabled or `None`.
#[allow(dead_code)] // Each build script uses one of the two entry points.
fn keep_torch_cuda_linked(feature: Option<&str>) {
    for arg in torch_link_args(feature) {
        println!("cargo:rustc-link-arg={arg}");
    }
}

/// For causal-cli: the CUDA arguments for the one binary `bin` (the companion) only, since the
/// `causal` front end must not load LibTorch; the rpath for every binary (harmless where
/// nothing needs LibTorch, and it lets a dev build of the front end start, where shared
/// generic code can drag LibTorch in). Also bakes the lib/ folder into the package as
/// `CAUSAL_LIBTORCH_LIB`, so the front end can say where it looked when LibTorch has gone.
#[allow(dead_code)] // Each build script uses one of the two entry points.
fn link_torch_into_bin(feature: Option<&str>, bin: &str) {
    let args = torch_link_args(feature);
    for arg in &args {
        if arg.starts_with("-Wl,-rpath,") {
            println!("cargo:rustc-link-arg-bins={arg}");
        } else {
            println!("cargo:rustc-link-arg-bin={bin}={arg}");
        }
    }
    if !args.is_empty()
        && let Some(lib) = libtorch_lib_dir()
    {
        println!("cargo:rustc-env=CAUSAL_LIBTORCH_LIB={}", lib.display());
    }
}

/// The link arguments (empty when `feature` is off or LIBTORCH is unset).
#[allow(dead_code)]
fn torch_link_args(feature: Option<&str>) -> Vec<String> {
    let enabled = feature.is_none_or(|f| std::env::var_os(format!("CARGO_FEATURE_{f}")).is_some());
    let unix = std::env::var("CARGO_CFG_TARGET_FAMILY").is_ok_and(|f| f == "unix");
    let linux = std::env::var("CARGO_CFG_TARGET_OS").is_ok_and(|os| os == "linux");
    let mut args = Vec::new();
    let Some(lib) = libtorch_lib_dir().filter(|_| enabled && unix) else {
        return args;
    };
    args.push(format!("-Wl,-rpath,{}", lib.display()));
    if linux && lib.join("libtorch_cuda.so").exists() {
        args.push("-Wl,--no-as-needed".into());
        args.push("-ltorch_cuda".into());
    }
    args
}
