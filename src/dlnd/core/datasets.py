"""The dataset registry: where each dataset file is, whether it is intact, and how to get it.

Resolution order for a file ``<dataset>/<name>``:

1. ``$DLND_DATA_DIR/<dataset>/<name>`` (or ``<name>.gz``, or a documented ``stored_as`` name),
2. the cache ``$DLND_CACHE/<dataset>/`` (default ``~/.cache/dlnd``),
3. the dataset's ``search_dirs`` (e.g. where Debian's ``dataset-fashion-mnist`` installs),
4. a download from the canonical URL with pooch (progress bar), verified, into the cache.

A file found but failing its checksum is an error naming the file and both hashes; it is never used.
Set ``DLND_OFFLINE=1`` to never try the network.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import io
import json
import os
import shutil
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from dlnd.core.errors import DataError, UsageError

CHUNK = 1 << 20


@dataclass(frozen=True)
class DataFile:
    """One file of a dataset, with every checksum under which a copy of it is accepted."""

    dataset: str
    name: str
    hashes: tuple[str, ...]  # "sha256:…", "md5:…" or "gitblob:…"; any one may match
    size: int | None = None
    url: str | None = None
    member: str | None = None  # path inside the archive at ``url``
    stored_as: tuple[str, ...] = ()
    optional: bool = False
    derived: bool = False  # made from the archive at ``url``, not downloadable as it is
    note: str | None = None

    def names(self) -> list[str]:
        return [self.name, self.name + ".gz", *self.stored_as]


@dataclass(frozen=True)
class Dataset:
    name: str
    description: str
    license: str
    citation: str
    files: tuple[DataFile, ...]
    search_dirs: tuple[str, ...] = ()

    def file(self, name: str) -> DataFile:
        for f in self.files:
            if name in f.names():
                return f
        raise UsageError(f"dataset {self.name!r} has no file {name!r}; "
                         f"its files: {', '.join(f.name for f in self.files)}")


@functools.cache
def registry() -> dict[str, Dataset]:
    """Every registered dataset, read from ``datasets.toml`` beside this module."""
    raw = tomllib.loads(resources.files("dlnd.core").joinpath("datasets.toml").read_text())
    out = {}
    for name, entry in raw.items():
        files = tuple(
            DataFile(dataset=name, name=f["name"], hashes=tuple(f.get("hashes", ())),
                     size=f.get("size"), url=f.get("url"), member=f.get("member"),
                     stored_as=tuple(f.get("stored_as", ())), optional=f.get("optional", False),
                     derived=f.get("derived", False), note=f.get("note"))
            for f in entry["files"])
        out[name] = Dataset(name, entry["description"], entry["license"], entry["citation"], files,
                            tuple(entry.get("search_dirs", ())))
    return out


def get(name: str) -> Dataset:
    reg = registry()
    if name not in reg:
        import difflib

        close = difflib.get_close_matches(name, reg, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise UsageError(f"unknown dataset {name!r}{hint} (see `dlnd data list`)")
    return reg[name]


def settings_file() -> Path:
    """The user's dlnd settings (``dlnd data use PATH`` writes the data folder there)."""
    home = os.environ.get("XDG_CONFIG_HOME") or "~/.config"
    return Path(home).expanduser() / "dlnd" / "settings.toml"


def data_dir() -> Path | None:
    """``$DLND_DATA_DIR``, else the folder chosen with ``dlnd data use``, else none."""
    value = os.environ.get("DLND_DATA_DIR")
    if value:
        return Path(value).expanduser()
    try:
        saved = tomllib.loads(settings_file().read_text()).get("data_dir")
    except (OSError, ValueError):  # no settings yet, or unreadable: as if none
        return None
    return Path(saved) if isinstance(saved, str) and saved else None


def use_data_dir(folder: Path) -> Path:
    """Remember ``folder`` as the data folder for every later dlnd command of this user."""
    folder = Path(folder).expanduser().resolve()
    if not folder.is_dir():
        raise UsageError(f"{folder} is not a folder")
    file = settings_file()
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_text(f"data_dir = {json.dumps(str(folder))}\n")
    return folder


def cache_dir() -> Path:
    return Path(os.environ.get("DLND_CACHE", "~/.cache/dlnd")).expanduser()


def offline() -> bool:
    return os.environ.get("DLND_OFFLINE", "") not in ("", "0")


def roots(dataset: Dataset) -> list[Path]:
    """Directories searched for the dataset's files, in order."""
    out = [cache_dir() / dataset.name]
    if data_dir() is not None:
        out.insert(0, data_dir() / dataset.name)
    return out + [Path(d) for d in dataset.search_dirs]


def candidates(file: DataFile) -> list[Path]:
    return [root / name for root in roots(get(file.dataset)) for name in file.names()]


def _digests(stream, algorithms: set[str]) -> dict[str, str]:
    hashers = {}
    for algo in algorithms:
        hashers[algo] = hashlib.sha1() if algo == "gitblob" else hashlib.new(algo)
    chunks = iter(lambda: stream.read(CHUNK), b"")
    if "gitblob" in algorithms:  # git hashes "blob <size>\0" + content, so the size is needed first
        chunks = list(chunks)
        hashers["gitblob"].update(b"blob %d\0" % sum(map(len, chunks)))
    for chunk in chunks:
        for h in hashers.values():
            h.update(chunk)
    return {algo: h.hexdigest() for algo, h in hashers.items()}


