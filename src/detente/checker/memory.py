"""How much memory a check may use, and how much the process uses now.

The explorer reads the process's resident set size (RSS) every few thousand new states
(one ``pread`` of ``/proc/self/statm`` on Linux, a few microseconds), so a check too big
for the machine stops with ``unknown`` and the bound it reached instead of swapping or
being killed.
"""

from __future__ import annotations

import os
import re
import sys

#: The share of the machine's available memory a check may use when no bound is given.
DEFAULT_SHARE = 0.5

_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
_statm: int | None = None


def rss() -> int:
    """The process's resident memory now, in bytes (its peak where ``/proc`` is missing)."""
    global _statm
    try:
        if _statm is None:
            _statm = os.open("/proc/self/statm", os.O_RDONLY)
        return int(os.pread(_statm, 64, 0).split()[1]) * _PAGE
    except OSError:
        import resource

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak if sys.platform == "darwin" else peak * 1024


def available() -> int | None:
    """The machine's available memory in bytes (``MemAvailable``), or None if unknown."""
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * _PAGE
    except (ValueError, OSError, AttributeError):
        return None


def default_max_memory() -> int | None:
    """The default bound: half of the memory available now, counted with what the process
    already holds (None when the machine does not say)."""
    free = available()
    if free is None:
        return None
    return rss() + int(free * DEFAULT_SHARE)


_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(i?b)?\s*$", re.IGNORECASE)
_UNIT = {"": 2**20, "k": 2**10, "m": 2**20, "g": 2**30, "t": 2**40}


def parse_size(text: str) -> int:
    """Bytes from ``512M``, ``4G``, ``1.5GB``, ``800k``; a bare number is megabytes."""
    m = _SIZE.match(text)
    if m is None:
        raise ValueError(f"not a size: {text!r} (try 512M or 4G)")
    number, unit, b = m.groups()
    if not unit and b:  # "100b": bytes
        return int(float(number))
    return int(float(number) * _UNIT[unit.lower()])


def human(n: int) -> str:
    """``n`` bytes as a short size (``77.4 MB``)."""
    if n >= 2**30:
        return f"{n / 2**30:.1f} GB"
    return f"{n / 2**20:.1f} MB"
