"""`detente validate`: every problem located, exit 0/1/2, never a traceback, for any file."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from detente.cli import app

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").rglob("*.yaml"))


def validate(*paths: Path | str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["validate", *map(str, paths)])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    output = result.output  # stdout and stderr, as a user sees them
    assert "Traceback" not in output
    return result.exit_code, output


def test_valid_files_exit_0(minimal_spec: Path) -> None:
    code, out = validate(minimal_spec, *EXAMPLES)
    assert code == 0, out
    assert f"{minimal_spec}: ok" in out


def test_an_invalid_file_exits_1_and_a_missing_one_2(minimal_spec: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("agreement:\n  id: x\n")
    assert validate(minimal_spec, bad)[0] == 1
    assert validate(bad, tmp_path / "missing.yaml")[0] == 2
    assert validate(tmp_path / "missing.yaml", bad)[0] == 2
    assert validate(tmp_path)[0] == 2


#: Hostile or broken inputs, each with the start of the sentence it must produce.
HOSTILE: dict[str, tuple[bytes, str]] = {
    "alias bomb": (
        (
            "a: &a [x,x,x,x,x,x,x,x,x]\n"
            + "".join(
                f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]\n"
                for i in range(8)
            )
        ).encode(),
        "the file expands to more than",
    ),
    "python tag": (
        b"agreement: !!python/object/apply:os.system ['echo owned']\n",
        "the tag 'tag:yaml.org,2002:python/object/apply:os.system' is not allowed",
    ),
    "custom tag": (b"agreement: !thing {a: 1}\n", "the tag '!thing' is not allowed"),
    "10k-digit number": (b"agreement:\n  pax_id: " + b"9" * 10_000 + b"\n", "the number 9999"),
    "huge float": (b"agreement:\n  pax_id: 1e99999\n", "the number '1e99999' is not a finite"),
    "5000-deep flow nesting": (b"[" * 5000 + b"]" * 5000, "values nest more than 64"),
    "5000-deep block nesting": (b"- " * 5000 + b"x\n", "the YAML nests too deeply"),
    "5000-deep mappings": (b"{a: " * 5000 + b"1" + b"}" * 5000, "values nest more than 64"),
    "NUL": (b"agreement:\n  id: a\x00b\n", "the file contains a NUL character"),
    "invalid UTF-8": (b"agreement:\n  id: \xff\xfe\n", "the file is not valid UTF-8 text"),
    "empty": (b"", "the file is empty"),
    "only a comment": (b"# nothing\n", "the file is empty"),
    "two documents": (b"agreement: {}\n---\nagreement: {}\n", "the file holds more than one"),
    "a list": (b"- 1\n- 2\n", "a spec file is a mapping"),
    "a self-containing alias": (b"a: &a\n  b: *a\n", "an alias refers to a value that contains"),
    "a structured key": (b"? [a, b]\n: 1\n", "a mapping key must be a plain word"),
    "a repeated key": (b"agreement: {}\nagreement: {}\n", "the key 'agreement' appears twice"),
    "merge keys": (b"a: &a {x: 1}\nagreement:\n  <<: *a\n", "merge keys (<<) are not supported"),
    "a tab": (b"agreement:\n\tid: x\n", "invalid YAML"),
    "unclosed quote": (b'agreement: "abc\n', "invalid YAML"),
    "extends itself": (b"extends: self.yaml\nagreement: {id: x, title: y}\n", "`extends` makes a"),
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_input_gives_located_sentences_and_exit_1(name: str, tmp_path: Path) -> None:
    data, expected = HOSTILE[name]
    path = tmp_path / "self.yaml"
    path.write_bytes(data)
    code, out = validate(path)
    assert code == 1, out
    lines = [line for line in out.splitlines() if line.strip()]
    assert lines and all(line.startswith(f"{path}:") for line in lines), out
    assert all(": error: " in line for line in lines), out
    assert expected in out, out


def test_a_bom_is_ignored(tmp_path: Path, minimal_spec: Path) -> None:
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + minimal_spec.read_bytes())
    assert validate(path)[0] == 0


def test_every_problem_is_reported_not_only_the_first(tmp_path: Path, minimal_spec: Path) -> None:
    text = (
        minimal_spec.read_text()
        .replace("status: draft", "status: drafted")  # shape
        .replace("count: 10", "count: many")  # shape
        .replace("debtor", "debtor")
        .replace("on_agreed: two", "on_agreed: three")  # reference, in a clause that is valid
        .replace("{day: 5, release: {hostages: 3}}", "{day: 12, release: {hostages: 3}}")
    )
    path = tmp_path / "many.yaml"
    path.write_text(text)
    code, out = validate(path)
    assert code == 1
    assert "`status` must be one of 'draft', 'signed', 'in_force' or 'ended', not 'drafted'" in out
    assert "stock 'hostages': `count` must be a whole number, not 'many'" in out
    assert "no phase 'three' in this agreement" in out
    assert "round 2 falls on day 12, outside 'one', which lasts 10 days" in out
    assert len(out.splitlines()) == len(set(out.splitlines())), "a problem is reported twice"


def test_the_installed_command_prints_no_traceback(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_bytes(b"[" * 5000)
    proc = subprocess.run(
        [sys.executable, "-m", "detente.cli", "validate", str(path), str(tmp_path / "nope")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr + proc.stdout
    assert f"{path}:1:65: error: values nest more than 64 levels deep" in proc.stderr
