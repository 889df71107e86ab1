"""The two question answerers: the course's RNN (Keras babi_rnn) and an end-to-end memory
network (Sukhbaatar et al. 2015)."""

from __future__ import annotations

import torch
from torch import nn

from dlnd.projects.babi.data import PAD


class BabiRNN(nn.Module):
    """Keras's babi_rnn: the whole story (one word sequence) and the question are each read by
    an LSTM; their final states, side by side, predict the answer word."""

    def __init__(self, vocab_size: int, embedding_dim: int = 50, story_hidden: int = 100,
                 question_hidden: int = 100):
        super().__init__()
        self.story_embedding = nn.Embedding(vocab_size, embedding_dim)
        self.question_embedding = nn.Embedding(vocab_size, embedding_dim)
        self.story_rnn = nn.LSTM(embedding_dim, story_hidden, batch_first=True)
        self.question_rnn = nn.LSTM(embedding_dim, question_hidden, batch_first=True)
        self.output = nn.Linear(story_hidden + question_hidden, vocab_size)

    def forward(self, story: torch.Tensor, question: torch.Tensor) -> torch.Tensor:
        """Answer logits (N, V) for left-padded stories (N, S) and questions (N, Q)."""
        _, (story_state, _) = self.story_rnn(self.story_embedding(story))
        question = left_aligned_to_right(question)  # so the LSTM ends on the question's last word
        _, (question_state, _) = self.question_rnn(self.question_embedding(question))
        return self.output(torch.cat([story_state[-1], question_state[-1]], dim=1))


def left_aligned_to_right(ids: torch.Tensor) -> torch.Tensor:
    """Right-padded rows of ids as left-padded ones (Keras's pad_sequences pads on the left)."""
    lengths = (ids != PAD).sum(1, keepdim=True)
    width = ids.shape[1]
    source = (torch.arange(width, device=ids.device) - (width - lengths)) % width
    shifted = ids.gather(1, source)
    return shifted.masked_fill(torch.arange(width, device=ids.device) < width - lengths, PAD)


def position_encoding(sentence_len: int, dim: int) -> torch.Tensor:
    """The paper's l_kj = (1 - j/J) - (k/d)(1 - 2j/J) for word j of J, embedding unit k of d
    (both from 1): word order matters in a sentence's vector ("the kitchen is north of the
    garden" and "the garden is north of the kitchen" differ)."""
    j = torch.arange(1, sentence_len + 1, dtype=torch.float32).unsqueeze(1) / sentence_len
    k = torch.arange(1, dim + 1, dtype=torch.float32).unsqueeze(0) / dim
    return (1 - j) - k * (1 - 2 * j)  # (J, d)


