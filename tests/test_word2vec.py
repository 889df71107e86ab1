"""word2vec: the sampling formulas on a toy vocabulary, windows, planted structure recovered,
the analogy test equal to gensim's, the exports (gensim round-trip, projector), predict, and
the text8 path on a small slice."""

import gzip

import numpy as np
import pytest

import dlnd
from dlnd.core import datasets
from dlnd.core.errors import ConfigError
from dlnd.projects.word2vec import data as w2v_data
from dlnd.projects.word2vec import train as w2v_train
from dlnd.projects.word2vec.model import Vectors, Word2VecModel, similarity_to_probability

TOY_COUNTS = np.array([1000, 400, 100, 30, 7, 5])


def test_subsampling_follows_mikolovs_formula():
    sample = 1e-2
    keep = w2v_data.keep_probabilities(TOY_COUNTS, sample)
    threshold = sample * TOY_COUNTS.sum()
    for count, p in zip(TOY_COUNTS, keep, strict=True):
        want = min((np.sqrt(count / threshold) + 1) * threshold / count, 1.0)
        assert p == pytest.approx(want)
    assert keep[0] < keep[1] < keep[2] and keep[-1] == 1.0  # frequent words dropped most
    assert (w2v_data.keep_probabilities(TOY_COUNTS, 0) == 1).all()


def test_subsample_draws_at_those_rates():
    corpus = w2v_data.build([["a"] * 9000 + ["b"] * 900 + ["c"] * 100], min_count=1)
    keep = w2v_data.keep_probabilities(corpus.counts, 1e-3)
    kept = w2v_data.subsample(corpus, keep, np.random.default_rng(0))
    rates = np.bincount(corpus.ids[kept], minlength=3) / corpus.counts
    assert rates == pytest.approx(keep, abs=0.03)


def test_negative_table_shares_are_unigram_to_the_three_quarters():
    size = 100_000
    table = w2v_data.negative_table(TOY_COUNTS, size)
    shares = np.bincount(table, minlength=len(TOY_COUNTS)) / size
    want = TOY_COUNTS ** 0.75 / (TOY_COUNTS ** 0.75).sum()
    assert np.abs(shares - want).max() <= 1.0 / size + 1e-12
    assert table.min() == 0 and table.max() == len(TOY_COUNTS) - 1


def test_vocabulary_min_count_and_frequency_order():
    corpus = w2v_data.build([["x", "b", "a", "b"], ["a", "b", "rare"]], min_count=2)
    assert corpus.words == ["b", "a"] and corpus.counts.tolist() == [3, 2]
    assert corpus.raw_words == 7 and corpus.total == 5
    assert corpus.doc.tolist() == [0, 0, 0, 1, 1]


def test_windows_are_dynamic_and_stop_at_documents():
    doc = np.array([0, 0, 0, 0, 1, 1])
    reach = np.array([2, 1, 2, 1, 2, 2])
    pos, mask = w2v_data.windows(doc, reach, window=2)  # offsets -2, -1, 1, 2
    assert [sorted(pos[i][mask[i]].tolist()) for i in range(6)] == \
        [[1, 2], [0, 2], [0, 1, 3], [2], [5], [4]]


def test_tokenizer_and_plain_text_documents(tmp_path):
    path = tmp_path / "t.txt.gz"
    with gzip.open(path, "wt") as fh:
        fh.write("The King's men, 3 of them!\n\nÉcole café\n")
    assert list(w2v_data.plain_documents(path)) == \
        [["the", "king", "s", "men", "3", "of", "them"], ["école", "café"]]


def planted_corpus(path, groups=8, size=6, docs=1500, length=12, seed=0):
    """Documents each made of words of one group: words co-occur with their group only."""
    rng = np.random.default_rng(seed)
    lines = []
    for _ in range(docs):
        g = rng.integers(groups)
        lines.append(" ".join(f"g{g}w{rng.integers(size)}" for _ in range(length)))
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.mark.parametrize("model,threads", [("skipgram", 1), ("cbow", 1), ("skipgram", 2)])
def test_neighbours_recover_planted_cooccurrence(model, threads, tmp_path):
    corpus = planted_corpus(tmp_path / "planted.txt")
    summary = dlnd.run("word2vec", out=tmp_path, verbose=False, corpus=str(corpus), model=model,
                       dim=16, min_count=1, sample=0, epochs=3, batch_size=64, threads=threads,
                       table_size=10_000, projector_words=20)
    assert summary["device"].startswith("cpu, 2 Hogwild") == (threads == 2)
    vecs = dlnd.load(summary["run_dir"]).vectors
    hits = total = 0
    for word in vecs.words:
        group = word.split("w")[0]
        near = [w for w, _ in vecs.neighbours(word, 5)]
        hits += sum(w.split("w")[0] == group for w in near)
        total += len(near)
    assert hits / total > 0.95


