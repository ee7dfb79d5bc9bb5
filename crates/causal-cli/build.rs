//! Links LibTorch (rpath, CUDA kept linked) into the companion binary `causal-neural` only, so
//! the `causal` front end starts without it: see build-support/torch_cuda_link.rs.

include!("../../build-support/torch_cuda_link.rs");

fn main() {
    link_torch_into_bin(Some("TORCH"), "causal-neural");
}
