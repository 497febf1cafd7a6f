"""The loader: valid specs load, drafts extend their base, problems are located."""

from __future__ import annotations

from pathlib import Path

import pytest

import detente
from detente.errors import SpecError


def test_minimal_spec_loads_into_the_typed_model(minimal_spec: Path) -> None:
    agreement = detente.load(minimal_spec)
    assert agreement.id == "minimal"
    assert [p.id for p in agreement.phases] == ["one", "two"]
    assert agreement.clause("2").kind == "exchange"


def test_draft_replaces_and_reports_problems_in_its_own_file(
    tmp_path: Path, minimal_spec: Path
) -> None:
    draft = tmp_path / "draft.yaml"
    draft.write_text(
        f"extends: {minimal_spec}\n"
        "agreement: {id: minimal-b, title: Draft B}\n"
        "changes:\n"
        "  replace:\n"
        '    - id: "3"\n'
        "      text: changed\n"
        "      source: made_up\n"
        "      negotiation: {between: [a, zz], scope: open}\n"
        '  remove: ["9"]\n'
    )
    with pytest.raises(SpecError) as caught:
        detente.load(draft)
    shown = [str(p) for p in caught.value.problems]
    assert f"{draft}:8:34: error: no party 'zz' in this agreement" in shown
    assert f"{draft}:9:12: error: the base has no clause '9' to remove" in shown


def test_draft_inherits_base_clauses(tmp_path: Path, minimal_spec: Path) -> None:
    draft = tmp_path / "draft.yaml"
    draft.write_text(
        f"extends: {minimal_spec}\n"
        "agreement: {id: minimal-c, title: Draft C}\n"
        "changes:\n"
        '  remove: ["2"]\n'
    )
    agreement = detente.load(draft)
    assert agreement.id == "minimal-c"
    assert [c.id for c in agreement.clauses] == ["1", "3"]
    assert agreement.parties[0].id == "a"


def test_folded_text_reads_as_plain_text(tmp_path: Path) -> None:
    from detente.language.yaml_reader import read_yaml

    data, _, problems = read_yaml("a: >-\n  hello\n  world\n", "x.yaml")
    assert problems == []
    assert data == {"a": "hello world"}
