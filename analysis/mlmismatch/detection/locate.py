"""Where a JSON path lies in a descriptor file: line and column, for SARIF regions.

JSON files are mapped with ``json_source_map`` (a source map of every JSON pointer); YAML files with
the start marks of PyYAML's node tree. A path that does not exist in the file (a missing required
attribute) is placed at its nearest existing ancestor. Lines and columns are 1-based. Files are read
again only when a report asks for regions (SARIF), never on the check path itself.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Callable

__all__ = ["parse_json_path", "source_map", "Locator"]

_STEP = re.compile(r'\.([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]')


def parse_json_path(path: str) -> tuple | None:
    """``$.a[0]["b c"]`` -> ``('a', 0, 'b c')``; None when ``path`` is not such a path."""
    if not path.startswith("$"):
        return None
    out: list[Any] = []
    pos = 1
    while pos < len(path):
        m = _STEP.match(path, pos)
        if not m:
            return None
        name, index, quoted = m.groups()
        out.append(name if name is not None else int(index) if index is not None else json.loads(quoted))
        pos = m.end()
    return tuple(out)


def _json_map(text: str) -> dict[tuple, tuple[int, int]]:
    try:
        from json_source_map import calculate
    except ImportError:  # pragma: no cover - a JSON document is (nearly always) YAML too
        return _yaml_map(text)

    out: dict[tuple, tuple[int, int]] = {}
    for pointer, entry in calculate(text).items():
        parts = tuple(int(p) if p.isdigit() else p.replace("~1", "/").replace("~0", "~")
                      for p in pointer.split("/")[1:]) if pointer else ()
        at = entry.key_start or entry.value_start
        out[parts] = (at.line + 1, at.column + 1)
    return out


def _yaml_map(text: str) -> dict[tuple, tuple[int, int]]:
    import yaml

    from mlmismatch.detection.documents import _yaml_loader

    root = yaml.compose(text, Loader=_yaml_loader())  # noqa: S506 (the safe loader subclass)
    out: dict[tuple, tuple[int, int]] = {}
    if root is None:
        return out
    stack = [((), root, root.start_mark)]
    seen: set[int] = set()
    while stack:
        parts, node, mark = stack.pop()
        out[parts] = (mark.line + 1, mark.column + 1)
        if id(node) in seen:  # an alias: its subtree is mapped where it was defined
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                stack.append((parts + (key.value,), value, key.start_mark))
        elif isinstance(node, yaml.SequenceNode):
            for i, value in enumerate(node.value):
                stack.append((parts + (i,), value, value.start_mark))
    return out


def source_map(file: str | Path) -> dict[tuple, tuple[int, int]]:
    """``{path parts: (line, column)}`` of a JSON or YAML file; empty when it cannot be read."""
    file = Path(file)
    try:
        text = file.read_text(encoding="utf-8-sig")
        return _json_map(text) if file.suffix.lower() == ".json" else _yaml_map(text)
    except Exception:  # noqa: BLE001 - a file that changed or vanished since the check: no regions
        return {}


class Locator:
    """Line and column of JSON paths in the files of one report (each file mapped once, on demand)."""

    def __init__(self, mapper: Callable[[Path], dict] = source_map) -> None:
        self._mapper = mapper
        self._maps: dict[Path, dict] = {}

    def __call__(self, file: str | Path, path: str) -> tuple[int, int] | None:
        file = Path(file)
        if file not in self._maps:
            self._maps[file] = self._mapper(file) if file.is_file() else {}
        m = self._maps[file]
        parts = parse_json_path(path)
        if not m or parts is None:
            return None
        while parts not in m and parts:
            parts = parts[:-1]
        return m.get(parts)
