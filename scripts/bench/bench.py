#!/usr/bin/env python3
"""`make bench`: Gatehouse and its peers (bench/peers/) side by side, in one run on this
machine, measured with wrk, printed as one table of req/s, p50, p99 and ratios, and written to
target/bench/results.md.

Usage: bench.py GATEHOUSE_BINARY, inside scripts/with-test-services.sh (which exports
GATEHOUSE_TEST_DATABASE_URL and GATEHOUSE_TEST_REDIS_URL); scripts/bench.sh does both.
Standard library only. Every server runs on a free loopback port in its own process group and
is stopped on exit, on Ctrl-C and on errors; the temporary directory goes with them.
"""

import base64
import hashlib
import hmac
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
LUA = Path(__file__).resolve().parent
PEERS = REPO / "bench" / "peers"
# node_modules, the venv and results.md: built output, ignored by git with the rest of target/.
STATE = REPO / "target" / "bench"


def setting(name, default):
    return os.environ.get(name) or default


QUICK = os.environ.get("BENCH_QUICK") == "1"
DURATION = setting("BENCH_DURATION", "2s" if QUICK else "8s")
WARMUP = setting("BENCH_WARMUP", "1s" if QUICK else "3s")
CONNECTIONS = int(setting("BENCH_CONNECTIONS", "16"))
THREADS = int(setting("BENCH_THREADS", "1"))
TENANTS = int(setting("BENCH_TENANTS", "200" if QUICK else "10000"))
TENANT_PRODUCTS = int(setting("BENCH_TENANT_PRODUCTS", "5"))
LISTS = os.environ.get("BENCH_LISTS") == "1"
LIST_PRODUCTS = int(setting("BENCH_PRODUCTS", "2000" if QUICK else "100000"))
LIST_CONNECTIONS = int(setting("BENCH_LIST_CONNECTIONS", "1"))
# Setup traffic (tenants, clients, products, tokens) goes over this many keep-alive connections.
SETUP_CONNECTIONS = 8
# The list page the GET cases read: 20 products.
PAGE_PRODUCTS = 20
LIST_PATH = "/t/{tenant}/api/v1/products?per_page=20"
TOKEN_FORM = "grant_type=client_credentials&scope=products%3Aread+products%3Awrite"
# The most DPoP requests a second proofs are made for in advance (each is used once).
DPOP_MAX_RPS = 15000
# Rate limits out of the way: the benchmark measures the platform, not its budgets.
UNLIMITED = "1000000000"
# The headers the gateway's proof covers, in the order crates/gatehouse-proto/src/proof.rs signs
# them.
PROOF_SIGNED = (
    "x-gatehouse-tenant",
    "x-gatehouse-tenant-id",
    "x-gatehouse-token-tenant",
    "x-gatehouse-subject",
    "x-gatehouse-client-id",
    "x-gatehouse-scope",
    "x-gatehouse-require-if-match",
    "x-gatehouse-client-address",
)
PROOF_MAX_SKEW_SECONDS = 30


class BenchError(Exception):
    """A case that cannot be measured as asked: the run stops and says why."""


def say(message):
    print(message, file=sys.stderr, flush=True)


