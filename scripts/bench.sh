#!/usr/bin/env bash
# `make bench`: requests per second and p50/p99 latency, in one run on this machine, of
#   1. a cached GET through the gateway,
#   2. an uncached GET through the gateway (Cache-Control: no-cache),
#   3. the same GET on the resource service directly (identity headers set by hand),
#   4. the token endpoint (client_credentials),
# with the gateway's overhead as ratios against the direct GET; then, on a catalogue of
# BENCH_PRODUCTS (100 000) products, list latency on the resource service at page 1, at the
# last page (offset), and by cursor at page 2 and at the last page, as ratios against page 1. The platform runs split
# (gateway, auth, resources as three release processes on SQLite), as it is deployed.
# Load comes from wrk (Debian's package), installed here if missing.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION="${BENCH_DURATION:-10s}"
# The tenant's signing algorithm: ES256 (the default) or RS256.
CONNECTIONS="${BENCH_CONNECTIONS:-32}"

if ! command -v wrk >/dev/null; then
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y wrk >/dev/null
fi
cargo build --release -q -p gatehouse
bin="$PWD/target/release/gatehouse"

work="$(mktemp -d /tmp/gatehouse-bench.XXXXXX)"
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
gw_port="$(free_port)"; auth_port="$(free_port)"; res_port="$(free_port)"
base="http://127.0.0.1:$gw_port"
secret="bench-admin-secret-$(date +%s%N)"

export GATEHOUSE_DATA_DIR="$work"
export GATEHOUSE_PUBLIC_URL="$base"
export GATEHOUSE_ADMIN_CLIENT_SECRET="$secret"
export GATEHOUSE_LISTEN="127.0.0.1:$gw_port"
export GATEHOUSE_AUTH__LISTEN="127.0.0.1:$auth_port"
export GATEHOUSE_RESOURCES__LISTEN="127.0.0.1:$res_port"
export GATEHOUSE_GATEWAY__AUTH_URL="http://127.0.0.1:$auth_port"
export GATEHOUSE_GATEWAY__RESOURCES_URL="http://127.0.0.1:$res_port"
export GATEHOUSE_LOG__FILTER=error
# The benchmark measures the platform, not its rate limits.
export GATEHOUSE_GATEWAY__RATE_LIMITS__TENANT_PER_MINUTE=1000000000
export GATEHOUSE_GATEWAY__RATE_LIMITS__CLIENT_PER_MINUTE=1000000000
export GATEHOUSE_GATEWAY__RATE_LIMITS__TOKEN_ENDPOINT_PER_MINUTE=1000000000
export GATEHOUSE_RESOURCES__CACHE_MAX_AGE_SECONDS=3600

"$bin" serve auth >"$work/auth.log" 2>&1 & pids+=($!)
"$bin" serve resources >"$work/resources.log" 2>&1 & pids+=($!)
"$bin" serve gateway >"$work/gateway.log" 2>&1 & pids+=($!)
for _ in $(seq 100); do
    curl -fs "$base/readyz" >/dev/null 2>&1 && break
    sleep 0.1
done

json() { python3 -c "import sys, json; print(json.load(sys.stdin)$1)"; }
admin=$(curl -fs -u "admin:$secret" -d grant_type=client_credentials "$base/t/system/oauth2/token" | json '["access_token"]')
tenant_id=$(curl -fs -H "Authorization: Bearer $admin" -H 'Content-Type: application/json' \
    -d "{\"slug\":\"bench\",\"display_name\":\"Bench\",\"signing_alg\":\"${BENCH_SIGNING_ALG:-ES256}\"}" \
    "$base/admin/v1/tenants" | json '["id"]')
client=$(curl -fs -H "Authorization: Bearer $admin" -H 'Content-Type: application/json' \
    -d '{"client_name":"bench","scope":"products:read products:write"}' "$base/t/bench/admin/v1/clients")
