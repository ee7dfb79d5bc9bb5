//! The one entry point: `discover` gives the graph each method's own fit gives (with and
//! without knowledge), method names parse (an unknown one is named in the error), unchecked
//! parameters fit through the contract's blanket impl, and a bad setting is an
//! `InvalidParameter` whichever way the method is called.

use causal_core::contract::{Fit, ParamGuard};
use causal_core::data::Dataset;
use causal_core::sim::{Noise, random_dag_weights, simulate};
use causal_discover::DiscoverError;
use causal_discover::fci::FciParams;
use causal_discover::ges::{EdgeRules, GesParams};
use causal_discover::knowledge::Knowledge;
use causal_discover::learner::{
    DiscoverOptions, GraphLearner, Method, WithoutTorch, discover, discover_via,
};
use causal_discover::lingam::DirectLingamParams;
use causal_discover::notears::NotearsParams;
use causal_discover::pc::PcParams;

/// Six variables, seeded, uniform noise (so LiNGAM orients).
fn data() -> Dataset {
    let w = random_dag_weights(6, 7, 0.6, 1.5, 21).unwrap();
    simulate(&w, 600, Noise::Uniform, 22).unwrap()
}

/// The first two columns before the other four.
fn tiers(d: &Dataset) -> Knowledge {
    let names = d.names();
    Knowledge::new()
        .tier(0, names[..2].iter().cloned())
        .tier(1, names[2..].iter().cloned())
}

#[test]
fn discover_equals_each_methods_own_fit() {
    let d = data();
    let opts = DiscoverOptions::default();
    for k in [Knowledge::new(), tiers(&d)] {
        let rules = EdgeRules::from_knowledge(&k, d.names()).unwrap();
        let run = |m: Method| {
            let found = discover(m, &d, &k, &opts).unwrap();
            assert_eq!(found.method, m);
            found
        };
        let pc = PcParams::new().fit(&d, &k).unwrap();
        let found = run(Method::Pc);
        assert_eq!(found.graph, pc.graph);
        assert_eq!(found.n_tests, Some(pc.n_tests));

        let fci = FciParams::new().fit(&d, &k).unwrap();
        assert_eq!(run(Method::Fci).graph, fci.graph);

        // GES, LiNGAM and NOTEARS: the same as the index form of the knowledge.
        let ges = GesParams::new().check().unwrap();
        let by_rules = ges.fit_rules(&d, &rules).unwrap();
        let found = run(Method::Ges);
        assert_eq!(&found.graph, by_rules.graph());
        assert_eq!(found.score, Some(by_rules.score()));
        assert_eq!(ges.fit(&d, &k).unwrap().graph(), by_rules.graph());

        let lingam = DirectLingamParams::new().check().unwrap();
        let by_rules = lingam.fit_rules(&d, &rules).unwrap();
        let found = run(Method::Lingam);
        assert_eq!(&found.graph, by_rules.graph());
        assert_eq!(found.weights, Some(by_rules.adjacency().transpose()));

        let notears = NotearsParams::new().check().unwrap();
        let by_rules = notears.fit_rules(&d, &rules).unwrap();
        let found = run(Method::Notears);
        assert_eq!(&found.graph, by_rules.graph());
        assert_eq!(found.weights.as_ref(), Some(by_rules.weights()));
    }
}

#[test]
fn options_reach_the_methods() {
    let d = data();
    let k = Knowledge::new();
    let opts = DiscoverOptions {
        alpha: 0.2,
        max_depth: Some(0),
        ..DiscoverOptions::default()
    };
    let pc = PcParams::new().alpha(0.2).max_depth(Some(0));
    let found = discover(Method::Pc, &d, &k, &opts).unwrap();
    assert_eq!(found.graph, pc.fit(&d, &k).unwrap().graph);
    // A depth-0 search at a loose level keeps more edges than the default one.
    let default = discover(Method::Pc, &d, &k, &DiscoverOptions::default()).unwrap();
    assert!(found.graph.n_edges() > default.graph.n_edges());

    let opts = DiscoverOptions {
        lambda1: Some(0.0),
        threshold: Some(0.05),
        max_iter: Some(3),
        ..DiscoverOptions::default()
    };
    let notears = NotearsParams::new()
        .lambda1(0.0)
        .threshold(0.05)
        .max_iter(3);
    let found = discover(Method::Notears, &d, &k, &opts).unwrap();
    assert_eq!(found.graph, notears.fit(&d, &k).unwrap().into_graph());
}

#[test]
fn method_names_parse_and_an_unknown_one_is_named() {
    for m in Method::ALL {
        assert_eq!(m.name().parse::<Method>().unwrap(), m);
        assert_eq!(m.to_string().to_uppercase().parse::<Method>().unwrap(), m);
    }
    assert_eq!("direct_lingam".parse::<Method>().unwrap(), Method::Lingam);
    assert_eq!("notears_mlp".parse::<Method>().unwrap(), Method::NotearsMlp);
    let err = "bogus-search".parse::<Method>().unwrap_err();
    assert!(matches!(err, DiscoverError::UnknownMethod(ref n) if n == "bogus-search"));
    let msg = err.to_string();
    assert!(
        msg.contains("'bogus-search'") && msg.contains("notears-mlp"),
        "{msg}"
    );
}

