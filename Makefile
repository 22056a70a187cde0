# Downhill: `make run` serves the demo, `make test` runs the whole suite. Both set up
# everything they need first (virtual environment, dependencies, system packages).

VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
DEV_STAMP := $(VENV)/.dev-installed-stamp
SYSTEM_STAMP := $(VENV)/.system-packages-stamp

.PHONY: setup dev-setup run test lint format bench translations clean

# `make run` installs only what serving needs; the test and lint tools come with the
# first `make test` (or `make dev-setup`).
setup: $(STAMP)

# Installed without byte-compiling (half the time of the install: plotly alone is
# thousands of modules); Python compiles what it imports when it first imports it.
$(STAMP): pyproject.toml constraints.txt
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --no-compile --disable-pip-version-check -e . -c constraints.txt
	touch $(STAMP)

dev-setup: $(DEV_STAMP)

# The suite starts dozens of servers: everything is compiled once, on every core.
$(DEV_STAMP): $(STAMP)
	$(PY) -m pip install --quiet --no-compile --disable-pip-version-check -e ".[dev]" -c constraints.txt
	$(PY) -m compileall -q -j0 $(VENV)/lib > /dev/null || true  # a stray old file may not compile
	touch $(DEV_STAMP)

$(SYSTEM_STAMP): scripts/system-packages scripts/apt-install | $(STAMP)
	bash scripts/system-packages
	touch $(SYSTEM_STAMP)

run: setup
	$(VENV)/bin/downhill run

# The front end's modules under node's own test runner, then the whole suite twice: on
# SQLite, then on the PostgreSQL at 127.0.0.1:5432 (started if it is down; the run fails,
# saying so, if it cannot be had).
test: dev-setup $(SYSTEM_STAMP) lint
	node --test tests/js/
	$(PY) -m pytest
	DOWNHILL_TEST_ENGINE=postgresql $(PY) -m pytest

lint: dev-setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

format: dev-setup
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: dev-setup $(SYSTEM_STAMP)
	bash scripts/bench-packages
	$(PY) bench/quick.py
	$(PY) bench/sampling.py
	$(PY) bench/throughput.py
	$(PY) bench/open_loop.py
	$(PY) bench/scale.py
	$(PY) bench/logins.py
	$(PY) bench/standings.py
	$(PY) bench/fanout.py
	$(PY) bench/page_weight.py
	$(PY) bench/class_simulation.py

# Refresh the catalogues after changing user-facing strings, then translate the new entries.
translations: dev-setup
	$(VENV)/bin/pybabel extract --no-location --omit-header --sort-output -F babel.cfg -k N_ -o locales/messages.pot .
	$(VENV)/bin/pybabel update --no-fuzzy-matching --ignore-obsolete --width 100 -i locales/messages.pot -d locales

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache test-artifacts
