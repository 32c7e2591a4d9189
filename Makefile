# ppmp-connector — the two quick-start commands are `make demo` and `make test`.
SHELL := /bin/bash
SWIFT ?= swift
DEMO_DIR ?= demo
BIN = .build/debug

.PHONY: deps build demo test bench bench-quick soak clean

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
	@echo "Try: cd $(DEMO_DIR) && ../$(BIN)/ppmp-connector status   (or: audit verify, export, run)"

test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

# Long fault runs (docs/reliability.md): thousands of SIGKILLed `run`s and 10,000 drop-reader
# mutations. PPMP_SOAK_KILLS=N sets the runs per seed (default 1000, two seeds).
soak: deps
	$(SWIFT) build --build-tests
	PPMP_SOAK=1 $(SWIFT) test --skip-build --filter 'RunCrashTests|DropReaderFuzzTests'

clean:
	rm -rf .build $(DEMO_DIR)
