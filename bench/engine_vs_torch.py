"""dlnd.engine against PyTorch on the CPU: the same models, weights, data order, float32 and
thread count; prints one JSON line per model with the time ratio engine/torch.

    DLND_DATA_DIR=../shared/data python bench/engine_vs_torch.py [--threads 2] [--models mlp,cnn]

- mlp:  784-512-256-10 ReLU, batch 128, Adam, one epoch of Fashion-MNIST (goal ratio <= 1.3)
- cnn:  conv(1->32,3x3)-relu-pool-conv(32->64,3x3)-relu-pool-linear, batch 64, Adam, one epoch
        (goal ratio <= 3)
- lstm: character LSTM on Anna Karenina, hidden 128, sequence 64, batch 32, Adam, 200 steps
        (goal ratio <= 3)

Each side is timed over its whole training loop (forward, backward, optimizer step); both start
from the engine's initial weights, copied into torch. ``--fraction`` runs part of each epoch (for
a quick look; the ratios are then noisier).
"""

import argparse
import os
import sys

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--threads", type=int, default=2, help="BLAS / torch threads for both sides")
parser.add_argument("--models", default="mlp,cnn,lstm", help="comma-separated subset")
parser.add_argument("--fraction", type=float, default=1.0, help="fraction of each epoch / run")
args = parser.parse_args()
for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = str(args.threads)  # must be set before NumPy loads its BLAS

import json  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402

from dlnd.core import datasets, idx  # noqa: E402
from dlnd.engine import F, Tensor, nn, optim, tune_allocator  # noqa: E402

tune_allocator()  # as `dlnd` itself does: process-wide, so engine and torch alike
torch.set_num_threads(args.threads)
SEED = 0


def copy_weights(engine_model: nn.Module, torch_model: torch.nn.Module) -> None:
    """Engine parameter names and shapes match torch's, so the state dict carries over."""
    state = {k: torch.from_numpy(v.copy()) for k, v in engine_model.state_dict().items()}
    torch_model.load_state_dict(state)


