#!/usr/bin/env bash
# Runs the OAuth client library tests (tests/oauth-clients: openid-client and oauth4webapi under
# node's test runner) against a running platform named by GATEHOUSE_BASE_URL, GATEHOUSE_TENANT,
# GATEHOUSE_CLIENT_ID and GATEHOUSE_CLIENT_SECRET (a confidential client_credentials client
# allowed products:read). tests/api/oauth_clients.rs starts a platform and runs this.
#
# Needs node (20.18 or newer) and npm (scripts/install-test-deps.sh installs them). The packages
# come from tests/oauth-clients/package-lock.json with `npm ci`, again only when the lock file
# changes (a stamp beside node_modules); one run at a time installs them.
set -euo pipefail
cd "$(dirname "$0")/../tests/oauth-clients"

for tool in node npm; do
    command -v "$tool" >/dev/null || {
        echo "$tool is not installed (Debian: apt-get install -y nodejs npm; scripts/install-test-deps.sh does)" >&2
        exit 1
    }
done

stamp=node_modules/.package-lock.sha256
want="$(sha256sum package-lock.json | cut -d' ' -f1)"
(
    flock 9
    if [ "$(cat "$stamp" 2>/dev/null || true)" != "$want" ]; then
        npm ci --no-audit --no-fund --loglevel=error >&2
        echo "$want" >"$stamp"
    fi
) 9>"${TMPDIR:-/tmp}/gatehouse-oauth-clients.lock"

exec node --test --test-reporter=spec test/
