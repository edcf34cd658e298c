# ember-node. `make run` starts a node on 127.0.0.1:6379; `make test` installs
# what the tests need (redis-server, redis-tools, staticcheck) when missing
# and runs every check CI runs.

GO ?= go
GOBIN := $(shell $(GO) env GOPATH)/bin
# Packages whose tests drive real redis-server processes must not skip.
export EMBER_REQUIRE_REDIS ?= 1

.PHONY: run build test deps lint unit fuzz bench clean

run:
	$(GO) run ./cmd/ember-node

build:
	CGO_ENABLED=0 $(GO) build -o bin/ember-node ./cmd/ember-node

deps:
	@bash scripts/deps.sh

lint: deps
	@fmt=$$(gofmt -l .); if [ -n "$$fmt" ]; then echo "gofmt needed:"; echo "$$fmt"; exit 1; fi
	$(GO) vet ./...
	$(GOBIN)/staticcheck ./...

unit: deps
	$(GO) test -race -count=1 -timeout 15m ./...

test: lint unit

# Short fuzzing of every decoder and parser (seconds each; FUZZTIME to change).
FUZZTIME ?= 20s
fuzz:
	@bash scripts/fuzz.sh $(FUZZTIME)

bench:
	$(GO) test -run XXX -bench . -benchmem ./shard/...

clean:
	rm -rf bin
