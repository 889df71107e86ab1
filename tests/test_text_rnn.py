"""Text generation (char-rnn, tv-script): batching, tokens, learning, generation, records."""

import math

import numpy as np
import pytest
import torch

import dlnd
from dlnd.app import cli
from dlnd.core.runs import Run, Trained, read_metrics
from dlnd.projects.char_rnn import data as char_data
from dlnd.projects.char_rnn.config import CharRnnConfig
from dlnd.projects.char_rnn.model import CharRnnModel
from dlnd.projects.tv_script import data as script_data
from dlnd.shared import lm, text


def test_windows_carry_each_stream_from_one_window_to_the_next():
    ids = np.arange(50)
    got = list(lm.windows(ids, n_streams=2, seq_len=4))
    assert len(got) == 6  # 49 usable targets -> 2 streams of 24 -> 6 windows of 4
    x0, y0 = got[0]
    np.testing.assert_array_equal(x0, [[0, 1, 2, 3], [24, 25, 26, 27]])
    np.testing.assert_array_equal(y0, x0 + 1)
    x1, _ = got[1]
    np.testing.assert_array_equal(x1[:, 0], x0[:, -1] + 1)  # row r continues row r
    with pytest.raises(dlnd.core.errors.DataError, match="too short"):
        list(lm.windows(np.arange(5), n_streams=2, seq_len=4))


def test_vocabulary_orders_by_frequency_and_maps_rare_words_to_unknown():
    vocab = text.Vocabulary.build(["b a b c b a".split()], min_count=2, unknown_token="<unk>")
    assert vocab.tokens == ["<unk>", "b", "a"] and len(vocab) == 3 and "a" in vocab
    np.testing.assert_array_equal(vocab.encode(["a", "c", "zz"]), [2, 0, 0])


def test_vocabulary_breaks_frequency_ties_by_first_appearance_as_the_course():
    # the course's lookup tables: sorted(Counter(words), key=counts.get, reverse=True)
    words = "the zebra ate an apple the zebra".split()
    vocab = text.Vocabulary.build([words])
    assert vocab.tokens == ["the", "zebra", "ate", "an", "apple"]


def test_text_files_are_read_with_universal_newlines(tmp_path, monkeypatch):
    windows_file = tmp_path / "anna.txt"
    windows_file.write_bytes("Happy families\r\nare all alike;\rÉvery\n".encode())
    monkeypatch.setattr(text.datasets, "path", lambda dataset, name: windows_file)
    assert text.read_text("anna", "anna.txt") == "Happy families\nare all alike;\nÉvery\n"


@pytest.mark.realdata
def test_anna_has_the_courses_83_characters_and_no_carriage_return(require_data):
    require_data("anna")
    corpus = char_data.load(val_fraction=0.1)
    assert len(corpus.vocab) == 83 and "\r" not in corpus.vocab
    assert len(corpus.train) + len(corpus.val) == 1_985_223


def test_course_punctuation_tokens_and_their_way_back():
    line = 'moe_szyslak: (into phone) hey, "homer"! ice-cold beer -- uh-huh?\n'
    tokens = script_data.tokenize(line)
    assert tokens[:4] == ["moe_szyslak:", "||left_parentheses||", "into", "phone"]
    assert "||exclamation_mark||" in tokens and tokens[-1] == "||return||"
    assert tokens[-6:-2] == ["ice-cold", "beer", "||dash||", "uh-huh"]  # hyphens join words
    assert script_data.detokenize(tokens) == line


@pytest.mark.realdata
def test_simpsons_tokens_are_the_courses(require_data):
    require_data("simpsons")
    tokens = script_data.tokenize(script_data.read_script("simpsons"))
    assert (len(tokens), len(set(tokens))) == (69_100, 6_779)  # the course notebook's counts
    assert {"twenty-five", "uh-huh", "barney-shaped_form:"} <= set(tokens)


def test_the_loss_can_use_every_parameter_without_changing_its_value():
    torch.manual_seed(0)
    model = lm.LSTMLanguageModel(50, 8, 16, 1, 0.0, cutoffs=(10, 30))
    frequent_only = torch.randint(0, 10, (2, 5))  # no target reaches the tail clusters
    plain, _ = model(frequent_only, targets=frequent_only)
    model.loss_uses_every_parameter = True  # as under DistributedDataParallel
    touched, _ = model(frequent_only, targets=frequent_only)
    touched.backward()
    assert touched.item() == plain.item()
    assert all(p.grad is not None for p in model.parameters())


def overfit(story: str, tmp_path) -> tuple[CharRnnModel, dict]:
    vocab = text.Vocabulary(sorted(set(story)))
    ids = vocab.encode(story)
    cfg = CharRnnConfig(lstm_size=64, num_layers=1, embedding_dim=16, dropout=0.0, batch_size=2,
                        seq_len=20, lr=0.01, epochs=60, time_budget_s=0, threads=1, device="cpu")
    run = Run.create(tmp_path, "char-rnn", cfg, verbose=False)
    try:
        metrics, _ = lm.fit(cfg, run, lm.Corpus(train=ids, val=ids, vocab=vocab))
    finally:
        run.close()
    network, vocab = lm.load_network(Trained(run.path, CharRnnConfig))
    return CharRnnModel(network, vocab, cfg), metrics


def test_a_tiny_model_memorises_a_short_text_and_regenerates_it_greedily(tmp_path):
    story = "the cat sat on the mat. a dog ate the hat. " * 3
    model, metrics = overfit(story, tmp_path)
    assert metrics["train_loss"] < 0.15 and metrics["val_loss"] < 0.05
    out = model.generate("the cat", length=len(story) - 7, top_k=1, seed=0)
    assert out == story


@pytest.mark.realdata
@pytest.mark.slow
def test_char_rnn_quick_run_learns_and_generates_from_a_prime(tmp_path, require_data):
    require_data("anna")
    summary = dlnd.run("char-rnn", quick=True, out=tmp_path, verbose=False)
    losses = [m["value"] for m in read_metrics(summary["run_dir"]) if m["name"] == "val/loss"]
    assert len(losses) >= 2 and losses[-1] < losses[0] < math.log(83)  # below uniform guessing
    assert summary["metrics"]["val_loss"] == pytest.approx(min(losses))

    model = dlnd.load(summary["run_dir"])
    story = model.generate("Anna", length=80, seed=3)
    assert story.startswith("Anna") and len(story) == 84 and "\r" not in story
    assert story != model.generate("Anna", length=80, seed=4)
    with pytest.warns(UserWarning, match="'€'"):
        assert model.generate("€Anna", 5).startswith("Anna")


@pytest.mark.realdata
@pytest.mark.parametrize("corpus, speaker", [("simpsons", "moe_szyslak:"),
                                             ("seinfeld", "jerry:")])
def test_tv_script_quick_run_writes_a_script_from_a_prime(corpus, speaker, tmp_path,
                                                          require_data, capsys):
    require_data(corpus)
    summary = dlnd.run("tv-script", quick=True, corpus=corpus, out=tmp_path, verbose=False)
    metrics = summary["metrics"]
    bar = {"simpsons": 1.0, "seinfeld": 3.5}[corpus]
    assert metrics["train_loss_margin"] == pytest.approx(bar - metrics["train_loss"])
    assert metrics["val_ppl"] == pytest.approx(math.exp(metrics["val_loss"]))
    assert metrics["val_ppl"] < len(dlnd.load(summary["run_dir"]).vocab) / 4  # << uniform

    prime = speaker[:-1]
    argv = ["generate", summary["run_dir"], "--prime", prime, "--length", "40", "--top-k", "5",
            "--seed", "7"]
    assert cli.main(argv) == 0
    script = capsys.readouterr().out
    assert script.startswith(speaker)  # a bare name is read as the speaker token
    assert "||" not in script and "<unk>" not in script  # punctuation back to text
    assert cli.main(argv) == 0 and capsys.readouterr().out == script

    with pytest.warns(UserWarning, match="'qwxzyv'"):
        text = dlnd.load(summary["run_dir"]).generate(f"{prime} qwxzyv", length=5)
    assert text.startswith(f"{speaker} <unk>")


@pytest.mark.realdata
def test_time_budget_ends_training_cleanly_with_the_best_epoch(tmp_path, require_data):
    require_data("simpsons")
    summary = dlnd.run("tv-script", quick=True, epochs=1000, time_budget_s=2.0, out=tmp_path,
                       verbose=False)
    assert summary["status"] == "completed"
    logged = [m for m in read_metrics(summary["run_dir"]) if m["name"] == "val/loss"]
    assert 1 <= len(logged) < 1000
    assert summary["metrics"]["val_loss"] == min(m["value"] for m in logged)
