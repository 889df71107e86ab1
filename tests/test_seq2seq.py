"""Sequence to sequence (dlnd.shared.seq2seq, seq2seq-letters, translation): attention weights,
greedy and beam decoding, the scores, a tiny model that learns ten pairs by heart, and the
trained translator's predict (unknown words, heat map)."""

import warnings

import numpy as np
import pytest
import torch

import dlnd
from dlnd.core.errors import InputNote, UsageError
from dlnd.shared import seq2seq, text

TEN_PAIRS = [  # the first ten pairs of the course's small_vocab_en / small_vocab_fr
    ("new jersey is sometimes quiet during autumn , and it is snowy in april .",
     "new jersey est parfois calme pendant l' automne , et il est neigeux en avril ."),
    ("the united states is usually chilly during july , and it is usually freezing in "
     "november .", "les états-unis est généralement froid en juillet , et il gèle "
     "habituellement en novembre ."),
    ("california is usually quiet during march , and it is usually hot in june .",
     "california est généralement calme en mars , et il est généralement chaud en juin ."),
    ("the united states is sometimes mild during june , and it is cold in september .",
     "les états-unis est parfois légère en juin , et il fait froid en septembre ."),
    ("your least liked fruit is the grape , but my least liked is the apple .",
     "votre moins aimé fruit est le raisin , mais mon moins aimé est la pomme ."),
    ("his favorite fruit is the orange , but my favorite is the grape .",
     "son fruit préféré est l'orange , mais mon préféré est le raisin ."),
    ("paris is relaxing during december , but it is usually chilly in july .",
     "paris est relaxant en décembre , mais il est généralement froid en juillet ."),
    ("new jersey is busy during spring , and it is never hot in march .",
     "new jersey est occupé au printemps , et il est jamais chaude en mars ."),
    ("our least liked fruit is the lemon , but my least liked is the grape .",
     "notre fruit est moins aimé le citron , mais mon moins aimé est le raisin ."),
    ("the united states is sometimes busy during january , and it is sometimes warm in "
     "november .", "les états-unis est parfois occupé en janvier , et il est parfois chaud "
     "en novembre ."),
]


@pytest.fixture(autouse=True)
def one_thread():
    """Tiny models: one thread is fastest, and fair to a shared machine."""
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)


RECURRENT = ["gru", "gru+attended_rnn", "lstm", "lstm+attended_rnn"]
ARCHS = [*RECURRENT, "transformer"]


def tiny_model(arch="gru", seed=0):
    torch.manual_seed(seed)
    if arch in RECURRENT:
        return seq2seq.Seq2Seq(20, 30, 8, 16, attended_rnn=arch.endswith("attended_rnn"),
                               cell=arch.split("+")[0])
    return seq2seq.TransformerSeq2Seq(20, 30, 16, 2, 1, 32)


def test_transformer_words_start_on_the_positions_scale():
    # scaled by sqrt(d) in _embed, a word vector must not drown its position (std 1): with
    # torch's N(0, 1) start it was sqrt(d) times larger, and the model barely learnt word order
    torch.manual_seed(0)
    model = seq2seq.TransformerSeq2Seq(200, 300, 128, 4, 1, 256).requires_grad_(False)
    for table in (model.src_embedding, model.tgt_embedding):
        assert torch.all(table.weight[seq2seq.PAD] == 0)
        words = torch.cat([table.weight[:seq2seq.PAD], table.weight[seq2seq.PAD + 1:]])
        assert 0.9 < float((words * model.scale).std()) < 1.1
    assert 0.9 < float(model.positions.weight.std()) < 1.1


@pytest.mark.parametrize("arch", ARCHS)
def test_attention_weights_sum_to_one_over_the_real_source_tokens(arch):
    model = tiny_model(arch).eval()
    sources = [[5, 6, 7, 8, 9], [10, 11], [4, 12, 13]]
    src, lengths = seq2seq.pad(sources)
    memory, state = model.encode(src, lengths)
    tokens = torch.full((3,), seq2seq.START)
    for _ in range(4):
        logp, state, weights = model.step(tokens, state, memory)
        assert weights.shape == (3, 5)
        real = src != seq2seq.PAD
        assert torch.allclose((weights * real).sum(1), torch.ones(3), atol=1e-6)
        assert (weights[~real] == 0).all()  # padding gets no attention at all
        assert torch.allclose(logp.exp().sum(1), torch.ones(3), atol=1e-5)
        tokens = logp.argmax(1)


