"""One finding record for the whole toolkit.

Data-quality checks of the study's workbooks (``mlmismatch data check``) and mismatches found in a
system's descriptors (``mlmismatch check``) are both :class:`Finding` records, modelled on
frictionless-py's errors: a typed record whose message comes from a template and its fields, with
its kind, status and level as enums, and a report that flattens to a tidy table
(:func:`findings_table`).

>>> f = Finding(Kind.QUALITY, "interview statistics: total", Status.AGREES,
...             template="summary total {stated}, mismatches loaded {loaded}",
...             params={"stated": 140, "loaded": 140}, location="sheet 'Interview Statistics', TOTAL row")
>>> f.message
'summary total 140, mismatches loaded 140'
>>> f.row()["status"]
'agrees'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Iterable

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd


class Kind(StrEnum):
    """What a finding is about."""

    QUALITY = "quality"   #: a cross-check or normalization of the study's workbooks
    INVALID = "invalid"   #: a descriptor document that does not validate against its schema
    RULE = "rule"         #: a cross-descriptor rule that fails (a mismatch)
    DRIFT = "drift"       #: production data that drifted from the training data
    MISSING = "missing"   #: an information gap: an attribute or descriptor left empty
    DESCRIBE = "describe"  #: a field a person wrote that disagrees with what the artefact says of itself


class Status(StrEnum):
    """The outcome a finding records."""

    AGREES = "agrees"          #: a cross-check agrees
    DISAGREES = "disagrees"    #: a cross-check disagrees (reported, never fixed silently)
    NORMALIZED = "normalized"  #: a label or header read in another spelling
    INFO = "info"              #: worth knowing, neither agreement nor disagreement
    SKIPPED = "skipped"        #: a check that could not run (its sheet is absent)
    UNREADABLE = "unreadable"  #: a cell with no stored value
    OK = "ok"                  #: a check passed that has nothing to compare (e.g. every item mapped)
    WARNING = "warning"        #: a check passed with something to look at (e.g. missing answers)
    FAILS = "fails"            #: a detection finding: the system fails the check


class Level(StrEnum):
    """Severity, with SARIF's level names."""

    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"
    NONE = "none"


#: Columns of a data-quality table (the ``quality`` tables of the loaders).
QUALITY_COLUMNS = ["check", "status", "location", "detail"]


@dataclass(eq=False)
class Finding:
    """A finding: ``kind``, ``code`` (the check's name or the rule id), ``status`` and a message.

    ``message`` is ``template.format(**params)`` when a template is given; ``location`` says where,
    in one line (file, sheet, row, column, or descriptor and JSON path).
    """

    kind: Kind
    code: str
    status: Status = Status.FAILS
    message: str = ""
    location: str = ""
    level: Level = Level.NOTE
    template: str = field(default="", repr=False)
    params: dict[str, Any] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        # exact-class checks first: detection builds thousands of findings per second
        if self.kind.__class__ is not Kind:
            self.kind = Kind(self.kind)
        if self.status.__class__ is not Status:
            self.status = Status(self.status)
        if self.level.__class__ is not Level:
            self.level = Level(self.level)
        if self.template and not self.message:
            self.message = self.template.format(**self.params)

    def row(self) -> dict[str, str]:
        """The flat form: ``check, status, location, detail`` (a row of a quality table)."""
        return {"check": self.code, "status": str(self.status), "location": self.location, "detail": self.message}


def quality(code: str, status: Status | str, location: str, detail: str = "", *, template: str = "",
            **params: Any) -> Finding:
    """A data-quality finding (kind :attr:`Kind.QUALITY`), the loaders' record of one check."""
    return Finding(Kind.QUALITY, code, Status(status), message=detail, location=location, template=template,
                   params=params, level=Level.WARNING if Status(status) is Status.DISAGREES else Level.NOTE)


def findings_table(findings: Iterable[Finding], columns: list[str] = QUALITY_COLUMNS) -> "pd.DataFrame":
    """Flatten findings to a tidy table (default: ``check, status, location, detail``)."""
    import pandas as pd

    return pd.DataFrame([f.row() for f in findings], columns=columns)