def time_training(model, optimizer, batches, make_input, loss_fn) -> tuple[float, float]:
    """Seconds for the whole loop (engine or torch: same API) and the last batch's loss."""
    start = time.perf_counter()
    for x, y in batches:
        loss = loss_fn(model(make_input(x)), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return time.perf_counter() - start, loss.item()


def image_batches(batch_size: int, flat: bool):
    images, labels = idx.load("fashion-mnist", "train")
    x = (images.astype(np.float32) / 255.0 - 0.2860) / 0.3530  # Fashion-MNIST mean / std
    x = x.reshape(len(x), -1) if flat else x[:, None]
    order = np.random.default_rng(SEED).permutation(len(x))
    order = order[:int(len(order) * args.fraction)]
    return [(x[order[i:i + batch_size]], labels[order[i:i + batch_size]].astype(np.int64))
            for i in range(0, len(order), batch_size)]


def numpy_matmul_gflops(m: int, k: int, n: int, repeats: int = 200) -> float:
    a = np.random.default_rng(SEED).standard_normal((m, k), dtype=np.float32)
    b = np.random.default_rng(SEED + 1).standard_normal((k, n), dtype=np.float32)
    a @ b  # warm up
    start = time.perf_counter()
    for _ in range(repeats):
        a @ b
    return 2 * m * k * n * repeats / (time.perf_counter() - start) / 1e9


def compare(name: str, engine_model, torch_model, batches, engine_input, torch_input,
            engine_loss, torch_loss) -> dict:
    copy_weights(engine_model, torch_model)
    engine_s, engine_final = time_training(engine_model,
                                           optim.Adam(engine_model.parameters(), lr=1e-3),
                                           batches, engine_input, engine_loss)
    torch_s, torch_final = time_training(torch_model,
                                         torch.optim.Adam(torch_model.parameters(), lr=1e-3),
                                         batches, torch_input, torch_loss)
    return {"model": name, "engine_s": round(engine_s, 3), "torch_s": round(torch_s, 3),
            "ratio": round(engine_s / torch_s, 3), "steps": len(batches),
            "engine_final_loss": round(engine_final, 4), "torch_final_loss": round(torch_final, 4),
            "threads": args.threads}


def run_mlp() -> dict:
    sizes = (784, 512, 256, 10)
    rng = np.random.default_rng(SEED)
    engine_model = nn.Sequential(nn.Linear(784, 512, rng=rng), nn.ReLU(),
                                 nn.Linear(512, 256, rng=rng), nn.ReLU(),
                                 nn.Linear(256, 10, rng=rng))
    torch_model = torch.nn.Sequential(torch.nn.Linear(784, 512), torch.nn.ReLU(),
                                      torch.nn.Linear(512, 256), torch.nn.ReLU(),
                                      torch.nn.Linear(256, 10))
    batches = image_batches(128, flat=True)
    row = compare("mlp", engine_model, torch_model, batches, Tensor, torch.from_numpy,
                  F.cross_entropy, lambda out, y: torch.nn.functional.cross_entropy(
                      out, torch.from_numpy(y)))
    # Training costs ~3 forward passes of multiply-adds (forward, grad wrt input, grad wrt weight).
    forward = 2 * sum(a * b for a, b in zip(sizes[:-1], sizes[1:], strict=True))
    images = sum(len(y) for _, y in batches)
    row["engine_gflops"] = round(3 * forward * images / row["engine_s"] / 1e9, 2)
    row["numpy_matmul_gflops"] = round(numpy_matmul_gflops(128, 784, 512), 2)
    return row


def run_cnn() -> dict:
    rng = np.random.default_rng(SEED)
    engine_model = nn.Sequential(nn.Conv2d(1, 32, 3, rng=rng), nn.ReLU(), nn.MaxPool2d(2),
                                 nn.Conv2d(32, 64, 3, rng=rng), nn.ReLU(), nn.MaxPool2d(2),
                                 nn.Flatten(), nn.Linear(64 * 5 * 5, 10, rng=rng))
    torch_model = torch.nn.Sequential(
        torch.nn.Conv2d(1, 32, 3), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(32, 64, 3), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Flatten(), torch.nn.Linear(64 * 5 * 5, 10))
    return compare("cnn", engine_model, torch_model, image_batches(64, flat=False), Tensor,
                   torch.from_numpy, F.cross_entropy,
                   lambda out, y: torch.nn.functional.cross_entropy(out, torch.from_numpy(y)))


class EngineCharLSTM(nn.Module):
    def __init__(self, vocab: int, hidden: int, rng):
        self.lstm = nn.LSTM(vocab, hidden, rng=rng)
        self.fc = nn.Linear(hidden, vocab, rng=rng)

    def forward(self, x):
        out, _ = self.lstm(x)  # (T, N, H)
        return self.fc(out.reshape(-1, out.shape[-1]))


class TorchCharLSTM(torch.nn.Module):
    def __init__(self, vocab: int, hidden: int):
        super().__init__()
        self.lstm = torch.nn.LSTM(vocab, hidden)
        self.fc = torch.nn.Linear(hidden, vocab)

    def forward(self, x):
        out, _ = self.lstm(x)
        return self.fc(out.reshape(-1, out.shape[-1]))


def run_lstm(hidden: int = 128, seq: int = 64, batch: int = 32, steps: int = 200) -> dict:
    text = datasets.read_text(datasets.path("anna", "anna.txt"))
    chars = sorted(set(text))
    lookup = {c: i for i, c in enumerate(chars)}
    codes = np.array([lookup[c] for c in text], dtype=np.int64)
    one_hot = np.eye(len(chars), dtype=np.float32)
    rng = np.random.default_rng(SEED)
    starts = rng.integers(0, len(codes) - seq - 1, size=(max(1, int(steps * args.fraction)),
                                                          batch))
    batches = []
    for row in starts:
        window = codes[row[None, :] + np.arange(seq + 1)[:, None]]  # (T + 1, N), time-major
        batches.append((window[:-1], window[1:].reshape(-1)))
    engine_model = EngineCharLSTM(len(chars), hidden, rng)
    torch_model = TorchCharLSTM(len(chars), hidden)
    return compare("lstm", engine_model, torch_model, batches,
                   lambda x: Tensor(one_hot[x]), lambda x: torch.from_numpy(one_hot[x]),
                   F.cross_entropy,
                   lambda out, y: torch.nn.functional.cross_entropy(out, torch.from_numpy(y)))


RUNNERS = {"mlp": run_mlp, "cnn": run_cnn, "lstm": run_lstm}
for name in args.models.split(","):
    if name not in RUNNERS:
        sys.exit(f"unknown model {name!r}; choose from {', '.join(RUNNERS)}")
    print(json.dumps(RUNNERS[name]()), flush=True)
