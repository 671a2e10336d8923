#!/usr/bin/env python3
"""`make soak`'s load driver: sets up a tenant through the admin API of a running split
deployment, drives a mixed load against its gateways, and reports what happened.

Run by scripts/soak.sh, which starts the deployment and passes it in the environment:
SOAK_DEPLOYMENT (a TSV file: kind, name, pid, port, ops port of every process),
SOAK_GATEWAYS (the gateways' base URLs, space-separated), SOAK_ADMIN_SECRET, SOAK_SECONDS,
SOAK_WARMUP, SOAK_MIX, SOAK_BINARY, SOAK_REDIS_LABEL, SOAK_REDIS_URL, SOAK_LOGS (the processes'
log directory), SOAK_RESULTS (where the Markdown report goes).

Standard library only. Each kind of request runs in a process of its own (so that one
Python's GIL does not pace the others), as SOAK_MIX concurrent loops (threads), each with a
keep-alive connection to every gateway, taking the gateways in turn request by request. Every
loop runs from the start of the warm-up to the end of the measured window; only requests that
start inside the window are counted. Latencies are the client's: from sending the request to
having read the whole answer.
"""

import base64
import collections
import hashlib
import html
import http.client
import json
import multiprocessing
import os
import queue
import random
import re
import secrets
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
TENANT = "soak"
PASSWORD = "soak test password 0123456789"
REDIRECT = "https://app.example/callback"
CC_SCOPE = "products:read products:write"
APP_SCOPE = "openid products:read"
LIST = f"/t/{TENANT}/api/v1/products"
CACHED_PATH = f"{LIST}?per_page=20"
SEED_PRODUCTS = 20
# A token is asked for again when this old (they live 15 minutes).
TOKEN_REFRESH_SECONDS = 600
HTTP_TIMEOUT = 30
SAMPLE_SECONDS = 5
# GATEHOUSE_REDIS_NAMESPACE of every process (scripts/soak.sh).
NAMESPACE = os.environ.get("SOAK_REDIS_NAMESPACE", "soak")
MIB = 1024 * 1024

# The rows of the report, in order: (key, label). Every one but "flow" is one HTTP request.
ROWS = [
    ("token", "client_credentials token (POST /oauth2/token)"),
    ("cached", "cached GET (same list page)"),
    ("uncached", "uncached GET (no-cache, varying query)"),
    ("post", "write: POST product"),
    ("patch", "write: PATCH product"),
    ("delete", "write: DELETE product"),
    ("pages", "sign-in pages (authorize, login, consent)"),
    ("exchange", "sign-in: code exchange (POST /oauth2/token)"),
]
FLOW = ("flow", "sign-in, whole flow (not in the total)")
MIX_KINDS = ("token", "cached", "uncached", "write", "signin")


class SoakError(Exception):
    """The run cannot go on: says why."""


def say(message):
    print(message, file=sys.stderr, flush=True)


def env(name):
    value = os.environ.get(name)
    if value is None:
        raise SoakError(f"{name} is not set (run scripts/soak.sh, not this file)")
    return value


def parse_mix(text):
    mix = {kind: 0 for kind in MIX_KINDS}
    for part in filter(None, (p.strip() for p in text.split(","))):
        kind, _, count = part.partition("=")
        if kind not in mix or not count.isdigit():
            raise SoakError(f"SOAK_MIX: cannot read {part!r} (kinds: {', '.join(MIX_KINDS)}; "
                            f"e.g. token=2,cached=4)")
        mix[kind] = int(count)
    if not any(mix.values()):
        raise SoakError("SOAK_MIX runs no loop at all")
    return mix


def basic(user, password):
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def redact(url):
    """A Redis URL without its password."""
    return re.sub(r"//[^@/]*@", "//…@", url)


# ---------------------------------------------------------------------------------------------
# HTTP


class Answer:
    __slots__ = ("status", "headers", "body")

    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def json(self):
        return json.loads(self.body)


