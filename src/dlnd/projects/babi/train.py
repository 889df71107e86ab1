"""Train a bAbI question answerer (MemN2N or the course's RNN); load it to answer questions
about a story a user wrote."""

from __future__ import annotations

import re
import time
import warnings
from pathlib import Path

import numpy as np
import torch
from torch.nn import functional as F

from dlnd.core import runs, torch_common
from dlnd.core.errors import InputNote, UsageError
from dlnd.core.project import Prediction
from dlnd.projects.babi import data as babi
from dlnd.projects.babi.config import BabiConfig
from dlnd.projects.babi.model import BabiRNN, MemN2N
from dlnd.shared import plots

EVAL_BATCH = 1000


def make_model(cfg: BabiConfig, vocab_size: int, shapes: babi.Shapes) -> torch.nn.Module:
    if cfg.model == "memn2n":
        return MemN2N(vocab_size, cfg.resolved_dim(), cfg.hops, shapes.memory_size, cfg.tying,
                      cfg.init, cfg.relu_share)
    return BabiRNN(vocab_size, cfg.resolved_dim(), cfg.hidden_size, cfg.hidden_size)


def logits_of(model: torch.nn.Module, batch: babi.Arrays, age: torch.Tensor | None = None
              ) -> tuple[torch.Tensor, torch.Tensor | None]:
    """Answer logits and (MemN2N) the hops' attention for a batch of arrays."""
    if isinstance(model, MemN2N):
        memories = torch.from_numpy(batch.memories)
        # slots empty in every story of the batch get no attention: leave them out (exactly
        # the same answers, and the ages of the other slots are unchanged)
        used = (memories != babi.PAD).any(-1).any(0).nonzero()
        first = int(used.min()) if len(used) else memories.shape[1] - 1
        logits, attention = model(memories[:, first:], torch.from_numpy(batch.questions),
                                  None if age is None else age[:, first:])
        return logits, F.pad(attention, (first, 0))
    story = torch.from_numpy(batch.story)
    used = int((story != babi.PAD).any(0).nonzero().min()) if (story != babi.PAD).any() else 0
    return model(story[:, used:], torch.from_numpy(batch.questions)), None  # less padding


@torch.no_grad()
def evaluate(model: torch.nn.Module, arrays: babi.Arrays) -> dict[str, float]:
    model.eval()
    losses, correct = [], 0
    for start in range(0, len(arrays), EVAL_BATCH):
        batch = arrays.take(np.arange(start, min(start + EVAL_BATCH, len(arrays))))
        logits, _ = logits_of(model, batch)
        answers = torch.from_numpy(batch.answers)
        losses.append(F.cross_entropy(logits, answers, reduction="sum").item())
        correct += int((logits.argmax(1) == answers).sum())
    return {"loss": sum(losses) / len(arrays), "acc": correct / len(arrays)}


def noisy_ages(memory_size: int, n: int, share: float, rng: np.random.Generator) -> torch.Tensor:
    """Temporal indices with random gaps: the paper's random noise, "10% of empty memories
    added to the stories" at random places, seen through the temporal encoding as skipped ages
    (each slot's age grows by the empty memories inserted after it, clipped to the table)."""
    inserted = rng.random((n, memory_size)) < share  # an empty memory after this slot (by age)
    age = np.arange(memory_size)[None, :] + np.cumsum(inserted, axis=1)
    age = np.minimum(age, memory_size - 1)[:, ::-1]  # slot M-1 is the most recent
    return torch.from_numpy(np.ascontiguousarray(age))


