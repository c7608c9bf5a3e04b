# The two commands of the README: `make run` and `make test` (`make check` is
# the fast loop). Each creates .venv and installs what it needs, so a fresh
# clone needs only python3.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
INDEX  ?= $(or $(CARI_INDEX),index)
CORPUS ?= $(or $(CARI_CORPUS),corpus)
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: run test check bench install install-test install-bench browser index screenshots clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[test]'
	touch $@

$(VENV)/.installed-bench: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[test,bench]'
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test
install-bench: $(VENV)/.installed-bench

# Build the index when it is missing or was built by another analysis version;
# otherwise pick up changed files only.
index: install
	@$(BIN)/cari stats --index $(INDEX) >/dev/null 2>&1 \
		&& $(BIN)/cari index $(CORPUS) --index $(INDEX) \
		|| $(BIN)/cari index $(CORPUS) --index $(INDEX) --rebuild

run: index
	$(BIN)/cari serve --index $(INDEX) --host $(HOST) --port $(PORT)

# Browser tests drive Debian's chromium; install it where we may (root, apt).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
			(apt-get update -q && apt-get install -y -q chromium) >/dev/null 2>&1 \
			|| echo "could not install chromium: browser tests will be skipped"; \
		else echo "chromium missing and not root: browser tests will be skipped"; fi; }

# axe-core for the accessibility browser test; the test skips if it is missing.
AXE := .cache/npm/node_modules/axe-core/axe.min.js
$(AXE):
	@command -v npm >/dev/null 2>&1 \
		&& (mkdir -p .cache/npm && npm install --prefix .cache/npm --no-save --no-audit --no-fund axe-core@4 >/dev/null 2>&1) \
		|| echo "could not install axe-core: the accessibility test will be skipped"

# Everything: unit, integration (CLI subprocesses, gunicorn, chromium) and
# the tests on ../shared (skipped with the reason when it is absent).
test: install-bench browser $(AXE)
	$(BIN)/python -m pytest

# The fast loop while editing: no gunicorn, no browser, no CLI subprocess,
# no ../shared (the `integration` and `shared_data` markers, pyproject.toml).
# About 30 s on 2 cores: 31 s measured (20 s of CPU) with other work running.
# The index-update state machine tries 10 examples here (make test: 50).
check: install-test
	CARI_UPDATE_EXAMPLES=$${CARI_UPDATE_EXAMPLES:-10} $(BIN)/python -m pytest -q -m "not integration and not shared_data"

screenshots: install-test browser
	CARI_SCREENSHOTS=1 $(BIN)/python -m pytest tests/test_browser.py -k fit_the_screen -q

# The nine benchmarks of bench/report.py's MODULES on 2 cores: about 10 minutes
# before scaling's 1x and 4x query points and the extraction dev set joined
# them, which add a few minutes (docs/benchmarks.md has each one's seconds),
# plus the install. Quality scores the 500-item IndoSum sample;
# CARI_BENCH_INDOSUM=full scores all 3,450 known items (slower).
bench: install-bench
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) build *.egg-info
