# The two set-up commands: `make demo` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PYTEST_ARGS ?=
# Parallel test processes (pytest-xdist), each with its own databases, Redis
# databases and ports (tests/parallel.py). The live-site tests mostly wait, so
# three keep two cores busy; 0 runs everything in this process.
TEST_WORKERS ?= 3

.PHONY: demo test test-fast lint install clean

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

demo: install
	$(PY) -m failover_site.demo

test: install
	@mkdir -p var
	@$(PY) tests/select_backends.py > var/test-backends.env
	@set -a && . ./var/test-backends.env && set +a && $(PY) -m pytest -n $(TEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

# Every in-process test: no live sites, no browser.
test-fast: install
	@$(MAKE) --no-print-directory test PYTEST_ARGS="-m 'not sites and not browser' -q $(PYTEST_ARGS)"

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

clean:
	rm -rf var/demo var/test-* .pytest_cache
