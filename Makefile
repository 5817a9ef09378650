# The workbench's two commands: `make report` and `make test`. Both set themselves up on a fresh clone.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
# Exact versions of every package the project installs, generated from pyproject.toml by uv
# (`make lock`); the install below is constrained to them, so a fresh clone gets the tested set.
LOCK := requirements.lock
REPORTS := reports
# Jupyter looks for kernels in the venv before the user's own folders, so papermill and nbval
# run notebooks with this project's interpreter.
export JUPYTER_PREFER_ENV_PATH := 1
export RAY_AUTH_MODE := disabled

.PHONY: report test test-fast lint lock venv clean bench docs

venv: $(STAMP)

$(STAMP): pyproject.toml $(LOCK)
	@test -x $(PY) || "$$(sh scripts/find-python)" -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c $(LOCK) -e '.[dev]'
	$(PY) -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (workbench)" >/dev/null
	@touch $(STAMP)

report: $(STAMP)
	$(PY) -m workbench report --notebooks notebooks --out $(REPORTS)

# The API reference, generated from the docstrings by pdoc into reports/api/ (static HTML, no CDN:
# pdoc inlines its assets); the reports index links to it when it exists.
API_MODULES := workbench workbench.model workbench.experiments workbench.analysis workbench.ledger workbench.traces workbench.viz
docs: $(STAMP)
	$(PY) -m pdoc $(API_MODULES) --docformat restructuredtext --no-search -o $(REPORTS)/api 2> >(grep -v "^Warn: Error parsing type annotation" >&2)

# Lint, format check and types; run by `make test` before any test, so CI fails on them.
lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy

# The edit loop: lint and the unit tests, without tests marked slow, ray or browser and without the
# notebooks (about 1-2 minutes here; `make test` runs everything). Prints the five slowest tests, so one that
# grew slow is seen and marked.
FAST_TESTS := not slow and not ray and not browser
test-fast: $(STAMP) lint
	$(PY) -m pytest tests -m "$(FAST_TESTS)" --durations=5

# nbval runs the .ipynb files only (notebooks/*.py are their jupytext sources, not tests).
test: $(STAMP) lint
	$(PY) -m pytest tests
	$(PY) -m pytest --nbval-lax -p no:randomly $(wildcard notebooks/*.ipynb)

# Refresh requirements.lock after changing pyproject.toml's dependencies: keeps every pin that still
# satisfies pyproject.toml (`make lock UPGRADE=1` moves all of them to the newest allowed versions).
# Needs uv on PATH (https://docs.astral.sh/uv/, e.g. `pipx install uv`); the next `make` reinstalls.
lock:
	uv pip compile pyproject.toml --extra dev --python-version 3.12 $(if $(UPGRADE),--upgrade) -o $(LOCK)

bench: $(STAMP)
	for b in benchmarks/bench_*.py; do $(PY) $$b || exit 1; done

clean:
	rm -rf $(REPORTS) .pytest_cache
