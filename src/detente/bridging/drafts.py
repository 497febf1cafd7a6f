"""``detente bridge --out DIR``: each proposal written as a draft that ``extends:`` the
input file and makes the proposal's changes, so ``detente check`` re-checks it alone."""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from detente.bridging.result import BridgeResult, Proposal
from detente.language.model import Agreement


def changes(before: Agreement, after: Agreement) -> dict[str, Any]:
    """The draft's `changes:` mapping from ``before`` to ``after`` (clauses and phases)."""

    def dump(m: Any) -> Any:
        return m.model_dump(mode="json", by_alias=True, exclude_none=True)

    old = {c.id: c for c in before.clauses}
    new = {c.id: c for c in after.clauses}
    out: dict[str, Any] = {}
    replace = [dump(c) for i, c in new.items() if i in old and dump(old[i]) != dump(c)]
    add = [dump(c) for i, c in new.items() if i not in old]
    remove = [i for i in old if i not in new]
    phases = [
        dump(p) for p, q in zip(after.phases, before.phases, strict=True) if dump(p) != dump(q)
    ]
    for key, value in (("replace", replace), ("add", add), ("remove", remove), ("phases", phases)):
        if value:
            out[key] = value
    return out


def draft_text(p: Proposal, base: Agreement, extends: str) -> str:
    """A proposal as the text of a draft file."""
    data: dict[str, Any] = {
        "extends": extends,
        "agreement": {
            "id": f"{base.id}-proposal-{p.rank}"[:80],
            "title": f"{base.title}: bridging proposal {p.rank}"[:20_000],
            "status": "draft",
            "description": "Proposed by detente bridge; the marked words are for the drafters "
            "to write. " + " ".join(e.summary for e in p.edits),
        },
        "changes": changes(base, p.agreement),
    }
    yaml = YAML()
    yaml.default_flow_style = False
    yaml.width = 100
    buffer = io.StringIO()
    buffer.write(
        f"# Bridging proposal {p.rank} on {base.id}, written by `detente bridge`.\n"
        "# Every expectation of the draft holds under it (re-check: detente check THIS_FILE).\n"
    )
    yaml.dump(data, buffer)
    return buffer.getvalue()


def write_drafts(result: BridgeResult, out: str | os.PathLike[str]) -> list[Path]:
    """Write every proposal as ``DIR/<draft>-proposal-<rank>.yaml``; the paths written."""
    directory = Path(out)
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    from detente.language.loader import load

    bases: dict[int, Agreement] = {}
    for p in result.proposals:
        path = result.paths[p.draft_index]
        if path is None:
            raise ValueError("a draft given as an Agreement, not a file, cannot be extended")
        if p.draft_index not in bases:
            bases[p.draft_index] = load(path)
        extends = os.path.relpath(Path(path).resolve(), directory.resolve())
        target = directory / f"{p.draft}-proposal-{p.rank}.yaml"
        target.write_text(draft_text(p, bases[p.draft_index], extends), encoding="utf-8")
        written.append(target)
    return written
