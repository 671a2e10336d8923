#!/usr/bin/env bash
# `make bench`: Gatehouse and the peers in bench/peers/ (node-oidc-provider, the Flask stack,
# nginx proxy_cache) measured side by side in one run with wrk, as one table of req/s, p50, p99
# and ratios; scripts/bench/bench.py does the work and says what each case is.
#
# Installs what is missing: wrk, nginx, nodejs, npm, python3-venv, python3-cryptography (DPoP
# proofs), postgresql and redis-server
# with apt-get (Debian/Ubuntu); node-oidc-provider's node_modules and the Flask stack's venv
# under target/bench/ (bench.py). The binary is $BENCH_BINARY, else a release build made here.
# PostgreSQL and redis-server are private servers on free loopback ports
# (scripts/with-test-services.sh), or those named by GATEHOUSE_TEST_DATABASE_URL and
# GATEHOUSE_TEST_REDIS_URL.
#
# Knobs: BENCH_QUICK=1 (a quick pass: 200 tenants, 2 s runs), BENCH_DURATION (8s),
# BENCH_WARMUP (3s), BENCH_CONNECTIONS (16), BENCH_THREADS (1), BENCH_TENANTS (10000),
# BENCH_TENANT_PRODUCTS (5), BENCH_LISTS=1 (list latency on BENCH_PRODUCTS, 100000, products).
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v wrk >/dev/null || missing+=(wrk)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx)
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)
python3 -c 'import ensurepip, venv' 2>/dev/null || missing+=(python3-venv)
python3 -c 'import cryptography' 2>/dev/null || missing+=(python3-cryptography)
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || missing+=(postgresql)
command -v redis-server >/dev/null || missing+=(redis-server)
if [ ${#missing[@]} -gt 0 ]; then
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
    echo "make bench: installing ${missing[*]} (apt-get)" >&2
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -q >/dev/null
    $sudo apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ -n "${BENCH_BINARY:-}" ]; then
    binary="$BENCH_BINARY"
else
    echo "make bench: cargo build --release -p gatehouse" >&2
    cargo build --release -q -p gatehouse
    binary="$PWD/target/release/gatehouse"
fi

exec scripts/with-test-services.sh python3 scripts/bench/bench.py "$binary"
