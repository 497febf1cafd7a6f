"""``make demo``: Détente's main job on the bundled real agreements.

1. The July 2024 drafts of the Gaza framework side by side: how the two wordings
   of the disputed paragraphs fare on each side's expectations, and the story
   each side feared; then the bridging search's proposals within two edits, and the
   January 2025 wording of the same paragraph, checked (examples/gaza-framework-2024/).
2. The three real agreements, as a reader sees them.
3. The January 2025 agreement's implementation, as of its last day.
4. Other conflicts, other shapes: the Nagorno-Karabakh statement of 2020, replayed
   to 14 December 2020 (dated withdrawals from districts); the Pretoria agreement of
   2022 checked (a permanent cessation with staged disarmament).

Each step runs the same command a user would type, in-process.
"""

from __future__ import annotations

import sys
from pathlib import Path

from rich.console import Console
from rich.rule import Rule

from detente.cli import app

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = ROOT / "examples"
FRAMEWORK = EXAMPLES / "gaza-framework-2024"
JAN_2025 = EXAMPLES / "jan-2025-ceasefire"
NOV_2023 = EXAMPLES / "nov-2023-truce"
KARABAKH_2020 = EXAMPLES / "nagorno-karabakh-2020"
PRETORIA_2022 = EXAMPLES / "pretoria-2022"

STEPS: tuple[tuple[str, list[str]], ...] = (
    (
        "The July 2024 drafts: the two wordings of paragraphs 8 and 14, side by side",
        [
            "compare",
            str(FRAMEWORK / "base.yaml"),
            str(FRAMEWORK / "july-2024-hamas-wording.yaml"),
            str(FRAMEWORK / "july-2024-israel-wording.yaml"),
        ],
    ),
    (
        "Israel's wording, checked: the future Hamas feared",
        ["check", str(FRAMEWORK / "july-2024-israel-wording.yaml")],
    ),
    (
        "Hamas's wording, checked: the future Israel feared",
        ["check", str(FRAMEWORK / "july-2024-hamas-wording.yaml")],
    ),
    (
        "Bridging the July 2024 drafts: the fewest edits under which both sides' fears are met",
        [
            "bridge",
            str(FRAMEWORK / "july-2024-israel-wording.yaml"),
            str(FRAMEWORK / "july-2024-hamas-wording.yaml"),
            "--max-edits",
            "2",
            "--operators",
            "power_condition,talks_deadline,guarantee,scope",
        ],
    ),
    (
        "What came after: paragraph 14 as the January 2025 agreement worded it, checked",
        ["check", str(FRAMEWORK / "january-2025-wording.yaml")],
    ),
    ("The November 2023 truce", ["show", str(NOV_2023 / "agreement.yaml")]),
    ("The 2024 framework (base text)", ["show", str(FRAMEWORK / "base.yaml")]),
    ("The January 2025 agreement", ["show", str(JAN_2025 / "agreement.yaml")]),
    (
        "The January 2025 agreement's implementation, as of 18 March 2025",
        [
            "monitor",
            str(JAN_2025 / "agreement.yaml"),
            str(JAN_2025 / "events.csv"),
            "--as-of",
            "2025-03-18",
        ],
    ),
    (
        "Another conflict: the Nagorno-Karabakh statement's withdrawals, as of 14 December 2020",
        [
            "monitor",
            str(KARABAKH_2020 / "agreement.yaml"),
            str(KARABAKH_2020 / "events.csv"),
            "--as-of",
            "2020-12-14",
        ],
    ),
    (
        "Another shape: the Pretoria agreement (Ethiopia, 2022), checked",
        ["check", str(PRETORIA_2022 / "agreement.yaml")],
    ),
)


def run(argv: list[str]) -> int:
    """Run one ``detente`` command in-process and return its exit code."""
    try:
        app(argv, prog_name="detente")
    except SystemExit as done:
        return done.code if isinstance(done.code, int) else int(done.code is not None)
    return 0


def main() -> int:
    console = Console()
    failures = 0
    for title, argv in STEPS:
        console.print()
        console.print(Rule(f"[bold]{title}[/bold]"))
        console.print(f"[dim]$ detente {' '.join(_short(a) for a in argv)}[/dim]")
        code = run(argv)
        # `check` exits 1 when an expectation is violated: that is the finding, not a failure.
        if code not in (0, 1) or (code == 1 and argv[0] not in ("check", "compare")):
            failures += 1
            console.print(f"[red]detente {argv[0]} exited with {code}[/red]")
    return 1 if failures else 0


def _short(arg: str) -> str:
    try:
        return str(Path(arg).relative_to(ROOT))
    except ValueError:
        return arg


if __name__ == "__main__":
    sys.exit(main())