class Gateways:
    """Keep-alive connections to every gateway, used in turn, one request after another."""

    def __init__(self, bases, start=0):
        self.targets = [urllib.parse.urlsplit(b) for b in bases]
        self.connections = [None] * len(self.targets)
        self.turn = start % len(self.targets)

    def request(self, method, path, *, body=None, headers=None, gateway=None):
        index = self.turn if gateway is None else gateway
        if gateway is None:
            self.turn = (self.turn + 1) % len(self.targets)
        connection = self.connections[index]
        if connection is None:
            target = self.targets[index]
            connection = http.client.HTTPConnection(target.hostname, target.port,
                                                    timeout=HTTP_TIMEOUT)
            self.connections[index] = connection
        headers = dict(headers or {})
        if isinstance(body, (dict, list)):
            body = json.dumps(body)
            headers.setdefault("Content-Type", "application/json")
        elif isinstance(body, str):
            headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        if body is not None:
            body = body.encode()
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            received = {}
            for name, value in response.getheaders():
                name = name.lower()
                # Repeated fields (Set-Cookie) are kept one per line.
                received[name] = f"{received[name]}\n{value}" if name in received else value
            answer = Answer(response.status, received, response.read())
        except Exception:
            connection.close()
            self.connections[index] = None
            raise
        if answer.headers.get("connection", "").lower() == "close":
            connection.close()
            self.connections[index] = None
        return answer

    def close(self):
        for connection in self.connections:
            if connection is not None:
                connection.close()


# ---------------------------------------------------------------------------------------------
# Set-up through the admin API


def expect(answer, statuses, what):
    if answer.status not in statuses:
        raise SoakError(f"{what}: {answer.status} {answer.body[:400]!r}")
    return answer