def seconds(duration):
    """wrk's duration ("8s", "2m", "500ms" is not wrk's) in seconds."""
    match = re.fullmatch(r"(\d+(?:\.\d+)?)([smh]?)", duration)
    if not match:
        sys.exit(f"bench: cannot read the duration {duration!r} (say 8s or 1m)")
    return float(match.group(1)) * {"": 1, "s": 1, "m": 60, "h": 3600}[match.group(2)]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def basic(user, password):
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def jwt_part(token, index):
    part = token.split(".")[index]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def rss_mib(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise BenchError(f"no VmRSS for process {pid}")


# ---------------------------------------------------------------------------------------------
# Processes


class Processes:
    """The servers of this run, each in a process group of its own (a gunicorn's or nginx's
    workers go with their master), stopped in reverse order of start."""

    def __init__(self, logs: Path):
        self.logs = logs
        self.running = []

    def start(self, name, argv, *, env=None, cwd=None):
        log = open(self.logs / f"{name}.log", "wb")
        process = subprocess.Popen(
            argv, env=env, cwd=cwd, stdin=subprocess.DEVNULL, stdout=log,
            stderr=subprocess.STDOUT, start_new_session=True,
        )
        log.close()
        process.name = name
        self.running.append(process)
        return process

    def log_tail(self, process, lines=30):
        text = (self.logs / f"{process.name}.log").read_text(errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def check_alive(self, process):
        if process.poll() is not None:
            raise BenchError(f"{process.name} exited ({process.returncode}):\n"
                             f"{self.log_tail(process)}")

    def stop(self, process):
        if process.poll() is None:
            try:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
            except ProcessLookupError:
                pass
        if process in self.running:
            self.running.remove(process)

    def stop_all(self):
        for process in reversed(list(self.running)):
            self.stop(process)


def wait_until(process, processes, probe, what, timeout=60.0):
    """Polls `probe` (true when ready) until it is, failing if `process` exits first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        processes.check_alive(process)
        try:
            if probe():
                return
        except (OSError, http.client.HTTPException):
            pass
        time.sleep(0.1)
    raise BenchError(f"{what} not ready after {timeout:.0f} s:\n{processes.log_tail(process)}")


# ---------------------------------------------------------------------------------------------
# HTTP


@dataclass
class Answer:
    status: int
    headers: dict
    body: bytes

    def json(self):
        return json.loads(self.body)


class Http:
    """One keep-alive connection to a server on loopback."""

    def __init__(self, port):
        self.port = port
        self.connection = None

    def request(self, method, path, *, body=None, headers=None, expect=(200,)):
        if self.connection is None:
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = dict(headers or {})
        if isinstance(body, dict):
            body = json.dumps(body)
            headers.setdefault("Content-Type", "application/json")
        elif isinstance(body, str):
            headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        if body is not None:
            body = body.encode()
            headers["Content-Length"] = str(len(body))
        try:
            # No "Accept-Encoding: identity" (http.client's default): wrk sends none, and the
            # gateway's cache key varies on it, so a page warmed here must be asked for alike.
            self.connection.putrequest(method, path, skip_accept_encoding=True)
            for name, value in headers.items():
                self.connection.putheader(name, value)
            self.connection.endheaders(body)
            response = self.connection.getresponse()
            answer = Answer(response.status, {k.lower(): v for k, v in response.getheaders()},
                            response.read())
        except Exception:
            self.connection.close()
            self.connection = None
            raise
        if expect and answer.status not in expect:
            raise BenchError(f"{method} 127.0.0.1:{self.port}{path}: {answer.status} "
                             f"{answer.body[:300]!r}")
        return answer


def in_parallel(port, items, work, connections=SETUP_CONNECTIONS):
    """`work(http, item)` for every item over `connections` keep-alive connections, in
    threads; the results in the order of the items, and the seconds each call took."""
    items = list(items)
    results = [None] * len(items)
    took = [0.0] * len(items)
    errors = []
    next_index = iter(range(len(items)))
    lock = threading.Lock()

    def worker():
        connection = Http(port)
        while not errors:
            with lock:
                index = next(next_index, None)
            if index is None:
                return
            started = time.perf_counter()
            try:
                results[index] = work(connection, items[index])
            except Exception as error:  # noqa: BLE001 - re-raised in the caller's thread
                errors.append(error)
                return
            took[index] = time.perf_counter() - started

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return results, took


# ---------------------------------------------------------------------------------------------
# wrk


@dataclass
class Figures:
    rps: float
    p50: float  # ms
    p99: float  # ms


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def wrk_ms(value):
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def run_wrk(label, url, *, headers=(), script=None, script_env=None, connections=None,
            threads=None):
    """A warm-up pass, then the measured one: its figures. `headers` is a list of
    "Name: value", or a function giving one, called right before each pass (a proof is good
    for 30 s); `script_env` likewise, a dict or a function of the pass's length. Any non-2xx
    answer or socket error fails the run."""
    connections = connections or CONNECTIONS
    threads = threads or THREADS
    say(f"  {label}")
    for phase, length in (("warm-up", WARMUP), ("measured", DURATION)):
        extra = script_env(length) if callable(script_env) else script_env
        env = {**os.environ, **(extra or {})}
        argv = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{length}", "--latency"]
        for header in headers() if callable(headers) else headers:
            argv += ["-H", header]
        if script:
            argv += ["-s", str(LUA / script)]
        argv.append(url)
        done = subprocess.run(argv, env=env, capture_output=True, text=True)
        out = done.stdout + done.stderr
        if done.returncode != 0 or "Non-2xx" in out or "Socket errors" in out \
                or "Requests/sec" not in out:
            raise BenchError(f"wrk ({phase} pass of {label!r}) saw errors:\n"
                             f"{' '.join(argv)}\n{out}")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    # The distribution's own lines ("     50%    1.23ms"), not a "+/- Stdev" column.
    p50 = wrk_ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))
    p99 = wrk_ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))
    figures = Figures(rps, p50, p99)
    say(f"    {rps:,.0f} req/s, p50 {p50:.2f} ms, p99 {p99:.2f} ms")
    return figures


class DpopKey:
    """A client's P-256 key, making DPoP proofs (RFC 9449) as a client library does."""

    def __init__(self):
        from cryptography.hazmat.primitives.asymmetric import ec
        self.key = ec.generate_private_key(ec.SECP256R1())
        numbers = self.key.public_key().public_numbers()
        b64 = lambda n: base64.urlsafe_b64encode(n.to_bytes(32, "big")).rstrip(b"=").decode()
        self.jwk = {"kty": "EC", "crv": "P-256", "x": b64(numbers.x), "y": b64(numbers.y)}

    def proof(self, method, url, token=None, nonce=None):
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import ec, utils
        b64 = lambda raw: base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
        claims = {"jti": secrets.token_hex(16), "htm": method, "htu": url.split("?")[0],
                  "iat": int(time.time())}
        if token:
            claims["ath"] = b64(hashlib.sha256(token.encode()).digest())
        if nonce:
            claims["nonce"] = nonce
        header = {"typ": "dpop+jwt", "alg": "ES256", "jwk": self.jwk}
        signing_input = ".".join(b64(json.dumps(part, separators=(",", ":")).encode())
                                 for part in (header, claims))
        der = self.key.sign(signing_input.encode(), ec.ECDSA(hashes.SHA256()))
        r, s = utils.decode_dss_signature(der)
        return f"{signing_input}.{b64(r.to_bytes(32, 'big') + s.to_bytes(32, 'big'))}"


def write_targets(path, targets):
    """The file spread.lua reads: "path<TAB>Authorization" lines."""
    path.write_text("".join(f"{p}\t{authorization}\n" for p, authorization in targets))
    return {"WRK_TARGETS": str(path)}


# ---------------------------------------------------------------------------------------------
# Gatehouse


@dataclass
class Client:
    client_id: str
    secret: str

    @property
    def basic(self):
        return basic(self.client_id, self.secret)


def product(n):
    return {"name": f"Product {n}", "sku": f"SKU-{n}", "stock": n % 50,
            "price": {"amount": 100 + n * 7 % 100000, "currency": "EUR"}}


def proof_headers(key, method, target, identity):
    """The gateway's identity headers and their proof (x-gatehouse-proof), as
    crates/gatehouse-proto/src/proof.rs signs them: HMAC-SHA256 over
    "gatehouse-proof-v1\\n{t}\\n{method}\\n{target}\\n", then "name=value\\n" for each covered
    header present, in PROOF_SIGNED order; "t={t},s={base64url, unpadded}"."""
    timestamp = int(time.time())
    mac = hmac.new(key.encode(), f"gatehouse-proof-v1\n{timestamp}\n{method}\n{target}\n".encode(),
                   hashlib.sha256)
    for name in PROOF_SIGNED:
        if name in identity:
            mac.update(f"{name}={identity[name]}\n".encode())
    tag = base64.urlsafe_b64encode(mac.digest()).rstrip(b"=").decode()
    return {**identity, "x-gatehouse-proof": f"t={timestamp},s={tag}"}


def header_lines(headers):
    """Headers as wrk's -H takes them."""
    return [f"{name}: {value}" for name, value in headers.items()]


class Gatehouse:
    """One installation: `gatehouse serve` (all-in-one), or gateway, auth and resources as three
    processes (split), on SQLite in a data directory of its own, or on `database_url`."""

    def __init__(self, run, name, binary, *, split=False, database_url=None, redis_url=None):
        self.run = run
        self.name = name
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.admin_secret = secrets.token_urlsafe(24)
        # Shared by the split processes; also what the bench signs direct requests with.
        self.internal_key = secrets.token_urlsafe(48)
        data_dir = run.tmp / name
        data_dir.mkdir()
        # Only this run's settings: none of the caller's GATEHOUSE_* variables, nor PORT (which
        # would move the public listener).
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("GATEHOUSE_") and k != "PORT"}
        env.update({
            "GATEHOUSE_DATA_DIR": str(data_dir),
            "GATEHOUSE_LISTEN": f"127.0.0.1:{self.port}",
            "GATEHOUSE_PUBLIC_URL": self.base,
            "GATEHOUSE_ADMIN_CLIENT_SECRET": self.admin_secret,
            "GATEHOUSE_INTERNAL_KEY": self.internal_key,
            "GATEHOUSE_LOG__FILTER": "error",
            "GATEHOUSE_OPS__DRAIN_SECONDS": "1",
            "GATEHOUSE_GATEWAY__RATE_LIMITS__TENANT_PER_MINUTE": UNLIMITED,
            "GATEHOUSE_GATEWAY__RATE_LIMITS__CLIENT_PER_MINUTE": UNLIMITED,
            "GATEHOUSE_GATEWAY__RATE_LIMITS__TOKEN_ENDPOINT_PER_MINUTE": UNLIMITED,
            "GATEHOUSE_GATEWAY__RATE_LIMITS__OAUTH_PER_MINUTE": UNLIMITED,
            # Lists may be cached for the whole run.
            "GATEHOUSE_RESOURCES__CACHE_MAX_AGE_SECONDS": "3600",
        })
        if database_url:
            env["GATEHOUSE_DATABASE_URL"] = database_url
            env["GATEHOUSE_AUTH__KEY_ENCRYPTION_KEY"] = secrets.token_urlsafe(48)
        if redis_url:
            env["GATEHOUSE_REDIS_URL"] = redis_url
            env["GATEHOUSE_REDIS_NAMESPACE"] = f"bench-{name}-{os.getpid()}"
        self.processes = []
        if split:
            auth_port, self.resources_port = free_port(), free_port()
            env.update({
                "GATEHOUSE_AUTH__LISTEN": f"127.0.0.1:{auth_port}",
                "GATEHOUSE_RESOURCES__LISTEN": f"127.0.0.1:{self.resources_port}",
                "GATEHOUSE_GATEWAY__AUTH_URL": f"http://127.0.0.1:{auth_port}",
                "GATEHOUSE_GATEWAY__RESOURCES_URL": f"http://127.0.0.1:{self.resources_port}",
            })
            roles = ["auth", "resources", "gateway"]
        else:
            self.resources_port = None
            roles = [None]
        for role in roles:
            # The gateway starts last: this is its operators' listener (/metrics).
            self.ops_port = free_port()
            env["GATEHOUSE_OPS__LISTEN"] = f"127.0.0.1:{self.ops_port}"
            argv = [binary, "serve"] + ([role] if role else [])
            label = f"{name}-{role}" if role else name
            self.processes.append(run.processes.start(label, argv, env=dict(env)))
        gateway = self.processes[-1]
        probe = Http(self.port)
        wait_until(gateway, run.processes,
                   lambda: probe.request("GET", "/readyz", expect=None).status == 200,
                   f"Gatehouse ({name})")
        for process in self.processes:
            run.processes.check_alive(process)
        self.http = Http(self.port)
        self.admin_lock = threading.Lock()
        self.admin_fetched = float("-inf")

    @property
    def pid(self):
        return self.processes[-1].pid

    def stop(self):
        for process in reversed(self.processes):
            self.run.processes.stop(process)

    def cache_events(self):
        """The gateway's response-cache counters (hit, miss, store, purge) from /metrics."""
        text = Http(self.ops_port).request("GET", "/metrics").body.decode()
        return {event: float(count) for event, count in re.findall(
            r'^gatehouse_gateway_response_cache_events_total\{event="(\w+)"\} (\S+)$', text, re.M)}

    def cache_hit_share(self, measure):
        """`measure()`, and the share of the gateway's cache lookups meanwhile that hit."""
        before = self.cache_events()
        result = measure()
        after = self.cache_events()
        hits, misses = (after.get(e, 0) - before.get(e, 0) for e in ("hit", "miss"))
        return result, hits / max(hits + misses, 1)

    def admin_token(self):
        """The operator's token, asked for again when 10 minutes old (it lives 15)."""
        with self.admin_lock:
            if time.monotonic() - self.admin_fetched > 600:
                answer = Http(self.port).request(
                    "POST", "/t/system/oauth2/token", body="grant_type=client_credentials",
                    headers={"Authorization": basic("admin", self.admin_secret)})
                self.admin = answer.json()["access_token"]
                self.admin_fetched = time.monotonic()
            return self.admin

    def create_tenant(self, connection, slug):
        answer = connection.request(
            "POST", "/admin/v1/tenants", expect=(201,),
            body={"slug": slug, "display_name": slug, "signing_alg": "ES256"},
            headers={"Authorization": f"Bearer {self.admin_token()}"})
        return answer.json()["id"]

    def create_client(self, connection, tenant, name, **metadata):
        answer = connection.request(
            "POST", f"/t/{tenant}/admin/v1/clients", expect=(201,),
            body={"client_name": name, "scope": "products:read products:write", **metadata},
            headers={"Authorization": f"Bearer {self.admin_token()}"})
        created = answer.json()
        return Client(created["client_id"], created["client_secret"])

    @staticmethod
    def token(connection, tenant, client):
        answer = connection.request("POST", f"/t/{tenant}/oauth2/token", body=TOKEN_FORM,
                                    headers={"Authorization": client.basic})
        return answer.json()["access_token"]

    def dpop_token(self, client, key):
        """A client_credentials token bound to `key` (RFC 9449), and the nonce its proofs carry:
        the first proof learns the nonce (use_dpop_nonce), the second carries it."""
        url = f"{self.base}/t/bench/oauth2/token"
        headers = {"Authorization": client.basic, "DPoP": key.proof("POST", url)}
        refused = self.http.request("POST", "/t/bench/oauth2/token", body=TOKEN_FORM,
                                    headers=headers, expect=(400,))
        nonce = refused.headers.get("dpop-nonce")
        if refused.json().get("error") != "use_dpop_nonce" or not nonce:
            raise BenchError(f"no DPoP nonce from the token endpoint: {refused.body!r}")
        headers["DPoP"] = key.proof("POST", url, nonce=nonce)
        answer = self.http.request("POST", "/t/bench/oauth2/token", body=TOKEN_FORM,
                                   headers=headers).json()
        if answer.get("token_type") != "DPoP":
            raise BenchError(f"the token is not DPoP-bound: {answer}")
        return answer["access_token"], nonce

    @staticmethod
    def create_products(connection, tenant, token, count):
        for n in range(count):
            connection.request("POST", f"/t/{tenant}/api/v1/products", body=product(n),
                               headers={"Authorization": f"Bearer {token}"}, expect=(201,))

    def bench_tenant(self):
        """Tenant "bench": an ES256 tenant with client "bench", PAGE_PRODUCTS products, and that
        client's token."""
        self.create_tenant(self.http, "bench")
        client = self.create_client(self.http, "bench", "bench")
        token = self.token(self.http, "bench", client)
        if jwt_part(token, 0).get("alg") != "ES256":
            raise BenchError(f"the bench tenant's token is not ES256: {jwt_part(token, 0)}")
        self.create_products(self.http, "bench", token, PAGE_PRODUCTS)
        return client, token

    def check_cached_page(self, path, token, items):
        """The page answers 200 with `items` items, and the second read is the gateway's
        cache hit."""
        headers = {"Authorization": f"Bearer {token}"}
        for _ in range(2):
            answer = self.http.request("GET", path, headers=headers)
        found = len(answer.json()["items"])
        if found != items:
            raise BenchError(f"{path} lists {found} items, not {items}")
        if answer.headers.get("x-cache") != "HIT":
            raise BenchError(f"{path} is not a cache hit on its second read "
                             f"(x-cache: {answer.headers.get('x-cache')}, cache-control: "
                             f"{answer.headers.get('cache-control')})")

    def measure_tokens(self, label, client):
        """wrk on tenant "bench"'s token endpoint, as `client`."""
        return run_wrk(label, f"{self.base}/t/bench/oauth2/token",
                       headers=[f"Authorization: {client.basic}"], script="form_post.lua",
                       script_env={"WRK_BODY": TOKEN_FORM})

    def check_introspection(self, client, token):
        answer = self.http.request("POST", "/t/bench/oauth2/introspect", body=f"token={token}",
                                   headers={"Authorization": client.basic})
        if answer.json().get("active") is not True:
            raise BenchError(f"Gatehouse's introspection says the token is inactive: "
                             f"{answer.body[:300]!r}")


# ---------------------------------------------------------------------------------------------
# Peers


def install_once(what, stamp: Path, sources, install):
    """Runs `install` unless `stamp` holds the same bytes as `sources` (lock and requirements
    files) had when it last ran; says what it installs."""
    wanted = b"".join(Path(s).read_bytes() for s in sources)
    if stamp.exists() and stamp.read_bytes() == wanted:
        return
    say(f"make bench: installing {what}")
    install()
    stamp.write_bytes(wanted)


class NodePeer:
    """node-oidc-provider (bench/peers/oidc-provider), run from target/bench/oidc-provider where
    its node_modules are: an ES module finds its packages only beside itself."""

    def __init__(self, run):
        home = STATE / "oidc-provider"
        home.mkdir(parents=True, exist_ok=True)
        source = PEERS / "oidc-provider"
        for name in ("package.json", "package-lock.json", "server.js"):
            shutil.copyfile(source / name, home / name)
        install_once(
            "node-oidc-provider (npm ci, into target/bench/oidc-provider/node_modules)",
            home / "node_modules" / ".bench-installed", [source / "package-lock.json"],
            lambda: subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
                                   cwd=home, check=True, stdout=subprocess.DEVNULL))
        key = subprocess.run(
            ["node", "-e", "const {generateKeyPairSync}=require('crypto');"
             "const {privateKey}=generateKeyPairSync('ec',{namedCurve:'P-256'});"
             "console.log(JSON.stringify({...privateKey.export({format:'jwk'}),"
             "alg:'ES256',use:'sig',kid:'k1'}))"],
            check=True, capture_output=True, text=True).stdout.strip()
        self.port = free_port()
        self.process = run.processes.start(
            "oidc-provider", ["node", "server.js"], cwd=home,
            env={**os.environ, "PORT": str(self.port), "NODE_ENV": "production", "PEER_JWK": key})
        self.http = Http(self.port)
        wait_until(self.process, run.processes,
                   lambda: self.http.request("GET", "/.well-known/openid-configuration",
                                             expect=None).status == 200,
                   "node-oidc-provider")
        self.client = Client("bench", "bench-secret-0123456789")


