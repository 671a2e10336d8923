# The two commands of the README: `make run` and `make test`.
CARGO ?= cargo

.PHONY: run test test-deps fmt-check clippy check-deploy test-sqlite test-postgres test-mariadb openapi sdk bench soak

## Build and start the whole platform on 127.0.0.1:8080, SQLite under ./data.
run:
	$(CARGO) run -p gatehouse -- serve

## fmt, clippy, the deployment files, then the test suite on SQLite, PostgreSQL and MariaDB,
## after installing the servers and browser it needs when they are missing.
test: test-deps fmt-check clippy check-deploy test-sqlite test-postgres test-mariadb

## PostgreSQL, MariaDB, redis-server, Chromium, chromedriver, Python's venv, systemd-analyze:
## installed with apt-get on Debian/Ubuntu when missing, else named.
test-deps:
	scripts/install-test-deps.sh

fmt-check:
	$(CARGO) fmt --all --check

clippy:
	$(CARGO) clippy --workspace --all-targets -- -D warnings

## deploy/ against its formats' own checkers (yamllint, the compose schema, kubernetes-validate,
## systemd-analyze), in a venv of their own; see deploy/README.md.
check-deploy:
	scripts/check-deploy.sh

# The suite also starts the `gatehouse` binary itself (a resource service it kills).
test-sqlite:
	$(CARGO) build -p gatehouse
	scripts/with-test-services.sh env -u GATEHOUSE_TEST_DATABASE_URL $(CARGO) test --workspace

## A private PostgreSQL (and redis-server) on free loopback ports, or the servers named by
## GATEHOUSE_TEST_DATABASE_URL / GATEHOUSE_TEST_REDIS_URL.
test-postgres:
	$(CARGO) build -p gatehouse
	scripts/with-test-services.sh $(CARGO) test --workspace --test api

## The same on a private MariaDB (and redis-server), or the MySQL/MariaDB server named by
## GATEHOUSE_TEST_DATABASE_URL (mysql://…).
test-mariadb:
	$(CARGO) build -p gatehouse
	scripts/with-test-services.sh --mariadb $(CARGO) test --workspace --test api

## Regenerate the committed OpenAPI documents.
openapi:
	$(CARGO) run -q -p gatehouse -- openapi --out openapi

## Regenerate the committed SDKs from openapi/.
sdk:
	scripts/sdk.sh

## Gatehouse beside its peers (bench/peers/: node-oidc-provider, Flask, nginx proxy_cache) in one
## run with wrk: req/s, p50, p99 and ratios (installs what it needs when missing).
bench:
	scripts/bench.sh

## The split deployment (two gateways, two auth, two resources; PostgreSQL, a six-node Redis
## Cluster) under a mixed load for SOAK_SECONDS (180): req/s, p50, p99, errors and memory per
## process, in target/soak/results.md. Not part of `test`. SOAK_REDIS=single: one redis-server.
soak:
	scripts/soak.sh
