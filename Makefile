# ppmp-connector — the two quick-start commands are `make demo` and `make test`.
SWIFT ?= swift
DEMO_DIR ?= demo
BIN = .build/debug

.PHONY: deps build demo test bench bench-quick soak clean

deps:
	@scripts/ensure-deps.sh

build: deps
	$(SWIFT) build

test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

clean:
	rm -rf .build $(DEMO_DIR)
