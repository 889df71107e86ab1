"""Neural style transfer: the losses against hand-computed values, Gatys' loop, the transformer
network's train / save / load / stylise cycle, and loading torchvision VGG state dicts."""

import math
from pathlib import Path

import pytest
import torch

import dlnd
from dlnd.core.errors import DataError
from dlnd.shared import style


def test_gram_matrix_by_hand():
    # two channels over four positions: a = (1, 2, 3, 4), b = (0, 1, 0, 1)
    features = torch.tensor([[1.0, 2.0, 3.0, 4.0], [0.0, 1.0, 0.0, 1.0]]).reshape(1, 2, 2, 2)
    # a.a = 30, a.b = 6, b.b = 2, each averaged over the 4 positions
    assert torch.allclose(style.gram(features), torch.tensor([[[7.5, 1.5], [1.5, 0.5]]]))


def test_total_variation_by_hand():
    image = torch.tensor([[1.0, 3.0], [4.0, 0.0]]).reshape(1, 1, 2, 2)
    # vertical differences |4-1|, |0-3| -> mean 3; horizontal |3-1|, |0-4| -> mean 3
    assert style.tv_loss(image).item() == pytest.approx(6.0)
    assert style.tv_loss(torch.ones(1, 3, 5, 5)).item() == 0.0


def test_style_and_content_losses_are_relative_distances():
    feats = {"a": torch.tensor([[1.0, 2.0, 3.0, 4.0]]).reshape(1, 1, 2, 2)}
    assert style.content_loss(feats, {"a": 2 * feats["a"]}, ["a"]).item() == pytest.approx(0.25)
    grams = {"a": style.gram(2 * feats["a"])}  # 4x the Gram matrix: (1 - 4)^2 / 4^2
    assert style.style_loss(feats, grams, ["a"]).item() == pytest.approx(9 / 16)


def test_gatys_loop_lowers_style_and_content_losses():
    torch.manual_seed(0)
    net = style.RandomFeatures(2, 3, channels=8, seed=0)
    content, painting = style.landscape(32, seed=1), style.painting(32, seed=2)
    targets = style.StyleTargets(net, painting)
    content_feats = targets.content_features(content)
    pixels = torch.rand(content.shape, generator=torch.Generator().manual_seed(0))
    pixels.requires_grad_(True)
    before = [float(v) for v in targets.losses(pixels.detach(), content_feats)[:2]]
    optimizer = torch.optim.Adam([pixels], lr=0.05)
    for _ in range(60):
        c, s, t = targets.losses(pixels, content_feats)
        optimizer.zero_grad()
        (c + 10 * s).backward()
        optimizer.step()
    after = [float(v) for v in targets.losses(pixels.detach(), content_feats)[:2]]
    assert after[0] < 0.5 * before[0] and after[1] < 0.5 * before[1], (before, after)


def test_style_transfer_quick_run_lowers_its_style_loss(tmp_path):
    summary = dlnd.run("style-transfer", quick=True, out=tmp_path, verbose=False)
    assert summary["metrics"]["style_ratio"] < 0.5
    model = dlnd.load(summary["run_dir"])
    assert model.result.shape == model.content.shape
    assert (tmp_path / "r.png") == model.save(tmp_path / "r.png")


@pytest.mark.realdata
def test_transformer_trains_saves_loads_and_stylises(tmp_path, require_data):
    from dlnd.projects.fast_style_transfer.model import TransformerNet

    require_data("cifar10-sample")  # the project's default content (drawn images here)

    overrides = {"content": "drawn", "content_limit": 10, "val_size": 2, "image_size": 16,
                 "width": 4, "res_blocks": 1, "epochs": 2, "style_size": 32,
                 "predict_size": 24, "random_octaves": 2, "random_channels": 8}
    summary = dlnd.run("fast-style-transfer", out=tmp_path, verbose=False, **overrides)
    assert math.isfinite(summary["metrics"]["style_loss"])
    model = dlnd.load(summary["run_dir"])
    assert isinstance(model.net, TransformerNet)
    photo = style.save_png(style.landscape(40, seed=3), tmp_path / "photo.png")
    (answer,) = model.predict([str(photo)], out=tmp_path / "styled.jpg")
    assert answer.label == str(tmp_path / "styled.jpg")
    from PIL import Image

    with Image.open(answer.label) as written:
        assert written.size == (24, 24)  # longest side predict_size, a multiple of 4
    (beside,) = model.predict([str(photo)])  # no --out: next to the input
    assert beside.label == str(tmp_path / "photo-styled.png") and Path(beside.label).exists()
    image = torch.rand(1, 3, 16, 16)
    assert torch.equal(model.stylise(image), model.stylise(image))
    assert model.stylise(image).shape == image.shape


