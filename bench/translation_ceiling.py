"""How far the corpus lets the translation scores go. small_vocab_fr renders one English clause
in several ways ("during autumn": "en automne", "pendant l' automne", "au cours de l'
automne" ...), some of different lengths, which shifts every later position of the
position-wise token accuracy. This bench scores a predictor that knows, for every English
clause, the French rendering most frequent in the training pairs, on the held-out test pairs of
the default split (two-clause pairs whose both clauses occur at least MIN_SEEN times in
training), with the project's own metric. One JSON line:
``{"project", "subset", "pairs", "token_acc", "exact_acc", "wall_s"}``.

    DLND_DATA_DIR=../shared/data python bench/translation_ceiling.py
"""

import json
import time
from collections import Counter, defaultdict

from dlnd.projects.translation import data
from dlnd.projects.translation.config import TranslationConfig
from dlnd.shared.seq2seq import token_scores

MIN_SEEN = 5  # training occurrences of a clause before its majority rendering is trusted
COMMA = " , "  # the corpus joins its two clauses with a spaced comma in both languages


def clauses(sentence: str) -> list[str]:
    return sentence.split(COMMA)


started = time.monotonic()
cfg = TranslationConfig()
split = data.load(cfg.pairs, cfg.test_fraction, cfg.val_pairs, cfg.seed)
renderings: list[defaultdict[str, Counter]] = [defaultdict(Counter), defaultdict(Counter)]
for english, french in zip(split.train.english, split.train.french, strict=True):
    en, fr = clauses(english), clauses(french)
    if len(en) == len(fr) == 2:
        for position in (0, 1):
            renderings[position][en[position]][fr[position]] += 1

predicted, references = [], []
for english, french in zip(split.test.english, split.test.french, strict=True):
    en = clauses(english)
    if len(en) != 2 or any(sum(renderings[i][en[i]].values()) < MIN_SEEN for i in (0, 1)):
        continue
    majority = [renderings[i][en[i]].most_common(1)[0][0] for i in (0, 1)]
    predicted.append(COMMA.join(majority).split())
    references.append(french.split())

token_acc, exact_acc = token_scores(predicted, references)
print(json.dumps({"project": "translation",
                  "subset": f"two-clause test pairs, both clauses seen >= {MIN_SEEN} times",
                  "pairs": len(references), "token_acc": round(token_acc, 4),
                  "exact_acc": round(exact_acc, 4),
                  "wall_s": round(time.monotonic() - started, 1)}), flush=True)
