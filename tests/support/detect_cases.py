"""Cases shared by the unit and integration tests of ``mlmismatch check``: the example systems'
expected findings, a small mapping, instances and importance table."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from mlmismatch import detection as detect
from mlmismatch.descriptors import schemas

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "descriptors" / "examples"

# Exactly what each example system produces: (kind, rule_id, first descriptor, paths).
EXPECTED = {
    "credit-card-fraud": [],
    "traffic-signs": [
        ("missing", "gap:attribute", "production_environment", ("$.deployment_mechanism",)),
        ("missing", "gap:attribute", "production_environment", ("$.deployment_platform",)),
        ("missing", "gap:attribute", "system_context", ("$.goals[0].baseline", "$.goals[1].baseline")),
        ("missing", "gap:attribute", "system_context", ("$.goals[1].metric",)),
        ("rule", "R02", "trained_model", ("$.model_components[0].programming_languages[1]",)),
        ("rule", "R06", "trained_model", ("$.final_output_spec[0].item_type", "$.downstream_components[0].input_spec[0].item_type")),
        ("rule", "R07", "trained_model", ("$.final_output_spec[1].component_mapping.component",
                                          "$.final_output_spec[1].component_mapping.data_item")),
        ("rule", "R08", "development_environment", ("$.downstream_components[0].input_spec[1].item_name",)),
        ("rule", "R12", "trained_model", ("$.computing_resource_reqs.gpu", "$.computing_resources.gpu")),
        ("rule", "R13", "trained_model", ("$.computing_resource_reqs.memory", "$.computing_resources.memory")),
        ("rule", "R14", "trained_model", ("$.ml_frameworks[1]",)),
        ("rule", "R18", "trained_model", ("$.inference_time.time", "$.required_inference_time.time")),
        ("rule", "R28", "trained_model", ("$.data_pipeline_identifier", "$.pipeline_identifier")),
        ("rule", "R29", "trained_model", ("$.training_data_identifier", "$.dataset_identifier")),
        ("rule", "R30", "training_data", ("$.raw_data_identifier", "$.dataset_identifier")),
        ("rule", "R31", "trained_model", ("$.final_output_spec[2].component_mapping",)),
    ],
    "customer-churn": [
        ("invalid", "schema:format", "trained_model", ("$.documentation[0].location",)),
        ("invalid", "schema:format", "trained_model", ("$.training_date",)),
        ("invalid", "schema:required", "trained_model", ("$.data_buffering_reqs",)),
        ("missing", "gap:attribute", "trained_model", ("$.data_buffering_reqs",)),
        ("missing", "gap:attribute", "trained_model", ("$.model_output_interpretation",)),
        ("missing", "gap:attribute", "training_data", ("$.schema[2].mapping_production_data",)),
        ("rule", "R01", "system_context", ("$.goals[2].id",)),
        ("rule", "R03", "trained_model", ("$.output_spec[0].item_type", "$.downstream_components[0].input_spec[0].item_type")),
        ("rule", "R04", "trained_model", ("$.output_spec[1].component_mapping.component",
                                          "$.output_spec[1].component_mapping.data_item")),
        ("rule", "R05", "development_environment", ("$.downstream_components[0].input_spec[1].item_name",)),
        ("rule", "R09", "data_pipeline", ("$.input_spec[0].item_type", "$.upstream_components[0].output_spec[0].item_type")),
        ("rule", "R10", "data_pipeline", ("$.input_spec[1].component_mapping.component",
                                          "$.input_spec[1].component_mapping.data_item")),
        ("rule", "R11", "development_environment", ("$.upstream_components[0].output_spec[1].item_name",)),
        ("rule", "R15", "trained_model", ("$.business_metrics[0].metric",)),
        ("rule", "R16", "trained_model", ("$.algorithm_metrics[0].metric",)),
        ("rule", "R17", "trained_model", ("$.log_data[0].log",)),
        ("rule", "R19", "trained_model", ("$.user_system_feedback[0].short_name",)),
        ("rule", "R20", "training_data", ("$.schema[0].field_type", "$.schema[0].field_type")),
        ("rule", "R21", "training_data", ("$.schema[2].mapping_production_data",)),
        ("rule", "R22", "production_data", ("$.schema[2].field_name",)),
        ("rule", "R23", "training_data", ("$.statistics[1].value", "$.statistics[1].value")),
        ("rule", "R24", "training_data", ("$.distribution[0].percentage", "$.distribution[0].percentage")),
        ("rule", "R24", "training_data", ("$.distribution[1].percentage", "$.distribution[1].percentage")),
        ("rule", "R25", "trained_model", ("$.output_spec[2].component_mapping",)),
        ("rule", "R26", "data_pipeline", ("$.input_spec[2].component_mapping",)),
        ("rule", "R27", "training_data", ("$.schema[3].mapping_production_data",)),
    ],
}


def keyed(findings):
    return sorted((f.kind, f.rule_id, f.descriptors[0], tuple(f.paths)) for f in findings)


def run_cli(args, capsys):
    from mlmismatch.cli.main import main

    with pytest.raises(SystemExit) as exc:
        main(["--quiet", *args])
    out = capsys.readouterr()
    fmt = next((args[i + 1] for i, a in enumerate(args[:-1]) if a in ("-f", "--format")), None)
    if fmt == "sarif" and "-o" not in args and "--output" not in args and exc.value.code in (0, 1):
        from sarif_schema import validate_sarif

        validate_sarif(out.out)  # every SARIF output of the tests is valid SARIF 2.1.0
    return exc.value.code, out.out, out.err


MAPPING = pd.DataFrame([
    ("Trained Model", "Model Output Interpretation", "trained_model", "model_output_interpretation"),
    ("Trained Model", "Versioning", "trained_model", "model_version"),
    ("Operational Environment", "Runtime Metrics and Data", "production_environment", "model_logs[].log"),
    ("Raw Data", "Metadata", "raw_data", "metadata.collection_date"),
], columns=["category", "subcategory", "descriptor", "path"])
INSTANCES = pd.DataFrame([("Trained Model", "Versioning", f"M{i}") for i in range(5)]
                         + [("Trained Model", "Model Output Interpretation", "M9")],
                         columns=["category", "subcategory", "mismatch_id"])
IMPORTANCE = pd.DataFrame([
    ("TM", "Versioning", "Data Science", 1, 10), ("TM", "Versioning", "Software Engineering", 9, 10),
    ("TM", "Model Output Interpretation", "Data Science", 9, 10),
    ("TM", "Model Output Interpretation", "Software Engineering", 2, 10),
], columns=["category", "subcategory", "role", "n_important", "n_respondents"])


def _docs(system: dict) -> list[detect.Document]:
    return [detect.make_document(k, v, f"{k}.json") for k, v in system.items()]


def _fraud() -> dict:
    return {p.stem: json.loads(p.read_text()) for p in (EXAMPLES / "credit-card-fraud").glob("*.json")}


def _system(name):
    out = {}
    for p in sorted((EXAMPLES / name).iterdir()):
        kind = detect.kind_from_filename(p)
        if kind:
            out[kind] = detect.read_document(p)
    return out


def _full_errors(kind, version, doc):
    v = schemas.validator(kind, version)
    return sorted((tuple(e.absolute_path), e.validator, e.message) for e in v.iter_errors(doc))


def _copy_system(tmp_path, system="credit-card-fraud"):
    out = tmp_path / "sys"
    out.mkdir()
    for p in (EXAMPLES / system).glob("*.json"):
        (out / p.name).write_text(p.read_text())
    return out
