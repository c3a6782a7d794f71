# netlimits.tcp: the two commands people run are `make tune` and `make test`.
# Every target installs what it needs (apt packages, venvs, images) and
# reuses what is already there.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

CORES      := 2.16 2.21
NEWEST     := 2.21
OLDEST     := 2.16
SUITES     := bookworm trixie bullseye
# QEMU VM images of the vm scenario (tests/harness/build-vm-image.sh).
VM_SUITES  := bookworm bullseye trixie
HARNESS    := tests/harness
RUN         = $(HARNESS)/run.sh
SCENARIOS  ?= $(sort $(notdir $(patsubst %/molecule.yml,%,$(wildcard extensions/molecule/*/molecule.yml))))
# Scenarios that also run on the oldest core.
OLDEST_SCENARIOS ?= default
APPLY      ?= 0
# The plan table names every key with its old and new value and why; DIFF=1 adds the text of
# every file written (--diff), some 30 lines more per host.
DIFF       ?= 0
TUNE_ARGS  := $(if $(filter 1 yes true,$(APPLY)),,--check) $(if $(filter 1 yes true,$(DIFF)),--diff,)

.PHONY: help
help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | expand -t 18

# ---- set-up --------------------------------------------------------------
.PHONY: setup setup-host venvs collections images prometheus-tools
setup: setup-host venvs collections images prometheus-tools ## install everything the tests need

setup-host:
	$(HARNESS)/setup-host.sh

venvs:
	for core in $(CORES); do $(HARNESS)/setup-venv.sh $$core; done

collections: venvs
	$(HARNESS)/setup-collections.sh

# promtool and node_exporter from Debian's packages, unpacked into .cache/prometheus (make promtool,
# the molecule scenario metrics).
prometheus-tools:
	$(HARNESS)/setup-prometheus.sh

images: setup-host
	for suite in $(SUITES); do $(HARNESS)/build-image.sh $$suite; done
	$(HARNESS)/build-service-image.sh
	$(HARNESS)/build-vm-image.sh $(VM_SUITES)

# ---- the main job --------------------------------------------------------
# Skipped tasks are not shown: for one machine they are only the steps that did not apply.
.PHONY: tune tune-transcript
tune: ## tune.yml on this machine, check mode: the limits, then the plan table (APPLY=1 applies, DIFF=1 adds --diff)
	@$(HARNESS)/setup-venv.sh $(NEWEST)
	@$(HARNESS)/setup-collections.sh
	@ANSIBLE_DISPLAY_SKIPPED_HOSTS=false $(RUN) $(NEWEST) ansible-playbook -i localhost, -c local playbooks/tune.yml \
		-e netlimits_tcp_print_limits=true $(TUNE_ARGS)

# docs/tune-transcript.txt: what `make tune` prints on this machine (check mode, read-only),
# captured, never written by hand; fails when it is over TUNE_MAX_LINES lines.
TUNE_MAX_LINES ?= 80
tune-transcript: ## capture `make tune` (check mode) into docs/tune-transcript.txt
	hacking/tune-transcript.sh docs/tune-transcript.txt $(TUNE_MAX_LINES)

# ---- tests ---------------------------------------------------------------
.PHONY: test unit lint sanity molecule build-check galaxy-import promtool
test: setup unit lint sanity build-check galaxy-import promtool molecule ## everything: unit, lint, sanity, build, galaxy-importer, molecule, browser
	# after molecule: the browser test prefers the fleet scenario's fresh report
	$(MAKE) --no-print-directory browser
	@echo "make test: all passed"

unit: venvs collections ## pytest on the oldest and newest ansible-core
	for core in $(CORES); do \
		echo "== unit tests on ansible-core $$core"; \
		$(RUN) $$core python -m pytest -q -p no:cacheprovider tests/unit; \
	done

# The write-path properties (tests/unit/properties) with Hypothesis' fuzz profile: randomized, 400
# examples each (make unit runs them derandomized with the ci profile's budget; docs/testing.md).
.PHONY: fuzz
fuzz: venvs collections ## the write-path properties with a large randomized example budget
	HYPOTHESIS_PROFILE=fuzz $(RUN) $(NEWEST) python -m pytest -q -p no:cacheprovider tests/unit/properties

lint: venvs collections ## ansible-lint, production profile
	$(RUN) $(NEWEST) ansible-lint --offline --profile production

sanity: venvs collections ## ansible-test sanity from an ansible_collections/ path
	$(HARNESS)/sanity.sh

build-check: venvs ## build the collection, install it offline, read the role's docs from it
	$(HARNESS)/build-check.sh

# galaxy-importer, the check Galaxy and Automation Hub run on every upload, on the built tarball
# (.venv/galaxy-importer from tests/requirements/galaxy-importer.txt; its config is
# tests/harness/galaxy-importer.cfg, through GALAXY_IMPORTER_CONFIG): fails on any ERROR or WARNING.
galaxy-import: ## build the collection and import it with galaxy-importer: no ERROR, no WARNING
	$(HARNESS)/galaxy-import.sh

# Prometheus' promtool (from Debian's prometheus package, unpacked into .cache/prometheus): check and
# test the alert rules (extensions/prometheus/, a firing and a quiet case per alert in
# tests/prometheus/) and check the metrics text of fixture hosts (docs/monitoring.md).
promtool: venvs collections ## promtool check rules, test rules and check metrics
	$(HARNESS)/promtool.sh

# One job per (scenario, core). Scenarios run MOLECULE_JOBS at a time: most of
# their time is spent waiting on containers and systemd, not on the CPU. A run
# that passed with exactly the same inputs is not repeated (like `go test`;
# see tests/harness/molecule-run.sh); RERUN=1 repeats it.
MOLECULE_JOBS ?= 3
# The longest run starts first, so that the others run beside it instead of before it: vm boots three
# emulated VMs and reboots each three times (about 16 minutes here, docs/testing.md).
FIRST_SCENARIOS ?= vm
ORDERED_SCENARIOS := $(filter $(FIRST_SCENARIOS),$(SCENARIOS)) $(filter-out $(FIRST_SCENARIOS),$(SCENARIOS))
MOLECULE_RUNS := $(if $(CORE),$(foreach s,$(ORDERED_SCENARIOS),$(s)@$(CORE)),\
	$(foreach s,$(ORDERED_SCENARIOS),$(s)@$(NEWEST)) $(foreach s,$(filter $(OLDEST_SCENARIOS),$(SCENARIOS)),$(s)@$(OLDEST)))

molecule: setup ## every molecule scenario (SCENARIOS=..., CORE=..., MOLECULE_JOBS=... to narrow; RERUN=1 repeats passed runs)
	$(MAKE) --no-print-directory -j$(MOLECULE_JOBS) --output-sync=target $(addprefix molecule-run/,$(MOLECULE_RUNS))
	@echo "molecule: $(words $(MOLECULE_RUNS)) scenario runs passed: $(MOLECULE_RUNS)"

molecule-run/%:
	@$(HARNESS)/molecule-run.sh $(word 1,$(subst @, ,$*)) $(word 2,$(subst @, ,$*))

# ---- release notes -------------------------------------------------------
.PHONY: changelog
changelog: venvs collections ## render CHANGELOG.rst from changelogs/fragments (kept)
	$(RUN) $(NEWEST) antsibull-changelog release --update-existing \
		--version $$(sed -n 's/^version: *//p' galaxy.yml) --date $$(date +%F)

# ---- generated docs ------------------------------------------------------
.PHONY: docs
docs: venvs ## regenerate the reference pages, the README and profile tables (hacking/gen_docs.py)
	$(RUN) $(NEWEST) python hacking/gen_docs.py

# ---- the audit report in a real browser ------------------------------------
# Debian's chromium + chromium-driver (through setup-host.sh), .venv/browser
# from tests/requirements/browser.txt, then tests/browser: the fleet
# scenario's report (tests/output/fleet-report/) or one from fixture facts.
# Screenshot: tests/output/report.png.
.PHONY: browser audit-screenshot
browser: ## the audit report in headless Chromium: a row per host, no console errors, screenshot
	tests/browser/run.sh

# The screenshot for the docs: only on request, so that `make test` leaves the tree as it was.
# Run it after `make molecule SCENARIOS=fleet` to show the fleet's real report.
audit-screenshot: ## the browser test's screenshot of the audit report -> docs/audit-report.png
	tests/browser/run.sh
	cp tests/output/report.png docs/audit-report.png

# ---- benchmark: the effect of tuning ----------------------------------------
# bench/effect/run.sh installs what it needs (host packages, the images, the
# .venv/bench plotting venv, the ansible venv for tune.yml), runs the same
# connection storms on untuned and tuned containers on a podman network of its
# own, removes them at the end (also on failure) and writes
# docs/bench/effect.{md,png,json}. About 15 minutes on 2 cores. Then the VM
# part (bench/effect/vm.sh; BENCH_PARTS=vm alone): nginx in a QEMU VM behind one
# stateful nftables rule, ab -n 50000 -c 50 from a network namespace wired to the
# VM's second NIC, untuned vs tune.yml (balanced, server) -> docs/bench/effect-vm.*
# and the vm section of docs/bench/effect.md; about 10 minutes under emulation.
.PHONY: bench-effect
bench-effect: ## connection storms before/after tuning, in containers -> docs/bench/effect.*
	bench/effect/run.sh

# ---- benchmark: facts gathering ------------------------------------------
# Times tcp_limits_facts' gathering (default options, connections: true with
# 0 to 50,000 loopback sockets, the module as a process) inside a network
# namespace it creates and removes; writes docs/bench/facts.json and the
# "Facts gathering" section of docs/performance.md. About 2 minutes.
.PHONY: bench-facts
bench-facts: ## time the facts module with 0-50,000 sockets -> docs/performance.md, docs/bench/facts.json
	bench/facts/run.sh

# ---- benchmark: the services view ----------------------------------------------
# bench/services/run.sh: one process holding SOCKETS loopback sockets (a listener and connected pairs) in a
# network namespace of its own, then tcp_limits.services gathered 9 times in a fresh process; as many as
# this machine's hard nofile allows. Then 100,000 sockets here, held by as few workers sharing the
# listener as that hard nofile allows (as nginx's workers share theirs). bench/services/vm.sh: 100,000
# in one process in a QEMU VM (Debian 12, emulated), where root may raise RLIMIT_NOFILE. Figures in
# docs/performance.md.
.PHONY: bench-services
bench-services: ## the facts' services view with 100,000 sockets (one process in a VM; workers here)
	bench/services/run.sh --sockets $$(( $$(ulimit -Hn) - 1000 )) --runs 9
	bench/services/run.sh --sockets 100000 --runs 9 --workers $$(( 100000 / ($$(ulimit -Hn) - 1000) + 1 ))
	bench/services/vm.sh 100000

# ---- benchmark: fleet speed ------------------------------------------------
# bench/fleet/run.sh: ten podman systemd containers (created and removed by
# the script, each run capped at 15 min): tune.yml first run and no-change
# re-run, audit.yml, and bench/fleet/baseline.yml (ansible.posix.sysctl +
# community.general.pam_limits loops) first run and re-run. Results in
# .cache/bench-fleet/results.md; explained in docs/performance.md.
.PHONY: bench-fleet
bench-fleet: collections ## tune/audit vs a sysctl+pam_limits loop on 10 containers (BENCH_FLEET_SIZE=N)
	$(HARNESS)/setup-host.sh
	$(HARNESS)/build-image.sh bookworm
	bench/fleet/run.sh
