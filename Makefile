# The two commands: `make run` and `make test` (see README.md).
SHELL := /bin/bash
CARGO ?= cargo
export CARGO_TERM_COLOR ?= never

.PHONY: run test build check lint fmt services stop-services clean autobahn

## Install what is missing, build, and start the node on embedded defaults (port 4000).
run:
	deploy/bootstrap.sh build-deps
	$(CARGO) build --release --locked -p armoricore
	./target/release/armoricore node

build:
	deploy/bootstrap.sh build-deps
	$(CARGO) build --release --locked -p armoricore

## Install and start the real services the tests need, then run every test.
test:
	deploy/bootstrap.sh test-deps
	deploy/bootstrap.sh services
	$(MAKE) --no-print-directory lint
	source .services/env && $(CARGO) nextest run --workspace --locked --no-fail-fast
	CARGO=$(CARGO) loadtest/autobahn/run.sh

## RFC 6455 conformance alone (Autobahn|TestSuite against /ws/echo; skipped without Python 2.7).
autobahn:
	CARGO=$(CARGO) loadtest/autobahn/run.sh

## Formatting and clippy, warnings as errors.
lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets --locked -- -D warnings

fmt:
	$(CARGO) fmt --all

services:
	deploy/bootstrap.sh services

stop-services:
	deploy/bootstrap.sh stop-services

clean:
	$(CARGO) clean