def test_luong_attention_is_a_masked_softmax_of_the_general_score():
    torch.manual_seed(1)
    attention = seq2seq.LuongAttention(4)
    queries, keys = torch.randn(1, 2, 4), torch.randn(1, 3, 4)
    mask = torch.tensor([[True, True, False]])
    contexts, weights = attention(queries, keys, mask)
    scores = queries[0] @ attention.W.weight @ keys[0, :2].T  # h_t . W h_s, real tokens only
    want = torch.softmax(scores, dim=1)
    assert torch.allclose(weights[0, :, :2], want, atol=1e-6)
    assert torch.allclose(contexts[0], want @ keys[0, :2], atol=1e-6)


@pytest.mark.parametrize("arch", ARCHS)
def test_beam_search_of_width_one_is_greedy(arch):
    model = tiny_model(arch, seed=3)
    for source in ([5, 6, 7], [4, 9, 9, 12, 13, 14], [17]):
        (greedy,) = seq2seq.greedy(model, [source], max_len=12)
        beam = seq2seq.beam_search(model, source, width=1, max_len=12)
        assert beam.ids == greedy.ids
        assert beam.log_prob == pytest.approx(greedy.log_prob, abs=1e-5)
        assert np.allclose(beam.attention, greedy.attention, atol=1e-6)


def test_a_wider_beam_never_finds_a_less_likely_output_per_token():
    model = tiny_model(seed=5)
    source = [5, 6, 7, 8]
    scores = [(d.log_prob / (len(d.ids) + 1)) for d in
              (seq2seq.beam_search(model, source, w, max_len=10) for w in (1, 4))]
    assert scores[1] >= scores[0] - 1e-6


def test_token_accuracy_counts_the_reference_tokens_and_never_padding():
    token_acc, exact = seq2seq.token_scores([[4, 5, 6], [4, 5], [7]], [[4, 5, 6], [4, 9, 6], [7]])
    assert token_acc == pytest.approx(5 / 7)  # the short output misses its last token
    assert exact == pytest.approx(2 / 3)
    padded = torch.tensor([[4, 5, 6], [4, 5, seq2seq.PAD]])
    logits = torch.zeros(2, 3, 10)
    logits[0, :, 1] = 5.0  # confidently wrong everywhere, also at the padded position
    loss = seq2seq.loss(logits, padded)
    want = torch.nn.functional.cross_entropy(logits[padded != 0], padded[padded != 0])
    assert loss.item() == pytest.approx(want.item())


@pytest.mark.parametrize("cell", ["gru", "lstm"])
@pytest.mark.parametrize("attended_rnn", [False, True])
def test_a_tiny_model_learns_ten_pairs_by_heart_and_translates_them_exactly(cell, attended_rnn):
    torch.manual_seed(0)
    en = seq2seq.Vocab.build([e.split() for e, _ in TEN_PAIRS])
    fr = seq2seq.Vocab.build([f.split() for _, f in TEN_PAIRS])
    sources = [en.encode(e.split()) for e, _ in TEN_PAIRS]
    targets = [fr.encode(f.split()) for _, f in TEN_PAIRS]
    model = seq2seq.Seq2Seq(len(en), len(fr), 32, 64, attended_rnn=attended_rnn, cell=cell)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    src, lens, tgt_in, tgt_out = seq2seq.teacher_forcing_batch(sources, targets, "cpu")
    for _ in range(150):
        model.train()
        loss = seq2seq.loss(model(src, lens, tgt_in), tgt_out)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    decoded = seq2seq.greedy(model, sources, max_len=30)
    assert [" ".join(fr.decode(d.ids)) for d in decoded] == [f for _, f in TEN_PAIRS]
    assert seq2seq.token_scores([d.ids for d in decoded], targets) == (1.0, 1.0)
    assert seq2seq.bleu([" ".join(fr.decode(d.ids)) for d in decoded],
                        [f for _, f in TEN_PAIRS]) == pytest.approx(100.0)
    beam = seq2seq.beam_search(model, sources[1], width=4, max_len=30)
    assert fr.decode(beam.ids) == TEN_PAIRS[1][1].split()


@pytest.mark.parametrize("cell", ["gru", "lstm"])
def test_the_encoder_reads_a_batch_of_one_length_as_it_reads_each_sentence_alone(cell):
    # a batch without padding runs as it is; in a mixed one the backward direction reads each
    # sentence mirrored in place: both must give each sentence the states it gets alone
    encoder = tiny_model(cell).encoder.eval()
    same, mixed = [[5, 6, 7], [8, 9, 10]], [[11, 12], [5, 6, 7, 8], [9], [13, 14, 15], [4, 5]]
    for batch in (same, mixed):
        src, lengths = seq2seq.pad(batch)
        states, first = encoder(src, lengths)
        for i, sentence in enumerate(batch):
            alone, alone_first = encoder(*seq2seq.pad([sentence]))
            assert torch.allclose(states[i, :len(sentence)], alone[0], atol=1e-6)
            assert torch.allclose(first[:, i], alone_first[:, 0], atol=1e-6)


