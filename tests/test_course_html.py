"""course.html renders in a real browser (headless Chromium, installed by .ci/run)."""

import shutil
import subprocess

import numpy as np
import pytest

from dlnd.app.course import run_course

pytestmark = pytest.mark.realdata
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (.ci/run installs it: "
                                             "apt-get install chromium)")
def test_course_html_renders_in_chromium(hour_csv, tmp_path):
    rows, _ = run_course(quick=True, out=tmp_path / "runs", verbose=False, only=["bike-sharing"])
    page = (tmp_path / "runs" / "course.html").as_uri()
    browser = [CHROMIUM, *FLAGS, f"--user-data-dir={tmp_path / 'profile'}"]
    dom = subprocess.run([*browser, "--dump-dom", page], capture_output=True, text=True,
                         timeout=120).stdout
    assert "<td>bike-sharing</td>" in dom
    assert 'src="data:image/png;base64,' in dom
    run_dir = rows[0]["summary"]["run_dir"]
    assert f'href="bike-sharing/{run_dir.rsplit("/", 1)[1]}/"' in dom
    assert f'<a href="bike-sharing/{run_dir.rsplit("/", 1)[1]}/' in dom.split("<img")[0] \
        and '.png"><img' in dom  # the thumbnail links to the full image

    shot = tmp_path / "shot.png"
    subprocess.run([*browser, "--window-size=1366,800", "--hide-scrollbars",
                    f"--screenshot={shot}", page], capture_output=True, timeout=120, check=True)
    import matplotlib.image

    pixels = matplotlib.image.imread(shot)[:, :, :3]
    assert pixels.shape[:2] == (800, 1366)
    assert np.std(pixels) > 0.05  # text, table lines and the plot: not a blank page
    assert pixels[:, -24:].min() > 0.95  # the table fits a 1366-pixel screen: a white margin
