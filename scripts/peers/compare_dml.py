"""DML-PLR with lasso nuisances: DoubleML 0.11 (scikit-learn's Lasso, one thread) against
causal-lab's DmlParams::plr on the same data, the same folds and the same penalty."""
import os
import tempfile

import numpy as np

from compare import comparison, run_ours, timed

N, P, ALPHA, SEED = 100_000, 50, 0.01, 3


@comparison
def dml_plr_lasso():
    import doubleml as dml
    from doubleml.plm.datasets import make_plr_CCDDHNR2018
    from sklearn.linear_model import Lasso

    np.random.seed(SEED)
    data = make_plr_CCDDHNR2018(n_obs=N, dim_x=P, alpha=0.5)
    model = dml.DoubleMLPLR(data, ml_l=Lasso(alpha=ALPHA), ml_m=Lasso(alpha=ALPHA), n_folds=5)
    folds = np.full(N, -1)
    for k, (_, test) in enumerate(model.smpls[0]):
        folds[test] = k
    peer, _ = timed(model.fit)
    tmp = tempfile.mkdtemp(prefix="causal-dml-")
    data_csv, folds_csv = os.path.join(tmp, "data.csv"), os.path.join(tmp, "folds.csv")
    cols = np.column_stack([data.y, data.d, data.x])
    header = ",".join(["y", "d"] + [f"x{j + 1}" for j in range(P)])
    np.savetxt(data_csv, cols, delimiter=",", header=header, comments="", fmt="%.17g")
    np.savetxt(folds_csv, folds, header="fold", comments="", fmt="%d")
    # One thread each side: our folds would otherwise run on every core.
    os.environ["RAYON_NUM_THREADS"] = "1"
    try:
        ours = run_ours("dml-plr", data_csv, folds_csv, str(ALPHA))
    finally:
        del os.environ["RAYON_NUM_THREADS"]
    note = (f"theta {ours['coef']:.6f} vs DoubleML {model.coef[0]:.6f} "
            f"(sklearn's Lasso stops at tol 1e-4, ours at 1e-13)")
    return f"DML-PLR, lasso nuisances, n={N}, p={P}, 5 folds (DoubleML)", peer, ours["seconds"], note
