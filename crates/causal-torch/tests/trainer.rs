//! The trainer's contract: divergence is a clear error, seeded runs are bit-for-bit
//! reproducible, early stopping restores the best weights, checkpoints reload identically.

use causal_core::contract::ParamGuard;
use causal_torch::nn::{Activation, Mlp, MlpParams};
use causal_torch::seed::manual_seed;
use causal_torch::tch::{Device, Kind, Reduction, Tensor, nn::VarStore};
use causal_torch::trainer::{History, LrSchedule, Objective, Optimizer, TrainerParams};
use causal_torch::{Result, TorchError, checkpoint};

/// LibTorch's generator is process-global: tests that draw from it run one at a time, or a
/// concurrent test's dropout draws would interleave with ours.
static GLOBAL_RNG: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    GLOBAL_RNG.lock().unwrap_or_else(|p| p.into_inner())
}

/// Regression of y on x with an optional weight-norm term and an optional validation split.
struct Regression<'a> {
    net: &'a Mlp,
    x: Tensor,
    y: Tensor,
    val: Option<(Tensor, Tensor)>,
    l2: f64,
}

impl Objective for Regression<'_> {
    fn train_loss(&mut self, batch: &Tensor, _epoch: usize) -> Result<Vec<(String, Tensor)>> {
        let pred = self
            .net
            .f_forward_t(&self.x.f_index_select(0, batch)?, true)?;
        let mse = pred.f_mse_loss(&self.y.f_index_select(0, batch)?, Reduction::Mean)?;
        let mut terms = vec![("mse".to_string(), mse)];
        if self.l2 > 0.0 {
            let w = self.net.first_layer_weight();
            terms.push(("l2".into(), w.f_square()?.f_sum(Kind::Float)? * self.l2));
        }
        Ok(terms)
    }

    fn validation_loss(&mut self, _epoch: usize) -> Result<Option<f64>> {
        match &self.val {
            None => Ok(None),
            Some((x, y)) => {
                let pred = self.net.f_forward_t(x, false)?;
                Ok(Some(
                    pred.f_mse_loss(y, Reduction::Mean)?.f_double_value(&[])?,
                ))
            }
        }
    }
}

fn sine_data(n: i64, seed: u64) -> (Tensor, Tensor) {
    manual_seed(seed);
    let x = Tensor::rand([n, 3], (Kind::Float, Device::Cpu)) * 4.0 - 2.0;
    let y = (x.narrow(1, 0, 1).sin() + x.narrow(1, 1, 1) * 0.5)
        + Tensor::randn([n, 1], (Kind::Float, Device::Cpu)) * 0.1;
    (x, y)
}

fn train(
    params: TrainerParams,
    dropout: f64,
    x: &Tensor,
    y: &Tensor,
) -> Result<(History, Vec<f32>)> {
    manual_seed(11);
    let mut vs = VarStore::new(Device::Cpu);
    let net = MlpParams::new(3, &[32, 32], 1)
        .activation(Activation::Tanh)
        .dropout(dropout)
        .build(vs.root())?;
    let trainer = params.device(Device::Cpu).quiet(true).check()?;
    let mut obj = Regression {
        net: &net,
        x: x.shallow_clone(),
        y: y.shallow_clone(),
        val: None,
        l2: 1e-4,
    };
    let h = trainer.fit(&mut vs, &mut obj, x.size()[0] as usize)?;
    let out = net.f_forward_t(x, false)?.f_view([-1])?;
    Ok((h, Vec::<f32>::try_from(&out)?))
}

