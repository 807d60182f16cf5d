"""Load scenarios: library names or paths, ``extends`` with deep merge, ``--set`` overrides.

The resolved scenario (after ``extends`` and overrides) is what a run records.
"""

from __future__ import annotations

import copy
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .errors import ScenarioError, describe_validation, dotted
from .schedule import problems as schedule_problems
from .schema import Scenario, reference_problems

LIBRARY = Path(__file__).parent / "library"


def library_names() -> list[str]:
    """Names of the scenarios shipped with the package (``ills/all``, ``ruzhou-2017``, ...)."""
    return sorted(
        p.relative_to(LIBRARY).with_suffix("").as_posix() for p in LIBRARY.rglob("*.toml")
    )


def find_scenario(name_or_path: str | Path, relative_to: Path | None = None) -> Path:
    """Locate a scenario file given a library name or a path.

    Args:
        name_or_path: A library name (``ills/all``) or a path to a TOML file.
        relative_to: Folder against which a relative path in ``extends`` is resolved.

    Returns:
        The path of the file.

    Raises:
        ScenarioError: If nothing matches.
    """
    text = str(name_or_path)
    candidates = []
    if relative_to is not None:
        candidates.append(relative_to / text)
    candidates += [Path(text), LIBRARY / text, LIBRARY / f"{text}.toml"]
    for path in candidates:
        if path.is_file():
            return path
    names = ", ".join(library_names())
    raise ScenarioError(
        f"no scenario file or library scenario named {text!r}; library scenarios: {names}"
    )


#: Parsed TOML files by path: (the file's stamp when read, its data). Runs of a batch load the
#: same few files again and again; parsing them is most of what loading a scenario costs.
_PARSED: dict[str, tuple[tuple[int, int, int], dict[str, Any]]] = {}


def read_toml(path: Path) -> dict[str, Any]:
    """Read a TOML file, turning every failure into a :class:`ScenarioError`.

    A file read before and unchanged since (same inode, size and modification time) is not
    parsed again; the caller gets its own copy of the data either way.
    """
    try:
        info = path.stat()
    except OSError as exc:
        raise ScenarioError(f"cannot read the file ({exc.strerror})", str(path)) from None
    stamp = (info.st_ino, info.st_size, info.st_mtime_ns)
    kept = _PARSED.get(str(path))
    if kept is None or kept[0] != stamp:
        kept = _PARSED[str(path)] = (stamp, _parse_toml(path))
    return copy.deepcopy(kept[1])