class FlaskPeer:
    """The Flask stack (bench/peers/flask) under gunicorn, from a venv in target/bench/flask-venv,
    seeded with 1000 products in a SQLite file of this run."""

    def __init__(self, run):
        venv = STATE / "flask-venv"
        requirements = PEERS / "flask" / "requirements.txt"

        def install():
            subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
            subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "-r", str(requirements)],
                           check=True)

        install_once("the Flask stack (pip, into the venv target/bench/flask-venv)",
                     STATE / "flask-venv.installed", [requirements], install)
        env = {**os.environ, "FLASK_APP": "app", "DB": f"sqlite:///{run.tmp / 'flask-peer.db'}",
               "PRODUCTS": "1000", "PYTHONDONTWRITEBYTECODE": "1"}
        subprocess.run([str(venv / "bin" / "flask"), "seed"], cwd=PEERS / "flask", env=env,
                       check=True, stdout=subprocess.DEVNULL)
        self.port = free_port()
        self.process = run.processes.start(
            "flask", [str(venv / "bin" / "gunicorn"), "-w", "4", "-k", "gthread", "--threads",
                      "4", "-b", f"127.0.0.1:{self.port}", "app:app"],
            cwd=PEERS / "flask", env=env)
        self.http = Http(self.port)
        wait_until(self.process, run.processes,
                   lambda: self.http.request("GET", "/", expect=None).status == 404,
                   "the Flask stack")
        answer = self.http.request("POST", "/t/acme/oauth2/token",
                                   body="grant_type=client_credentials",
                                   headers={"Authorization": basic("bench", "bench-secret")})
        self.token = answer.json()["access_token"]


