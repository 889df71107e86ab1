"""State files that are safe to open: arrays in safetensors, everything else as JSON.

A checkpoint must be safe to load when someone else wrote it (a colleague's run, a course forum, a
downloaded archive), so nothing here unpickles. One file holds a whole state tree: nested dicts,
lists and tuples of numbers, strings, ``None``, NumPy arrays and torch tensors. Every array is a
safetensors tensor; the tree, with each array replaced by a reference to it, is JSON in the
safetensors header's metadata. Tensors are written from the CPU, so a run trained on a GPU loads
on any machine; a torch tensor comes back as a CPU torch tensor, an array as an array.

Reading checks the file's shape at every step and raises :class:`StateFileError` (one sentence)
on anything else: a damaged file, another format, a crafted header.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

from dlnd.core.errors import DlndError

FORMAT = "dlnd-state-1"
_ARRAY, _TENSOR, _TUPLE, _DICT = "__dlnd_array__", "__dlnd_tensor__", "__dlnd_tuple__", \
    "__dlnd_dict__"
_MARKERS = (_ARRAY, _TENSOR, _TUPLE, _DICT)


class StateFileError(DlndError):
    """A state file is damaged, of another format, or holds something other than a state tree."""


def _is_torch_tensor(value: Any) -> bool:
    torch = sys.modules.get("torch")  # a project that never imported torch has no tensors
    return torch is not None and isinstance(value, torch.Tensor)


def encode(tree: Any) -> tuple[Any, dict[str, np.ndarray]]:
    """(JSON-able tree, arrays by key): the tree with each array or tensor replaced by a
    reference. Raises TypeError naming the path of anything that is not state."""
    arrays: dict[str, np.ndarray] = {}

    def walk(value: Any, where: str) -> Any:
        if value is None or isinstance(value, bool | int | float | str):
            return value
        if isinstance(value, np.generic):
            return value.item()
        if isinstance(value, np.ndarray):
            if value.dtype.hasobject:
                raise TypeError(f"{where}: arrays of Python objects cannot be saved safely")
            key = str(len(arrays))
            arrays[key] = np.ascontiguousarray(value)
            return {_ARRAY: key, "shape": list(value.shape)}  # safetensors widens 0-d to (1,)
        if _is_torch_tensor(value):
            import torch

            tensor = value.detach().cpu()
            ref = {_TENSOR: str(len(arrays)), "shape": list(tensor.shape)}
            if tensor.dtype == torch.bfloat16:  # NumPy has no bfloat16: stored widened
                ref["dtype"] = "bfloat16"
                tensor = tensor.float()
            arrays[ref[_TENSOR]] = np.ascontiguousarray(tensor.numpy())
            return ref
        if isinstance(value, tuple):
            return {_TUPLE: [walk(v, f"{where}[{i}]") for i, v in enumerate(value)]}
        if isinstance(value, list):
            return [walk(v, f"{where}[{i}]") for i, v in enumerate(value)]
        if isinstance(value, dict):
            if all(isinstance(k, str) and k not in _MARKERS for k in value):
                return {k: walk(v, f"{where}.{k}") for k, v in value.items()}
            return {_DICT: [[walk(k, f"{where} key"), walk(v, f"{where}[{k!r}]")]
                            for k, v in value.items()]}
        raise TypeError(f"{where}: a {type(value).__name__} is not state that can be saved "
                        f"safely (numbers, strings, lists, dicts, arrays and tensors are)")

    return walk(tree, "state"), arrays


def decode(tree: Any, arrays: dict[str, np.ndarray]) -> Any:
    """The inverse of :func:`encode`."""

    def walk(value: Any) -> Any:
        if isinstance(value, list):
            return [walk(v) for v in value]
        if not isinstance(value, dict):
            return value
        if _ARRAY in value:
            return arrays[value[_ARRAY]].reshape(value["shape"])
        if _TENSOR in value:
            import torch

            tensor = torch.from_numpy(arrays[value[_TENSOR]].reshape(value["shape"]))
            return tensor.to(torch.bfloat16) if value.get("dtype") == "bfloat16" else tensor
        if _TUPLE in value:
            return tuple(walk(v) for v in value[_TUPLE])
        if _DICT in value:
            return {_hashable(walk(k)): walk(v) for k, v in value[_DICT]}
        return {k: walk(v) for k, v in value.items()}

    try:
        return walk(tree)
    except (KeyError, TypeError, ValueError) as exc:
        raise StateFileError(f"the state tree refers to a missing or malformed entry ({exc})") \
            from None


def _hashable(key: Any) -> Any:
    return tuple(_hashable(k) for k in key) if isinstance(key, list) else key


def to_bytes(tree: Any) -> bytes:
    from safetensors.numpy import save

    encoded, arrays = encode(tree)
    return save(arrays, metadata={"format": FORMAT, "tree": json.dumps(encoded)})


def read(path: Path) -> Any:
    """The state tree in ``path``; :class:`StateFileError` when it is not a dlnd state file."""
    from safetensors import SafetensorError, safe_open

    path = Path(path)
    try:
        with safe_open(str(path), framework="numpy") as fh:
            meta = fh.metadata() or {}
            if meta.get("format") != FORMAT:
                raise StateFileError(f"{path} is not a dlnd state file (format "
                                     f"{meta.get('format')!r}, expected {FORMAT!r})")
            arrays = {key: fh.get_tensor(key) for key in fh.keys()}
            tree = json.loads(meta["tree"])
    except StateFileError:
        raise
    except (SafetensorError, OSError, ValueError, KeyError, TypeError) as exc:
        raise StateFileError(f"{path} is damaged or not a dlnd state file "
                             f"({type(exc).__name__}: {str(exc)[:120]})") from None
    try:
        return decode(tree, arrays)
    except StateFileError as exc:
        raise StateFileError(f"{path}: {exc}") from None
