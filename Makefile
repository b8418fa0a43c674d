# tieline — quick start: `make run`, `make test`. Needs only Python >= 3.11.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
TESTED := $(VENV)/.installed-test

.PHONY: run test bench venv clean

# `make run` installs the runtime dependencies only; the test extras (Playwright, hypothesis, lxml,
# axe: 165 MB+) come with `make test` and `make bench`.
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	@touch $(STAMP)

$(TESTED): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(TESTED)

# Byte-code for tieline's own modules, written once: with PYTHONDONTWRITEBYTECODE set (as on our
# machines) every run would otherwise compile them again, a cost paid by every warm query.
COMPILED := $(VENV)/.compiled
$(COMPILED): $(STAMP) cli.py $(wildcard graph/*.py graph/*/*.py)
	$(BIN)/python -m compileall -q cli.py graph
	@touch $(COMPILED)

venv: $(COMPILED)

## make run: validate data/, build the graph, write output/graph.html and output/graph.graphml
run: $(COMPILED)
	$(BIN)/tieline build

## make test: the whole suite (browser tests need Chromium at /usr/bin/chromium: `apt-get install chromium`, as .ci/run does)
test: $(COMPILED) $(TESTED)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## make bench: generate synthetic fact sets and print the benchmark table
bench: $(COMPILED) $(TESTED)
	$(BIN)/python bench/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) output/*.html output/*.graphml output/*.gexf output/*.json output/csv bench/data .pytest_cache
