"""The kernel cache is cleared exactly when a source of the model changes."""

from pathlib import Path

from zhaoshang.model.kernel_cache import refresh


def _cached(folder: Path) -> set[str]:
    return {p.name for p in (folder / "__pycache__").glob("*.nb[ic]")}


def _put_cache(folder: Path) -> None:
    for name in ("k.f-1.py312.nbi", "k.f-1.py312.1.nbc"):
        (folder / "__pycache__" / name).write_bytes(b"machine code")


def test_cache_is_kept_while_sources_are_unchanged_and_cleared_after_an_edit(tmp_path):
    (tmp_path / "__pycache__").mkdir()
    (tmp_path / "helper.py").write_text("def f():\n    return 1\n")
    (tmp_path / "kernel.py").write_text("from helper import f\n")
    stamp = tmp_path / "__pycache__" / "kernels.digest"
    _put_cache(tmp_path)
    assert refresh(tmp_path, stamp)  # no stamp yet: a cache of unknown sources is cleared
    assert _cached(tmp_path) == set()
    _put_cache(tmp_path)
    assert not refresh(tmp_path, stamp)
    assert len(_cached(tmp_path)) == 2
    (tmp_path / "helper.py").write_text("def f():\n    return 2\n")  # only the helper changes
    assert refresh(tmp_path, stamp)
    assert _cached(tmp_path) == set()
    assert not refresh(tmp_path, stamp)
