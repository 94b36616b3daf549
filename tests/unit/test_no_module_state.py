"""No module-level state: loaders called twice return fresh tables, and changing one result changes
nothing for the next caller (232 instances must stay 232 however a caller trims its copy)."""

from __future__ import annotations

import importlib

from builders import build_coding_workbook

from mlmismatch.sources import Store


def test_load_coding_twice_mutating_the_first(tmp_path):
    (tmp_path / "replication-package").mkdir()
    build_coding_workbook(tmp_path / "replication-package" / "Mismatch-Open-Coding-Final.xlsx")
    store = Store(data_dir=tmp_path)
    coding = importlib.import_module("mlmismatch.study.coding")
    first = coding.load_coding(store=store)
    n = len(first.instances)
    first.instances.iloc[:, 0] = "changed"
    first.mismatches["interview"] = 99
    first.codebook.loc[0, "subcategory"] = "changed"
    coding = importlib.reload(importlib.import_module("mlmismatch.study.coding"))  # "imports the loader twice"
    for second in (coding.load_coding(store=store), coding.load_coding(store=Store(data_dir=tmp_path))):
        assert len(second.instances) == n and n > 2
        assert 99 not in set(second.mismatches["interview"])
        assert "changed" not in set(second.codebook["subcategory"])
        assert second.instances is not first.instances and "changed" not in set(second.instances["mismatch_id"])


def test_load_survey_twice_mutating_the_first(tmp_path):
    from test_survey import build_survey_workbook, small_codebook

    from mlmismatch.study.survey import load_survey

    path = build_survey_workbook(tmp_path / "s.xlsx")
    store = Store(data_dir=tmp_path)
    first = load_survey(path, codebook=small_codebook(), store=store)
    n = len(first.responses)
    first.responses["answer"] = None
    first.respondents["role"] = first.respondents["role"].cat.add_categories("x").fillna("x")
    second = load_survey(path, codebook=small_codebook(), store=store)
    assert len(second.responses) == n > 0 and second.responses["answer"].notna().any()


def test_packaged_tables_are_fresh():
    from mlmismatch import sources
    from mlmismatch.detection import gaps
    from mlmismatch.mapping import predicates
    from mlmismatch.replication import claims

    rules = predicates.load_rules()
    rules.pop()
    assert len(predicates.load_rules()) == len(rules) + 1
    mapping = gaps.load_mapping()
    mapping.clear()
    assert gaps.load_mapping()
    listed = claims.load_claims()
    listed.clear()
    assert len(claims.load_claims()) == 512
    reg = sources.registry()
    reg.clear()
    assert "coding" in sources.registry()


def test_schemas_are_fresh_copies(tiny_schemas):
    from mlmismatch.descriptors import schemas

    first = schemas.load_schema("trained_model", "1.2", store=tiny_schemas)
    first["properties"].clear()
    assert schemas.load_schema("trained_model", "1.2", store=tiny_schemas)["properties"]
    assert schemas.load_schema("trained_model", "1.2", store=Store(data_dir=tiny_schemas.data_dir))["properties"]
