//! Keeps LibTorch's CUDA library linked into this crate's binaries, so that
//! `CAUSAL_DEVICE=cuda` works with a CUDA LibTorch: rustc links with `--as-needed`, which drops
//! libtorch_cuda.so (nothing references it by symbol). See crates/causal-torch/build.rs.

fn main() {
    println!("cargo:rerun-if-env-changed=LIBTORCH");
    let linux = std::env::var("CARGO_CFG_TARGET_OS").is_ok_and(|os| os == "linux");
    let cuda = std::env::var_os("LIBTORCH").is_some_and(|d| {
        std::path::Path::new(&d)
            .join("lib")
            .join("libtorch_cuda.so")
            .exists()
    });
    // Without the `torch` feature the CLI does not use LibTorch at all.
    let torch = std::env::var_os("CARGO_FEATURE_TORCH").is_some();
    if linux && cuda && torch {
        println!("cargo:rustc-link-arg=-Wl,--no-as-needed");
        println!("cargo:rustc-link-arg=-ltorch_cuda");
    }
}
