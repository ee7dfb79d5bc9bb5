//! Keeps LibTorch's CUDA library linked: see build-support/torch_cuda_link.rs.

include!("../../build-support/torch_cuda_link.rs");

fn main() {
    keep_torch_cuda_linked(None);
}
