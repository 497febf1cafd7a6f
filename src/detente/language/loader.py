"""Load a spec file (an agreement, or a draft that extends one) into the typed model.

Loading runs every stage and collects every problem before it gives up:
decoding, YAML, shape (the JSON Schema's rules, through Pydantic), then the
semantic checks of :mod:`detente.language.checks`. Problems point at the file,
line and column they come from, even for a clause a draft inherited from its base.
"""

from __future__ import annotations

import difflib
import os
import typing
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from detente.errors import Problem, SpecError, UnreadableError
from detente.language.checks import check_agreement
from detente.language.located import MISSING, Loaded, Origins, child
from detente.language.model import (
    Action,
    Agreement,
    Clause,
    Draft,
    Expectation,
    Party,
    Phase,
    Source,
    Status,
    Stock,
)
from detente.language.yaml_reader import Locations, decode, read_yaml

#: Largest spec file read, in bytes.
MAX_FILE_BYTES = 8 * 1024 * 1024
#: Longest chain of drafts extending drafts.
MAX_EXTENDS_DEPTH = 16


def load(path: str | os.PathLike[str]) -> Agreement:
    """Read, validate and check one spec file; raise :class:`SpecError` listing every problem."""
    agreement: Agreement = load_located(path).agreement
    return agreement


def load_located(path: str | os.PathLike[str]) -> Loaded:
    """Like :func:`load`, but also return where each part of the agreement came from."""
    shown = str(path)
    data, origins, problems = _load_raw(Path(path), shown, ())
    return _finish(data, origins, shown, problems)


def load_text(text: str, path: str = "<text>") -> Agreement:
    """Validate a spec given as text (YAML or JSON). A draft cannot be given this way."""
    data, locs, problems = read_yaml(text, path)
    origins = Origins()
    agreement_data = None
    if not problems:
        agreement_data, problems = _agreement_mapping(data, locs, origins, allow_draft=False)
    return _finish(agreement_data, origins, path, problems).agreement


def _finish(
    data: dict[str, Any] | None, origins: Origins, shown: str, problems: list[Problem]
) -> Loaded:
    """Validate merged data into the model and run the semantic checks, or raise every problem."""
    if data is None:
        raise SpecError(
            _one_line(problems) or [Problem(shown, None, None, "the file holds no agreement")]
        )
    agreement, shape_problems = _validate(data, origins, Agreement)
    problems = [*problems, *shape_problems]
    partial = agreement is None
    if agreement is None:
        agreement = _partial_agreement(data)
    loaded = Loaded(agreement, data, origins, shown, partial)
    problems.extend(check_agreement(loaded))
    if any(p.severity == "error" for p in problems):
        raise SpecError(_one_line(problems))
    loaded.warnings = _one_line([p for p in problems if p.severity == "warning"])
    return loaded


def _one_line(problems: list[Problem]) -> list[Problem]:
    """Each problem on one line, so ``PATH:LINE:COL: error: ...`` stays one line a problem."""
    return [
        p
        if "\n" not in p.message and "\r" not in p.message
        else Problem(p.path, p.line, p.column, " ".join(p.message.split()), p.severity)
        for p in problems
    ]


#: The lists of an agreement whose entries are checked one by one when the whole fails.
_ENTRIES: dict[str, type[BaseModel]] = {
    "parties": Party,
    "sources": Source,
    "stocks": Stock,
    "actions": Action,
    "phases": Phase,
    "clauses": Clause,
    "expectations": Expectation,
}


def _partial_agreement(data: dict[str, Any]) -> Agreement:
    """An agreement of the entries that pass their shape check on their own."""
    fields: dict[str, Any] = {"id": "invalid", "title": "invalid", "status": Status.draft}
    for key, model in _ENTRIES.items():
        kept = []
        for item in _list(data.get(key)):
            try:
                kept.append(model.model_validate(item))
            except (ValidationError, ValueError, TypeError):
                continue
        fields[key] = kept
    return Agreement.model_construct(**fields)


def read_file(path: Path, shown: str) -> bytes:
    """Read a file's bytes or raise :class:`UnreadableError` with a plain reason."""
    try:
        if path.is_dir():
            raise UnreadableError(shown, "it is a directory")
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise UnreadableError(shown, f"it is larger than {MAX_FILE_BYTES // 1024 // 1024} MiB")
        return path.read_bytes()
    except FileNotFoundError:
        raise UnreadableError(shown, "no such file") from None
    except PermissionError:
        raise UnreadableError(shown, "permission denied") from None
    except OSError as exc:
        raise UnreadableError(shown, exc.strerror or str(exc)) from None


