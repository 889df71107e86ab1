"""The op table shared by the finite-difference tests and the torch comparison tests.

One line per op: the engine expression, the same expression in torch (given the torch module
as first argument, so this file never imports torch), and the input shapes. ``positive``
draws inputs from [0.5, 2) for ops such as log/sqrt/div.

Two variants are derived from the table, so that every op also runs where NumPy behaves
differently (its ufuncs return immutable scalars for 0-d operands) and where gradients must
add up (a node used several times):

- ``<name>_0d``: the same expressions on 0-d inputs (shape ()), for the ops marked
  ``zero_d=True`` (those that accept a 0-d input in both the engine and torch);
- ``<name>_x3`` (and ``<name>_0d_x3``): ``f(*xs) + f(*xs) + f(*xs)``, every input used three
  times in one graph, so its gradient is the sum of three contributions.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from dlnd.engine import F, concat, stack, where


@dataclass
class Case:
    name: str
    engine: Any
    torch: Any
    shapes: list[tuple[int, ...]]
    positive: bool = False
    zero_d: bool = False  # the same expressions also work on 0-d inputs: derive <name>_0d

    def inputs(self) -> list[np.ndarray]:
        """Float64 inputs, seeded by the case name (stable across runs)."""
        rng = np.random.default_rng(zlib.crc32(self.name.encode()))
        if self.positive:
            return [rng.uniform(0.5, 2.0, s) for s in self.shapes]
        return [rng.standard_normal(s) for s in self.shapes]


_rng = np.random.default_rng(1234)
IDX = np.array([0, 2, 2, 1, 0])  # repeated rows: scatter-add backward
COLS = np.array([3, 1, 1, 0, 3])
MASK = _rng.random((3, 4)) > 0.5
TARGET = np.array([1, 0, 3, 2, 1])
BINARY = (_rng.random((4, 3)) > 0.5).astype(np.float64)
TOKENS = np.array([[0, 3, 3], [5, 1, 0]])
NO = np.array(False)  # a 0-d mask
ONE = np.array(1.0)  # a 0-d target


def _t(torch, a):
    return torch.as_tensor(a)


def C(name, engine, torch, shapes, **kw):
    return Case(name, engine, torch, shapes, **kw)


def C0(name, engine, torch, shapes, **kw):
    """A case whose expressions also accept 0-d inputs: <name>_0d is derived from it."""
    return Case(name, engine, torch, shapes, zero_d=True, **kw)


same2 = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
    "matmul": lambda a, b: a @ b,
}


def _op(name):
    fn = same2[name]
    return fn, (lambda t, a, b: fn(a, b))


CASES: list[Case] = [
    # --- arithmetic and broadcasting
    C0("add", *_op("add"), [(3, 4), (3, 4)]),
    C0("add_bcast_col_row", *_op("add"), [(3, 1), (1, 4)]),
    C0("add_bcast_rank", *_op("add"), [(2, 3, 4), (4,)]),
    C0("add_bcast_scalar_tensor", *_op("add"), [(2, 3), ()]),
    C0("radd_number", lambda a: 2.5 + a, lambda t, a: 2.5 + a, [(3,)]),
    C0("sub_bcast", *_op("sub"), [(2, 3, 4), (3, 1)]),
    C0("rsub_number", lambda a: 1.0 - a, lambda t, a: 1.0 - a, [(3, 2)]),
    C0("mul", *_op("mul"), [(3, 4), (3, 4)]),
    C0("mul_bcast", *_op("mul"), [(4, 1, 3), (2, 3)]),
    C0("rmul_number", lambda a: 3.0 * a, lambda t, a: 3.0 * a, [(2, 2)]),
    C0("div", *_op("div"), [(3, 4), (3, 4)], positive=True),
    C0("div_bcast", *_op("div"), [(3, 4), (4,)], positive=True),
    C0("rdiv_number", lambda a: 2.0 / a, lambda t, a: 2.0 / a, [(5,)], positive=True),
    C0("neg", lambda a: -a, lambda t, a: -a, [(2, 3)]),
    C0("pow_int", lambda a: a**3, lambda t, a: a**3, [(2, 3)]),
    C0("pow_float", lambda a: a**1.5, lambda t, a: a**1.5, [(2, 3)], positive=True),
    C0("pow_negative", lambda a: a**-2, lambda t, a: a**-2, [(4,)], positive=True),
    C0("pow_tensor", lambda a, b: a**b, lambda t, a, b: a**b, [(2, 3), (2, 3)], positive=True),
    C0("rpow_number", lambda a: 2.0**a, lambda t, a: 2.0**a, [(4,)]),
    # --- matmul
    C("matmul", *_op("matmul"), [(2, 3), (3, 4)]),
    C("matmul_batched", *_op("matmul"), [(2, 3, 4), (2, 4, 5)]),
    C("matmul_batch_bcast", *_op("matmul"), [(2, 1, 3, 4), (3, 4, 5)]),
    C("matmul_batched_2d", *_op("matmul"), [(2, 3, 4), (4, 5)]),
    C("matmul_vec_mat", *_op("matmul"), [(3,), (3, 4)]),
    C("matmul_mat_vec", *_op("matmul"), [(2, 3), (3,)]),
    C("matmul_vec_vec", *_op("matmul"), [(3,), (3,)]),
    C("matmul_vec_batched", *_op("matmul"), [(3,), (2, 3, 4)]),
    C("matmul_batched_vec", *_op("matmul"), [(2, 3, 4), (4,)]),
    # --- reductions
    C0("sum_all", lambda a: a.sum(), lambda t, a: a.sum(), [(2, 3, 4)]),
    C("sum_axis", lambda a: a.sum(axis=1), lambda t, a: a.sum(dim=1), [(2, 3, 4)]),
    C("sum_axes_keepdims", lambda a: a.sum(axis=(0, 2), keepdims=True),
      lambda t, a: a.sum(dim=(0, 2), keepdim=True), [(2, 3, 4)]),
    C0("sum_neg_axis", lambda a: a.sum(axis=-1), lambda t, a: a.sum(dim=-1), [(2, 3, 4)]),
    C0("mean_all", lambda a: a.mean(), lambda t, a: a.mean(), [(3, 4)]),
    C("mean_axis_keepdims", lambda a: a.mean(axis=0, keepdims=True),
      lambda t, a: a.mean(dim=0, keepdim=True), [(3, 4)]),
    C0("max_all", lambda a: a.max(), lambda t, a: a.amax(), [(3, 4)]),
    C("max_axis", lambda a: a.max(axis=1), lambda t, a: a.amax(dim=1), [(3, 4, 2)]),
    C0("max_axis_keepdims", lambda a: a.max(axis=-1, keepdims=True),
      lambda t, a: a.amax(dim=-1, keepdim=True), [(3, 4)]),
    C0("min_axis", lambda a: a.min(axis=0), lambda t, a: a.amin(dim=0), [(3, 4)]),
    C("var_axis", lambda a: a.var(axis=1), lambda t, a: a.var(dim=1, correction=0), [(3, 5)]),
    # --- shapes and indexing
    C("reshape", lambda a: a.reshape(4, 6), lambda t, a: a.reshape(4, 6), [(2, 3, 4)]),
    C("reshape_infer", lambda a: a.reshape((-1, 2)), lambda t, a: a.reshape(-1, 2), [(2, 3, 4)]),
    C("transpose_T", lambda a: a.T, lambda t, a: a.T, [(2, 3)]),
    C("transpose_default_3d", lambda a: a.transpose(), lambda t, a: a.permute(2, 1, 0),
      [(2, 3, 4)]),
    C("permute", lambda a: a.permute(1, 2, 0), lambda t, a: a.permute(1, 2, 0), [(2, 3, 4)]),
    C("getitem_slices", lambda a: a[1:, ::2], lambda t, a: a[1:, ::2], [(3, 5)]),
    C("getitem_int_reverse", lambda a: a[0, ::-1], lambda t, a: a[0].flip(0), [(3, 5)]),
    C("getitem_int_array_repeats", lambda a: a[IDX], lambda t, a: a[_t(t, IDX)], [(3, 4)]),
    C("getitem_fancy_2d", lambda a: a[IDX, COLS], lambda t, a: a[_t(t, IDX), _t(t, COLS)],
      [(3, 4)]),
    C("getitem_bool_mask", lambda a: a[MASK], lambda t, a: a[_t(t, MASK)], [(3, 4)]),
    C("getitem_ellipsis_none", lambda a: a[..., None, 1], lambda t, a: a[..., None, 1],
      [(2, 3, 4)]),
    C("concat", lambda a, b: concat([a, b, a], axis=1), lambda t, a, b: t.cat([a, b, a], dim=1),
      [(2, 3), (2, 2)]),
    C("stack", lambda a, b: stack([a, b, a], axis=1), lambda t, a, b: t.stack([a, b, a], dim=1),
      [(2, 3), (2, 3)]),
    # --- elementwise
    C0("exp", lambda a: a.exp(), lambda t, a: a.exp(), [(3, 4)]),
    C0("log", lambda a: a.log(), lambda t, a: a.log(), [(3, 4)], positive=True),
    C0("sqrt", lambda a: a.sqrt(), lambda t, a: a.sqrt(), [(3, 4)], positive=True),
    C0("abs", lambda a: a.abs(), lambda t, a: a.abs(), [(3, 4)]),
    C0("tanh", lambda a: a.tanh(), lambda t, a: a.tanh(), [(3, 4)]),
    C0("sigmoid", lambda a: (a * 4).sigmoid(), lambda t, a: (a * 4).sigmoid(), [(3, 4)]),
    C0("relu", F.relu, lambda t, a: t.relu(a), [(3, 4)]),
    C0("leaky_relu", lambda a: F.leaky_relu(a, 0.2),
      lambda t, a: t.nn.functional.leaky_relu(a, 0.2), [(3, 4)]),
    C0("clip", lambda a: a.clip(-0.5, 0.5), lambda t, a: a.clamp(-0.5, 0.5), [(4, 5)]),
    C0("clip_lower_only", lambda a: a.clip(0.1), lambda t, a: a.clamp(min=0.1), [(4, 5)]),
    C0("where", lambda a, b: where(MASK, a, b), lambda t, a, b: t.where(_t(t, MASK), a, b),
      [(3, 4), (3, 4)]),
    C0("where_bcast", lambda a, b: where(MASK, a, b), lambda t, a, b: t.where(_t(t, MASK), a, b),
      [(3, 1), (4,)]),
    C0("softmax", lambda a: F.softmax(a), lambda t, a: a.softmax(-1), [(3, 5)]),
    C("softmax_axis0", lambda a: F.softmax(a, axis=0), lambda t, a: a.softmax(0), [(3, 5)]),
    C0("log_softmax", lambda a: F.log_softmax(a), lambda t, a: a.log_softmax(-1), [(3, 5)]),
    C("log_softmax_axis1_3d", lambda a: F.log_softmax(a, axis=1),
      lambda t, a: a.log_softmax(1), [(2, 3, 4)]),
    # --- losses
    C("cross_entropy", lambda a: F.cross_entropy(a, TARGET),
      lambda t, a: t.nn.functional.cross_entropy(a, _t(t, TARGET)), [(5, 4)]),
    C("cross_entropy_sum", lambda a: F.cross_entropy(a, TARGET, reduction="sum"),
      lambda t, a: t.nn.functional.cross_entropy(a, _t(t, TARGET), reduction="sum"), [(5, 4)]),
    C("cross_entropy_none", lambda a: F.cross_entropy(a, TARGET, reduction="none"),
      lambda t, a: t.nn.functional.cross_entropy(a, _t(t, TARGET), reduction="none"), [(5, 4)]),
    C("nll_loss", lambda a: F.nll_loss(F.log_softmax(a), TARGET),
      lambda t, a: t.nn.functional.nll_loss(a.log_softmax(-1), _t(t, TARGET)), [(5, 4)]),
    C0("mse_loss", F.mse_loss, lambda t, a, b: t.nn.functional.mse_loss(a, b), [(4, 3), (4, 3)]),
    C0("mse_loss_sum", lambda a, b: F.mse_loss(a, b, reduction="sum"),
      lambda t, a, b: t.nn.functional.mse_loss(a, b, reduction="sum"), [(4, 3), (4, 3)]),
    C("bce_with_logits", lambda a: F.binary_cross_entropy_with_logits(a * 3, BINARY),
      lambda t, a: t.nn.functional.binary_cross_entropy_with_logits(a * 3, _t(t, BINARY)),
      [(4, 3)]),
    C("bce_with_logits_none",
      lambda a: F.binary_cross_entropy_with_logits(a, BINARY, reduction="none"),
      lambda t, a: t.nn.functional.binary_cross_entropy_with_logits(a, _t(t, BINARY),
                                                                    reduction="none"),
      [(4, 3)]),
    C("bce", lambda a: F.binary_cross_entropy(a.sigmoid(), BINARY),
      lambda t, a: t.nn.functional.binary_cross_entropy(a.sigmoid(), _t(t, BINARY)), [(4, 3)]),
    # --- layers
    C("linear", F.linear, lambda t, x, w, b: t.nn.functional.linear(x, w, b),
      [(4, 3), (5, 3), (5,)]),
    C("linear_3d_no_bias", F.linear, lambda t, x, w: t.nn.functional.linear(x, w),
      [(2, 4, 3), (5, 3)]),
    C("conv2d", F.conv2d, lambda t, x, w, b: t.nn.functional.conv2d(x, w, b),
      [(2, 3, 6, 5), (4, 3, 3, 3), (4,)]),
    C("conv2d_stride2_pad1", lambda x, w: F.conv2d(x, w, stride=2, padding=1),
      lambda t, x, w: t.nn.functional.conv2d(x, w, stride=2, padding=1),
      [(2, 2, 7, 6), (3, 2, 3, 2)]),
    C("max_pool2d", lambda x: F.max_pool2d(x, 2), lambda t, x: t.nn.functional.max_pool2d(x, 2),
      [(2, 3, 6, 4)]),
    C("max_pool2d_overlap_pad", lambda x: F.max_pool2d(x, 3, stride=2, padding=1),
      lambda t, x: t.nn.functional.max_pool2d(x, 3, stride=2, padding=1), [(2, 2, 7, 7)]),
    C("avg_pool2d", lambda x: F.avg_pool2d(x, 2), lambda t, x: t.nn.functional.avg_pool2d(x, 2),
      [(2, 3, 6, 4)]),
    C("avg_pool2d_overlap_pad", lambda x: F.avg_pool2d(x, 3, stride=1, padding=1),
      lambda t, x: t.nn.functional.avg_pool2d(x, 3, stride=1, padding=1), [(1, 2, 5, 5)]),
    C("embedding", lambda w: F.embedding(TOKENS, w),
      lambda t, w: t.nn.functional.embedding(_t(t, TOKENS), w), [(6, 4)]),
    C("lstm_recurrence", F.lstm_recurrence, lambda t, *a: _torch_lstm_recurrence(t, *a),
      [(3, 2, 8), (2, 2), (2, 2), (8, 2)]),
    C("batch_norm_train", lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True),
      lambda t, x, w, b: t.nn.functional.batch_norm(x, None, None, w, b, training=True),
      [(6, 3), (3,), (3,)]),
    C("batch_norm_train_4d", lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True),
      lambda t, x, w, b: t.nn.functional.batch_norm(x, None, None, w, b, training=True),
      [(3, 2, 4, 3), (2,), (2,)]),
    # --- 0-d inputs or outputs that need expressions of their own (see also <name>_0d)
    C("reshape_0d_to_1x1", lambda a: a.reshape(1, 1), lambda t, a: a.reshape(1, 1), [()]),
    C("reshape_1x1_to_0d", lambda a: a.reshape(()), lambda t, a: a.reshape(()), [(1, 1)]),
    C("squeeze_to_0d", lambda a: a.squeeze(), lambda t, a: a.squeeze(), [(1, 1)]),
    C("unsqueeze_0d", lambda a: a.unsqueeze(0), lambda t, a: a.unsqueeze(0), [()]),
    C("transpose_0d", lambda a: a.transpose(), lambda t, a: a.permute(()), [()]),
    C("getitem_0d_none", lambda a: a[None], lambda t, a: a[None], [()]),
    C("getitem_0d_empty_tuple", lambda a: a[()], lambda t, a: a[()], [()]),
    C("getitem_to_0d", lambda a: a[1, 2], lambda t, a: a[1, 2], [(3, 4)]),
    C("stack_0d", lambda a, b: stack([a, b, a]), lambda t, a, b: t.stack([a, b, a]), [(), ()]),
    C("where_0d_mask", lambda a, b: where(NO, a, b), lambda t, a, b: t.where(_t(t, NO), a, b),
      [(), (3,)]),
    C("bce_with_logits_0d", lambda a: F.binary_cross_entropy_with_logits(a * 3, ONE),
      lambda t, a: t.nn.functional.binary_cross_entropy_with_logits(a * 3, _t(t, ONE)), [()]),
    C("bce_0d", lambda a: F.binary_cross_entropy(a.sigmoid(), ONE),
      lambda t, a: t.nn.functional.binary_cross_entropy(a.sigmoid(), _t(t, ONE)), [()]),
    C("embedding_0d_index", lambda w: F.embedding(np.array(2), w),
      lambda t, w: t.nn.functional.embedding(_t(t, np.array(2)), w), [(6, 4)]),
    C("linear_1d_input", F.linear, lambda t, x, w, b: t.nn.functional.linear(x, w, b),
      [(3,), (5, 3), (5,)]),
]  # fmt: skip

def _torch_lstm_recurrence(t, x_gates, h, c, w_hh):
    """The LSTM time loop written out in torch ops (gates i, f, g, o)."""
    out = []
    for x_t in x_gates:
        i, f, g, o = (x_t + h @ w_hh.T).chunk(4, dim=1)
        c = f.sigmoid() * c + i.sigmoid() * g.tanh()
        h = o.sigmoid() * c.tanh()
        out.append(t.stack([h, c]))
    return t.stack(out)


def _zero_d(case: Case) -> Case:
    """The same op on 0-d inputs."""
    return replace(case, name=f"{case.name}_0d", shapes=[() for _ in case.shapes], zero_d=False)


def _used_three_times(case: Case) -> Case:
    """Every input used three times in one graph: its gradient adds three contributions."""
    f, tf = case.engine, case.torch
    return replace(
        case,
        name=f"{case.name}_x3",
        engine=lambda *xs: f(*xs) + f(*xs) + f(*xs),
        torch=lambda t, *xs: tf(t, *xs) + tf(t, *xs) + tf(t, *xs),
    )


CASES += [_zero_d(c) for c in CASES if c.zero_d]
CASES += [_used_three_times(c) for c in CASES]
CASE_IDS = [c.name for c in CASES]
assert len(set(CASE_IDS)) == len(CASE_IDS), "duplicate case names"
