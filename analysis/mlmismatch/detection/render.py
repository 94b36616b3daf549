"""The check report as JSON, SARIF 2.1.0, Markdown and HTML."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from mlmismatch.core.errors import InputError
from mlmismatch.core.text import html_escape, md_cell
from mlmismatch.core.version import version
from mlmismatch.detection.findings import FINDING_KINDS, SECTION_TITLES, Report

__all__ = ["render", "to_json", "to_json_dict", "to_sarif", "to_markdown", "to_html", "FORMATS"]

FORMATS = ("json", "sarif", "markdown", "html")


def to_json_dict(report: Report) -> dict:
    return {
        "tool": "mlmismatch check",
        "directory": report.directory,
        "documents": [{"descriptor": d.kind, "version": d.version, "file": d.name, "derived": d.derived}
                      for d in report.documents],
        "role": report.role,
        "counts": report.counts(),
        "findings": [f.to_dict() for f in report.findings],
    }


def to_json(report: Report) -> str:
    return json.dumps(to_json_dict(report), indent=2, ensure_ascii=False) + "\n"


#: Where the rules are documented (``helpUri`` of every SARIF rule).
DOCS_URI = "https://github.com/mlmismatch/mlmismatch/blob/main/"
HELP_URIS = {"rule": DOCS_URI + "data/rules/README.md#rule-table",
             "invalid": DOCS_URI + "README.md#detecting-mismatch-in-your-system-mlmismatch-check",
             "missing": DOCS_URI + "README.md#detecting-mismatch-in-your-system-mlmismatch-check",
             "drift": DOCS_URI + "README.md#detecting-mismatch-in-your-system-mlmismatch-check"}
#: Help for the finding kinds that are not catalogue rules.
KIND_HELP = {
    "invalid": "The document does not conform to the SEI descriptor schema of its kind and version (JSON Schema "
               "draft-07, formats checked); the rule id names the failing keyword.",
    "missing": "An attribute is missing or empty: an information gap that leaves the system open to the mismatch "
               "subcategories listed, ranked by how often the study saw them.",
    "drift": "The production label distribution differs from the training distribution (chi-square test).",
}
#: The ``uriBaseId`` of artifact locations (the folder given by ``--sarif-root``).
SRCROOT = "SRCROOT"


def _rule_meta(report: Report) -> dict[str, dict]:
    meta: dict[str, dict] = {}
    for f in report.findings:
        if f.rule_id not in meta:
            meta[f.rule_id] = {"title": f.title or f.rule_id, "rationale": f.rationale, "sei_rule": f.sei_rule,
                               "level": f.level, "subcategories": f.subcategories, "kind": str(f.kind)}
    return meta


def _help(rid: str, m: dict) -> dict:
    """The ``help`` of a SARIF rule: plain text and Markdown, from the rule's title and rationale."""
    sei = f" (SEI TEC rule {m['sei_rule']})" if m["sei_rule"] else ""
    subs = "; ".join(m["subcategories"])
    uri = HELP_URIS.get(m["kind"], HELP_URIS["rule"])
    why = m["rationale"] or KIND_HELP.get(m["kind"], "")
    text = f"{rid}{sei}: {m['title']}" + (f" {why}" if why else "") + \
        (f" Mismatch subcategories: {subs}." if subs else "") + f" Documentation: {uri}"
    md = [f"**{md_cell(rid)}**" + (f" {md_cell(sei.strip())}" if sei else "") + f": {md_cell(m['title'])}"]
    if why:
        md += ["", md_cell(why)]
    if subs:
        md += ["", f"Mismatch subcategories: {md_cell(subs)}."]
    md += ["", f"[Rule documentation]({uri})"]
    return {"text": text, "markdown": "\n".join(md)}


def _artifact(file: Path, root: Path) -> dict:
    """An artifact location: relative to ``root`` (``uriBaseId``) when inside it, else an absolute
    ``file:`` URI; every path segment percent-encoded (spaces, ``#``, non-ASCII)."""
    from urllib.parse import quote

    absolute = Path(os.path.abspath(file))
    try:
        rel = absolute.relative_to(root)
    except ValueError:
        return {"uri": absolute.as_uri()}
    return {"uri": "/".join(quote(part, safe="") for part in rel.parts), "uriBaseId": SRCROOT}


def _region(locate, file: Path, path: str) -> dict | None:
    at = locate(file, path)
    return {"startLine": at[0], "startColumn": at[1]} if at else None


