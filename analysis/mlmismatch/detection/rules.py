"""Evaluating the rule catalogue (:mod:`mlmismatch.mapping.predicates`) on a system's documents.

Documents of older versions are migrated to 1.2 in memory first. A rule whose descriptors are not
all present is not evaluated (the absent descriptor is reported once as an information gap
instead). Each rule is compiled once into a small Python function (:func:`compiled`); the
interpreter (:func:`evaluate`) defines the semantics and the tests check both agree.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Iterator, Mapping

from mlmismatch.core.text import MISSING as _MISSING
from mlmismatch.core.text import is_empty as _is_empty_or_placeholder
from mlmismatch.descriptors.schemas import json_path
from mlmismatch.mapping.predicates import Rule, load_rules

DURATION_MS = {"Milliseconds": 1, "Seconds": 1000, "Minutes": 60_000, "Hours": 3_600_000}


def is_empty(value: Any) -> bool:
    """What the rules treat as no value: missing, ``None``, a blank string, an empty list or object.

    Unlike :func:`mlmismatch.core.text.is_empty` (the information-gap test), the skeleton's
    placeholders (``1970-01-01``, ``https://example.invalid/``) are values here: they only stand
    for empty dates and URIs, which no rule compares, and a name that happens to equal one is a name."""
    return _is_empty_or_placeholder(value, _NO_PLACEHOLDERS)


_NO_PLACEHOLDERS: frozenset = frozenset()


@dataclass
class Violation:
    """One failed instance of a rule: its condition text and (descriptor, JSON path) locations."""

    rule: Rule
    condition: str
    locations: list[tuple[str, str]] = field(default_factory=list)


# --------------------------------------------------------------------------------------------
# Paths
# --------------------------------------------------------------------------------------------

def _walk(cur: Any, parts: tuple[str, ...]) -> Any:
    """Follow ``parts`` through nested dicts from ``cur``; ``_MISSING`` where a key is absent."""
    for part in parts:
        if cur.__class__ is dict and part in cur:
            cur = cur[part]
        else:
            return _MISSING
    return cur


@lru_cache(maxsize=4096)
def _parts(dotted: str) -> tuple[str, ...]:
    return () if dotted in (".", "") else tuple(dotted.split("."))


def get(obj: Any, dotted: str) -> Any:
    """``a.b`` of a mapping (``_MISSING`` when absent); ``.`` is the object itself."""
    cur = obj
    for part in _parts(dotted):
        if isinstance(cur, dict) and part in cur:
            cur = cur[part]
        else:
            return _MISSING
    return cur


@dataclass(slots=True)
class Item:
    value: Any
    parts: tuple  # JSON path parts from the document root
    parents: tuple  # enclosing items, innermost last
    root: Any


@lru_cache(maxsize=1024)
def _segments(path: str) -> tuple[tuple[str, bool], ...]:
    if path in (".", ""):
        return ()
    return tuple((seg[:-2], True) if seg.endswith("[]") else (seg, False) for seg in path.split(".") if seg)


def iterate(doc: Any, path: str) -> Iterator[Item]:
    """Items at ``path`` (``a[].b[]``) with their JSON path parts and parents."""
    segments = _segments(path)
    n = len(segments)

    def walk(cur: Any, i: int, parts: tuple, parents: tuple) -> Iterator[Item]:
        while i < n:
            name, many = segments[i]
            if not isinstance(cur, dict) or name not in cur:
                return
            nxt = cur[name]
            if many:
                if not isinstance(nxt, list):
                    return
                for j, el in enumerate(nxt):
                    yield from walk(el, i + 1, parts + (name, j), parents + (el,))
                return
            cur, i, parts = nxt, i + 1, parts + (name,)
        yield Item(cur, parts, parents, doc)

    return walk(doc, 0, (), ())


@lru_cache(maxsize=4096)
def _expr(expr: str) -> tuple[int, str]:
    level = 0
    while expr.startswith("../"):
        expr = expr[3:]
        level += 1
    return level, expr


def key_value(item: Item, expr: Any) -> Any:
    """Evaluate one key expression on an item."""
    if isinstance(expr, dict):  # lookup within the same document
        needle = key_value(item, expr["lookup"])
        if is_empty(needle):
            return _MISSING
        for other in iterate(item.root, expr["in"]):
            if get(other.value, expr["match"]) == needle:
                return get(other.value, expr["take"])
        return _MISSING
    level, expr = _expr(expr)
    target = item.value
    if level:
        # parents[-1] is the item itself when it came from an array; go further up
        chain = item.parents[:-1] if item.parents and item.parents[-1] is item.value else item.parents
        if level > len(chain):
            return _MISSING
        target = chain[-level]
    return get(target, expr)


def _compile_getter(expr: Any):
    """A fast function ``item -> value`` equivalent to ``key_value(item, expr)``."""
    if isinstance(expr, dict):
        return lambda it: key_value(it, expr)
    level, dotted = _expr(str(expr))
    parts = _parts(dotted)
    if level:
        def up(it):
            chain = it.parents[:-1] if it.parents and it.parents[-1] is it.value else it.parents
            if level > len(chain):
                return _MISSING
            return _walk(chain[-level], parts)
        return up
    if not parts:
        return lambda it: it.value
    if len(parts) == 1:
        name = parts[0]

        def one(it):
            v = it.value
            return v.get(name, _MISSING) if v.__class__ is dict else _MISSING
        return one

    def many(it):
        return _walk(it.value, parts)
    return many


_GETTERS: dict[int, tuple[Any, tuple]] = {}


def _getters(exprs: list) -> tuple:
    """Compiled getters of a (persistent) list of key expressions, cached by identity."""
    hit = _GETTERS.get(id(exprs))
    if hit is None or hit[0] is not exprs:
        hit = (exprs, tuple(_compile_getter(e) for e in exprs))
        _GETTERS[id(exprs)] = hit
    return hit[1]


def _norm(v: Any) -> Any:
    return v.strip() if isinstance(v, str) else v


def _hashable(v: Any) -> Any:
    if isinstance(v, (list, dict)):
        return repr(v)
    return _norm(v)


def _h(v: Any) -> Any:
    cls = v.__class__
    if cls is str:
        return v.strip()
    if cls is list or cls is dict:
        return repr(v)
    return v


def _keys(item: Item, exprs: list) -> tuple:
    gs = _getters(exprs)
    if len(gs) == 1:
        return (_h(gs[0](item)),)
    if len(gs) == 2:
        return (_h(gs[0](item)), _h(gs[1](item)))
    return tuple(_h(g(item)) for g in gs)


def _where_ok(item: Item, where: Mapping | None) -> bool:
    if not where:
        return True
    for expr, expected in where.items():
        v = _compile_getter_cached(expr)(item)
        if v is _MISSING or v != expected:
            return False
    return True


@lru_cache(maxsize=1024)
def _compile_getter_cached(expr: str):
    return _compile_getter(expr)


def _required_ok(item: Item, require: list | None) -> bool:
    if not require:
        return True
    for g in _getters(require):
        if is_empty(g(item)):
            return False
    return True


def _fmt_value(v: Any) -> str:
    if v is _MISSING or v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


_TEMPLATE = re.compile(r"\{([^{}]+)\}")


@lru_cache(maxsize=1024)
def _template_parts(template: str) -> tuple[tuple[str, str | None], ...]:
    """``"a {x} b"`` -> ``(("a ", "x"), (" b", None))``: the literal text before each placeholder."""
    pieces = _TEMPLATE.split(template)  # literal, name, literal, name, ..., literal
    return tuple((pieces[i], pieces[i + 1] if i + 1 < len(pieces) else None) for i in range(0, len(pieces), 2))


def render(template: str, item: Item | None = None, extra: Mapping[str, Any] | None = None,
           other: Item | None = None) -> str:
    """Fill ``{field}`` placeholders from ``extra`` first, then from the item's fields;
    ``{@field}`` reads the joined item of a ``match`` check."""
    out: list[str] = []
    for literal, name in _template_parts(template):
        out.append(literal)
        if name is None:
            continue
        if extra and name in extra:
            out.append(_fmt_value(extra[name]))
        elif name[0] == "@" and other is not None:
            out.append(_fmt_value(key_value(other, name[1:])))
        elif item is not None:
            out.append(_fmt_value(key_value(item, name)))
        else:
            out.append("{" + name + "}")
    return " ".join("".join(out).split())


def _path_of(item: Item, field_: str | None = None) -> str:
    parts = item.parts + (tuple(field_.split(".")) if field_ and field_ not in (".",) else ())
    return json_path(parts)


# --------------------------------------------------------------------------------------------
# Evaluation
# --------------------------------------------------------------------------------------------

def _guard(check: Mapping, docs: Mapping[str, Any]) -> bool:
    for cond in check.get("when", []) or []:
        v = get(docs[cond["descriptor"]], cond["path"])
        if "equals" in cond:
            if v is _MISSING and cond["equals"] is False:  # absent boolean reads as false
                continue
            if v != cond["equals"]:
                return False
    return True


def _select(docs: Mapping[str, Any], spec: Mapping, cache: dict | None = None) -> list[Item]:
    """Items of ``spec`` passing its ``where`` and ``require`` filters (memoised in ``cache``)."""
    key = None
    if cache is not None:
        key = ("sel", id(spec))  # specs live as long as the cached rules
        hit = cache.get(key)
        if hit is not None:
            return hit
    where, require = spec.get("where"), spec.get("require")
    items = _collect(docs[spec["descriptor"]], spec["path"], spec["descriptor"], cache)
    if not where and not require:
        out = items
    else:
        out = [it for it in items if (not where or _where_ok(it, where)) and (not require or _required_ok(it, require))]
    if cache is not None:
        cache[key] = out
    return out


def _collect(doc: Any, path: str, descriptor: str, cache: dict | None) -> list[Item]:
    """All items at ``path`` (a list, built without generators; memoised per document)."""
    key = ("items", descriptor, path)
    if cache is not None:
        hit = cache.get(key)
        if hit is not None:
            return hit
    segments = _segments(path)
    n = len(segments)
    out: list[Item] = []
    stack = [(doc, 0, (), ())]
    while stack:
        cur, i, parts, parents = stack.pop()
        ok = True
        while i < n:
            name, many = segments[i]
            if cur.__class__ is not dict or name not in cur:
                ok = False
                break
            nxt = cur[name]
            if many:
                if nxt.__class__ is not list:
                    ok = False
                    break
                for j in range(len(nxt) - 1, -1, -1):
                    stack.append((nxt[j], i + 1, parts + (name, j), parents + (nxt[j],)))
                ok = False
                break
            cur, i, parts = nxt, i + 1, parts + (name,)
        if ok:
            out.append(Item(cur, parts, parents, doc))
    if cache is not None:
        cache[key] = out
    return out


def _keyset(docs: Mapping[str, Any], spec: Mapping, cache: dict | None) -> set:
    key = ("keys", id(spec))
    if cache is not None and key in cache:
        return cache[key]
    out = {_keys(it, spec["key"]) for it in _select(docs, spec, cache)}
    if cache is not None:
        cache[key] = out
    return out


def _as_number(v: Any, percent: bool = False) -> float | None:
    """``v`` as a finite number (a numeric string too); with ``percent`` a trailing ``%`` is allowed."""
    if isinstance(v, bool):
        return None
    if isinstance(v, (int, float)):
        return float(v)
    if isinstance(v, str):
        text = v.strip()
        if percent and text.endswith("%"):
            text = text[:-1]
        try:
            x = float(text)
        except ValueError:
            return None
        return x if math.isfinite(x) else None
    return None


def _percent(v: Any) -> bool:
    return v.__class__ is str and v.strip().endswith("%")


def _agree(a: Any, b: Any, tolerance: float) -> bool:
    """Compared values agree: as numbers when both parse (a ``%`` suffix only when both carry it),
    else as strings with surrounding white space stripped."""
    pct = _percent(a)
    if pct == _percent(b):
        na, nb = _as_number(a, pct), _as_number(b, pct)
        if na is not None and nb is not None:
            return abs(na - nb) <= tolerance
    return _norm(a) == _norm(b)


def _op(op: str, a: float, b: float) -> bool:
    return {"le": a <= b, "lt": a < b, "ge": a >= b, "gt": a > b, "eq": a == b}[op]


def evaluate(rule: Rule, docs: Mapping[str, Any], cache: dict | None = None) -> list[Violation]:
    """The violations of one rule on the documents present (``{kind: 1.2 document}``).

    ``cache`` (a dict shared by the rules evaluated on the same documents) memoises item lists."""
    for d in rule.descriptors:
        if docs.get(d).__class__ is not dict:
            return []
    check = rule.check
    if "when" in check and not _guard(check, docs):
        return []
    kind = check["type"]
    out: list[Violation] = []
    if kind == "each_in":
        spec = check["items"]
        present: set = set()
        for w in check["within"]:
            present |= _keyset(docs, w, cache)
        for it in _select(docs, spec, cache):
            key = _keys(it, spec["key"])
            if key not in present:
                out.append(Violation(rule, render(check["condition"], it),
                                     [(spec["descriptor"], _path_of(it, spec.get("report")))]))
    elif kind == "nonempty":
        spec = check["items"]
        for it in _select(docs, spec, cache):
            empty = [f for f, g in zip(check["fields"], _getters(check["fields"])) if is_empty(g(it))]
            if empty:
                out.append(Violation(rule, render(check["condition"], it),
                                     [(spec["descriptor"], _path_of(it, f)) for f in empty]))
    elif kind == "match":
        spec, against = check["items"], check["against"]
        cmp = check["compare"]
        tol = float(cmp.get("tolerance", 0))
        index: dict[tuple, Item] = {}
        for it in _select(docs, against, cache):
            index.setdefault(_keys(it, against["key"]), it)
        for it in _select(docs, spec, cache):
            other = index.get(_keys(it, spec["key"]))
            if other is None:
                continue
            a, b = key_value(it, cmp["left"]), key_value(other, cmp["right"])
            if is_empty(a) or is_empty(b):
                continue
            if not _agree(a, b, tol):
                cond = render(check["condition"], it, {"left": a, "right": b}, other)
                out.append(Violation(rule, cond, [(spec["descriptor"], _path_of(it, cmp["left"])),
                                                  (against["descriptor"], _path_of(other, cmp["right"]))]))
    elif kind == "compare":
        for pair in check["pairs"]:
            left, right = pair["left"], pair["right"]
            lv, rv = get(docs[left["descriptor"]], left["path"]), get(docs[right["descriptor"]], right["path"])
            ln, rn = _as_number(lv), _as_number(rv)
            if check.get("skip_empty_strings", True) and (is_empty(lv) or is_empty(rv)):
                continue
            op = pair.get("op", check.get("op", "le"))
            if op == "eq" and (ln is None or rn is None):
                ok = _norm(lv) == _norm(rv)
            else:
                if ln is None or rn is None:
                    continue
                lu = get(docs[left["descriptor"]], left["unit"]) if "unit" in left else None
                ru = get(docs[right["descriptor"]], right["unit"]) if "unit" in right else None
                if "unit" in left or "unit" in right:
                    if lu not in DURATION_MS or ru not in DURATION_MS:
                        continue  # an unknown unit is a validation error, not a comparison
                    ln, rn = ln * DURATION_MS[lu], rn * DURATION_MS[ru]
                ok = _op(op, ln, rn)
            if not ok:
                extra = {"left": lv, "right": rv, "label": pair.get("label", ""),
                         "left_unit": get(docs[left["descriptor"]], left["unit"]) if "unit" in left else "",
                         "right_unit": get(docs[right["descriptor"]], right["unit"]) if "unit" in right else ""}
                out.append(Violation(rule, render(check["condition"], None, extra),
                                     [(left["descriptor"], json_path(left["path"].split("."))),
                                      (right["descriptor"], json_path(right["path"].split(".")))]))
    return out


def evaluate_all(docs: Mapping[str, Any], rules: list[Rule] | None = None) -> list[Violation]:
    rules = load_rules() if rules is None else rules
    out: list[Violation] = []
    for r in rules:
        out.extend(compiled(r)(docs))
    return out


def evaluate_all_interpreted(docs: Mapping[str, Any], rules: list[Rule] | None = None) -> list[Violation]:
    """Same as :func:`evaluate_all` with the reference interpreter (used to test the compiler)."""
    rules = load_rules() if rules is None else rules
    out: list[Violation] = []
    cache: dict = {}
    for r in rules:
        out.extend(evaluate(r, docs, cache))
    return out


# --------------------------------------------------------------------------------------------
# Compiling rules to Python (same semantics as :func:`evaluate`, several times faster)
# --------------------------------------------------------------------------------------------
# Each rule is turned once into a small Python function with the loops over its paths written
# out; an Item is built only for a violation, whose message and paths then come from the same code
# as the interpreter's. tests/unit/test_detect_rules.py checks both give identical violations.

def _values(cur: Any, segments: tuple, i: int = 0) -> Iterator[Any]:
    """The values at ``segments[i:]`` below ``cur``, in document order (no Item records built)."""
    n = len(segments)
    while i < n:
        name, many = segments[i]
        if cur.__class__ is not dict or name not in cur:
            return
        cur = cur[name]
        i += 1
        if many:
            if cur.__class__ is not list:
                return
            if i == n:
                yield from cur
            else:
                for el in cur:
                    yield from _values(el, segments, i)
            return
    yield cur


def _lookup_value(root: Any, needle: Any, in_path: str, match: str, take: str) -> Any:
    if is_empty(needle):
        return _MISSING
    for value in _values(root, _segments(in_path)):
        if get(value, match) == needle:
            return get(value, take)
    return _MISSING


class _Gen:
    def __init__(self) -> None:
        self.lines: list[str] = []
        self.consts: dict[str, Any] = {}
        self.n = 0

    def const(self, value: Any) -> str:
        name = f"C{len(self.consts)}"
        self.consts[name] = value
        return name

    def var(self, prefix: str) -> str:
        self.n += 1
        return f"{prefix}{self.n}"

    def emit(self, indent: int, text: str) -> None:
        self.lines.append("    " * indent + text)


def _gen_get(g: _Gen, expr: Any, item: str, chain: list[str], root: str) -> str:
    """A Python expression for key expression ``expr`` on item variable ``item``."""
    if isinstance(expr, dict):
        needle = _gen_get(g, expr["lookup"], item, chain, root)
        return (f"_lookup_value({root}, {needle}, {expr['in']!r}, {expr['match']!r}, {expr['take']!r})")
    level, dotted = _expr(str(expr))
    target = item
    if level:
        if level > len(chain):
            return "_MISSING"
        target = chain[-level]
    parts = _parts(dotted)
    if not parts:
        return target
    if len(parts) == 1:
        return f"({target}.get({parts[0]!r}, _MISSING) if {target}.__class__ is dict else _MISSING)"
    return f"_gp({target}, {parts!r})"


def _gen_loop(g: _Gen, spec: Mapping, root: str, indent: int) -> tuple[int, str, list[str], str, str]:
    """Open the loops of ``spec['path']`` with its filters; return (indent, item var, chain, parts expr,
    parents expr) for the body."""
    segments = _segments(spec["path"])
    cur = root
    parts: list[str] = []
    loop_vars: list[str] = []
    for name, many in segments:
        nxt = g.var("v")
        g.emit(indent, f"{nxt} = {cur}.get({name!r}, _MISSING) if {cur}.__class__ is dict else _MISSING")
        if many:
            idx, el = g.var("i"), g.var("x")
            g.emit(indent, f"if {nxt}.__class__ is list:")
            g.emit(indent + 1, f"for {idx}, {el} in enumerate({nxt}):")
            indent += 2
            parts += [repr(name), idx]
            loop_vars.append(el)
            cur = el
        else:
            g.emit(indent, f"if {nxt} is not _MISSING:")
            indent += 1
            parts.append(repr(name))
            cur = nxt
    item = cur
    chain = loop_vars[:-1] if loop_vars and loop_vars[-1] == item else loop_vars
    for expr, expected in (spec.get("where") or {}).items():
        val = g.var("w")
        g.emit(indent, f"{val} = {_gen_get(g, expr, item, chain, root)}")
        g.emit(indent, f"if {val} is _MISSING or {val} != {g.const(expected)}: continue"
               if loop_vars else f"if {val} is _MISSING or {val} != {g.const(expected)}: pass")
    conds = [f"is_empty({_gen_get(g, e, item, chain, root)})" for e in spec.get("require") or []]
    if conds:
        if loop_vars:
            g.emit(indent, f"if {' or '.join(conds)}: continue")
        else:  # no loop to continue: nest the body instead
            g.emit(indent, f"if not ({' or '.join(conds)}):")
            indent += 1
    parts_expr = "(" + "".join(p + ", " for p in parts) + ")"
    parents_expr = "(" + "".join(v + ", " for v in loop_vars) + ")"
    return indent, item, chain, parts_expr, parents_expr


def _gen_key(g: _Gen, exprs: list, item: str, chain: list[str], root: str) -> str:
    return "(" + "".join(f"_h({_gen_get(g, e, item, chain, root)}), " for e in exprs) + ")"


def compile_rule(rule: Rule):
    """A function ``docs -> list[Violation]`` equivalent to ``evaluate(rule, docs)``."""
    check = rule.check
    kind = check["type"]
    specs = [check[k] for k in ("items", "against") if k in check] + list(check.get("within") or [])
    if kind == "compare" or not all(any(many for _, many in _segments(sp["path"])) for sp in specs):
        return lambda docs: evaluate(rule, docs, None)  # scalar paths: the interpreter is as fast
    g = _Gen()
    roots = {d: f"D{i}" for i, d in enumerate(rule.descriptors)}
    g.emit(0, "def run(docs):")
    for d, var in roots.items():
        g.emit(1, f"{var} = docs.get({d!r})")
    g.emit(1, "if " + " or ".join(f"{v}.__class__ is not dict" for v in roots.values()) + ": return []")
    for cond in check.get("when") or []:
        val = g.var("g")
        g.emit(1, f"{val} = _gp({roots[cond['descriptor']]}, {_parts(cond['path'])!r})")
        if "equals" in cond:
            exp = g.const(cond["equals"])
            if cond["equals"] is False:
                g.emit(1, f"if not ({val} is _MISSING or {val} == {exp}): return []")
            else:
                g.emit(1, f"if {val} != {exp}: return []")
    g.emit(1, "out = []")
    R = g.const(rule)
    if kind == "each_in":
        g.emit(1, "present = set()")
        for w in check["within"]:
            root = roots[w["descriptor"]]
            ind, item, chain, _p, _q = _gen_loop(g, w, root, 1)
            g.emit(ind, f"present.add({_gen_key(g, w['key'], item, chain, root)})")
        spec = check["items"]
        root = roots[spec["descriptor"]]
        ind, item, chain, parts, parents = _gen_loop(g, spec, root, 1)
        g.emit(ind, f"if {_gen_key(g, spec['key'], item, chain, root)} not in present:")
        g.emit(ind + 1, f"out.append(_viol_each_in({R}, Item({item}, {parts}, {parents}, {root})))")
    elif kind == "nonempty":
        spec = check["items"]
        root = roots[spec["descriptor"]]
        ind, item, chain, parts, parents = _gen_loop(g, spec, root, 1)
        conds = [f"is_empty({_gen_get(g, f, item, chain, root)})" for f in check["fields"]]
        g.emit(ind, f"if {' or '.join(conds)}:")
        g.emit(ind + 1, f"out.append(_viol_nonempty({R}, Item({item}, {parts}, {parents}, {root})))")
    elif kind == "match":
        against, spec = check["against"], check["items"]
        g.emit(1, "index = {}")
        root = roots[against["descriptor"]]
        ind, item, chain, parts, parents = _gen_loop(g, against, root, 1)
        k = g.var("k")
        g.emit(ind, f"{k} = {_gen_key(g, against['key'], item, chain, root)}")
        g.emit(ind, f"if {k} not in index: index[{k}] = Item({item}, {parts}, {parents}, {root})")
        root = roots[spec["descriptor"]]
        ind, item, chain, parts, parents = _gen_loop(g, spec, root, 1)
        o, a, b = g.var("o"), g.var("a"), g.var("b")
        right = g.const(_compile_getter(check["compare"]["right"]))
        g.emit(ind, f"{o} = index.get({_gen_key(g, spec['key'], item, chain, root)})")
        g.emit(ind, f"if {o} is not None:")
        g.emit(ind + 1, f"{a} = {_gen_get(g, check['compare']['left'], item, chain, root)}")
        g.emit(ind + 1, f"{b} = {right}({o})")
        tol = g.const(float(check["compare"].get("tolerance", 0)))
        g.emit(ind + 1, f"if not (is_empty({a}) or is_empty({b})) and not _agree({a}, {b}, {tol}):")
        g.emit(ind + 2, f"out.append(_viol_match({R}, Item({item}, {parts}, {parents}, {root}), {o}, {a}, {b}))")
    g.emit(1, "return out")
    namespace = {"_MISSING": _MISSING, "_h": _h, "is_empty": is_empty, "_gp": _walk, "_agree": _agree,
                 "_lookup_value": _lookup_value, "Item": Item, "_viol_each_in": _viol_each_in,
                 "_viol_nonempty": _viol_nonempty, "_viol_match": _viol_match, **g.consts}
    source = "\n".join(g.lines) + "\n"
    exec(compile(source, f"<rule {rule.id}>", "exec"), namespace)  # noqa: S102 - our own generated code
    fn = namespace["run"]
    fn.source = source
    return fn


def _viol_each_in(rule: Rule, it: Item) -> Violation:
    spec = rule.check["items"]
    return Violation(rule, render(rule.check["condition"], it), [(spec["descriptor"], _path_of(it, spec.get("report")))])


def _viol_nonempty(rule: Rule, it: Item) -> Violation:
    spec, fields = rule.check["items"], rule.check["fields"]
    empty = [f for f in fields if is_empty(key_value(it, f))]
    return Violation(rule, render(rule.check["condition"], it), [(spec["descriptor"], _path_of(it, f)) for f in empty])


def _viol_match(rule: Rule, it: Item, other: Item, a: Any, b: Any) -> Violation:
    check = rule.check
    cond = render(check["condition"], it, {"left": a, "right": b}, other)
    return Violation(rule, cond, [(check["items"]["descriptor"], _path_of(it, check["compare"]["left"])),
                                  (check["against"]["descriptor"], _path_of(other, check["compare"]["right"]))])


def compiled(rule: Rule):
    """The compiled function of a rule, compiled once per rule object and kept on it."""
    fn = rule.__dict__.get("_compiled")
    if fn is None:
        fn = compile_rule(rule)
        object.__setattr__(rule, "_compiled", fn)  # a cache on the (frozen) rule itself, not module state
    return fn
