"""The GAN projects and their measures: the Fréchet distance against its closed form, precision
and recall, mode coverage, a GAN covering a mixture of 8 Gaussians, quick runs on real data,
sampling and interpolation, a folder of images as data, checkpoints holding both networks and
both optimizers, and bad data named in one sentence."""

import math

import numpy as np
import pytest
import torch
from PIL import Image
from torch import nn

import dlnd
from dlnd.core import runs
from dlnd.core.errors import ConfigError, DataError
from dlnd.shared import gan, gen_metrics

# ----- the measures -----


def test_frechet_distance_equals_the_closed_form_for_known_gaussians():
    mu1, mu2 = np.array([0.0, 1.0, -2.0]), np.array([1.0, 1.0, 0.5])
    var1, var2 = np.array([1.0, 4.0, 0.25]), np.array([2.0, 1.0, 0.25])
    closed = ((mu1 - mu2) ** 2).sum() + (var1 + var2 - 2 * np.sqrt(var1 * var2)).sum()
    assert gen_metrics.frechet_distance(mu1, np.diag(var1), mu2, np.diag(var2)) == \
        pytest.approx(closed, rel=1e-10)
    # full covariances: Tr((S1 S2)^1/2) by scipy's general matrix square root
    from scipy.linalg import sqrtm

    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(4, 4)), rng.normal(size=(4, 4))
    s1, s2 = a @ a.T + np.eye(4), b @ b.T + np.eye(4)
    m1, m2 = rng.normal(size=4), rng.normal(size=4)
    expected = ((m1 - m2) ** 2).sum() + np.trace(s1 + s2 - 2 * sqrtm(s1 @ s2).real)
    assert gen_metrics.frechet_distance(m1, s1, m2, s2) == pytest.approx(expected, rel=1e-8)
    assert gen_metrics.frechet_distance(m1, s1, m1, s1) == pytest.approx(0, abs=1e-9)


def test_fid_of_samples_approaches_the_closed_form():
    rng = np.random.default_rng(1)
    x = rng.normal(0.0, 1.0, size=(200_000, 2))
    y = rng.normal(3.0, 2.0, size=(200_000, 2))
    closed = 2 * 3.0 ** 2 + 2 * (1 + 4 - 2 * 2)  # per dimension: 9 + (1 + 4 - 2*sqrt(4))
    assert gen_metrics.fid(x, y) == pytest.approx(closed, rel=0.02)