class NginxPeer:
    """nginx proxy_cache (bench/peers/nginx.conf) in front of a Gatehouse gateway."""

    def __init__(self, run, upstream_port):
        home = run.tmp / "nginx"
        (home / "tmp").mkdir(parents=True)
        self.port = free_port()
        conf = (PEERS / "nginx.conf").read_text()
        conf = (conf.replace("@DIR@", str(home))
                .replace("127.0.0.1:9900", f"127.0.0.1:{upstream_port}")
                .replace("127.0.0.1:9903", f"127.0.0.1:{self.port}"))
        (home / "nginx.conf").write_text(conf)
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        # -e: the error log before the configuration is read is ours too, not /var/log/nginx.
        self.process = run.processes.start(
            "nginx", [nginx, "-e", str(home / "error.log"), "-p", str(home),
                      "-c", str(home / "nginx.conf")])
        self.cache = home / "cache"
        self.http = Http(self.port)
        wait_until(self.process, run.processes,
                   lambda: self.http.request("GET", "/healthz", expect=None).status == 200,
                   "nginx")

    def check_cached(self, path, token, items):
        """The page comes through with `items` items and is then in nginx's cache."""
        answer = self.http.request("GET", path, headers={"Authorization": f"Bearer {token}"})
        if len(answer.json()["items"]) != items:
            raise BenchError(f"nginx's {path} lists {len(answer.json()['items'])} items")
        if not any(p.is_file() for p in self.cache.rglob("*")):
            raise BenchError("nginx stored nothing in its proxy_cache")


