"""Train the translator: teacher forcing with the padding masked out of the loss, the best
epoch by validation token accuracy (greedy decoding), then the held-out 10% decoded greedily
(token accuracy, exact sentences, corpus BLEU) and a slice of it by beam search."""

from __future__ import annotations

import math
import time
from pathlib import Path

import numpy as np
import torch

from dlnd.core import runs, torch_common
from dlnd.projects.translation import data as translation_data
from dlnd.projects.translation.config import TranslationConfig
from dlnd.projects.translation.model import TranslationModel, make_network
from dlnd.shared import plots, seq2seq, text

EVAL_BATCH = 512
MAX_OUT = 40  # French words at most (the corpus' longest sentence has 23)
EXAMPLE = "new jersey is sometimes quiet during autumn , and it is snowy in april ."


def train(cfg: TranslationConfig, run: runs.Run) -> tuple[dict[str, float], str]:
    ts = torch_common.setup(cfg, run)
    data = translation_data.load(cfg.pairs, cfg.test_fraction, cfg.val_pairs, cfg.seed)
    model = make_network(cfg, len(data.en), len(data.fr)).to(ts.device)
    net = ts.wrap(model)
    lr = cfg.resolved_lr()  # 0 in the config: the architecture's own step size
    # fused: one kernel for all weights (Adam's per-tensor loop took ~5% of a step here)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr, fused=True)
    best = runs.Best("val/token_acc", mode="max", model=model)
    run.track(model=model, optimizer=optimizer, torch_rng=torch_common.TorchRNG(), best=best)
    run.keep(english=data.en.tokens, french=data.fr.tokens)
    run.say(f"{len(data.train.source):,} training, {len(data.val.source):,} validation and "
            f"{len(data.test.source):,} test pairs; vocabularies: {len(data.en)} English and "
            f"{len(data.fr)} French tokens (4 special ones each); {data.test_seen:.1%} of the "
            f"test English sentences also occur in training")

    lengths = np.array([len(s) for s in data.train.source])
    train_s = 0.0
    for epoch in run.epochs(cfg.epochs):
        model.train()
        tick, losses = time.perf_counter(), []
        # the shuffle depends only on (seed, epoch): a resumed run draws the same batches
        batches = text.bucketed_batches(lengths, cfg.batch_size,
                                        np.random.default_rng([cfg.seed, epoch]))
        for step, idx in enumerate(batches, start=epoch * len(batches)):
            for group in optimizer.param_groups:
                group["lr"] = torch_common.scheduled_lr(lr, cfg.lr_schedule, step,
                                                        cfg.epochs * len(batches))
            idx = ts.share(idx)
            # teacher forcing: the decoder reads <s> + the true French, predicts it + </s>
            src, lens, tgt_in, tgt_out = seq2seq.teacher_forcing_batch(
                [data.train.source[i] for i in idx], [data.train.target[i] for i in idx],
                ts.device)
            with ts.autocast():
                loss = seq2seq.loss(net(src, lens, tgt_in), tgt_out)  # padding ignored
            optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), cfg.clip)
            optimizer.step()
            losses.append(loss.item())
        train_s += time.perf_counter() - tick
        decoded = seq2seq.decode_all(model, data.val.source, MAX_OUT, EVAL_BATCH, ts.device)
        token_acc, exact = seq2seq.token_scores([d.ids for d in decoded], data.val.target)
        metrics = {"train/loss": float(np.mean(losses)),
                   "val/loss": seq2seq.validation_loss(model, data.val.source, data.val.target,
                                                       EVAL_BATCH, ts.device),
                   "val/token_acc": token_acc, "val/exact_acc": exact}
        run.log(epoch, metrics)
        run.report(epoch, cfg.epochs, metrics)
        best.update(epoch, metrics)

    best.restore()
    run.say(f"keeping the weights of epoch {best.epoch + 1} (best validation token accuracy)")
    final = test_scores(model, data, cfg, ts.device)
    final |= {"val_token_acc": best.value, "best_epoch": best.epoch + 1, "train_s": train_s,
              "test_seen_in_training": data.test_seen}
    run.log(cfg.epochs, {f"final/{k}": v for k, v in final.items()})
    plots.learning_curves(run, title="Translation: loss (teacher forcing) and validation "
                                     "accuracy (greedy decoding)")
    translator = TranslationModel(model, data.en, data.fr, cfg)
    tokens, decoded = translator.translate(EXAMPLE, beam_width=1)
    plots.save(run, "attention", seq2seq.attention_figure(
        tokens, data.fr.decode(decoded.ids), decoded.attention,
        "Attention: which English words each French word looked at"))
    return final, ts.describe()


def test_scores(model, data: translation_data.TranslationData, cfg: TranslationConfig,
                device: torch.device) -> dict[str, float]:
    """Greedy decoding of every test pair; beam search of the first ``beam_test_pairs``."""
    tick = time.perf_counter()
    decoded = seq2seq.decode_all(model, data.test.source, MAX_OUT, EVAL_BATCH, device)
    greedy_s = time.perf_counter() - tick
    outputs = [d.ids for d in decoded]
    token_acc, exact = seq2seq.token_scores(outputs, data.test.target)
    french = [" ".join(data.fr.decode(ids)) for ids in outputs]
    scores = {"test_token_acc": token_acc, "test_exact_acc": exact,
              "test_bleu": seq2seq.bleu(french, data.test.french),
              "test_sentences_per_s": len(outputs) / max(greedy_s, 1e-9)}
    n = min(cfg.beam_test_pairs, len(outputs))
    if n and cfg.beam_width > 1:
        beams = [seq2seq.beam_search(model, data.test.source[i], cfg.beam_width, MAX_OUT,
                                     device).ids for i in range(n)]
        _, beam_exact = seq2seq.token_scores(beams, data.test.target[:n])
        _, greedy_exact = seq2seq.token_scores(outputs[:n], data.test.target[:n])
        scores |= {"test_beam_exact_acc": beam_exact, "test_greedy_exact_acc_same_pairs":
                   greedy_exact, "test_beam_bleu": seq2seq.bleu(
                       [" ".join(data.fr.decode(b)) for b in beams], data.test.french[:n])}
    return {k: v for k, v in scores.items() if math.isfinite(v)}


def load(run_dir: Path) -> TranslationModel:
    trained = runs.Trained(run_dir, TranslationConfig)
    en = seq2seq.Vocab(trained.artifacts["english"])
    fr = seq2seq.Vocab(trained.artifacts["french"])
    model = make_network(trained.config, len(en), len(fr))
    model.load_state_dict(trained.weights("model"))
    model.eval()
    return TranslationModel(model, en, fr, trained.config)


def example_inputs(tmp_path: Path) -> list[str]:
    """What the contract test asks a trained model to translate."""
    return ["new jersey is sometimes quiet during autumn .", "paris is never cold in april ."]