#[test]
fn seeded_runs_are_bit_for_bit_identical() {
    // Small models: one intra-op thread avoids OpenMP contention on busy machines.
    causal_torch::tch::set_num_threads(1);
    let _serial = serial();
    let (x, y) = sine_data(300, 1);
    let p = TrainerParams::new()
        .learning_rate(1e-2)
        .epochs(15)
        .batch_size(32)
        .seed(5);
    let (h1, a) = train(p.clone(), 0.2, &x, &y).unwrap();
    let (h2, b) = train(p.clone(), 0.2, &x, &y).unwrap();
    assert_eq!(h1, h2);
    assert!(a.iter().zip(&b).all(|(u, v)| u.to_bits() == v.to_bits()));
    let (h3, _) = train(p.seed(6), 0.2, &x, &y).unwrap();
    assert_ne!(
        h1.train, h3.train,
        "another seed should shuffle differently"
    );
    // The loss went down and each term was recorded.
    assert!(h1.train[14] < 0.5 * h1.train[0], "{:?}", h1.train);
    assert_eq!(h1.terms.len(), 2);
    assert_eq!(h1.terms[1].name, "l2");
}

#[test]
fn every_optimizer_and_schedule_learns() {
    // Small models: one intra-op thread avoids OpenMP contention on busy machines.
    causal_torch::tch::set_num_threads(1);
    let _serial = serial();
    let (x, y) = sine_data(256, 2);
    for (opt, sched) in [
        (Optimizer::Adam, LrSchedule::Constant),
        (Optimizer::AdamW, LrSchedule::Cosine { min_lr: 1e-4 }),
        (
            Optimizer::Sgd { momentum: 0.9 },
            LrSchedule::Step {
                every: 5,
                gamma: 0.5,
            },
        ),
    ] {
        let lr = if matches!(opt, Optimizer::Sgd { .. }) {
            0.05
        } else {
            1e-2
        };
        let p = TrainerParams::new()
            .optimizer(opt)
            .schedule(sched)
            .learning_rate(lr)
            .weight_decay(1e-4)
            .grad_clip(Some(1.0))
            .epochs(20)
            .batch_size(32);
        let (h, _) = train(p, 0.0, &x, &y).unwrap();
        assert!(
            h.train[19] < 0.5 * h.train[0],
            "{opt:?}/{sched:?}: {:?}",
            h.train
        );
        assert_eq!(h.learning_rate[0], lr);
        if !matches!(sched, LrSchedule::Constant) {
            assert!(h.learning_rate[19] < lr);
        }
    }
}

#[test]
fn nan_input_names_the_term_and_epoch() {
    // Small models: one intra-op thread avoids OpenMP contention on busy machines.
    causal_torch::tch::set_num_threads(1);
    let _serial = serial();
    let (x, y) = sine_data(64, 3);
    let _ = x.narrow(0, 10, 1).fill_(f64::NAN);
    let p = TrainerParams::new().epochs(3).batch_size(64);
    let err = train(p, 0.0, &x, &y).unwrap_err();
    match &err {
        TorchError::Diverged { term, epoch, value } => {
            assert_eq!(term, "mse");
            assert_eq!(*epoch, 0);
            assert!(value.is_nan());
        }
        other => panic!("expected Diverged, got {other}"),
    }
    let msg = err.to_string();
    assert!(msg.contains("'mse'") && msg.contains("epoch 0"), "{msg}");
}

#[test]
fn diverging_learning_rate_is_an_error() {
    // Small models: one intra-op thread avoids OpenMP contention on busy machines.
    causal_torch::tch::set_num_threads(1);
    let _serial = serial();
    let (x, y) = sine_data(128, 4);
    let p = TrainerParams::new()
        .optimizer(Optimizer::Sgd { momentum: 0.0 })
        .learning_rate(1e6)
        .epochs(50)
        .batch_size(16);
    let err = train(p, 0.0, &x, &y).unwrap_err();
    assert!(
        matches!(err, TorchError::Diverged { .. }),
        "expected Diverged, got {err}"
    );
}

/// A 2×128 MLP, a tiny noisy training set (x, y: 40 rows) and 400 clean validation rows
/// (xv, yv): the validation loss turns up early, so early stopping has a best epoch to restore.
fn overfitting_problem() -> (VarStore, Mlp, [Tensor; 4]) {
    let (x, y) = sine_data(40, 5);
    let (xv, yv) = sine_data(400, 6);
    manual_seed(3);
    let vs = VarStore::new(Device::Cpu);
    let net = MlpParams::new(3, &[128, 128], 1).build(vs.root()).unwrap();
    let y_noisy = &y + Tensor::randn([40, 1], (Kind::Float, Device::Cpu)) * 0.8;
    (vs, net, [x, y_noisy, xv, yv])
}