def test_analogy_test_equals_gensims(tmp_path):
    from gensim.models import KeyedVectors

    rng = np.random.default_rng(1)
    words = [f"w{i}" for i in range(60)]
    vectors = rng.normal(size=(60, 8)).astype(np.float32)
    # plant some true analogies: w(10+i) = w(i) + d
    d = rng.normal(size=8).astype(np.float32) * 2
    vectors[10:20] = vectors[0:10] + d
    lines = [": planted"] + [f"w{i} w{10 + i} w{j} w{10 + j}" for i in range(10)
                             for j in range(10) if i != j]
    lines += [": random"] + [" ".join(f"w{k}" for k in rng.choice(60, 4, replace=False))
                             for _ in range(100)]
    lines += ["w1 w2 w3 unknown", "W1 W11 W2 W12"]  # out of vocabulary; upper case
    questions = tmp_path / "q.txt"
    questions.write_text("\n".join(lines) + "\n")
    ours = Vectors(words, vectors).evaluate_analogies(w2v_data.read_questions(questions),
                                                      restrict=50)
    kv = KeyedVectors(8)
    kv.add_vectors(words, vectors)
    score, sections = kv.evaluate_word_analogies(str(questions), restrict_vocab=50)
    assert ours.accuracy == pytest.approx(score)
    assert ours.asked == len(sections[-1]["correct"]) + len(sections[-1]["incorrect"])
    assert ours.sections["planted"][0] > 0


@pytest.mark.realdata
def test_quick_run_exports_for_gensim_tensorboard_and_predict(tmp_path, require_data):
    from gensim.models import KeyedVectors

    require_data("word2vec", "imdb")
    summary = dlnd.run("word2vec", quick=True, out=tmp_path, verbose=False)
    run_dir = tmp_path / "word2vec" / summary["run_dir"].rsplit("/", 1)[-1]
    model = dlnd.load(run_dir)
    kv = KeyedVectors.load_word2vec_format(str(run_dir / "vectors.txt"))
    assert kv.index_to_key == model.vectors.words
    assert np.allclose(kv.vectors, model.vectors.raw, rtol=1e-5, atol=1e-7)
    assert {"pca.png", "learning_curves.png", "metadata.tsv", "projector_vectors.tsv",
            "projector_config.pbtxt"} <= {p.name for p in run_dir.iterdir()}
    meta = (run_dir / "metadata.tsv").read_text().splitlines()
    rows = (run_dir / "projector_vectors.tsv").read_text().splitlines()
    assert meta == model.vectors.words[:500] and len(rows) == 500
    assert len(rows[0].split("\t")) == model.config.dim

    (near, analogy, several, oov, bad_analogy) = model.predict(
        ["the", "a : the :: of : ?", "of the", "qwxzzy", "a : qwxzzy :: of : ?"])
    assert near.label and near.label != "the" and 0 <= near.probability <= 1
    assert list(near.scores)[0] == near.label and len(near.scores) == 5
    assert analogy.label not in ("a", "the", "of") and not analogy.note
    assert several.label not in ("of", "the")
    assert oov.note and oov.probability == 0 and not oov.label
    assert "qwxzzy" in bad_analogy.note


def test_similarity_mapping_keeps_order_within_zero_one():
    values = [similarity_to_probability(c) for c in (-1.0, -0.2, 0.0, 0.5, 1.0, 1.0000001)]
    assert values == sorted(values) and values[0] == 0 and values[2] == 0.5
    assert all(0 <= v <= 1 for v in values)


def test_text8_corpus_from_the_cache(tmp_path, monkeypatch):
    """text8 is not here offline: a small text8-style slice put where a download would land."""
    (tmp_path / "text8").mkdir()
    words = [f"w{i % 37}" for i in range(3000)]
    (tmp_path / "text8" / "text8").write_text(" " + " ".join(words))  # one line, as text8
    monkeypatch.setenv("DLND_CACHE", str(tmp_path))
    monkeypatch.setenv("DLND_OFFLINE", "1")
    if datasets.data_dir() is not None and (datasets.data_dir() / "text8").exists():
        pytest.skip("a real text8 is in the data folder")
    corpus = w2v_data.load("text8", min_count=5)
    assert corpus.raw_words == 3000 and len(corpus.words) == 37


def test_bad_corpus_is_a_config_error_before_any_run(tmp_path):
    with pytest.raises(ConfigError, match="plain-text file"):
        w2v_data.sources(str(tmp_path / "missing.txt"))
    with pytest.raises(ConfigError, match="plain-text file"):
        dlnd.run("word2vec", out=tmp_path / "runs", verbose=False, corpus="imbd")
    assert not (tmp_path / "runs").exists()


def test_word2vec_text_format_round_trips_through_gensim(tmp_path):
    from gensim.models import KeyedVectors

    rng = np.random.default_rng(0)
    vecs = Vectors(["alpha", "béta", "c"], rng.normal(size=(3, 5)).astype(np.float32))
    path = w2v_train.write_word2vec_text(tmp_path / "v.txt", vecs)
    kv = KeyedVectors.load_word2vec_format(str(path))
    assert kv.index_to_key == vecs.words
    assert np.allclose(kv.vectors, vecs.raw, rtol=1e-5)
    model = Word2VecModel(vecs, None)
    assert model.predict(["alpha"])[0].label in ("béta", "c")
