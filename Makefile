# Everything a fresh machine needs, then the job. `make test` and `make audit` set up first.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# checkov pins an old boto3 and packaging, so it gets a virtualenv of its own (tap/scan.py finds it).
CHECKOV_VENV := .venv-checkov
# The engine that synthesizes (stack/engines.py): cdktf (in .venv, the default) or cdktn (CDK Terrain,
# in .venv-cdktn: it needs an older constructs than cdktf's). `make setup ENGINE=cdktn` installs it;
# every target then synthesizes with it.
ENGINE ?= $(or $(TAP_ENGINE),cdktf)
ifeq ($(filter $(ENGINE),cdktf cdktn),)
$(error ENGINE must be cdktf or cdktn, not '$(ENGINE)')
endif
export TAP_ENGINE := $(ENGINE)
CDKTN_VENV := .venv-cdktn
# Where `make test-cdktn` writes CDK Terrain's plans for the unit and policy suites.
CDKTN_PLANS := .cache/cdktn-plans
NODE_DIR := .tools/node
# jsii supports only Node releases that are not end of life; 22 is the current LTS we use.
NODE_MAJOR_MIN := 22
NODE_PACKAGE := node@22

.PHONY: setup python node checkov browser cdktn test test-cdktn test-engine unit audit synth bench bench-rehearsal bench-engines drift-engines locks \
	mutate bench-mutate lint lint-catches-unpinned clean

setup: python node checkov browser $(if $(filter cdktn,$(ENGINE)),cdktn)

python: $(VENV)/.installed

checkov: $(CHECKOV_VENV)/.installed

cdktn: $(CDKTN_VENV)/.installed

# Every environment installs from its lock alone (requirements/*.txt: every package pinned, with its
# hashes; `make locks` writes them): pip refuses any file whose hash the lock does not list.
LOCKED_INSTALL = -m pip install --quiet --require-hashes --no-deps -r

# The engine alone (no tooling): the runner and cdktf.json's app run `python -m stack.app` with it.
$(CDKTN_VENV)/.installed: requirements/cdktn.txt
	$(PYTHON) -m venv $(CDKTN_VENV)
	$(CDKTN_VENV)/bin/python $(LOCKED_INSTALL) requirements/cdktn.txt
	touch $@

