//! Criterion benchmark of IDA on learned graphs: every effect of one treatment on a d = 100
//! CPDAG that PC learned from n = 10 000 rows (local and optimal IDA), and the bootstrap of the
//! whole pipeline (PC + optimal IDA, B = 200) at d = 20, n = 2000.
#![allow(missing_docs)]

use causal_core::contract::Fit;
use causal_core::ida::bootstrap::{PipelineSpec, pipeline_bootstrap};
use causal_core::ida::{Ida, IdaMethod};
use causal_core::sim::{Noise, random_dag_weights, simulate};
use causal_discover::knowledge::Knowledge;
use causal_discover::pc::PcParams;
use criterion::{Criterion, criterion_group, criterion_main};

fn bench_ida(c: &mut Criterion) {
    let mut group = c.benchmark_group("ida");
    group.sample_size(10);
    let w = random_dag_weights(100, 100, 0.5, 1.5, 5).unwrap();
    let data = simulate(&w, 10_000, Noise::Gaussian, 6).unwrap();
    let g = PcParams::new().fit(&data, &Knowledge::new()).unwrap().graph;
    let treatment = (0..g.n_nodes())
        .max_by_key(|&v| g.neighbors(v).len())
        .map(|v| g.name(v).to_owned())
        .unwrap();
    for method in [IdaMethod::Local, IdaMethod::Optimal] {
        group.bench_function(format!("d100_all_effects_{method:?}"), |b| {
            b.iter(|| {
                Ida::new(&data, &g)
                    .unwrap()
                    .effects_on_all(&treatment, method)
                    .unwrap()
            })
        });
    }
    let w20 = random_dag_weights(20, 25, 0.5, 1.5, 8).unwrap();
    let d20 = simulate(&w20, 2_000, Noise::Gaussian, 9).unwrap();
    let spec = PipelineSpec {
        treatment: d20.names()[0].clone(),
        outcome: d20.names()[19].clone(),
        method: IdaMethod::Optimal,
        replicates: 200,
        seed: 1,
        level: 0.95,
    };
    group.bench_function("pc_ida_bootstrap_b200_d20_n2000", |b| {
        b.iter(|| {
            pipeline_bootstrap(&d20, &spec, |d| {
                PcParams::new().fit(d, &Knowledge::new()).map(|f| f.graph)
            })
            .unwrap()
        })
    });
    group.finish();
}

criterion_group!(benches, bench_ida);
criterion_main!(benches);