def _parse_toml(path: Path) -> dict[str, Any]:
    """Parse a TOML file, turning every failure into a :class:`ScenarioError`."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ScenarioError(f"cannot read the file ({exc.strerror})", str(path)) from None
    if not raw.strip():
        raise ScenarioError("the file is empty; scenario files need at least a title", str(path))
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ScenarioError(
            f"not UTF-8 text (byte {exc.start}); scenario files are TOML", str(path)
        ) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"not valid TOML: {exc}", str(path)) from None
    except RecursionError:
        message = f"tables or arrays nest too deeply to read; {NESTING}"
        raise ScenarioError(message, str(path)) from None
    check_nesting(data, str(path))
    return data


#: How deeply tables and arrays may nest in a file or an override. The library's files nest at
#: most four levels; the limit keeps pathological input away from everything that walks the
#: data recursively (copying, merging, validation).
MAX_NESTING = 32
NESTING = f"scenario, experiment and target files nest tables and arrays at most {MAX_NESTING} deep"


def check_nesting(data: Any, source: str) -> None:
    """Refuse data whose tables and arrays nest more than :data:`MAX_NESTING` levels deep.

    The data is walked without recursion, so any depth is reported rather than crashing.

    Raises:
        ScenarioError: Naming ``source`` and the start of the path that goes too deep.
    """
    stack: list[tuple[Any, tuple]] = [(data, ())]
    while stack:
        node, loc = stack.pop()
        if len(loc) > MAX_NESTING:
            where = dotted(loc[:6]) + "..."
            message = f"{where} nests more than {MAX_NESTING} levels deep; {NESTING}"
            raise ScenarioError(message, source)
        if isinstance(node, dict):
            children: Iterable = node.items()
        elif isinstance(node, list):
            children = enumerate(node)
        else:
            continue
        stack.extend((c, (*loc, k)) for k, c in children if isinstance(c, dict | list))


def deep_merge(base: dict[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    """Merge ``over`` into a copy of ``base``: tables merge key by key, other values replace."""
    out = copy.deepcopy(base)
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), dict):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _leaves(data: Mapping[str, Any], prefix: tuple = ()) -> Iterable[tuple]:
    for key, value in data.items():
        if isinstance(value, Mapping) and value:
            yield from _leaves(value, (*prefix, key))
        else:
            yield (*prefix, key)


def parse_override(text: str) -> tuple[list[str], Any]:
    """Parse ``a.b.c=VALUE`` with VALUE read as a TOML literal (bare words are strings).

    Raises:
        ScenarioError: If the text has no ``=`` or the path is empty.
    """
    if "=" not in text:
        raise ScenarioError(
            f"override {text!r} must look like path.to.key=VALUE, for example "
            "governments.ruzhou.service.quality=0.8",
            "--set",
        )
    path, _, literal = text.partition("=")
    keys = [k.strip() for k in path.strip().split(".")]
    if not all(keys):
        raise ScenarioError(f"override {text!r} has an empty key in its path", "--set")
    try:
        value = tomllib.loads(f"v = {literal.strip()}")["v"]
    except tomllib.TOMLDecodeError:
        value = literal.strip()
    except RecursionError:
        message = f"override {path.strip()!r}: the value nests too deeply; {NESTING}"
        raise ScenarioError(message, "--set") from None
    check_nesting(value, f"--set {path.strip()}")
    return keys, value


def _settable(keys: list[str]) -> None:
    """Refuse an override of ``extends``: which scenario a file builds on is read first."""
    if keys[0] == "extends":
        raise ScenarioError(
            "extends cannot be overridden: it is read before any override; run the scenario "
            "to extend instead, or write a scenario file that extends it",
            "--set",
        )


def apply_override(data: dict[str, Any], keys: list[str], value: Any) -> None:
    """Set ``data[k1][k2]...[kn] = value``, creating tables along the way.

    Raises:
        ScenarioError: If a path runs through a value that is not a table, or is ``extends``.
    """
    _settable(keys)
    node = data
    for depth, key in enumerate(keys[:-1]):
        child = node.setdefault(key, {})
        if not isinstance(child, dict):
            raise ScenarioError(
                f"cannot set {'.'.join(keys)}: "
                f"{'.'.join(keys[: depth + 1])} is a value, not a table",
                "--set",
            )
        node = child
    node[keys[-1]] = value


def overridden(data: dict[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    """``data`` with dotted-path overrides applied, ``data`` itself left as it was.

    Only the tables along the overridden paths are copied; the rest is shared with ``data``
    (cheaper than a deep copy when the same base is overridden run after run).

    Raises:
        ScenarioError: If a path runs through a value that is not a table, or is ``extends``.
    """
    out = dict(data)
    copied = {id(out)}
    for path, value in overrides.items():
        keys = path.split(".")
        _settable(keys)
        node = out
        for depth, key in enumerate(keys[:-1]):
            child = node.get(key, {})
            if not isinstance(child, dict):
                raise ScenarioError(
                    f"cannot set {path}: {'.'.join(keys[: depth + 1])} is a value, not a table",
                    "--set",
                )
            if id(child) not in copied:
                child = node[key] = dict(child)
                copied.add(id(child))
            node = child
        node[keys[-1]] = value
    return out


class Resolved:
    """Raw merged data of a scenario with, for each leaf, the file that set it."""

    def __init__(self, data: dict[str, Any], origins: dict[tuple, str], chain: list[str]):
        self.data = data
        self.origins = origins
        self.chain = chain

    def origin_of(self, loc: tuple) -> str | None:
        """The file (or ``--set``) that set the value at ``loc`` or its nearest parent."""
        loc = tuple(str(p) for p in loc if not isinstance(p, int))
        for n in range(len(loc), 0, -1):
            if loc[:n] in self.origins:
                return self.origins[loc[:n]]
        for key, source in self.origins.items():
            if key[: len(loc)] == loc:
                return source
        return None


def resolve(
    name_or_path: str | Path, _seen: tuple[Path, ...] = (), _rel: Path | None = None
) -> Resolved:
    """Read a scenario and everything it extends, merged, without validating it."""
    path = find_scenario(name_or_path, _rel).resolve()
    if path in _seen:
        cycle = " -> ".join(str(p) for p in (*_seen, path))
        raise ScenarioError(f"`extends` forms a cycle: {cycle}", str(path), "extends")
    data = read_toml(path)
    parent = data.pop("extends", None)
    if parent is None:
        origins = {leaf: str(path) for leaf in _leaves(data)}
        return Resolved(data, origins, [str(path)])
    if not isinstance(parent, str):
        raise ScenarioError(
            f"must be a scenario name or path as a string, got {parent!r}", str(path), "extends"
        )
    try:
        base = resolve(parent, (*_seen, path), path.parent)
    except ScenarioError as exc:
        if exc.source is None:
            raise ScenarioError(exc.message, str(path), "extends") from None
        raise
    merged = deep_merge(base.data, data)
    origins = dict(base.origins)
    origins.update({leaf: str(path) for leaf in _leaves(data)})
    return Resolved(merged, origins, [*base.chain, str(path)])


def load_scenario(
    name_or_path: str | Path, overrides: Iterable[str] | Mapping[str, Any] | None = None
) -> Scenario:
    """Load, merge and validate a scenario.

    Args:
        name_or_path: Library name (``ruzhou-2017``) or path to a TOML file.
        overrides: ``["a.b=1", ...]`` strings as on the command line, or a mapping from
            dotted path to value.

    Returns:
        The validated :class:`Scenario`.

    Raises:
        ScenarioError: With the file, the field path and what is allowed.
    """
    resolved = resolve(name_or_path)
    items: list[tuple[list[str], Any]] = []
    if isinstance(overrides, Mapping):
        items = [(str(k).split("."), v) for k, v in overrides.items()]
    elif overrides:
        items = [parse_override(text) for text in overrides]
    for keys, value in items:
        apply_override(resolved.data, keys, value)
        resolved.origins[tuple(keys)] = f"--set {'.'.join(keys)}"
    return validate_data(resolved.data, resolved.origin_of, resolved.chain[-1])


def validate_data(data: dict[str, Any], origin_of: Any = None, source: str = "") -> Scenario:
    """Validate merged scenario data, raising a readable :class:`ScenarioError`."""
    try:
        scenario = Scenario.model_validate(data, context={"defer_references": True})
    except ValidationError as exc:
        raise describe_validation(exc, Scenario, origin_of, source) from None
    problems = []
    found = list(reference_problems(scenario))
    if not found:  # a schedule is checked against a scenario whose references hold
        found = list(schedule_problems(scenario))
    for path, message in found:
        loc = tuple(path.replace("[", ".").replace("]", "").split("."))
        file = (origin_of(loc) if origin_of else None) or source
        problems.append((file, path, message))
    if problems:
        lines = [f"{file}: {path}: {message}" for file, path, message in problems]
        text = lines[0] if len(lines) == 1 else f"{len(lines)} problems: " + " | ".join(lines)
        raise ScenarioError(text)
    return scenario


def scenario_to_dict(scenario: Scenario) -> dict[str, Any]:
    """The resolved scenario as plain data (what a run records in its manifest)."""
    return scenario.model_dump(mode="json")
