"""Differential test against SEI's TEC: our ``check`` rules and TEC's detection module on 1,200 generated
systems (tests/support/tec_systems.py), compared by the set of TEC rule ids per system.

Every disagreement must belong to a class listed in ``data/rules/README.md`` (the table between the
``disagreements`` markers): same TEC rule, same side (reported by ours only, or by TEC only) and a
generator tag of the class among the system's tags; when the system has other mutations too, leaving
out those of the matching classes (tests/support/tec_systems.replay) must make the difference go. An unlisted disagreement fails the test; so does a
listed class that no generated system shows (a stale row). TEC's code is imported from outside the
repository (tests/support/tec_oracle.py); under ``CI=true`` it must be there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
README = REPO / "data" / "rules" / "README.md"
N_SYSTEMS = 1200


@dataclass(frozen=True)
class Klass:
    id: str
    rules: frozenset
    side: str  # "ours" or "tec"
    tags: frozenset


def listed_classes(text: str | None = None) -> list[Klass]:
    """The disagreement classes of data/rules/README.md (its machine-readable table)."""
    text = README.read_text(encoding="utf-8") if text is None else text
    m = re.search(r"<!-- disagreements:begin -->(.*?)<!-- disagreements:end -->", text, re.S)
    assert m, "data/rules/README.md has no disagreements table"
    rows = [r for r in m.group(1).strip().splitlines() if r.startswith("|")]
    header = [c.strip() for c in rows[0].strip("|").split("|")]
    assert header[:4] == ["Class", "TEC rules", "Reported by", "Generator tags"], header
    out = []
    for row in rows[2:]:
        cells = [c.strip() for c in row.strip().strip("|").split("|")]
        side = {"ours only": "ours", "TEC only": "tec"}[cells[2]]
        out.append(Klass(cells[0].strip("`"), frozenset(x.strip() for x in cells[1].split(",")), side,
                         frozenset(t.strip().strip("`") for t in cells[3].split(","))))
    assert len({k.id for k in out}) == len(out), "class ids must be unique"
    return out


def disagreements(tec, system, rules) -> set[tuple[str, str]]:
    """(TEC rule id, side) where the two implementations differ; a crash of TEC is ('error', 'tec')."""
    import tec_oracle

    theirs = tec_oracle.tec_rule_ids(tec, system.docs)
    if any(r.startswith("error:") for r in theirs):
        return {("error", "tec")}
    ours = tec_oracle.our_rule_ids(system.docs, rules)
    return {(r, "ours") for r in ours - theirs} | {(r, "tec") for r in theirs - ours}


def test_the_readme_table_parses():
    classes = listed_classes()
    assert len(classes) >= 10
    assert all(k.side in ("ours", "tec") and k.rules and k.tags for k in classes)
    with pytest.raises(AssertionError):
        listed_classes("no table here")


def test_every_disagreement_with_tec_is_a_listed_class(tec):
    import tec_systems

    from mlmismatch.mapping.predicates import load_rules

    rules = load_rules()
    classes = listed_classes()
    bases = tec_systems.base_systems()
    systems = tec_systems.generate(N_SYSTEMS, seed=14, bases=bases)
    assert len(systems) >= 1000
    seen: dict[str, int] = {k.id: 0 for k in classes}
    unlisted: dict[tuple, list] = {}
    agree = 0
    confirmed = 0
    for s in systems:
        diff = disagreements(tec, s, rules)
        agree += not diff
        for rule, side in diff:
            hits = [k for k in classes if rule in k.rules and side == k.side and k.tags & s.all_tags]
            if hits and not any(t.startswith("base:") for k in hits for t in k.tags & s.all_tags):
                # confirm the cause: without the mutations of the matching classes the difference is gone
                tags = set().union(*(k.tags for k in hits))
                skip = {i for i, t in enumerate(s.tags) if t in tags}
                if skip != set(range(len(s.tags))):
                    again = disagreements(tec, tec_systems.Mutated(s.seed, s.base, tec_systems.replay(s, skip, bases)),
                                          rules)
                    confirmed += 1
                    if (rule, side) in again:
                        hits = []
            for k in hits:
                seen[k.id] += 1
            if not hits:
                unlisted.setdefault((rule, side), []).append((s.seed, s.base, s.tags))
    assert not unlisted, "disagreements of no listed class (rule, side): " + "; ".join(
        f"{k}: {len(v)} systems, e.g. seed {v[0][0]} ({v[0][1]}, tags {v[0][2]})" for k, v in sorted(unlisted.items()))
    stale = [k for k, n in seen.items() if n == 0]
    assert not stale, f"classes no generated system shows (remove or fix them): {stale}"
    assert agree > len(systems) // 3  # the generator is not all disagreement
    assert confirmed > 50  # systems with several mutations whose cause was confirmed by leaving it out


def test_the_generated_systems_are_mostly_schema_valid(sei_schemas_dir):
    import tec_systems

    from mlmismatch.descriptors import schemas
    from mlmismatch.detection.documents import make_document

    systems = tec_systems.generate(300, seed=14)
    valid = 0
    for s in systems:
        docs = [make_document(k, d, f"{k}.json") for k, d in s.docs.items()]
        valid += all(schemas.error_lister(d.kind, d.version).ok(d.data) for d in docs)
    assert all(len(s.docs) >= 7 for s in systems)  # 8 descriptors, one at most dropped
    assert valid / len(systems) > 0.75, valid


def test_the_consistent_example_agrees_with_tec(tec):
    """The base the mutations start from: both tools report nothing on the consistent example."""
    import tec_oracle
    import tec_systems

    docs = tec_systems.base_systems()["credit-card-fraud"]
    assert tec_oracle.our_rule_ids(docs) == set() == tec_oracle.tec_rule_ids(tec, docs)


def test_the_generator_is_seeded_and_targets_every_rule_family():
    import tec_systems

    a = tec_systems.generate(60, seed=3)
    b = tec_systems.generate(60, seed=3)
    assert [(s.base, s.tags, s.docs) for s in a] == [(s.base, s.tags, s.docs) for s in b]
    bases = tec_systems.base_systems()
    systems = tec_systems.generate(N_SYSTEMS, seed=14, bases=bases)
    assert all(tec_systems.replay(s, set(), bases) == s.docs for s in systems[:300])  # replay is exact
    tags = {t for s in systems for t in s.tags}
    for family in ("type", "mapping_blank", "rename", "resources", "frameworks", "statistics", "goals",
                   "post_processing", "missing_key", "whitespace", "case", "inference_unit", "version",
                   "empty_mapping", "placeholder", "absent_descriptor", "duplicate_component"):
        assert family in tags, family
