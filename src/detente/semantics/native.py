"""The compiled explorer: the hot modules of the semantics compiled by mypyc, when built.

``make demo`` and ``make test`` run :func:`main` after the bootstrap: mypyc (part of mypy, already in the lock) compiles the same Python source of
:data:`COMPILED` with the system's C compiler into extension modules under ``_native/``,
with a record of the hash of every source they were built from. There is no second copy
of any rule: the compiled modules are these files, compiled.

At import, :func:`use` puts ``_native/`` ahead of the package's own directory, so the
compiled modules load instead of the source, only when the record matches the source
of the semantics and the language now (any edit since the build falls back to pure
Python until the next build) and ``DETENTE_PURE`` is not set. Pure Python stays the
oracle: ``tests/test_native.py`` requires both to give the same graphs.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from collections.abc import MutableSequence
from pathlib import Path

#: The modules compiled, as one group (a compiled class's bases must be compiled too).
COMPILED = ("tables", "observe", "system", "choices")
HERE = Path(__file__).resolve().parent
TARGET = HERE / "_native"
RECORD = TARGET / "sources.json"
#: What a compiled module was type-checked against: every module of the semantics (but
#: this one) and the language.
WATCHED = ("semantics", "language")

#: Whether the compiled modules are in use in this process (set by :func:`use`).
active = False


def fingerprint() -> dict[str, str]:
    """The hash of every watched source, by path under ``detente/``."""
    root = HERE.parent
    out: dict[str, str] = {}
    for pkg in WATCHED:
        for p in sorted((root / pkg).glob("*.py")):
            if p.name == "native.py":
                continue  # this file is never compiled
            out[f"{pkg}/{p.name}"] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def usable() -> bool:
    """Whether a build is there, for this interpreter, from the sources as they are now."""
    if os.environ.get("DETENTE_PURE"):
        return False
    try:
        record = json.loads(RECORD.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return bool(
        record.get("abi") == _abi()
        and record.get("sources") == fingerprint()
        and all((TARGET / f"{m}{_abi()}").exists() for m in COMPILED)
    )


def use(path: MutableSequence[str]) -> bool:
    """Put the compiled modules ahead of the source on the package's ``__path__`` when
    :func:`usable`; say whether they are in use."""
    global active
    if usable():
        path.insert(0, str(TARGET))
        active = True
    return active


def _abi() -> str:
    import sysconfig

    return str(sysconfig.get_config_var("EXT_SUFFIX") or ".so")


def build() -> None:
    """Compile :data:`COMPILED` with mypyc into ``_native/`` and record their sources."""
    import shutil
    import tempfile

    from mypyc.build import mypycify
    from setuptools import setup  # type: ignore[import-untyped]

    record = {"abi": _abi(), "sources": fingerprint()}
    paths = [str(HERE / f"{m}.py") for m in COMPILED]
    with tempfile.TemporaryDirectory() as tmp:
        cwd = os.getcwd()
        os.chdir(tmp)
        try:
            setup(
                name="detente-native",
                ext_modules=mypycify(paths, group_name="detente.semantics.native_group"),
                script_args=["build_ext", "--build-lib", "out", "--quiet"],
            )
        finally:
            os.chdir(cwd)
        built = Path(tmp) / "out" / "detente" / "semantics"
        shutil.rmtree(TARGET, ignore_errors=True)
        TARGET.mkdir()
        for f in built.iterdir():
            if f.name.endswith(_abi()):
                shutil.copy2(f, TARGET / f.name)
    RECORD.write_text(json.dumps(record, indent=1), encoding="utf-8")


def main() -> int:
    """Build, or say why not (no compiler, no headers): pure Python is used then."""
    try:
        build()
    except Exception as e:  # no compiler, no headers: pure Python it is
        print(f"the compiled explorer was not built ({e}); pure Python is used", file=sys.stderr)
        if RECORD.exists():
            RECORD.unlink()
        return 0
    print(f"compiled {', '.join(COMPILED)} with mypyc into {TARGET}")
    return 0


if __package__ == "detente.semantics" and __package__ in sys.modules:
    use(sys.modules[__package__].__path__)  # imported first by the package
