//! This crate's build.rs keeps a CUDA LibTorch's backend linked into its binaries.

#[test]
fn the_cuda_backend_is_linked_when_libtorch_has_one() {
    let checked = causal_torch::device::check_cuda_linked().unwrap();
    eprintln!("CUDA backend link checked: {checked}");
}
