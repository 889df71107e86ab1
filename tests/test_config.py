from dataclasses import dataclass
from typing import Literal

import pytest

from dlnd.core import config
from dlnd.core.config import BaseConfig, param
from dlnd.core.errors import ConfigError


@dataclass
class Toy(BaseConfig):
    hidden_nodes: int = param(8, "units", min=1)
    lr: float = param(0.1, "step size", gt=0)
    layers: tuple[int, ...] = param((4, 4), "widths", min=1)
    cell: Literal["lstm", "gru"] = param("lstm", "cell type")
    shuffle: bool = param(True, "shuffle batches")


def test_defaults_and_layers_in_order():
    cfg = config.build(Toy, {"lr": 0.5}, {"lr": "0.25", "hidden_nodes": "3"})
    assert (cfg.lr, cfg.hidden_nodes, cfg.seed, cfg.device) == (0.25, 3, 0, "auto")


@pytest.mark.parametrize("key,value,expected", [
    ("hidden_nodes", "7", 7), ("lr", "1e-3", 1e-3), ("lr", 2, 2.0), ("shuffle", "no", False),
    ("shuffle", "TRUE", True), ("layers", "8,16", (8, 16)), ("layers", [1, 2], (1, 2)),
    ("cell", "gru", "gru"), ("device", "cuda:1", "cuda:1"),
])
def test_values_are_parsed_and_typed(key, value, expected):
    assert getattr(config.build(Toy, {key: value}), key) == expected


@pytest.mark.parametrize("key,value,message", [
    ("hidden_nodes", "many", "must be int"), ("hidden_nodes", 2.5, "must be int"),
    ("hidden_nodes", True, "must be int"), ("hidden_nodes", 0, "must be >= 1"),
    ("lr", -0.1, "must be > 0"), ("lr", "nan", "finite"), ("shuffle", "maybe", "must be bool"),
    ("cell", "rnn", "'lstm' | 'gru'"), ("layers", "4,0", "must be >= 1"),
    ("device", "tpu", "device must be one of"), ("device", "cuda:0\nx", "must be str"),
    ("device", "cuda:0x", "device must be one of"), ("seed", -1, "must be >= 0"),
    ("seed", 2**64, "must be <= 4294967295"),
])
def test_bad_values_are_rejected(key, value, message):
    with pytest.raises(ConfigError, match=message):
        config.build(Toy, {key: value})


def test_strings_round_trip_through_toml_exactly(tmp_path):
    cfg = config.build(Toy, {"device": "cuda:3"})
    (tmp_path / "c.toml").write_text(config.to_toml(cfg))
    assert config.build(Toy, config.read_toml(tmp_path / "c.toml")) == cfg


def test_unknown_key_suggests_the_closest():
    with pytest.raises(ConfigError, match="unknown config key 'hiden_nodes' for toy; did you mean "
                                          "'hidden_nodes'"):
        config.build(Toy, {"hiden_nodes": 3}, what="toy")


def test_toml_round_trip(tmp_path):
    cfg = config.build(Toy, {"lr": 0.05, "layers": (2, 3), "cell": "gru", "shuffle": False})
    path = tmp_path / "c.toml"
    path.write_text(config.to_toml(cfg))
    assert config.build(Toy, config.read_toml(path)) == cfg
    assert "# step size" in path.read_text()


def test_bad_toml_and_bad_set(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("lr = = 3")
    with pytest.raises(ConfigError, match="not valid TOML"):
        config.read_toml(bad)
    with pytest.raises(ConfigError, match="does not exist"):
        config.read_toml(tmp_path / "missing.toml")
    with pytest.raises(ConfigError, match="key=value"):
        config.parse_assignments(["lr"])
    assert config.parse_assignments(["hidden-nodes=4", "lr = 0.1"]) == {"hidden_nodes": "4",
                                                                        "lr": "0.1"}
