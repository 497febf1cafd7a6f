"""The agreement as Markdown (``detente render --to md``)."""

from __future__ import annotations

import re

from detente.reports.templating import template_environment
from detente.reports.view import DocumentView, RoundView

_INLINE = re.compile(r"([\\`*_\[\]<>|])")
_LINE_START = re.compile(r"^(\s*)([#+\-=>]|\d+[.)])", re.MULTILINE)


def md_inline(value: object) -> str:
    """Spec text made inert inside a line: no emphasis, links, raw HTML or table breaks."""
    return _INLINE.sub(r"\\\1", str(value)).replace("&", "&amp;")


def md_text(value: object) -> str:
    """Like :func:`md_inline`, for a block: nor can a line start a heading or a list."""
    return _LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), md_inline(value))


def md_cell(value: object) -> str:
    """Like :func:`md_text`, on one line, for a table cell."""
    return " ".join(md_inline(value).split()) or " "


def md_quote(value: object) -> str:
    """A block quote, every line prefixed, paragraphs kept."""
    return "\n".join(f"> {line}".rstrip() for line in md_text(value).splitlines())


def counts(values: dict[str, int] | None, cats: list[str]) -> list[str]:
    if values is None:
        return ["?" for _ in cats]
    return [str(values.get(c, 0)) for c in cats]


def round_cells(rnd: RoundView, cats: list[str], counter_cats: list[str]) -> list[str]:
    counter = counts(rnd.counter_release, counter_cats)
    if rnd.counter_derived and rnd.counter_release is not None:
        counter = [f"{c}*" for c in counter]
    return [*counts(rnd.release, cats), *counter]


def render_markdown(view: DocumentView) -> str:
    env = template_environment(html=False)
    env.filters["md"] = md_text
    env.filters["inline"] = md_inline
    env.filters["cell"] = md_cell
    env.filters["quote"] = md_quote
    env.globals["round_cells"] = round_cells
    env.globals["counts"] = counts
    return env.get_template("agreement.md.j2").render(v=view)
