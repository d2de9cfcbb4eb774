# Aanwezig: the two commands a newcomer needs are `make demo` and `make test`.
VENV  := .venv
PY    := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test lint format docs bench clean

$(STAMP): pyproject.toml scripts/bootstrap
	scripts/bootstrap
	touch $@

## demo: hub + embedded broker + simulated scanners with demo data; prints the portal address
demo: $(STAMP)
	$(VENV)/bin/aanwezig-hub demo

## test: lint and the whole test suite (what CI runs)
test: $(STAMP)
	scripts/install-test-deps
	$(PY) -m ruff check .
	$(PY) -m pytest

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: $(STAMP)
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

## docs: regenerate docs/wire.md and docs/wire-schema.json from wire/contract.py
docs: $(STAMP)
	$(PY) -m wire.schema docs

clean:
	rm -rf $(VENV) var .pytest_cache
