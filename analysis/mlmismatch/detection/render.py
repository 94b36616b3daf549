"""The check report as JSON, SARIF 2.1.0, Markdown and HTML."""

from __future__ import annotations

import json
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


def _rule_meta(report: Report) -> dict[str, dict]:
    meta: dict[str, dict] = {}
    for f in report.findings:
        if f.rule_id not in meta:
            meta[f.rule_id] = {"title": f.title or f.rule_id, "rationale": f.rationale, "sei_rule": f.sei_rule,
                               "level": f.level, "subcategories": f.subcategories}
    return meta


def to_sarif(report: Report, base: str | Path | None = None) -> str:
    """SARIF 2.1.0 for code-scanning views (one result per finding, located in its file)."""
    meta = _rule_meta(report)
    rule_ids = list(meta)
    prefix = (str(base).rstrip("/") + "/") if base else (report.directory.rstrip("/") + "/" if report.directory else "")
    files = {d.kind: d.name for d in report.documents}
    results = []
    for f in report.findings:
        locs = []
        for desc, path in f.locations:
            name = files.get(desc)
            if name is None:
                continue
            locs.append({"physicalLocation": {"artifactLocation": {"uri": prefix + name}},
                         "logicalLocations": [{"fullyQualifiedName": f"{desc}:{path}", "kind": "member"}]})
        if not locs and f.files:
            locs = [{"physicalLocation": {"artifactLocation": {"uri": prefix + f.files[0]}}}]
        if not locs:
            locs = [{"physicalLocation": {"artifactLocation": {"uri": prefix or "./"}}}]
        results.append({
            "ruleId": f.rule_id, "ruleIndex": rule_ids.index(f.rule_id), "level": f.level,
            "message": {"text": f.message}, "locations": locs,
            "properties": {"kind": f.kind, "sei_rule": f.sei_rule, "descriptors": f.descriptors, "paths": f.paths,
                           "subcategories": f.subcategories},
        })
    sarif = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "mlmismatch", "version": version(),
                "informationUri": "https://github.com/cmu-sei/ml-mismatch-descriptors",
                "rules": [{"id": rid, "name": rid.replace(":", "-"), "shortDescription": {"text": m["title"]},
                           "fullDescription": {"text": m["rationale"] or m["title"]},
                           "defaultConfiguration": {"level": m["level"]},
                           "properties": {"sei_rule": m["sei_rule"], "subcategories": m["subcategories"]}}
                          for rid, m in meta.items()],
            }},
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


def render(report: Report, fmt: str) -> str:
    """The report as ``json``, ``sarif``, ``markdown`` or ``html`` text."""
    if fmt == "json":
        return to_json(report)
    if fmt == "sarif":
        return to_sarif(report)
    if fmt in ("markdown", "md"):
        return to_markdown(report)
    if fmt == "html":
        return to_html(report)
    raise InputError(f"unknown format '{fmt}'", expected="terminal, json, sarif, markdown or html")
