"""``detente bridge``: a thin client of :func:`detente.bridge`.

Exit codes: 0 a proposal was found (or a draft already satisfies every expectation);
1 no proposal within ``--max-edits`` (the closest candidates are listed), or a spec is
invalid; 2 a path cannot be read or written, the command line is wrong, or the Ray
cluster cannot be reached.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Literal

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from detente.cli.common import cannot_write, err, load_spec, out, reporting, usage_error
from detente.errors import EXIT_OK, EXIT_PROBLEMS

Format = Literal["terminal", "md", "html", "docx"]


def bridge_command(
    paths: Annotated[list[Path], typer.Argument(help="One or more drafts of one agreement.")],
    max_edits: Annotated[
        int, typer.Option("--max-edits", "-k", help="The most edits a proposal may make.")
    ] = 2,
    workers: Annotated[
        int | None,
        typer.Option("--workers", help="Judge candidates on a local Ray cluster of N CPUs."),
    ] = None,
    address: Annotated[
        str | None,
        typer.Option("--address", help="Join this Ray cluster (default: RAY_ADDRESS, if set)."),
    ] = None,
    out_dir: Annotated[
        Path | None,
        typer.Option("--out", help="Write each proposal as a draft extending its input."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    to: Annotated[
        str, typer.Option("--to", help="Report format: terminal, md, html or docx.")
    ] = "terminal",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the report to this file.")
    ] = None,
    max_candidates: Annotated[
        int, typer.Option("--max-candidates", help="Budget: the most candidates judged.")
    ] = 20_000,
    operators: Annotated[
        str | None,
        typer.Option(
            "--operators", help="Only these edit operators, comma-separated (default: all)."
        ),
    ] = None,
    max_seconds: Annotated[
        float | None, typer.Option("--max-seconds", help="Budget: stop after this long.")
    ] = None,
) -> None:
    """The fewest edits to a draft after which every expectation holds, judged by the checker."""
    from detente.bridging import bridge
    from detente.bridging.drafts import write_drafts
    from detente.reports.bridge_terminal import print_bridge

    if max_edits < 1:
        usage_error("bridge", "--max-edits is at least 1")
    if workers is not None and workers < 1:
        usage_error("bridge", "--workers is at least 1")
    if to not in ("terminal", "md", "html", "docx"):
        usage_error("bridge", f"--to {to!r}: choose terminal, md, html or docx")
    if to == "docx" and output is None:
        usage_error("bridge", "--to docx needs --output FILE")
    from detente.bridging import OPERATORS

    chosen = [n.strip() for n in operators.split(",") if n.strip()] if operators else None
    for n in chosen or ():
        if n not in OPERATORS:
            usage_error("bridge", f"no edit operator {n!r}; they are {', '.join(OPERATORS)}")
    agreements = [load_spec(p) for p in paths]
    with Progress(
        TextColumn("judging candidates"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]:.1f}/s"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=as_json or not err.is_terminal,
    ) as bar:
        task = bar.add_task("bridge", total=None, rate=0.0)

        def progress(done: int, planned: int, seconds: float) -> None:
            bar.update(task, completed=done, total=planned, rate=done / seconds if seconds else 0)

        with reporting():
            result = bridge(
                [str(p) for p in paths] if agreements else [],
                max_edits=max_edits,
                workers=workers,
                address=address,
                max_candidates=max_candidates,
                max_seconds=max_seconds,
                progress=progress,
                operators=chosen,
            )
    if out_dir is not None:
        try:
            written = write_drafts(result, out_dir)
        except OSError as exc:
            cannot_write(out_dir, exc)
        for path in written:
            err.print(f"wrote {path}", markup=False)
    if as_json:
        sys.stdout.write(json.dumps(result.to_json(), indent=2, ensure_ascii=False) + "\n")
    elif to == "terminal":
        print_bridge(result, out)
    else:
        from detente.reports import bridge as reports

        try:
            if to == "docx":
                assert output is not None
                output.write_bytes(reports.render_docx(result))
            else:
                text = (
                    reports.render_markdown(result) if to == "md" else reports.render_html(result)
                )
                if output is None:
                    sys.stdout.write(text)
                else:
                    output.write_text(text, encoding="utf-8")
        except OSError as exc:
            cannot_write(output or "-", exc)
    raise typer.Exit(EXIT_OK if result.found else EXIT_PROBLEMS)