def _load_raw(
    path: Path, shown: str, chain: tuple[Path, ...]
) -> tuple[dict[str, Any] | None, Origins, list[Problem]]:
    """The agreement mapping of ``path`` with every `extends` applied, as plain data."""
    raw = read_file(path, shown)
    text, problems = decode(raw, shown)
    origins = Origins()
    if text is None:
        return None, origins, problems
    data, locs, problems = read_yaml(text, shown)
    if problems:
        return None, origins, problems
    if isinstance(data, dict) and "extends" in data:
        return _load_draft(path, shown, data, locs, chain)
    agreement_data, problems = _agreement_mapping(data, locs, origins, allow_draft=True)
    return agreement_data, origins, problems


def _agreement_mapping(
    data: Any, locs: Locations, origins: Origins, *, allow_draft: bool
) -> tuple[dict[str, Any] | None, list[Problem]]:
    if not isinstance(data, dict):
        return None, [locs.problem((), "a spec file is a mapping that starts with `agreement:`")]
    problems = [
        locs.problem((k,), f"unexpected top-level key {k!r}: a spec holds `agreement:`", key=True)
        for k in data
        if k != "agreement"
    ]
    if "agreement" not in data:
        hint = " or `extends:`" if allow_draft else ""
        problems.append(locs.problem((), f"the file has no `agreement:`{hint} key"))
        return None, problems
    agreement = data["agreement"]
    if not isinstance(agreement, dict):
        problems.append(locs.problem(("agreement",), "`agreement:` must be a mapping"))
        return None, problems
    origins.register_tree(agreement, locs, ("agreement",))
    return agreement, problems


def _load_draft(
    path: Path, shown: str, data: dict[str, Any], locs: Locations, chain: tuple[Path, ...]
) -> tuple[dict[str, Any] | None, Origins, list[Problem]]:
    origins = Origins()
    origins.register_tree(data, locs, ())
    draft, problems = _validate(data, origins, Draft, root=data)
    if draft is None:
        return None, origins, problems
    resolved = path.resolve()
    base_path = (path.parent / draft.extends).resolve()
    base_shown = os.path.normpath(os.path.join(os.path.dirname(shown), draft.extends))
    if base_path == resolved or base_path in chain:
        cycle = " -> ".join([*(p.name for p in (*chain, resolved)), base_path.name])
        return None, origins, [locs.problem(("extends",), f"`extends` makes a cycle: {cycle}")]
    if len(chain) >= MAX_EXTENDS_DEPTH:
        return (
            None,
            origins,
            [locs.problem(("extends",), f"more than {MAX_EXTENDS_DEPTH} drafts extend each other")],
        )
    try:
        base, base_origins, base_problems = _load_raw(base_path, base_shown, (*chain, resolved))
    except UnreadableError as exc:
        return (
            None,
            origins,
            [locs.problem(("extends",), f"cannot read {draft.extends!r}: {exc.reason}")],
        )
    if base_problems or base is None:
        return (
            None,
            origins,
            [
                *base_problems,
                locs.problem(("extends",), f"the base {draft.extends!r} has errors (listed above)"),
            ],
        )
    origins.merge(base_origins)
    merged, problems = _apply_draft(base, data, locs)
    origins._add(merged, locs, ("agreement",))
    for key in ("clauses", "phases", "sources", "expectations"):
        if isinstance(merged.get(key), list) and id(merged[key]) not in origins.table:
            origins._add(merged[key], locs, ("agreement",))
    merged["extends"] = draft.extends
    return merged, origins, problems