#[test]
fn unchecked_params_fit_through_the_blanket_impl() {
    let d = data();
    let k = tiers(&d);
    let checked = PcParams::new().alpha(0.01).check().unwrap();
    let unchecked = PcParams::new().alpha(0.01);
    assert_eq!(
        unchecked.fit(&d, &k).unwrap().graph,
        checked.fit(&d, &k).unwrap().graph
    );
    let g = GesParams::new().fit(&d, &k).unwrap();
    let via_learner = GesParams::new().check().unwrap().learn(&d, &k).unwrap();
    assert_eq!(g.graph(), &via_learner.graph);
}

#[test]
fn a_bad_alpha_is_an_invalid_parameter_every_way() {
    let d = data();
    let k = Knowledge::new();
    for alpha in [0.0, 1.0, -0.5, f64::NAN] {
        let direct = PcParams::new().alpha(alpha).fit(&d, &k).unwrap_err();
        assert!(
            matches!(direct, DiscoverError::InvalidParameter(_)),
            "{direct}"
        );
        assert!(direct.to_string().contains("alpha"), "{direct}");
        let err = FciParams::new().alpha(alpha).fit(&d, &k).unwrap_err();
        assert!(matches!(err, DiscoverError::InvalidParameter(_)), "{err}");
        let opts = DiscoverOptions {
            alpha,
            ..DiscoverOptions::default()
        };
        for m in [Method::Pc, Method::Fci] {
            let err = discover(m, &d, &k, &opts).unwrap_err();
            assert!(matches!(err, DiscoverError::InvalidParameter(_)), "{err}");
        }
    }
    let err = NotearsParams::new().lambda1(-1.0).fit(&d, &k).unwrap_err();
    assert!(matches!(err, DiscoverError::InvalidParameter(_)), "{err}");
}

#[test]
fn knowledge_naming_no_column_is_refused_by_every_method() {
    let d = data();
    let k = Knowledge::new().forbid("nosuch", &d.names()[0]);
    for m in [
        Method::Pc,
        Method::Fci,
        Method::Ges,
        Method::Lingam,
        Method::Notears,
    ] {
        let err = discover(m, &d, &k, &DiscoverOptions::default()).unwrap_err();
        assert!(err.to_string().contains("nosuch"), "{m}: {err}");
    }
}

#[test]
fn a_route_without_torch_refuses_notears_mlp_by_name() {
    let d = data();
    let err = discover_via(
        Method::NotearsMlp,
        &d,
        &Knowledge::new(),
        &DiscoverOptions::default(),
        WithoutTorch,
    )
    .unwrap_err();
    assert!(matches!(
        err,
        DiscoverError::NotCompiledWithTorch("notears-mlp")
    ));
    // Torch-free methods run the same through that route.
    let via = discover_via(
        Method::Ges,
        &d,
        &Knowledge::new(),
        &DiscoverOptions::default(),
        WithoutTorch,
    )
    .unwrap();
    let direct = discover(
        Method::Ges,
        &d,
        &Knowledge::new(),
        &DiscoverOptions::default(),
    );
    assert_eq!(via.graph, direct.unwrap().graph);
}

#[cfg(not(feature = "torch"))]
#[test]
fn notears_mlp_without_the_torch_feature_says_so() {
    let err = discover(
        Method::NotearsMlp,
        &data(),
        &Knowledge::new(),
        &DiscoverOptions::default(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("not compiled with torch"), "{err}");
}

#[cfg(feature = "torch")]
#[test]
fn notears_mlp_through_discover_equals_its_own_fit() {
    use causal_torch::notears_mlp::NotearsMlpParams;
    let full = data();
    let names: Vec<&str> = full.names()[..3].iter().map(String::as_str).collect();
    let d = full.select(&names).unwrap();
    let opts = DiscoverOptions {
        max_iter: Some(3),
        seed: 4,
        ..DiscoverOptions::default()
    };
    let found = discover(Method::NotearsMlp, &d, &Knowledge::new(), &opts).unwrap();
    let own = NotearsMlpParams::new()
        .max_iter(3)
        .seed(4)
        .fit(&d, ())
        .unwrap();
    assert_eq!(&found.graph, own.graph());
    assert_eq!(found.weights.as_ref(), Some(own.weights()));
    let err = discover(Method::NotearsMlp, &d, &tiers(&full), &opts).unwrap_err();
    assert!(matches!(err, DiscoverError::InvalidParameter(_)), "{err}");
    let bad = NotearsMlpParams::new().hidden(0).fit(&d, ()).unwrap_err();
    assert!(bad.to_string().contains("invalid parameter"), "{bad}");
}
