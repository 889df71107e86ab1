import gzip
import hashlib
import http.server
import shutil
import subprocess
import threading
import zipfile
from functools import partial

import pytest

from dlnd.core import datasets
from dlnd.core.datasets import DataFile
from dlnd.core.errors import DataError, UsageError


def sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


@pytest.fixture
def server(tmp_path):
    """A local HTTP server standing in for a publisher's site."""
    root = tmp_path / "site"
    root.mkdir()
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield root, f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def test_registry_covers_the_manifest_datasets():
    names = set(datasets.registry())
    assert {"bike-sharing", "sentiment", "imdb", "translation", "mnist", "fashion-mnist",
            "cifar10-sample", "word2vec", "babi", "anna", "simpsons", "seinfeld", "letters",
            "course-small"} <= names
    for ds in datasets.registry().values():
        assert ds.license and ds.citation and ds.files
        for f in ds.files:
            assert f.hashes or f.optional, f"{ds.name}/{f.name} has no checksum"
            assert all(h.split(":")[0] in ("sha256", "md5", "gitblob") for h in f.hashes)


def test_unknown_dataset_and_file():
    with pytest.raises(UsageError, match="did you mean 'mnist'"):
        datasets.get("mnsit")
    with pytest.raises(UsageError, match="has no file"):
        datasets.path("bike-sharing", "minute.csv")


def test_gitblob_hash_matches_git(tmp_path):
    data = tmp_path / "blob.txt"
    data.write_bytes(b"hello dlnd\n" * 1000)
    blob = subprocess.run(["git", "hash-object", str(data)], capture_output=True,
                          text=True).stdout.strip()
    if not blob:
        pytest.skip("git is not installed")
    f = DataFile("bike-sharing", "blob.txt", hashes=(f"gitblob:{blob}",))
    assert datasets.checksum_match(data, f)[0]


def test_gzipped_copy_is_accepted_by_its_content_hash(tmp_path, monkeypatch):
    content = b"instant,cnt\n1,16\n"
    (tmp_path / "bike-sharing").mkdir()
    with gzip.open(tmp_path / "bike-sharing" / "tiny.csv.gz", "wb") as fh:
        fh.write(content)
    monkeypatch.setenv("DLND_DATA_DIR", str(tmp_path))
    f = DataFile("bike-sharing", "tiny.csv", hashes=(sha256(content),))
    found = datasets.locate(f)
    assert found.name == "tiny.csv.gz" and datasets.checksum_match(found, f)[0]
    assert datasets.read_text(found) == content.decode()


def test_corrupt_file_names_both_hashes_and_is_not_used(hour_csv, tmp_path, monkeypatch):
    bad_dir = tmp_path / "bike-sharing"
    bad_dir.mkdir()
    corrupt = bytearray(hour_csv.read_bytes())
    corrupt[100] ^= 1
    (bad_dir / "hour.csv").write_bytes(bytes(corrupt))
    monkeypatch.setenv("DLND_DATA_DIR", str(tmp_path))
    with pytest.raises(DataError) as err:
        datasets.path("bike-sharing", "hour.csv")
    message = str(err.value)
    assert str(bad_dir / "hour.csv") in message
    assert "e03de4ee4ef4dc376ac6e04bf829673c6269e8eba5c60fa121640fa2f829504f" in message
    assert "sha256:" + hashlib.sha256(bytes(corrupt)).hexdigest() in message


def test_missing_offline_names_file_url_and_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("DLND_DATA_DIR", str(tmp_path))
    with pytest.raises(DataError) as err:
        datasets.path("bike-sharing", "hour.csv")
    message = str(err.value)
    assert "'hour.csv'" in message
    assert "https://archive.ics.uci.edu/static/public/275/bike+sharing+dataset.zip" in message
    assert str(tmp_path / "bike-sharing") in message


