"""SEI TEC's detection code as a test oracle (tests and benchmarks only; never copied into the project).

TEC's ``api/helpers/mismatch_detection.py`` and version updaters (BSD licence, commit 623603b) are
imported from a folder outside the repository: ``MLMISMATCH_TEC_DIR`` if set, else the ``tec/``
folder beside the data directory's ``replication-package/`` (``$MLMISMATCH_DATA_DIR/tec``, which is
``../shared/tec`` in CI). Nothing is written there (no bytecode).
"""

from __future__ import annotations

import importlib
import os
import re
import sys
from pathlib import Path
from types import SimpleNamespace

ENV = "MLMISMATCH_TEC_DIR"


def tec_dir() -> Path | None:
    """The folder holding TEC's ``api/`` (or None when it cannot be found)."""
    explicit = os.environ.get(ENV)
    candidates = [Path(explicit)] if explicit else []
    data_dir = os.environ.get("MLMISMATCH_DATA_DIR")
    if data_dir:
        candidates.append(Path(data_dir) / "tec")
    for c in candidates:
        if (c / "api" / "helpers" / "mismatch_detection.py").is_file():
            return c
    return None


def load() -> SimpleNamespace | None:
    """TEC's detection and version-updater functions, or None when the oracle is not available."""
    root = tec_dir()
    if root is None:
        return None
    api = str(root / "api")
    before = sys.dont_write_bytecode
    sys.dont_write_bytecode = True  # the oracle's folder is read-only in CI: write nothing there
    if api not in sys.path:
        sys.path.insert(0, api)
    try:
        detection = importlib.import_module("helpers.mismatch_detection")
        updater = importlib.import_module("descriptor_version_updaters.version_updater")
    finally:
        sys.dont_write_bytecode = before
    source = (root / "api" / "helpers" / "mismatch_detection.py").read_text(encoding="utf-8")
    return SimpleNamespace(root=root, detection=detection, all_document_mismatches=detection.all_document_mismatches,
                           project_mismatches_and_missing_fields=detection.project_mismatches_and_missing_fields,
                           update_document_version=updater.update_document_version,
                           messages=rule_messages(source))


def rule_messages(source: str) -> dict[str, str]:
    """``{message: TEC rule label}`` read from the ``# Rule N`` comments of TEC's source (facts only)."""
    out: dict[str, str] = {}
    label = None
    for line in source.splitlines():
        m = re.match(r"\s*# Rule (\S+)", line)
        if m:
            label = m.group(1)
            continue
        m = re.match(r"\s*'message':\s*'(.*)',?\s*$", line)
        if m and label and label != "3C/4C":
            out.setdefault(m.group(1), label)
    return out


def project_json(docs: dict) -> dict:
    """TEC's ``project_json``: one (1.2) document per kind, ``None`` for absent ones."""
    from mlmismatch.descriptors.schemas import KINDS

    return {k: docs.get(k) for k in KINDS}


def tec_documents(tec: SimpleNamespace, docs: dict) -> dict:
    """TEC's ``project_json`` for ``{kind: document}`` of any version (TEC's own updaters, on copies)."""
    import copy

    upgraded = {k: (d if d.get("version") == "1.2" else tec.update_document_version(k, copy.deepcopy(d)))
                for k, d in docs.items()}
    return project_json(upgraded)


def tec_rule_ids(tec: SimpleNamespace, docs: dict) -> set[str]:
    """The TEC rule ids (``1``, ``3A`` ...) that TEC's detection reports for ``{kind: document}``.

    4A-4C reuse the messages of 3A-3C: with post-processing on, those are 4A-4C. A crash of TEC's code
    (it indexes every key it reads) is the id ``error:<exception type>``."""
    project = tec_documents(tec, docs)
    try:
        mismatches = tec.all_document_mismatches(project)
    except Exception as exc:  # noqa: BLE001 - TEC raises KeyError/TypeError/AttributeError on bad input
        return {f"error:{type(exc).__name__}"}
    post = bool((project.get("trained_model") or {}).get("post_processing"))
    out = set()
    for m in mismatches:
        label = tec.messages[m["message"]]
        if post and label in ("3A", "3B", "3C"):
            label = "4" + label[1]
        out.add(label)
    return out


def our_rule_ids(docs: dict, rules: list | None = None) -> set[str]:
    """The TEC rule ids of the findings of our ``check`` rules (rules without a TEC counterpart left out)."""
    from mlmismatch.detection.documents import make_document
    from mlmismatch.detection.steps import rule_findings

    documents = [make_document(k, d, f"{k}.json") for k, d in docs.items()]
    return {f.sei_rule for f in rule_findings(documents, rules) if f.sei_rule}
