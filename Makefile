# Aanwezig: the two commands a newcomer needs are `make demo` and `make test`.
VENV  := .venv
PY    := $(VENV)/bin/python
STAMP := $(VENV)/.installed

# bench-scale runs scale_ingest's and scale_screens' parts side by side (issue 17): `make bench` runs
# it, not them again; `make bench-scale-ingest` and `make bench-scale-screens` still run them alone
BENCHES := $(filter-out __init__ __main__ common scanset pi_check scale_ingest scale_screens,$(patsubst bench/%.py,%,$(wildcard bench/*.py)))

.PHONY: demo test test-clock lint format docs bench faults pi-check clean

$(STAMP): pyproject.toml scripts/bootstrap
	scripts/bootstrap
	touch $@

## demo: hub + embedded broker + simulated scanners with demo data; prints the portal address
demo: $(STAMP)
	$(VENV)/bin/aanwezig-hub demo

## test: lint and the whole test suite (what CI runs), on two processes, a test file per process at a time
test: $(STAMP)
	scripts/install-test-deps
	$(PY) -m ruff check .
	mkdir -p var
	$(PY) -m pytest -n 2 --dist loadfile --basetemp=var/pytest --durations=30

## test-clock: the date-sensitive tests under libfaketime, half a minute before midnight at the end of
## November and of the year and before the clock changes of March and October (scripts/test-clock)
test-clock: $(STAMP)
	scripts/install-test-deps
	mkdir -p var
	$(PY) scripts/test-clock

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: $(STAMP)
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

## docs: regenerate docs/wire.md and docs/wire-schema.json from wire/contract.py, docs/upload*.{md,json}
docs: $(STAMP)
	$(PY) -m wire.schema docs
	$(PY) -m hub.upload.schema docs

## faults: the fault-injection suite at full size; prints the table, writes bench/results/faults.json
faults: $(STAMP)
	scripts/install-test-deps
	mkdir -p var
	AANWEZIG_FAULTS=full AANWEZIG_FAULTS_JSON=bench/results/faults.json \
		$(PY) -m pytest tests/faults --basetemp=var/faults -p no:cacheprovider

## bench: every benchmark; bench-NAME runs bench/NAME.py and writes bench/results/NAME.json
## (bench-scale: ingest workers on both databases, the overview of 100 locations, the month grid
## with 10 million events on SQLite and PostgreSQL; half an hour or more)
bench: $(addprefix bench-,$(BENCHES))

bench-%: $(STAMP)
	scripts/install-test-deps
	$(PY) -m bench.$(subst -,_,$*)

## pi-check: install and run the unit on arm64 under full-system emulation (qemu-system-aarch64, a
## debootstrapped Debian; no binfmt, host untouched); slow, cached in var/pi-check/, writes
## bench/results/pi-check.json. Not part of test or bench.
pi-check: $(STAMP)
	scripts/install-test-deps
	mkdir -p var
	nice -n 19 $(PY) -m bench.pi_check

clean:
	rm -rf $(VENV) var .pytest_cache