class MemN2N(nn.Module):
    """End-to-end memory network with ``hops`` hops and position and temporal encoding. Its
    word tables are tied as the paper's two ways:

    - ``adjacent``: hop k reads its memories with embedding A_k = C_{k-1} and its outputs with
      C_k; the question is embedded with B = A_1, the answer predicted with W = C_K^T; so
      ``hops + 1`` word tables (and as many temporal ones) hold all the weights;
    - ``layerwise`` (RNN-like): every hop reads with the same A and C; B and W are their own
      tables; and a linear map H joins the hops: u_{k+1} = H u_k + o_k.

    ``init``: ``paper`` draws every weight from N(0, 0.1); ``xavier`` from N(0, 2 / (rows +
    columns)) for each table (Glorot's normal), ~0.15-0.2 for these tables."""

    def __init__(self, vocab_size: int, dim: int, hops: int, memory_size: int,
                 tying: str = "adjacent", init: str = "xavier", relu_share: float = 0.0):
        super().__init__()
        self.hops, self.memory_size = hops, memory_size
        self.relu_units = round(relu_share * dim)  # the first units of u pass through a ReLU
        if tying == "adjacent":  # table k is A_{k+1} = C_k (B = A_1, W = C_K^T)
            self.hop_tables = [(k, k + 1) for k in range(hops)]  # (memory, output) tables
            self.hop_times = self.hop_tables
            self.answer_table, tables, times = hops, hops + 1, hops + 1
            self.H = None
        elif tying == "layerwise":  # tables B, A, C, W; temporal tables of A and C
            self.hop_tables, self.hop_times = [(1, 2)] * hops, [(0, 1)] * hops
            self.answer_table, tables, times = 3, 4, 2
            self.H = nn.Linear(dim, dim, bias=False)
        else:
            raise ValueError(f"tying must be adjacent or layerwise, not {tying!r}")
        read = [table for pair in self.hop_tables for table in pair]
        self.memory_tables = slice(min(read), max(read) + 1)  # the tables the hops read
        if init not in ("paper", "xavier"):
            raise ValueError(f"init must be paper or xavier, not {init!r}")

        def normal(*shape: int) -> torch.Tensor:  # one table, or a stack of same-shaped ones
            std = 0.1 if init == "paper" else (2 / (shape[-2] + shape[-1])) ** 0.5
            return torch.randn(*shape) * std

        # one tensor for all word tables: fewer, larger steps
        self.embeddings = nn.Parameter(normal(tables, vocab_size, dim))
        # temporal encoding: one vector per memory slot, counted from the most recent statement
        self.temporal = nn.Parameter(normal(times, memory_size, dim))
        if self.H is not None:
            with torch.no_grad():
                self.H.weight.copy_(normal(dim, dim))
        self.linear = False  # linear start: no softmax in the hops while True

    def embed(self, ids: torch.Tensor, tables: slice) -> torch.Tensor:
        """Each sentence of ``ids`` (..., L) as the position-weighted sum of its words' vectors
        in the word tables ``tables``: (..., number of tables, d). The nil word counts nothing.

        Sum_j l_kj E[x_j]_k splits into two bags of words, since l_kj = a_j - (k/d) c_j with
        a_j = 1 - j/J and c_j = 1 - 2j/J: (bag_a E)_k - (k/d)(bag_c E)_k, two matrix products
        for all tables at once (much faster on a CPU than gathering every word's vector)."""
        shape, length = ids.shape[:-1], ids.shape[-1]
        flat = ids.reshape(-1, length)
        j = torch.arange(1, length + 1, dtype=torch.float32, device=ids.device) / length
        real = (flat != PAD).float()
        vocab, dim = self.embeddings.shape[1:]
        bag_a = torch.zeros(len(flat), vocab, device=ids.device).scatter_add_(
            1, flat, real * (1 - j))
        bag_c = torch.zeros(len(flat), vocab, device=ids.device).scatter_add_(
            1, flat, real * (1 - 2 * j))
        chosen = self.embeddings[tables]
        count = len(chosen)
        table = chosen.transpose(0, 1).reshape(vocab, -1)
        k = (torch.arange(1, dim + 1, dtype=torch.float32, device=ids.device) / dim)
        out = (bag_a @ table).view(-1, count, dim) - (bag_c @ table).view(-1, count, dim) * k
        return out.view(*shape, count, dim)

    def forward(self, memories: torch.Tensor, questions: torch.Tensor,
                age: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        """Answer logits (N, V) and each hop's attention over the memories (N, hops, M).

        memories (N, M, L): statements aligned to the end (slot M-1 the most recent), empty rows
        all nil; questions (N, Q); ``age`` (N, M): each slot's temporal index (0 = most recent;
        training adds random gaps, the paper's random noise), by default M-1 .. 0."""
        n, m, _ = memories.shape
        if age is None:
            age = torch.arange(m - 1, -1, -1, device=memories.device).expand(n, m)
        empty = (memories == PAD).all(-1)  # (N, M): slots without a statement
        u = self.embed(questions, slice(0, 1))[:, 0]  # the controller state u_1 = B q  (N, d)
        sentences = self.embed(memories, self.memory_tables)  # (N, M, tables read, d)
        first = self.memory_tables.start
        attention = []
        for (a, c), (time_a, time_c) in zip(self.hop_tables, self.hop_times, strict=True):
            m_i = sentences[:, :, a - first] + self.temporal[time_a][age]  # memory vectors (A)
            c_i = sentences[:, :, c - first] + self.temporal[time_c][age]  # output vectors (C)
            scores = torch.einsum("nmd,nd->nm", m_i, u)  # match u . m_i
            if self.linear:  # linear start: the raw scores, empty slots zeroed
                p = scores.masked_fill(empty, 0.0)
            else:  # p_i = softmax(u . m_i) over the statements
                p = scores.masked_fill(empty, float("-inf")).softmax(dim=1)
                p = torch.nan_to_num(p)  # a story without statements attends to nothing
            o = torch.einsum("nm,nmd->nd", p, c_i)  # response o = sum_i p_i c_i
            # next hop's controller state: u_{k+1} = u_k + o_k (layerwise: H u_k + o_k)
            u = (u if self.H is None else self.H(u)) + o
            if self.relu_units:
                u = torch.cat([u[:, :self.relu_units].relu(), u[:, self.relu_units:]], dim=1)
            attention.append(p)
        logits = u @ self.embeddings[self.answer_table].T  # a = softmax(W u)
        return logits, torch.stack(attention, dim=1)
