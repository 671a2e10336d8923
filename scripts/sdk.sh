#!/usr/bin/env bash
# The committed SDKs under sdk/, generated from the committed OpenAPI documents in openapi/
# (admin.json, auth.json, resources.json) with pinned generators:
#
#   scripts/sdk.sh [generate] [OUT]   regenerate into OUT (default sdk/; `make sdk`):
#       OUT/python/gatehouse-{resources,admin,auth}  openapi-python-client, one package per
#                                                    document (sdk/python/config/*.yaml)
#       OUT/typescript/src/{resources,admin,auth}    @hey-api/openapi-ts with its fetch client
#                                                    (sdk/typescript/openapi-ts.config.mjs)
#     Each of those folders is the generator's alone and is replaced whole; everything else
#     under sdk/ is written by hand. The freshness test (tests/api/sdk.rs) generates into a
#     temporary OUT and compares.
#   scripts/sdk.sh test python|typescript
#     runs that SDK's own tests (sdk/python/tests with pytest, sdk/typescript/test with
#     node --test after tsc) against a running platform named by GATEHOUSE_SDK_BASE_URL,
#     GATEHOUSE_SDK_TENANT, GATEHOUSE_SDK_CLIENT_ID and GATEHOUSE_SDK_CLIENT_SECRET (a
#     confidential client_credentials client allowed products, customers and orders, read
#     and write). tests/api/sdk.rs starts a platform and runs both.
#
# Tools: python3 with venv, node (18.18 or newer) and npm. The generator runs in a venv of
# its own, GATEHOUSE_SDK_VENV (default target/sdk-venv), installed from
# sdk/python/requirements-generate.txt; the Python tests in GATEHOUSE_SDK_TEST_VENV (default
# target/sdk-test-venv) from sdk/python/requirements-test.txt plus the generated packages;
# node packages come from sdk/typescript/package-lock.json with `npm ci`. Each is set up
# again only when its pins change (a stamp beside it), and one run at a time sets them up.
set -euo pipefail

caller=$PWD
cd "$(dirname "$0")/.."
root=$PWD
documents=(resources admin auth)
venv=${GATEHOUSE_SDK_VENV:-$root/target/sdk-venv}
test_venv=${GATEHOUSE_SDK_TEST_VENV:-$root/target/sdk-test-venv}
ts=$root/sdk/typescript

die() {
    printf 'sdk.sh: %s\n' "$*" >&2
    exit 1
}

need_python() {
    command -v python3 >/dev/null 2>&1 \
        || die "python3 is missing: install it (Debian: apt-get install -y python3 python3-venv, or scripts/install-test-deps.sh)"
    python3 -c 'import ensurepip, venv' 2>/dev/null \
        || die "python3's venv module is missing: install it (Debian: apt-get install -y python3-venv, or scripts/install-test-deps.sh)"
}

need_node() {
    command -v node >/dev/null 2>&1 \
        || die "node is missing: install Node.js 18.18 or newer (Debian: apt-get install -y nodejs npm, or scripts/install-test-deps.sh)"
    command -v npm >/dev/null 2>&1 \
        || die "npm is missing: install it (Debian: apt-get install -y npm, or scripts/install-test-deps.sh)"
    node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 18 || (a === 18 && b >= 18) ? 0 : 1)' \
        || die "node $(node --version) is too old: the pinned @hey-api/openapi-ts needs 18.18 or newer"
}

# One run at a time sets up the venvs and node_modules (the test suite runs its SDK tests in
# parallel).
lock() {
    mkdir -p "$root/target"
    exec 9>"$root/target/sdk.lock"
    if command -v flock >/dev/null 2>&1; then
        flock 9
    fi
}

unlock() {
    exec 9>&-
}

# stamp FILE...: one line naming this checkout and the contents of FILE..., to know when to
# set up again.
stamp() {
    { echo "$root"; cat "$@"; } | sha256sum | cut -d' ' -f1
}

