#!/usr/bin/env bash
# Installs what `make test` needs and this machine lacks: PostgreSQL, MariaDB and redis-server
# (private servers on loopback), Chromium and chromedriver (the browser tests), Python's venv
# (the deployment files' checkers, the Python SDK), systemd-analyze, and node and npm (the
# TypeScript SDK's generator and tests). On Debian or Ubuntu it installs them
# with apt-get when it may (as root, or with password-less sudo); elsewhere it names them and
# fails.
set -euo pipefail

missing=()
# need PACKAGE PROGRAM...: PACKAGE is missing unless one of the programs is there.
need() {
    local package=$1
    shift
    for program in "$@"; do
        if command -v "$program" >/dev/null 2>&1 || compgen -G "$program" >/dev/null; then
            return 0
        fi
    done
    missing+=("$package")
}

need postgresql '/usr/lib/postgresql/*/bin/initdb'
need mariadb-server mariadbd /usr/sbin/mariadbd
need redis-server redis-server
need chromium /usr/bin/chromium
need chromium-driver /usr/bin/chromedriver
need python3 python3
if command -v python3 >/dev/null 2>&1 && ! python3 -c 'import ensurepip, venv' 2>/dev/null; then
    missing+=(python3-venv)
fi
need systemd systemd-analyze
need nodejs node
need npm npm

if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        sudo="sudo"
    else
        sudo="none"
    fi
fi
if command -v apt-get >/dev/null 2>&1 && [ "$sudo" != none ]; then
    echo "make test: installing ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update
    $sudo apt-get install -y --no-install-recommends "${missing[@]}"
    exit 0
fi
echo "make test needs these packages, which are not installed: ${missing[*]}" >&2
echo "On Debian or Ubuntu, as root: apt-get install -y --no-install-recommends ${missing[*]}" >&2
exit 1
