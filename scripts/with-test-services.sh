#!/usr/bin/env bash
# Runs a command with a private database server and redis-server on free loopback ports, and
# GATEHOUSE_TEST_DATABASE_URL / GATEHOUSE_TEST_REDIS_URL pointing at them; stops and removes
# both afterwards. Servers already given through those variables are used as they are.
#
# The database server is PostgreSQL, or MariaDB with --mariadb (the first argument); MariaDB's
# URL is mysql://root@127.0.0.1:{port}/mysql (root without a password, the tests create a
# database per test). A GATEHOUSE_TEST_DATABASE_URL of the other kind is ignored.
#
#   scripts/with-test-services.sh cargo test -p gatehouse-tests
#   scripts/with-test-services.sh --mariadb cargo test -p gatehouse-tests
set -euo pipefail

database=postgres
case "${1:-}" in
    --mariadb) database=mariadb; shift ;;
    --postgres) shift ;;
esac

if [ "$#" -eq 0 ]; then
    echo "usage: $0 [--postgres|--mariadb] command [args...]" >&2
    exit 2
fi

case "$database:${GATEHOUSE_TEST_DATABASE_URL:-}" in
    postgres:mysql://* | mariadb:postgres://* | mariadb:postgresql://*)
        unset GATEHOUSE_TEST_DATABASE_URL ;;
esac

work="$(mktemp -d /tmp/gatehouse-test-services.XXXXXX)"
chmod 755 "$work"
cleanup() {
    if [ -n "${pg_ctl:-}" ] && [ -f "$work/pg/postmaster.pid" ]; then
        as_pg "$pg_ctl" -D "$work/pg" -m immediate stop >/dev/null 2>&1 || true
    fi
    if [ -n "${mariadb_pid:-}" ]; then
        kill "$mariadb_pid" 2>/dev/null || true
        wait "$mariadb_pid" 2>/dev/null || true
    fi
    if [ -n "${redis_pid:-}" ]; then
        kill "$redis_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# PostgreSQL refuses to run as root; run it as the `postgres` user the Debian package creates.
as_pg() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

# Nor should MariaDB run as root: it becomes the `mysql` user of the Debian package.
mysql_user=()
if [ "$(id -u)" -eq 0 ]; then
    mysql_user=(--user=mysql)
fi

if [ -z "${GATEHOUSE_TEST_DATABASE_URL:-}" ] && [ "$database" = mariadb ]; then
    mariadbd="$(command -v mariadbd || ls /usr/sbin/mariadbd 2>/dev/null || true)"
    if [ -z "$mariadbd" ] || ! command -v mariadb-install-db >/dev/null \
        || ! command -v mariadb-admin >/dev/null; then
        echo "MariaDB is not installed. Install it (Debian: apt-get install -y mariadb-server)," >&2
        echo "or point GATEHOUSE_TEST_DATABASE_URL at a MySQL/MariaDB server (mysql://...) where" >&2
        echo "the tests may create databases." >&2
        exit 1
    fi
    mkdir "$work/mysql"
    if [ "$(id -u)" -eq 0 ]; then
        chown mysql "$work" "$work/mysql"
    fi
    # root without a password, for localhost and 127.0.0.1.
    mariadb-install-db --no-defaults "${mysql_user[@]}" --datadir="$work/mysql" \
        --auth-root-authentication-method=normal --skip-test-db >"$work/install-db.log" 2>&1 \
        || { cat "$work/install-db.log" >&2; exit 1; }
    port="$(free_port)"
    # Durability off (a test server): no flushes at commit, no fsync, no doublewrite.
    "$mariadbd" --no-defaults "${mysql_user[@]}" --datadir="$work/mysql" --socket="$work/mysql.sock" \
        --pid-file="$work/mysql.pid" --log-error="$work/mysql.log" --tmpdir="$work" \
        --port="$port" --bind-address=127.0.0.1 --skip-name-resolve \
        --character-set-server=utf8mb4 --collation-server=utf8mb4_bin \
        --max-connections=500 --innodb-flush-log-at-trx-commit=0 \
        --innodb-flush-method=nosync --innodb-doublewrite=0 --innodb-buffer-pool-size=256M \
        >/dev/null 2>&1 &
    mariadb_pid=$!
    # Up to 30 s until it accepts connections.
    tries=300
    until mariadb-admin --no-defaults --socket="$work/mysql.sock" -uroot ping >/dev/null 2>&1; do
        tries=$((tries - 1))
        if [ "$tries" -eq 0 ] || ! kill -0 "$mariadb_pid" 2>/dev/null; then
            echo "MariaDB did not start:" >&2
            cat "$work/mysql.log" >&2
            exit 1
        fi
        sleep 0.1
    done
    export GATEHOUSE_TEST_DATABASE_URL="mysql://root@127.0.0.1:$port/mysql"
    echo "MariaDB on 127.0.0.1:$port" >&2
fi

if [ -z "${GATEHOUSE_TEST_DATABASE_URL:-}" ]; then
    initdb="$(ls /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1 || true)"
    pg_ctl="$(dirname "${initdb:-/nonexistent}")/pg_ctl"
    if [ -z "$initdb" ] || [ ! -x "$pg_ctl" ]; then
        echo "PostgreSQL is not installed. Install it (Debian: apt-get install -y postgresql)," >&2
        echo "or point GATEHOUSE_TEST_DATABASE_URL at a server where the tests may create databases." >&2
        exit 1
    fi
    if [ "$(id -u)" -eq 0 ]; then
        chown postgres "$work"
    fi
    port="$(free_port)"
    as_pg "$initdb" -D "$work/pg" -U postgres --auth=trust --no-sync -E UTF8 >"$work/initdb.log" 2>&1 \
        || { cat "$work/initdb.log" >&2; exit 1; }
    as_pg "$pg_ctl" -D "$work/pg" -l "$work/pg.log" -w \
        -o "-p $port -k $work -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300" start >/dev/null \
        || { cat "$work/pg.log" >&2; exit 1; }
    export GATEHOUSE_TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$port/postgres"
    echo "PostgreSQL on 127.0.0.1:$port" >&2
fi

if [ -z "${GATEHOUSE_TEST_REDIS_URL:-}" ]; then
    if ! command -v redis-server >/dev/null; then
        echo "redis-server is not installed. Install it (Debian: apt-get install -y redis-server)," >&2
        echo "or point GATEHOUSE_TEST_REDIS_URL at a server the tests may use." >&2
        exit 1
    fi
    port="$(free_port)"
    redis-server --bind 127.0.0.1 --port "$port" --save "" --appendonly no --daemonize no \
        --dir "$work" >"$work/redis.log" 2>&1 &
    redis_pid=$!
    export GATEHOUSE_TEST_REDIS_URL="redis://127.0.0.1:$port"
    echo "redis-server on 127.0.0.1:$port" >&2
fi

"$@"
