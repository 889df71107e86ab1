"""Bike sharing, default config, 5 seeds on the real data: one JSON line of means (wall_s per run).

    DLND_DATA_DIR=../shared/data python bench/bike_sharing.py
"""

import json
import tempfile
import time

import numpy as np

import dlnd

SEEDS = 5

rows, walls = [], []
with tempfile.TemporaryDirectory() as out:
    for seed in range(SEEDS):
        start = time.perf_counter()
        summary = dlnd.run("bike-sharing", seed=seed, out=out, verbose=False)
        walls.append(time.perf_counter() - start)
        rows.append(summary["metrics"])

mean = {k: float(np.mean([r[k] for r in rows])) for k in rows[0]}
print(json.dumps({"project": "bike-sharing", "seeds": SEEDS,
                  "train_loss": round(mean["train_loss"], 5),
                  "val_loss": round(mean["val_loss"], 5),
                  "test_rmse": round(mean["test_rmse"], 3), "test_r2": round(mean["test_r2"], 4),
                  "wall_s": round(float(np.mean(walls)), 3),
                  "val_loss_per_seed": [round(r["val_loss"], 5) for r in rows]}))
