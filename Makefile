# rosterload: build, test, benchmark. `make test` is what CI runs (.ci/run).
GO       ?= go
BIN      := bin/rosterload
FUZZTIME ?= 10s

.PHONY: all build test vet fmt-check unit fuzz demo bench bench-scale clean

all: build

build:
	$(GO) build -o $(BIN) ./cmd/rosterload

## test: formatting, vet, the unit and end-to-end tests with the race detector, then a short fuzz
## of each reader and validator.
test: fmt-check vet unit fuzz

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

unit:
	$(GO) test -race -count=1 ./...

fuzz:
	$(GO) test -run='^$$' -fuzz='^FuzzReader$$' -fuzztime=$(FUZZTIME) ./ingest/csvread
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

clean:
	rm -rf bin out
