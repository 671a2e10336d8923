#!/usr/bin/env bash
# `make soak` (not part of `make test` nor CI): the split deployment as it runs in production,
# on loopback, under a mixed load for SOAK_SECONDS, then one table of what it did.
#
# Starts, on free loopback ports, in a temporary directory removed at the end:
#   - a private PostgreSQL (initdb + pg_ctl, as the `postgres` user when run as root);
#   - Redis: a Redis Cluster of six redis-server processes (three primaries, three replicas,
#     `redis-cli --cluster create`), GATEHOUSE_REDIS_URL=redis-cluster://p1,p2,p3 (the default,
#     SOAK_REDIS=cluster); or one redis-server (SOAK_REDIS=single, redis://); or none, with
#     SOAK_REDIS_URL naming a server the run may write to (its processes are not measured);
#   - `gatehouse migrate`, then two `serve auth`, two `serve resources` and two `serve gateway`,
#     each gateway balancing over both instances of each service.
# Then scripts/soak/driver.py sets up a tenant, clients, users and products through the admin
# API, drives the load against both gateways (client_credentials tokens, cached and uncached
# GETs, product writes that purge the cache, sign-ins through the login pages), and reports
# count, req/s, p50, p99 and errors per kind of request, the resident memory of every process
# at the start and end of the load, and the keys in Redis: on stdout and in
# target/soak/results.md. Exits 1 when any request failed (a status other than 2xx/3xx, or
# no answer), when a process counted failed Redis operations, or when a process died.
#
# Knobs: SOAK_SECONDS (180: the measured load), SOAK_WARMUP (15: load before the measurement
# and the first memory reading), SOAK_REDIS (cluster | single), SOAK_REDIS_URL (a Redis of
# your own instead), SOAK_MIX (the concurrent loops per kind, default
# "token=2,cached=4,uncached=2,write=1,signin=2"), SOAK_BINARY (a gatehouse binary; else
# target/release/gatehouse, built with cargo only when missing), SOAK_STARTUP_TIMEOUT (60: the
# longest wait for any one server to come up).
#
# Every process started here is stopped on exit, on Ctrl-C and on errors; their logs are
# copied to target/soak/logs/.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

seconds=${SOAK_SECONDS:-180}
warmup=${SOAK_WARMUP:-15}
startup_timeout=${SOAK_STARTUP_TIMEOUT:-60}
redis_mode=${SOAK_REDIS:-cluster}
redis_url_given=${SOAK_REDIS_URL:-}
mix=${SOAK_MIX:-token=2,cached=4,uncached=2,write=1,signin=2}

say() { printf 'soak: %s\n' "$*" >&2; }
die() {
    say "$*"
    exit 1
}

for knob in seconds warmup startup_timeout; do
    [[ ${!knob} =~ ^[0-9]+$ ]] || die "SOAK_${knob^^} must be a number of seconds, not '${!knob}'"
done
[ "$seconds" -gt 0 ] || die "SOAK_SECONDS must be at least 1"
case $redis_mode in
    cluster | single) ;;
    *) die "SOAK_REDIS must be cluster or single, not '$redis_mode'" ;;
esac
if [ -n "$redis_url_given" ]; then
    case $redis_url_given in
        redis://* | rediss://* | redis-cluster://* | rediss-cluster://* | redis-sentinel://* | rediss-sentinel://*) ;;
        *) die "SOAK_REDIS_URL must be a redis://, rediss://, redis-cluster:// or redis-sentinel:// URL" ;;
    esac
fi

# --- tools --------------------------------------------------------------------------------------
missing=()
command -v python3 >/dev/null || missing+=(python3)
command -v curl >/dev/null || missing+=(curl)
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || missing+=(postgresql)
if [ -z "$redis_url_given" ]; then
    command -v redis-server >/dev/null || missing+=(redis-server)
