# Every target creates .venv and installs what it needs on a fresh machine.
VENV    ?= .venv
PYTHON  ?= python3
PY      := $(VENV)/bin/python
STAMP   := $(VENV)/.installed-dev
OUT     ?= out

.PHONY: demo test lint bench evaluate clean promtool

$(STAMP): pyproject.toml detector/_records.c detector/_fingerprints.c detector/_kernels.c detector/kafka/_batches.c
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/distill-detector demo

# The alert-rule tests run promtool (Debian's prometheus package); installed when missing.
promtool:
	@command -v promtool >/dev/null || apt-get install -y -qq prometheus \
	  || (apt-get update -qq && apt-get install -y -qq prometheus) \
	  || { echo "make test needs promtool: install the 'prometheus' package"; exit 1; }

test: $(STAMP) promtool
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy
	$(PY) -m pytest -q

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy

# The default scenario mix (>= 1 M records) and its evaluation report.
evaluate: $(STAMP)
	$(VENV)/bin/distill-detector simulate --out $(OUT)/mixed.jsonl.gz --labels $(OUT)/mixed-labels.csv
	$(VENV)/bin/distill-detector evaluate --input $(OUT)/mixed.jsonl.gz --labels $(OUT)/mixed-labels.csv --out $(OUT)/evaluation
	printf 'campaigns: {enabled: false}\n' > $(OUT)/no-campaigns.yaml
	$(VENV)/bin/distill-detector evaluate --config $(OUT)/no-campaigns.yaml --input $(OUT)/mixed.jsonl.gz --labels $(OUT)/mixed-labels.csv --out $(OUT)/evaluation-no-campaigns

# Every benchmark, the targets table, results/*.json, a plot and benchmarks/README.md (~20 min).
bench: $(STAMP)
	$(PY) -m benchmarks.suite

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache .mypy_cache .ruff_cache
