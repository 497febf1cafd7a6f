"""The Jinja2 templates of the reports (``reports/templates``)."""

from __future__ import annotations

import jinja2


def template_environment(*, html: bool) -> jinja2.Environment:
    """Jinja2 over ``reports/templates``; HTML escapes everything the spec says."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("detente.reports", "templates"),
        autoescape=html,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["label"] = lambda s: str(s).replace("_", " ")
    return env