fi
command -v redis-cli >/dev/null || missing+=(redis-tools)
if [ ${#missing[@]} -gt 0 ]; then
    if ! command -v apt-get >/dev/null; then
        die "missing: ${missing[*]}; install them (Debian package names)"
    fi
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
    say "installing ${missing[*]} (apt-get)"
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -q >/dev/null
    $sudo apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
fi
if [ "$redis_mode" = cluster ] && [ -z "$redis_url_given" ]; then
    # cluster-port (the bus port set apart from port + 10000) came with Redis 7.
    version=$(redis-server --version | sed -n 's/.* v=\([0-9]*\)\..*/\1/p')
    [ "${version:-0}" -ge 7 ] || die "a Redis Cluster here needs redis-server 7 or newer (found $(redis-server --version))"
fi

if [ -n "${SOAK_BINARY:-}" ]; then
    binary=$SOAK_BINARY
elif [ -x target/release/gatehouse ]; then
    binary=$root/target/release/gatehouse
else
    say "no target/release/gatehouse: cargo build --release -p gatehouse"
    cargo build --release -q -p gatehouse
    binary=$root/target/release/gatehouse
fi
[ -x "$binary" ] || die "no executable gatehouse binary at $binary"
binary=$(cd "$(dirname "$binary")" && pwd)/$(basename "$binary")
say "binary $binary ($(date -r "$binary" '+built %Y-%m-%d %H:%M'))"

# Does this binary take the kind of Redis URL the run will give it? (`healthcheck` reads the
# configuration like `serve`, then fails on the closed port 1: only a configuration error counts.)
case "$redis_url_given:$redis_mode" in
    :cluster) probe_url="redis-cluster://127.0.0.1:1,127.0.0.1:2,127.0.0.1:3" ;;
    :single) probe_url="redis://127.0.0.1:1" ;;
    *) probe_url=$redis_url_given ;;
esac
probe=$(env -i PATH="$PATH" GATEHOUSE_DATA_DIR="${TMPDIR:-/tmp}" GATEHOUSE_REDIS_URL="$probe_url" \
    GATEHOUSE_OPS__LISTEN=127.0.0.1:1 "$binary" healthcheck 2>&1 || true)
if grep -q 'redis_url' <<<"$probe"; then
    say "this binary refuses the Redis URL of this run: $(grep 'redis_url' <<<"$probe" | head -n 1)"
    if [ "$redis_mode" = cluster ] && [ -z "$redis_url_given" ]; then
        say "(a binary without Redis Cluster support: SOAK_REDIS=single runs on one redis-server)"
    fi
    exit 1
fi

# --- the temporary directory, and stopping everything -------------------------------------------
work=$(mktemp -d "${TMPDIR:-/tmp}/gatehouse-soak.XXXXXX")
chmod 755 "$work"
mkdir -p "$work/logs" "$work/data"
state=$root/target/soak
pg_ctl=""
started=() # "name pid" of every process started here (but PostgreSQL), in order

as_pg() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