# ---------------------------------------------------------------------------------------------
# The table


@dataclass
class Row:
    case: str
    ours: Figures
    peer_name: str = ""
    peer: Figures | None = None
    note: str = ""

    def cells(self):
        def figures(f):
            return [f"{f.rps:,.0f}", f"{f.p50:.2f}", f"{f.p99:.2f}"] if f else ["", "", ""]
        ratio = f"{self.ours.rps / self.peer.rps:.2f}" if self.peer else ""
        return [self.case, *figures(self.ours), self.peer_name, *figures(self.peer), ratio,
                self.note]


HEADINGS = ["case", "Gatehouse req/s", "p50 ms", "p99 ms", "compared with", "req/s", "p50 ms",
            "p99 ms", "ratio", "note"]


def markdown_table(headings, rows, numeric):
    widths = [max(len(str(r[i])) for r in [headings, *rows]) for i in range(len(headings))]

    def line(cells):
        return "| " + " | ".join(str(c).rjust(w) if i in numeric else str(c).ljust(w)
                                 for i, (c, w) in enumerate(zip(cells, widths))) + " |"

    rule = "|" + "|".join("-" * (w + 1) + ":" if i in numeric else "-" * (w + 2)
                          for i, w in enumerate(widths)) + "|"
    return "\n".join([line(headings), rule, *(line(r) for r in rows)])


# ---------------------------------------------------------------------------------------------
# The run


