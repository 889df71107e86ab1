"""Embedding -> GRU/LSTM over left-padded, length-bucketed batches -> review vector -> logit.

Padding goes on the left, so the forward direction ends on the review's last word; the backward
direction's summary is read at the first real word, and padding is masked out of the max-pool.
(Packed sequences give the same result without padding but were 4x slower on CPU here: 0.68 vs
0.16 s for a batch of 64 x 230 words, so batches are bucketed by length instead.)

The review vector joins the final states with a max over time of the outputs: the final state
alone must carry a 500-word review through one vector, the max-pool keeps the strongest signal
of any position.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from dlnd.projects.sentiment_rnn.data import PAD


class SentimentRNN(nn.Module):
    def __init__(self, vocab_size: int, embedding_dim: int, hidden_size: int, cell: str,
                 bidirectional: bool, dropout: float, embedding_dropout: float):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embedding_dim, padding_idx=PAD)
        self.embedding_dropout = nn.Dropout(embedding_dropout)
        rnn = nn.GRU if cell == "gru" else nn.LSTM
        self.rnn = rnn(embedding_dim, hidden_size, batch_first=True, bidirectional=bidirectional)
        self.hidden_size = hidden_size
        directions = 2 if bidirectional else 1
        self.dropout = nn.Dropout(dropout)
        self.output = nn.Linear(2 * directions * hidden_size, 1)

    def forward(self, ids: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """Logits of P(positive) for left-padded ``ids`` (batch, time) with true ``lengths``."""
        words = self.embedding_dropout(self.embedding(ids))
        outputs, _ = self.rnn(words)  # (batch, time, directions * hidden)
        time_steps = ids.shape[1]
        rows = torch.arange(len(ids), device=ids.device)
        final = [outputs[:, -1, :self.hidden_size]]  # forward: after the last word
        if self.rnn.bidirectional:  # backward: after reading back to the first real word
            final.append(outputs[rows, time_steps - lengths.to(ids.device), self.hidden_size:])
        padding = (ids == PAD).unsqueeze(-1)
        pooled = outputs.masked_fill(padding, float("-inf")).max(dim=1).values
        return self.output(self.dropout(torch.cat([*final, pooled], dim=1)))[:, 0]


def pad(sequences: list[np.ndarray], device: torch.device) -> tuple[torch.Tensor, torch.Tensor]:
    """Left-padded ids (batch, longest) and the lengths."""
    lengths = torch.tensor([len(s) for s in sequences])
    longest = int(lengths.max())
    ids = torch.full((len(sequences), longest), PAD, dtype=torch.long)
    for row, seq in enumerate(sequences):
        ids[row, longest - len(seq):] = torch.from_numpy(seq)
    return ids.to(device), lengths
