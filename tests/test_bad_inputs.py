"""Bad input is one clear sentence, found before any work starts: config values out of all
proportion (bounds, a memory estimate), a generated text shown as it is written, sentiment
reviews without a known word, image files that are missing, not images, or huge; pictures on a
light ground read by classifiers trained on light-on-dark images. Tiny in-process models only:
nothing here needs the datasets."""

from __future__ import annotations

import struct
import sys
import typing
import zlib
from pathlib import Path

import numpy as np
import pytest

from dlnd import projects
from dlnd.app import cli
from dlnd.core import config as config_mod
from dlnd.core.errors import ConfigError, UsageError
from dlnd.core.project import Prediction

# ----- 1. bounds and the memory estimate -----


def int_typed(tp) -> bool:
    """int, int | None, or tuple[int, ...]: a count or a size."""
    args = [a for a in typing.get_args(tp) if a is not type(None) and a is not Ellipsis]
    return tp is int or (bool(args) and all(a is int for a in args))


@pytest.mark.parametrize("name", list(projects.PROJECTS))
def test_every_count_and_size_setting_has_an_upper_bound(name):
    unbounded = [key for key, (tp, f) in config_mod.fields_of(projects.get(name).config).items()
                 if int_typed(tp) and f.metadata.get("max") is None]
    assert unbounded == []


BENCH_AND_TEST_SETTINGS = [  # bench/*.py recipes and values the tests use
    ("image-classification", {"dataset": "cifar10", "epochs": 10, "batch_size": 512, "lr": 0.4,
                              "widths": (64, 128, 256, 512)}),
    ("char-rnn", {"lstm_size": 1024}), ("tv-script", {"lstm_size": 1024, "corpus": "seinfeld"}),
    ("tv-script", {"softmax_cutoffs": (200, 850), "seq_len": 4}),
    ("tv-script", {"epochs": 1000, "time_budget_s": 2.0}), ("bike-sharing", {"epochs": 400}),
    ("sentiment-network", {"min_count": 20, "polarity_cutoff": 0.05, "train_reviews": 8000}),
]


@pytest.mark.parametrize("name", list(projects.PROJECTS))
def test_defaults_and_quick_settings_stay_valid(name):
    projects.get(name).make_config()
    projects.get(name).make_config(quick=True)


@pytest.mark.parametrize("name, overrides", BENCH_AND_TEST_SETTINGS)
def test_benchmark_and_test_settings_stay_valid(name, overrides):
    projects.get(name).make_config(overrides=overrides)


TYPOS = [  # each once died in an allocator after its run directory existed, or never ended
    ("bike-sharing", "hidden_nodes=1000000000", "'hidden_nodes' must be <= 10000"),
    ("char-rnn", "lstm_size=1000000", "'lstm_size' must be <= 65536"),
    ("tv-script", "lstm_size=1000000", "'lstm_size' must be <= 65536"),
    ("image-classification", "widths=100000,2", "'widths' must be <= 65536"),
    ("bike-sharing", f"epochs={10**20}", "'epochs' must be <= 100000"),
    ("tv-script", f"min_count={10**9}", "'min_count' must be <= 1000000"),
    # within every bound, too big together: refused with the memory estimate
    ("mnist-mlp", "hidden=65536,65536,65536", "about 129 GiB (129 GiB for its 8,642,166,794 "
                                             "parameters"),
    ("char-rnn", "lstm_size=16384", "activations), more than dlnd's limit of 16 GiB; lower "
                                     "lstm_size"),
    ("image-classification", "widths=65536,2", "147 GiB for one batch's activations"),
    ("sentiment-rnn", "embedding_dim=65536", "lower vocab_size, embedding_dim"),
    ("image-classification", "widths=8,8,8,8,8,8", "28-pixel images can be halved only 4 times"),
]


