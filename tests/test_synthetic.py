"""The synthetic portal generator: clean under gongkai's checks, reproducible, and varied."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from gongkai.checks import run_checks
from gongkai.config import load_config
from gongkai.model import FORMS, KINDS
from gongkai.synthetic import AS_OF, CorpusSpec, generate

from seeds import SEEDS  # noqa: E402


def tree_digest(root: Path) -> dict[str, str]:
    """The generator's output (a build's .cache/ under it is not)."""
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file() and ".cache" not in p.relative_to(root).parts}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    out = tmp_path_factory.mktemp("corpus")
    summary = generate(out, CorpusSpec(entries=240, seed=7, seed_texts=SEEDS if SEEDS.is_dir() else None))
    return out, summary


def test_corpus_loads_without_error_findings(corpus):
    out, summary = corpus
    portal, findings = run_checks(load_config(out), AS_OF)
    assert [f.format() for f in findings.errors] == []
    assert len(portal.entries) == summary.entries == 240
    assert (out / "mkdocs.yml").is_file() and (out / "catalog" / "columns.yml").is_file()


def test_corpus_covers_kinds_forms_validities_and_disclosures(corpus):
    out, summary = corpus
    portal, _ = run_checks(load_config(out), AS_OF)
    assert {e.kind for e in portal.entries} == set(KINDS)
    assert {e.form for e in portal.entries if e.kind == "interpretation"} == set(FORMS)
    assert {e.validity for e in portal.entries if e.kind == "policy"} >= {"valid", "amended", "abolished"}
    assert {e.disclosure for e in portal.entries} == {"public", "on_request", "withheld"}
    assert any(e.published > AS_OF for e in portal.entries)           # embargoed
    assert any(e.normative for e in portal.entries) and any(e.superseded_by for e in portal.entries)
    assert any(c.parent for c in portal.columns.values()) and any(c.archived for c in portal.columns.values())
    assert any(e.attachments and not e.body for e in portal.entries)


def test_interpretations_follow_their_policy_within_three_working_days(corpus):
    from gongkai.workdays import WorkdayCalendar
    out, _ = corpus
    portal, _ = run_checks(load_config(out), AS_OF)
    calendar = WorkdayCalendar()
    for entry in portal.entries:
        for pid in entry.interprets:
            policy = portal.by_id[pid]
            assert policy.published <= entry.published <= calendar.add_workdays(policy.published, 3)


def test_same_seed_gives_identical_bytes_and_another_seed_does_not(tmp_path, corpus):
    out, _ = corpus
    again, other = tmp_path / "again", tmp_path / "other"
    generate(again, CorpusSpec(entries=240, seed=7, seed_texts=SEEDS if SEEDS.is_dir() else None), jobs=2)
    generate(other, CorpusSpec(entries=240, seed=8, seed_texts=SEEDS if SEEDS.is_dir() else None))
    assert tree_digest(again) == tree_digest(out)
    assert tree_digest(other) != tree_digest(out)


def test_works_without_seed_texts_and_with_more_columns(tmp_path):
    summary = generate(tmp_path, CorpusSpec(entries=80, seed=2, columns=16))
    portal, findings = run_checks(load_config(tmp_path), AS_OF)
    assert findings.errors == []
    assert summary.columns == len(portal.columns) == 16
    assert all(portal.column_entries[c] for c in portal.columns if not portal.columns[c].archived
               and not portal.child_columns(c))


def test_a_kept_corpus_is_pointed_at_this_checkouts_theme(tmp_path):
    """scripts/bench keeps a corpus between runs; the checkout that made it, whose theme overrides its
    mkdocs.yml names, may be gone (a run from a clean clone failed on it: 'custom_dir does not exist')."""
    import yaml
    from gongkai.synthetic import default_theme_dir, use_theme
    generate(tmp_path / "portal", CorpusSpec(entries=20, seed=3, theme_dir=tmp_path / "gone"))
    before = (tmp_path / "portal" / "mkdocs.yml").read_text(encoding="utf-8")
    use_theme(tmp_path / "portal")
    after = (tmp_path / "portal" / "mkdocs.yml").read_text(encoding="utf-8")
    assert yaml.safe_load(after)["theme"]["custom_dir"] == str(default_theme_dir().resolve())
    assert after.replace(str(default_theme_dir().resolve()), str((tmp_path / "gone").resolve())) == before
    load_config(tmp_path / "portal")
