"""What lookups in the training pairs score on translation, beside a trained model: a lower
bound of how far the corpus lets the scores go. small_vocab_fr renders one English clause
in several ways ("during autumn": "en automne", "pendant l' automne", "au cours de l'
automne" ...), some of different lengths, which shifts every later position of the
position-wise token accuracy. This bench scores three lookup predictors on the held-out test
pairs of the default split (two-clause pairs whose both clauses occur at least MIN_SEEN times
in training), with the project's own metric:

- ``clause``: each English clause gets its French rendering most frequent in training;
- ``clause+other``: the same, but keyed also by one word of the other clause (its position
  chosen per clause on the validation pairs), falling back to the clause alone where that
  key was seen fewer than MIN_KEYED times. It shows whether the rest of the sentence tells
  which rendering the corpus chose.
- ``clause+siblings``: the same, keyed by the whole other clause with its month and season
  words masked, backing off to ever shorter beginnings of it, down to the clause alone. Pairs
  that differ only in such a word ("siblings") render each clause the same way in training
  (the line's ``training_consistency``: the share of training clauses rendered as their key's
  majority), so where a sibling was seen the rendering is known; where none was, the rest of
  the sentence tells less.

Trained runs given with ``--run RUN_DIR`` (trained on the default split) are scored
on the same pairs, after greedy decoding, so a model can be set beside the lookups.

One JSON line per predictor: ``{"project", "predictor", "subset", "pairs", "token_acc",
"exact_acc", "first_clause_exact", "second_clause_exact", "wall_s"}``.

    DLND_DATA_DIR=../shared/data python bench/translation_ceiling.py [--run RUN_DIR ...]
"""

import argparse
import json
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np
import torch

from dlnd.projects.translation import data
from dlnd.projects.translation import train as translation
from dlnd.projects.translation.config import TranslationConfig
from dlnd.shared.seq2seq import decode_all, token_scores

MIN_SEEN = 5  # training occurrences of a clause before its majority rendering is trusted
MIN_KEYED = 2  # training occurrences of a (clause, other clause's word) key before it is used
OTHER_WORDS = range(6)  # which word of the other clause may key the rendering
# the corpus's month and season words: sentences that differ only in one of them are siblings
TIMES = frozenset("january february march april may june july august september october "
                  "november december spring summer autumn fall winter".split())
COMMA = " , "  # the corpus joins its two clauses with a spaced comma in both languages


def clauses(sentence: str) -> list[str]:
    return sentence.split(COMMA)


def key(en: list[str], position: int, word: int | None) -> tuple:
    """A clause alone (word None), or with the other clause's word at index ``word``."""
    if word is None:
        return (en[position],)
    return en[position], tuple(en[1 - position].split()[word:word + 1])


def masked_context(en: list[str], position: int) -> tuple[str, ...]:
    """The other clause's words, its month and season words masked."""
    return tuple("<time>" if w in TIMES else w for w in en[1 - position].split())


def two_clause(english: list[str], french: list[str]):
    for e, f in zip(english, french, strict=True):
        en, fr = clauses(e), clauses(f)
        if len(en) == len(fr) == 2:
            yield en, fr, f


parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
parser.add_argument("--run", type=Path, action="append", default=[],
                    help="a trained translation run directory to score on the same pairs")
args = parser.parse_args()
started = time.monotonic()
cfg = TranslationConfig()
models = [translation.load(run_dir) for run_dir in args.run]
for run_dir, model in zip(args.run, models, strict=True):
    split_of = (model.config.pairs, model.config.test_fraction, model.config.val_pairs,
                model.config.seed)
    if split_of != (cfg.pairs, cfg.test_fraction, cfg.val_pairs, cfg.seed):
        # another split could have trained on these test pairs
        sys.exit(f"{run_dir}: trained on another split (pairs, test_fraction, val_pairs, "
                 f"seed = {split_of}); this bench scores the default split's test pairs")