client_id=$(echo "$client" | json '["client_id"]')
client_secret=$(echo "$client" | json '["client_secret"]')
token=$(curl -fs -u "$client_id:$client_secret" -d grant_type=client_credentials "$base/t/bench/oauth2/token" | json '["access_token"]')
location=$(curl -fs -D - -o /dev/null -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    -d '{"name":"Widget","sku":"WIDGET","price":{"amount":1999,"currency":"EUR"}}' "$base/t/bench/api/v1/products" \
    | tr -d '\r' | awk 'tolower($1)=="location:" {print $2}')

cat >"$work/token.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Authorization"] = "Basic $(printf '%s:%s' "$client_id" "$client_secret" | base64 -w0)"
wrk.body = "grant_type=client_credentials"
LUA

# One wrk run: prints "rps p50_ms p99_ms".
measure() {
    local out
    out=$(wrk -t"${THREADS:-2}" -c"$CONNECTIONS" -d"$DURATION" --latency "$@")
    if echo "$out" | grep -q "Non-2xx"; then
        echo "wrk saw errors:" >&2; echo "$out" >&2; exit 1
    fi
    python3 - "$out" <<'PY'
import re, sys
out = sys.argv[1]
def ms(v):
    n, unit = re.match(r"([\d.]+)(\w+)", v).groups()
    return float(n) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
# The distribution's own lines: "     50%    1.23ms" (not a "+/- Stdev" column such as 89.50%).
p50 = ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))
p99 = ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))
print(f"{rps:.0f} {p50:.2f} {p99:.2f}")
PY
}

curl -fs -H "Authorization: Bearer $token" "$base$location" >/dev/null   # warm the cache
auth=(-H "Authorization: Bearer $token")
identity=(-H "x-gatehouse-tenant: bench" -H "x-gatehouse-tenant-id: $tenant_id"
    -H "x-gatehouse-token-tenant: bench" -H "x-gatehouse-subject: $client_id"
    -H "x-gatehouse-client-id: $client_id" -H "x-gatehouse-scope: products:read"
    -H "Authorization: Bearer $token")

read -r c_rps c_p50 c_p99 <<<"$(measure "${auth[@]}" "$base$location")"
read -r u_rps u_p50 u_p99 <<<"$(measure "${auth[@]}" -H "Cache-Control: no-cache" "$base$location")"
read -r d_rps d_p50 d_p99 <<<"$(measure "${identity[@]}" "http://127.0.0.1:$res_port$location")"
read -r t_rps t_p50 t_p99 <<<"$(measure -s "$work/token.lua" "$base/t/bench/oauth2/token")"

# The catalogue for the list benchmark: BENCH_PRODUCTS products, posted to the resource service
# directly by four keep-alive connections.
products="${BENCH_PRODUCTS:-100000}"
python3 - "$res_port" "$products" "$tenant_id" "$client_id" "$token" <<'PY'
import http.client, json, sys, threading
port, total, tenant_id, client_id, token = int(sys.argv[1]), int(sys.argv[2]), *sys.argv[3:]
headers = {"x-gatehouse-tenant": "bench", "x-gatehouse-tenant-id": tenant_id,
           "x-gatehouse-token-tenant": "bench", "x-gatehouse-subject": client_id,
           "x-gatehouse-client-id": client_id, "x-gatehouse-scope": "products:write",
           "Authorization": f"Bearer {token}", "Content-Type": "application/json"}
def seed(worker, count):
    conn = http.client.HTTPConnection("127.0.0.1", port)
    for n in range(count):
        body = json.dumps({"name": f"Item {worker}-{n}", "sku": f"S{worker}-{n}", "stock": n % 50,
                           "price": {"amount": (n * 7919) % 100000, "currency": "EUR"}})
        conn.request("POST", "/t/bench/api/v1/products", body, headers)
        response = conn.getresponse()
        answer = response.read()
        if response.status != 201:
            sys.exit(f"seeding failed: {response.status} {answer[:200]}")
