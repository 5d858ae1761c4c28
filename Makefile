# neo — see README.md.
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X main.version=$(VERSION)
GO      ?= go
BIN     := bin/neo
SOAK_SCALE ?= 1
REF_COMMIT ?= 2669f33
REF_BIN    := bin/neo-ref

.PHONY: build run test bench soak lint cross clean generate screenshots

build: ## build bin/neo, version stamped
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/neo

run: build ## run a paper session on the simulated market
	./$(BIN) run

test: ## the test suite (what CI runs)
	$(GO) test ./...

bench: build ## the speed table, each figure beside its reference (README, "Guarantees, measured"); today's figure from bin/neo-ref
	-@$(MAKE) --no-print-directory $(REF_BIN)
	$(GO) run ./cmd/neoproof bench --bin $(BIN) $$([ -x $(REF_BIN) ] && echo --ref-bin $(REF_BIN))

# The binary of "today's figure" in the replay row: commit
# REF_COMMIT, built once from `git archive` into a temporary directory (no
# worktree, nothing of this checkout touched). Without git or the commit, the
# bench says "reference binary not given".
$(REF_BIN):
	@mkdir -p $(dir $(REF_BIN)); tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	echo "build $(REF_BIN) from $(REF_COMMIT)" && \
	git archive $(REF_COMMIT) | tar -x -C "$$tmp" && \
	(cd "$$tmp" && CGO_ENABLED=0 $(GO) build -trimpath -ldflags '-s -w -X main.version=$(REF_COMMIT)' -o "$(CURDIR)/$(REF_BIN).tmp" ./cmd/neo) && \
	mv "$(REF_BIN).tmp" $(REF_BIN) || \
	{ echo "could not build $(REF_BIN) from $(REF_COMMIT) (it needs git and that commit): the replay row will say \"reference binary not given\""; exit 1; }

soak: build ## the guarantees table: exit paths, kill -9, corruption, environment, fuzzing, a long session (SOAK_SCALE scales it)
	SOAK_SCALE=$(SOAK_SCALE) $(GO) run ./cmd/neoproof soak --bin $(BIN)

lint: ## gofmt and go vet
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

cross: ## linux, darwin and windows builds without cgo
	@for p in linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64; do \
		os=$${p%/*}; arch=$${p#*/}; ext=; [ $$os = windows ] && ext=.exe; \
		echo "build $$os/$$arch"; \
		CGO_ENABLED=0 GOOS=$$os GOARCH=$$arch $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o dist/neo-$$os-$$arch$$ext ./cmd/neo || exit 1; \
	done

screenshots: build ## the README's console screenshots (assets/console-dark.svg, -light.svg) from the real binary in tmux
	./cmd/internal/ansisvg/shots.sh

generate: ## regenerate assets/sample_replay.csv
	$(GO) generate ./assets

clean:
	rm -rf bin dist
