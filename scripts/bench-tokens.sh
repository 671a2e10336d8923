#!/usr/bin/env bash
# Token and introspection throughput of one all-in-one `gatehouse serve` (SQLite, in-process
# cache), wrk -t1 -c16 -d8s after a warm-up pass, as issue 15 measured them. Usage:
# scripts/bench-tokens.sh target/release/gatehouse. To be folded into `make bench` (issue 15).
set -euo pipefail
bin="$1"
work="$(mktemp -d /tmp/tokbench.XXXXXX)"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
secret="bench-admin-secret-$(date +%s%N)"
export GATEHOUSE_DATA_DIR="$work" GATEHOUSE_PUBLIC_URL="$base" GATEHOUSE_ADMIN_CLIENT_SECRET="$secret"
export GATEHOUSE_LISTEN="127.0.0.1:$port" GATEHOUSE_OPS__LISTEN="127.0.0.1:0" GATEHOUSE_LOG__FILTER=error
export GATEHOUSE_GATEWAY__RATE_LIMITS__TENANT_PER_MINUTE=1000000000
export GATEHOUSE_GATEWAY__RATE_LIMITS__CLIENT_PER_MINUTE=1000000000
export GATEHOUSE_GATEWAY__RATE_LIMITS__TOKEN_ENDPOINT_PER_MINUTE=1000000000
export GATEHOUSE_GATEWAY__RATE_LIMITS__OAUTH_PER_MINUTE=1000000000
"$bin" serve >"$work/log" 2>&1 & pid=$!
trap 'kill $pid; wait 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 100); do curl -fs "$base/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
json() { python3 -c "import sys, json; print(json.load(sys.stdin)$1)"; }
admin=$(curl -fs -u "admin:$secret" -d grant_type=client_credentials "$base/t/system/oauth2/token" | json '["access_token"]')
curl -fs -o /dev/null -H "Authorization: Bearer $admin" -H 'Content-Type: application/json' \
  -d '{"slug":"bench","display_name":"Bench","signing_alg":"ES256"}' "$base/admin/v1/tenants"
client=$(curl -fs -H "Authorization: Bearer $admin" -H 'Content-Type: application/json' \
  -d '{"client_name":"bench","scope":"products:read products:write"}' "$base/t/bench/admin/v1/clients")
id=$(echo "$client" | json '["client_id"]'); sec=$(echo "$client" | json '["client_secret"]')
token=$(curl -fs -u "$id:$sec" -d grant_type=client_credentials "$base/t/bench/oauth2/token" | json '["access_token"]')
basic=$(printf '%s:%s' "$id" "$sec" | base64 -w0)
cat >"$work/token.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Authorization"] = "Basic $basic"
wrk.body = "grant_type=client_credentials"
LUA
cat >"$work/introspect.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Authorization"] = "Basic $basic"
wrk.body = "token=$token"
LUA
run() {
  wrk -t1 -c16 -d3s -s "$work/$1.lua" "$base$2" >/dev/null
  out=$(wrk -t1 -c16 -d8s --latency -s "$work/$1.lua" "$base$2")
  if echo "$out" | grep -q Non-2xx; then echo "$out" >&2; exit 1; fi
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p50=$(echo "$out" | awk '$1=="50%" {print $2}'); p99=$(echo "$out" | awk '$1=="99%" {print $2}')
  echo "$1 $rps/s p50 $p50 p99 $p99"
}
run token /t/bench/oauth2/token
run introspect /t/bench/oauth2/introspect