workers = [threading.Thread(target=seed, args=(w, total // 4 + (w < total % 4))) for w in range(4)]
for w in workers: w.start()
for w in workers: w.join()
PY
direct="http://127.0.0.1:$res_port/t/bench/api/v1/products"
count=$(curl -fs "${identity[@]}" "$direct?per_page=1" | json '["total"]')
per_page=20
deep_page=$(( count / per_page ))
deep_cursor=$(curl -fs "${identity[@]}" "$direct?per_page=$per_page&page=$((deep_page - 1))" | json '["next_cursor"]')
first_cursor=$(curl -fs "${identity[@]}" "$direct?per_page=$per_page&page=1" | json '["next_cursor"]')
# One request at a time: the latency of a list itself, without queueing behind others.
LIST_CONNECTIONS="${BENCH_LIST_CONNECTIONS:-1}"
measure_list() { THREADS=1 CONNECTIONS="$LIST_CONNECTIONS" measure "${identity[@]}" "$1"; }
read -r l1_rps l1_p50 l1_p99 <<<"$(measure_list "$direct?per_page=$per_page")"
read -r ld_rps ld_p50 ld_p99 <<<"$(measure_list "$direct?per_page=$per_page&page=$deep_page")"
read -r lc_rps lc_p50 lc_p99 <<<"$(measure_list "$direct?per_page=$per_page&cursor=$deep_cursor")"
read -r ls_rps ls_p50 ls_p99 <<<"$(measure_list "$direct?per_page=$per_page&cursor=$first_cursor")"

python3 - "$c_rps $c_p50 $c_p99" "$u_rps $u_p50 $u_p99" "$d_rps $d_p50 $d_p99" "$t_rps $t_p50 $t_p99" "$DURATION" "$CONNECTIONS" "$(nproc)" "${BENCH_SIGNING_ALG:-ES256}" \
    "$l1_rps $l1_p50 $l1_p99" "$ld_rps $ld_p50 $ld_p99" "$lc_rps $lc_p50 $lc_p99" "$count" "$deep_page" "$LIST_CONNECTIONS" \
    "$ls_rps $ls_p50 $ls_p99" <<'PY'
import sys
rows = [("cached GET via gateway", sys.argv[1]), ("uncached GET via gateway", sys.argv[2]),
        ("GET on resource service directly", sys.argv[3]), ("token endpoint (client_credentials)", sys.argv[4])]
vals = {name: tuple(map(float, v.split())) for name, v in rows}
direct = vals["GET on resource service directly"]
print(f"\nwrk -t2 -c{sys.argv[6]} -d{sys.argv[5]} on {sys.argv[7]} cores (load generator on the same machine), tokens {sys.argv[8]}\n")
print(f"| {'scenario':<36} | {'req/s':>8} | {'p50 ms':>7} | {'p99 ms':>7} | {'req/s vs direct':>15} | {'p50 vs direct':>13} |")
print(f"|{'-'*38}|{'-'*10}|{'-'*9}|{'-'*9}|{'-'*17}|{'-'*15}|")
for name, _ in rows:
    rps, p50, p99 = vals[name]
    print(f"| {name:<36} | {rps:>8.0f} | {p50:>7.2f} | {p99:>7.2f} | {rps/direct[0]:>14.2f}x | {p50/direct[1]:>12.2f}x |")
lists = [("page 1 (page=1, with total)", sys.argv[9]),
         (f"deep page (page={sys.argv[13]}, offset)", sys.argv[10]),
         ("page 2 by cursor", sys.argv[15]),
         (f"page {sys.argv[13]} by cursor", sys.argv[11])]
vals = {name: tuple(map(float, v.split())) for name, v in lists}
first = vals[lists[0][0]]
print(f"\nLists of {int(sys.argv[12])} products, 20 per page, on the resource service directly "
      f"(wrk -t1 -c{sys.argv[14]} -d{sys.argv[5]}, SQLite)\n")
print(f"| {'list request':<36} | {'req/s':>8} | {'p50 ms':>7} | {'p99 ms':>7} | {'p50 vs page 1':>13} |")
print(f"|{'-'*38}|{'-'*10}|{'-'*9}|{'-'*9}|{'-'*15}|")
for name, _ in lists:
    rps, p50, p99 = vals[name]
    print(f"| {name:<36} | {rps:>8.0f} | {p50:>7.2f} | {p99:>7.2f} | {p50/first[1]:>12.2f}x |")
PY
