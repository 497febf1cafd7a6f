"""The agreement as a document for a drafting team (``detente render``).

The Markdown, HTML and DOCX writers lay out one :class:`~detente.reports.view.DocumentView`
of the agreement, so the three formats always say the same thing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from detente.language.model import Agreement
from detente.reports.view import build_view

Format = Literal["md", "html", "docx"]
FORMATS: tuple[Format, ...] = ("md", "html", "docx")


def render(agreement: Agreement, fmt: Format) -> bytes:
    """The agreement as a document in ``fmt``: UTF-8 text for md and html, a .docx file's bytes."""
    view = build_view(agreement)
    if fmt == "md":
        from detente.reports.markdown import render_markdown

        return render_markdown(view).encode("utf-8")
    if fmt == "html":
        from detente.reports.html import render_html

        return render_html(view).encode("utf-8")
    if fmt == "docx":
        from detente.reports.docx import render_docx

        return render_docx(view)
    raise ValueError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")


#: The format an output file's suffix names.
SUFFIXES: dict[str, Format] = {".md": "md", ".markdown": "md", ".html": "html", ".htm": "html"}
SUFFIXES[".docx"] = "docx"


def format_for(output: Path) -> Format:
    """The format ``detente render -o FILE`` writes when ``--to`` is not given: the one
    FILE's suffix names, else HTML."""
    return SUFFIXES.get(output.suffix.lower(), "html")
