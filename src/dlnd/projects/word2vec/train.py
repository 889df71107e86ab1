"""Train word vectors (skip-gram or CBOW, negative sampling) on a corpus; evaluate them on the
analogy test; export them for gensim, TensorBoard's projector and a PCA picture."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import numpy as np
import torch

from dlnd.core import datasets, runs, torch_common
from dlnd.projects.word2vec import data as w2v_data
from dlnd.projects.word2vec.config import Word2VecConfig
from dlnd.projects.word2vec.model import (
    Vectors,
    Word2VecModel,
    WordVectors,
    autograd_loss,
    sgd_step,
    targets,
)
from dlnd.shared import plots
from dlnd.shared.sentiment import TrainingClock

BLOCK_WORDS = 1 << 16  # kept tokens whose windows and negatives NumPy draws at once
MIN_LR_FRACTION = 1e-4  # word2vec.c never lets the step size fall below lr * 1e-4
DEFAULT_LR = {("sgd", "skipgram"): 0.025, ("sgd", "cbow"): 0.05}
ADAM_LR = 1e-3
NEIGHBOURS = 8  # printed per probe word
VECTORS_FILE = "vectors.txt"  # word2vec text format
PROJECTOR_TENSOR, PROJECTOR_METADATA = "projector_vectors.tsv", "metadata.tsv"
PROJECTOR_CONFIG = "projector_config.pbtxt"


def start_lr(cfg: Word2VecConfig) -> float:
    if cfg.lr:
        return cfg.lr
    return DEFAULT_LR[cfg.optimizer, cfg.model] if cfg.optimizer == "sgd" else ADAM_LR


def batches(corpus: w2v_data.Corpus, keep: np.ndarray, table: np.ndarray, cfg: Word2VecConfig,
            rng: np.random.Generator):
    """One epoch's training batches, in corpus order: subsample, draw each centre word's reach
    (1..window) and its negatives, and yield ``(progress, ctx, mask, centre, negatives)`` for
    ``batch_size`` centre words of the same reach ``r`` at a time (``2 r`` context slots each,
    so little is padding) as NumPy arrays (``progress``: in-vocabulary tokens of the epoch
    read so far, for the step-size schedule). Windows stop at document ends and at
    the edges of the 65,536-token blocks drawn at once (as word2vec.c's stop at its
    1,000-word sentences)."""
    kept = w2v_data.subsample(corpus, keep, rng)
    for start in range(0, len(kept), BLOCK_WORDS):
        where = kept[start:start + BLOCK_WORDS]
        tokens, doc = corpus.ids[where], corpus.doc[where]
        reach = rng.integers(1, cfg.window + 1, len(tokens))
        pos, mask = w2v_data.windows(doc, reach, cfg.window)
        negatives = table[rng.integers(0, len(table), (len(tokens), cfg.negative))]
        w = cfg.window
        for r in range(1, w + 1):  # the centres of each reach together: no padding beyond it
            # a word alone in its document has no context
            centres = np.flatnonzero((reach == r) & mask.any(1))
            cols = slice(w - r, w + r)  # offsets -r..-1, 1..r
            for b in range(0, len(centres), cfg.batch_size):
                rows = centres[b:b + cfg.batch_size]
                yield (int(where[rows[-1]]) + 1, tokens[pos[rows, cols]], mask[rows, cols],
                       tokens[rows], negatives[rows])


def to_torch(array: np.ndarray, device: torch.device, dtype=torch.int64) -> torch.Tensor:
    return torch.from_numpy(np.ascontiguousarray(array)).to(device=device, dtype=dtype)


def train_epoch(cfg, corpus, keep, table, vectors, optimizer, rng, epoch, lr0, device,
                workers: int = 1):
    """One pass over the corpus; returns (mean loss per positive example, last step size).
    With ``workers`` > 1, that many threads take batches in turn and update the shared tables
    without locks (Hogwild, as word2vec.c's and gensim's threads do): each torch operation
    runs on one core and releases the GIL, so they overlap without the per-operation
    synchronisation of torch's own threads (10x slower than one thread on a busy 2-core
    machine, measured). One worker trains reproducibly; several do not."""
    cbow = cfg.model == "cbow"
    total = cfg.epochs * corpus.total
    source = batches(corpus, keep, table, cfg, rng)
    lock = threading.Lock()
    results = [[torch.zeros((), dtype=torch.float64), 0, lr0] for _ in range(workers)]
    errors: list[BaseException] = []

    def work(me: int) -> None:
        result = results[me]
        try:
            while not errors:
                with lock:  # NumPy draws the batches in order, one worker at a time
                    batch = next(source, None)
                if batch is None:
                    return
                progress, ctx, mask, centre, negatives = batch
                done = epoch * corpus.total + progress
                lr = lr0 * max(1.0 - done / (total + 1), MIN_LR_FRACTION)
                ctx_t, centre_t = to_torch(ctx, device), to_torch(centre, device)
                mask_t = to_torch(mask, device, torch.float32)
                rows, weight = targets(centre_t, to_torch(negatives, device))
                if optimizer is None:
                    loss = sgd_step(vectors, ctx_t, mask_t, rows, weight, lr, cbow)
                else:
                    for group in optimizer.param_groups:
                        group["lr"] = lr
                    loss = autograd_loss(vectors, ctx_t, mask_t, rows, weight, cbow)
                    optimizer.zero_grad()
                    loss.backward()
                    optimizer.step()
                result[0] += loss.detach().double().cpu()
                result[1] += len(centre) if cbow else int(mask.sum())
                result[2] = lr
        except BaseException as exc:  # re-raised by the caller's thread
            errors.append(exc)

    if workers == 1:
        work(0)
    else:
        threads = [threading.Thread(target=work, args=(i,), daemon=True) for i in range(workers)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    if errors:
        raise errors[0]
    loss_sum = sum(float(r[0]) for r in results)
    positives = sum(r[1] for r in results)
    return loss_sum / max(positives, 1), min(r[2] for r in results)


def vectors_of(vectors: WordVectors, words: list[str]) -> Vectors:
    return Vectors(words, vectors.inp.weight.detach().float().cpu().numpy())


def neighbour_lines(vecs: Vectors, probes: list[str]) -> list[str]:
    lines = []
    for word in probes:
        if word in vecs:
            near = ", ".join(f"{w} {s:.2f}" for w, s in vecs.neighbours(word, NEIGHBOURS))
            lines.append(f"{word}: {near}")
    return lines


def train(cfg: Word2VecConfig, run: runs.Run) -> tuple[dict[str, float], str]:
    ts = torch_common.setup(cfg, run)
    workers = 1
    if cfg.threads > 1 and not ts.cuda and cfg.optimizer == "sgd":
        # cfg.threads Hogwild workers of one torch thread each (setup puts the count back)
        workers = cfg.threads
        torch.set_num_threads(1)
    tick = time.perf_counter()
    corpus = w2v_data.load(cfg.corpus, cfg.min_count, cfg.max_words)
    keep = w2v_data.keep_probabilities(corpus.counts, cfg.sample)
    table = w2v_data.negative_table(corpus.counts, cfg.table_size)
    vocab_s = time.perf_counter() - tick
    questions = w2v_data.read_questions(datasets.path(*w2v_data.QUESTIONS))
    run.say(f"corpus {cfg.corpus}: {corpus.raw_words:,} words, {len(corpus.words):,} of them "
            f"seen >= {cfg.min_count} times ({corpus.total:,} tokens); kept after subsampling "
            f"~{float((keep * corpus.counts).sum()) / corpus.total:.0%}; read in {vocab_s:.1f} s")

    sparse = cfg.optimizer == "sparse_adam"
    vectors = WordVectors(len(corpus.words), cfg.dim, sparse=sparse).to(ts.device)
    optimizer = torch.optim.SparseAdam(list(vectors.parameters()), lr=start_lr(cfg)) \
        if sparse else None
    rng = np.random.default_rng(cfg.seed)  # subsampling, windows and negatives
    clock = TrainingClock()
    tracked = {"vectors": vectors, "rng": rng, "clock": clock}
    if optimizer is not None:
        tracked["optimizer"] = optimizer
    run.track(**tracked)
    run.keep(words=corpus.words, counts=corpus.counts, raw_words=corpus.raw_words,
             vocab_s=vocab_s)
    probes = [w.strip().lower() for w in cfg.probes.split(",") if w.strip()]

    result = None
    for epoch in run.epochs(cfg.epochs):
        tick = time.perf_counter()
        loss, lr = train_epoch(cfg, corpus, keep, table, vectors, optimizer, rng, epoch,
                               start_lr(cfg), ts.device, workers)
        seconds = time.perf_counter() - tick
        clock.add(seconds)
        vecs = vectors_of(vectors, corpus.words)
        result = vecs.evaluate_analogies(questions)
        metrics = {"train/loss": loss, "train/lr": lr,
                   "train/words_per_s": corpus.raw_words / max(seconds, 1e-9),
                   "val/analogy_acc": result.accuracy}
        run.log(epoch, metrics)
        run.report(epoch, cfg.epochs, metrics)
        lines = neighbour_lines(vecs, probes)
        for line in lines:
            run.say("  " + line)
        if lines:
            run.tb.text("neighbours", "\n\n".join(f"- {line}" for line in lines), epoch)

    vecs = vectors_of(vectors, corpus.words)
    result = vecs.evaluate_analogies(questions)
    run.say(f"analogies: {result.correct:,} of {result.asked:,} right "
            f"({result.accuracy:.1%}); {result.total - result.asked:,} of {result.total:,} "
            f"skipped (a word outside the 30,000 most frequent)")
    export(run, vecs, cfg)
    plots.learning_curves(run, title="Loss per positive pair, step size, speed, analogy "
                          "accuracy")
    final = {"analogy_acc": result.accuracy, "analogy_asked": float(result.asked),
             "vocab": float(len(corpus.words)), "words": float(corpus.raw_words),
             "vocab_s": vocab_s, "train_s": clock.seconds,
             "words_per_s": clock.per_second(corpus.raw_words)}
    device = ts.describe() if workers == 1 else f"cpu, {workers} Hogwild worker threads"
    return final, device


# ----- exports -----


def write_word2vec_text(path: Path, vecs: Vectors) -> Path:
    """The word2vec text format: a ``"<words> <dim>"`` line, then ``word v1 ... vdim`` per
    word (what gensim's ``KeyedVectors.load_word2vec_format`` reads)."""
    lines = [f"{len(vecs.words)} {vecs.raw.shape[1]}"]
    lines += [word + " " + " ".join(f"{v:.6g}" for v in row)
              for word, row in zip(vecs.words, vecs.raw.tolist(), strict=True)]
    runs.write_atomic(path, ("\n".join(lines) + "\n").encode())
    return path


def write_projector(run_dir: Path, vecs: Vectors, n: int) -> None:
    """TensorBoard's projector files beside the run's event files: the vectors of the ``n``
    most frequent words (TSV), their words (metadata.tsv) and projector_config.pbtxt, so
    ``tensorboard --logdir runs`` lists them under PROJECTOR."""
    n = min(n, len(vecs.words))
    tensor = "\n".join("\t".join(f"{v:.5g}" for v in row) for row in vecs.raw[:n].tolist())
    runs.write_atomic(run_dir / PROJECTOR_TENSOR, (tensor + "\n").encode())
    runs.write_atomic(run_dir / PROJECTOR_METADATA, ("\n".join(vecs.words[:n]) + "\n").encode())
    config = (f'embeddings {{\n  tensor_name: "word2vec ({n} most frequent words)"\n'
              f'  tensor_path: "{PROJECTOR_TENSOR}"\n'
              f'  metadata_path: "{PROJECTOR_METADATA}"\n}}\n')
    runs.write_atomic(run_dir / PROJECTOR_CONFIG, config.encode())


def pca_figure(vecs: Vectors, n: int):
    """The ``n`` most frequent words on the plane of the first two principal components."""
    n = min(n, len(vecs.words))
    x = vecs.unit[:n] - vecs.unit[:n].mean(0)
    _, _, vt = np.linalg.svd(x, full_matrices=False)
    xy = x @ vt[:2].T if len(vt) >= 2 else np.c_[x @ vt[:1].T, np.zeros(n)]
    from matplotlib.figure import Figure

    fig = Figure(figsize=(12, 12))  # no layout engine: it would measure all n labels again
    ax = fig.add_axes((0.05, 0.05, 0.9, 0.9))
    ax.scatter(xy[:, 0], xy[:, 1], s=4, alpha=0.4)
    for (px, py), word in zip(xy, vecs.words[:n], strict=True):
        ax.annotate(word, (px, py), fontsize=7, alpha=0.8)
    ax.set_title(f"The {n} most frequent words, first two principal components of the unit "
                 f"vectors")
    return fig


def export(run: runs.Run, vecs: Vectors, cfg: Word2VecConfig) -> None:
    write_word2vec_text(run.path / VECTORS_FILE, vecs)
    write_projector(run.path, vecs, cfg.projector_words)
    run.log_figure("pca", pca_figure(vecs, cfg.pca_words))


def load(run_dir: Path) -> Word2VecModel:
    """The vectors of the run's last epoch, on the CPU."""
    trained = runs.Trained(run_dir, Word2VecConfig)
    weights = trained.weights("vectors")
    words = list(trained.artifacts["words"])
    matrix = np.asarray(weights["inp.weight"], dtype=np.float32)
    return Word2VecModel(Vectors(words, matrix), trained.config)
