"""bAbI tasks: reading the files, vocabulary, and the arrays both models train on.

A bAbI file is a sequence of stories. Each line is ``ID text``; ID 1 starts a new story.
Statements are plain sentences; a question line holds ``question<TAB>answer<TAB>supporting IDs``
and is asked about every statement of its story before it (later questions of the same story see
the statements in between too). Answers are one word, or a few joined by commas (qa8 ``apple,
football``, qa19 ``n,w``): each distinct answer is one word of the vocabulary, as in Keras's
babi_rnn and the MemN2N paper.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from dlnd.core import datasets
from dlnd.core.errors import DataError

NAMES = {1: "single-supporting-fact", 2: "two-supporting-facts", 3: "three-supporting-facts",
         4: "two-arg-relations", 5: "three-arg-relations", 6: "yes-no-questions",
         7: "counting", 8: "lists-sets", 9: "simple-negation", 10: "indefinite-knowledge",
         11: "basic-coreference", 12: "conjunction", 13: "compound-coreference",
         14: "time-reasoning", 15: "basic-deduction", 16: "basic-induction",
         17: "positional-reasoning", 18: "size-reasoning", 19: "path-finding",
         20: "agents-motivations"}
TASKS = tuple(f"qa{i}" for i in NAMES)
FOLDERS = {"1k": "en", "10k": "en-10k"}
# The offline copy lacks en-10k's qa3 training file (over 4 MiB; see the data MANIFEST): a run
# of qa3 on 10k reads it from the cache after a download, and the benchmark uses qa3 on 1k.
MISSING_OFFLINE = ("10k", "qa3")

PAD = 0  # the nil word: padding of sentences, stories and questions (a zero embedding)
UNK = 1  # a word never seen in training (only in predict: training data are all known)
RESERVED = ("<nil>", "<unk>")

_TOKEN = re.compile(r"[\w']+|[.?!]")


def file_name(task: str, size: str, split: str) -> str:
    number = int(task[2:])
    return f"tasks_1-20_v1-2/{FOLDERS[size]}/qa{number}_{NAMES[number]}_{split}.txt"


def all_files() -> tuple[tuple[str, str], ...]:
    """Every (dataset, file) a run may read, but en-10k qa3 train (missing offline)."""
    return tuple(("babi", file_name(t, s, split)) for s in FOLDERS for t in TASKS
                 for split in ("train", "test") if (s, t, split) != (*MISSING_OFFLINE, "train"))


def tokenize(sentence: str) -> list[str]:
    """Lower-cased words and the sentence marks . ? ! as tokens of their own."""
    return _TOKEN.findall(sentence.lower())


def words(sentence: str) -> list[str]:
    """The words of a sentence without its punctuation (what a memory holds)."""
    return [t for t in tokenize(sentence) if t not in ".?!"]


@dataclass
class Example:
    story: list[str]  # the statements before the question, oldest first
    question: str
    answer: str
    supporting: list[int]  # indices into ``story`` of the supporting facts


def parse(text: str, source: str = "bAbI text") -> list[Example]:
    """Every question of a bAbI file with its story (statements only) and supporting facts."""
    examples: list[Example] = []
    story: list[str] = []
    index_of: dict[int, int] = {}  # line ID -> index in ``story``
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        head, _, rest = line.strip().partition(" ")
        if not head.isdigit():
            raise DataError(f"{source} line {number} does not start with a line number: "
                            f"{line[:60]!r}")
        line_id = int(head)
        if line_id == 1:
            story, index_of = [], {}
        if "\t" in rest:
            fields = rest.split("\t")
            if len(fields) < 2 or not fields[1].strip():
                raise DataError(f"{source} line {number}: a question without an answer")
            facts = fields[2].split() if len(fields) > 2 else []
            try:
                supporting = [index_of[int(f)] for f in facts]
            except (KeyError, ValueError):
                raise DataError(f"{source} line {number}: supporting fact {facts} is not a "
                                f"statement of its story") from None
            examples.append(Example(list(story), fields[0].strip(), fields[1].strip().lower(),
                                    supporting))
        else:
            index_of[line_id] = len(story)
            story.append(rest.strip())
    return examples


def read(task: str, size: str, split: str) -> list[Example]:
    name = file_name(task, size, split)
    try:
        path = datasets.path("babi", name)
    except DataError as exc:
        if (size, task) != MISSING_OFFLINE:
            raise
        raise DataError(f"{exc}; or run qa3 on 1k (size = \"1k\"), as bench/babi.py "
                        f"does") from None
    return parse(datasets.read_text(path), source=name)


class Vocabulary:
    """Words <-> ids; 0 is the nil word, 1 a word never seen in training."""

    def __init__(self, tokens: list[str]):
        self.tokens = list(tokens)
        self.ids = {t: i for i, t in enumerate(self.tokens)}

    @classmethod
    def build(cls, examples: list[Example]) -> Vocabulary:
        seen: set[str] = set()
        for ex in examples:
            for sentence in (*ex.story, ex.question):
                seen.update(tokenize(sentence))
            seen.add(ex.answer)
        return cls([*RESERVED, *sorted(seen)])

    def __len__(self) -> int:
        return len(self.tokens)

    def encode(self, tokens: list[str]) -> list[int]:
        return [self.ids.get(t, UNK) for t in tokens]

    def unknown(self, tokens: list[str]) -> list[str]:
        return [t for t in tokens if t not in self.ids]


@dataclass
class Arrays:
    """One split as padded arrays.

    ``memories`` (N, M, L): the last M statements of each story, one per row, oldest first,
    aligned to the end (empty rows before them are nil); ``story`` (N, S): the whole story as one
    word sequence with its full stops, left-padded (the RNN's input); ``questions`` (N, Q),
    ``answers`` (N,) and ``supporting`` (N, M) (1 where a memory is a supporting fact)."""

    memories: np.ndarray
    story: np.ndarray
    questions: np.ndarray
    answers: np.ndarray
    supporting: np.ndarray

    def __len__(self) -> int:
        return len(self.answers)

    def take(self, idx: np.ndarray) -> Arrays:
        return Arrays(self.memories[idx], self.story[idx], self.questions[idx],
                      self.answers[idx], self.supporting[idx])


@dataclass
class Shapes:
    memory_size: int  # M: statements kept (the most recent)
    sentence_len: int  # L: words per statement
    story_len: int  # S: words of a whole story (RNN)
    question_len: int  # Q


def shapes_of(examples: list[Example], memory_size: int) -> Shapes:
    longest_story = max((len(ex.story) for ex in examples), default=1)
    return Shapes(
        memory_size=max(1, min(memory_size, longest_story)),
        sentence_len=max((len(words(s)) for ex in examples for s in ex.story), default=1),
        story_len=max(sum(len(tokenize(s)) for s in ex.story) for ex in examples),
        question_len=max(len(words(ex.question)) for ex in examples))


def encode(examples: list[Example], vocab: Vocabulary, shapes: Shapes) -> Arrays:
    """Arrays of ``examples`` cut to ``shapes`` (longer stories keep their last statements and
    words, longer sentences their first words)."""
    n, m, sl = len(examples), shapes.memory_size, shapes.sentence_len
    memories = np.full((n, m, sl), PAD, dtype=np.int64)
    story = np.full((n, shapes.story_len), PAD, dtype=np.int64)
    questions = np.full((n, shapes.question_len), PAD, dtype=np.int64)
    answers = np.zeros(n, dtype=np.int64)
    supporting = np.zeros((n, m), dtype=np.float32)
    for row, ex in enumerate(examples):
        kept = ex.story[-m:]
        first = len(ex.story) - len(kept)
        for slot, sentence in enumerate(kept, start=m - len(kept)):
            ids = vocab.encode(words(sentence))[:sl]
            memories[row, slot, :len(ids)] = ids
        for fact in ex.supporting:
            if fact >= first:
                supporting[row, m - len(kept) + fact - first] = 1
        flat = vocab.encode([t for s in ex.story for t in tokenize(s)])[-shapes.story_len:]
        if flat:
            story[row, -len(flat):] = flat
        q = vocab.encode(words(ex.question))[:shapes.question_len]
        questions[row, :len(q)] = q
        answers[row] = vocab.ids.get(ex.answer, UNK)
    return Arrays(memories, story, questions, answers, supporting)


@dataclass
class Task:
    train: Arrays
    val: Arrays
    test: Arrays
    test_examples: list[Example]
    vocab: Vocabulary
    shapes: Shapes


def load(task: str, size: str, memory_size: int, val_fraction: float, seed: int,
         max_train: int = 0, max_test: int = 0) -> Task:
    """A task's training questions (a random ``val_fraction`` of them held out for validation)
    and test questions; ``max_train``/``max_test`` (0 = all) cut them for quick runs."""
    train = read(task, size, "train")
    test = read(task, size, "test")
    if max_train:
        train = train[:max_train]
    if max_test:
        test = test[:max_test]
    vocab = Vocabulary.build(train)
    shapes = shapes_of(train, memory_size)
    order = np.random.default_rng(seed).permutation(len(train))
    n_val = max(1, int(round(val_fraction * len(train))))
    everything = encode(train, vocab, shapes)
    return Task(everything.take(np.sort(order[n_val:])), everything.take(np.sort(order[:n_val])),
                encode(test, vocab, shapes), test, vocab, shapes)