def _apply_draft(
    base: dict[str, Any], draft: dict[str, Any], locs: Locations
) -> tuple[dict[str, Any], list[Problem]]:
    """The base agreement mapping with the draft's header, changes and expectations applied."""
    problems: list[Problem] = []
    merged = dict(base)
    header = draft["agreement"]
    for key, value in header.items():
        if key == "sources":
            base_sources = _list(base.get("sources"))
            known = {s.get("id") for s in base_sources if isinstance(s, dict)}
            merged["sources"] = [*base_sources, *(s for s in value if s.get("id") not in known)]
        else:
            merged[key] = value
    changes = draft.get("changes") or {}
    clauses: list[Any] = _list(base.get("clauses"))
    ids = [c.get("id") if isinstance(c, dict) else None for c in clauses]
    ids = [str(i) if i is not None else None for i in ids]

    for i, new in enumerate(changes.get("replace", [])):
        cid = str(new.get("id"))
        if cid in ids:
            clauses[ids.index(cid)] = new
        else:
            problems.append(
                locs.problem(
                    ("changes", "replace", i, "id"), f"the base has no clause {cid!r} to replace"
                )
            )
    for i, cid_raw in enumerate(changes.get("remove", [])):
        cid = str(cid_raw)
        if cid in ids:
            at = ids.index(cid)
            del clauses[at]
            del ids[at]
        else:
            problems.append(
                locs.problem(("changes", "remove", i), f"the base has no clause {cid!r} to remove")
            )
    for i, new in enumerate(changes.get("add", [])):
        cid = str(new.get("id"))
        if cid in ids:
            problems.append(
                locs.problem(
                    ("changes", "add", i, "id"),
                    f"clause {cid!r} is already in the base: use `replace` to change it",
                )
            )
        else:
            clauses.append(new)
            ids.append(cid)
    merged["clauses"] = clauses

    phases: list[Any] = _list(base.get("phases"))
    phase_ids = [p.get("id") if isinstance(p, dict) else None for p in phases]
    for i, new in enumerate(changes.get("phases", [])):
        if new.get("id") in phase_ids:
            phases[phase_ids.index(new.get("id"))] = new
        else:
            problems.append(
                locs.problem(
                    ("changes", "phases", i, "id"),
                    f"the base has no phase {new.get('id')!r} to replace",
                )
            )
    merged["phases"] = phases
    if draft.get("expectations") is not None:
        merged["expectations"] = draft["expectations"]
    return merged, problems


def _list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else []


def _validate(
    data: dict[str, Any], origins: Origins, model: type[Any], root: Any = None
) -> tuple[Any, list[Problem]]:
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        problems: list[Problem] = []
        seen: set[tuple[Any, ...]] = set()
        for err in exc.errors(include_url=False):
            loc = tuple(err["loc"])
            # Pydantic puts the union member or validator name in the path; drop non-keys.
            loc = _strip_model_names(data, loc)
            if loc in seen:  # one sentence per value, even when several union members fail
                continue
            seen.add(loc)
            path, line, col = origins.locate(data if root is None else root, loc)
            problems.append(Problem(path, line, col, _sentence(err, loc, data, model)))
        return None, problems


def _strip_model_names(data: Any, loc: tuple[Any, ...]) -> tuple[Any, ...]:
    out: list[Any] = []
    current = data
    for step in loc:
        nxt = child(current, step)
        if nxt is not MISSING:
            out.append(step)
            current = nxt
        elif isinstance(current, dict) and isinstance(step, str):
            # A missing key or an extra one: keep it so the message can name it.
            out.append(step)
            current = None
        # Otherwise a union tag or function name that is not part of the data.
    return tuple(out)


#: What each list holds, to name an entry ("clause '6'", "party 'b'").
_SINGULAR = {
    "parties": "party",
    "sources": "source",
    "stocks": "stock",
    "actions": "action",
    "phases": "phase",
    "clauses": "clause",
    "expectations": "expectation",
    "rounds": "round",
    "ratios": "ratio",
    "replace": "replaced clause",
    "add": "added clause",
    "remove": "removed clause",
}

#: How to write a value of each structured kind, for "must be ..." sentences.
_SHAPES = {
    "When": "a time such as `phase1 day 16`, `phase1 end` or {phase: phase1, day: 16}",
    "PhaseStart": "`entry_into_force`, or a mapping such as {after: phase1}",
    "Expiry": "`ends`, `unspecified`, or {rule: continues_while, negotiation: ...}",
    "Scope": "`open`, or {topics: [...]}",
    "DateFact": "a date written YYYY-MM-DD, or a mapping with `date:`",
}


def _where_words(loc: tuple[Any, ...], data: Any) -> tuple[str, str | None]:
    """``("clauses", 4, "prohibition", "parties")`` -> ("clause '6', prohibition", "parties")."""
    words: list[str] = []
    current: Any = data
    steps = list(loc)
    last: str | None = None
    if steps and isinstance(steps[-1], str):
        last = steps.pop()
    for i, step in enumerate(steps):
        nxt = child(current, step)
        if isinstance(step, int):
            parent = str(steps[i - 1]) if i > 0 else ""
            noun = _SINGULAR.get(parent, "entry")
            ident = nxt.get("id") if isinstance(nxt, dict) else None
            if words and words[-1] == parent:
                words.pop()
            if isinstance(ident, str | int) and not isinstance(ident, bool):
                words.append(f"{noun} {str(ident)!r}")
            else:
                words.append(f"{noun} {step + 1}" if parent else f"entry {step + 1}")
        elif step != "agreement" or i > 0:
            words.append(str(step))
        current = nxt if nxt is not MISSING else None
    return ", ".join(words), last


