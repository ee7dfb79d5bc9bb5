//! Keeps LibTorch's CUDA library in this crate's test binaries.
//!
//! torch-sys links `torch_cuda`, but rustc links native libraries with `--as-needed` and nothing
//! references libtorch_cuda.so by symbol (it registers the CUDA backend in static initialisers),
//! so the linker drops it and `tch::Cuda::is_available()` is false even with a CUDA LibTorch on a
//! GPU machine. Link arguments only reach the package's own binaries, tests and examples, so
//! every binary crate that trains on CUDA carries the same few lines (causal-cli, causal-lab;
//! see the README's GPU section).

fn main() {
    println!("cargo:rerun-if-env-changed=LIBTORCH");
    let linux = std::env::var("CARGO_CFG_TARGET_OS").is_ok_and(|os| os == "linux");
    let cuda = std::env::var_os("LIBTORCH").is_some_and(|d| {
        std::path::Path::new(&d)
            .join("lib")
            .join("libtorch_cuda.so")
            .exists()
    });
    if linux && cuda {
        println!("cargo:rustc-link-arg=-Wl,--no-as-needed");
        println!("cargo:rustc-link-arg=-ltorch_cuda");
    }
}
