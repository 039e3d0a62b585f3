# Development tasks for the gdpr.gws collection. `make demo` and `make test` do all the set-up themselves.
#
#   make venv        .venv with ansible-core, pytest and the modules' libraries (requirements-dev.txt)
#   make collection  make the repository importable as the collection gdpr.gws under .build/collections
#   make lab-up      start the lab: Cassandra on 127.0.0.1:9042 and the GWS emulator on 127.0.0.1:8090
#   make seed        fill the lab with agents, favorites and recents, including the demo subjects
#   make lab-down    stop the lab (does nothing when it is not running)
#   make demo        run playbooks/forget_me.yml against the lab: dry run, real run, and a run with changed=0
#   make report-screenshot  docs/images/evidence-report.png from the HTML report of the demo's real run
#   make venv-latest .venv-latest: the newest Python (3.12 to 3.14) with the newest supported ansible-core
#   make sanity      ansible-test sanity on ansible-core 2.19 (Python 3.11) and on the newest ansible-core
#   make lint        yamllint, ansible-lint (profile production) and antsibull-changelog lint
#   make units       unit tests on both ansible-core versions
#   make test        sanity, lint, units and integration tests; starts the lab and always stops it afterwards
#   make bench       scan benchmark on generated data (BENCH_ROWS rows); starts and stops the lab, see benchmarks/
#
# The lab ports and directory follow GDPR_LAB_CQL_PORT, GDPR_LAB_GWS_PORT and GDPR_LAB_DIR
# (see tests/lab/README.md); the lab inventory reads the same variables.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
# The demo steps depend on each other (venv before lab, lab before seed), so never run them in parallel.
.NOTPARALLEL:

PYTHON3 ?= python3
VENV := $(CURDIR)/.venv
VENV_PYTHON := $(VENV)/bin/python
VENV_STAMP := $(VENV)/.requirements-installed

# The second test environment: the newest Python from 3.12 to 3.14 that tests/newest_python.sh finds, with
# the newest ansible-core that meta/runtime.yml allows. Without such a Python the second run is skipped.
NEWEST_PYTHON ?= $(shell bash $(CURDIR)/tests/newest_python.sh)
VENV_LATEST := $(CURDIR)/.venv-latest
VENV_LATEST_PYTHON := $(VENV_LATEST)/bin/python
VENV_LATEST_STAMP := $(VENV_LATEST)/.requirements-installed

COLLECTIONS_DIR := $(CURDIR)/.build/collections
COLLECTION_LINK := $(COLLECTIONS_DIR)/ansible_collections/gdpr/gws
export ANSIBLE_COLLECTIONS_PATH := $(COLLECTIONS_DIR)

LAB := bash $(CURDIR)/tests/lab/lab.sh
LAB_DIR := $(or $(GDPR_LAB_DIR),$(CURDIR)/.lab)
LAB_REPORT_DIR := $(LAB_DIR)/reports
# The TLS and authentication tests start a second lab here (tests/integration/fault_helpers.py) and stop
# it themselves; `make test` stops it too when the tests are interrupted.
SECURE_LAB_DIR := $(or $(GDPR_LAB_TLS_DIR),$(LAB_DIR)/secure-lab)

# Lab credentials only; inventories/lab/README.md explains why this password file is committed.
FORGET_ME := $(VENV)/bin/ansible-playbook gdpr.gws.forget_me -i inventories/lab \
	--vault-password-file inventories/lab/vault-password-lab-only.txt
DEMO_VARS := {subjects: [jane.doe@example.com, '+44 20 7946 0958'], cleanup: true}

.PHONY: help venv venv-latest collection lab-up lab-down seed demo report-screenshot sanity lint units test bench

help:
	@sed -n 's/^#   make /make /p' $(firstword $(MAKEFILE_LIST))

venv: $(VENV_STAMP)

# The stamp file makes `make venv` a no-op until a requirements file changes.
$(VENV_STAMP): requirements.txt requirements-dev.txt
	@$(PYTHON3) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "make venv: $(PYTHON3) is older than 3.11, which ansible-core 2.19 needs; run make PYTHON3=python3.11" >&2; exit 1; }
	test -x $(VENV_PYTHON) || $(PYTHON3) -m venv $(VENV)
	$(VENV_PYTHON) -m pip install --disable-pip-version-check -r requirements-dev.txt
	touch $@

