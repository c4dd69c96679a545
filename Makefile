# replenlib — the two commands: `make demo` and `make test` (and `make docs` for the guide).
# Both create .venv with the python3 on PATH (Python >= 3.11) and install what they need.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip --disable-pip-version-check
SIZE ?= medium

.PHONY: demo test docs install install-test install-docs lint typecheck bench browser-deps images clean

$(BIN)/python:
	$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "replenlib needs Python 3.11 or newer; set PYTHON=...")'
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(PIP) install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(PIP) install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

$(VENV)/.installed-docs: pyproject.toml | $(BIN)/python
	$(PIP) install --quiet -e '.[docs]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test
install-docs: $(VENV)/.installed-docs

## make demo: install, generate the demo store, run the nightly pipeline, render reports/
demo: install
	$(BIN)/replen demo --size $(SIZE)

## make test: install test tools, lint, type-check, check layers, run the test suite
test: install-test browser-deps lint typecheck
	$(BIN)/python -m pytest

## make docs: install the docs tools, build guide + methods + API reference into site/
## (offline: no CDN at build or view time; any Sphinx warning fails the build). Open site/index.html.
docs: install-docs
	rm -rf site
	$(BIN)/sphinx-build -E -W --keep-going -q -b html -d docs/_build/doctrees docs site
	@echo "docs: open site/index.html"

lint: install-test
	$(BIN)/ruff check replenlib tests benchmarks
	$(BIN)/lint-imports

typecheck: install-test
	$(BIN)/mypy replenlib

bench: install-test
	@for script in benchmarks/*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

# Browser tests need Debian's chromium (never `playwright install`: it downloads a browser).
# Installed when missing and we may (root with apt); otherwise those tests skip with a reason.
browser-deps:
	@if command -v chromium >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "installing Debian chromium and a CJK font for the browser tests"; \
		(apt-get install -y -q chromium fonts-noto-cjk >/dev/null 2>&1 || \
		 (apt-get update -q >/dev/null 2>&1 && apt-get install -y -q chromium fonts-noto-cjk >/dev/null 2>&1)) || \
		echo "could not install chromium: browser tests will be skipped"; \
	else echo "chromium missing and cannot be installed here: browser tests will be skipped"; fi

## make images: refresh the README screenshots in docs/images from the browser tests
images: install-test browser-deps
	REPLEN_UPDATE_IMAGES=1 $(BIN)/python -m pytest tests/test_face_browser.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis site
