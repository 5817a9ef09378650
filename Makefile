# The workbench's two commands: `make report` and `make test`. Both set themselves up on a fresh clone.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
REPORTS := reports
# Jupyter looks for kernels in the venv before the user's own folders, so papermill and nbval
# run notebooks with this project's interpreter.
export JUPYTER_PREFER_ENV_PATH := 1
export RAY_AUTH_MODE := disabled

.PHONY: report test venv clean bench

venv: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(PY) || "$$(sh scripts/find-python)" -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	$(PY) -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (workbench)" >/dev/null
	@touch $(STAMP)

report: $(STAMP)
	$(PY) -m workbench report --notebooks notebooks --out $(REPORTS)

test: $(STAMP)
	$(PY) -m pytest tests
	$(PY) -m pytest --nbval-lax -p no:randomly notebooks

bench: $(STAMP)
	for b in benchmarks/bench_*.py; do $(PY) $$b || exit 1; done

clean:
	rm -rf $(REPORTS) .pytest_cache
