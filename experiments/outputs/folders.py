"""Writing results safely: atomic folders and files, provenance manifests."""

from __future__ import annotations

import contextlib
import json
import os
import platform
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ...scenarios.errors import InputError

PACKAGES = (
    "zhaoshang",
    "mesa",
    "numpy",
    "scipy",
    "pandas",
    "pydantic",
    "matplotlib",
    "SALib",
    "pyarrow",
)


def to_jsonable(value: Any) -> Any:
    """Convert NumPy scalars and arrays, paths and NaN into JSON-ready values."""
    import numpy as np

    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return to_jsonable(value.tolist())
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    if isinstance(value, Path):
        return str(value)
    return value


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_json(path: Path, data: Any) -> None:
    """Write JSON atomically (temporary name, then rename)."""
    write_text(path, json.dumps(to_jsonable(data), indent=2, ensure_ascii=False) + "\n")


def write_text(path: Path, text: str) -> None:
    """Write text atomically."""
    with atomic_file(Path(path)) as tmp:
        tmp.write_text(text, encoding="utf-8")


class OutputError(InputError):
    """A place results cannot be written to (reported like bad input: exit status 2)."""


def _absolute(path: Path) -> Path:
    """``path`` made absolute, with ``.``, ``..`` and trailing slashes gone (links kept)."""
    return Path(os.path.abspath(path))


def _file_above(path: Path) -> Path | None:
    """The folder above ``path`` that is in fact a file, if one is."""
    return next((p for p in path.parents if p.exists() and not p.is_dir()), None)


@contextlib.contextmanager
def writing_at(place: Path) -> Iterator[None]:
    """Report the operating system's refusal to write at ``place`` as an :class:`OutputError`."""
    try:
        yield
    except OSError as exc:
        blocking = _file_above(place)
        reason = f"{blocking} is a file, not a folder" if blocking else exc.strerror or str(exc)
        raise OutputError(f"cannot write here: {reason}", str(place)) from None


@contextlib.contextmanager
def atomic_file(path: Path) -> Iterator[Path]:
    """Yield a temporary file name beside ``path``; on success it replaces ``path``.

    Whatever the caller writes to the temporary name appears at ``path`` all at once, or (on
    failure) not at all; the temporary file is removed either way.

    Raises:
        OutputError: ``path`` is a folder or a special file (a device, pipe or socket), or
            its folder cannot be made or written to.
    """
    path = _absolute(path)
    if path.is_dir():
        raise OutputError("is a folder; give the name of a file to write", str(path))
    if path.exists() and not path.is_file():
        raise OutputError("is a device, pipe or socket, not a file; give the name of a file "
                          "to write", str(path))
    with writing_at(path):
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        os.close(fd)
    try:
        yield Path(tmp)
        os.chmod(tmp, 0o666 & ~_umask())
        with writing_at(path):
            os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def folder_name(name: str) -> str:
    """A name made safe for a folder.

    A scenario file gives its stem; every run of characters other than letters, digits,
    ``_``, ``.`` and ``-`` becomes one ``-``.
    """
    if name.endswith(".toml"):
        name = Path(name).stem
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", name)


def results_folder(target: Path) -> Path:
    """``target`` made absolute, once it is known that results could be written there.

    Commands call it before a long computation, so that a bad ``--out`` is reported before
    the work rather than after it; :func:`atomic_dir` calls it again.

    Raises:
        OutputError: ``target`` is the root folder, a file, or lies below a file.
    """
    target = _absolute(target)
    if target == target.parent:
        raise OutputError("is the root folder; give a folder for the results", str(target))
    if target.exists() and not target.is_dir():
        raise OutputError("exists and is not a folder; give a folder for the results",
                          str(target))
    blocking = _file_above(target)
    if blocking is not None:
        raise OutputError(f"cannot write here: {blocking} is a file, not a folder", str(target))
    return target


@contextlib.contextmanager
def atomic_dir(target: Path) -> Iterator[Path]:
    """Yield a temporary folder; on success its contents appear in ``target``.

    A new ``target`` appears at once, with everything in it (the temporary folder, made
    beside it, is renamed). Into an existing folder, each file written replaces the one of
    the same name, subfolders are merged file by file, and everything else is left alone (so
    a report, a comparison or an extra figure added to a results folder survives a rerun,
    and nothing of a folder that was not a results folder is moved or lost). On failure
    ``target`` is left as it was and the temporary folder is removed.

    Raises:
        OutputError: ``target`` is a file or the root folder, or cannot be made or written to.
    """
    target = results_folder(target)
    existing = target.is_dir()
    with writing_at(target):
        target.parent.mkdir(parents=True, exist_ok=True)
        # inside an existing folder, so that its contents move within one file system
        where = target if existing else target.parent
        tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=where))
    try:
        os.chmod(tmp, 0o777 & ~_umask())
        yield tmp
        with writing_at(target):
            if existing:
                _move_into(tmp, target)
            else:
                os.replace(tmp, target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _move_into(source: Path, target: Path) -> None:
    """Move every entry of ``source`` into ``target``, replacing entries of the same name.

    Subfolders are merged the same way, so a figure added to ``figures/`` by ``plot`` survives
    a rerun that writes other figures there. Only where a file takes the place of a folder (or
    a folder of a file) is the old entry replaced whole.
    """
    for item in sorted(source.iterdir()):
        dest = target / item.name
        dest_is_dir = dest.is_dir() and not dest.is_symlink()
        if item.is_dir() and dest_is_dir:
            _move_into(item, dest)
        elif dest_is_dir:
            old = target / f".{item.name}.old-{os.getpid()}"
            os.replace(dest, old)
            os.replace(item, dest)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(item, dest)


def git_revision() -> str | None:
    """The git revision of the source tree this package runs from, if it is a checkout."""
    here = Path(__file__).resolve().parent
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=here, capture_output=True, text=True, timeout=5
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if out.returncode != 0:
        return None
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no"],
        cwd=here,
        capture_output=True,
        text=True,
        timeout=5,
    )
    return out.stdout.strip() + ("-dirty" if dirty.stdout.strip() else "")


def versions() -> dict[str, str]:
    """Versions of Python and the packages that shape results."""
    from importlib import metadata

    out = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def provenance() -> dict[str, Any]:
    """What a manifest records about the software and machine."""
    return {
        "versions": versions(),
        "git_revision": git_revision(),
        "platform": platform.platform(),
    }