@pytest.mark.parametrize("name, setting, message", TYPOS)
def test_out_of_proportion_settings_are_one_sentence_before_any_run_directory(
        name, setting, message, tmp_path, capsys):
    extra = ["--set", "num_layers=16"] if setting == "lstm_size=16384" else []
    code = cli.main(["run", name, "--set", setting, *extra, "--out", str(tmp_path / "runs")])
    _, err = capsys.readouterr()
    assert code == 2
    assert message in err and "Traceback" not in err and err.count("\n") == 1
    assert not (tmp_path / "runs").exists()


def test_a_low_res_side_too_small_for_the_blocks_is_refused():
    from dlnd.projects.image_classification.config import ImageClassificationConfig

    with pytest.raises(ConfigError, match="low_res_side 8 is too small for 4 blocks that each "
                                          "halve it: give at least 16, or low_res_share 0"):
        ImageClassificationConfig(widths=(8, 8, 8, 8, 8), low_res_side=8).check()
    ImageClassificationConfig(widths=(8, 8, 8, 8, 8), low_res_side=8, low_res_share=0).check()


def test_the_memory_estimate_counts_weights_state_and_activations():
    config_mod.check_memory("x", 10**9 // 4)  # 4 copies of 1 GiB of float32 weights
    with pytest.raises(ConfigError, match=r"about 20 GiB \(16 GiB for its 1,073,741,824 "
                                          r"parameters.*, 4 GiB for one batch's activations\)"):
        config_mod.check_memory("x", 2**30, activations=2**30, copies=4)
    assert config_mod.mlp_parameters((784, 10)) == 7850
    torch = pytest.importorskip("torch")
    assert config_mod.lstm_parameters(16, 32, 2) == sum(
        p.numel() for p in torch.nn.LSTM(16, 32, 2).parameters())
    assert config_mod.lstm_parameters(16, 32, 1, 2, 3) == sum(
        p.numel() for p in torch.nn.GRU(16, 32, bidirectional=True).parameters())


# ----- 2. generated text, as it is written -----


@pytest.fixture
def one_thread():
    torch = pytest.importorskip("torch")
    previous = torch.get_num_threads()
    torch.set_num_threads(1)  # tiny models; leave the other cores alone
    yield torch
    torch.set_num_threads(previous)


def tiny_network(one_thread, vocab_size):
    from dlnd.shared import lm

    one_thread.manual_seed(0)
    return lm.LSTMLanguageModel(vocab_size, 8, 16, 1, 0.0).eval()


@pytest.fixture
def char_model(one_thread):
    from dlnd.projects.char_rnn.config import CharRnnConfig
    from dlnd.projects.char_rnn.model import CharRnnModel
    from dlnd.shared.text import Vocabulary

    vocab = Vocabulary(sorted(set("The cat sat.")))
    return CharRnnModel(tiny_network(one_thread, len(vocab)), vocab, CharRnnConfig())


@pytest.fixture
def script_model(one_thread):
    from dlnd.projects.tv_script.config import TvScriptConfig
    from dlnd.projects.tv_script.data import UNKNOWN
    from dlnd.projects.tv_script.model import TvScriptModel
    from dlnd.shared.text import Vocabulary

    vocab = Vocabulary([UNKNOWN, "moe_szyslak:", "homer_simpson:", "beer", "hey", "||period||",
                        "||quotation_mark||", "||return||", "||comma||"], unknown_token=UNKNOWN)
    return TvScriptModel(tiny_network(one_thread, len(vocab)), vocab, TvScriptConfig())


@pytest.mark.parametrize("which", ["char_model", "script_model"])
def test_models_stream_the_text_they_generate(which, request):
    model = request.getfixturevalue(which)
    pieces = list(model.stream(length=30, seed=3))
    assert len(pieces) == 31  # the prime, then one piece per sampled token
    assert "".join(pieces) == model.generate(length=30, seed=3) == model.generate(length=30,
                                                                                  seed=3)
    assert model.generate(length=30, seed=3) != model.generate(length=30, seed=4)


def test_the_script_detokenizer_spaces_a_stream_as_a_whole_text():
    from dlnd.projects.tv_script.data import Detokenizer, detokenize, tokenize

    line = 'moe_szyslak: "hey, homer." (sighs) ok -- "beer"?\n\nhomer_simpson: no!'
    tokens = tokenize(line)
    text = Detokenizer()
    assert "".join(text.add(t) for t in tokens) == detokenize(tokens)


class Recorder:
    """A stdout that records what was written and flushed, in order."""

    def __init__(self):
        self.events = []

    def write(self, text):
        self.events.append(("write", text))

    def flush(self):
        self.events.append(("flush", None))

    def shown(self):
        """The text written up to the last flush."""
        last = max((i for i, (kind, _) in enumerate(self.events) if kind == "flush"), default=-1)
        return "".join(t for kind, t in self.events[:last + 1] if kind == "write")


def test_generate_prints_each_piece_as_it_comes(monkeypatch, tmp_path):
    out = Recorder()
    seen_before = []

    class Streaming:
        def stream(self, **settings):
            for piece in ["moe: ", "hey", " beer"]:
                seen_before.append(out.shown())
                yield piece

    monkeypatch.setattr(cli, "model_offering", lambda run_dir, offer: Streaming())
    monkeypatch.setattr(sys, "stdout", out)
    assert cli.main(["generate", str(tmp_path), "--length", "2"]) == 0
    assert seen_before == ["", "moe: ", "moe: hey"]  # each piece shown before the next is drawn
    assert out.shown() == "moe: hey beer\n"


def test_an_unknown_prime_word_is_one_note_line(script_model, monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(cli, "model_offering", lambda run_dir, offer: script_model)
    argv = ["generate", str(tmp_path), "--prime", "moe_szyslak qwxzyv", "--length", "3"]
    assert cli.main(argv) == 0
    out, err = capsys.readouterr()
    assert err == "dlnd: note: prime words (read as <unk>) not in the vocabulary: 'qwxzyv'\n"
    assert out.startswith("moe_szyslak: <unk>")


def test_a_tv_script_vocabulary_without_words_is_refused_before_training():
    from dlnd.projects.tv_script import data as script_data

    scenes = [f"moe_szyslak: hello there {i}." for i in range(10)]
    assert len(script_data.split(scenes, 0.2, min_count=2).vocab) > 3
    with pytest.raises(ConfigError, match="min_count=50 leaves 0 word.*nothing to learn"):
        script_data.split(scenes, 0.2, min_count=50)


# ----- 3. sentiment: texts without a known word -----

NO_WORDS = ["", "qwxzyv blorp", "#$% *** --- ..."]  # empty, unknown words, symbols only
REVIEWS = [["a", "great", "film"], ["a", "dull", "film"], ["great", "fun"], ["dull", "plot"]]
LABELS = np.array([1, 0, 1, 0])


def sentiment_network_model():
    from dlnd.projects.sentiment_network import data as net_data
    from dlnd.projects.sentiment_network.config import SentimentNetworkConfig
    from dlnd.projects.sentiment_network.model import SentimentNetwork
    from dlnd.projects.sentiment_network.train import SentimentNetworkModel

    prepared = net_data.build_features(REVIEWS, LABELS, True, 1, 0.0)
    net = SentimentNetwork(prepared.features.size, 4, np.random.default_rng(0))
    for _ in range(20):
        net.train_step(prepared.train_x, LABELS, 0.5)
    return SentimentNetworkModel(net, prepared.features, SentimentNetworkConfig())


def sentiment_ngrams_model():
    from dlnd.projects.sentiment_ngrams.config import SentimentNgramsConfig
    from dlnd.projects.sentiment_ngrams.model import NBLogisticRegression, nb_ratio
    from dlnd.projects.sentiment_ngrams.train import SentimentNgramsModel
    from dlnd.shared import text

    vocabulary = text.NgramVocabulary.build(REVIEWS, 2, 1)
    x = vocabulary.encode(REVIEWS)
    model = NBLogisticRegression(nb_ratio(x, LABELS, vocabulary.size, 1.0))
    model.fit(model.design(x), LABELS, 1e-3, 20)
    return SentimentNgramsModel(model, vocabulary, SentimentNgramsConfig())


def sentiment_rnn_model():
    import torch

    from dlnd.projects.sentiment_rnn import data as rnn_data
    from dlnd.projects.sentiment_rnn.config import SentimentRnnConfig
    from dlnd.projects.sentiment_rnn.train import SentimentRnnModel, make_model
    from dlnd.shared import text

    cfg = SentimentRnnConfig(vocab_size=10, embedding_dim=4, hidden_size=4, max_len=20)
    torch.manual_seed(0)
    vocabulary = text.Vocabulary.build(REVIEWS, max_size=cfg.vocab_size - rnn_data.FIRST_WORD,
                                       first_id=rnn_data.FIRST_WORD)
    return SentimentRnnModel(make_model(cfg), vocabulary, cfg)


SENTIMENT_MODELS = {"sentiment-network": sentiment_network_model,
                    "sentiment-ngrams": sentiment_ngrams_model,
                    "sentiment-rnn": sentiment_rnn_model}


@pytest.mark.parametrize("name", list(SENTIMENT_MODELS))
def test_a_review_without_known_words_gets_a_note_the_others_an_answer(name, one_thread):
    model = SENTIMENT_MODELS[name]()
    assert model.project == name
    answers = model.predict(["a great film", *NO_WORDS, "dull plot"])
    assert [a.note for a in answers] == ["", *["no known words in this text"] * 3, ""]
    assert [a.label for a in answers[1:4]] == ["", "", ""]
    assert all(a.probability == 0 and a.scores == {} for a in answers[1:4])
    assert all(a.label in ("positive", "negative") and 0.5 <= a.probability <= 1
               for a in (answers[0], answers[-1]))
    assert str(answers[2]) == "qwxzyv blorp: no known words in this text"
    assert model.predict(NO_WORDS[:1])[0].note  # alone, too


def test_predict_prints_notes_between_answers(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(cli, "model_offering", lambda run_dir, offer: sentiment_network_model())
    assert cli.main(["predict", str(tmp_path), "a great film", "", "dull plot"]) == 0
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert len(lines) == 3 and err == ""
    assert lines[0].startswith("a great film: positive") and lines[2].startswith("dull plot: ")
    assert lines[1] == ": no known words in this text"


def test_sorted_counts_of_nothing_is_nothing():
    from dlnd.shared.text import sorted_counts

    values, counts = sorted_counts(np.zeros(0, dtype=np.int64))
    assert len(values) == len(counts) == 0


def test_a_prediction_with_a_note_shows_the_note():
    assert str(Prediction("x", "", 0.0, note="why")) == "x: why"
    assert str(Prediction("x", "a", 0.9, {"a": 0.9, "b": 0.1})) == "x: a (90.0%); b 10.0%"


def test_sentiment_ngrams_refuses_a_min_count_that_leaves_no_word(monkeypatch, tmp_path):
    from dlnd.core.runs import Run
    from dlnd.projects.sentiment_ngrams import data as ngram_data
    from dlnd.projects.sentiment_ngrams import train as ngram_train
    from dlnd.projects.sentiment_ngrams.config import SentimentNgramsConfig

    monkeypatch.setattr(ngram_data, "load", lambda *a: ngram_data.Reviews(REVIEWS, LABELS))
    cfg = SentimentNgramsConfig(min_count=1000)
    run = Run.create(tmp_path, "sentiment-ngrams", cfg, verbose=False)
    try:
        with pytest.raises(ConfigError, match="min_count=1000 leaves no word"):
            ngram_train.train(cfg, run)
    finally:
        run.close()


# ----- 4. image files -----


def png_header_only(path: Path, width: int, height: int) -> Path:
    """A PNG that declares ``width`` x ``height`` grey pixels (its data is never reached)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data)))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
                     + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b""))
    return path


def bad_image_files(folder: Path) -> list[tuple[Path, str]]:
    from PIL import Image

    good = folder / "good.png"
    Image.new("L", (64, 64), 200).save(good)
    cut = folder / "cut.png"
    cut.write_bytes(good.read_bytes()[:60])
    (folder / "notes.txt").write_text("not an image")
    (folder / "folder.png").mkdir()
    return [(png_header_only(folder / "huge.png", 20000, 20000),
             "has 400,000,000 pixels, more than the"),
            (folder / "missing.png", "does not exist"),
            (folder / "notes.txt", "is not an image file that can be read"),
            (folder / "folder.png", "is a directory, not an image file"),
            (cut, "is damaged or truncated")]


def test_bad_image_files_are_one_sentence_naming_the_file(tmp_path, one_thread):
    from dlnd.shared import mlp
    from dlnd.shared.vision import data as vision_data

    for path, message in bad_image_files(tmp_path):
        for read in (mlp.read_images, lambda paths: vision_data.read_images(paths, (3, 32, 32))):
            with pytest.raises(UsageError) as caught:
                read([str(path)])
            assert str(path) in str(caught.value) and message in str(caught.value)
            assert "\n" not in str(caught.value)


def test_predict_of_a_huge_image_exits_2_without_a_traceback(tmp_path, monkeypatch, capsys):
    from dlnd.shared.mlp import read_images

    class Reader:
        def predict(self, inputs):
            read_images(inputs)

    monkeypatch.setattr(cli, "model_offering", lambda run_dir, offer: Reader())
    huge = png_header_only(tmp_path / "huge.png", 20000, 20000)
    assert cli.main(["predict", str(tmp_path), str(huge)]) == 2
    _, err = capsys.readouterr()
    assert err.startswith(f"dlnd: error: image file {huge} has 400,000,000 pixels")
    assert err.count("\n") == 1


def dark_square_on_white(path: Path) -> str:
    """A photo-like picture: a dark square stroke on a wide white ground (3:1)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (300, 100), "white")
    ImageDraw.Draw(image).rectangle((110, 10, 190, 90), outline=(20, 20, 20), width=24)
    image.save(path)
    return str(path)


def bright_box(pixels: np.ndarray) -> tuple[int, int]:
    """(height, width) of the box around the bright pixels of a grey image."""
    rows, cols = np.nonzero(pixels > 128)
    return rows.max() - rows.min() + 1, cols.max() - cols.min() + 1


def test_dark_on_light_pictures_are_inverted_and_padded_for_mnist_models(tmp_path, one_thread):
    from dlnd.shared import mlp

    (pixels,) = mlp.read_images([dark_square_on_white(tmp_path / "digit.png")])
    border = np.concatenate([pixels[0], pixels[-1], pixels[:, 0], pixels[:, -1]])
    assert border.max() < 30  # a dark ground, as in the training images
    height, width = bright_box(pixels)  # the square stays square: padded, not stretched
    assert 6 <= height <= 9 and abs(height - width) <= 1

    from PIL import Image

    Image.fromarray(pixels).save(tmp_path / "mnist-like.png")  # light on dark, 28 x 28
    (again,) = mlp.read_images([str(tmp_path / "mnist-like.png")])
    assert np.array_equal(again, pixels)  # read exactly as it is


def test_the_image_classifier_sees_light_on_dark_only_when_trained_on_it(tmp_path, one_thread):
    torch = one_thread
    from dlnd.shared.vision.classifier import ImageClassifier

    class Recording(torch.nn.Module):
        def forward(self, x):
            self.seen = x.clone()
            return torch.zeros(len(x), 10)

    path = dark_square_on_white(tmp_path / "shirt.png")
    grey = ImageClassifier("image-classification", None, Recording(), list("0123456789"),
                           (1, 28, 28), light_on_dark=True)
    (answer,) = grey.predict([path])
    seen = grey.net.seen[0, 0].numpy()
    assert answer.input == path and seen[0].max() < 30 and seen.max() > 200
    colour = ImageClassifier("image-classification", None, Recording(), list("0123456789"),
                             (3, 32, 32))
    colour.predict([path])
    assert colour.net.seen[0, :, 0].min() > 225  # a CIFAR-style model sees the white ground
