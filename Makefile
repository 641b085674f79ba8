# Crucible: `make demo` runs the main job, `make test` runs every test. Both install what they need.
SWIFT ?= swift
RELEASE_FLAGS = -c release --static-swift-stdlib --scratch-path .build-release
CRUCIBLE_RELEASE = .build-release/release/crucible

.PHONY: deps build release demo showcase test test-unit test-leaks test-images bench clean

deps:
	bash scripts/install-deps.sh
	bash scripts/install-toolchains.sh

build: deps
	$(SWIFT) build

# The binaries operators install, side by side: crucible, optimised, Swift libraries linked in (it needs only
# the C library), and crucible-spawner, the small static program every sandbox is cloned from.
release: deps
	$(SWIFT) build $(RELEASE_FLAGS) --product crucible
	$(SWIFT) build $(RELEASE_FLAGS) --product crucible-spawner

# The main job: the appliance judges the sample bank with five bundled models (crucible demo).
demo: release
	$(CRUCIBLE_RELEASE) demo

# The sandbox alone: a normal program, a fork bomb, a memory bomb, a network attempt, each with its report.
showcase: release
	bash scripts/demo.sh $(CRUCIBLE_RELEASE)

# In order: unit, security and command-line tests; the agent's timing tests; every language's sample bank (heavy
# compilers, kept apart so they do not turn the security suite's time limits into flakes); then
# the leak test alone, since it counts the host's processes, mounts and descriptors; then one real
# image build from the Debian mirror (images/bookworm-python.yaml, 1-2 minutes; images/README.md
# says why it is worth it), CRUCIBLE_TEST_DEBOOTSTRAP=0 skipping it on a node without the mirror;
# then schemathesis against the API and the multi-host test (network namespaces).
# The control plane's PostgreSQL tests need a server: scripts/start-postgres.sh starts the local one
# and prints its URL, unless CRUCIBLE_TEST_POSTGRES_URL already names one.
CRUCIBLE_TEST_DEBOOTSTRAP ?= 1
# Tests that hold the agent to its clock (progress within 250 ms, retry delays, idle timeouts, a prompt
# stop) run apart, right after the first run: beside the other suites' sandboxes and compilers on two
# cores they would measure the starving, not the agent. (The promise is for a node that is not starved.)
AGENT_TIMING_TESTS = EventBatchingTests|EventStreamTests|ControlPlaneClientTests|progressReachesTheControlPlaneWithinTheWindow|cancellingTheAgentAbandonsItsJobsWithoutAResult
test: deps
	$(SWIFT) build --build-tests
	set -e; \
	if [ -z "$${CRUCIBLE_TEST_POSTGRES_URL:-}" ]; then \
		url="$$(bash scripts/start-postgres.sh)"; \
		export CRUCIBLE_TEST_POSTGRES_URL="$$url"; \
	fi; \
	$(SWIFT) test --skip-build --skip LeakTests --skip SampleBankTests --skip DebootstrapImageTests \
		--skip '$(AGENT_TIMING_TESTS)'; \
	$(SWIFT) test --skip-build --filter '$(AGENT_TIMING_TESTS)'; \
	$(SWIFT) test --skip-build --filter SampleBankTests; \
	$(SWIFT) test --skip-build --filter LeakTests
	if [ "$(CRUCIBLE_TEST_DEBOOTSTRAP)" = 1 ]; then \
	  CRUCIBLE_TEST_DEBOOTSTRAP=1 $(SWIFT) test --skip-build --filter DebootstrapImageTests; fi
	bash scripts/schemathesis.sh .build/debug/crucible
	bash scripts/multihost-test.sh .build/debug/crucible

# Only the test that needs the Debian mirror (the last step of `make test`): a real
# `crucible images build` of images/bookworm-python.yaml, then sandboxes and jobs on it. The image
# stays in /var/tmp/crucible-test-images, so a second run finds it up to date and takes seconds.
test-images: deps
	$(SWIFT) build --build-tests
	CRUCIBLE_TEST_DEBOOTSTRAP=1 $(SWIFT) test --skip-build --filter DebootstrapImageTests

bench: release
	bash bench/sandbox-bench.sh $(CRUCIBLE_RELEASE)
	python3 bench/toolchains_bench.py $(CRUCIBLE_RELEASE) | tee -a bench/RESULTS.md
	$(CRUCIBLE_RELEASE) controlplane-bench --jobs 5000
	$(CRUCIBLE_RELEASE) controlplane-bench --jobs 5000 --database "$$(bash scripts/start-postgres.sh)"
	python3 bench/caches_bench.py $(CRUCIBLE_RELEASE) | tee -a bench/RESULTS.md
	/usr/bin/python3 bench/humaneval_bench.py $(CRUCIBLE_RELEASE) | tee -a bench/RESULTS.md

clean:
	rm -rf .build .build-release
