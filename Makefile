# Every target creates the virtual environment it needs (.venv), so on a fresh
# machine `make demo` and `make test` are the whole set-up.
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench crash clean

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/tracker demo

test: $(STAMP)
	$(PY) -m pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check tracker tests bench
	$(VENV)/bin/ruff format --check tracker tests bench
	$(VENV)/bin/mypy tracker

bench: $(STAMP)
	$(PY) bench/run.py

crash: $(STAMP)
	$(PY) bench/crash.py --kills 200

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache
