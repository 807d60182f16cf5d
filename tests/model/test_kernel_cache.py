"""A module's cached kernels are cleared exactly when it or a module it imports changes."""

from pathlib import Path

from zhaoshang.model.kernel_cache import dependencies, refresh

KERNEL = "from numba import njit\n{imports}\n\n@njit(cache=True)\ndef f():\n    return 1\n"


def _cached(folder: Path) -> set[str]:
    return {p.name for p in folder.rglob("__pycache__/*.nb[ic]")}


def _put_cache(folder: Path, *modules: str) -> None:
    for module in modules:
        cache = (folder / module).parent / "__pycache__"
        cache.mkdir(exist_ok=True)
        stem = Path(module).stem
        for name in (f"{stem}.f-4.py312.nbi", f"{stem}.f-4.py312.1.nbc"):
            (cache / name).write_bytes(b"machine code")


def _package(tmp_path: Path) -> Path:
    (tmp_path / "__init__.py").write_text("")
    (tmp_path / "state").mkdir()
    (tmp_path / "state" / "__init__.py").write_text("")
    (tmp_path / "state" / "helper.py").write_text("LIMIT = 1\n")
    (tmp_path / "model.py").write_text("X = 1\n")  # no kernels, imported only for type checks
    (tmp_path / "kernel.py").write_text(KERNEL.format(imports=(
        "from typing import TYPE_CHECKING\nfrom .state.helper import LIMIT\n"
        "if TYPE_CHECKING:\n    from .model import X\n"
    )))
    (tmp_path / "other.py").write_text(KERNEL.format(imports=""))
    return tmp_path


def test_dependencies_follow_run_time_imports_only(tmp_path):
    folder = _package(tmp_path)
    assert dependencies(folder) == {"kernel": {"state.helper"}, "other": set()}


def test_only_the_kernels_that_depend_on_an_edit_are_cleared(tmp_path):
    folder = _package(tmp_path)
    _put_cache(folder, "kernel.py", "other.py")
    # no digests yet: a cache of unknown sources is cleared
    assert refresh(folder, announce=False) == ["kernel", "other"]
    assert _cached(folder) == set()
    _put_cache(folder, "kernel.py", "other.py")
    assert refresh(folder, announce=False) == []
    assert len(_cached(folder)) == 4
    (folder / "model.py").write_text("X = 2\n")  # imported only for type checking
    assert refresh(folder, announce=False) == []
    (folder / "state" / "helper.py").write_text("LIMIT = 2\n")  # only the helper changes
    assert refresh(folder, announce=False) == ["kernel"]
    assert _cached(folder) == {"other.f-4.py312.nbi", "other.f-4.py312.1.nbc"}
    assert refresh(folder, announce=False) == []
