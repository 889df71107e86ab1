"""Sentiment projects: tokenising, n-gram features, Trask's network, NBSVM, the RNN, predict."""

import numpy as np
import pytest
import torch

import dlnd
from dlnd.app.cli import main
from dlnd.core.errors import ConfigError
from dlnd.core.runs import read_metrics
from dlnd.projects.sentiment_network.model import SentimentNetwork
from dlnd.projects.sentiment_rnn.model import SentimentRNN, pad
from dlnd.projects.sentiment_rnn.train import one_rnn_per_direction, probabilities
from dlnd.shared import text

HARD_INPUTS = ["this movie was a complete waste of time", "", "   ", "<br /><br />",
               "Ça a été génial!! 10/10 <br />Un chef-d'œuvre", "日本語のレビュー 😀", "&amp; <i>"]


def test_tokenize_strips_html_and_keeps_any_script():
    assert text.tokenize("Great film.<br /><br />I LOVED it!") == [
        "great", "film", "i", "loved", "it", "!"]
    assert text.tokenize("Ça été génial, 10/10") == ["ça", "été", "génial", "10", "10"]
    assert text.tokenize("don't") == ["don", "t"]  # as in the course's reviews.txt
    assert text.tokenize("") == [] and text.tokenize("<br />&amp; ...") == []


@pytest.mark.parametrize("raw", HARD_INPUTS + ["bromwell high  s satire is much closer"])
def test_tokenisation_round_trips(raw):
    tokens = text.tokenize(raw)
    assert text.tokenize(" ".join(tokens)) == tokens
    vocab = text.Vocabulary.build([tokens], first_id=2)
    assert vocab.decode(vocab.encode(tokens)) == tokens
    assert all(i >= 2 for i in vocab.encode(tokens))


def test_vocabulary_orders_by_frequency_and_handles_unknown_words():
    vocab = text.Vocabulary.build([["b", "a", "b"], ["c", "b", "a"]], min_count=2)
    assert vocab.tokens == ["b", "a"]
    assert vocab.encode(["a", "zzz", "b"]).tolist() == [1, 0]
    assert vocab.encode(["a", "zzz", "b"], unknown=-1).tolist() == [1, -1, 0]


def test_ngram_vocabulary_counts_presence_within_reviews_only():
    train = [["not", "good", "at", "all"], ["not", "good"], ["good", "at", "all"]]
    vocab = text.NgramVocabulary.build(train, max_n=3, min_count=2)
    names = {vocab.name(i) for i in range(vocab.size)}
    assert names == {"not", "good", "at", "all", "not good", "good at", "at all",
                     "good at all"}  # "all not" would cross two reviews
    encoded = vocab.encode([["good", "good", "unseen", "not", "good"], [], ["at", "all"]])
    assert [sorted(vocab.name(i) for i in encoded.row(r)) for r in range(3)] == [
        ["good", "not", "not good"], [], ["all", "at", "at all"]]  # distinct, unknown dropped
    keep = np.array([vocab.name(i) != "good" for i in range(vocab.size)])
    selected = encoded.select(keep)
    assert selected.lengths().tolist() == [2, 0, 3]
    assert selected.ids.max() < keep.sum()


def random_reviews(rng, n_reviews, n_features):
    rows = [np.sort(rng.choice(n_features, rng.integers(0, 8), replace=False))
            for _ in range(n_reviews)]
    offsets = np.concatenate([[0], np.cumsum([len(r) for r in rows])])
    return text.Encoded(np.concatenate(rows).astype(np.int64), offsets.astype(np.int64))


