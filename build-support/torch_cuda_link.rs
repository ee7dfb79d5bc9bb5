// Included (`include!`) by the build script of every crate whose binaries, tests or examples
// may train on CUDA: causal-torch, causal-irm, causal-cf, causal-cli and causal-lab.
//
// torch-sys links `torch_cuda`, but rustc links native libraries with `--as-needed`, and nothing
// references libtorch_cuda.so by symbol (it registers the CUDA backend in static initialisers),
// so the linker drops it and `tch::Cuda::is_available()` is false even with a CUDA LibTorch on a
// GPU machine. Link arguments reach only the package's own binaries, tests and examples, hence
// one call in each such crate's build.rs.

/// Keeps libtorch_cuda.so linked when LIBTORCH holds a CUDA build (Linux), and, when `feature`
/// is given, only if that cargo feature (e.g. "TORCH") is enabled.
fn keep_torch_cuda_linked(feature: Option<&str>) {
    println!("cargo:rerun-if-env-changed=LIBTORCH");
    let linux = std::env::var("CARGO_CFG_TARGET_OS").is_ok_and(|os| os == "linux");
    let cuda = std::env::var_os("LIBTORCH").is_some_and(|d| {
        std::path::Path::new(&d)
            .join("lib")
            .join("libtorch_cuda.so")
            .exists()
    });
    let enabled = feature.is_none_or(|f| std::env::var_os(format!("CARGO_FEATURE_{f}")).is_some());
    if linux && cuda && enabled {
        println!("cargo:rustc-link-arg=-Wl,--no-as-needed");
        println!("cargo:rustc-link-arg=-ltorch_cuda");
    }
}
