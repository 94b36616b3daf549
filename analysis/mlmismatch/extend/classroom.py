"""A class against an answer key: a per-student summary and the codes the class found hardest.

The teacher gives every student the same mismatches to code (``mlmismatch code template --teaching
--coder NAME`` writes one workbook per student), collects the workbooks, and compares each student
with the answer key (``mlmismatch code agreement class/*.xlsx --teaching``). A code is a
category/subcategory pair; each student's codes for a mismatch are compared with the key's codes for
the same mismatch, at the category and at the subcategory level.

:func:`class_summary` returns three tidy tables:

``students``
    one row per student and level: ``student, level, n_mismatches`` (of the key's mismatches the
    student coded), ``n_not_coded``, ``n_exact`` (mismatches whose code set equals the key's),
    ``pct_exact``, ``n_matched`` (codes the student and the key both gave), ``n_missed`` (key codes
    the student did not give), ``n_extra`` (student codes the key does not have), ``precision``,
    ``recall``, ``cohen_kappa`` (the student against the key, each code present/absent per mismatch,
    pooled over the level's codes; undefined with a single value throughout).
``codes``
    one row per code and level that the key or a student used: ``level, category, code,
    n_key`` (mismatches the key gave it), ``n_expected`` (student x mismatch pairs where the key has
    it and the student coded the mismatch), ``n_found``, ``n_missed``, ``n_extra``, ``recall``,
    ``precision``, ``f1``, ``n_students_missed`` and ``hardness_rank`` (1 = hardest: the lowest F1,
    then the most misses). F1 is undefined for a code neither found nor expected by anyone.
``mismatches``
    one row per mismatch of the key: ``mismatch_id, n_students`` (who coded it), ``n_exact``,
    ``pct_exact``, ``key_codes`` (subcategory labels) and ``most_common_miss`` (the key code the most
    students left out, with how many).

No bootstrap intervals: with a class-sized number of mismatches (8 teaching examples) they would span
most of [-1, 1]; the summary describes, it does not estimate.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from mlmismatch.core.errors import InputError, Location
from mlmismatch.extend.agreement import library_estimates, presence

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

STUDENT_COLUMNS = ["student", "level", "n_mismatches", "n_not_coded", "n_exact", "pct_exact", "n_matched", "n_missed",
                   "n_extra", "precision", "recall", "cohen_kappa"]
CODE_COLUMNS = ["level", "category", "code", "n_key", "n_expected", "n_found", "n_missed", "n_extra", "recall",
                "precision", "f1", "n_students_missed", "hardness_rank"]
MISMATCH_COLUMNS = ["mismatch_id", "n_students", "n_exact", "pct_exact", "key_codes", "most_common_miss"]


@dataclass
class ClassSummary:
    """The tables of :func:`class_summary` (see the module docstring)."""

    key: str
    students: "pd.DataFrame"
    codes: "pd.DataFrame"
    mismatches: "pd.DataFrame"
    notes: list[str] = field(default_factory=list)

    def hardest(self, level: str = "subcategory", n: int = 5) -> "pd.DataFrame":
        """The ``n`` hardest codes of ``level`` (those with a rank), hardest first."""
        c = self.codes[(self.codes.level == level) & self.codes.hardness_rank.notna()]
        return c.sort_values("hardness_rank", kind="stable").head(n).reset_index(drop=True)


def _ratio(a: float, b: float) -> float:
    return float(a) / float(b) if b else float("nan")


def class_summary(codings: "pd.DataFrame", codebook: "pd.DataFrame", key: str,
                  levels: tuple[str, ...] = ("category", "subcategory")) -> ClassSummary:
    """Compare every coder of ``codings`` but ``key`` with the coder ``key`` (the answer key)."""
    import numpy as np
    import pandas as pd

    coders = sorted(codings["coder"].unique())
    if key not in coders:
        raise InputError(f"the answer key '{key}' is not among the coders ({', '.join(coders)})",
                         Location(file=", ".join(sorted(set(codings["file"]))) or None),
                         expected="the key's codes in the round (a file whose coder is the key)")
    students = [c for c in coders if c != key]
    if not students:
        raise InputError("the round holds only the answer key", Location(file=", ".join(sorted(set(codings["file"])))),
                         expected="one or more students' codings besides the key")
    key_ids = set(codings.loc[codings["coder"] == key, "mismatch_id"])
    notes: list[str] = []
    outside = sorted(set(codings.loc[codings["coder"] != key, "mismatch_id"]) - key_ids)
    if outside:
        notes.append(f"{len(outside)} mismatch(es) coded by students but not in the answer key are left out: "
                     + ", ".join(outside[:10]) + (" ..." if len(outside) > 10 else ""))
    scoped = codings[codings["mismatch_id"].isin(key_ids)]
    student_rows: list[dict] = []
    code_rows: list[dict] = []
    mismatch_rows: list[dict] = []
    for level in levels:
        # presence() keeps the mismatches with two or more coders: the key's that some student coded
        pres = presence(scoped, codebook, level)
        v = pres.values  # (units, coders, codes): 1, 0 or NaN (not coded)
        k = pres.coders.index(key)
        key_v = v[:, k, :]
        for name in students:
            s = pres.coders.index(name)
            coded = ~np.isnan(v[:, s, 0])
            sv, kv = v[coded, s, :], key_v[coded, :]
            matched = int(np.sum((sv == 1) & (kv == 1)))
            missed = int(np.sum((sv == 0) & (kv == 1)))
            extra = int(np.sum((sv == 1) & (kv == 0)))
            exact = int(np.sum(np.all(sv == kv, axis=1)))
            pooled = np.stack([sv.reshape(-1), kv.reshape(-1)], axis=1)
            kappa = library_estimates(pooled)["cohen_kappa"] if len(sv) else float("nan")
            n_coded = int(coded.sum())
            student_rows.append({
                "student": name, "level": level, "n_mismatches": n_coded, "n_not_coded": len(key_ids) - n_coded,
                "n_exact": exact, "pct_exact": 100 * _ratio(exact, n_coded), "n_matched": matched, "n_missed": missed,
                "n_extra": extra, "precision": _ratio(matched, matched + extra), "recall": _ratio(matched, matched + missed),
                "cohen_kappa": kappa,
            })
        others = [pres.coders.index(n) for n in students]
        sv = v[:, others, :]  # (units, students, codes)
        coded = ~np.isnan(sv[:, :, :1])
        kv = np.broadcast_to(key_v[:, None, :], sv.shape)
        found = np.sum((sv == 1) & (kv == 1) & coded, axis=(0, 1))
        miss = np.sum((sv == 0) & (kv == 1) & coded, axis=(0, 1))
        extra = np.sum((sv == 1) & (kv == 0) & coded, axis=(0, 1))
        students_missed = np.sum(np.any((sv == 0) & (kv == 1), axis=0), axis=0)
        n_key = np.nansum(key_v == 1, axis=0)
        rows = []
        for j, code in enumerate(pres.codes):
            if n_key[j] == 0 and extra[j] == 0:
                continue
            recall = _ratio(found[j], found[j] + miss[j])
            precision = _ratio(found[j], found[j] + extra[j])
            f1 = _ratio(2 * found[j], 2 * found[j] + miss[j] + extra[j])
            rows.append({"level": level, "category": pres.code_categories[j], "code": code, "n_key": int(n_key[j]),
                         "n_expected": int(found[j] + miss[j]), "n_found": int(found[j]), "n_missed": int(miss[j]),
                         "n_extra": int(extra[j]), "recall": recall, "precision": precision, "f1": f1,
                         "n_students_missed": int(students_missed[j])})
        table = pd.DataFrame(rows, columns=CODE_COLUMNS[:-1])
        ranked = table[table["f1"].notna()].sort_values(["f1", "n_missed", "n_extra", "code"],
                                                         ascending=[True, False, False, True], kind="stable")
        table["hardness_rank"] = pd.Series(range(1, len(ranked) + 1), index=ranked.index, dtype="Int64")
        code_rows.extend(table.to_dict("records"))
        if level == levels[-1]:
            for u, mid in enumerate(pres.mismatch_ids):
                coded_u = ~np.isnan(sv[u, :, 0])
                equal = np.all(sv[u] == key_v[u][None, :], axis=1) & coded_u
                key_codes = [pres.codes[j] for j in np.flatnonzero(key_v[u] == 1)]
                misses = {pres.codes[j]: int(np.sum(sv[u, :, j] == 0)) for j in np.flatnonzero(key_v[u] == 1)}
                worst = max(misses.items(), key=lambda item: item[1], default=("", 0))  # ties: codebook order
                n_students = int(coded_u.sum())
                mismatch_rows.append({
                    "mismatch_id": mid, "n_students": n_students, "n_exact": int(equal.sum()),
                    "pct_exact": 100 * _ratio(int(equal.sum()), n_students), "key_codes": "; ".join(key_codes),
                    "most_common_miss": f"{worst[0]} ({worst[1]} of {n_students})" if worst[1] else "",
                })
    uncoded = sorted(key_ids - set(scoped.loc[scoped["coder"] != key, "mismatch_id"]))
    if uncoded:
        notes.append(f"{len(uncoded)} mismatch(es) of the answer key no student coded: " + ", ".join(uncoded))
    return ClassSummary(key=key, students=pd.DataFrame(student_rows, columns=STUDENT_COLUMNS),
                        codes=pd.DataFrame(code_rows, columns=CODE_COLUMNS),
                        mismatches=pd.DataFrame(mismatch_rows, columns=MISMATCH_COLUMNS), notes=notes)


# --------------------------------------------------------------------------------------------
# The packaged teaching examples and the answer key of a round
# --------------------------------------------------------------------------------------------

#: The files of ``data/teaching/`` (teaching examples written for mlmismatch, not the study's data).
TEACHING_FILES = ("mismatches.csv", "answer_key.csv", "extension.csv")


def teaching_path(name: str):
    """The packaged teaching file ``name`` (one of :data:`TEACHING_FILES`), inside the installed package."""
    from mlmismatch.core import resources

    if name not in TEACHING_FILES:
        raise ValueError(f"no teaching file {name!r}; there are {', '.join(TEACHING_FILES)}")
    return resources.path("data", "teaching", name)


def key_coder(codings: "pd.DataFrame", key_file) -> str:
    """The coder whose codes were read from ``key_file`` (the answer key must be one coder's)."""
    from pathlib import Path

    name = Path(key_file).name
    coders = sorted(set(codings.loc[codings["file"] == name, "coder"]))
    if len(coders) != 1:
        raise InputError(f"the answer key holds {'no codes' if not coders else 'the codes of ' + ', '.join(coders)}",
                         Location(file=name), expected="one coder's codes in the answer key file")
    return coders[0]