# venv_with DIR REQUIREMENTS [EDITABLE...]: a venv in DIR with REQUIREMENTS installed (and each
# EDITABLE folder as an editable package), unless its stamp says it already is.
venv_with() {
    local dir=$1 requirements=$2
    shift 2
    local want files=("$requirements") editable
    for editable in "$@"; do
        files+=("$editable/pyproject.toml")
    done
    want=$(stamp "${files[@]}")
    if [ -x "$dir/bin/python" ] && [ "$(cat "$dir/.gatehouse-stamp" 2>/dev/null)" = "$want" ]; then
        return 0
    fi
    echo "sdk.sh: setting up $dir" >&2
    if [ ! -x "$dir/bin/python" ]; then
        python3 -m venv "$dir" >&2
    fi
    "$dir/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements" >&2
    if [ "$#" -gt 0 ]; then
        local args=()
        for editable in "$@"; do
            args+=(-e "$editable")
        done
        "$dir/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps \
            --no-build-isolation "${args[@]}" >&2
        # A dependency the generated packages gained is not pinned yet.
        "$dir/bin/python" -m pip check >&2 \
            || die "pin what the generated packages need in ${requirements#"$root"/}"
    fi
    echo "$want" >"$dir/.gatehouse-stamp"
}

# node_modules of sdk/typescript from its lockfile, unless they already are.
node_modules() {
    local want
    want=$(stamp "$ts/package-lock.json")
    if [ -f "$ts/node_modules/.gatehouse-stamp" ] \
        && [ "$(cat "$ts/node_modules/.gatehouse-stamp")" = "$want" ]; then
        return 0
    fi
    echo "sdk.sh: npm ci in sdk/typescript" >&2
    (cd "$ts" && npm ci --no-audit --no-fund --loglevel=error >&2)
    echo "$want" >"$ts/node_modules/.gatehouse-stamp"
}

generate() {
    local out=${1:-$root/sdk}
    need_python
    need_node
    lock
    venv_with "$venv" "$root/sdk/python/requirements-generate.txt"
    node_modules
    unlock

    case "$out" in
        /*) ;;
        *) out=$caller/$out ;;
    esac
    mkdir -p "$out/python" "$out/typescript"
    out=$(cd "$out" && pwd)
    local doc
    for doc in "${documents[@]}"; do
        # --overwrite keeps files the generator no longer writes: start from nothing.
        rm -rf "$out/python/gatehouse-$doc"
        # ruff, which formats the generated code, from the venv, leaving no cache behind.
        PATH="$venv/bin:$PATH" RUFF_NO_CACHE=true "$venv/bin/openapi-python-client" generate \
            --path "$root/openapi/$doc.json" \
            --config "$root/sdk/python/config/$doc.yaml" \
            --meta pdm \
            --output-path "$out/python/gatehouse-$doc"
    done
    # One job per document, each into $GATEHOUSE_SDK_TS_OUT/<document>.
    (cd "$ts" && GATEHOUSE_SDK_TS_OUT="$out/typescript/src" node_modules/.bin/openapi-ts \
        --file openapi-ts.config.mjs --no-log-file)
}

test_python() {
    need_python
    lock
    local packages=() doc
    for doc in "${documents[@]}"; do
        packages+=("$root/sdk/python/gatehouse-$doc")
    done
    venv_with "$test_venv" "$root/sdk/python/requirements-test.txt" "${packages[@]}"
    unlock
    cd "$root/sdk/python"
    exec "$test_venv/bin/python" -m pytest -p no:cacheprovider tests
}

test_typescript() {
    need_node
    lock
    node_modules
    unlock
    cd "$ts"
    rm -rf dist
    node_modules/.bin/tsc -p tsconfig.json
    exec node --test dist/test/*.test.js
}

case "${1:-generate}" in
    generate)
        generate "${2:-}"
        ;;
    test)
        case "${2:-}" in
            python) test_python ;;
            typescript) test_typescript ;;
            *) die "usage: $0 test python|typescript" ;;
        esac
        ;;
    -h | --help)
        sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'
        ;;
    *)
        # scripts/sdk.sh OUT
        generate "$1"
        ;;
esac