@pytest.mark.realdata
def test_the_small_vgg_trains_and_gives_named_features(tmp_path, require_data):
    require_data("cifar10-sample")
    net, train, val = style.small_vgg(0.125, seed=0)
    before = net[1].features[0].weight.clone()
    style.train_small_vgg(net, train, val, steps=2, seed=0, batch_size=8)
    assert not torch.equal(before, net[1].features[0].weight)
    features = style.TrainedFeatures(net.eval(), 0.125)
    out = features(torch.rand(2, 3, 32, 32))
    assert set(out) == set(style.SMALL_STYLE) | set(style.SMALL_CONTENT)
    assert out["relu3_1"].shape == (2, 32, 8, 8)
    assert all(not p.requires_grad for p in features.parameters())


def torchvision_layout(architecture):
    """A state dict with the keys and shapes of torchvision's VGG (random numbers)."""
    net = style.VGGFeatures(architecture)
    state = {k: torch.randn(shape) * 0.01 for k, shape in net.expected_shapes().items()}
    state["classifier.0.weight"] = torch.zeros(2, 2)  # ignored: the features are all we use
    return state


# torchvision's conv layers (features.N), from its vgg16-397923af.pth and vgg19-dcbb9e9d.pth
TORCHVISION_CONVS = {"vgg16": [0, 2, 5, 7, 10, 12, 14, 17, 19, 21, 24, 26, 28],
                     "vgg19": [0, 2, 5, 7, 10, 12, 14, 16, 19, 21, 23, 25, 28, 30, 32, 34]}


@pytest.mark.parametrize("architecture", ["vgg16", "vgg19"])
def test_vgg_keys_are_torchvisions(architecture):
    shapes = style.VGGFeatures(architecture).expected_shapes()
    convs = TORCHVISION_CONVS[architecture]
    assert set(shapes) == {f"features.{i}.{p}" for i in convs for p in ("weight", "bias")}
    assert shapes["features.0.weight"] == (64, 3, 3, 3)
    assert shapes[f"features.{convs[-1]}.weight"] == (512, 512, 3, 3)


@pytest.mark.parametrize("architecture", ["vgg16", "vgg19"])
def test_a_torchvision_layout_state_dict_loads(architecture, tmp_path):
    state = torchvision_layout(architecture)
    torch.save(state, tmp_path / "vgg.pth")
    net = style.VGGFeatures(architecture)
    net.load_file(str(tmp_path / "vgg.pth"))
    assert torch.equal(net.features[0].weight, state["features.0.weight"])
    out = net(torch.rand(1, 3, 32, 32))
    assert set(out) == set(style.VGG_STYLE) | set(style.VGG_CONTENT)
    assert out["relu5_1"].shape == (1, 512, 2, 2)


def test_a_state_dict_with_wrong_keys_or_shapes_is_refused_naming_them(tmp_path):
    state = torchvision_layout("vgg19")
    del state["features.34.bias"]
    state["features.99.weight"] = torch.zeros(1)
    state["features.2.weight"] = torch.zeros(64, 3, 3, 3)
    torch.save(state, tmp_path / "bad.pth")
    with pytest.raises(DataError) as err:
        style.VGGFeatures("vgg19").load_file(str(tmp_path / "bad.pth"))
    message = str(err.value)
    assert "missing features.34.bias" in message
    assert "unexpected features.99.weight" in message
    assert "features.2.weight (64, 3, 3, 3) (want (64, 64, 3, 3))" in message
    # a VGG-16 file is not a VGG-19 one: VGG-19's extra layers are missing
    torch.save(torchvision_layout("vgg16"), tmp_path / "vgg16.pth")
    with pytest.raises(DataError, match="not a torchvision vgg19 state dict"):
        style.VGGFeatures("vgg19").load_file(str(tmp_path / "vgg16.pth"))
    with pytest.raises(DataError, match="does not exist"):
        style.VGGFeatures("vgg19").load_file(str(tmp_path / "none.pth"))


def test_vgg_features_without_weights_is_a_config_error():
    from dlnd.core.errors import ConfigError
    from dlnd.projects.style_transfer.config import StyleTransferConfig

    with pytest.raises(ConfigError, match="needs ImageNet weights"):
        dlnd.projects.get("style-transfer").make_config(sets={"features": "vgg19"})
    assert StyleTransferConfig().features == "random"
