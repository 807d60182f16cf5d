"""Keep the cache of compiled kernels consistent with the model's sources.

Numba caches each kernel's machine code next to its module (``__pycache__/*.nbi, *.nbc``)
and checks only that module's own file for changes. Kernels here inline helpers from other
modules (the event recorder, the activity set, land rules, ...): after an edit of such a
helper alone, the kernels that use it would keep their old machine code. So a digest of all
the model's sources is stored with the cache; when it no longer matches, the model's cached
kernels are removed before any is loaded, and they compile afresh.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

#: The model's package folder (every kernel lives in one of its modules).
FOLDER = Path(__file__).resolve().parent
STAMP = FOLDER / "__pycache__" / "kernels.digest"


def sources_digest(folder: Path = FOLDER) -> str:
    """SHA-256 of the paths and contents of the Python modules under the folder, in path order."""
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*.py")):
        digest.update(path.relative_to(folder).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _stored(stamp: Path) -> str:
    """The digest kept at ``stamp``; empty if there is none (a fresh cache, or an older one)."""
    try:
        return stamp.read_text()
    except OSError:
        return ""


def refresh(folder: Path = FOLDER, stamp: Path = STAMP) -> bool:
    """Remove the cached kernels if any source changed since they were cached.

    Args:
        folder: The package folder whose ``__pycache__`` holds the kernels.
        stamp: Where the digest of the sources of the cached kernels is kept.

    Returns:
        Whether the cache was cleared.
    """
    current = sources_digest(folder)
    if _stored(stamp) == current:
        return False
    try:
        for cached in folder.rglob("__pycache__/*.nb[ic]"):
            cached.unlink(missing_ok=True)
        stamp.parent.mkdir(exist_ok=True)
        partial = stamp.with_name(f"{stamp.name}.tmp-{os.getpid()}")
        partial.write_text(current)
        partial.replace(stamp)
    except OSError:
        return False  # a read-only installation: use the cache as it is
    return True