def to_sarif(report: Report, root: str | Path | None = None) -> str:
    """SARIF 2.1.0 for code-scanning views (GitHub-grade): one result per finding, located in its file
    with a region (line and column of the JSON path in the file), each rule with help text and a
    ``helpUri``; artifact URIs relative to ``root`` (``--sarif-root``, default the current folder)
    through the ``SRCROOT`` base id, percent-encoded."""
    from mlmismatch.detection.locate import Locator

    root_path = Path(os.path.abspath(root if root is not None else os.getcwd()))
    locate = Locator()
    meta = _rule_meta(report)
    rule_ids = list(meta)
    files = {d.kind: d.file for d in report.documents}
    by_name = {d.name: d.file for d in report.documents}
    directory = Path(report.directory) if report.directory else root_path
    results = []
    for f in report.findings:
        locs = []
        for desc, path in f.locations:
            file = files.get(desc)
            if file is None:
                continue
            physical: dict[str, Any] = {"artifactLocation": _artifact(file, root_path)}
            region = _region(locate, file, path)
            if region:
                physical["region"] = region
            locs.append({"physicalLocation": physical,
                         "logicalLocations": [{"fullyQualifiedName": f"{desc}:{path}", "kind": "member"}]})
        if not locs and f.files:
            file = by_name.get(f.files[0], directory / f.files[0])
            locs = [{"physicalLocation": {"artifactLocation": _artifact(file, root_path)}}]
        if not locs:
            locs = [{"physicalLocation": {"artifactLocation": _artifact(directory, root_path)}}]
        results.append({
            "ruleId": f.rule_id, "ruleIndex": rule_ids.index(f.rule_id), "level": f.level,
            "message": {"text": f.message}, "locations": locs,
            "properties": {"kind": str(f.kind), "sei_rule": f.sei_rule, "descriptors": f.descriptors,
                           "paths": f.paths, "subcategories": f.subcategories},
        })
    sarif = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "mlmismatch", "version": version(),
                "informationUri": "https://github.com/mlmismatch/mlmismatch",
                "rules": [{"id": rid, "name": rid.replace(":", "-"), "shortDescription": {"text": m["title"]},
                           "fullDescription": {"text": m["rationale"] or m["title"]},
                           "help": _help(rid, m), "helpUri": HELP_URIS.get(m["kind"], HELP_URIS["rule"]),
                           "defaultConfiguration": {"level": m["level"]},
                           "properties": {"sei_rule": m["sei_rule"], "subcategories": m["subcategories"]}}
                          for rid, m in meta.items()],
            }},
            "originalUriBaseIds": {SRCROOT: {"uri": root_path.as_uri().rstrip("/") + "/"}},
            "results": results,
        }],
    }
    return json.dumps(sarif, indent=2, ensure_ascii=False) + "\n"


def to_markdown(report: Report) -> str:
    c = report.counts()
    lines = [f"# Mismatch check: {report.directory or 'system'}", ""]
    lines.append("Documents: " + ", ".join(f"{d.name} ({d.kind} {d.version})" for d in report.documents) + ".")
    lines.append("")
    lines.append("**" + ("No findings." if report.clean else
                        ", ".join(f"{c[k]} {SECTION_TITLES[k].lower()}" for k in FINDING_KINDS if c.get(k))) + "**")
    for kind in FINDING_KINDS:
        items = [f for f in report.findings if f.kind == kind]
        if not items:
            continue
        lines += ["", f"## {SECTION_TITLES[kind]} ({len(items)})", ""]
        if kind == "missing":
            lines += ["| # | Descriptor | Paths | Subcategories | Instances | Important (%) |", "|---|---|---|---|---|---|"]
            for i, f in enumerate(items, 1):
                lines.append(f"| {i} | {f.descriptors[0]} | {md_cell(', '.join(f.paths[:3]) + (' …' if len(f.paths) > 3 else ''))} | "
                             f"{md_cell('; '.join(f.subcategories))} | {'' if f.frequency is None else f.frequency} | "
                             f"{'' if f.importance is None else f.importance} |")
        else:
            lines += ["| Rule | SEI | Descriptors | Message | Paths |", "|---|---|---|---|---|"]
            for f in items:
                lines.append(f"| {md_cell(f.rule_id)} | {md_cell(f.sei_rule or '')} | {md_cell(', '.join(f.descriptors))} | "
                             f"{md_cell(f.message)} | {md_cell(', '.join(f.paths))} |")
    return "\n".join(lines) + "\n"


def to_html(report: Report) -> str:
    c = report.counts()
    out = ["<!DOCTYPE html>", "<html lang=\"en\"><head><meta charset=\"utf-8\">",
           f"<title>Mismatch check: {html_escape(report.directory)}</title>",
           "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
           "td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}"
           ".invalid,.rule,.drift{color:#b00}.missing{color:#a60}</style></head><body>",
           f"<h1>Mismatch check: {html_escape(report.directory)}</h1>",
           "<p>" + ("No findings." if report.clean else html_escape(
               ", ".join(f"{c[k]} {SECTION_TITLES[k].lower()}" for k in FINDING_KINDS if c.get(k)))) + "</p>"]
    for kind in FINDING_KINDS:
        items = [f for f in report.findings if f.kind == kind]
        if not items:
            continue
        out.append(f"<h2 class=\"{kind}\">{SECTION_TITLES[kind]} ({len(items)})</h2>")
        out.append("<table><tr><th>Rule</th><th>SEI</th><th>Descriptors</th><th>Message</th><th>Paths</th>"
                   "<th>Subcategories</th></tr>")
        for f in items:
            cells = [f.rule_id, f.sei_rule or "", ", ".join(f.descriptors), f.message, ", ".join(f.paths),
                     "; ".join(f.subcategories)]
            out.append("<tr>" + "".join(f"<td>{html_escape(str(x))}</td>" for x in cells) + "</tr>")
        out.append("</table>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"


def render(report: Report, fmt: str, *, sarif_root: str | Path | None = None) -> str:
    """The report as ``json``, ``sarif``, ``markdown`` or ``html`` text (``sarif_root``: see :func:`to_sarif`)."""
    if fmt == "json":
        return to_json(report)
    if fmt == "sarif":
        return to_sarif(report, sarif_root)
    if fmt in ("markdown", "md"):
        return to_markdown(report)
    if fmt == "html":
        return to_html(report)
    raise InputError(f"unknown format '{fmt}'", expected="terminal, json, sarif, markdown or html")
