# Everything a fresh machine needs, then the job. `make test` and `make audit` set up first.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# checkov pins an old boto3 and packaging, so it gets a virtualenv of its own (tap/scan.py finds it).
CHECKOV_VENV := .venv-checkov
NODE_DIR := .tools/node
# jsii supports only Node releases that are not end of life; 22 is the current LTS we use.
NODE_MAJOR_MIN := 22
NODE_PACKAGE := node@22

.PHONY: setup python node checkov test unit audit synth bench bench-rehearsal lint clean

setup: python node checkov

python: $(VENV)/.installed

checkov: $(CHECKOV_VENV)/.installed

$(CHECKOV_VENV)/.installed: requirements-checkov.txt
	$(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(CHECKOV_VENV)/bin/python -m pip install --quiet -r requirements-checkov.txt
	touch $@

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

# A project-local Node LTS from npm when the machine's Node is older (stack/runtime.py finds it).
node:
	@major=$$(node --version 2>/dev/null | sed -E 's/^v([0-9]+).*/\1/'); \
	if [ -n "$$major" ] && [ "$$major" -ge $(NODE_MAJOR_MIN) ]; then \
		echo "node: using the machine's Node $$(node --version)"; \
	elif [ -x $(NODE_DIR)/node_modules/.bin/node ]; then \
		echo "node: using $(NODE_DIR) ($$($(NODE_DIR)/node_modules/.bin/node --version))"; \
	else \
		mkdir -p $(NODE_DIR) && npm install --prefix $(NODE_DIR) --no-audit --no-fund --silent $(NODE_PACKAGE) && \
		echo "node: installed $$($(NODE_DIR)/node_modules/.bin/node --version) into $(NODE_DIR)"; \
	fi

test: setup
	$(BIN)/pytest --hypothesis-profile=ci

unit: setup
	$(BIN)/pytest -m unit

synth: setup
	$(BIN)/tap synth --profile dev
	$(BIN)/tap synth --profile prod --env prod

# Both profiles, each into its own folder; fails if either audit fails.
audit: setup
	status=0; \
	$(BIN)/tap audit --profile dev --env dev --out reports/dev || status=$$?; \
	$(BIN)/tap audit --profile prod --env prod --out reports/prod || status=$$?; \
	exit $$status

# Naive way vs ours, side by side: warm pre-commit run, cold synth, cold parallel run.
bench: setup
	$(BIN)/python -m bench.synth_bench

# Provision alone, and provision plus the whole live suite, against the moto rehearsal.
bench-rehearsal: setup
	$(BIN)/python -m bench.rehearsal_bench

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf cdktf.out reports .cache .pytest_cache .hypothesis