cleanup() {
    local status=$? entry pid name left deadline
    trap - EXIT INT TERM
    # Reverse order: gateways, services, Redis. SIGTERM, then SIGKILL after 15 s.
    for ((i = ${#started[@]} - 1; i >= 0; i--)); do
        read -r name pid <<<"${started[$i]}"
        kill -TERM "$pid" 2>/dev/null || true
    done
    deadline=$((SECONDS + 15))
    for entry in "${started[@]}"; do
        read -r name pid <<<"$entry"
        while kill -0 "$pid" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.1; done
        if kill -0 "$pid" 2>/dev/null; then
            say "$name ($pid) did not stop within 15 s: SIGKILL"
            kill -KILL "$pid" 2>/dev/null || true
        fi
        wait "$pid" 2>/dev/null || true
    done
    if [ -n "$pg_ctl" ] && [ -f "$work/pg/postmaster.pid" ]; then
        as_pg "$pg_ctl" -D "$work/pg" -m immediate stop >/dev/null 2>&1 || true
    fi
    if [ -d "$work/logs" ]; then
        rm -rf "$state/logs"
        mkdir -p "$state"
        cp -r "$work/logs" "$state/logs" 2>/dev/null || true
        cp "$work/pg.log" "$state/logs/postgresql.log" 2>/dev/null || true
        left=" (logs in target/soak/logs/)"
    fi
    rm -rf "$work"
    if [ "$status" -ne 0 ]; then say "failed, exit status $status${left:-}"; fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# N free loopback ports, all distinct (held together while they are picked).
free_ports() {
    python3 -c '
import socket, sys
held = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in held:
    s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in held))' "$1"
}

# start NAME COMMAND...: in the background, its output in logs/NAME.log.
start() {
    local name=$1
    shift
    "$@" >"$work/logs/$name.log" 2>&1 </dev/null &
    started+=("$name $!")
    declare -g "pid_${name//-/_}=$!"
}

pid_of() {
    local var="pid_${1//-/_}"
    echo "${!var}"
}

# wait_for WHAT NAME TIMEOUT COMMAND...: until COMMAND succeeds, failing when the process NAME
# exits first (NAME may be "-") or after TIMEOUT seconds; either way its log's end is shown.
wait_for() {
    local what=$1 name=$2 timeout=$3 pid=""
    shift 3
    if [ "$name" != - ]; then pid=$(pid_of "$name"); fi
    local deadline=$((SECONDS + timeout))
    until "$@" >/dev/null 2>&1; do
        if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
            say "$what: $name exited before it was ready; the end of its log:"
            tail -n 30 "$work/logs/$name.log" >&2 || true
            exit 1
        fi
        if [ "$SECONDS" -ge "$deadline" ]; then
            say "$what: not ready after ${timeout} s"
            if [ "$name" != - ]; then tail -n 30 "$work/logs/$name.log" >&2 || true; fi
            exit 1
        fi
        sleep 0.2
    done
}

http_ok() { curl -fsS -o /dev/null --max-time 2 "$1"; }

# --- PostgreSQL ---------------------------------------------------------------------------------
initdb=$(ls /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1 || true)
pg_ctl=$(dirname "${initdb:-/nonexistent}")/pg_ctl
[ -n "$initdb" ] && [ -x "$pg_ctl" ] || die "PostgreSQL is not installed (Debian: apt-get install -y postgresql)"
if [ "$(id -u)" -eq 0 ]; then chown postgres "$work"; fi
read -r pg_port <<<"$(free_ports 1)"
as_pg "$initdb" -D "$work/pg" -U postgres --auth=trust --no-sync -E UTF8 >"$work/logs/initdb.log" 2>&1 \
    || { cat "$work/logs/initdb.log" >&2; die "initdb failed"; }
# -w waits for the server (pg_ctl's own timeout, bounded here by -t).
as_pg "$pg_ctl" -D "$work/pg" -l "$work/pg.log" -w -t "$startup_timeout" \
    -o "-p $pg_port -k $work -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300" start >/dev/null \
    || { cat "$work/pg.log" >&2; die "PostgreSQL did not start"; }
database_url="postgres://postgres@127.0.0.1:$pg_port/postgres"
say "PostgreSQL $("$(dirname "$initdb")/postgres" --version | awk '{print $3}') on 127.0.0.1:$pg_port"

# --- Redis --------------------------------------------------------------------------------------
redis_nodes=() # "name port" of the redis-server processes started here
redis_common=(--bind 127.0.0.1 --save "" --appendonly no --daemonize no --protected-mode yes)
redis_ping() { [ "$(redis-cli -h 127.0.0.1 -p "$1" ping 2>/dev/null)" = PONG ]; }
if [ -n "$redis_url_given" ]; then
    redis_url=$redis_url_given
    redis_label="the Redis of SOAK_REDIS_URL"
    say "Redis: $redis_label (not started here, not measured)"
elif [ "$redis_mode" = single ]; then
    read -r port <<<"$(free_ports 1)"
    mkdir -p "$work/redis-1"
    start redis-1 redis-server "${redis_common[@]}" --port "$port" --dir "$work/redis-1"
    redis_nodes+=("redis-1 $port")
    wait_for "redis-server" redis-1 "$startup_timeout" redis_ping "$port"
    redis_url="redis://127.0.0.1:$port"
    redis_label="one redis-server ($(redis-server --version | sed -n 's/.* v=\([^ ]*\).*/\1/p'))"
    say "redis-server on 127.0.0.1:$port"
else
    read -r -a ports <<<"$(free_ports 12)"
    for n in 1 2 3 4 5 6; do
        port=${ports[$((n - 1))]}
        bus=${ports[$((n + 5))]}
        mkdir -p "$work/redis-$n"
        start "redis-$n" redis-server "${redis_common[@]}" --port "$port" --cluster-port "$bus" \
            --cluster-enabled yes --cluster-config-file "$work/redis-$n/nodes.conf" \
            --cluster-node-timeout 2000 --dir "$work/redis-$n"
        redis_nodes+=("redis-$n $port")
    done
    for n in 1 2 3 4 5 6; do
        wait_for "redis-server (cluster node $n)" "redis-$n" "$startup_timeout" redis_ping "${ports[$((n - 1))]}"
    done
    addresses=()
    for n in 0 1 2 3 4 5; do addresses+=("127.0.0.1:${ports[$n]}"); done
    # The first three given become the primaries, the others their replicas.
    timeout "$startup_timeout" redis-cli --cluster create "${addresses[@]}" --cluster-replicas 1 --cluster-yes \
        >"$work/logs/redis-cluster-create.log" 2>&1 \
        || { cat "$work/logs/redis-cluster-create.log" >&2; die "redis-cli --cluster create failed"; }
    cluster_ready() {
        local port info
        for port in "${ports[@]:0:6}"; do
            info=$(redis-cli -h 127.0.0.1 -p "$port" cluster info) || return 1
            grep -q '^cluster_state:ok' <<<"$info" || return 1
            grep -q '^cluster_slots_ok:16384' <<<"$info" || return 1
            grep -q '^cluster_known_nodes:6' <<<"$info" || return 1
        done
        # Every replica has caught up with its primary.
        for port in "${ports[@]:3:3}"; do
            redis-cli -h 127.0.0.1 -p "$port" info replication | grep -q '^master_link_status:up' || return 1
        done
    }
    wait_for "Redis Cluster (cluster_state:ok on all six nodes, replicas linked)" - "$startup_timeout" cluster_ready
    redis_url="redis-cluster://${addresses[0]},${addresses[1]},${addresses[2]}"
    redis_label="Redis Cluster, 3 primaries + 3 replicas ($(redis-server --version | sed -n 's/.* v=\([^ ]*\).*/\1/p'))"
    say "Redis Cluster on 127.0.0.1:${ports[0]}..${ports[5]} (bus ports ${ports[6]}..${ports[11]})"
fi

# --- Gatehouse ----------------------------------------------------------------------------------
secret() { python3 -c 'import secrets; print(secrets.token_hex(32))'; }
internal_key=$(secret)
admin_secret=$(secret)
kek=$(python3 -c 'import base64, secrets; print(base64.b64encode(secrets.token_bytes(48)).decode())')
read -r -a gh_ports <<<"$(free_ports 12)"
# gateway-1, gateway-2, auth-1, auth-2, resources-1, resources-2: a public port and an ops port.
declare -A listen_port ops_port
n=0
for name in gateway-1 gateway-2 auth-1 auth-2 resources-1 resources-2; do
    listen_port[$name]=${gh_ports[$n]}
    ops_port[$name]=${gh_ports[$((n + 6))]}
    n=$((n + 1))
done
gateway_urls="http://127.0.0.1:${listen_port[gateway-1]} http://127.0.0.1:${listen_port[gateway-2]}"
public_url="http://127.0.0.1:${listen_port[gateway-1]}"
unlimited=1000000000

# Only what each role is given in deploy/kubernetes: nothing of the caller's environment (no
# stray GATEHOUSE_* variable, no PORT).
common_env=(
    PATH="$PATH" HOME="$work" LANG=C.UTF-8
    GATEHOUSE_LOG__FORMAT=json GATEHOUSE_LOG__FILTER=warn
    GATEHOUSE_OPS__DRAIN_SECONDS=1
    GATEHOUSE_STARTUP_TIMEOUT_SECONDS="$startup_timeout"
)
run_role() { # NAME ROLE-ENV... -- ARGS...
    local name=$1
    shift
    local env=()
    while [ "$1" != -- ]; do
        env+=("$1")
        shift
    done
    shift
    mkdir -p "$work/data/$name"
    start "$name" env -i "${common_env[@]}" GATEHOUSE_DATA_DIR="$work/data/$name" "${env[@]}" "$binary" "$@"
}
database_env=(GATEHOUSE_DATABASE_URL="$database_url")
# A Redis of one's own may hold other keys: this run's go under a name of their own there.
namespace=soak
if [ -n "$redis_url_given" ]; then namespace=soak-$$; fi
service_env=(GATEHOUSE_INTERNAL_KEY="$internal_key" GATEHOUSE_PUBLIC_URL="$public_url"
    GATEHOUSE_REDIS_URL="$redis_url" GATEHOUSE_REDIS_NAMESPACE="$namespace")

say "gatehouse migrate"
mkdir -p "$work/data/migrate"
timeout "$((startup_timeout * 2))" env -i "${common_env[@]}" GATEHOUSE_DATA_DIR="$work/data/migrate" \
    "${database_env[@]}" GATEHOUSE_ADMIN_CLIENT_SECRET="$admin_secret" "$binary" migrate \
    >"$work/logs/migrate.log" 2>&1 || { tail -n 30 "$work/logs/migrate.log" >&2; die "gatehouse migrate failed"; }

start_auth() {
    run_role "auth-$1" "${database_env[@]}" "${service_env[@]}" \
        GATEHOUSE_ADMIN_CLIENT_SECRET="$admin_secret" GATEHOUSE_AUTH__KEY_ENCRYPTION_KEY="$kek" \
        GATEHOUSE_AUTH__LISTEN="127.0.0.1:${listen_port[auth-$1]}" \
        GATEHOUSE_OPS__LISTEN="127.0.0.1:${ops_port[auth-$1]}" -- serve auth --no-migrate
}
# Both at once, as an orchestrator starts them: on a new database both set up the installation.
start_auth 1
start_auth 2
for n in 1 2; do
    run_role "resources-$n" "${database_env[@]}" "${service_env[@]}" \
        GATEHOUSE_RESOURCES__LISTEN="127.0.0.1:${listen_port[resources-$n]}" \
        GATEHOUSE_OPS__LISTEN="127.0.0.1:${ops_port[resources-$n]}" -- serve resources --no-migrate
done
for name in auth-1 auth-2 resources-1 resources-2; do
    wait_for "gatehouse $name" "$name" "$startup_timeout" http_ok "http://127.0.0.1:${listen_port[$name]}/healthz"
done
list() { printf '["http://127.0.0.1:%s","http://127.0.0.1:%s"]' "${listen_port[$1-1]}" "${listen_port[$1-2]}"; }
for n in 1 2; do
    run_role "gateway-$n" "${service_env[@]}" \
        GATEHOUSE_LISTEN="127.0.0.1:${listen_port[gateway-$n]}" \
        GATEHOUSE_OPS__LISTEN="127.0.0.1:${ops_port[gateway-$n]}" \
        GATEHOUSE_GATEWAY__AUTH_URL="$(list auth)" GATEHOUSE_GATEWAY__RESOURCES_URL="$(list resources)" \
        GATEHOUSE_GATEWAY__RATE_LIMITS__TENANT_PER_MINUTE=$unlimited \
        GATEHOUSE_GATEWAY__RATE_LIMITS__CLIENT_PER_MINUTE=$unlimited \
        GATEHOUSE_GATEWAY__RATE_LIMITS__TOKEN_ENDPOINT_PER_MINUTE=$unlimited \
        GATEHOUSE_GATEWAY__RATE_LIMITS__OAUTH_PER_MINUTE=$unlimited \
        -- serve gateway --no-migrate
done
for n in 1 2; do
    wait_for "gatehouse gateway-$n (/readyz: both services answer)" "gateway-$n" "$startup_timeout" \
        http_ok "http://127.0.0.1:${listen_port[gateway-$n]}/readyz"
done
say "gateways on $gateway_urls; auth on ${listen_port[auth-1]}, ${listen_port[auth-2]}; resources on ${listen_port[resources-1]}, ${listen_port[resources-2]}"

# --- the load -----------------------------------------------------------------------------------
deployment=$work/deployment.tsv
{
    for name in gateway-1 gateway-2 auth-1 auth-2 resources-1 resources-2; do
        printf 'gatehouse\t%s\t%s\t%s\t%s\n' "$name" "$(pid_of "$name")" "${listen_port[$name]}" "${ops_port[$name]}"
    done
    for entry in "${redis_nodes[@]}"; do
        read -r name port <<<"$entry"
        printf 'redis\t%s\t%s\t%s\t-\n' "$name" "$(pid_of "$name")" "$port"
    done
} >"$deployment"

# In the background, so that a signal to this script stops it at once (cleanup stops the
# driver first, which stops its load processes).
SOAK_DEPLOYMENT=$deployment SOAK_GATEWAYS=$gateway_urls SOAK_ADMIN_SECRET=$admin_secret \
    SOAK_SECONDS=$seconds SOAK_WARMUP=$warmup SOAK_MIX=$mix SOAK_BINARY=$binary \
    SOAK_REDIS_LABEL=$redis_label SOAK_REDIS_URL=$redis_url SOAK_LOGS=$work/logs \
    SOAK_RESULTS=$state/results.md SOAK_REDIS_NAMESPACE=$namespace \
    python3 scripts/soak/driver.py &
driver=$!
started+=("driver $driver")
status=0
wait "$driver" || status=$?
exit "$status"
