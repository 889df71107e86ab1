"""Train the four variants side by side on a small training set; plot their curves together."""

from __future__ import annotations

from pathlib import Path

from dlnd.core import runs
from dlnd.projects.mnist_mlp.train import ImageClassifier, evaluate, train_epoch
from dlnd.projects.overfitting import data as image_data
from dlnd.projects.overfitting.config import OverfittingConfig
from dlnd.projects.overfitting.model import VARIANTS, build


def train(cfg: OverfittingConfig, run: runs.Run) -> tuple[dict[str, float], str]:
    data = image_data.load(cfg.dataset, cfg.val_size, cfg.seed, cfg.train_limit)
    n_inputs, n_classes = data.train.x.shape[1], len(data.classes)
    variants = {v: build(v, cfg, n_inputs, n_classes) for v in VARIANTS}
    # Early stopping: the best validation loss so far, its weights and epoch, and whether it quit.
    stopper = {"best_loss": float("inf"), "best_epoch": -1, "weights": None, "stopped": False}
    start = 0
    state = run.load_checkpoint()
    if state is not None:
        for v, (model, optimizer, rng) in variants.items():
            model.load_state_dict(state["models"][v])
            optimizer.load_state_dict(state["optimizers"][v])
            rng.bit_generator.state = state["rngs"][v]
        stopper = state["stopper"]
        start = state["step"] + 1

    for epoch in run.epochs(cfg.epochs, start):
        metrics = {}
        for v, (model, optimizer, rng) in variants.items():
            if v == "early_stopping" and stopper["stopped"]:
                continue
            metrics[f"{v}/train_loss"] = train_epoch(model, optimizer, data.train,
                                                     cfg.batch_size, rng)
            metrics[f"{v}/train_acc"] = evaluate(model, data.train)[1]
            metrics[f"{v}/val_loss"], metrics[f"{v}/val_acc"] = evaluate(model, data.val)
        if not stopper["stopped"]:
            watch_early_stopping(stopper, epoch, metrics["early_stopping/val_loss"],
                                 variants["early_stopping"][0], cfg.patience)
            if stopper["stopped"]:
                run.say(f"early stopping after epoch {epoch + 1}: best validation loss at epoch "
                        f"{stopper['best_epoch'] + 1}")
        run.log(epoch, metrics)
        run.report(epoch, cfg.epochs, {k: v for k, v in metrics.items() if k.endswith("val_acc")})
        run.save_checkpoint({
            "step": epoch, "stopper": stopper,
            "models": {v: m.state_dict() for v, (m, _, _) in variants.items()},
            "optimizers": {v: o.state_dict() for v, (_, o, _) in variants.items()},
            "rngs": {v: r.bit_generator.state for v, (_, _, r) in variants.items()},
            "extra": {"classes": data.classes, "mean": data.mean, "std": data.std}})
        if run.stop_requested:
            break

    if stopper["weights"] is not None:
        variants["early_stopping"][0].load_state_dict(stopper["weights"])
    final = {}
    for v, (model, _, _) in variants.items():
        final[f"{v}_train_acc"] = evaluate(model, data.train)[1]
        final[f"{v}_test_loss"], final[f"{v}_test_acc"] = evaluate(model, data.test)
    final["early_stopping_epoch"] = float(stopper["best_epoch"] + 1)
    regularised = max(final[f"{v}_test_acc"] for v in VARIANTS if v != "none")
    final["best_test_acc"] = max(regularised, final["none_test_acc"])
    final["regularisation_gain"] = regularised - final["none_test_acc"]
    plot_curves(run)
    return final, "cpu (numpy engine)"


def watch_early_stopping(stopper: dict, epoch: int, val_loss: float, model, patience: int) -> None:
    """Remember the weights of the lowest validation loss; stop after ``patience`` worse epochs."""
    if val_loss < stopper["best_loss"]:
        stopper.update(best_loss=val_loss, best_epoch=epoch, weights=model.state_dict())
    elif epoch - stopper["best_epoch"] >= patience:
        stopper["stopped"] = True


def plot_curves(run: runs.Run) -> None:
    """Training and validation loss and accuracy of every variant, from the run's own record."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    history: dict[str, list[tuple[int, float]]] = {}
    for row in runs.read_metrics(run.path):
        history.setdefault(row["name"], []).append((row["step"] + 1, row["value"]))
    fig, (loss_ax, acc_ax) = plt.subplots(1, 2, figsize=(13, 5))
    for colour, v in zip(("tab:red", "tab:blue", "tab:green", "tab:purple"), VARIANTS,
                         strict=True):
        for split, style in (("train", "--"), ("val", "-")):
            for ax, what in ((loss_ax, "loss"), (acc_ax, "acc")):
                points = history.get(f"{v}/{split}_{what}", [])
                if points:
                    ax.plot(*zip(*points, strict=True), style, color=colour,
                            label=f"{v.replace('_', ' ')} ({split})")
    loss_ax.set_ylabel("cross-entropy")
    acc_ax.set_ylabel("accuracy")
    for ax in (loss_ax, acc_ax):
        ax.set_xlabel("epoch")
        ax.grid(alpha=0.3)
    loss_ax.set_title("Loss: dashed = training, solid = validation")
    acc_ax.set_title("Accuracy")
    acc_ax.legend(fontsize=8, ncol=2)
    run.log_figure("curves", fig)
    plt.close(fig)


def load(run_dir: Path) -> dict[str, ImageClassifier]:
    """Each variant's network as an image classifier (the early-stopping one with its best
    weights once the run has finished)."""
    state = runs.trained_state(run_dir)
    cfg = runs.saved_config(run_dir, OverfittingConfig)
    out = {}
    for v in VARIANTS:
        model = build(v, cfg, 28 * 28, len(state["extra"]["classes"]))[0]
        weights = state["models"][v]
        if v == "early_stopping" and state["stopper"]["weights"] is not None:
            weights = state["stopper"]["weights"]
        model.load_state_dict(weights)
        out[v] = ImageClassifier(model, **state["extra"])
    return out