def train(cfg: BabiConfig, run: runs.Run) -> tuple[dict[str, float], str]:
    ts = torch_common.setup(cfg, run)
    if ts.device.type != "cpu":
        run.say("these models are tiny: they train on the CPU")
    task = babi.load(cfg.task, cfg.size, cfg.memory_size, cfg.val_fraction, cfg.seed,
                     cfg.max_train, cfg.max_test)
    model = make_model(cfg, len(task.vocab), task.shapes)
    epochs, lr, halving = cfg.resolved_epochs(), cfg.resolved_lr(), cfg.resolved_halving()
    memn2n = isinstance(model, MemN2N)
    if cfg.resolved_optimizer() == "sgd":  # the paper's plain SGD
        optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    else:  # Keras's Adam (fused: one kernel per step for all weights)
        optimizer = torch.optim.Adam(model.parameters(), lr=lr, fused=True)
    best = runs.Best("val/acc", mode="max", model=model)
    run.track(model=model, optimizer=optimizer, best=best, torch_rng=torch_common.TorchRNG())
    answers = sorted({task.vocab.tokens[a] for a in task.train.answers})
    run.keep(vocabulary=task.vocab.tokens, shapes=vars(task.shapes), answers=answers)
    run.say(f"{cfg.task} ({babi.NAMES[int(cfg.task[2:])]}), {cfg.size}: {len(task.train)} "
            f"training, {len(task.val)} validation, {len(task.test)} test questions; "
            f"{len(task.vocab)} words; model {cfg.model}")

    train_s = 0.0
    for epoch in run.epochs(epochs):
        tick = time.perf_counter()
        model.train()
        rng = np.random.default_rng([cfg.seed, epoch])  # a function of the epoch: resumable
        order = rng.permutation(len(task.train))
        if memn2n:
            model.linear = epoch < cfg.linear_start_epochs
            step_lr = lr * 0.5 ** (epoch // halving)
        else:  # Keras's constant step size
            step_lr = lr
        for group in optimizer.param_groups:
            group["lr"] = step_lr
        losses, correct = [], 0
        for start in range(0, len(order), cfg.batch_size):
            batch = task.train.take(order[start:start + cfg.batch_size])
            age = None
            if memn2n and cfg.random_noise > 0:
                age = noisy_ages(task.shapes.memory_size, len(batch), cfg.random_noise, rng)
            logits, _ = logits_of(model, batch, age)
            target = torch.from_numpy(batch.answers)
            loss = F.cross_entropy(logits, target)
            optimizer.zero_grad()
            loss.backward()
            if memn2n:
                torch.nn.utils.clip_grad_norm_(model.parameters(), cfg.clip)
            optimizer.step()
            losses.append(loss.item() * len(batch))
            correct += int((logits.argmax(1) == target).sum())
        train_s += time.perf_counter() - tick
        val = evaluate(model, task.val)
        metrics = {"train/loss": sum(losses) / len(order), "train/acc": correct / len(order),
                   "val/loss": val["loss"], "val/acc": val["acc"], "train/lr": step_lr}
        run.log(epoch, metrics)
        run.report(epoch, epochs, metrics)
        if not (memn2n and model.linear):  # linear-start weights answer without the softmax
            best.update(epoch, metrics)

    best.restore()
    if memn2n:
        model.linear = False
    run.say(f"keeping the weights of epoch {best.epoch + 1} (best validation accuracy)")
    test = evaluate(model, task.test)
    final = {"test_acc": test["acc"], "test_error": 1 - test["acc"], "val_acc": best.value,
             "best_epoch": best.epoch + 1, "train_s": train_s}
    run.log(epochs, {f"final/{k}": v for k, v in final.items()})
    plots.learning_curves(run, title=f"bAbI {cfg.task} ({cfg.size}), {cfg.model}: loss, "
                          f"accuracy, step size")
    if memn2n:
        ex = task.test_examples[0]  # the lesson: where each hop looks in a test story
        fig = BabiModel(model, task.vocab, task.shapes, answers, cfg).attention_figure(
            ex.story, ex.question, truth=ex.answer, supporting=ex.supporting)
        plots.save(run, "attention", fig)
    return final, f"cpu, {torch.get_num_threads()} thread(s)"


class BabiModel:
    """Questions about a story in, answer words out (``dlnd predict RUN --story FILE Q``)."""

    project = "babi"

    def __init__(self, model: torch.nn.Module, vocab: babi.Vocabulary, shapes: babi.Shapes,
                 answers: list[str], config: BabiConfig):
        self.model, self.vocab, self.shapes, self.config = model, vocab, shapes, config
        self.answers = answers
        self.answer_ids = torch.tensor([vocab.ids[a] for a in answers])
        model.eval()

    def predict(self, inputs: list[str], story: Path | str | None = None,
                out: Path | str | None = None) -> list[Prediction]:
        """The answer to each question about the statements of ``story`` (a text file, one
        statement per line; bAbI's numbered lines work too). A question may also bring its own
        statements before it ("Mary went to the kitchen. Where is Mary?"). Words never seen in
        training are left out, with a note; ``out`` draws the memory hops' attention over the
        statements for the first question (MemN2N)."""
        told = read_story(Path(story)) if story is not None else []
        if out is not None and not isinstance(self.model, MemN2N):
            raise UsageError("--out draws the memory hops' attention, which the rnn model does "
                             "not have; train with model = \"memn2n\"")
        asked = [split_input(text) for text in inputs]
        if any(not (told or own) for own, _ in asked):
            raise UsageError("a question needs a story: give one with --story FILE (one "
                             "statement per line), or write the statements before the question "
                             "in the same input")
        unknown = sorted({w for own, q in asked for s in (*told, *own, q)
                          for w in self.vocab.unknown(babi.words(s))})
        if unknown:
            warnings.warn(f"words never seen in training are left out: {', '.join(unknown)}",
                          InputNote, stacklevel=2)
        results, drawn = [], False
        for text, (own, question) in zip(inputs, asked, strict=True):
            statements = told + own
            if not any(w in self.vocab.ids for w in babi.words(question)):
                results.append(Prediction(text, "", 0.0, note="no word of this question was "
                                          "seen in training; it cannot be answered"))
                continue
            example = babi.Example(statements, question, self.answers[0], [])
            arrays = babi.encode([example], self.vocab, self.shapes)
            with torch.no_grad():
                logits, attention = logits_of(self.model, arrays)
            p = logits[0, self.answer_ids].softmax(0).numpy()
            results.append(Prediction.top(text, p, self.answers))
            if out is not None and not drawn:
                self.draw_attention(statements, question, Path(out))
                drawn = True
        return results

    def attention_figure(self, statements: list[str], question: str, *,
                         truth: str | None = None, supporting: list[int] = ()):
        """A heat map of the memory hops' attention p_i: one column per hop, one row per
        statement in memory (each column sums to 1); ``supporting`` facts are starred."""
        example = babi.Example(statements, question, self.answers[0], [])
        arrays = babi.encode([example], self.vocab, self.shapes)
        with torch.no_grad():
            logits, attention = logits_of(self.model, arrays)
        m = self.shapes.memory_size
        kept = statements[-m:]
        first = len(statements) - len(kept)
        rows = attention[0, :, m - len(kept):].T.numpy()  # (statements, hops)
        answer = self.answers[int(logits[0, self.answer_ids].argmax())]
        width = 2.5 + 0.9 * rows.shape[1] + 0.065 * max(map(len, kept), default=10)
        fig = plots.figure(width, 1.3 + 0.28 * len(kept))
        ax = fig.subplots()
        ax.imshow(rows, cmap="Blues", vmin=0, vmax=1, aspect="auto")
        labels = [("* " if i + first in supporting else "") + s for i, s in enumerate(kept)]
        ax.set_yticks(range(len(kept)), labels, fontsize=8)
        ax.set_xticks(range(rows.shape[1]), [f"hop {k + 1}" for k in range(rows.shape[1])])
        for (i, k), value in np.ndenumerate(rows):
            if value >= 0.01:
                ax.text(k, i, f"{value:.2f}", ha="center", va="center", fontsize=7,
                        color="white" if value > 0.6 else "black")
        title = f"Q: {question}  A: {answer}"
        if truth is not None:
            title += f"\n(true answer: {truth}; * marks the supporting facts)"
        ax.set_title(title, fontsize=9)
        return fig

    def draw_attention(self, statements: list[str], question: str, out: Path) -> Path:
        """The attention heat map of one question, as a PNG at ``out``."""
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        fig = self.attention_figure(statements, question)
        FigureCanvasAgg(fig)
        try:
            fig.savefig(out, dpi=100)
        except OSError as exc:
            raise UsageError(f"cannot write {out}: {exc.strerror or exc}") from None
        return out


_SENTENCE = re.compile(r"[^.?!]+[.?!]*")


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.findall(text) if babi.words(s)]