def settled(call, statuses, what, timeout=15.0):
    """`call()` until its answer has one of `statuses`: a change made through one auth
    instance reaches the other within its directory poll (a second)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            answer = call()
            if answer.status in statuses or time.monotonic() > deadline:
                return expect(answer, statuses, what)
        except (OSError, http.client.HTTPException) as error:
            if time.monotonic() > deadline:
                raise SoakError(f"{what}: {error!r}") from error
        time.sleep(0.2)


def client_token(gw, client, **kwargs):
    form = urllib.parse.urlencode({"grant_type": "client_credentials", "scope": CC_SCOPE})
    return gw.request("POST", f"/t/{TENANT}/oauth2/token", body=form,
                        headers={"Authorization": basic(*client)}, **kwargs)


def product(n, tag):
    return {"name": f"Soak product {tag}-{n}", "description": "made by make soak",
            "sku": f"SOAK-{tag}-{n}", "stock": 10 + n % 90,
            "price": {"amount": 100 + (n * 37) % 100000, "currency": "EUR"}}


def set_up(bases, admin_secret, users):
    """Tenant `soak`, a client_credentials client, an app for the code flow, `users` users,
    SEED_PRODUCTS products; then checks that the gateways share a cache and that a user signs
    in. Returns what the loops need."""
    gw = Gateways(bases)
    say("set-up: the operator's token, tenant soak, two clients, "
        f"{users} user{'s' if users != 1 else ''}, {SEED_PRODUCTS} products")
    form = "grant_type=client_credentials"
    answer = settled(lambda: gw.request("POST", "/t/system/oauth2/token", body=form,
                                          headers={"Authorization": basic("admin", admin_secret)}),
                     (200,), "the operator's token (client admin of tenant system)")
    admin = {"Authorization": f"Bearer {answer.json()['access_token']}"}
    settled(lambda: gw.request("POST", "/admin/v1/tenants", headers=admin,
                                 body={"slug": TENANT, "display_name": "Soak test"}),
            (201,), "creating tenant soak")
    machine = settled(lambda: gw.request(
        "POST", f"/t/{TENANT}/admin/v1/clients", headers=admin,
        body={"client_name": "soak machine", "grant_types": ["client_credentials"],
              "scope": CC_SCOPE, "token_endpoint_auth_method": "client_secret_basic"}),
        (201,), "registering the client_credentials client").json()
    app = settled(lambda: gw.request(
        "POST", f"/t/{TENANT}/admin/v1/clients", headers=admin,
        body={"client_name": "soak app", "grant_types": ["authorization_code"],
              "redirect_uris": [REDIRECT], "scope": APP_SCOPE,
              "token_endpoint_auth_method": "client_secret_basic"}),
        (201,), "registering the app (authorization code)").json()
    usernames = [f"soak-user-{n}" for n in range(1, users + 1)]
    for username in usernames:
        settled(lambda username=username: gw.request(
            "POST", f"/t/{TENANT}/admin/v1/users", headers=admin,
            body={"username": username, "password": PASSWORD,
                  "email": f"{username}@example.com"}),
            (201,), f"creating user {username}")
    machine_client = (machine["client_id"], machine["client_secret"])
    token = settled(lambda: client_token(gw, machine_client), (200,),
                    "a client_credentials token").json()["access_token"]
    bearer = {"Authorization": f"Bearer {token}"}
    for n in range(SEED_PRODUCTS):
        settled(lambda n=n: gw.request("POST", LIST, headers=bearer, body=product(n, "seed")),
                (201,), "creating a product")

    # Both gateways see the same cache: a page stored through one is a hit through the other.
    expect(gw.request("GET", CACHED_PATH, headers=bearer, gateway=0), (200,), "GET products")
    second = expect(gw.request("GET", CACHED_PATH, headers=bearer, gateway=1), (200,),
                    "GET products")
    if second.headers.get("x-cache") != "HIT":
        raise SoakError("a page read through gateway 1 is not a cache hit through gateway 2 "
                        f"(x-cache: {second.headers.get('x-cache')}): the gateways do not share "
                        "their cache; is Redis reachable? (see the gateways' logs)")
    app_client = (app["client_id"], app["client_secret"])
    steps, outcome = sign_in(gw, app_client, usernames[0])
    if outcome != "ok":
        raise SoakError(f"the set-up's sign-in failed: {outcome}")
    gw.close()
    say(f"set-up: checked a shared cache hit across the gateways and a sign-in ({steps} pages)")
    return {"machine": machine_client, "app": app_client, "users": usernames}


# ---------------------------------------------------------------------------------------------
# The loops


class Tally:
    """One loop's figures: per row, the latencies (ms) of requests that started inside the
    window, their errors by status, and the cached reads' X-Cache answers."""

    def __init__(self, window):
        self.start, self.end = window
        self.latencies = collections.defaultdict(list)
        self.errors = collections.defaultdict(collections.Counter)
        self.samples = collections.defaultdict(list)
        self.cache = collections.Counter()

    def counted(self, started):
        return self.start <= started < self.end

    def timed(self, row, gw, method, path, ok, **kwargs):
        """One request through `gw`; counted under `row` when it started in the window.
        Returns the answer, or None when it failed (an unexpected status or no answer)."""
        wall = time.time()
        began = time.perf_counter()
        try:
            answer = gw.request(method, path, **kwargs)
        except (OSError, http.client.HTTPException) as error:
            self.failed(row, wall, type(error).__name__, f"{method} {path}: {error!r}")
            return None
        took = (time.perf_counter() - began) * 1000
        if not self.counted(wall):
            return answer if answer.status in ok else None
        self.latencies[row].append(took)
        if answer.status not in ok:
            self.failed(row, wall, str(answer.status),
                        f"{method} {path}: {answer.status} {answer.body[:300]!r}")
            return None
        return answer

    def failed(self, row, wall, key, sample):
        if self.counted(wall):
            self.errors[row][key] += 1
            if len(self.samples[row]) < 3:
                self.samples[row].append(sample)

    def merge(self, other):
        for row, values in other["latencies"].items():
            self.latencies[row].extend(values)
        for row, counter in other["errors"].items():
            self.errors[row].update(counter)
        for row, samples in other["samples"].items():
            self.samples[row].extend(samples[: max(0, 3 - len(self.samples[row]))])
        self.cache.update(other["cache"])

    def export(self):
        return {"latencies": dict(self.latencies), "errors": dict(self.errors),
                "samples": dict(self.samples), "cache": self.cache}


class TokenHolder:
    """A client_credentials token for a loop, asked for again when ten minutes old."""

    def __init__(self, tally, gw, client):
        self.tally, self.gw, self.client = tally, gw, client
        self.value, self.fetched = None, float("-inf")

    def headers(self):
        if time.monotonic() - self.fetched > TOKEN_REFRESH_SECONDS or self.value is None:
            form = urllib.parse.urlencode({"grant_type": "client_credentials", "scope": CC_SCOPE})
            answer = self.tally.timed("token", self.gw, "POST", f"/t/{TENANT}/oauth2/token",
                                      (200,), body=form,
                                      headers={"Authorization": basic(*self.client)})
            if answer is None:
                return None
            self.value, self.fetched = answer.json()["access_token"], time.monotonic()
        return {"Authorization": f"Bearer {self.value}"}


