# rosterload: build, test, benchmark. `make test` is what CI runs (.ci/run).
GO       ?= go
BIN      := bin/rosterload
FUZZTIME ?= 10s
# MinIO for the S3 tests: built once with `go install` into a cache outside the repository.
MINIO_DIR     ?= $(HOME)/.cache/rosterload/bin
MINIO         := $(MINIO_DIR)/minio
MINIO_VERSION ?= latest

.PHONY: all build test vet fmt-check unit fuzz demo bench bench-scale bench-s3 minio clean

all: build

build:
	$(GO) build -o $(BIN) ./cmd/rosterload

## test: formatting, vet, the unit and end-to-end tests with the race detector (the S3 tests
## against a MinIO each package starts on a free loopback port), then a short fuzz of the CSV
## reader, the masking policy and the validator.
test: fmt-check vet minio unit fuzz

## minio: the MinIO server binary of the S3 tests (the first build takes a few minutes).
minio: $(MINIO)

$(MINIO):
	@mkdir -p $(MINIO_DIR)
	@echo "building MinIO into $(MINIO_DIR) (once)"
	GOBIN=$(MINIO_DIR) $(GO) install github.com/minio/minio@$(MINIO_VERSION)

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

unit: $(MINIO)
	ROSTERLOAD_MINIO=$(MINIO) $(GO) test -race -count=1 ./...

fuzz:
	$(GO) test -run='^$$' -fuzz='^FuzzReader$$' -fuzztime=$(FUZZTIME) ./ingest/csvread
	$(GO) test -run='^$$' -fuzz='^FuzzFramer$$' -fuzztime=$(FUZZTIME) ./ingest/csvread
	$(GO) test -run='^$$' -fuzz='^FuzzText$$' -fuzztime=$(FUZZTIME) ./redact
	$(GO) test -run='^$$' -fuzz='^FuzzEWA$$' -fuzztime=$(FUZZTIME) ./validate

## demo: the README's first command (the sample roster, submitted to the in-process emulator).
demo:
	$(GO) run ./cmd/rosterload run --sandbox --mapping testdata/sample/mapping.yaml testdata/sample/employees.csv

## bench: micro-benchmarks of the hot paths.
bench:
	$(GO) test -run='^$$' -bench=. -benchmem ./ingest/... ./validate/ ./pipeline/

## bench-scale: whole runs on generated rosters, timed with /usr/bin/time -v (1M-row CSV, 100k-row XLSX).
bench-scale: build
	./scripts/bench-scale.sh

## bench-s3: a 1M-row CSV validated from disk and from S3 (MinIO): wall time and peak RSS.
bench-s3: build $(MINIO)
	ROSTERLOAD_MINIO=$(MINIO) ./scripts/bench-s3.sh

clean:
	rm -rf bin out
