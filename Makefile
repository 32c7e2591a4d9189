# ppmp-connector — the two quick-start commands are `make demo` and `make test`.
SHELL := /bin/bash
SWIFT ?= swift
DEMO_DIR ?= demo
BIN = .build/debug

.PHONY: deps build demo test test-html bench bench-quick soak clean resources dist check-units check-kubernetes check-deploy promtool

deps:
	@scripts/ensure-deps.sh

build: deps
	$(SWIFT) build

# One whole `run` cycle on the embedded demo practice, in $(DEMO_DIR)/. The sample drops
# include deliberate rejections, so `run` exiting 1 ("done, something rejected") is success here.
demo: deps
	$(SWIFT) build
	@mkdir -p $(DEMO_DIR)
	@cd $(DEMO_DIR) && ../$(BIN)/ppmp-connector init --demo
	@cd $(DEMO_DIR) && ../$(BIN)/ppmp-connector run || [ $$? -eq 1 ]
	@echo
	@echo "Demo spool: $(DEMO_DIR)/spool  (config $(DEMO_DIR)/connector.toml, PPMP database $(DEMO_DIR)/ppmp-demo.sqlite)"
	@echo "outbox/:   $$(ls $(DEMO_DIR)/spool/outbox | tr '\n' ' ')"
	@echo "rejected/: $$(ls $(DEMO_DIR)/spool/rejected | tr '\n' ' ')"
	@echo "archive/:  $$(cd $(DEMO_DIR)/spool/archive && ls */* 2>/dev/null | tr '\n' ' ')"
	@echo
	@echo "== ppmp-connector status"
	@cd $(DEMO_DIR) && ../$(BIN)/ppmp-connector status
	@echo
	@echo "== ppmp-connector doctor  (the demo practice is seeded with problems, so doctor exits 1)"
	@cd $(DEMO_DIR) && ../$(BIN)/ppmp-connector doctor || [ $$? -eq 1 ]
	@echo
	@echo "Try: cd $(DEMO_DIR) && ../$(BIN)/ppmp-connector doctor --json   (or: status --json, audit verify, export, run)"

test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

# The HTML reports rendered in headless Chromium (Debian's `chromium`, installed here when
# missing). `make test` never installs a browser: without one, those tests skip and say why.
test-html: deps
	@command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" -eq 0 ]; then SUDO=""; else SUDO=sudo; fi; \
	  echo "test-html: installing chromium" >&2; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null; }
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --filter 'ReportChromiumTests|ReportCLITests|HTMLWriterTests'

# Benchmarks (docs/benchmarks.md) measure the build the package ships (`make dist` below):
# release, with the Swift runtime linked in. Kept apart from the debug .build so neither
# invalidates the other. Workloads are cached in bench-out/cache/.
RELEASE_SCRATCH = .build-release
RELEASE_BUILD = $(SWIFT) build -c release --static-swift-stdlib --scratch-path $(RELEASE_SCRATCH)

bench: deps
	$(RELEASE_BUILD)
	python3 scripts/bench.py --bin $(RELEASE_SCRATCH)/release

# The same paths at small sizes, three runs each: under a minute once the release build exists.
bench-quick: deps
	$(RELEASE_BUILD)
	python3 scripts/bench.py --quick --bin $(RELEASE_SCRATCH)/release

# Long fault runs (docs/reliability.md): thousands of SIGKILLed `run`s and 10,000 drop-reader
# mutations. PPMP_SOAK_KILLS=N sets the runs per seed (default 2000, two seeds).
soak: deps
	$(SWIFT) build --build-tests
	PPMP_SOAK=1 $(SWIFT) test --skip-build --filter 'RunCrashTests|IngestCrashTests|DropReaderFuzzTests'

# The XSDs and SQL under Sources/ConnectorCore/Resources/ are compiled into the program; run this
# after changing one (EmbeddedResourcesTests fails until you do).
resources:
	python3 scripts/embed-resources.py

# Release binary with the Swift runtime linked in (runs on Debian without a toolchain or any
# resource folder), its man page (from the CLI's help), and the .deb. The same build `make bench`
# measures, in the same scratch folder, so the binary shipped is the binary benchmarked.
dist: deps
	python3 scripts/embed-resources.py --check
	$(RELEASE_BUILD) --product ppmp-connector
	@mkdir -p dist
	objcopy --strip-debug $(RELEASE_SCRATCH)/release/ppmp-connector dist/ppmp-connector   # symbols stay for backtraces
	scripts/generate-man.sh
	scripts/build-deb.sh
	scripts/check-dist.sh
	@ls -l dist/ppmp-connector dist/*.deb

# Deployment files: systemd units (systemd-analyze verify, no output allowed) and Kubernetes
# manifests (kubernetes-validate --strict, installed from PyPI when missing).
check-units:
	@command -v systemd-analyze >/dev/null || scripts/ensure-deps.sh systemd
	MAN_DIR=$$( [ -f dist/man/man1/ppmp-connector.1 ] && echo $(CURDIR)/dist/man ) scripts/check-units.sh

check-kubernetes:
	scripts/check-kubernetes.sh

check-deploy: check-units check-kubernetes

# promtool (Debian package prometheus, ~100 MB) for the metrics test; without it the test skips.
promtool:
	@command -v promtool >/dev/null || scripts/ensure-deps.sh prometheus

clean:
	rm -rf .build $(DEMO_DIR) dist
