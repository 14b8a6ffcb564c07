# ec2lab — an EC2-style cloud for lab clusters on libvirt/KVM.
# `make up` brings up an all-in-one region on this host; `make test` runs every test.

GO        ?= go
BIN       := bin
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -X github.com/ec2lab/ec2lab/pkg/version.Version=$(VERSION)
DATA_DIR  ?= ./var
BENCH     ?= all
# FUZZTIME: how long `make test` (and `make fuzz`) runs each fuzz target.
FUZZTIME  ?= 5s
# staticcheck 2026.2.2 (module version v0.8.2), fetched through the Go proxy by `go run`.
STATICCHECK_VERSION ?= v0.8.2
export CGO_ENABLED ?= 0

.PHONY: all build generate verify-generate test unit-test race fuzz bench lint image image-debian up clean host-deps test-clients

all: build

build:
	@mkdir -p $(BIN)
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN)/ ./cmd/...

generate:
	bash scripts/generate.sh

# verify-generate fails when the generated code in proto/ is stale: it
# regenerates into a temporary directory and compares (proto/ is not touched).
verify-generate:
	@tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	  bash scripts/generate.sh "$$tmp" || exit 1; \
	  diff -r -x '*.proto' proto "$$tmp" || { echo "proto/ is stale: run make generate"; exit 1; }

host-deps:
	bash scripts/install-host-deps.sh

image:
	bash scripts/build-test-image.sh

# image-debian: the Debian 12 cloud image (images/debian/disk.qcow2) for
# TestDebianGuest and for users (README: Real distributions).
image-debian:
	bash scripts/build-debian-image.sh

# test-clients: the Debian packages of the clients e2e tests drive (Ansible,
# chromium for the management console).
test-clients:
	bash scripts/install-test-clients.sh

# test: host set-up, test images, then unit + integration + e2e tests (real libvirt),
# then every fuzz target for FUZZTIME (make fuzz).
# image-debian is a no-op while images/debian is up to date; cold, it
# bootstraps Debian (README: Real distributions).
test: host-deps test-clients image image-debian
	$(GO) vet ./...
	@rm -f .e2e-timings.txt
	EC2LAB_E2E_TIMINGS=$(CURDIR)/.e2e-timings.txt $(GO) test -count=1 -timeout 50m -p 1 ./...; \
	  rc=$$?; cat .e2e-timings.txt 2>/dev/null; exit $$rc
	FUZZTIME=$(FUZZTIME) GO=$(GO) bash scripts/fuzz.sh

# fuzz runs each fuzz target (the parsers of untrusted bytes) for FUZZTIME,
# one at a time, printing each one's time. Plain `go test` runs only their
# seed corpora (f.Add and testdata/fuzz/).
fuzz:
	FUZZTIME=$(FUZZTIME) GO=$(GO) bash scripts/fuzz.sh

# unit-test runs the tests that need nothing of the host (quick local loops,
# under a minute once built): -short skips every test that needs libvirtd,
# QEMU or qemu-img, root network namespaces (ip, nft, dnsmasq), genisoimage,
# hugetlbfs, the tiny image, a booted guest or the Python/AWS CLI reference
# clients (hvtest.SkipIfShort), so all of test/e2e; test/arch (import
# direction) runs. It prints its wall time.
unit-test:
	@start=$$(date +%s); $(GO) test -count=1 -short ./...; \
	  rc=$$?; echo "unit-test: $$(( $$(date +%s) - start ))s wall"; exit $$rc

# race runs the unit tests (-short, as unit-test) under the race detector,
# which needs cgo (gcc): the one target built with CGO_ENABLED=1.
race:
	@start=$$(date +%s); CGO_ENABLED=1 $(GO) test -race -count=1 -short ./...; \
	  rc=$$?; echo "race: $$(( $$(date +%s) - start ))s wall"; exit $$rc

bench: host-deps image build
	bash scripts/bench.sh $(BENCH)

# lint: gofmt, go vet, go.mod/go.sum tidy, staticcheck (staticcheck.conf;
# proto/ is generated, so left out) and verify-generate (needs protoc: host-deps).
lint: verify-generate
	@test -z "$$(gofmt -l cmd pkg test proto)" || (gofmt -l cmd pkg test proto; echo "gofmt needed"; exit 1)
	$(GO) vet ./...
	$(GO) mod tidy -diff
	$(GO) run honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION) $$($(GO) list ./... | grep -v /proto/)

up: host-deps image build
	$(BIN)/ec2d --all-in-one --data-dir $(DATA_DIR) --register-image tiny=images/tiny

clean:
	rm -rf $(BIN)
	@echo "images/ and var/ are kept; remove them by hand to start afresh"
