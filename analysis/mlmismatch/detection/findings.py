"""What ``mlmismatch check`` finds: :class:`Finding` records (the toolkit's one finding record,
:class:`mlmismatch.core.findings.Finding`, with the fields a descriptor check needs) in a :class:`Report`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable  # noqa: F401 (Any: the inherited annotations resolve here)

from mlmismatch.core.findings import Finding as BaseFinding
from mlmismatch.core.findings import Kind, Level, Status
from mlmismatch.detection.documents import Document

__all__ = ["Finding", "Report", "FINDING_KINDS", "LEVELS", "SECTION_TITLES", "Kind", "Level"]

#: Detection finding kinds, in report order.
FINDING_KINDS = (Kind.INVALID, Kind.RULE, Kind.DRIFT, Kind.MISSING)
LEVELS = {Kind.INVALID: Level.ERROR, Kind.RULE: Level.ERROR, Kind.DRIFT: Level.ERROR, Kind.MISSING: Level.WARNING}
SECTION_TITLES = {Kind.INVALID: "Schema validation errors", Kind.RULE: "Cross-descriptor mismatches",
                  Kind.DRIFT: "Run-time drift", Kind.MISSING: "Information gaps"}


@dataclass(eq=False)
class Finding(BaseFinding):
    """A finding about a system's descriptors. ``code`` is the rule id (``R03``, ``schema:type``,
    ``gap:attribute``, ``drift:chi-square``); ``locations`` pair each path with its descriptor."""

    sei_rule: str | None = None
    descriptors: list[str] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)
    subcategories: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    title: str = ""
    rationale: str = ""
    frequency: int | None = None
    importance: float | None = None
    locations: list[tuple[str, str]] = field(default_factory=list, repr=False)  # (descriptor, path)

    def __post_init__(self) -> None:
        super().__post_init__()
        if not self.locations:
            self.locations = [(self.descriptors[0] if len(self.descriptors) == 1 else
                               (self.descriptors[i] if i < len(self.descriptors) else self.descriptors[-1]), p)
                              for i, p in enumerate(self.paths)] if self.descriptors else []
        if not self.location and self.locations:
            self.location = "; ".join(f"{k} {p}" for k, p in self.locations)

    @property
    def rule_id(self) -> str:
        return self.code

    def to_dict(self) -> dict:
        """The JSON contract of a finding (``mlmismatch check --format json``)."""
        return {"kind": str(self.kind), "rule_id": self.code, "sei_rule": self.sei_rule,
                "descriptors": list(self.descriptors), "paths": list(self.paths), "message": self.message,
                "subcategories": list(self.subcategories), "files": list(self.files), "title": self.title,
                "rationale": self.rationale, "level": str(self.level), "frequency": self.frequency,
                "importance": self.importance,
                "locations": [{"descriptor": k, "path": p} for k, p in self.locations]}


def finding(kind: Kind, code: str, message: str, **fields) -> Finding:
    """A detection finding with the level of its kind."""
    kind = kind if kind.__class__ is Kind else Kind(kind)
    return Finding(kind=kind, code=code, status=Status.FAILS, message=message, level=LEVELS[kind], **fields)


@dataclass
class Report:
    directory: str
    documents: list[Document]
    findings: list[Finding]
    role: str | None = None

    @property
    def clean(self) -> bool:
        return not self.findings

    def counts(self) -> dict[str, int]:
        out = {k: 0 for k in FINDING_KINDS}
        for f in self.findings:
            out[f.kind] = out.get(f.kind, 0) + 1
        return out

    def rule_ids(self, kind: str | None = None) -> list[str]:
        return sorted({f.rule_id for f in self.findings if kind is None or f.kind == kind})

    def exit_code(self, fail_on: Iterable[str] = FINDING_KINDS) -> int:
        fail_on = set(fail_on)
        return 1 if any(f.kind in fail_on for f in self.findings) else 0
