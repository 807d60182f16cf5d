# Zhaoshang: `make demo` runs the baseline; `make test` runs the checks.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
# Python 3.12 (see .python-version): from PATH, else pyenv's, else whatever python3 is.
PYTHON ?= $(shell command -v python3.12 2>/dev/null || ls -d $$HOME/.pyenv/versions/3.12*/bin/python3.12 2>/dev/null | tail -n 1 || command -v python3)
PYTEST_ARGS ?=

.PHONY: demo test lint validate bench docs clean help fonts

help:
	@echo "make demo      run the Ruzhou baseline, write results/ and figures"
	@echo "make test      lint and run the test suite"
	@echo "make validate  run the larger validation suite and print its table"
	@echo "make bench     time the baseline (benchmarks/)"

$(BIN)/python:
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 12), "Python >= 3.12 is needed (found " + sys.version + ")"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# the model with its teaching page (the `ui` extra), so `zhaoshang ui` works after `make demo`
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[ui]'
	$(BIN)/python -m zhaoshang.model.warmup
	@touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python -m zhaoshang.model.warmup
	@touch $(VENV)/.installed $@

demo: $(VENV)/.installed fonts
	$(BIN)/zhaoshang run ruzhou-2017 --seed 7 --out results/ruzhou-2017-seed7
	@echo "figures: results/ruzhou-2017-seed7/figures/"
	@echo "next:    source $(BIN)/activate; zhaoshang report results/ruzhou-2017-seed7 --out results/ruzhou-2017-seed7/report.html"
	@echo "         zhaoshang ui   (the teaching page, offline)   zhaoshang --help   (every command)"

# Figures in Chinese (--lang zh) need a CJK font; it is never downloaded at run time.
fonts:
	@fc-list 2>/dev/null | grep -qi "wenquanyi\|wqy" || ls /usr/share/fonts/truetype/wqy/wqy-microhei.ttc >/dev/null 2>&1 || \
	  echo "note: no Chinese font found, so figures in Chinese (--lang zh) cannot be drawn; install it with: sudo apt-get install fonts-wqy-microhei"

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .

test: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/python -m pytest $(PYTEST_ARGS)

validate: $(VENV)/.installed-dev
	$(BIN)/python -m zhaoshang.experiments.validation.suite

bench: $(VENV)/.installed
	$(BIN)/python benchmarks/baseline.py

docs: $(VENV)/.installed
	$(BIN)/python docs/generate.py

clean:
	rm -rf $(VENV) results .pytest_cache .ruff_cache