def checksum_match(path: Path, file: DataFile) -> tuple[bool, str]:
    """Whether ``path`` matches one of the file's hashes (for a .gz, its raw or decompressed bytes).

    Returns (matched, the file's own sha256 for reports)."""
    wanted = [h.split(":", 1) for h in file.hashes]
    algorithms = {algo for algo, _ in wanted} | {"sha256"}
    try:
        with open(path, "rb") as fh:
            raw = _digests(fh, algorithms)
    except OSError as exc:
        raise DataError(f"cannot read {path}: {exc.strerror or exc}") from None
    if any(raw[algo] == value for algo, value in wanted):
        return True, raw["sha256"]
    if path.suffix == ".gz":
        try:
            with gzip.open(path, "rb") as fh:
                inner = _digests(fh, algorithms)
        except (OSError, EOFError):
            return False, raw["sha256"]
        if any(inner[algo] == value for algo, value in wanted):
            return True, raw["sha256"]
    return False, raw["sha256"]


def _verified(path: Path, file: DataFile) -> Path:
    if not file.hashes:
        return path  # no published checksum exists for this file (see its note)
    ok, actual = checksum_match(path, file)
    if not ok:
        raise DataError(
            f"checksum mismatch for {path}: expected {' or '.join(file.hashes)}, "
            f"got sha256:{actual}; the file is corrupt or not the published one - delete it "
            f"(or replace it with a good copy) and try again")
    return path


def locate(file: DataFile) -> Path | None:
    """The first copy of ``file`` on disk, unverified, or None."""
    return next((p for p in candidates(file) if p.is_file()), None)


def path(dataset: str, name: str, *, download: bool = True) -> Path:
    """The verified local path of a dataset file, downloading it into the cache if needed."""
    file = get(dataset).file(name)
    found = locate(file)
    if found is not None:
        return _verified(found, file)
    if not download or offline() or not file.url:
        raise DataError(missing_message(file))
    if file.derived:
        where = data_dir() / file.dataset if data_dir() else cache_dir() / file.dataset
        raise DataError(f"dataset file {file.name!r} of {file.dataset!r} is not available and "
                        f"cannot be downloaded as it is ({file.note}, from {file.url}): put a "
                        f"copy in {where}/, or set DLND_DATA_DIR to a folder holding "
                        f"{file.dataset}/")
    return download_file(file)


def missing_message(file: DataFile, reason: str | None = None) -> str:
    where = data_dir() / file.dataset if data_dir() else cache_dir() / file.dataset
    source = f"download it from {file.url}" if file.url else "it has no public download"
    if file.member:
        source += f" (archive member {file.member})"
    why = f" ({reason})" if reason else ""
    return (f"dataset file {file.name!r} of {file.dataset!r} is not available{why}: {source} "
            f"and put it in {where}/, or point dlnd at a folder holding {file.dataset}/ with "
            f"`dlnd data use FOLDER` (or DLND_DATA_DIR)")


def download_file(file: DataFile) -> Path:
    """Download ``file`` (or its archive, then extract the member) into the cache, verified."""
    import pooch  # imported here: only downloads need it

    target_dir = cache_dir() / file.dataset
    target = target_dir / file.name
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        if file.member:
            archive = pooch.retrieve(file.url, known_hash=None, path=target_dir / "_archives",
                                     progressbar=True)
            processor = pooch.Unzip if archive.endswith(".zip") else pooch.Untar
            extracted = processor(members=[file.member])(archive, "download", None)
            source = Path(extracted[0])
        else:
            source = Path(pooch.retrieve(file.url, known_hash=None, path=target_dir / "_downloads",
                                         fname=Path(file.name).name, progressbar=True))
    except Exception as exc:  # network errors come from several libraries; all mean "not here"
        reason = (str(exc).splitlines() or [type(exc).__name__])[0][:80]
        raise DataError(missing_message(file, f"download failed: {reason}")) from None
    tmp = target.with_name(target.name + ".part")
    shutil.copyfile(source, tmp)
    try:
        _verified(tmp, file)
    except DataError:
        tmp.unlink()
        source.unlink()
        raise
    os.replace(tmp, target)
    return target


@dataclass(frozen=True)
class FileStatus:
    file: DataFile
    path: Path | None
    state: str  # "ok", "missing", "corrupt", "unverified"
    detail: str = ""


def status(dataset: str, *, check: bool = True) -> list[FileStatus]:
    """Where each file of ``dataset`` is and, with ``check``, whether its checksum matches."""
    out = []
    for file in get(dataset).files:
        found = locate(file)
        if found is None:
            out.append(FileStatus(file, None, "missing", "optional" if file.optional else ""))
        elif not check:
            out.append(FileStatus(file, found, "present"))
        elif not file.hashes:
            out.append(FileStatus(file, found, "unverified", "no published checksum"))
        else:
            ok, actual = checksum_match(found, file)
            out.append(FileStatus(file, found, "ok" if ok else "corrupt",
                                  "" if ok else f"sha256:{actual}"))
    return out


def intact(statuses: list[FileStatus]) -> bool:
    """All required files present and matching (optional files may be missing)."""
    return all(s.state in ("ok", "unverified", "present") or
               (s.state == "missing" and s.file.optional) for s in statuses)


def open_bytes(path: Path):
    """Open a data file for reading bytes, decompressing ``.gz`` transparently."""
    return gzip.open(path, "rb") if Path(path).suffix == ".gz" else open(path, "rb")


def read_text(path: Path, encoding: str = "utf-8") -> str:
    """A dataset's text file read with universal newlines, as Python's text mode (and the
    course) reads it: ``\r\n`` and ``\r`` become ``\n`` (anna.txt has Windows line endings;
    read as bytes, its ``\r`` would be one more character to predict after every line)."""
    with open_bytes(path) as fh:
        return io.TextIOWrapper(fh, encoding=encoding, newline=None).read()
