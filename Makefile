# ADF: Adaptive DevSecOps Fabric.  `make devnet` runs a chain, `make test` checks it.
GO        ?= go
BUILD_DIR ?= build
TAGS      := pebbledb
VERSION   := $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -X github.com/cosmos/cosmos-sdk/version.Name=adf \
             -X github.com/cosmos/cosmos-sdk/version.AppName=adfd \
             -X github.com/cosmos/cosmos-sdk/version.BuildTags=$(TAGS) \
             -X github.com/cosmos/cosmos-sdk/version.Version=$(VERSION) \
             -X main.version=$(VERSION)
UNIT_PKGS  = $(shell $(GO) list ./... | grep -v /tests/e2e)

.PHONY: all build install test test-unit test-e2e bench lint proto-gen proto-check \
        devnet devnet-reset localnet-start localnet-stop localnet-status clean
.PHONY: bench-load

all: build

build:
	$(GO) build -tags $(TAGS) -ldflags '$(LDFLAGS)' -o $(BUILD_DIR)/adfd ./cmd/adfd
	$(GO) build -tags $(TAGS) -ldflags '$(LDFLAGS)' -o $(BUILD_DIR)/adf ./cmd/adf

install:
	$(GO) install -tags $(TAGS) -ldflags '$(LDFLAGS)' ./cmd/adfd ./cmd/adf

# The README's test command: unit, keeper and fuzz-seed tests, then the
# end-to-end suite against real binaries on a 4-validator localnet.
test: test-unit test-e2e

test-unit:
	$(GO) test -tags $(TAGS) -count=1 $(UNIT_PKGS)

test-e2e: build
	ADFD_BIN=$(CURDIR)/$(BUILD_DIR)/adfd ADF_BIN=$(CURDIR)/$(BUILD_DIR)/adf $(GO) test -tags '$(TAGS) e2e' -count=1 -timeout 20m -v ./tests/e2e/...

bench:
	$(GO) test -tags $(TAGS) -run '^$$' -bench . -benchmem $(UNIT_PKGS)

# Direct-anchor throughput on a fresh 4-validator localnet (bar: >= 1,000
# tx/s sustained). Not part of `make test`; stops by itself (60 s of load).
# Knobs: ADF_LOAD_RATE, ADF_LOAD_DURATION, ADF_LOAD_ALGO, ADF_LOAD_REPORT, ...
# (see tests/e2e/load_test.go).
bench-load: build
	ADFD_BIN=$(CURDIR)/$(BUILD_DIR)/adfd ADF_BIN=$(CURDIR)/$(BUILD_DIR)/adf $(GO) test -tags '$(TAGS) e2e load' -count=1 -timeout 15m -run TestLoadDirectAnchors -v ./tests/e2e/

lint:
	$(GO) vet -tags $(TAGS) ./...
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

proto-gen:
	./scripts/protocgen.sh

# Regenerating must not change the committed code.
proto-check: proto-gen
	@git diff --exit-code -- '*.pb.go' '*.pb.gw.go' || { echo "generated protobuf code is stale: run make proto-gen"; exit 1; }

devnet: build
	./scripts/devnet.sh

devnet-reset:
	rm -rf $(BUILD_DIR)/devnet

localnet-start: build
	./scripts/localnet.sh start

localnet-stop:
	./scripts/localnet.sh stop

localnet-status:
	./scripts/localnet.sh status

clean:
	rm -rf $(BUILD_DIR)