def loop_token(tally, gw, ctx, _index, until):
    form = urllib.parse.urlencode({"grant_type": "client_credentials", "scope": CC_SCOPE})
    headers = {"Authorization": basic(*ctx["machine"])}
    while time.time() < until:
        tally.timed("token", gw, "POST", f"/t/{TENANT}/oauth2/token", (200,), body=form,
                    headers=headers)


def loop_cached(tally, gw, ctx, _index, until):
    token = TokenHolder(tally, gw, ctx["machine"])
    while time.time() < until:
        headers = token.headers()
        if headers is None:
            time.sleep(0.1)
            continue
        wall = time.time()
        answer = tally.timed("cached", gw, "GET", CACHED_PATH, (200,), headers=headers)
        if answer is not None and tally.counted(wall):
            tally.cache[answer.headers.get("x-cache", "none").upper()] += 1


SORTS = ("created_at", "-created_at", "name", "-price", "sku", "stock,-name", "-updated_at")


def loop_uncached(tally, gw, ctx, _index, until):
    token = TokenHolder(tally, gw, ctx["machine"])
    rng = random.Random()
    while time.time() < until:
        headers = token.headers()
        if headers is None:
            time.sleep(0.1)
            continue
        query = {"per_page": rng.randint(1, 50), "sort": rng.choice(SORTS)}
        if rng.random() < 0.3:
            query["q"] = f"product seed-{rng.randint(0, SEED_PRODUCTS - 1)}"
        if rng.random() < 0.3:
            query["min_price"] = rng.randint(0, 5000)
        path = f"{LIST}?{urllib.parse.urlencode(query)}"
        tally.timed("uncached", gw, "GET", path, (200,),
                    headers={**headers, "Cache-Control": "no-cache"})


def loop_write(tally, gw, ctx, index, until):
    """POST a product, PATCH it, DELETE it: each write purges the tenant's cached pages, and
    the catalogue stays the same size however long the run."""
    token = TokenHolder(tally, gw, ctx["machine"])
    tag = f"{os.getpid()}-{index}"
    n = 0
    while time.time() < until:
        headers = token.headers()
        if headers is None:
            time.sleep(0.1)
            continue
        n += 1
        created = tally.timed("post", gw, "POST", LIST, (201,), headers=headers,
                              body=product(n, tag))
        if created is None:
            continue
        item = f"{LIST}/{created.json()['id']}"
        tally.timed("patch", gw, "PATCH", item, (200,), headers=headers,
                    body={"stock": n % 1000, "description": f"changed {n}"})
        # A product left behind by a failed PATCH is still deleted.
        tally.timed("delete", gw, "DELETE", item, (204,), headers=headers)


class Browser:
    """A person's browser: its own cookies, no redirects followed."""

    def __init__(self):
        self.cookies = {}

    def headers(self, extra=None):
        headers = dict(extra or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return headers

    def keep(self, answer):
        for line in answer.headers.get("set-cookie", "").splitlines():
            name, _, value = line.split(";", 1)[0].strip().partition("=")
            if name:
                self.cookies[name] = value


def form_fields(page):
    fields = {}
    for name in ("request_id", "csrf"):
        match = re.search(rf'name="{name}" value="([^"]*)"', page)
        if match is None:
            return None
        fields[name] = html.unescape(match.group(1))
    return fields


def sign_in(gw, app, username, timed=None):
    """The authorization code flow with PKCE as a browser and an app run it: authorize (login
    page), the login form, the consent form when asked, the redirect with the code, the code
    exchange. `timed(row, method, path, ok, ...)` makes each request (and counts it), else
    `gw` does. Returns the number of pages and "ok", or what failed."""
    browser = Browser()
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()) \
        .rstrip(b"=").decode()
    state = secrets.token_urlsafe(16)
    query = urllib.parse.urlencode({
        "response_type": "code", "client_id": app[0], "redirect_uri": REDIRECT,
        "scope": APP_SCOPE, "state": state, "nonce": secrets.token_urlsafe(16),
        "code_challenge": challenge, "code_challenge_method": "S256"})

    def send(row, method, path, ok, **kwargs):
        if timed is not None:
            return timed(row, method, path, ok, **kwargs)
        answer = gw.request(method, path, **kwargs)
        return answer if answer.status in ok else None

    page = send("pages", "GET", f"/t/{TENANT}/oauth2/authorize?{query}", (200,),
                headers=browser.headers())
    if page is None:
        return 1, "authorize did not answer the login page"
    browser.keep(page)
    fields = form_fields(page.body.decode(errors="replace"))
    if fields is None or 'name="password"' not in page.body.decode(errors="replace"):
        return 1, "authorize's page is no login form"
    answer = send("pages", "POST", f"/t/{TENANT}/oauth2/login", (200, 303),
                  body=urllib.parse.urlencode({**fields, "username": username,
                                               "password": PASSWORD}),
                  headers=browser.headers())
    pages = 2
    if answer is None:
        return pages, "the login form was refused"
    browser.keep(answer)
    if answer.status == 200:
        text = answer.body.decode(errors="replace")
        fields = form_fields(text)
        if fields is None or 'value="approve"' not in text:
            return pages, "the login form answered a page that is no consent form (wrong password?)"
        answer = send("pages", "POST", f"/t/{TENANT}/oauth2/consent", (303,),
                      body=urllib.parse.urlencode({**fields, "decision": "approve"}),
                      headers=browser.headers())
        pages += 1
        if answer is None:
            return pages, "the consent form was refused"
    location = answer.headers.get("location", "")
    if not location.startswith(REDIRECT):
        return pages, f"redirected elsewhere than the app: {location[:200]}"
    params = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(location).query))
    if params.get("state") != state or "code" not in params:
        return pages, f"the redirect carries no code or another state: {location[:200]}"
    form = urllib.parse.urlencode({"grant_type": "authorization_code", "code": params["code"],
                                   "redirect_uri": REDIRECT, "code_verifier": verifier})
    tokens = send("exchange", "POST", f"/t/{TENANT}/oauth2/token", (200,), body=form,
                  headers={"Authorization": basic(*app)})
    if tokens is None:
        return pages, "the code exchange was refused"
    if "access_token" not in tokens.json():
        return pages, "the code exchange gave no access token"
    return pages, "ok"


