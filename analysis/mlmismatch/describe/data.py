"""Data -> Training Data, Production Data and Raw Data descriptors (version 1.2).

What a table says about itself goes in; what only a person knows stays empty, so that
``mlmismatch check`` reports it as an information gap:

==================================  =============================================================
filled from the data                left empty (a person fills it)
==================================  =============================================================
``schema[].field_name``, ``field_type``, ``expected_values`` (range or categories), the label
column's ``label_field``            ``field_description``, ``missing_values`` (how missing values
                                    are treated), ``mapping_production_data``
``statistics[]``: rows, missing rate, mean, standard deviation, minimum and maximum per numeric
field, distinct values per text field   --
``distribution[]`` (the ``label`` column's categories, percent)   ``distribution[].mapping_production_data``
``dataset_version``: ``sha256:`` of the file (or of the DataFrame's rows)   identifiers, names,
                                    descriptions, sources, preparation, documentation
==================================  =============================================================

The Production Data descriptor records the number of rows as the statistic ``rows``, so that
``mlmismatch drift`` can turn its percentages back into counts without ``--n``.
"""

from __future__ import annotations

import math
from typing import Any

from mlmismatch.describe.tabular import MAX_CATEGORIES, Column, Profile

#: Statistic names written by describe (``statistics[].property``).
ROWS = "rows"
STATISTICS = ("missing rate", "mean", "standard deviation", "minimum", "maximum", "distinct values")
#: Categories listed in ``expected_values`` (more are summarized).
MAX_LISTED = 12


def _number(x: Any) -> str:
    """A statistic as text: integers exactly, other numbers with 6 significant digits."""
    if isinstance(x, bool):
        return str(x).lower()
    if isinstance(x, int):
        return str(x)
    if isinstance(x, float):
        if math.isfinite(x) and x == int(x) and abs(x) < 1e15:
            return str(int(x))
        return f"{x:.6g}"
    return str(x)


def expected_values(col: Column) -> str:
    """What values the column holds: ``min to max`` for numbers, the categories for text."""
    if col.n_present == 0:
        return ""
    if col.numeric or col.field_type == "datetime":
        if col.minimum is None:
            return ""
        return f"{_number(col.minimum)} to {_number(col.maximum)}"
    if col.categories is None:
        return ""  # too many distinct values to list: a person describes them
    values = sorted(col.categories, key=lambda v: (-col.categories[v], v))
    shown = ", ".join(values[:MAX_LISTED])
    return shown + (f", ... ({len(values)} values)" if len(values) > MAX_LISTED else "")


def statistics(profile: Profile) -> list[dict]:
    """``statistics[]`` items: the number of rows, then per field its missing rate and, for numbers,
    mean, standard deviation, minimum and maximum (for text, the number of distinct values)."""
    out = [{"property": ROWS, "field": "(all fields)", "value": str(profile.n_rows)}]
    for col in profile.columns:
        if col.n:
            out.append({"property": "missing rate", "field": col.name, "value": _number(round(col.n_missing / col.n, 6))})
        if col.numeric and col.n_present:
            out.append({"property": "mean", "field": col.name, "value": _number(col.mean)})
            if col.std is not None:
                out.append({"property": "standard deviation", "field": col.name, "value": _number(col.std)})
            out.append({"property": "minimum", "field": col.name, "value": _number(col.minimum)})
            out.append({"property": "maximum", "field": col.name, "value": _number(col.maximum)})
        elif col.field_type in ("string", "boolean"):
            n = f"more than {MAX_CATEGORIES}" if col.categories is None else str(len(col.categories))
            out.append({"property": "distinct values", "field": col.name, "value": n})
    return out


def distribution(profile: Profile, label: str | None) -> list[dict[str, Any]]:
    """The label column's categories and their share (percent of rows with a label, 4 decimals)."""
    if label is None:
        return []
    col = profile.column(label)
    if col.categories is None or col.n_present == 0:
        return []
    total = col.n_present
    return [{"label": value, "percentage": round(100.0 * n / total, 4)}
            for value, n in sorted(col.categories.items(), key=lambda kv: (-kv[1], kv[0]))]


def check_label(profile: Profile, label: str | None) -> None:
    from mlmismatch.core.errors import InputError, Location

    if label is None:
        return
    names = [c.name for c in profile.columns]
    if label not in names:
        raise InputError(f"no column '{label}'", Location(file=profile.source),
                         expected="--label naming a column: " + ", ".join(names[:20]))
    col = profile.column(label)
    if col.field_type not in ("string", "boolean", "integer") or col.categories is None:
        raise InputError(f"column '{label}' is not a label column (type {col.field_type})", Location(file=profile.source),
                         expected=f"a column of categories (at most {MAX_CATEGORIES} distinct values)")


def version_of(profile: Profile) -> str:
    return f"sha256:{profile.sha256}"


def training_data(profile: Profile, label: str | None = None) -> dict:
    """A 1.2 Training Data document with what ``profile`` knows (see the module docstring)."""
    check_label(profile, label)
    return {
        "version": "1.2",
        "dataset_identifier": "",
        "dataset_name": "",
        "dataset_version": version_of(profile),
        "dataset_description": "",
        "raw_data_identifier": "",
        "schema": [{"field_name": c.name, "label_field": c.name == label, "field_description": "",
                    "field_type": c.field_type, "expected_values": expected_values(c), "missing_values": "",
                    "mapping_production_data": ""} for c in profile.columns],
        "statistics": statistics(profile),
        "distribution": [{**d, "mapping_production_data": ""} for d in distribution(profile, label)],
        "preparation_process": [],
        "preparation_code": "https://example.invalid/",
        "documentation": [],
    }


def production_data(profile: Profile, label: str | None = None) -> dict:
    """A 1.2 Production Data document (``data_sources`` and ``data_rates`` left for a person)."""
    check_label(profile, label)
    return {
        "version": "1.2",
        "data_sources": "",
        "data_rates": "",
        "schema": [{"field_name": c.name, "field_description": "", "field_type": c.field_type,
                    "expected_values": expected_values(c)} for c in profile.columns],
        "statistics": statistics(profile),
        "distribution": distribution(profile, label),
        "documentation": [],
    }


def raw_data(profile: Profile, label: str | None = None) -> dict:
    """A 1.2 Raw Data document (sources, metadata, rights and policies left for a person)."""
    check_label(profile, label)
    return {
        "version": "1.2",
        "dataset_identifier": "",
        "dataset_version": version_of(profile),
        "dataset_name": "",
        "dataset_description": "",
        "data_sources": [{"data_source": "Other", "other_source": ""}],
        "instance_type": "",
        "number_of_instances": profile.n_rows,
        "labels_distribution": distribution(profile, label),
        "schema": [{"field_name": c.name, "field_description": "", "field_type": c.field_type,
                    "expected_values": expected_values(c), "interpret_missing": "", "interpret_special": ""}
                   for c in profile.columns],
        "metadata": {"collection_date": "1970-01-01", "geographic_location": "", "timeframe": "", "known_issues": ""},
        "restrictions": "",
        "data_rights": "",
        "data_policies": "",
        "anonymization": "",
        "proxy_data": "",
        "documentation": [],
    }


BUILDERS = {"training_data": training_data, "production_data": production_data, "raw_data": raw_data}
