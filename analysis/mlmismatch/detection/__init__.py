"""Detecting mismatch in one system's descriptors (``mlmismatch check``) and run-time drift.

- :mod:`.documents`: reading a system's descriptor documents safely;
- :mod:`.rules`: evaluating the rule catalogue (:mod:`mlmismatch.mapping.predicates`);
- :mod:`.gaps`: information gaps, ranked by the study's aggregates;
- :mod:`.steps`: the three steps together (:func:`~.check.check`);
- :mod:`.findings`: the :class:`~.findings.Finding` and :class:`~.findings.Report` records;
- :mod:`.render`: JSON, SARIF, Markdown and HTML;
- :mod:`.drift`: the chi-square drift test of the paper's Fig. 7.

The names below are the detection API (``from mlmismatch import detection``); none of them imports
pandas.
"""

from mlmismatch.detection.steps import check, check_documents, rule_findings, validate_documents
from mlmismatch.detection.documents import (MAX_DEPTH, MAX_FILE_BYTES, MAX_FILES, MAX_NODES, Document,
                                            kind_from_filename, load_system, make_document, read_document)
from mlmismatch.detection.findings import FINDING_KINDS, SECTION_TITLES, Finding, Report
from mlmismatch.detection.gaps import (GapWeights, information_gaps, load_mapping, mapping_index, packaged_weights,
                                       rank_gaps, weights_from_study)
from mlmismatch.detection.render import render, to_html, to_json, to_json_dict, to_markdown, to_sarif

__all__ = [
    "check", "check_documents", "validate_documents", "rule_findings", "Document", "load_system", "read_document",
    "make_document", "kind_from_filename", "Finding", "Report", "FINDING_KINDS", "SECTION_TITLES", "GapWeights",
    "information_gaps", "rank_gaps", "load_mapping", "mapping_index", "packaged_weights", "weights_from_study",
    "render", "to_json", "to_json_dict", "to_sarif", "to_markdown", "to_html", "MAX_FILE_BYTES", "MAX_DEPTH",
    "MAX_NODES", "MAX_FILES",
]
