# Development tasks for the gdpr.gws collection. `make demo` and `make test` do all the set-up themselves.
#
#   make venv        .venv with ansible-core, pytest and the modules' libraries (requirements-dev.txt)
#   make collection  make the repository importable as the collection gdpr.gws under .build/collections
#   make lab-up      start the lab: Cassandra on 127.0.0.1:9042 and the GWS emulator on 127.0.0.1:8090
#   make seed        fill the lab with agents, favorites and recents, including the demo subjects
#   make lab-down    stop the lab (does nothing when it is not running)
#   make demo        run playbooks/forget_me.yml against the lab: dry run, real run, and a run with changed=0
#   make test        unit and integration tests; starts the lab and always stops it afterwards
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

COLLECTIONS_DIR := $(CURDIR)/.build/collections
COLLECTION_LINK := $(COLLECTIONS_DIR)/ansible_collections/gdpr/gws
export ANSIBLE_COLLECTIONS_PATH := $(COLLECTIONS_DIR)

LAB := bash $(CURDIR)/tests/lab/lab.sh
LAB_DIR := $(or $(GDPR_LAB_DIR),$(CURDIR)/.lab)
LAB_REPORT_DIR := $(LAB_DIR)/reports

# Lab credentials only; inventories/lab/README.md explains why this password file is committed.
FORGET_ME := $(VENV)/bin/ansible-playbook gdpr.gws.forget_me -i inventories/lab \
	--vault-password-file inventories/lab/vault-password-lab-only.txt
DEMO_VARS := {subjects: [jane.doe@example.com, '+44 20 7946 0958'], cleanup: true}

.PHONY: help venv collection lab-up lab-down seed demo test

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
	@echo
	@echo "=== 3/3: the same request again; nothing is left to erase, so the recap shows changed=0"
	@mkdir -p $(LAB_DIR)
	$(FORGET_ME) -e "$(DEMO_VARS)" | tee $(LAB_DIR)/demo-last-run.log
	@grep -Eq '^localhost +: .* changed=0 ' $(LAB_DIR)/demo-last-run.log || \
		{ echo "make demo: the last run changed something; see $(LAB_DIR)/demo-last-run.log" >&2; exit 1; }
	@echo
	@echo "Evidence report of the last run: $$(ls -t $(LAB_REPORT_DIR)/*.json | head -n 1)"
	@echo "The reports of all lab runs are in $(LAB_REPORT_DIR)."
	@echo "The lab is still running; stop it with: make lab-down"

# The lab is stopped even when the tests fail or are interrupted. Its output goes to a log file, so that
# pytest's summary stays the last line. The recipe exits with pytest's status; on failure make adds its
# own "Error N" line and exits with 2.
test: venv collection
	@mkdir -p $(LAB_DIR); \
	trap '$(LAB) down >$(LAB_DIR)/lab-down.log 2>&1 || echo "make test: lab-down failed, see $(LAB_DIR)/lab-down.log" >&2' EXIT; \
	trap 'exit 130' INT TERM; \
	$(LAB) up; \
	status=0; \
	$(VENV_PYTHON) -m pytest tests/unit tests/integration || status=$$?; \
	exit $$status