def split_input(text: str) -> tuple[list[str], str]:
    """(the statements an input brings, its question): the last sentence is the question."""
    parts = sentences(text)
    if not parts:
        return [], text
    return parts[:-1], parts[-1]


def read_story(path: Path) -> list[str]:
    """The statements of a story file: one or more per line; bAbI's line numbers and question
    lines (with a tab) are skipped, so a bAbI story can be pasted as it is."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise UsageError(f"cannot read the story {path}: {exc.strerror or exc}") from None
    statements = []
    for line in text.splitlines():
        if "\t" in line:
            continue
        line = re.sub(r"^\s*\d+\s+", "", line)
        statements += [s for s in sentences(line) if not s.endswith("?")]
    if not statements:
        raise UsageError(f"the story {path} has no statements (one per line, e.g. 'Mary went "
                         f"to the kitchen.')")
    return statements


def example_inputs(tmp_path: Path) -> list[str]:
    """Questions with their own short stories, as a user could type them."""
    return ["Mary moved to the bathroom. John went to the hallway. Where is Mary?",
            "Sandra journeyed to the garden. Daniel went back to the kitchen. Where is Daniel?"]


def load(run_dir: Path) -> BabiModel:
    trained = runs.Trained(run_dir, BabiConfig)
    vocab = babi.Vocabulary(trained.artifacts["vocabulary"])
    shapes = babi.Shapes(**{k: int(v) for k, v in trained.artifacts["shapes"].items()})
    model = make_model(trained.config, len(vocab), shapes)
    model.load_state_dict(trained.weights("model"))
    return BabiModel(model, vocab, shapes, list(trained.artifacts["answers"]), trained.config)