def test_sparse_inputs_give_the_same_network_as_one_hot_inputs():
    """Speed-up 1 changes how the sums are computed, not what is learnt."""
    rng = np.random.default_rng(0)
    batch, labels = random_reviews(rng, 12, 30), rng.integers(0, 2, 12)
    nets = [SentimentNetwork(30, 4, np.random.default_rng(1)) for _ in range(2)]
    for _ in range(5):
        losses = [net.train_step(batch, labels, 0.3, sparse) for net, sparse in
                  zip(nets, (True, False), strict=True)]
        assert losses[0] == pytest.approx(losses[1], rel=1e-5)
    np.testing.assert_allclose(nets[0].w_input_hidden, nets[1].w_input_hidden, atol=1e-6)
    assert np.abs(nets[0].w_input_hidden).max() > 0.01  # it did learn something
    np.testing.assert_allclose(nets[0].run(batch), nets[1].run(batch, sparse=False), atol=1e-6)


def test_rnn_prediction_does_not_depend_on_the_batch():
    torch.manual_seed(0)
    model = SentimentRNN(50, 8, 6, "lstm", bidirectional=True, dropout=0.0,
                         embedding_dropout=0.0)
    seqs = [np.array([5, 6, 7]), np.array([9, 3, 4, 8, 2, 2, 7]), np.array([5, 6, 7])]
    together = probabilities(model, seqs, torch.device("cpu"))
    alone = [probabilities(model, [s], torch.device("cpu"))[0] for s in seqs]
    np.testing.assert_allclose(together, alone, rtol=1e-6)
    ids, lengths = pad(seqs, torch.device("cpu"))
    assert ids.shape == (3, 7) and ids[0, :4].tolist() == [0, 0, 0, 0]  # padded on the left


def test_rnn_reads_both_ways_as_a_bidirectional_gru_and_loads_its_weights():
    torch.manual_seed(0)
    model = SentimentRNN(50, 8, 6, "gru", bidirectional=True, dropout=0.0,
                         embedding_dropout=0.0).eval()
    torch.manual_seed(0)  # the same draws, in the same order, as before the split
    torch.nn.Embedding(50, 8)
    reference = torch.nn.GRU(8, 6, batch_first=True, bidirectional=True)
    torch.testing.assert_close(model.rnn_backward.weight_hh_l0, reference.weight_hh_l0_reverse)
    ids = torch.tensor([[0, 0, 9, 3, 4], [5, 6, 7, 8, 2]])
    with torch.no_grad():
        expected, _ = reference(model.embedding(ids))
        outputs = torch.cat([model.rnn(model.embedding(ids))[0],
                             model.rnn_backward(model.embedding(ids).flip(1))[0].flip(1)], 2)
    torch.testing.assert_close(outputs, expected)
    # a run saved with the one bidirectional GRU loads into the two RNNs
    saved = {**{k: v for k, v in model.state_dict().items() if not k.startswith("rnn")},
             **{f"rnn.{k}": v for k, v in reference.state_dict().items()}}
    twin = SentimentRNN(50, 8, 6, "gru", bidirectional=True, dropout=0.0, embedding_dropout=0.0)
    twin.load_state_dict(one_rnn_per_direction(saved))
    torch.testing.assert_close(twin.rnn_backward.bias_ih_l0, reference.bias_ih_l0_reverse)


def test_rnn_reading_two_words_per_step_groups_them_from_the_end():
    torch.manual_seed(0)
    model = SentimentRNN(50, 8, 6, "gru", bidirectional=True, dropout=0.0,
                         embedding_dropout=0.0, words_per_step=2).eval()
    words = torch.tensor([[9, 3, 4, 8, 7]])
    with torch.no_grad():
        odd = model(words, torch.tensor([5]))
        # one more padding id on the left is what the model adds itself to make whole pairs
        even = model(torch.cat([torch.zeros(1, 1, dtype=torch.long), words], 1),
                     torch.tensor([5]))
        first_word_changed = model(torch.tensor([[2, 3, 4, 8, 7]]), torch.tensor([5]))
    assert model.rnn.input_size == 16
    torch.testing.assert_close(odd, even)
    assert not torch.allclose(odd, first_word_changed)  # the lone first word is still read