def loop_signin(tally, gw, ctx, index, until):
    username = ctx["users"][index % len(ctx["users"])]

    def record(row, method, path, ok, **kwargs):
        return tally.timed(row, gw, method, path, ok, **kwargs)

    while time.time() < until:
        wall = time.time()
        began = time.perf_counter()
        _, outcome = sign_in(gw, ctx["app"], username, record)
        if not tally.counted(wall):
            continue
        if outcome == "ok":
            tally.latencies["flow"].append((time.perf_counter() - began) * 1000)
        else:
            tally.errors["flow"][outcome] += 1
            if outcome.startswith("the login form answered"):
                # A status the pages row does not see: count it there too.
                tally.failed("pages", wall, "login page again", outcome)


LOOPS = {"token": loop_token, "cached": loop_cached, "uncached": loop_uncached,
         "write": loop_write, "signin": loop_signin}


def run_kind(kind, loops, offset, ctx, bases, window, until, results):
    """A worker process: `loops` threads of one kind; puts its Tally's figures on `results`."""
    # Ctrl-C reaches the driver, which stops this process with SIGTERM.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    tally = Tally(window)
    failures = []

    def thread(index):
        gw = Gateways(bases, start=index)
        try:
            LOOPS[kind](tally, gw, ctx, offset + index, until)
        except Exception as error:  # noqa: BLE001 - reported as the loop's failure
            failures.append(f"{kind} loop {index}: {error!r}")
        finally:
            gw.close()

    threads = [threading.Thread(target=thread, args=(i,), daemon=True) for i in range(loops)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    results.put((kind, tally.export(), failures))


# ---------------------------------------------------------------------------------------------
# Processes: memory, Redis errors, logs


class Process:
    def __init__(self, kind, name, pid, port, ops):
        self.kind, self.name, self.pid, self.port = kind, name, int(pid), int(port)
        self.ops = None if ops == "-" else int(ops)
        self.rss = []  # (time, bytes)
        self.dead = False

    def sample(self, when):
        try:
            for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    self.rss.append((when, int(line.split()[1]) * 1024))
                    return
        except OSError:
            pass
        self.dead = True

    def redis_errors(self):
        """gatehouse_redis_errors_total from the process's /metrics (None: unreadable)."""
        if self.ops is None:
            return None
        try:
            connection = http.client.HTTPConnection("127.0.0.1", self.ops, timeout=5)
            connection.request("GET", "/metrics")
            text = connection.getresponse().read().decode(errors="replace")
            connection.close()
        except (OSError, http.client.HTTPException):
            return None
        total = 0.0
        for match in re.finditer(r"^gatehouse_redis_errors(?:_total)?(?:\{[^}]*\})? (\S+)$",
                                 text, re.M):
            total += float(match.group(1))
        return total

    def log_levels(self, logs):
        """Counts of WARN and ERROR lines in its JSON log, and a few distinct messages."""
        counts = collections.Counter()
        messages = collections.Counter()
        path = Path(logs) / f"{self.name}.log"
        if not path.exists():
            return counts, messages
        for line in path.read_text(errors="replace").splitlines():
            try:
                entry = json.loads(line)
            except ValueError:
                if line.strip():
                    counts["other"] += 1
                continue
            level = str(entry.get("level", "")).upper()
            if level in ("WARN", "ERROR"):
                counts[level] += 1
                fields = entry.get("fields", {})
                messages[f"{level} {entry.get('target', '')}: "
                         f"{fields.get('message', '')}"[:200]] += 1
        return counts, messages


def redis_cli(port, *args):
    try:
        done = subprocess.run(["redis-cli", "-h", "127.0.0.1", "-p", str(port), *args],
                              capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.SubprocessError) as error:
        say(f"redis-cli -p {port} {' '.join(args)}: {error}")
        return ""
    return done.stdout


def redis_report(nodes):
    """Per node: role, keys, memory, and the keys of the primaries grouped by their first four
    ':'-separated parts (namespace, gh, and the hash tag {kind:tenant} or kind:tenant)."""
    rows = []
    for node in nodes:
        info = redis_cli(node.port, "info")
        fields = dict(line.split(":", 1) for line in info.splitlines() if ":" in line)
        role = "primary" if fields.get("role", "").strip() == "master" else "replica"
        keys = redis_cli(node.port, "dbsize").strip()
        families = collections.Counter()
        if role == "primary":
            # Keys may hold a newline (the response cache's): only lines that begin with the
            # namespace begin a key.
            prefix = f"{NAMESPACE}:"
            for line in redis_cli(node.port, "--scan", "--pattern", f"{prefix}*").splitlines()[:200000]:
                if line.startswith(prefix):
                    families[":".join(line.split(":")[:4])] += 1
        state = ""
        if fields.get("cluster_enabled", "0").strip() == "1":
            cluster = redis_cli(node.port, "cluster", "info")
            state = re.search(r"cluster_state:(\w+)", cluster)
            state = state.group(1) if state else "?"
        rows.append((node, role, keys, fields.get("used_memory_human", "?").strip(), families,
                     state))
    return rows


# ---------------------------------------------------------------------------------------------
# Report


def percentile(ordered, fraction):
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def markdown_table(headings, rows, right):
    cells = [headings] + rows
    widths = [max(len(str(r[i])) for r in cells) for i in range(len(headings))]

    def line(row):
        return "| " + " | ".join(str(c).rjust(widths[i]) if i in right else str(c).ljust(widths[i])
                                 for i, c in enumerate(row)) + " |"

    rule = "| " + " | ".join(("-" * (w - 1) + ":") if i in right else "-" * w
                             for i, w in enumerate(widths)) + " |"
    return "\n".join([line(headings), rule] + [line(r) for r in rows])


def statuses(counter):
    return ", ".join(f"{k}: {v}" for k, v in counter.most_common()) or ""


def figure_row(label, latencies, errors, seconds, note=""):
    ordered = sorted(latencies)
    count = len(ordered)
    failed = sum(errors.values())
    return [label, f"{count:,}", f"{count / seconds:,.1f}",
            f"{percentile(ordered, 0.5):.1f}" if count else "–",
            f"{percentile(ordered, 0.99):.1f}" if count else "–",
            f"{failed:,}", statuses(errors), note]


def mib(value):
    return f"{value / MIB:,.1f}"


def main():
    bases = env("SOAK_GATEWAYS").split()
    seconds = int(env("SOAK_SECONDS"))
    warmup = int(env("SOAK_WARMUP"))
    mix = parse_mix(env("SOAK_MIX"))
    logs = env("SOAK_LOGS")
    results_path = Path(env("SOAK_RESULTS"))
    processes = [Process(*line.split("\t")) for line in
                 Path(env("SOAK_DEPLOYMENT")).read_text().splitlines() if line.strip()]
    gatehouse = [p for p in processes if p.kind == "gatehouse"]
    redis_nodes = [p for p in processes if p.kind == "redis"]

    ctx = set_up(bases, env("SOAK_ADMIN_SECRET"), max(mix["signin"], 1))
    errors_before = {p.name: p.redis_errors() for p in gatehouse}

    begin = time.time() + 0.5
    window = (begin + warmup, begin + warmup + seconds)
    say(f"load: {warmup} s warm-up, then {seconds} s measured; loops {env('SOAK_MIX')}; "
        f"gateways {' '.join(bases)}")
    mp = multiprocessing.get_context("fork")
    results = mp.Queue()
    workers = []
    for kind in MIX_KINDS:
        if mix[kind]:
            worker = mp.Process(target=run_kind, name=f"soak-{kind}",
                                args=(kind, mix[kind], 0, ctx, bases, window, window[1], results),
                                daemon=True)
            worker.start()
            workers.append(worker)
    try:
        time.sleep(max(0.0, window[0] - time.time()))
        say("load: warm-up over, measuring")
        next_sample = window[0]
        next_progress = window[0] + 30
        # Redis is looked at once, near the end but while the load still runs (cache entries
        # and rate budgets expire soon after it stops).
        redis_at = window[0] + seconds * 0.9
        redis_rows = None
        while True:
            now = time.time()
            if redis_nodes and redis_rows is None and now >= redis_at:
                redis_rows = redis_report(redis_nodes)
            if now >= next_sample:
                for p in processes:
                    if not p.dead:
                        p.sample(now)
                        if p.dead:
                            say(f"load: {p.name} (pid {p.pid}) exited")
                next_sample += SAMPLE_SECONDS
            if now >= window[1]:
                break
            if now >= next_progress:
                say(f"load: {now - window[0]:.0f} s of {seconds}")
                next_progress += 30
            time.sleep(min(0.5, max(0.0, min(next_sample, window[1]) - time.time())))
        for p in processes:
            if not p.dead:
                p.sample(time.time())
        say("load: done, waiting for requests in flight")
        tally = Tally(window)
        loop_failures = []
        # A loop ends with the request it is in (HTTP_TIMEOUT at most, a sign-in a few of them).
        deadline = time.monotonic() + HTTP_TIMEOUT * 4 + 30
        reported = set()
        while len(reported) < len(workers):
            try:
                kind, figures, failures = results.get(timeout=1)
            except queue.Empty:
                silent = [w for w in workers if w.name not in reported]
                if all(w.exitcode not in (None, 0) for w in silent):
                    raise SoakError("load process(es) died without a report: " + ", ".join(
                        f"{w.name} (exit code {w.exitcode})" for w in silent)) from None
                if time.monotonic() > deadline:
                    raise SoakError("load process(es) did not report in time: " + ", ".join(
                        w.name for w in silent)) from None
                continue
            reported.add(f"soak-{kind}")
            tally.merge(figures)
            loop_failures += failures
        for worker in workers:
            worker.join(timeout=10)
    finally:
        for worker in workers:
            if worker.is_alive():
                worker.terminate()
    errors_after = {p.name: p.redis_errors() for p in gatehouse}

    # --- the tables
    rows = []
    total_latencies, total_errors = [], collections.Counter()
    for key, label in ROWS:
        note = ""
        if key == "cached":
            looked = sum(tally.cache.values())
            if looked:
                note = f"X-Cache HIT {tally.cache['HIT'] / looked:.0%}"
        rows.append(figure_row(label, tally.latencies[key], tally.errors[key], seconds, note))
        total_latencies += tally.latencies[key]
        total_errors.update(tally.errors[key])
    rows.append(figure_row("**total (HTTP requests)**", total_latencies, total_errors, seconds))
    rows.append(figure_row(FLOW[1], tally.latencies["flow"], tally.errors["flow"], seconds))

    memory_rows = []
    for p in processes:
        start = p.rss[0][1] if p.rss else None
        end = p.rss[-1][1] if p.rss else None
        peak = max((v for _, v in p.rss), default=None)
        before, after = errors_before.get(p.name), errors_after.get(p.name)
        if p.kind == "gatehouse":
            redis_errors = "?" if before is None or after is None else f"{after - before:.0f}"
            counts, _ = p.log_levels(logs)
            logged = f"{counts['WARN']} / {counts['ERROR']}"
        else:
            redis_errors, logged = "–", "–"
        memory_rows.append([
            p.name, str(p.pid),
            mib(start) if start is not None else "–", mib(end) if end is not None else "–",
            mib(peak) if peak is not None else "–",
            f"{(end - start) / MIB:+,.1f}" if start is not None and end is not None else "–",
            redis_errors, logged, "exited" if p.dead else "running"])

    commit = subprocess.run(["git", "-C", str(REPO), "describe", "--always", "--dirty"],
                            capture_output=True, text=True).stdout.strip() or "unknown"
    header = (f"{time.strftime('%Y-%m-%d %H:%M')}; {os.cpu_count()} cores, load driver on the "
              f"same machine; binary {env('SOAK_BINARY')} (checkout {commit}). Split deployment on "
              f"loopback: 2 gateways, 2 auth, 2 resources, PostgreSQL; "
              f"{env('SOAK_REDIS_LABEL')}, GATEHOUSE_REDIS_URL={redact(env('SOAK_REDIS_URL'))}. "
              f"{seconds} s measured after a {warmup} s warm-up; concurrent loops "
              f"{env('SOAK_MIX')} (one process per kind, each loop taking the two gateways in "
              f"turn); rate limits raised out of the way. Latency is the client's, in ms.")
    parts = [header, "",
             markdown_table(["request", "count", "req/s", "p50 ms", "p99 ms", "errors",
                             "errors by status", "notes"], rows, {1, 2, 3, 4, 5}),
             "",
             "Processes: resident memory (VmRSS, MiB) when the warm-up ended, at the end, and "
             f"the peak of readings every {SAMPLE_SECONDS} s; Redis operations that failed "
             "during the load (gatehouse_redis_errors_total); WARN / ERROR lines logged over "
             "the whole run.",
             "",
             markdown_table(["process", "pid", "RSS start", "RSS end", "RSS peak", "change",
                             "Redis errors", "log WARN / ERROR", "state"], memory_rows,
                            {1, 2, 3, 4, 5, 6})]
    if redis_nodes:
        table = []
        for node, role, keys, memory, families, state in redis_rows or redis_report(redis_nodes):
            top = ", ".join(f"`{name}` {count}" for name, count in families.most_common(8))
            table.append([node.name, str(node.port), role, keys, memory, state or "–",
                          top or "–"])
        parts += ["", "Redis at 90% of the measured load: keys per node and, on the primaries, "
                      "by prefix (the first four ':'-separated parts: namespace, `gh`, then the "
                      "hash tag `{kind:tenant}` or `kind:tenant`).", "",
                  markdown_table(["node", "port", "role", "keys", "used_memory", "cluster_state",
                                  "keys by prefix"], table, {1, 3})]

    problems = []
    failed_requests = sum(total_errors.values()) + sum(tally.errors["flow"].values())
    if failed_requests:
        problems.append(f"{failed_requests} request(s) or sign-in(s) failed")
    if not total_latencies:
        problems.append("no request was measured")
    if mix["cached"] and not tally.cache["HIT"]:
        problems.append("no cached GET was a cache hit")
    for row in memory_rows:
        if row[6] not in ("0", "–"):
            problems.append(f"{row[0]}: Redis errors during the load: {row[6]}")
        if row[8] == "exited":
            problems.append(f"{row[0]} exited")
    problems += loop_failures
    notes = []
    for key, label in ROWS + [FLOW]:
        for sample in tally.samples.get(key, []):
            notes.append(f"{label}: {sample}")
    for p in gatehouse:
        _, messages = p.log_levels(logs)
        for message, count in messages.most_common(3):
            notes.append(f"{p.name} logged {count}× {message}")
    if notes:
        parts += ["", "Examples of failures and of what the processes logged:", ""]
        parts += [f"- {n}" for n in notes[:40]]
    parts += ["", "**Result: " + ("FAILED** — " + "; ".join(problems) if problems
                                  else "passed** — no request failed, no Redis error, no "
                                       "process exited.")]
    text = "\n".join(parts) + "\n"
    print("\n" + text)
    results_path.parent.mkdir(parents=True, exist_ok=True)
    results_path.write_text("# make soak\n\n" + text)
    say(f"written to {results_path}")
    return 1 if problems else 0


if __name__ == "__main__":
    def stopped(received, _frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stopped)
    try:
        sys.exit(main())
    except SoakError as error:
        say(f"soak failed: {error}")
        sys.exit(1)
    except KeyboardInterrupt:
        say("soak interrupted")
        sys.exit(130)
