"""Times dowhy's bootstrap confidence interval for the linear-regression ATE (n = 100 000).

python scripts/peers/dowhy_bootstrap_time.py [resamples]   (needs dowhy; default 100 resamples)
Prints seconds and seconds per resample; compare with
`cargo bench -p causal-core --bench bootstrap` (1000 resamples at n = 100 000).
"""
import sys
import time

import numpy as np
import pandas as pd
from dowhy import CausalModel

n = 100_000
b = int(sys.argv[1]) if len(sys.argv) > 1 else 100
rng = np.random.default_rng(0)
z = rng.standard_normal(n)
t = (rng.random(n) < 1 / (1 + np.exp(-0.8 * z))).astype(float)
y = 2 * t + 1.5 * z + rng.standard_normal(n)
df = pd.DataFrame({"Z": z, "T": t, "Y": y})
model = CausalModel(data=df, treatment="T", outcome="Y", common_causes=["Z"])
estimand = model.identify_effect(proceed_when_unidentifiable=True)
est = model.estimate_effect(estimand, method_name="backdoor.linear_regression")
# The regression estimator's own interval is analytic; ask for dowhy's bootstrap explicitly.
t0 = time.perf_counter()
ci = est.estimator._estimate_confidence_intervals_with_bootstrap(
    df, est.value, confidence_level=0.95, num_simulations=b, sample_size_fraction=1
)
sec = time.perf_counter() - t0
print({"resamples": b, "seconds": sec, "seconds_per_resample": sec / b, "ci": np.asarray(ci).ravel().tolist()})