/// The best epoch has the lowest validation loss, and the restored weights reproduce it
/// exactly (`now`: the validation loss recomputed after fitting).
fn assert_best_restored(h: &History, now: f64) {
    let best = h.validation[h.best_epoch].unwrap();
    assert!(h.validation.iter().flatten().all(|v| *v >= best));
    assert_eq!(now.to_bits(), best.to_bits(), "{now} vs {best}");
}

#[test]
fn early_stopping_restores_the_best_epoch() {
    // Small models: one intra-op thread avoids OpenMP contention on busy machines.
    causal_torch::tch::set_num_threads(1);
    let _serial = serial();
    let (mut vs, net, [x, y, xv, yv]) = overfitting_problem();
    let mut obj = Regression {
        net: &net,
        x,
        y,
        val: Some((xv, yv)),
        l2: 0.0,
    };
    let trainer = TrainerParams::new()
        .learning_rate(1e-2)
        .epochs(400)
        .batch_size(8)
        .patience(Some(10))
        .device(Device::Cpu)
        .quiet(true)
        .check()
        .unwrap();
    let h = trainer.fit(&mut vs, &mut obj, 40).unwrap();
    assert!(h.stopped_early, "never stopped: {:?}", h.validation);
    assert_eq!(h.epochs(), h.best_epoch + 11);
    assert_best_restored(&h, obj.validation_loss(0).unwrap().unwrap());
}

/// Validates every third epoch only.
struct EveryThird<'a>(Regression<'a>);

impl Objective for EveryThird<'_> {
    fn train_loss(&mut self, batch: &Tensor, epoch: usize) -> Result<Vec<(String, Tensor)>> {
        self.0.train_loss(batch, epoch)
    }
    fn validation_loss(&mut self, epoch: usize) -> Result<Option<f64>> {
        if epoch.is_multiple_of(3) {
            self.0.validation_loss(epoch)
        } else {
            Ok(None)
        }
    }
}

#[test]
fn epochs_without_validation_keep_the_validated_best() {
    causal_torch::tch::set_num_threads(1);
    let _serial = serial();
    let (mut vs, net, [x, y, xv, yv]) = overfitting_problem();
    let mut obj = EveryThird(Regression {
        net: &net,
        x,
        y,
        val: Some((xv, yv)),
        l2: 0.0,
    });
    let trainer = TrainerParams::new()
        .learning_rate(1e-2)
        .epochs(100)
        .batch_size(8)
        .patience(Some(5))
        .device(Device::Cpu)
        .quiet(true)
        .check()
        .unwrap();
    let h = trainer.fit(&mut vs, &mut obj, 40).unwrap();
    // Overfitting sets in: training stops 5 validated epochs (15 epochs) after the best one,
    // which is a validated epoch, not the last epoch run.
    assert!(h.stopped_early, "never stopped: {:?}", h.validation);
    assert!(h.best_epoch.is_multiple_of(3));
    assert_eq!(h.epochs(), h.best_epoch + 16);
    assert_best_restored(&h, obj.0.validation_loss(0).unwrap().unwrap());
}

