"""Export the tidy tables as a Frictionless data package (``datapackage.json`` + CSV or Parquet).

Each table becomes a resource with a Table Schema (field names, types, descriptions, primary and
foreign keys) so that ``frictionless validate datapackage.json`` checks the export. Interview quotes
and survey comments are never exported; the mismatch descriptions are, unless ``text=False``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from mlmismatch.core import writers
from mlmismatch.core.version import version

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

FIELD_DESCRIPTIONS = {
    "category_code": "Two-letter category code (TP, RD, TM, TD, DE, OD, OE)",
    "category": "Mismatch category as the codebook spells it",
    "subcategory": "Mismatch subcategory as the codebook spells it (without the (XX) prefix)",
    "description": "Description (codebook: of the subcategory; mismatches: the consolidated mismatch description)",
    "mismatch_id": "Mismatch id, M<interview>-<sequence>",
    "interview": "Interview number (1-20)",
    "sequence": "Position of the mismatch within its interview",
    "info_not_communicated": "Information that was not communicated, as consolidated by the authors",
    "n_codes": "Number of category/subcategory pairs coded for the mismatch (1-3)",
    "position": "Position of the pair in the coding (1-3)",
    "sheet": "Workbook sheet the value was read from",
    "row": "1-based workbook row the value was read from",
    "column": "Workbook column (letter) of the subcategory cell",
    "check": "Name of the data-quality check",
    "status": "agrees, disagrees, normalized, info, skipped or unreadable",
    "location": "Where in the workbook",
    "detail": "What was found",
}

TABLE_DESCRIPTIONS = {
    "codebook": "The 7 categories and 34 subcategories of the study's codebook, in the workbook's order",
    "mismatches": "One row per mismatch identified in the 20 interviews",
    "instances": "One row per coded category/subcategory pair of a mismatch",
    "quality": "Data-quality report of the coding workbook: normalizations and cross-checks",
}

PRIMARY_KEYS = {
    "codebook": ["category", "subcategory"],
    "mismatches": ["mismatch_id"],
    "instances": ["mismatch_id", "position"],
}
FOREIGN_KEYS = {
    "instances": [
        {"fields": ["mismatch_id"], "reference": {"resource": "mismatches", "fields": ["mismatch_id"]}},
        {"fields": ["category", "subcategory"], "reference": {"resource": "codebook", "fields": ["category", "subcategory"]}},
    ],
}


def _field_type(series: "pd.Series") -> str:
    kind = series.dtype.kind
    return {"i": "integer", "u": "integer", "f": "number", "b": "boolean"}.get(kind, "string")


def table_schema(name: str, df: "pd.DataFrame", safe: bool = False) -> dict:
    """The Table Schema of one table (``safe``: enum values as :func:`spreadsheet_safe` writes them)."""
    from mlmismatch.core.text import spreadsheet_safe

    fields = []
    for col in df.columns:
        field = {"name": col, "type": _field_type(df[col])}
        if col in FIELD_DESCRIPTIONS:
            field["description"] = FIELD_DESCRIPTIONS[col]
        if col in PRIMARY_KEYS.get(name, []) or col in ("category", "subcategory", "mismatch_id"):
            field["constraints"] = {"required": True}
        if hasattr(df[col], "cat"):
            # an answer nobody gave (an optional question, e.g. a secondary role) is an empty cell: the
            # enum constrains the values given, "required" only a column that is never empty
            key = "required" in field.get("constraints", {})
            field["constraints"] = {**({"required": True} if key or not df[col].isna().any() else {}),
                                    "enum": [str(spreadsheet_safe(str(c)) if safe else c) for c in df[col].cat.categories]}
        fields.append(field)
    schema = {"fields": fields}
    if name in PRIMARY_KEYS:
        schema["primaryKey"] = PRIMARY_KEYS[name]
    if name in FOREIGN_KEYS:
        schema["foreignKeys"] = FOREIGN_KEYS[name]
    return schema


def coding_tables(data, text: bool = True) -> dict[str, "pd.DataFrame"]:
    mism = data.mismatches if text else data.mismatches.drop(columns=["description", "info_not_communicated"])
    return {"codebook": data.codebook, "mismatches": mism, "instances": data.instances, "quality": data.quality}


def export_package(tables: dict[str, "pd.DataFrame"], out: str | Path, fmt: str = "csv",
                   descriptions: dict[str, str] | None = None, sources: list[dict] | None = None) -> Path:
    """Write ``tables`` and ``datapackage.json`` into ``out``; return the descriptor's path."""
    out = writers.output_dir(out)
    descriptions = {**TABLE_DESCRIPTIONS, **(descriptions or {})}
    resources = []
    for name, df in tables.items():
        df = df.copy()
        for col in df.columns:
            if hasattr(df[col], "cat"):
                df[col] = df[col].astype(str).where(df[col].notna(), None)
        file = f"{name}.{fmt}"
        if fmt == "csv":
            # text a spreadsheet would run as a formula gets a leading ' (OWASP); the schema's enums follow
            writers.write_csv(out / file, df, spreadsheet_safe=True)
            resource = {"name": name, "path": file, "format": "csv", "mediatype": "text/csv", "encoding": "utf-8"}
        elif fmt == "parquet":
            with writers.atomic_path(out / file) as tmp:
                df.to_parquet(tmp, index=False)
            resource = {"name": name, "path": file, "format": "parquet",
                        "mediatype": "application/vnd.apache.parquet"}
        else:
            raise ValueError(f"unknown format {fmt!r}; expected csv or parquet")
        resource.update({"profile": "tabular-data-resource", "description": descriptions.get(name, ""),
                         "schema": table_schema(name, tables[name], safe=fmt == "csv")})
        resources.append(resource)
    package = {
        "profile": "tabular-data-package",
        "name": "mlmismatch-study-data",
        "title": "ML mismatch study (Lewis, Bellomo, Ozkaya; WAIN 2021): tidy tables",
        "description": f"Exported by mlmismatch {version()} from the study's replication package.",
        "licenses": [{"name": "other-closed", "title": "The study's data belongs to its authors; the package has no licence file. Do not redistribute."}],
        "sources": sources or [],
        "resources": resources,
    }
    return writers.write_text(out / "datapackage.json", json.dumps(package, indent=2, ensure_ascii=False))