$(CHECKOV_VENV)/.installed: requirements/checkov.txt
	$(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python $(LOCKED_INSTALL) requirements/checkov.txt
	touch $@

# The project itself is installed editable, from the lock's setuptools (no build isolation: that
# would fetch one unhashed), as a path entry (compat mode: no import hook to pay at every start).
$(VENV)/.installed: pyproject.toml requirements/dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python $(LOCKED_INSTALL) requirements/dev.txt
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation --config-settings editable_mode=compat -e .
	touch $@

# Rewrite the locks from pyproject.toml (extra dev, and the build's setuptools) and requirements/*.in,
# with pip-tools in a virtualenv of its own. Dependabot keeps them current between runs.
LOCK = $(LOCKS_VENV)/bin/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras \
	--no-emit-index-url --no-emit-find-links
LOCKS_VENV := .venv-locks
locks:
	$(PYTHON) -m venv $(LOCKS_VENV)
	$(LOCKS_VENV)/bin/python -m pip install --quiet pip-tools==7.7.0
	$(LOCK) --extra dev --build-deps-for editable --output-file requirements/dev.txt pyproject.toml
	$(LOCK) --output-file requirements/checkov.txt requirements/checkov.in
	$(LOCK) --output-file requirements/cdktn.txt requirements/cdktn.in

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

# Headless Chromium and pdftotext, from the distribution, for the tests that render the HTML report on
# screen and on paper (tests/policies/test_report_layout.py). Installed only when missing, and only as root,
# with chromium's recommended fonts (Liberation): the layout is measured with the fonts the report prints in.
BROWSER_PACKAGES := chromium poppler-utils
browser:
	@if command -v chromium >/dev/null && command -v pdftotext >/dev/null; then \
		echo "browser: using the machine's chromium and pdftotext"; \
	elif [ "$$(id -u)" -eq 0 ]; then \
		apt-get update -qq && apt-get install -y -qq $(BROWSER_PACKAGES) >/dev/null && echo "browser: installed $(BROWSER_PACKAGES)"; \
	else \
		echo "browser: chromium or pdftotext is missing; as root, run: apt-get install -y $(BROWSER_PACKAGES)" >&2; exit 2; \
	fi

# Every suite on the default engine (tests/synth proves CDK Terrain's plans equal to it), then test-cdktn.
# The environments are set up side by side, and the suites run on two workers (pytest-xdist): their
# fixtures share the plan and findings caches, so each plan is synthesized and scanned once.
test:
	@$(MAKE) --no-print-directory -j4 setup cdktn
	$(BIN)/pytest -n 2 --hypothesis-profile=ci -m "not engine"
	@$(MAKE) --no-print-directory test-cdktn

# Terraform itself rehearses ENGINE_PROFILES (default dev; "dev prod" for both): it applies the plan into
# the emulator, a second plan must change nothing, the live suite passes from its outputs, a drift after it
# is caught, and destroy does what the profile's protections allow. Minutes per profile (provider waiters).
ENGINE_PROFILES ?= dev
test-engine: setup
	TAP_ENGINE_PROFILES="$(ENGINE_PROFILES)" $(BIN)/pytest -m engine

# The unit and policy suites on CDK Terrain's plans: synthesized in .venv-cdktn, asserted on from .venv.
# The test deployments are the suites' own (conftest.py TEST_DEPLOYMENTS), whatever the environment says.
test-cdktn: setup cdktn
	rm -rf $(CDKTN_PLANS)
	TAP_ENGINE=cdktn $(BIN)/python -m tests.write_plans $(CDKTN_PLANS)
	TAP_PLANS_DIR=$(CDKTN_PLANS) $(BIN)/pytest -n 2 -m 'unit or policy'

# What pre-commit runs: the synth-time suite and every plan judged by the policies (from their caches).
unit: setup
	$(BIN)/pytest -m "unit or gate"

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

# Each engine side by side: provider import (ordinary and lazy), cold synth, warm `pytest -m unit`.
bench-engines: setup cdktn
	$(BIN)/python -m bench.engine_bench

# Provision alone, and provision plus the whole live suite, against the moto rehearsal.
bench-rehearsal: setup
	$(BIN)/python -m bench.rehearsal_bench

# The drift catalogue on the translator's rehearsal and on Terraform's, verdicts side by side (both profiles).
drift-engines: setup
	$(BIN)/python -m bench.drift_engines

# The mutation campaign (tap mutate): every plan mutant through the unit and policy layers, every
# account mutant through the live suite on the rehearsal; fails on a survivor survivors.toml does
# not explain, or a score under its target. The result is kept with the reports.
mutate: setup
	$(BIN)/tap mutate --out reports/mutation.json

# The campaign's mutants per second in each layer, and its wall time against the 15-minute target.
bench-mutate: setup
	$(BIN)/python -m bench.mutate_bench

# The workflow linters (requirements/lint.txt: wheels that ship their binaries), into the project's venv.
LINT_INSTALLED := $(VENV)/.lint-installed
ZIZMOR = $(BIN)/zizmor --offline --min-severity medium --no-progress
ACTIONLINT = $(BIN)/actionlint -shellcheck=$(abspath $(BIN))/shellcheck -pyflakes=

$(LINT_INSTALLED): requirements/lint.txt $(VENV)/.installed
	$(BIN)/python -m pip install --quiet --only-binary=:all: --require-hashes -r requirements/lint.txt
	touch $@

# ruff, then .github: zizmor fails on a finding of medium severity or above (to suppress one, a
# `# zizmor: ignore[rule]` comment on its line in the workflow, with the reason), actionlint on any
# error (.github/actionlint.yaml); then a check that an unpinned `uses:` does fail them.
lint: setup $(LINT_INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(ACTIONLINT) -config-file .github/actionlint.yaml $(wildcard .github/workflows/*.yml .github/workflows/*.yaml)
	$(ZIZMOR) .github/
	@$(MAKE) --no-print-directory lint-catches-unpinned

# A copy of .github whose nightly gains a step `uses: actions/checkout@v4`: both linters must reject it.
lint-catches-unpinned: $(LINT_INSTALLED)
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && cp -r .github "$$tmp/" && \
	printf '      - uses: actions/checkout@v4\n' >> "$$tmp/.github/workflows/nightly.yml" && \
	for lint in "$(ZIZMOR)" "$(ACTIONLINT) -config-file $$tmp/.github/actionlint.yaml"; do \
		if $$lint "$$tmp/.github/workflows/nightly.yml" >"$$tmp/out" 2>&1 \
			|| ! grep -qE '\[(unpinned-uses|require-commit-hash)\]' "$$tmp/out"; then \
			cat "$$tmp/out"; echo "lint: $${lint%% *} let an unpinned uses: through" >&2; exit 1; \
		fi; \
	done; \
	echo "lint: an unpinned uses: fails zizmor and actionlint, as it should"

clean:
	rm -rf cdktf.out reports .cache .pytest_cache .hypothesis