def _show(value: Any) -> str:
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The model a field holds, looking inside Optional, list and Annotated."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def _allowed_keys(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """The keys the mapping at ``loc`` accepts, for a "did you mean" hint."""
    current: type[BaseModel] | None = model
    for step in loc:
        if current is None:
            return []
        if isinstance(step, int):
            continue
        field = next((f for n, f in current.model_fields.items() if (f.alias or n) == step), None)
        current = _model_in(field.annotation) if field is not None else None
    if current is None:
        return []
    return [f.alias or n for n, f in current.model_fields.items()]


def _sentence(
    err: Any, loc: tuple[Any, ...], data: Any = None, model: type[BaseModel] | None = None
) -> str:
    """A pydantic error as a sentence an analyst reads: where, then what is wrong."""
    kind = str(err["type"])
    ctx = err.get("ctx") or {}
    inp = err.get("input")
    owner, key = _where_words(loc, data)
    subject = f"`{key}`" if key else "this value"
    prefix = f"{owner}: " if owner else ""
    if kind == "missing":
        return f"{prefix}{subject} is required but missing"
    if kind == "extra_forbidden":
        allowed = _allowed_keys(model, loc[:-1]) if model is not None else []
        close = difflib.get_close_matches(str(key), allowed, n=1, cutoff=0.6)
        hint = f"did you mean `{close[0]}`?" if close else "check its spelling and indentation"
        return f"{prefix}unknown key `{key}` ({hint})"
    if kind in ("literal_error", "enum"):
        return f"{prefix}{subject} must be one of {ctx.get('expected', '')}, not {_show(inp)}"
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return f"{prefix}{subject} must be a whole number, not {_show(inp)}"
    if kind in ("bool_parsing", "bool_type"):
        return f"{prefix}{subject} must be true or false, not {_show(inp)}"
    if kind in ("string_type",):
        return f"{prefix}{subject} must be text, not {_show(inp)}"
    if kind in ("list_type",):
        return f"{prefix}{subject} must be a list (one `- item` a line, or [a, b])"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        shape = _SHAPES.get(str(ctx.get("class_name", "")), "a mapping of keys to values")
        return f"{prefix}{subject} must be {shape}, not {_show(inp)}"
    if kind.startswith("date") or kind.startswith("datetime"):
        return f"{prefix}{subject} must be a date written YYYY-MM-DD, not {_show(inp)}"
    if kind in ("greater_than_equal", "greater_than"):
        bound = ctx.get("ge", ctx.get("gt"))
        word = "at least" if kind == "greater_than_equal" else "more than"
        return f"{prefix}{subject} must be {word} {bound}, not {_show(inp)}"
    if kind in ("less_than_equal", "less_than"):
        bound = ctx.get("le", ctx.get("lt"))
        word = "at most" if kind == "less_than_equal" else "less than"
        return f"{prefix}{subject} must be {word} {bound:,}, not {_show(inp)}"
    if kind == "too_short":
        least = ctx.get("min_length", 1)
        if isinstance(inp, str):
            return f"{prefix}{subject} must not be empty"
        entries = "entry" if least == 1 else "entries"
        return f"{prefix}{subject} needs at least {least} {entries}"
    if kind == "too_long":
        return f"{prefix}{subject} has more than {ctx.get('max_length')} entries"
    if kind == "string_too_short":
        return f"{prefix}{subject} must not be empty"
    if kind == "string_too_long":
        return f"{prefix}{subject} is longer than {ctx.get('max_length'):,} characters"
    if kind == "string_pattern_mismatch":
        return f"{prefix}{_show(inp)} is not a valid {key or 'value'}: {_pattern_hint(key)}"
    if kind in ("float_parsing", "float_type"):
        return f"{prefix}{subject} must be a number, not {_show(inp)}"
    message = str(err["msg"])
    for lead in ("Value error, ", "Assertion failed, "):
        if message.startswith(lead):
            message = message[len(lead) :]
    if message:
        message = message[0].lower() + message[1:]
    if kind == "value_error" and key is None:
        return f"{prefix}{message}" if prefix else message
    return f"{prefix}{subject}: {message}"


def _pattern_hint(key: str | None) -> str:
    if key == "url":
        return "write a full address starting with http:// or https://"
    if key in ("time",):
        return "write the time as HH:MM"
    if key == "utc_offset":
        return "write the offset as +HH:MM or -HH:MM"
    if key == "id" or key is None:
        return (
            "write lower-case letters, digits and underscores, starting with a letter "
            '(clause ids: the paragraph number, e.g. "1.3")'
        )
    if key == "pax_codes":
        return "write letters only"
    return "use lower-case letters, digits and underscores, starting with a letter"