venv-latest:
	@if [ -z "$(NEWEST_PYTHON)" ]; then \
		echo "make venv-latest: no Python 3.12 to 3.14 found, so the tests run on ansible-core 2.19 only"; \
	else \
		$(MAKE) --no-print-directory $(VENV_LATEST_STAMP); \
	fi

# A venv made by another Python than NEWEST_PYTHON is made again.
$(VENV_LATEST_STAMP): requirements.txt requirements-latest.txt
	@if [ -x $(VENV_LATEST_PYTHON) ] && [ "$$($(VENV_LATEST_PYTHON) -c 'import sys; print(sys.version)')" != \
		"$$($(NEWEST_PYTHON) -c 'import sys; print(sys.version)')" ]; then rm -rf $(VENV_LATEST); fi
	test -x $(VENV_LATEST_PYTHON) || $(NEWEST_PYTHON) -m venv $(VENV_LATEST)
	$(VENV_LATEST_PYTHON) -m pip install --disable-pip-version-check -r requirements-latest.txt
	touch $@

collection:
	@mkdir -p $(dir $(COLLECTION_LINK))
	@ln -sfn $(CURDIR) $(COLLECTION_LINK)
	@echo "collection gdpr.gws: $(COLLECTION_LINK) -> $(CURDIR)"

lab-up: venv
	$(LAB) up

lab-down:
	@if [ -f tests/lab/lab.sh ]; then $(LAB) down; else echo "lab-down: tests/lab/lab.sh not found, nothing to stop"; fi

seed: venv
	$(LAB) seed