#[test]
fn checkpoint_round_trip_gives_identical_predictions() {
    // Small models: one intra-op thread avoids OpenMP contention on busy machines.
    causal_torch::tch::set_num_threads(1);
    let _serial = serial();
    let (x, y) = sine_data(128, 7);
    manual_seed(8);
    let mut vs = VarStore::new(Device::Cpu);
    let params = MlpParams::new(3, &[16, 16], 1).batch_norm(true);
    let net = params.build(vs.root() / "net").unwrap();
    let trainer = TrainerParams::new()
        .epochs(3)
        .batch_size(32)
        .device(Device::Cpu)
        .quiet(true)
        .check()
        .unwrap();
    let mut obj = Regression {
        net: &net,
        x: x.shallow_clone(),
        y,
        val: None,
        l2: 0.0,
    };
    trainer.fit(&mut vs, &mut obj, 128).unwrap();
    let path = std::env::temp_dir().join(format!("causal-torch-ckpt-{}.pt", std::process::id()));
    checkpoint::save(&vs, &path).unwrap();

    manual_seed(99);
    let mut vs2 = VarStore::new(Device::Cpu);
    let net2 = params.build(vs2.root() / "net").unwrap();
    let before = net2.forward_t(&x, false);
    assert!(!before.equal(&net.forward_t(&x, false)));
    checkpoint::load(&mut vs2, &path).unwrap();
    // Batch-norm running statistics travel too, so eval-mode predictions agree exactly.
    assert!(net2.forward_t(&x, false).equal(&net.forward_t(&x, false)));

    let mut vs3 = VarStore::new(Device::Cpu);
    let _other = MlpParams::new(3, &[8], 1)
        .build(vs3.root() / "net")
        .unwrap();
    let err = checkpoint::load(&mut vs3, &path).unwrap_err().to_string();
    assert!(err.contains(&path.display().to_string()), "{err}");
    std::fs::remove_file(&path).ok();
    let err = checkpoint::load(&mut vs2, "/nonexistent/ckpt.pt")
        .unwrap_err()
        .to_string();
    assert!(err.contains("/nonexistent/ckpt.pt"), "{err}");
}

#[test]
fn bad_calls_are_errors_not_panics() {
    // Small models: one intra-op thread avoids OpenMP contention on busy machines.
    causal_torch::tch::set_num_threads(1);
    let _serial = serial();
    let trainer = TrainerParams::new()
        .device(Device::Cpu)
        .quiet(true)
        .check()
        .unwrap();
    let mut vs = VarStore::new(Device::Cpu);
    let net = MlpParams::new(3, &[4], 1).build(vs.root()).unwrap();
    let (x, y) = sine_data(10, 9);
    let mut obj = Regression {
        net: &net,
        x,
        y,
        val: None,
        l2: 0.0,
    };
    assert!(matches!(
        trainer.fit(&mut vs, &mut obj, 0),
        Err(TorchError::InvalidParameter(_))
    ));
    // Row indices beyond the data are LibTorch errors, not crashes.
    assert!(matches!(
        trainer.fit(&mut vs, &mut obj, 20),
        Err(TorchError::Tch(_))
    ));
    let mut empty = VarStore::new(Device::Cpu);
    let err = trainer.fit(&mut empty, &mut obj, 10).unwrap_err();
    assert!(err.to_string().contains("no trainable"), "{err}");
}

#[test]
fn frozen_variables_stay_as_they_are() {
    causal_torch::tch::set_num_threads(1);
    let _serial = serial();
    manual_seed(2);
    let mut vs = VarStore::new(Device::Cpu);
    let net = MlpParams::new(3, &[8], 1).build(vs.root()).unwrap();
    let values = |t: &Tensor| Vec::<f32>::try_from(&t.flatten(0, -1)).unwrap();
    let (first, last) = (&net.layers()[0].weight, &net.layers()[1].weight);
    let (first0, last0) = (values(first), values(last));
    let _ = first.shallow_clone().set_requires_grad(false);
    let (x, y) = sine_data(64, 4);
    let mut obj = Regression {
        net: &net,
        x,
        y,
        val: None,
        l2: 0.0,
    };
    let trainer = TrainerParams::new()
        .learning_rate(0.01)
        .epochs(20)
        .batch_size(16)
        .device(Device::Cpu)
        .quiet(true)
        .check()
        .unwrap();
    trainer.fit(&mut vs, &mut obj, 64).unwrap();
    assert_eq!(values(first), first0, "a frozen weight moved");
    assert_ne!(values(last), last0, "the trainable weights did not move");
    vs.freeze();
    let err = trainer.fit(&mut vs, &mut obj, 64).unwrap_err();
    assert!(err.to_string().contains("frozen"), "{err}");
}
