"""Keep the cache of compiled kernels consistent with the model's sources, and say when it is not.

Numba caches each kernel's machine code next to its module (``__pycache__/*.nbi, *.nbc``)
and checks only that module's own file for changes. Kernels inline helpers from other
modules (the event recorder, the activity set, land rules, ...): after an edit of such a
helper alone, the kernels that use it would keep their old machine code.

So each module with kernels keeps a digest of its own source and of every module of the
model it imports, directly or not (imports needed only for type checking do not count),
next to its cached kernels. When that digest no longer matches, the module's cached kernels
are removed before any is loaded, and they compile afresh; the kernels of modules that do
not depend on the edited one stay cached. An edit of a module without kernels that no
kernel imports (``model.py``, ``places.py``'s users, ``kpis.py``) discards nothing.

When kernels are about to compile, :func:`refresh` says so on stderr (``compiling the
model's kernels (once, about N min)``) and each compiled kernel is reported as it is done.
"""

from __future__ import annotations

import ast
import hashlib
import os
import sys
import time
from pathlib import Path

#: The model's package folder (every kernel lives in one of its modules).
FOLDER = Path(__file__).resolve().parent
#: Minutes to compile every kernel of the model from scratch on an idle two-core machine.
FULL_COMPILE_MINUTES = 3.0


def _has_kernels(text: str) -> int:
    """How many kernels (functions decorated with ``njit``) a module's source defines."""
    return sum(line.startswith("@njit") for line in text.splitlines())


def _modules(folder: Path) -> dict[str, Path]:
    """The Python modules under ``folder`` by dotted name relative to it (``state.codes``)."""
    found = {}
    for path in sorted(folder.rglob("*.py")):
        parts = path.relative_to(folder).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def _package_of(name: str, path: Path) -> list[str]:
    """The package a module's relative imports start from, as parts (``state.codes`` -> state)."""
    parts = name.split(".") if name else []
    return parts if path.name == "__init__.py" else parts[:-1]


def _type_checking_only(node: ast.If) -> bool:
    """Whether ``node`` is ``if TYPE_CHECKING:``."""
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The modules under the folder that module ``name`` imports at run time (relatively)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped = {id(n) for node in ast.walk(tree) if isinstance(node, ast.If)
               and _type_checking_only(node) for n in ast.walk(node)}
    package = _package_of(name, path)
    out: set[str] = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.ImportFrom) or node.level == 0 or id(node) in skipped:
            continue
        up = node.level - 1
        if up > len(package):
            continue  # outside the folder (another package of zhaoshang)
        base = package[: len(package) - up] + (node.module.split(".") if node.module else [])
        target = ".".join(base)
        if target in modules:
            out.add(target)
        for alias in node.names:
            sub = ".".join([*base, alias.name])
            if sub in modules:
                out.add(sub)
    out.discard(name)
    return out


def dependencies(folder: Path = FOLDER) -> dict[str, set[str]]:
    """Each module with kernels, and every module of the folder it imports, directly or not."""
    modules = _modules(folder)
    direct = {name: _imports(name, path, modules) for name, path in modules.items()}
    closure: dict[str, set[str]] = {}
    for name, path in modules.items():
        if not _has_kernels(path.read_text(encoding="utf-8")):
            continue
        seen, todo = set(), [name]
        while todo:
            for dep in direct[todo.pop()]:
                if dep not in seen:
                    seen.add(dep)
                    todo.append(dep)
        closure[name] = seen
    return closure


def module_digest(name: str, deps: set[str], folder: Path = FOLDER) -> str:
    """SHA-256 of a kernel module's source and of those of the modules it depends on."""
    modules = _modules(folder)
    digest = hashlib.sha256()
    for dep in sorted({name, *deps}):
        digest.update(dep.encode())
        digest.update(modules[dep].read_bytes())
    return digest.hexdigest()


def _stamp(path: Path) -> Path:
    """Where the digest of a module's cached kernels is kept (beside them)."""
    return path.parent / "__pycache__" / f"{path.stem}.kernels.digest"


def _cached(path: Path) -> list[Path]:
    """The cached kernels of the module at ``path``."""
    return sorted((path.parent / "__pycache__").glob(f"{path.stem}.*.nb[ic]"))


def _stored(stamp: Path) -> str:
    """The digest kept at ``stamp``; empty if there is none (a fresh cache, or an older one)."""
    try:
        return stamp.read_text()
    except OSError:
        return ""


def stale(folder: Path = FOLDER) -> dict[str, str]:
    """The modules whose cached kernels do not match their sources, with their current digest."""
    modules = _modules(folder)
    out = {}
    for name, deps in dependencies(folder).items():
        current = module_digest(name, deps, folder)
        if _stored(_stamp(modules[name])) != current:
            out[name] = current
    return out


def refresh(folder: Path = FOLDER, announce: bool = True) -> list[str]:
    """Remove the cached kernels of every module whose sources changed since they were cached.

    Args:
        folder: The package folder whose modules hold the kernels.
        announce: Whether to say on stderr that kernels will compile, and report each one.

    Returns:
        The modules whose cached kernels were removed (in name order).
    """
    modules = _modules(folder)
    cleared = []
    for name, current in sorted(stale(folder).items()):
        path = modules[name]
        stamp = _stamp(path)
        try:
            for cached in _cached(path):
                cached.unlink(missing_ok=True)
            stamp.parent.mkdir(exist_ok=True)
            partial = stamp.with_name(f"{stamp.name}.tmp-{os.getpid()}")
            partial.write_text(current)
            partial.replace(stamp)
        except OSError:
            continue  # a read-only installation: use the cache as it is
        cleared.append(name)
    if cleared and announce and not jit_disabled():
        _announce(cleared, modules)
    return cleared


def jit_disabled() -> bool:
    """Whether kernels run as plain Python (``NUMBA_DISABLE_JIT=1``): nothing compiles."""
    from numba.core import config

    return bool(config.DISABLE_JIT)


def _kernel_count(paths: list[Path]) -> int:
    """How many kernels the modules define."""
    return sum(_has_kernels(p.read_text(encoding="utf-8")) for p in paths)


def _announce(cleared: list[str], modules: dict[str, Path]) -> None:
    """Say that kernels will compile (about how long), then report each compiled kernel."""
    every = _kernel_count(list(modules.values()))
    share = _kernel_count([modules[n] for n in cleared]) / max(every, 1)
    minutes = max(1, round(FULL_COMPILE_MINUTES * share))
    print(
        f"compiling the model's kernels (once, about {minutes} min): "
        f"{', '.join(cleared)} changed or not cached yet",
        file=sys.stderr,
        flush=True,
    )
    _install_progress()


def _install_progress() -> None:
    """Report each kernel compiled from now on (on stderr), with the time since the first."""
    from numba.core import event

    class Progress(event.Listener):
        """Prints one line per compiled kernel."""

        def __init__(self) -> None:
            self.start = time.perf_counter()
            self.done = 0

        def on_start(self, event: event.Event) -> None:
            pass

        def on_end(self, event: event.Event) -> None:
            dispatcher = event.data["dispatcher"]
            module = dispatcher.py_func.__module__
            if not module.startswith("zhaoshang."):
                return  # Numba's own helpers, compiled on the way
            self.done += 1
            module = module.removeprefix("zhaoshang.model.")
            elapsed = time.perf_counter() - self.start
            print(
                f"  compiled {module}.{dispatcher.py_func.__name__} "
                f"({self.done} kernels, {elapsed:.0f} s)",
                file=sys.stderr,
                flush=True,
            )

    event.register("numba:compile", Progress())
