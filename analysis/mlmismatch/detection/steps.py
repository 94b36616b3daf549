"""Detect mismatches in one system's descriptor documents (``mlmismatch check DIR``).

:func:`check` runs three steps on the documents of :func:`~mlmismatch.detection.documents.load_system`
and returns a :class:`~mlmismatch.detection.findings.Report`:

1. **invalid**: every JSON Schema error of every document (format checking on), with file and
   JSON path;
2. **rule**: the cross-descriptor rules of the packaged rule catalogue
   (:mod:`mlmismatch.mapping.predicates`, evaluated by :mod:`mlmismatch.detection.rules`);
3. **missing**: information gaps, ranked (:mod:`mlmismatch.detection.gaps`).

The functions are a pure library: the mapping, the coded instances and the importance table are
passed in as DataFrames (all optional); the default mapping and ranking weights are packaged.

>>> from mlmismatch.core import resources
>>> from mlmismatch.detection import check
>>> report = check(resources.path("examples", "traffic-signs"))
>>> report.rule_ids("rule")[:4], report.exit_code()
(['R02', 'R06', 'R07', 'R08'], 1)
>>> check(resources.path("examples", "credit-card-fraud")).exit_code()
0
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from mlmismatch.core.findings import Kind
from mlmismatch.descriptors.schemas import json_path
from mlmismatch.detection import rules as rules_mod
from mlmismatch.detection.documents import Document, load_system
from mlmismatch.detection.findings import Finding, Report, finding
from mlmismatch.detection.gaps import (GapWeights, information_gaps, load_mapping, mapping_index, packaged_weights,
                                       rank_gaps, weights_from_study)
from mlmismatch.sources import Store, as_store

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["check", "check_documents", "validate_documents", "rule_findings", "Report", "Finding", "Document"]


def validate_documents(docs: Iterable[Document], derived_dir: str | Path | None = None, *,
                       store: Store | None = None) -> list[Finding]:
    """Every schema error of every document (not just the first), with file and JSON path."""
    from mlmismatch.descriptors.schemas import error_lister

    store = as_store(store)
    out: list[Finding] = []
    for d in docs:
        lister = error_lister(d.kind, None if d.derived else d.version, derived_dir, store=store)
        for parts, keyword, message in lister.errors(d.data):
            if keyword == "required":  # point at the missing attribute itself
                missing = message.split("'")[1] if message.count("'") >= 2 else None
                if missing:
                    parts = parts + (missing,)
            out.append(finding(Kind.INVALID, f"schema:{keyword}", f"{d.name}, at {json_path(parts)}: {message}",
                               descriptors=[d.kind], paths=[json_path(parts)], files=[d.name],
                               title="Schema validation error"))
    return out


def rule_findings(docs: Iterable[Document], rules: list | None = None) -> list[Finding]:
    """The cross-descriptor rules that fail (default: the packaged rule catalogue)."""
    docs = list(docs)
    by_kind = {d.kind: d.migrated for d in docs}
    names = {d.kind: d.name for d in docs}
    out = []
    for v in rules_mod.evaluate_all(by_kind, rules):
        r = v.rule
        descs = list(dict.fromkeys(k for k, _ in v.locations)) or list(r.descriptors)
        out.append(finding(Kind.RULE, r.id, v.condition, sei_rule=r.sei_rule, descriptors=descs,
                           paths=[p for _, p in v.locations], subcategories=list(r.subcategories),
                           files=list(dict.fromkeys(names[k] for k, _ in v.locations if k in names)), title=r.message,
                           rationale=r.rationale, locations=list(v.locations)))
    return out


def check_documents(docs: list[Document], *, directory: str = "", mapping=None,
                    weights: GapWeights | None = None, instances: "pd.DataFrame | None" = None,
                    importance: "pd.DataFrame | None" = None, role: str | None = None, rules: list | None = None,
                    derived_dir: str | Path | None = None, gaps: bool = True, store: Store | None = None) -> Report:
    """Run the three steps on loaded documents.

    ``mapping`` defaults to the packaged mapping. Gaps are ranked by ``weights``; by default by the
    coded ``instances`` and ``importance`` (Table II) when given, else by the packaged aggregates.
    """
    store = as_store(store)
    findings = validate_documents(docs, derived_dir, store=store)
    findings += rule_findings(docs, rules)
    if gaps:
        if mapping is None:  # the packaged mapping and its index, read once per store
            mapping = store.memo(("packaged-mapping-index",), lambda: mapping_index(load_mapping()))
        if weights is None:
            weights = (weights_from_study(instances, importance) if instances is not None or importance is not None
                       else store.memo(("packaged-weights",), packaged_weights))
        findings += rank_gaps(information_gaps(docs, mapping, derived_dir, store=store), weights, role)
    return Report(directory=directory, documents=docs, findings=findings, role=role)


def check(directory: str | Path, *, derived_dir: str | Path | None = None, store: Store | None = None,
          **kwargs) -> Report:
    """Load a system directory and check it (see :func:`check_documents` for the options).

    Exit codes of the command line follow :meth:`Report.exit_code`: 0 clean, 1 findings.
    """
    store = as_store(store)
    docs = load_system(directory, derived_dir, store=store)
    return check_documents(docs, directory=str(directory), derived_dir=derived_dir, store=store, **kwargs)
