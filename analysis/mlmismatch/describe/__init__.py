"""Descriptors filled from real artefacts: data, environment and model describe themselves.

The study found that mismatches come from information that was not shared. Much of it can be read
from the artefacts themselves, so :func:`describe` writes (or updates) a valid 1.2 descriptor
document from

- **data** (a pandas DataFrame, a CSV or Parquet file) -> ``training_data``, ``production_data``,
  ``raw_data`` (:mod:`.data`, profiled in bounded memory by :mod:`.tabular`);
- **the running machine** -> ``development_environment``, ``production_environment``
  (:mod:`.environment`);
- **a model** (a fitted scikit-learn estimator or pipeline; an ONNX file) -> ``trained_model``
  (:mod:`.model`).

Every field an artefact cannot know stays empty, so ``mlmismatch check`` reports it as an
information gap and never sees an invented value. Describing *into* a folder that already holds the
document fills its empty fields and reports, never overwrites, the fields a person wrote that
disagree with the artefact (:mod:`.merge`).

>>> import pandas as pd
>>> doc = describe_data(pd.DataFrame({"x": [1.5, 2.5], "y": ["a", "b"]}), "training_data", label="y")
>>> [f["field_name"] for f in doc["schema"]], doc["distribution"][0]
(['x', 'y'], {'label': 'a', 'percentage': 50.0, 'mapping_production_data': ''})
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mlmismatch.core.errors import InputError, Location
from mlmismatch.core.findings import Finding
from mlmismatch.describe import data as data_mod
from mlmismatch.describe import environment as env_mod
from mlmismatch.describe.merge import merge
from mlmismatch.sources import Store, as_store

__all__ = ["describe", "describe_data", "describe_environment", "describe_model", "Description", "KINDS"]

DATA_KINDS = tuple(data_mod.BUILDERS)
ENVIRONMENT_KINDS = tuple(env_mod.BUILDERS)
MODEL_KINDS = ("trained_model",)
KINDS = DATA_KINDS + ENVIRONMENT_KINDS + MODEL_KINDS
PICKLE_SUFFIXES = (".pkl", ".pickle", ".joblib")


@dataclass
class Description:
    """What :func:`describe` made: the document, what it filled, and the disagreements it found."""

    kind: str
    document: dict
    findings: list[Finding] = field(default_factory=list)
    filled: list[str] = field(default_factory=list)
    path: Path | None = None  # where it was written (with ``into``)

    @property
    def exit_code(self) -> int:
        """1 when a field a person wrote disagrees with the artefact, else 0."""
        return 1 if self.findings else 0


def _check_kind(kind: str) -> str:
    if kind not in KINDS:
        raise InputError(f"cannot describe '{kind}' from an artefact", Location(),
                         expected="one of " + ", ".join(KINDS) + " (the other descriptors need a person: "
                                  "`mlmismatch descriptors new KIND`)")
    return kind


def describe_data(source, kind: str = "training_data", label: str | None = None) -> dict:
    """A Training Data, Production Data or Raw Data document of a DataFrame or a CSV/Parquet file.

    ``label`` names the label column: its categories become the label distribution.
    """
    from mlmismatch.describe.tabular import profile

    if kind not in DATA_KINDS:
        raise InputError(f"'{kind}' is not a data descriptor", Location(), expected="one of " + ", ".join(DATA_KINDS))
    prof = profile(source, categorical=(label,) if label else ())
    return data_mod.BUILDERS[kind](prof, label)


def describe_environment(kind: str = "development_environment", folder: str | Path = ".") -> dict:
    """A Development or Production Environment document of the running machine."""
    if kind not in ENVIRONMENT_KINDS:
        raise InputError(f"'{kind}' is not an environment descriptor", Location(),
                         expected="one of " + ", ".join(ENVIRONMENT_KINDS))
    return env_mod.BUILDERS[kind](env_mod.machine(folder))


def describe_model(model, X=None, *, store: Store | None = None, trust_pickle: bool = False) -> dict:
    """A Trained Model document of a fitted scikit-learn estimator (``X``: its training frame, for the
    feature types), or of a file: ``.onnx``, or a pickled estimator with ``trust_pickle``."""
    from mlmismatch.describe import model as model_mod

    if isinstance(model, (str, Path)):
        path = Path(model)
        suffix = path.suffix.lower()
        if suffix == ".onnx":
            return model_mod.trained_model_onnx(path, store=store)
        if suffix in PICKLE_SUFFIXES:
            if not trust_pickle:
                raise InputError("loading a pickled model runs code from the file", Location(file=path.name),
                                 expected="--trust-pickle if you trust the file, or describe the estimator "
                                          "from Python (mlmismatch.describe.describe_model)")
            model = _load_pickle(path)
        else:
            raise InputError(f"unsupported model file type '{path.suffix}'", Location(file=path.name),
                             expected="an .onnx file, or a pickled scikit-learn estimator (.pkl, .joblib)")
    return model_mod.trained_model(model, X, store=store)


def _load_pickle(path: Path):
    from mlmismatch.describe.tabular import _regular_file

    _regular_file(path)
    try:
        import joblib

        return joblib.load(path)
    except Exception as exc:  # noqa: BLE001 - unpickling raises anything
        raise InputError(f"not a readable pickled model ({type(exc).__name__})", Location(file=path.name),
                         expected="a file written by joblib.dump or pickle.dump") from None


def _existing(folder: Path, kind: str) -> Path | None:
    from mlmismatch.detection.documents import DOCUMENT_SUFFIXES, kind_from_filename

    if not folder.is_dir():
        return None
    found = [p for p in sorted(folder.iterdir()) if p.suffix.lower() in DOCUMENT_SUFFIXES
             and not p.name.startswith(".") and kind_from_filename(p) == kind]
    if len(found) > 1:
        raise InputError(f"two documents of kind {kind} ({found[0].name} and {found[1].name})", Location(file=folder),
                         expected="one document per descriptor kind")
    return found[0] if found else None


def dumps(document: dict, suffix: str = ".json") -> str:
    if suffix.lower() in (".yaml", ".yml"):
        import yaml

        return yaml.safe_dump(document, sort_keys=False, allow_unicode=True)
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def describe(kind: str, source: Any = None, *, into: str | Path | None = None, label: str | None = None,
             X=None, store: Store | None = None, trust_pickle: bool = False, validate: bool = True) -> Description:
    """Describe ``source`` as a descriptor of ``kind``; with ``into`` (a system's folder), update the
    document of that kind there (or write ``<kind>.json``) and report disagreements.

    ``source`` is a DataFrame or a CSV/Parquet path for the data kinds; a fitted estimator or a
    model file for ``trained_model``; for the environments, a folder whose file system's size is the
    storage (default: the working directory). The described document is checked against the 1.2
    schema (``validate``), which ``store`` finds.
    """
    _check_kind(kind)
    store = as_store(store)
    if kind in DATA_KINDS:
        if source is None:
            raise InputError(f"describing {kind} needs the data", Location(), expected="a CSV or Parquet file")
        document = describe_data(source, kind, label)
    elif kind in ENVIRONMENT_KINDS:
        document = describe_environment(kind, source if source is not None else ".")
    else:
        if source is None:
            raise InputError("describing trained_model needs the model", Location(),
                             expected="an .onnx file or a pickled estimator (or an estimator from Python)")
        document = describe_model(source, X, store=store, trust_pickle=trust_pickle)
    if validate:
        from mlmismatch.descriptors.schemas import validate as validate_doc

        errors = validate_doc(document, kind, "1.2", store=store)
        if errors:  # pragma: no cover - a describe bug: guarded by the tests
            raise InputError(f"the described {kind} does not validate: {errors[0][0]}: {errors[0][1]}")
    result = Description(kind=kind, document=document)
    if into is None:
        return result
    folder = Path(into)
    if folder.exists() and not folder.is_dir():
        raise InputError("not a folder", Location(file=folder), expected="the folder of a system's descriptors")
    existing = _existing(folder, kind)
    target = existing or folder / f"{kind}.json"
    if existing is not None:
        from mlmismatch.descriptors.migrate import migrate
        from mlmismatch.detection.documents import read_document

        current = read_document(existing)
        if not isinstance(current, dict):
            raise InputError("a descriptor document must be an object", Location(file=existing.name, path="$"))
        if str(current.get("version")) != "1.2":
            current = migrate(kind, current, to="1.2", where=Location(file=existing.name))
        merged = merge(current, document, file=existing.name, kind=kind)
        result.document, result.findings, result.filled = merged.document, merged.findings, merged.filled
    from mlmismatch.core.writers import write_text

    try:
        write_text(target, dumps(result.document, target.suffix))
    except OSError as exc:
        raise InputError(f"cannot write ({exc.strerror or type(exc).__name__})", Location(file=target),
                         expected="a writable folder") from None
    result.path = target
    return result