def test_download_verifies_and_caches(server, monkeypatch):
    root, url = server
    content = b"label\n1\n0\n"
    (root / "labels.txt").write_bytes(content)
    monkeypatch.setenv("DLND_OFFLINE", "0")
    good = DataFile("sentiment", "labels.txt", hashes=(sha256(content),), url=f"{url}/labels.txt")
    path = datasets.download_file(good)
    assert path == datasets.cache_dir() / "sentiment" / "labels.txt"
    assert path.read_bytes() == content

    bad = DataFile("sentiment", "other.txt", hashes=(sha256(b"something else"),),
                   url=f"{url}/labels.txt")
    with pytest.raises(DataError, match="checksum mismatch"):
        datasets.download_file(bad)
    assert not (datasets.cache_dir() / "sentiment" / "other.txt").exists()


def test_download_extracts_an_archive_member(server, monkeypatch):
    root, url = server
    with zipfile.ZipFile(root / "bundle.zip", "w") as zf:
        zf.writestr("hour.csv", "a,b\n1,2\n")
        zf.writestr("day.csv", "c\n3\n")
    monkeypatch.setenv("DLND_OFFLINE", "0")
    f = DataFile("bike-sharing", "day.csv", hashes=(sha256(b"c\n3\n"),), url=f"{url}/bundle.zip",
                 member="day.csv")
    assert datasets.download_file(f).read_bytes() == b"c\n3\n"


def test_unreachable_url_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setenv("DLND_OFFLINE", "0")
    f = DataFile("bike-sharing", "x.csv", hashes=(sha256(b""),), url="http://127.0.0.1:9/x.csv")
    with pytest.raises(DataError, match="download failed.*put it in"):
        datasets.download_file(f)


@pytest.mark.realdata
def test_every_dataset_in_shared_data_is_intact():
    datasets_here = [name for name in datasets.registry()
                     if all(s.path or s.file.optional for s in datasets.status(name, check=False))]
    if not datasets_here:
        pytest.skip("no real data found (set DLND_DATA_DIR)")
    for name in datasets_here:
        statuses = datasets.status(name)
        assert datasets.intact(statuses), [(s.file.name, s.state) for s in statuses]


def test_fashion_mnist_is_found_where_debian_installs_it(tmp_path, monkeypatch):
    monkeypatch.setenv("DLND_DATA_DIR", str(tmp_path / "empty"))
    ds = datasets.get("fashion-mnist")
    assert "/usr/share/datasets/fashion-mnist" in ds.search_dirs
    fake_debian = tmp_path / "debian"
    fake_debian.mkdir()
    shutil.copy(__file__, fake_debian / "t10k-labels-idx1-ubyte.gz")
    monkeypatch.setattr(datasets, "get", lambda name: datasets.Dataset(
        ds.name, ds.description, ds.license, ds.citation, ds.files, (str(fake_debian),)))
    assert datasets.locate(ds.file("t10k-labels-idx1-ubyte.gz")).parent == fake_debian


def test_derived_file_is_not_downloaded_blindly(tmp_path, monkeypatch):
    monkeypatch.setenv("DLND_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("DLND_OFFLINE", "0")
    with pytest.raises(DataError, match="cannot be downloaded as it is.*aclImdb_v1.tar.gz"):
        datasets.path("imdb", "aclImdb_v1_train.jsonl.gz")


def test_an_unreadable_dataset_file_is_one_sentence(tmp_path, monkeypatch):
    import builtins

    (tmp_path / "letters").mkdir()
    target = tmp_path / "letters" / "letters_source.txt"
    target.write_text("x\n")
    real_open = builtins.open

    def refusing(path, *args, **kwargs):
        if str(path) == str(target):
            raise PermissionError(13, "Permission denied")
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", refusing)
    with pytest.raises(DataError, match="cannot read .*letters_source.txt: Permission denied"):
        datasets.checksum_match(target, datasets.get("letters").file("letters_source.txt"))
