"""Train the four variants side by side on a small training set; plot their curves together."""

from __future__ import annotations

from pathlib import Path

from dlnd.core import runs
from dlnd.projects.overfitting import data as image_data
from dlnd.projects.overfitting.config import OverfittingConfig
from dlnd.projects.overfitting.model import VARIANTS, OverfittingModel, build
from dlnd.shared import mlp, numeric, plots


@numeric.quiet_overflow
def train(cfg: OverfittingConfig, run: runs.Run) -> tuple[dict[str, float], str]:
    data = image_data.load(cfg)
    variants = {v: build(v, cfg, len(data.classes)) for v in VARIANTS}
    # Early stopping watches its own validation loss: once it has not fallen for `patience`
    # epochs that variant stops training (the others go on) and gets back its best weights.
    stopper = runs.Best("early_stopping/val_loss", model=variants["early_stopping"][0],
                        patience=cfg.patience)
    for v, (model, optimizer, rng) in variants.items():
        run.track(**{f"{v}_model": model, f"{v}_optimizer": optimizer, f"{v}_rng": rng})
    run.track(early_stopping=stopper)
    run.keep(classes=list(data.classes), mean=data.mean, std=data.std)

    for epoch in run.epochs(cfg.epochs):
        training = [v for v in VARIANTS if v != "early_stopping" or not stopper.exhausted]
        metrics = {}
        for v in training:
            model, optimizer, rng = variants[v]
            metrics[f"{v}/train_loss"] = mlp.train_epoch(model, optimizer, data.train,
                                                         cfg.batch_size, rng)
            metrics[f"{v}/train_acc"] = mlp.evaluate(model, data.train)[1]
            metrics[f"{v}/val_loss"], metrics[f"{v}/val_acc"] = mlp.evaluate(model, data.val)
        if "early_stopping" in training:
            stopper.update(epoch, metrics)
            if stopper.exhausted:
                run.say(f"early stopping after epoch {epoch + 1}: best validation loss at epoch "
                        f"{stopper.epoch + 1}")
        run.log(epoch, metrics)
        run.report(epoch, cfg.epochs, {k: v for k, v in metrics.items() if k.endswith("val_acc")})

    stopper.restore()
    final = {}
    for v, (model, _, _) in variants.items():
        final[f"{v}_train_acc"] = mlp.evaluate(model, data.train)[1]
        final[f"{v}_test_loss"], final[f"{v}_test_acc"] = mlp.evaluate(model, data.test)
    final["early_stopping_epoch"] = float(stopper.epoch + 1)
    regularised = max(final[f"{v}_test_acc"] for v in VARIANTS if v != "none")
    final["best_test_acc"] = max(regularised, final["none_test_acc"])
    final["regularisation_gain"] = regularised - final["none_test_acc"]
    plots.learning_curves(run, title="Each variant's training (dashed) and validation (solid) "
                          "loss and accuracy")
    return final, "cpu (numpy engine)"


def load(run_dir: Path) -> OverfittingModel:
    """Each variant's network as an image classifier (the early-stopping one with the weights of
    its best epoch)."""
    trained = runs.Trained(run_dir, OverfittingConfig)
    kept = trained.artifacts
    classifiers = {}
    for v in VARIANTS:
        network = build(v, trained.config, len(kept["classes"]))[0]
        network.load_state_dict(trained.weights(f"{v}_model"))
        classifiers[v] = mlp.MlpClassifier(network, kept["classes"], kept["mean"], kept["std"])
    return OverfittingModel(classifiers, trained.config)