split = data.load(cfg.pairs, cfg.test_fraction, cfg.val_pairs, cfg.seed)
words = (None, *OTHER_WORDS)
renderings = {w: [defaultdict(Counter), defaultdict(Counter)] for w in words}
# (clause, a beginning of the masked other clause) -> its renderings, every beginning's length
by_context = [defaultdict(Counter), defaultdict(Counter)]
for en, fr, _ in two_clause(split.train.english, split.train.french):
    for position in (0, 1):
        for w in words:
            renderings[w][position][key(en, position, w)][fr[position]] += 1
        context = masked_context(en, position)
        for length in range(len(context) + 1):
            by_context[position][en[position], context[:length]][fr[position]] += 1
training_consistency = float(np.mean([
    fr[i] == by_context[i][en[i], masked_context(en, i)].most_common(1)[0][0]
    for en, fr, _ in two_clause(split.train.english, split.train.french) for i in (0, 1)]))


def render_by_siblings(en: list[str], position: int) -> str:
    """The rendering for the longest beginning of the masked other clause seen in training."""
    context = masked_context(en, position)
    for length in range(len(context), -1, -1):
        keyed = by_context[position].get((en[position], context[:length]))
        if keyed:
            return keyed.most_common(1)[0][0]
    raise AssertionError("the clause alone is a key for every seen clause")


def seen(en: list[str]) -> bool:
    return all(sum(renderings[None][i][(en[i],)].values()) >= MIN_SEEN for i in (0, 1))


def render(en: list[str], position: int, word: int | None) -> str:
    keyed = renderings[word][position][key(en, position, word)]
    if word is None or sum(keyed.values()) < MIN_KEYED:
        keyed = renderings[None][position][(en[position],)]
    return keyed.most_common(1)[0][0]


# per clause position, the other clause's word that best predicts the rendering (validation)
best_word = []
for position in (0, 1):
    hits = Counter()
    for en, fr, _ in two_clause(split.val.english, split.val.french):
        if seen(en):
            for w in OTHER_WORDS:
                hits[w] += render(en, position, w) == fr[position]
    best_word.append(hits.most_common(1)[0][0])

test = [(en, f) for en, _, f in two_clause(split.test.english, split.test.french) if seen(en)]
references = [f.split() for _, f in test]


def report(predictor: str, predicted: list[list[str]], **extra) -> None:
    token_acc, exact_acc = token_scores(predicted, references)
    # each clause rendered exactly (an output that is not two clauses gets neither)
    parts = [clauses(" ".join(words)) for words in predicted]
    clause_exact = [sum(len(p) == 2 and p[i] == clauses(f)[i]
                        for p, (_, f) in zip(parts, test, strict=True)) / len(test)
                    for i in (0, 1)]
    print(json.dumps({"project": "translation", "predictor": predictor,
                      "subset": f"two-clause test pairs, both clauses seen >= {MIN_SEEN} times",
                      **extra, "pairs": len(references), "token_acc": round(token_acc, 4),
                      "exact_acc": round(exact_acc, 4),
                      "first_clause_exact": round(clause_exact[0], 4),
                      "second_clause_exact": round(clause_exact[1], 4),
                      "wall_s": round(time.monotonic() - started, 1)}), flush=True)


for predictor, chosen in (("clause", (None, None)), ("clause+other", best_word)):
    report(predictor, [COMMA.join(render(en, i, chosen[i]) for i in (0, 1)).split()
                       for en, _ in test],
           other_clause_word=chosen if predictor != "clause" else None)
report("clause+siblings", [COMMA.join(render_by_siblings(en, i) for i in (0, 1)).split()
                           for en, _ in test],
       training_consistency=round(training_consistency, 4))
for run_dir, model in zip(args.run, models, strict=True):
    sources = [model.en.encode(COMMA.join(en).split()) for en, _ in test]
    outputs = decode_all(model.network, sources, translation.MAX_OUT, 512, torch.device("cpu"))
    report(f"model {run_dir.name}", [model.fr.decode(o.ids) for o in outputs])