@pytest.mark.parametrize("arch", RECURRENT)
def test_decoding_one_step_at_a_time_matches_teacher_forcing_all_at_once(arch):
    # greedy and beam search carry the decoder's state from step to step (an LSTM's h and c,
    # with the attended layer both layers' states, stacked); a state dropped or mixed up
    # changes later steps
    model = tiny_model(arch, seed=2).eval()
    src, lengths = seq2seq.pad([[5, 6, 7, 8]])
    tgt_in = torch.tensor([[seq2seq.START, 9, 10, 11]])
    whole = torch.log_softmax(model(src, lengths, tgt_in), dim=-1)[0]
    memory, state = model.encode(src, lengths)
    rows = (2 if arch.startswith("lstm") else 1) * (2 if arch.endswith("attended_rnn") else 1)
    assert state.shape == (rows, 1, 16)
    for t in range(tgt_in.shape[1]):
        logp, state, _ = model.step(tgt_in[:, t], state, memory)
        assert torch.allclose(logp[0], whole[t], atol=1e-5)


def test_bucketed_batches_cover_every_pair_once_with_similar_lengths():
    lengths = np.random.default_rng(0).integers(1, 20, size=1000)
    batches = text.bucketed_batches(lengths, 32, np.random.default_rng(1))
    assert sorted(np.concatenate(batches).tolist()) == list(range(1000))
    spread = [lengths[b].max() - lengths[b].min() for b in batches]
    assert np.median(spread) <= 2
    again = text.bucketed_batches(lengths, 32, np.random.default_rng(1))
    assert all((a == b).all() for a, b in zip(batches, again, strict=True))


@pytest.mark.realdata
def test_the_trained_translator_names_unknown_words_and_draws_its_attention(tmp_path,
                                                                             require_data):
    require_data("translation")
    summary = dlnd.run("translation", quick=True, out=tmp_path, verbose=False)
    model = dlnd.load(summary["run_dir"])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        answers = model.predict(["new jersey is sometimes quiet during autumn .",
                                 "paris is never frobnicated in Zorblax"],
                                out=tmp_path / "heat.png")
    notes = [str(w.message) for w in caught if issubclass(w.category, InputNote)]
    assert len(notes) == 1 and "'frobnicated'" in notes[0] and "'zorblax'" in notes[0]
    assert all(a.label and 0 < a.probability <= 1 for a in answers)
    assert (tmp_path / "heat.png").read_bytes()[:4] == b"\x89PNG"
    assert model.predict([" "])[0].note  # nothing to translate: a note, not a crash


@pytest.mark.realdata
def test_the_letter_sorter_reads_only_letters_it_knows(tmp_path, require_data):
    require_data("letters")
    summary = dlnd.run("seq2seq-letters", quick=True, out=tmp_path, verbose=False)
    model = dlnd.load(summary["run_dir"])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        answers = model.predict(["hello", "AB12", "zyx"], out=tmp_path / "heat.png")
    assert any(issubclass(w.category, InputNote) for w in caught)
    assert answers[1].note and not answers[0].note
    assert (tmp_path / "heat.png").exists()


def test_each_architecture_has_its_own_default_step_size():
    from dlnd.projects.translation.config import TranslationConfig

    assert TranslationConfig().resolved_lr() == 3e-3
    assert TranslationConfig(arch="transformer").resolved_lr() == 1e-3
    assert TranslationConfig(arch="transformer", lr=3e-4).resolved_lr() == 3e-4


def test_a_translation_run_saved_before_the_lstm_default_loads_as_it_was_trained(tmp_path):
    # run directories from before 2026-12-01 hold no attended_rnn or bf16: they trained
    # without either, and must load that way rather than as "edited or damaged"
    from dlnd.core import config, runs
    from dlnd.projects.translation.config import TranslationConfig

    lines = config.to_toml(TranslationConfig(arch="gru")).splitlines()
    old = [line for line in lines if not line.startswith(("attended_rnn", "bf16"))]
    assert len(old) == len(lines) - 2
    (tmp_path / "config.toml").write_text("\n".join(old) + "\n")
    cfg = runs.saved_config(tmp_path, TranslationConfig, "translation")
    assert (cfg.arch, cfg.cell, cfg.attended_rnn, cfg.bf16) == ("gru", "gru", False, False)
    (tmp_path / "config.toml").write_text("\n".join(line for line in old
                                                    if not line.startswith("epochs")) + "\n")
    with pytest.raises(UsageError, match="lacks epochs"):
        runs.saved_config(tmp_path, TranslationConfig, "translation")
