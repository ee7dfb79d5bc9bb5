"""DoubleML 0.11 against causal-lab's DmlParams on the same data and the same folds, one
thread each side:
- DML-PLR with lasso nuisances (scikit-learn's Lasso), the same penalty;
- DML-IRM with random-forest nuisances (scikit-learn's RandomForestRegressor and
  RandomForestClassifier), the same number of trees, depth, features per split and rows a leaf
  (the settings of DoubleML's IRM example)."""
import os
import shutil
import tempfile

import numpy as np

from compare import comparison, run_ours, timed

N, P, ALPHA, SEED = 100_000, 50, 0.01, 3
# DML-IRM with forests: DoubleML's IRM example settings at n = 50 000.
IRM_N, IRM_P, TREES, DEPTH, FEATURES, LEAF = 50_000, 20, 100, 5, 20, 2


def write_inputs(data, model, n, p):
    """The data (y, d, x1..) and DoubleML's fold of each row, as CSV files for causal-lab."""
    folds = np.full(n, -1)
    for k, (_, test) in enumerate(model.smpls[0]):
        folds[test] = k
    tmp = tempfile.mkdtemp(prefix="causal-dml-")
    data_csv, folds_csv = os.path.join(tmp, "data.csv"), os.path.join(tmp, "folds.csv")
    cols = np.column_stack([data.y, data.d, data.x])
    header = ",".join(["y", "d"] + [f"x{j + 1}" for j in range(p)])
    np.savetxt(data_csv, cols, delimiter=",", header=header, comments="", fmt="%.17g")
    np.savetxt(folds_csv, folds, header="fold", comments="", fmt="%d")
    return tmp, data_csv, folds_csv


def run_one_thread(*args):
    """causal-lab on one thread: our folds and trees would otherwise run on every core."""
    os.environ["RAYON_NUM_THREADS"] = "1"
    try:
        return run_ours(*args)
    finally:
        del os.environ["RAYON_NUM_THREADS"]


@comparison
def dml_plr_lasso():
    import doubleml as dml
    from doubleml.plm.datasets import make_plr_CCDDHNR2018
    from sklearn.linear_model import Lasso

    np.random.seed(SEED)
    data = make_plr_CCDDHNR2018(n_obs=N, dim_x=P, alpha=0.5)
    model = dml.DoubleMLPLR(data, ml_l=Lasso(alpha=ALPHA), ml_m=Lasso(alpha=ALPHA), n_folds=5)
    peer, _ = timed(model.fit)
    tmp, data_csv, folds_csv = write_inputs(data, model, N, P)
    try:
        ours = run_one_thread("dml-plr", data_csv, folds_csv, str(ALPHA))
    finally:
        shutil.rmtree(tmp)
    note = (f"theta {ours['coef']:.6f} vs DoubleML {model.coef[0]:.6f} "
            f"(sklearn's Lasso stops at tol 1e-4, ours at 1e-13)")
    return f"DML-PLR, lasso nuisances, n={N}, p={P}, 5 folds (DoubleML)", peer, ours["seconds"], note


@comparison
def dml_irm_forest():
    import doubleml as dml
    from doubleml.irm.datasets import make_irm_data
    from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor

    np.random.seed(SEED)
    data = make_irm_data(theta=0.5, n_obs=IRM_N, dim_x=IRM_P)
    settings = dict(n_estimators=TREES, max_depth=DEPTH, max_features=FEATURES,
                    min_samples_leaf=LEAF, n_jobs=1, random_state=SEED)
    model = dml.DoubleMLIRM(data, ml_g=RandomForestRegressor(**settings),
                            ml_m=RandomForestClassifier(**settings), n_folds=5)
    peer, _ = timed(model.fit)
    tmp, data_csv, folds_csv = write_inputs(data, model, IRM_N, IRM_P)
    args = ["dml-irm-forest", data_csv, folds_csv, str(TREES), str(DEPTH), str(FEATURES),
            str(LEAF)]
    try:
        # Our default 4096 bins a feature, then 256 (scikit-learn's HistGradientBoosting's).
        ours = run_one_thread(*args)
        coarse = run_one_thread(*args, "256")
    finally:
        shutil.rmtree(tmp)
    note = (f"ATE {ours['coef']:.4f} ± {ours['se']:.4f} vs DoubleML {model.coef[0]:.4f} ± "
            f"{model.se[0]:.4f} (θ = 0.5; the forests differ by their random draws; ours search "
            f"splits on 4096 quantile bins a feature; with 256 bins ours take "
            f"{coarse['seconds']:.2f} s, {peer / coarse['seconds']:.0f}x)")
    return (f"DML-IRM, forest nuisances ({TREES} trees, depth {DEPTH}, {FEATURES} features a "
            f"split, {LEAF} rows a leaf), n={IRM_N}, p={IRM_P}, 5 folds (DoubleML)",
            peer, ours["seconds"], note)
