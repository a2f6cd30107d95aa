# Two entry points for a fresh machine: `make run` (install + the main job) and `make test`
# (install + every check). Both create and reuse their own virtual environment in .venv.
# The interpreter the environment is made from: tools/pick-python prefers the distribution's own
# CPython (Debian's is built with profile-guided and link-time optimisation), which runs the model
# about 10-15% faster than a default build from source (docs/benchmarks.md). `make PYTHON=...`
# picks another.
ifeq ($(origin PYTHON),undefined)
PYTHON := $(shell tools/pick-python)
endif
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
INTERPRETER := $(VENV)/.interpreter

.PHONY: run test test-fast lint typecheck unit unit-fast bench bytecode clean validators browser sandbox quint redis FORCE

# The environment remembers which interpreter made it; another one makes it again from nothing
# (venv keeps an existing environment's links to its old interpreter).
$(INTERPRETER): FORCE
	@if [ "$$(cat $@ 2>/dev/null)" != "$(PYTHON)" ]; then \
	  rm -rf $(VENV) && mkdir -p $(VENV) && echo "$(PYTHON)" > $@; \
	fi

$(STAMP): pyproject.toml $(INTERPRETER)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP) sandbox bytecode
	$(BIN)/stratoverify check

# The tool's modules compiled to bytecode once, here. Where PYTHONDONTWRITEBYTECODE is set (CI
# images and sandboxes often set it) Python never caches what it compiles, so every process
# compiled every module from source again: about 0.4 s at each `stratoverify` start, in each of
# the executor's node processes and in each of the suite's child processes. Only files changed
# since their bytecode was written are compiled again; Quint's npm packages (under benchmarks/)
# are left alone.
PACKAGES := model oracle properties solver executor reports sweep mutation benchmarks
bytecode: $(STAMP)
	$(BIN)/python -m compileall -q -x node_modules $(PACKAGES)

test: typecheck lint validators browser sandbox redis unit

# The same checks without the tests marked `slow` (those that run an engine end to end: whole
# checks and sweeps, the wheel's install, a thousand executor calls): about 2 minutes on 2 cores
# instead of about 10. `make test` and CI run every test.
test-fast: typecheck lint validators browser sandbox redis unit-fast

# bubblewrap (Debian's package) gives each function a sandbox of namespaces; without it the
# executor still runs, and its report says that hostile functions are not contained.
sandbox:
	@command -v bwrap >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bubblewrap >/dev/null; \
	  else \
	    echo "for contained functions install bubblewrap: sudo apt-get install bubblewrap" >&2; \
	  fi; }

typecheck: $(STAMP)
	$(BIN)/mypy --strict

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# The third-party consumers the output tests validate against: Microsoft's SARIF Multitool (npm)
# and the Jenkins xunit schema for junit.xml, into .tools/ (tools/install-validators).
validators: $(STAMP)
	PYTHON=$(BIN)/python tools/install-validators

# A Redis server (Debian's package): the tests share Hypothesis' example database through it, as
# a cluster does (docs/sweep.md).
redis:
	@command -v redis-server >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null; \
	  else \
	    echo "make test needs Debian's redis-server: sudo apt-get install redis-server" >&2; exit 1; \
	  fi; }

# Headless Chromium (Debian's package) renders report.html in the browser test.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "make test needs Debian's chromium: sudo apt-get install chromium" >&2; exit 1; \
	  fi; }

# pytest rewrites the test modules' asserts and caches the result only where bytecode may be
# written: here it may, which saves about 5 s of collection on every run.
unit: $(STAMP) bytecode
	PYTHONDONTWRITEBYTECODE= $(BIN)/pytest

unit-fast: $(STAMP) bytecode
	PYTHONDONTWRITEBYTECODE= $(BIN)/pytest -m "not slow"

# Node.js and npm (Debian's packages) run Quint 0.33.1, the peer of benchmarks/quint_peers.py,
# installed from the lock file into benchmarks/peers/quint/node_modules (the benchmark does the
# npm step itself when it is missing).
quint:
	@command -v npm >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null; \
	  else \
	    echo "the Quint benchmark needs Node.js: sudo apt-get install nodejs npm" >&2; \
	  fi; }
	@if command -v npm >/dev/null 2>&1 && [ ! -d benchmarks/peers/quint/node_modules ]; then \
	  cd benchmarks/peers/quint && npm ci --no-audit --no-fund --loglevel=error; \
	fi

# Every benchmark, one JSON line per figure, then the targets line (docs/benchmarks.md).
bench: $(STAMP) quint bytecode
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) build *.egg-info .mypy_cache .pytest_cache .ruff_cache .tools