class Run:
    def __init__(self, binary):
        self.binary = binary
        self.tmp = Path(tempfile.mkdtemp(prefix="gatehouse-bench."))
        self.processes = Processes(self.tmp)
        self.rows = {}
        self.notes = []
        self.lists = None
        self.databases = []

    def close(self):
        self.processes.stop_all()
        for database in self.databases:
            self.psql(os.environ["GATEHOUSE_TEST_DATABASE_URL"],
                      f"DROP DATABASE IF EXISTS {database}", check=False)
        shutil.rmtree(self.tmp, ignore_errors=True)

    @staticmethod
    def psql(url, sql, check=True):
        subprocess.run(["psql", "-q", "-X", "-v", "ON_ERROR_STOP=1", url, "-c", sql],
                       check=check, capture_output=True)

    def new_database(self, label):
        """A database of its own on the test PostgreSQL server: its URL."""
        server = os.environ.get("GATEHOUSE_TEST_DATABASE_URL", "")
        if not server.startswith(("postgres://", "postgresql://")):
            raise BenchError("GATEHOUSE_TEST_DATABASE_URL is not a PostgreSQL URL: run "
                             "bench.py through scripts/with-test-services.sh (scripts/bench.sh)")
        name = f"gatehouse_bench_{label}_{os.getpid()}"
        self.psql(server, f"CREATE DATABASE {name}")
        self.databases.append(name)
        return urllib.parse.urlunsplit(urllib.parse.urlsplit(server)._replace(path=f"/{name}"))

    # --- peers that need no Gatehouse

    def node_peer(self):
        say("node-oidc-provider")
        node = NodePeer(self)
        auth = {"Authorization": node.client.basic}
        token = node.http.request("POST", "/token", body=TOKEN_FORM,
                                  headers=auth).json()["access_token"]
        if jwt_part(token, 0).get("alg") != "ES256":
            raise BenchError(f"node-oidc-provider's token is not an ES256 JWT: {token[:80]}")
        opaque_form = TOKEN_FORM + "&resource=urn%3Aopaque"
        opaque = node.http.request("POST", "/token", body=opaque_form,
                                   headers=auth).json()["access_token"]
        introspected = node.http.request("POST", "/token/introspection", body=f"token={opaque}",
                                         headers=auth).json()
        if introspected.get("active") is not True:
            raise BenchError(f"node-oidc-provider's introspection says inactive: {introspected}")
        url = f"http://127.0.0.1:{node.port}"
        auth = [f"Authorization: {node.client.basic}"]
        self.node_token = run_wrk("node-oidc-provider: client_credentials token (JWT, ES256)",
                                  f"{url}/token", headers=auth, script="form_post.lua",
                                  script_env={"WRK_BODY": TOKEN_FORM})
        self.node_introspect = run_wrk("node-oidc-provider: introspection of an opaque token",
                                       f"{url}/token/introspection", headers=auth,
                                       script="form_post.lua",
                                       script_env={"WRK_BODY": f"token={opaque}"})
        self.processes.stop(node.process)

    def flask_peer(self):
        say("the Flask stack")
        flask = FlaskPeer(self)
        path = "/t/acme/api/v1/products?page=1&per_page=20"
        answer = flask.http.request("GET", path, headers={"Authorization": f"Bearer {flask.token}"})
        if len(answer.json()["items"]) != PAGE_PRODUCTS:
            raise BenchError(f"the Flask stack's page has {len(answer.json()['items'])} items")
        self.flask_get = run_wrk("Flask stack: cached GET of a 20-product page",
                                 f"http://127.0.0.1:{flask.port}{path}",
                                 headers=[f"Authorization: Bearer {flask.token}"])
        self.processes.stop(flask.process)

    # --- Gatehouse all-in-one on SQLite: the one-tenant cases, nginx, then many tenants

    def all_in_one_sqlite(self):
        say("Gatehouse all-in-one (gatehouse serve), SQLite")
        gh = Gatehouse(self, "all-in-one-sqlite", self.binary)
        client, token = gh.bench_tenant()
        opaque_client = gh.create_client(gh.http, "bench", "bench-opaque",
                                         access_token_format="opaque")
        opaque = gh.token(gh.http, "bench", opaque_client)
        if opaque.count(".") == 2:
            raise BenchError("the opaque client's token is a JWT")
        gh.check_introspection(client, token)
        gh.check_introspection(opaque_client, opaque)
        page = LIST_PATH.format(tenant="bench")
        gh.check_cached_page(page, token, PAGE_PRODUCTS)

        token_figures = gh.measure_tokens("Gatehouse: client_credentials token", client)
        self.rows["token"] = Row("client_credentials token; all-in-one, SQLite", token_figures,
                                 "node-oidc-provider /token (JWT ES256)", self.node_token)
        introspect = f"{gh.base}/t/bench/oauth2/introspect"
        jwt_figures = run_wrk("Gatehouse: introspection of its JWT", introspect,
                              headers=[f"Authorization: {client.basic}"], script="form_post.lua",
                              script_env={"WRK_BODY": f"token={token}"})
        self.rows["introspect-jwt"] = Row(
            "introspection of a JWT access token; all-in-one, SQLite", jwt_figures,
            "node-oidc-provider, opaque token", self.node_introspect,
            "node refuses to introspect JWTs")
        opaque_figures = run_wrk("Gatehouse: introspection of an opaque token", introspect,
                                 headers=[f"Authorization: {opaque_client.basic}"],
                                 script="form_post.lua", script_env={"WRK_BODY": f"token={opaque}"})
        self.rows["introspect-opaque"] = Row(
            "introspection of an opaque access token; all-in-one, SQLite", opaque_figures,
            "node-oidc-provider, opaque token", self.node_introspect)
        get_figures = run_wrk("Gatehouse: cached GET of a 20-product page", f"{gh.base}{page}",
                              headers=[f"Authorization: Bearer {token}"])

        bearer_lua, dpop_figures = self.dpop_get(gh, client, token, page, get_figures.rps)
        self.rows["get-dpop"] = Row(
            "the same cached GET, DPoP-bound token, a new proof each request", dpop_figures,
            "the same GET, Bearer token, same wrk script", bearer_lua,
            "each proof checked: ES256, htu, ath, nonce, jti counted once")

        nginx = NginxPeer(self, gh.port)
        nginx.check_cached(page, token, PAGE_PRODUCTS)
        nginx_figures = run_wrk("nginx proxy_cache in front of the gateway: cached GET",
                                f"http://127.0.0.1:{nginx.port}{page}",
                                headers=[f"Authorization: Bearer {token}"])
        self.processes.stop(nginx.process)
        self.rows["get-nginx"] = Row(
            "cached GET, 20-product page; all-in-one gateway, SQLite", get_figures,
            "nginx proxy_cache in front of it", nginx_figures, "both caches' hits checked")
        self.rows["get-flask"] = Row(
            "the same cached GET", get_figures,
            "Flask stack (gunicorn 4x4, Flask-Caching)", self.flask_get)
        self.many_tenants(gh)
        gh.stop()

    def dpop_get(self, gh, client, bearer, page, bearer_rps):
        """Cached GETs of `page` with a DPoP-bound token, each with a proof of its own, made in
        advance for each pass (half again the Bearer rate, at most DPOP_MAX_RPS); and, as the
        baseline,
        with the `bearer` token through the same wrk script (a Lua request each time)."""
        key = DpopKey()
        token, nonce = gh.dpop_token(client, key)
        url = f"{gh.base}{page}"
        proof = key.proof("GET", url, token=token, nonce=nonce)
        answer = gh.http.request("GET", page, headers={"Authorization": f"DPoP {token}",
                                                       "DPoP": proof})
        if answer.headers.get("x-cache") != "HIT":
            raise BenchError(f"the DPoP GET was not a cache hit: {answer.headers}")

        def lines(make, reuse=False):
            def write(length):
                # A proof's ES256 check bounds a 2-core machine far below this rate.
                count = 1000 if reuse else \
                    int(min(bearer_rps, DPOP_MAX_RPS) * seconds(length) * 1.5) + 1000
                path = self.tmp / "dpop.proofs"
                with path.open("w") as out:
                    for _ in range(count):
                        out.write(make())
                return {"WRK_PROOFS": str(path), "WRK_THREADS": str(THREADS),
                        "WRK_REUSE": "1" if reuse else "0"}
            return write

        bearer_lua = run_wrk("Gatehouse: cached GET with a Bearer token (proofs.lua)",
                             f"{gh.base}/", script="proofs.lua",
                             script_env=lines(lambda: f"{page}\tBearer {bearer}\t-\n",
                                              reuse=True))
        dpop = run_wrk("Gatehouse: cached GET with a DPoP-bound token", f"{gh.base}/",
                       script="proofs.lua", script_env=lines(
                           lambda: f"{page}\tDPoP {token}\t"
                                   f"{key.proof('GET', url, token, nonce)}\n"))
        return bearer_lua, dpop

    def many_tenants(self, gh):
        """TENANTS tenants on the process that served the one-tenant cases: how fast they are
        made, then tokens and cached GETs over all of them against one tenant's figures, measured
        with the same wrk script on the same process before the others exist."""
        # One tenant first, like each of the many: TENANT_PRODUCTS products, the same script.
        gh.create_tenant(gh.http, "solo")
        solo_client = gh.create_client(gh.http, "solo", "bench")
        solo_token = gh.token(gh.http, "solo", solo_client)
        gh.create_products(gh.http, "solo", solo_token, TENANT_PRODUCTS)
        gh.check_cached_page(LIST_PATH.format(tenant="solo"), solo_token, TENANT_PRODUCTS)
        token_env = {"WRK_BODY": TOKEN_FORM}
        solo_token_env = write_targets(self.tmp / "solo-token.targets",
                                       [("/t/solo/oauth2/token", solo_client.basic)])
        solo_get_env = write_targets(self.tmp / "solo-get.targets",
                                     [(LIST_PATH.format(tenant="solo"), f"Bearer {solo_token}")])
        solo_token_figures = run_wrk("Gatehouse: token, one tenant (spread.lua)",
                                     f"{gh.base}/", script="spread.lua",
                                     script_env={**token_env, **solo_token_env})
        solo_get_figures, solo_hits = gh.cache_hit_share(lambda: run_wrk(
            "Gatehouse: cached GET, one tenant (spread.lua)", f"{gh.base}/", script="spread.lua",
            script_env=solo_get_env))
        rss_one = rss_mib(gh.pid)

        say(f"  creating {TENANTS} tenants")
        slugs = [f"t{n:05d}" for n in range(TENANTS)]
        started = time.perf_counter()
        _, took = in_parallel(gh.port, slugs,
                              lambda http, slug: gh.create_tenant(http, slug))
        tenants_figures = self.setup_figures(started, took)
        say(f"    {tenants_figures.rps:,.0f} tenants/s")
        started = time.perf_counter()
        clients, took = in_parallel(gh.port, slugs,
                                    lambda http, slug: gh.create_client(http, slug, "bench"))
        clients_figures = self.setup_figures(started, took)
        say(f"    {clients_figures.rps:,.0f} clients/s")

        say(f"  {TENANT_PRODUCTS} products in each tenant, one token per tenant")

        def seed(http, tenant_and_client):
            slug, client = tenant_and_client
            token = gh.token(http, slug, client)
            gh.create_products(http, slug, token, TENANT_PRODUCTS)
            return token

        tokens, _ = in_parallel(gh.port, list(zip(slugs, clients)), seed)

        def warm(http, slug_and_token):
            """Fills the gateway's cache with the tenant's page, and checks it is a hit."""
            slug, token = slug_and_token
            headers = {"Authorization": f"Bearer {token}"}
            for _ in (1, 2):
                answer = http.request("GET", LIST_PATH.format(tenant=slug), headers=headers)
            if answer.headers.get("x-cache") != "HIT" or \
                    len(answer.json()["items"]) != TENANT_PRODUCTS:
                raise BenchError(f"tenant {slug}'s page is not a {TENANT_PRODUCTS}-item cache hit")

        in_parallel(gh.port, list(zip(slugs, tokens)), warm)

        many_token_env = write_targets(
            self.tmp / "many-token.targets",
            [(f"/t/{slug}/oauth2/token", client.basic) for slug, client in zip(slugs, clients)])
        many_get_env = write_targets(
            self.tmp / "many-get.targets",
            [(LIST_PATH.format(tenant=slug), f"Bearer {token}")
             for slug, token in zip(slugs, tokens)])
        many_token_figures = run_wrk(f"Gatehouse: token, random tenant of {TENANTS}",
                                     f"{gh.base}/", script="spread.lua",
                                     script_env={**token_env, **many_token_env})
        many_get_figures, many_hits = gh.cache_hit_share(lambda: run_wrk(
            f"Gatehouse: cached GET, random tenant of {TENANTS}", f"{gh.base}/",
            script="spread.lua", script_env=many_get_env))
        rss_many = rss_mib(gh.pid)

        self.rows["tenants"] = Row(f"create {TENANTS} tenants (admin API, ES256, "
                                   f"{SETUP_CONNECTIONS} connections), per s", tenants_figures,
                                   note="goal >= 100/s")
        self.rows["clients"] = Row(f"then a client in each (admin API, {SETUP_CONNECTIONS} "
                                   f"connections), per s", clients_figures)
        self.rows["many-token"] = Row(
            f"token, random tenant of {TENANTS}; all-in-one, SQLite", many_token_figures,
            "one tenant, same process, earlier", solo_token_figures,
            "goal within 10% (ratio >= 0.90)")
        self.rows["many-get"] = Row(
            f"cached GET, random tenant of {TENANTS}, {TENANT_PRODUCTS}-product pages",
            many_get_figures, "one tenant, same process, earlier", solo_get_figures,
            "goal within 10% (ratio >= 0.90)")
        self.notes.append(
            f"Resident memory (VmRSS) of the all-in-one SQLite process: {rss_one:,.0f} MiB after "
            f"the one-tenant cases, {rss_many:,.0f} MiB after the {TENANTS}-tenant cases.")
        self.notes.append(
            f"The {TENANTS}-tenant rows and their one-tenant figures both use spread.lua (a "
            f"random target per request), on pages of {TENANT_PRODUCTS} products, not "
            f"{PAGE_PRODUCTS}: seeding {PAGE_PRODUCTS} in every tenant would take minutes. "
            f"Gateway cache hits during those GET passes: {many_hits:.1%} over {TENANTS} "
            f"tenants, {solo_hits:.1%} for one.")

    @staticmethod
    def setup_figures(started, took):
        elapsed = time.perf_counter() - started
        return Figures(len(took) / elapsed, percentile(took, 0.5) * 1000,
                       percentile(took, 0.99) * 1000)

    # --- all-in-one on PostgreSQL

    def all_in_one_postgres(self):
        say("Gatehouse all-in-one (gatehouse serve), PostgreSQL")
        gh = Gatehouse(self, "all-in-one-postgres", self.binary,
                       database_url=self.new_database("all_in_one"))
        client, _ = gh.bench_tenant()
        figures = gh.measure_tokens("Gatehouse: client_credentials token", client)
        self.rows["token-postgres"] = Row("client_credentials token; all-in-one, PostgreSQL",
                                          figures, "node-oidc-provider /token (JWT ES256)",
                                          self.node_token)
        gh.stop()

    # --- split on SQLite: the gateway's own cost, and the list latency

    def split_sqlite(self):
        say("Gatehouse split (serve gateway, serve auth, serve resources), SQLite")
        gh = Gatehouse(self, "split-sqlite", self.binary, split=True)
        client, token = gh.bench_tenant()
        page = LIST_PATH.format(tenant="bench")
        answer = gh.http.request("GET", page, headers={"Authorization": f"Bearer {token}",
                                                        "Cache-Control": "no-cache"})
        if answer.headers.get("x-cache") == "HIT":
            raise BenchError("a GET with Cache-Control: no-cache was a cache hit")
        identity = self.identity(token)
        direct = Http(gh.resources_port)
        answer = direct.request("GET", page,
                                headers=proof_headers(gh.internal_key, "GET", page, identity))
        if len(answer.json()["items"]) != PAGE_PRODUCTS:
            raise BenchError("the resource service's page differs from the gateway's")

        uncached = run_wrk("Gatehouse split: uncached GET through the gateway", f"{gh.base}{page}",
                           headers=[f"Authorization: Bearer {token}", "Cache-Control: no-cache"])
        direct_figures = run_wrk(
            "Gatehouse split: the same GET on the resource service directly",
            f"http://127.0.0.1:{gh.resources_port}{page}",
            headers=lambda: header_lines(proof_headers(gh.internal_key, "GET", page, identity)))
        self.rows["uncached"] = Row(
            "uncached GET (no-cache) through the gateway; split, SQLite", uncached,
            "resource service directly (proof)", direct_figures, "goal >= 0.90")
        if LISTS:
            self.list_latency(gh, identity)
        gh.stop()

    @staticmethod
    def identity(token):
        """The headers the gateway sets for this token (forward.rs, request.rs)."""
        claims = jwt_part(token, 1)
        tenant = claims["iss"].rsplit("/t/", 1)[1]
        return {
            "authorization": f"Bearer {token}",
            "x-gatehouse-tenant": tenant,
            "x-gatehouse-tenant-id": claims["tid"],
            "x-gatehouse-token-tenant": tenant,
            "x-gatehouse-subject": claims["sub"],
            "x-gatehouse-client-id": claims["client_id"],
            "x-gatehouse-scope": claims["scope"],
            "x-gatehouse-client-address": "127.0.0.1",
        }

    def list_latency(self, gh, identity):
        """LIST_PRODUCTS products posted to the resource service directly, then the latency
        of page 1, the last page by offset, and pages by cursor, one request at a time."""
        tenant = identity["x-gatehouse-tenant"]
        path = f"/t/{tenant}/api/v1/products"
        say(f"  {LIST_PRODUCTS} products for the list latency")
        writer = {**identity, "x-gatehouse-scope": "products:write"}

        def post(http, n):
            http.request("POST", path, body=product(PAGE_PRODUCTS + n), expect=(201,),
                         headers=proof_headers(gh.internal_key, "POST", path, writer))

        in_parallel(gh.resources_port, range(LIST_PRODUCTS), post)
        direct = Http(gh.resources_port)

        def get(target):
            headers = proof_headers(gh.internal_key, "GET", target, identity)
            return direct.request("GET", target, headers=headers).json()

        count = get(f"{path}?per_page=1")["total"]
        per_page = PAGE_PRODUCTS
        deep_page = count // per_page
        deep_cursor = get(f"{path}?per_page={per_page}&page={deep_page - 1}")["next_cursor"]
        first_cursor = get(f"{path}?per_page={per_page}&page=1")["next_cursor"]
        cases = [
            ("page 1 (page=1, with total)", f"{path}?per_page={per_page}"),
            (f"deep page (page={deep_page}, offset)",
             f"{path}?per_page={per_page}&page={deep_page}"),
            ("page 2 by cursor", f"{path}?per_page={per_page}&cursor={first_cursor}"),
            (f"page {deep_page} by cursor", f"{path}?per_page={per_page}&cursor={deep_cursor}"),
        ]
        figures = []
        for label, target in cases:
            figures.append(run_wrk(
                f"list: {label}", f"http://127.0.0.1:{gh.resources_port}{target}",
                connections=LIST_CONNECTIONS, threads=1,
                headers=lambda target=target: header_lines(
                    proof_headers(gh.internal_key, "GET", target, identity))))
        self.lists = (count, cases, figures)

    # --- split with Redis on PostgreSQL

    def split_redis_postgres(self):
        say("Gatehouse split with Redis, PostgreSQL")
        gh = Gatehouse(self, "split-redis-postgres", self.binary, split=True,
                       database_url=self.new_database("split"),
                       redis_url=os.environ["GATEHOUSE_TEST_REDIS_URL"])
        client, token = gh.bench_tenant()
        page = LIST_PATH.format(tenant="bench")
        gh.check_cached_page(page, token, PAGE_PRODUCTS)
        token_figures = gh.measure_tokens("Gatehouse split+Redis: client_credentials token",
                                          client)
        get_figures = run_wrk("Gatehouse split+Redis: cached GET of a 20-product page",
                              f"{gh.base}{page}", headers=[f"Authorization: Bearer {token}"])
        self.rows["token-split-redis"] = Row(
            "client_credentials token; split + Redis, PostgreSQL", token_figures,
            "all-in-one, SQLite (row 1)", self.rows["token"].ours)
        self.rows["get-split-redis"] = Row(
            "cached GET, 20-product page; split + Redis, PostgreSQL", get_figures,
            "all-in-one, SQLite (row 5)", self.rows["get-nginx"].ours, "X-Cache: HIT checked")
        gh.stop()

    # --- report

    def report(self, started):
        order = ["token", "token-postgres", "introspect-jwt", "introspect-opaque", "get-nginx",
                 "get-flask", "get-dpop", "uncached", "token-split-redis", "get-split-redis", "tenants",
                 "clients", "many-token", "many-get"]
        rows = [self.rows[key].cells() for key in order]
        numeric = {1, 2, 3, 5, 6, 7, 8}
        commit = subprocess.run(["git", "-C", str(REPO), "describe", "--always", "--dirty"],
                                capture_output=True, text=True).stdout.strip() or "unknown"
        header = (f"{os.cpu_count()} cores; wrk -t{THREADS} -c{CONNECTIONS} -d{DURATION} --latency "
                  f"after a {WARMUP} warm-up pass, load generator on the same machine; "
                  f"Gatehouse binary {self.binary} (checkout {commit}), ES256 tokens; "
                  f"{time.strftime('%Y-%m-%d %H:%M')}, {(time.time() - started) / 60:.1f} min. "
                  f"Ratios compare figures of this run only (ratio = Gatehouse req/s / the "
                  f"other's).")
        parts = [header, "", markdown_table(HEADINGS, rows, numeric), ""]
        parts += [f"- {note}" for note in self.notes]
        if self.lists:
            count, cases, figures = self.lists
            first = figures[0]
            parts += ["", f"Lists of {count} products, {PAGE_PRODUCTS} per page, on the resource "
                          f"service directly (split, SQLite; wrk -t1 -c{LIST_CONNECTIONS}):", ""]
            list_rows = [[label, f"{f.rps:,.0f}", f"{f.p50:.2f}", f"{f.p99:.2f}",
                          f"{f.p50 / first.p50:.2f}"] for (label, _), f in zip(cases, figures)]
            parts.append(markdown_table(["list request", "req/s", "p50 ms", "p99 ms",
                                         "p50 vs page 1"], list_rows, {1, 2, 3, 4}))
        text = "\n".join(parts) + "\n"
        print("\n" + text)
        STATE.mkdir(parents=True, exist_ok=True)
        (STATE / "results.md").write_text("# make bench\n\n" + text)
        say(f"written to {(STATE / 'results.md').relative_to(REPO)}")


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: bench.py GATEHOUSE_BINARY (see scripts/bench.sh)")
    binary = str(Path(sys.argv[1]).resolve())
    if not os.access(binary, os.X_OK):
        sys.exit(f"bench: no executable Gatehouse binary at {binary}")
    # wrk re-sends the headers of a direct request, proof and all, for a whole pass.
    if max(seconds(DURATION), seconds(WARMUP)) > PROOF_MAX_SKEW_SECONDS - 5:
        sys.exit(f"bench: BENCH_DURATION and BENCH_WARMUP must stay within "
                 f"{PROOF_MAX_SKEW_SECONDS - 5} s: a direct request's proof, signed before the "
                 f"pass, is good for {PROOF_MAX_SKEW_SECONDS} s")
    # SIGTERM (and SIGHUP) end the run like Ctrl-C: servers stopped, temporary files removed.
    def stopped(received, _frame):
        say(f"\nbench stopped by signal {received}")
        sys.exit(128 + received)

    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, stopped)
    started = time.time()
    run = Run(binary)
    try:
        run.node_peer()
        run.flask_peer()
        run.all_in_one_sqlite()
        run.all_in_one_postgres()
        run.split_sqlite()
        run.split_redis_postgres()
        run.report(started)
    except BenchError as error:
        say(f"\nbench failed: {error}")
        sys.exit(1)
    except KeyboardInterrupt:
        say("\nbench interrupted")
        sys.exit(130)
    finally:
        run.close()


if __name__ == "__main__":
    main()
