# Two commands do everything on a fresh machine (Python >= 3.11):
#   make demo   set up .venv and start the console on a demo replica
#   make test   set up .venv and run the whole test suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test setup bench clean

demo: $(STAMP)
	$(BIN)/clerk-console demo

test: $(STAMP)
	$(BIN)/python -m pytest -q -n 2 --dist loadgroup

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $(STAMP)

bench: $(STAMP)
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) .pytest_cache