def test_rnn_config_checks_the_validation_slice():
    with pytest.raises(ConfigError, match="val_reviews"):
        dlnd.projects.get("sentiment-rnn").make_config(overrides={"train_reviews": 100,
                                                                  "val_reviews": 100})


@pytest.mark.realdata
def test_noise_reduction_keeps_accuracy_with_far_fewer_words(require_data, tmp_path):
    require_data("sentiment")
    lesson = {"train_reviews": 8000, "test_reviews": 1000, "bigrams": False, "epochs": 1,
              "lr": 0.1, "min_count": 1}
    full = dlnd.run("sentiment-network", out=tmp_path, verbose=False, **lesson)
    reduced = dlnd.run("sentiment-network", out=tmp_path, verbose=False,
                       **{**lesson, "min_count": 20, "polarity_cutoff": 0.05})
    full_m, reduced_m = full["metrics"], reduced["metrics"]
    assert full_m["test_acc"] > 0.8  # the lesson's network learns from 8,000 reviews
    assert reduced_m["features"] < 0.3 * full_m["features"]
    assert reduced_m["test_acc"] > full_m["test_acc"] - 0.03
    words = (tmp_path / "sentiment-network").glob("*/polarised_words.txt")
    listing = next(words).read_text()
    assert "most positive" in listing and "worst" in listing.split("most negative")[1]


@pytest.mark.realdata
def test_network_learns_over_epochs_and_predicts_any_text(require_data, tmp_path, capsys):
    require_data("sentiment")
    summary = dlnd.run("sentiment-network", quick=True, out=tmp_path, verbose=False)
    losses = [m["value"] for m in read_metrics(summary["run_dir"]) if m["name"] == "train/loss"]
    assert len(losses) == 2 and losses[1] < 0.7 * losses[0]
    model = dlnd.load(summary["run_dir"])
    p = model.probabilities(["a wonderful , excellent film", "the worst , most boring waste"])
    assert p[0] > 0.5 > p[1]
    assert main(["predict", summary["run_dir"], *HARD_INPUTS]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(HARD_INPUTS)
    assert lines[0].startswith("this movie was a complete waste of time: negative (")
    assert lines[1] == ": no known words in this text"  # no evidence either way: no answer


@pytest.mark.realdata
@pytest.mark.parametrize("project", ["sentiment-ngrams", "sentiment-rnn"])
def test_imdb_models_answer_any_text(project, require_data, tmp_path, capsys):
    require_data("imdb")
    summary = dlnd.run(project, quick=True, out=tmp_path, verbose=False)
    answers = dlnd.load(summary["run_dir"]).predict(HARD_INPUTS)
    assert [a.input for a in answers] == HARD_INPUTS
    unanswered = [a for a in answers if a.note]  # no word the model knows: a note, no label
    assert {a.input for a in unanswered} >= {"", "   ", "<br /><br />", "&amp; <i>"}
    assert all(a.note == "no known words in this text" and a.label == "" and not a.scores
               for a in unanswered)
    for answer in (a for a in answers if not a.note):
        assert answer.scores.keys() == {"positive", "negative"}
        assert answer.probability == answer.scores[answer.label] >= 0.5
        assert sum(answer.scores.values()) == pytest.approx(1.0)
    assert main(["predict", summary["run_dir"], *HARD_INPUTS]) == 0
    assert capsys.readouterr().out.splitlines() == [str(a) for a in answers]


@pytest.mark.realdata
def test_ngrams_quick_run_beats_chance_clearly(require_data, tmp_path):
    require_data("imdb")
    summary = dlnd.run("sentiment-ngrams", quick=True, out=tmp_path, verbose=False)
    assert summary["metrics"]["test_acc"] > 0.8  # 2,000 training reviews, 1,000 test
    model = dlnd.load(summary["run_dir"])
    answers = model.predict(["One of the best films I have seen, a great story.",
                             "Awful. The worst movie ever, a waste of time."])
    assert [a.label for a in answers] == ["positive", "negative"]