def test_precision_and_recall():
    rng = np.random.default_rng(0)
    real = rng.normal(size=(500, 3))
    assert gen_metrics.precision_recall(real, real.copy()) == (1.0, 1.0)
    precision, recall = gen_metrics.precision_recall(real, real + 100)  # far away: neither
    assert precision == 0.0 and recall == 0.0
    # samples from one corner of the real cloud: precise, but they recall little of it
    corner = real[real[:, 0] > 1.0]
    precision, recall = gen_metrics.precision_recall(real, corner[:len(corner) // 2])
    assert precision > 0.9 and recall < 0.5


def test_class_coverage_and_evenness():
    even = torch.eye(10).repeat(50, 1)  # 50 confident samples of each class
    assert gen_metrics.coverage(even) == {"classes_covered": 10.0, "class_evenness":
                                          pytest.approx(1.0), "confident_share": 1.0}
    one = torch.eye(10)[[3] * 100]
    assert gen_metrics.coverage(one)["classes_covered"] == 1.0
    assert gen_metrics.coverage(one)["class_evenness"] == 0.0
    unsure = torch.full((20, 10), 0.1)
    assert gen_metrics.coverage(unsure)["classes_covered"] == 0.0


def test_inception_fid_is_reported_only_when_it_can_be_had():
    images = torch.randint(0, 256, (4, 1, 28, 28), dtype=torch.uint8)
    value = gen_metrics.inception_fid(images, images)
    assert value is None or math.isfinite(value)  # None offline / without torchmetrics


# ----- the game -----

def eight_modes() -> torch.Tensor:
    angles = torch.arange(8) * 2 * math.pi / 8
    return torch.stack([angles.cos(), angles.sin()], 1) * 0.8


@pytest.fixture
def one_thread():
    """Networks this small run fastest on one thread (two fight over a busy 2-core CPU)."""
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)


def test_a_gan_covers_at_least_7_of_8_gaussian_modes(one_thread):
    torch.manual_seed(0)
    rng = torch.Generator().manual_seed(0)
    modes, hidden, batch = eight_modes(), 128, 128
    generator = nn.Sequential(nn.Linear(8, hidden), nn.ReLU(), nn.Linear(hidden, hidden),
                              nn.ReLU(), nn.Linear(hidden, 2), nn.Tanh())
    discriminator = nn.Sequential(nn.Linear(2, hidden), nn.LeakyReLU(0.2),
                                  nn.Linear(hidden, hidden), nn.LeakyReLU(0.2),
                                  nn.Linear(hidden, 1), nn.Flatten(0))
    opt_g = torch.optim.Adam(generator.parameters(), 2e-3, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(discriminator.parameters(), 2e-3, betas=(0.5, 0.999))
    for _ in range(1000):
        real = modes[torch.randint(8, (batch,), generator=rng)] + \
            0.02 * torch.randn(batch, 2, generator=rng)
        losses = gan.train_step(generator, discriminator, opt_g, opt_d, real,
                                torch.randn(batch, 8, generator=rng))
        assert torch.isfinite(losses).all()
    with torch.no_grad():
        points = generator(torch.randn(2000, 8, generator=rng))
    distance, nearest = torch.cdist(points, modes).min(1)
    counts = torch.bincount(nearest[distance < 0.1], minlength=8)
    assert int((counts >= 20).sum()) >= 7, counts.tolist()  # a mode holds >= 1% of samples


def test_dcgan_networks_make_and_judge_images_of_each_size():
    for shape in ((1, 28, 28), (3, 32, 32), (3, 64, 64)):
        generator, discriminator = gan.DCGenerator(16, shape, 4), gan.DCDiscriminator(shape, 4)
        images = generator(torch.randn(3, 16))
        assert images.shape == (3, *shape) and images.abs().max() <= 1
        assert discriminator(images).shape == (3,)
    with pytest.raises(ConfigError):
        gan.upsamplings(27)


def test_slerp_runs_from_one_vector_to_the_other():
    z0, z1 = torch.randn(10), torch.randn(10)
    path = gan.slerp(z0, z1, 5)
    assert torch.allclose(path[0], z0, atol=1e-5) and torch.allclose(path[-1], z1, atol=1e-5)


# ----- projects on real data -----

@pytest.mark.realdata
def test_dcgan_quick_run_pictures_generate_and_checkpoint(tmp_path, require_data):
    require_data("mnist")
    summary = dlnd.run("dcgan", quick=True, out=tmp_path, verbose=False)
    metrics = summary["metrics"]
    assert math.isfinite(metrics["d_loss"]) and math.isfinite(metrics["g_loss"])
    assert math.isfinite(metrics["fid_domain"]) and metrics["fid_domain"] >= 0
    assert 0 <= metrics["precision"] <= 1 and 0 <= metrics["recall"] <= 1
    run_dir = tmp_path / "dcgan" / summary["run_dir"].rsplit("/", 1)[-1]
    assert sorted(p.name for p in (run_dir / "samples").iterdir()) == \
        ["epoch_001.png", "epoch_002.png"]
    with Image.open(run_dir / "samples.gif") as gif:
        assert gif.n_frames == 2
    assert (run_dir / "class_histogram.png").exists()
    # both networks, both optimizers and the noise generator are in the checkpoint
    state = runs.load_checkpoint(run_dir)
    assert {"generator", "discriminator", "opt_g", "opt_d", "rng"} <= state["tracked"].keys()
    assert state["tracked"]["opt_d"]["state"]  # Adam's moments, not just its settings

    model = dlnd.load(run_dir)
    assert model.draws_images
    default = model.generate(n=9, seed=3)
    assert default.parent == run_dir / "generated" and default.exists()
    with Image.open(default) as grid:
        assert grid.width == grid.height  # 3x3
    row = model.generate(n=6, out=tmp_path / "row.png", seed=3, interpolate=True)
    with Image.open(row) as picture:
        assert picture.width > 5 * picture.height  # one row of six
    images = model.images(n=6, seed=3, interpolate=True)
    ends = model.images(n=2, seed=3)
    # the row's ends are the two noise vectors' images (to a pixel level: batch sizes round
    # differently in the convolutions)
    assert (images[[0, -1]].int() - ends.int()).abs().max() <= 1


def test_dcgan_epochs_zero_means_the_datasets_own():
    from dlnd.projects.dcgan.config import DcganConfig
    from dlnd.projects.gan_mnist.config import GanMnistConfig

    assert DcganConfig().resolved_epochs() == 2  # MNIST
    assert DcganConfig(data="fashion-mnist").resolved_epochs() == 6
    assert DcganConfig(data="fashion-mnist", epochs=3).resolved_epochs() == 3  # by hand wins
    assert GanMnistConfig(data="fashion-mnist", epochs=5).resolved_epochs() == 5


def test_a_quick_run_trains_the_epochs_its_dataset_resolves(tmp_path, require_data):
    require_data("fashion-mnist")
    summary = dlnd.run("dcgan", quick=True, out=tmp_path, verbose=False, epochs=0,
                       data="fashion-mnist")
    run_dir = tmp_path / "dcgan" / summary["run_dir"].rsplit("/", 1)[-1]
    assert len(list((run_dir / "samples").iterdir())) == 6


@pytest.mark.realdata
def test_gan_mnist_quick_run_on_fashion_mnist(tmp_path, require_data):
    require_data("fashion-mnist")
    summary = dlnd.run("gan-mnist", quick=True, out=tmp_path, verbose=False,
                       data="fashion-mnist")
    assert summary["status"] == "completed"
    assert all(math.isfinite(v) for v in summary["metrics"].values())


def write_faces(folder, n=80, size=40):
    """Small colour pictures of a face-like blob (a stand-in for CelebA offline)."""
    rng = np.random.default_rng(0)
    folder.mkdir(parents=True)
    yy, xx = np.mgrid[:size, :size]
    for i in range(n):
        cx, cy, r = size / 2 + rng.normal(0, 2), size / 2 + rng.normal(0, 2), 12 + rng.normal()
        face = ((xx - cx) ** 2 + (yy - cy) ** 2 < r * r)[..., None]
        colour = np.array([200, 150, 120]) + rng.normal(0, 20, 3)
        pixels = np.where(face, colour, [30, 30, 60]).clip(0, 255).astype(np.uint8)
        Image.fromarray(pixels).save(folder / f"face{i:03d}.{'png' if i % 2 else 'jpg'}")


def test_face_generation_learns_from_a_folder_of_images(tmp_path):
    faces = tmp_path / "faces"
    write_faces(faces)
    summary = dlnd.run("face-generation", quick=True, out=tmp_path / "runs", verbose=False,
                       data=str(faces) + "/", batch_size=16)
    assert summary["status"] == "completed"
    assert {"d_loss", "g_loss"} <= summary["metrics"].keys()
    assert "fid_domain" not in summary["metrics"]  # no classes, no domain classifier
    model = dlnd.load(summary["run_dir"])
    image = model.images(n=1, seed=0)
    assert image.shape == (1, 3, 28, 28)  # the course's 28x28 colour faces


def test_bad_data_is_one_sentence(tmp_path, monkeypatch):
    with pytest.raises(ConfigError, match="folder of images"):
        dlnd.run("dcgan", quick=True, out=tmp_path, verbose=False, data="cifar")
    with pytest.raises(DataError, match="does not exist"):
        dlnd.run("dcgan", quick=True, out=tmp_path, verbose=False, data=str(tmp_path / "no/"))
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataError, match="holds no images"):
        dlnd.run("dcgan", quick=True, out=tmp_path, verbose=False,
                 data=str(tmp_path / "empty") + "/")
    monkeypatch.setenv("DLND_DATA_DIR", str(tmp_path / "nothing"))
    with pytest.raises(DataError, match="ufldl.stanford.edu"):  # offline: where to get it
        gan.read_svhn("train")
