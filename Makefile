# purezmq — make targets. `make test` is what CI runs (see .ci/run).
GO       ?= go
FUZZTIME ?= 60s
BIN      := bin

.PHONY: all build test unit test386 test-arm test-emulated test-pebbe vet fmtcheck lint fuzz fuzz-short bench soak cross demo cpeer clean

all: build

build:
	CGO_ENABLED=0 $(GO) build -o $(BIN)/purezmq ./cmd/purezmq

# The default test run: lint, unit + interop tests under the race detector,
# a short pass of every fuzz target, pebbe/zmq4's own tests against
# compat/zmq4, and the 32-bit run of the storage layers.
test: lint cpeer
	$(GO) test -race -count=1 -timeout 9m ./...
	FUZZTIME=3s ./scripts/fuzz.sh
	$(MAKE) test-pebbe
	$(MAKE) test386
	$(MAKE) test-emulated

unit:
	$(GO) test -count=1 ./...

# 386 runs natively on amd64 kernels built with IA32 emulation: the ring and
# the pipe must hold on 32-bit. Where the kernel cannot execute 386 binaries
# (CI's, for one: "exec format error"), this says so and leaves 32-bit
# coverage to the armv7 run of `make test-arm`.
test386:
	@if [ -d swapfile ] || [ -d queue ]; then \
		probe=$$(mktemp -d); printf 'package main\nfunc main(){}\n' >$$probe/main.go; \
		if (cd $$probe && GOARCH=386 CGO_ENABLED=0 $(GO) build -o p main.go >/dev/null 2>&1 && ./p) 2>/dev/null; then \
			rm -rf $$probe; GOARCH=386 CGO_ENABLED=0 $(GO) test -count=1 $$(ls -d ./swapfile ./queue 2>/dev/null); \
		else rm -rf $$probe; echo "test386: this kernel cannot execute 386 binaries; 32-bit is covered by test-arm (armv7)"; fi; \
	fi

# The suite for linux/arm64, linux/arm (GOARM=7) and big-endian linux/s390x
# under qemu-user, the interop pair against a native libzmq peer included;
# prints packages x architectures (scripts/test-arm.sh, which installs
# qemu-user-static on Debian when it is missing).
test-arm: cpeer
	GO=$(GO) ./scripts/test-arm.sh

# The part of test-arm that make test runs: armv7 (the 32-bit build CI can
# execute) for the storage layers and the interop pair, with -short and the
# emulation scaling (PUREZMQ_EMULATED) keeping it to a couple of minutes.
test-emulated:
	GO=$(GO) TEST_ARM_QUICK=1 TEST_ARM_ARCHES=armv7 TEST_ARM_PKGS="swapfile queue interop" ./scripts/test-arm.sh

# pebbe/zmq4 v1.4.0's own test files run against compat/zmq4 (fetched with
# `go mod download`, never copied into the repository). Prints a PASS/FAIL
# table; under PUREZMQ_INTEROP=required a skip or a fetch failure fails.
# Tests listed with their reason in scripts/pebbe-known-failures.txt are
# reported as KNOWN; any other failure, or a listed test that passes, fails.
test-pebbe:
	GO=$(GO) ./scripts/pebbe-tests.sh

vet:
	$(GO) vet ./...

fmtcheck:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null; git ls-files --others --exclude-standard '*.go' 2>/dev/null)); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

lint: vet fmtcheck

fuzz:
	FUZZTIME=$(FUZZTIME) ./scripts/fuzz.sh

fuzz-short:
	FUZZTIME=3s ./scripts/fuzz.sh

# The libzmq reference peer (C, against Debian's libzmq3-dev). Skipped with a
# message when libzmq is not installed; interop tests then skip or fail per
# PUREZMQ_INTEROP.
cpeer:
	@if pkg-config --exists libzmq 2>/dev/null; then \
		mkdir -p $(BIN) && for f in interop/cpeer/*.c; do [ -e "$$f" ] || continue; \
		cc -O2 -Wall -o $(BIN)/$$(basename $$f .c) $$f $$(pkg-config --cflags --libs libzmq) || exit 1; done; \
	else echo "cpeer: libzmq3-dev not installed, C peer not built"; fi

# make bench BENCH_FLAGS="--baseline 017efd2 --reps 3" passes flags to the script.
bench: build cpeer
	./scripts/bench.sh $(BENCH_FLAGS)

soak:
	$(GO) test -count=1 -run 'Soak' -timeout 60m -tags soak ./...

# Builds every package and type-checks every test (go vet compiles the
# test files too) for each target.
cross:
	for t in linux/amd64 linux/386 linux/arm linux/arm64 linux/s390x darwin/arm64 windows/amd64; do \
		echo "== $$t"; GOOS=$${t%/*} GOARCH=$${t#*/} CGO_ENABLED=0 $(GO) build ./... || exit 1; \
		GOOS=$${t%/*} GOARCH=$${t#*/} CGO_ENABLED=0 $(GO) vet ./... || exit 1; done

demo: build
	$(BIN)/purezmq demo

clean:
	rm -rf $(BIN)
