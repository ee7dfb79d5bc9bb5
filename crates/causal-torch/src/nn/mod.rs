//! Network builders: the MLP used by causal-irm and causal-cf, and the masked (locally
//! connected) layers behind graph-constrained networks.

mod activation;
mod layers;
mod masked;
mod mlp;

pub use activation::Activation;
pub use layers::{BatchNorm, Linear};
pub use masked::{LocallyConnected, MaskedMlp};
pub use mlp::{Mlp, MlpParams};
