# rosterload: build, test, benchmark. `make test` is what CI runs (.ci/run).
GO       ?= go
BIN      := bin/rosterload
# Fuzz budgets are counts of executions, not durations: a duration's deadline races the fuzz
# workers in Go's coordinator and fails a busy machine's run with a bare "context deadline
# exceeded" and no failing input (golang/go#75804). FUZZTIME=30s (or 1000000x) overrides them all.
FUZZTIME ?=
# MinIO for the S3 tests: built once with `go install` into a cache outside the repository, at
# a pinned version: the last commit of github.com/minio/minio (its release tags, such as
# RELEASE.2025-10-15T17-29-55Z, are not semantic versions and the module proxy does not serve
# them). A binary already there is kept when `go version -m` says it is this version.
MINIO_DIR     ?= $(HOME)/.cache/rosterload/bin
MINIO         := $(MINIO_DIR)/minio
MINIO_VERSION ?= v0.0.0-20260212201848-7aac2a2c5b7c

.PHONY: all build test vet fmt-check unit fuzz demo bench bench-scale bench-dryrun bench-s3 minio clean

all: build

build:
	$(GO) build -o $(BIN) ./cmd/rosterload

## test: formatting, vet, the unit and end-to-end tests with the race detector (the S3 tests
## against a MinIO each package starts on a free loopback port), then a short fuzz of the CSV
## reader, the masking policy and the validator.
test: fmt-check vet minio unit fuzz

## minio: the MinIO server binary of the S3 tests, at MINIO_VERSION (built once: 3-15 minutes).
minio:
	@if $(GO) version -m "$(MINIO)" 2>/dev/null | grep -Eq '^[[:space:]]+mod[[:space:]]+github\.com/minio/minio[[:space:]]+$(MINIO_VERSION)([[:space:]]|$$)'; then \
		echo "MinIO $(MINIO_VERSION): $(MINIO)"; \
	else \
		mkdir -p "$(MINIO_DIR)" && \
		echo "building MinIO $(MINIO_VERSION) into $(MINIO_DIR) for the S3 tests: once, and it takes 3-15 minutes" && \
		GOBIN="$(MINIO_DIR)" $(GO) install github.com/minio/minio@$(MINIO_VERSION); \
	fi

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

unit: minio
	ROSTERLOAD_MINIO=$(MINIO) $(GO) test -race -count=1 -timeout 30m ./...

fuzz:
	$(GO) test -run='^$$' -fuzz='^FuzzReader$$' -fuzztime=$(or $(FUZZTIME),60000x) ./ingest/csvread
	$(GO) test -run='^$$' -fuzz='^FuzzFramer$$' -fuzztime=$(or $(FUZZTIME),300000x) ./ingest/csvread
	$(GO) test -run='^$$' -fuzz='^FuzzText$$' -fuzztime=$(or $(FUZZTIME),100000x) ./redact
	$(GO) test -run='^$$' -fuzz='^FuzzEWA$$' -fuzztime=$(or $(FUZZTIME),40000x) ./validate
	$(GO) test -run='^$$' -fuzz='^FuzzPhoneFast$$' -fuzztime=$(or $(FUZZTIME),150000x) ./validate
	$(GO) test -run='^$$' -fuzz='^FuzzNormalForm$$' -fuzztime=$(or $(FUZZTIME),30000x) ./pipeline

## demo: the README's first command (the sample roster, submitted to the in-process emulator).
demo:
	$(GO) run ./cmd/rosterload run --sandbox --mapping testdata/sample/mapping.yaml testdata/sample/employees.csv

## bench: micro-benchmarks of the hot paths.
bench:
	$(GO) test -run='^$$' -bench=. -benchmem ./ingest/... ./validate/ ./pipeline/

## bench-scale: whole runs on generated rosters, timed with /usr/bin/time -v (1M-row CSV, 100k-row XLSX).
bench-scale: build
	./scripts/bench-scale.sh

## bench-dryrun: issue 12's yardstick: validate against the plainest read of the same file (1M CSV
## rows against encoding/csv, 200k XLSX rows against excelize), interleaved, and peak RSS at 1M and
## 10M rows (the 10M CSV is ~1.7 GB under out/).
bench-dryrun:
	./scripts/bench-dryrun.sh

## bench-s3: a 1M-row CSV validated from disk and from S3 (MinIO): wall time and peak RSS.
bench-s3: build minio
	ROSTERLOAD_MINIO=$(MINIO) ./scripts/bench-s3.sh

clean:
	rm -rf bin out
