# Détente: `make demo` and `make test` bootstrap everything they need in .venv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck imports unit bench schema clean native

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q --require-hashes -r requirements.lock
	$(BIN)/python -m pip install -q --no-deps --no-build-isolation -e .
	touch $(STAMP)

# The compiled explorer: the semantics' hot modules compiled by mypyc (in the lock, with
# mypy) with the system's gcc. Rebuilt when the semantics or the language change; without
# a compiler it is not built and pure Python runs (detente/semantics/native.py).
NATIVE := src/detente/semantics/_native/sources.json
$(NATIVE): $(STAMP) $(wildcard src/detente/semantics/*.py src/detente/language/*.py)
	@$(BIN)/python -c 'import detente.semantics.native as n; n.main()' > $(VENV)/native.log 2>&1; grep -E '^(compiled|the compiled)' $(VENV)/native.log

native: $(NATIVE)

demo: $(STAMP) $(NATIVE)
	$(BIN)/python -m detente.cli.demo

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy

# The layers and the forbidden imports of pyproject.toml's [tool.importlinter].
imports: $(STAMP)
	$(BIN)/lint-imports

unit: $(STAMP) $(NATIVE)
	$(BIN)/pytest -q

test: lint typecheck imports unit

schema: $(STAMP)
	$(BIN)/detente schema > schema/detente-spec.schema.json

bench: $(STAMP) $(NATIVE)
	$(BIN)/python benchmarks/check_vs_spin.py

clean:
	rm -rf $(VENV) src/detente/semantics/_native .pytest_cache .mypy_cache .ruff_cache .import_linter_cache