demo: venv collection lab-up seed
	@echo
	@echo "=== 1/3: dry run (--check --diff); nothing is erased"
	$(FORGET_ME) -e "$(DEMO_VARS)" --check --diff
	@echo
	@echo "=== 2/3: real run; the matching settings are erased through the GWS emulator"
	$(FORGET_ME) -e "$(DEMO_VARS)"
	@ls -t $(LAB_REPORT_DIR)/*.html | head -n 1 > $(LAB_DIR)/demo-erase-report.txt
	@echo
	@echo "=== 3/3: the same request again; nothing is left to erase, so the recap shows changed=0"
	@mkdir -p $(LAB_DIR)
	$(FORGET_ME) -e "$(DEMO_VARS)" | tee $(LAB_DIR)/demo-last-run.log
	@grep -Eq '^localhost +: .* changed=0 ' $(LAB_DIR)/demo-last-run.log || \
		{ echo "make demo: the last run changed something; see $(LAB_DIR)/demo-last-run.log" >&2; exit 1; }
	@echo
	@echo "Evidence report of the real run (2/3), for people: $$(cat $(LAB_DIR)/demo-erase-report.txt)"
	@echo "Evidence report of the last run (3/3): $$(ls -t $(LAB_REPORT_DIR)/*.json | head -n 1)"
	@echo "Each run writes a JSON report and an HTML page with the same data; all are in $(LAB_REPORT_DIR)."
	@echo "The lab is still running; stop it with: make lab-down"

# Renders the HTML report of the demo's real run with Debian's chromium into the picture that README.md shows.
CHROMIUM_FLAGS := --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
	--disable-component-update --disable-sync --hide-scrollbars
report-screenshot:
	@test -s $(LAB_DIR)/demo-erase-report.txt || { echo "make report-screenshot: run make demo first" >&2; exit 1; }
	profile="$$(mktemp -d)"; trap 'rm -rf "$$profile"' EXIT; \
	chromium $(CHROMIUM_FLAGS) --user-data-dir="$$profile" --window-size=1100,1500 \
		--screenshot=$(CURDIR)/docs/images/evidence-report.png "file://$$(cat $(LAB_DIR)/demo-erase-report.txt)"

# ansible-test sanity on a copy of the collection (tests/sanity/run.sh says why), once per ansible-core.
# Both runs happen even when the first fails, so that one make run shows the findings of both versions.
sanity: venv venv-latest
	@status=0; \
	tests/sanity/run.sh $(VENV) || status=1; \
	if [ -x $(VENV_LATEST_PYTHON) ]; then tests/sanity/run.sh $(VENV_LATEST) || status=1; fi; \
	exit $$status

# ansible-lint resolves the collection's own modules and role through ANSIBLE_COLLECTIONS_PATH, and reads
# the lab vault with its committed lab-only password. It keeps a cache in .ansible/.
lint: venv collection
	@status=0; \
	echo "yamllint --strict ."; \
	PATH=$(VENV)/bin:$$PATH yamllint --strict . || status=1; \
	echo "ansible-lint"; \
	PATH=$(VENV)/bin:$$PATH ANSIBLE_VAULT_PASSWORD_FILE=$(CURDIR)/inventories/lab/vault-password-lab-only.txt \
		ansible-lint --nocolor || status=1; \
	echo "antsibull-changelog lint"; \
	$(VENV)/bin/antsibull-changelog lint || status=1; \
	exit $$status

units: venv venv-latest
	@if [ -x $(VENV_LATEST_PYTHON) ]; then $(VENV_LATEST_PYTHON) -m pytest -q tests/unit; fi
	$(VENV_PYTHON) -m pytest -q tests/unit

# Integration tests that also run on the newest ansible-core: the built and installed collection and the
# playbook. The whole integration suite runs on ansible-core 2.19.
LATEST_INTEGRATION := tests/integration/test_installed_collection.py tests/integration/test_forget_me_playbook.py

# Sanity and lint run first, because they need no lab; the tests run even when they fail, so that one run
# shows every finding. The lab is stopped even when the tests fail or are interrupted. Its output goes to a
# log file, so that pytest's summary of the full run on ansible-core 2.19 stays the last line. The recipe
# exits non-zero when sanity, lint or either pytest run failed; on failure make adds its own "Error N" line
# and exits with 2.
test: venv venv-latest collection
	@checks=0; \
	$(MAKE) --no-print-directory sanity || checks=1; \
	$(MAKE) --no-print-directory lint || checks=1; \
	mkdir -p $(LAB_DIR); \
	trap '$(LAB) down >$(LAB_DIR)/lab-down.log 2>&1 || echo "make test: lab-down failed, see $(LAB_DIR)/lab-down.log" >&2; \
		GDPR_LAB_DIR=$(SECURE_LAB_DIR) $(LAB) down >>$(LAB_DIR)/lab-down.log 2>&1 || \
		echo "make test: lab-down of the secure lab failed, see $(LAB_DIR)/lab-down.log" >&2' EXIT; \
	trap 'exit 130' INT TERM; \
	$(LAB) up; \
	status=0; \
	if [ -x $(VENV_LATEST_PYTHON) ]; then \
		echo "make test: unit tests and the installed collection on $$($(VENV_LATEST)/bin/ansible --version | sed -n 1p)"; \
		$(VENV_LATEST_PYTHON) -m pytest tests/unit $(LATEST_INTEGRATION) || status=$$?; \
	fi; \
	echo "make test: unit and integration tests on $$($(VENV)/bin/ansible --version | sed -n 1p)"; \
	$(VENV_PYTHON) -m pytest tests/unit tests/integration || status=$$?; \
	if [ $$checks -ne 0 ]; then echo "make test: ansible-test sanity or lint failed, see above" >&2; status=1; fi; \
	exit $$status

# The benchmark writes its own keyspace (gdpr_bench) in the lab and benchmarks/results.json, and prints a
# table; benchmarks/RESULTS.md records measured runs. The lab is stopped even when the benchmark fails.
BENCH_ROWS ?= 100000,1000000
bench: venv collection
	@mkdir -p $(LAB_DIR); \
	trap '$(LAB) down >$(LAB_DIR)/lab-down.log 2>&1 || echo "make bench: lab-down failed, see $(LAB_DIR)/lab-down.log" >&2' EXIT; \
	trap 'exit 130' INT TERM; \
	$(LAB) up; \
	$(VENV_PYTHON) benchmarks/scan_bench.py --rows $(BENCH_ROWS) --output $(CURDIR)/benchmarks/results.json
