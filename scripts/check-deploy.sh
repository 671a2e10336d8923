#!/usr/bin/env bash
# Checks the deployment files under deploy/ (and the root .dockerignore) without deploying or
# building anything: no cargo, no container build, no network but PyPI (and Debian's packages
# if systemd-analyze is missing).
#
#   scripts/check-deploy.sh
#
# What it runs (deploy/README.md, "Checking the files", says the same):
#   - yamllint --strict with deploy/.yamllint on every YAML file under deploy/;
#   - check-jsonschema against the Compose Specification schema vendored in check-jsonschema
#     (--builtin-schema vendor.compose-spec: from the PyPI package, not fetched), on
#     compose.yaml, on each option beside it (compose.redis-cluster.yaml, …) alone, and on each
#     option merged into compose.yaml as `docker compose -f compose.yaml -f <option>` merges;
#   - the compose files' wiring (each option merged): Prometheus scrapes every Gatehouse
#     process, the collector's pipeline uses only defined parts, the .env it reads is
#     git-ignored; an option that changes Redis gives every Gatehouse process the same
#     GATEHOUSE_REDIS_URL of its kind, naming services that have health checks (a cluster: six
#     nodes and a one-shot `redis-cli --cluster create`; Sentinel: three Sentinels);
#   - Kubernetes: renders base/ and every overlay with `kubectl kustomize` (or a `kustomize`
#     binary) and validates every rendered object with kubernetes-validate --strict against
#     Kubernetes 1.30 and the newest schema it has; without either renderer, validates each
#     complete manifest file alone instead. Then the project's rules on the rendered objects
#     (probes, security context, resources, secrets by reference, PDB/HPA/Service per
#     Deployment, NetworkPolicy), the Redis Cluster's (overlays/redis-cluster), and that every
#     overlay patch targets an object below it;
#   - systemd: `systemd-analyze verify` of copies of the units whose ExecStart points at a stub
#     (verify insists that the binary exists; the real one is not built here), any warning
#     about them counting as a failure; and `systemd-analyze security --offline` with an
#     exposure threshold;
#   - JSON: python -m json.tool on the ECS task definition and app.json, then their required
#     fields (Fargate, non-root, secrets by ARN; add-ons and generated secrets), the Procfile,
#     and the Cloud Run YAML's shape;
#   - the Dockerfile copies every workspace member's manifest; the .dockerignore keeps target/
#     and .git/ out;
#   - every GATEHOUSE_* variable in deploy/ is one the binary reads; the example env files hold
#     placeholders only, and the real env files are git-ignored;
#   - the key-encryption key (GATEHOUSE_AUTH__KEY_ENCRYPTION_KEY) reaches the auth role and
#     all-in-one `serve` as a secret, and not the gateway, resources or migration (compose,
#     Kubernetes, systemd env files, ECS, Cloud Run, Heroku's generated secrets).
#
# Environment: DEPLOY_VENV (default target/deploy-venv), the Python venv with the checkers;
# CHECK_DEPLOY_RENDERER=kubectl|kustomize|none forces a Kubernetes renderer (none: per file).
# Exits 1 if any check failed, after running them all.
set -euo pipefail

cd "$(dirname "$0")/.."
root=$PWD
venv=${DEPLOY_VENV:-$root/target/deploy-venv}
work=$(mktemp -d "${TMPDIR:-/tmp}/check-deploy.XXXXXX")
trap 'rm -rf "$work"' EXIT

passed=0
failed=0
failures=()

# check NAME COMMAND...: runs COMMAND, prints its output only when it fails.
check() {
    local name=$1
    shift
    local log="$work/log"
    if "$@" >"$log" 2>&1; then
        passed=$((passed + 1))
        printf 'ok    %s\n' "$name"
        # What it found, in one line (everything with CHECK_DEPLOY_VERBOSE=1).
        if [ -s "$log" ]; then
            if [ "${CHECK_DEPLOY_VERBOSE:-0}" = 1 ]; then sed 's/^/      /' "$log"; else tail -n 1 "$log" | sed 's/^/      /'; fi
        fi
    else
        failed=$((failed + 1))
        failures+=("$name")
        printf 'FAIL  %s\n' "$name"
        sed 's/^/      /' "$log"
    fi
}

die() {
    printf 'check-deploy: %s\n' "$*" >&2
    exit 1
}

[ -d deploy ] || die "no deploy/ directory in $root"

# --- tools ------------------------------------------------------------------------------------
echo "== tools"
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv" || die "cannot create the Python venv $venv (python3 -m venv)"
fi
py=$venv/bin/python
if ! "$py" -c 'import yamllint, check_jsonschema, kubernetes_validate, yaml' 2>/dev/null; then
    "$py" -m pip install --quiet --disable-pip-version-check \
        'kubernetes-validate>=1.30' 'check-jsonschema>=0.28' 'yamllint>=1.35' \
        || die "pip install kubernetes-validate check-jsonschema yamllint failed (is PyPI reachable?)"
fi
if ! command -v systemd-analyze >/dev/null 2>&1; then
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "systemd-analyze missing: installing Debian's systemd package"
        { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends systemd; } \
            >"$work/apt.log" 2>&1 || { cat "$work/apt.log"; die "apt-get install systemd failed"; }
    else
        die "systemd-analyze is missing: install the systemd package"
    fi
fi
renderer=${CHECK_DEPLOY_RENDERER:-}
if [ -z "$renderer" ]; then
    if command -v kubectl >/dev/null 2>&1 && kubectl kustomize --help >/dev/null 2>&1; then
        renderer=kubectl
    elif command -v kustomize >/dev/null 2>&1; then
        renderer=kustomize
    else
        renderer=none
    fi
fi
k8s_versions="1.30.0 $("$py" -c 'import kubernetes_validate.utils as u; print(u.latest_version())' 2>/dev/null || echo 1.37.0)"
echo "python venv: $venv"
"$venv/bin/yamllint" --version
"$venv/bin/check-jsonschema" --version
"$venv/bin/kubernetes-validate" --version
systemd-analyze --version | head -1
case $renderer in
    kubectl) echo "kustomize renderer: kubectl kustomize ($(kubectl version --client 2>/dev/null | grep -i kustomize || echo '?'))" ;;
    kustomize) echo "kustomize renderer: $(kustomize version 2>/dev/null)" ;;
    none) echo "kustomize renderer: none found (kubectl, kustomize): validating manifest files one by one" ;;
    *) die "CHECK_DEPLOY_RENDERER must be kubectl, kustomize or none" ;;
esac
echo "Kubernetes schema versions: $k8s_versions"

# Python helpers shared by several checks: one file, one subcommand per check.
cat >"$work/checks.py" <<'PY'
import glob
import json
import os
import re
import sys

import yaml

ROOT = os.getcwd()

# Every configuration variable the binary reads (the deployment contract with crates/gatehouse).
ALLOWED_VARS = {
    "GATEHOUSE_LISTEN", "GATEHOUSE_PUBLIC_URL", "GATEHOUSE_DATA_DIR", "GATEHOUSE_DATABASE_URL",
    "GATEHOUSE_REDIS_URL", "GATEHOUSE_REDIS_NAMESPACE", "GATEHOUSE_INTERNAL_KEY",
    "GATEHOUSE_ADMIN_CLIENT_SECRET", "GATEHOUSE_LOG__FORMAT", "GATEHOUSE_LOG__FILTER",
    "GATEHOUSE_AUTH__LISTEN", "GATEHOUSE_RESOURCES__LISTEN", "GATEHOUSE_GATEWAY__AUTH_URL",
    "GATEHOUSE_GATEWAY__RESOURCES_URL", "GATEHOUSE_GATEWAY__TRUSTED_PROXIES",
    "GATEHOUSE_OPS__LISTEN", "GATEHOUSE_TELEMETRY__OTLP_ENDPOINT",
    "GATEHOUSE_TELEMETRY__SAMPLING_RATIO", "GATEHOUSE_AUTH__KEY_ENCRYPTION_KEY",
    # Older key-encryption keys during a rotation (deploy/README.md documents it; no file sets it).
    "GATEHOUSE_AUTH__PREVIOUS_KEY_ENCRYPTION_KEYS",
}
# The key-encryption key seals the tenants' signing keys in the database: the auth role (and
# all-in-one `serve`) only, never the gateway, the resource service or the migration.
KEK = "GATEHOUSE_AUTH__KEY_ENCRYPTION_KEY"
SECRET_VARS = {"GATEHOUSE_DATABASE_URL", "GATEHOUSE_REDIS_URL", "GATEHOUSE_INTERNAL_KEY",
               "GATEHOUSE_ADMIN_CLIENT_SECRET", KEK, "GATEHOUSE_AUTH__PREVIOUS_KEY_ENCRYPTION_KEYS"}
# The secrets an all-in-one `serve` (ECS, Cloud Run) must be given.
ALL_IN_ONE_SECRETS = {"GATEHOUSE_DATABASE_URL", "GATEHOUSE_REDIS_URL", "GATEHOUSE_INTERNAL_KEY",
                      "GATEHOUSE_ADMIN_CLIENT_SECRET", KEK}
ROLES = {"gateway": 8080, "auth": 8081, "resources": 8082}
PLACEHOLDER = re.compile(r"change-me", re.I)

errors = []


def fail(msg):
    errors.append(msg)


def load_all(path):
    with open(path) as f:
        return [d for d in yaml.safe_load_all(f) if d is not None]


def finish(what):
    for e in errors:
        print(f"error: {e}")
    if errors:
        sys.exit(1)
    print(what)


# --- variables and secret hygiene ------------------------------------------------------------
def cmd_vars():
    files = [p for p in glob.glob("deploy/**/*", recursive=True) + glob.glob("deploy/**/.*", recursive=True)
             if os.path.isfile(p)]
    used = {}
    for p in sorted(set(files)):
        with open(p, errors="replace") as f:
            text = f.read()
        for m in re.finditer(r"\bGATEHOUSE_[A-Z0-9_]*[A-Z0-9]", text):
            used.setdefault(m.group(0), set()).add(p)
    for var, where in sorted(used.items()):
        if var not in ALLOWED_VARS:
            fail(f"{var} is not a variable the binary reads (in {', '.join(sorted(where))})")
    # Example env files: every secret is a placeholder.
    for p in glob.glob("deploy/**/*.example", recursive=True) + glob.glob("deploy/**/.env.example", recursive=True):
        with open(p) as f:
            for n, line in enumerate(f, 1):
                line = line.strip()
                if not line or line.startswith("#") or "=" not in line:
                    continue
                key, value = line.split("=", 1)
                secretish = key in SECRET_VARS or key.endswith("_PASSWORD")
                if secretish and not PLACEHOLDER.search(value):
                    fail(f"{p}:{n}: {key} holds a value that is not a change-me placeholder")
                if key == KEK and p.startswith("deploy/systemd/") and os.path.basename(p) != "auth.env.example":
                    fail(f"{p}:{n}: {KEK} belongs in auth.env (the auth unit only), not in a file other roles read")
    with open("deploy/systemd/auth.env.example") as f:
        if not re.search(rf"^{KEK}=", f.read(), re.M):
            fail(f"deploy/systemd/auth.env.example: no {KEK}")
    finish(f"{len(used)} GATEHOUSE_* variables, all known: " + " ".join(sorted(used)))


# --- compose ---------------------------------------------------------------------------------
def merge_compose(base, override, path=()):
    """An override file merged into the base as `docker compose -f base -f override` does, for
    what these files use: mappings merged key by key; command, entrypoint and healthcheck.test
    replaced; a service's volumes unique by target; other sequences appended."""
    if isinstance(base, dict) and isinstance(override, dict):
        merged = dict(base)
        for key, value in override.items():
            merged[key] = merge_compose(base[key], value, path + (key,)) if key in base else value
        return merged
    if isinstance(base, list) and isinstance(override, list):
        if path[-1:] in (("command",), ("entrypoint",)) or path[-2:] == ("healthcheck", "test"):
            return override
        if len(path) == 3 and path[0] == "services" and path[2] == "volumes":
            def target(v):
                return v.split(":")[1] if isinstance(v, str) else v.get("target")
            replaced = {target(v) for v in override}
            return [v for v in base if target(v) not in replaced] + override
        return base + override
    return override


def compose_files():
    """compose.yaml, then each override beside it (compose.<variant>.yaml) merged into it."""
    base = yaml.safe_load(open("deploy/compose/compose.yaml"))
    yield "deploy/compose/compose.yaml", base, [open("deploy/compose/compose.yaml").read()]
    for path in sorted(glob.glob("deploy/compose/compose.*.yaml")):
        override = yaml.safe_load(open(path))
        yield path, merge_compose(base, override), [open("deploy/compose/compose.yaml").read(), open(path).read()]


def cmd_compose_merged(out_dir):
    """Writes each override merged into compose.yaml, for the schema check."""
    for path, merged, _ in compose_files():
        if path.endswith("/compose.yaml"):
            continue
        with open(os.path.join(out_dir, os.path.basename(path)), "w") as f:
            yaml.safe_dump(merged, f, sort_keys=False)
    finish("merged: " + " ".join(p for p, _, _ in compose_files() if not p.endswith("/compose.yaml")))


def cmd_compose():
    labels = []
    for path, c, texts in compose_files():
        compose_checks(path, c, texts)
        labels.append(os.path.basename(path))
    finish("compose wiring checked in " + ", ".join(labels))


def compose_checks(where, c, texts):
    services = c["services"]
    gatehouse = {n: s for n, s in services.items() if str(s.get("image", "")).find("gatehouse") >= 0
                 and "build" in s}
    servers = {n for n, s in gatehouse.items() if s.get("command", [None])[0] == "serve"}
    for role in ROLES:
        if len([n for n in servers if services[n]["command"][1] == role]) < 2:
            fail(f"{where}: fewer than two '{role}' services")
    for n in servers:
        s = services[n]
        if "--no-migrate" not in s["command"]:
            fail(f"{where}: {n} runs without --no-migrate")
        dep = s.get("depends_on", {})
        if n.startswith(("auth", "resources")) and dep.get("migrate", {}).get("condition") != "service_completed_successfully":
            fail(f"{where}: {n} does not wait for migrate (service_completed_successfully)")
        if dep.get("redis", {}).get("condition") != "service_healthy":
            fail(f"{where}: {n} does not wait for a healthy redis")
        if s.get("env_file") != ".env":
            fail(f"{where}: {n} has no env_file .env")
        if s.get("environment", {}).get("GATEHOUSE_OPS__LISTEN") != "0.0.0.0:9090":
            fail(f"{where}: {n} has no GATEHOUSE_OPS__LISTEN=0.0.0.0:9090")
        kek = str(s.get("environment", {}).get(KEK, ""))
        if s["command"][1] == "auth" and not kek.startswith("${" + KEK + ":?"):
            fail(f"{where}: {n} does not require {KEK} from .env (${{{KEK}:?...}})")
        if s["command"][1] != "auth" and kek:
            fail(f"{where}: {n} sets {KEK}, which only the auth role needs")
    if services.get("migrate", {}).get("command") != ["migrate"]:
        fail(f"{where}: no one-shot migrate service")
    if services["migrate"].get("depends_on", {}).get("postgres", {}).get("condition") != "service_healthy":
        fail(f"{where}: migrate does not wait for a healthy postgres")
    for infra in ("postgres", "redis"):
        if "healthcheck" not in services.get(infra, {}):
            fail(f"{where}: {infra} has no healthcheck")
    # Prometheus scrapes each ops listener.
    prom = yaml.safe_load(open("deploy/compose/prometheus.yml"))
    targets = {t for job in prom["scrape_configs"] for sc in job.get("static_configs", []) for t in sc["targets"]}
    for n in servers:
        if f"{n}:9090" not in targets:
            fail(f"prometheus.yml: {n}:9090 is not scraped")
    for t in targets:
        host = t.split(":")[0]
        if host != "localhost" and host not in services:
            fail(f"prometheus.yml: target {t} is no compose service")
    # The collector's pipelines use defined receivers/processors/exporters; traces reach Jaeger.
    otel = yaml.safe_load(open("deploy/compose/otel-collector.yaml"))
    for name, p in otel["service"]["pipelines"].items():
        for kind in ("receivers", "processors", "exporters"):
            for part in p.get(kind, []):
                if part not in (otel.get(kind) or {}):
                    fail(f"otel-collector.yaml: pipeline {name} uses undefined {kind[:-1]} {part}")
    if not any(str(e.get("endpoint", "")).startswith("jaeger:") for e in otel["exporters"].values()):
        fail("otel-collector.yaml: no exporter to jaeger")
    # Every ${VAR:?} (or ${VAR}) the files use is in .env.example.
    required = set()
    for text in texts:
        required |= set(re.findall(r"(?<!\$)\$\{([A-Z0-9_]+)(?::\?|\})", text))
    example = {l.split("=", 1)[0] for l in open("deploy/compose/.env.example") if re.match(r"^[A-Z0-9_]+=", l)}
    for v in sorted(required - example):
        fail(f"{where}: uses ${{{v}}} but .env.example does not set it")
    # Every service a depends_on names exists.
    for n, s in services.items():
        for dep in (s.get("depends_on") or {}):
            if dep not in services:
                fail(f"{where}: {n} depends on {dep}, which is no service")
    if not where.endswith("/compose.yaml"):
        compose_redis_checks(where, services, servers)
    print(f"{where}: {len(services)} services; {len(servers)} Gatehouse servers scraped")


def redis_url_hosts(url):
    """The host names of a redis(-cluster|-sentinel)://[userinfo@]host:port,host:port[/...] URL."""
    rest = url.split("://", 1)[1]
    rest = rest.rsplit("@", 1)[-1]
    rest = re.split(r"[/?]", rest, maxsplit=1)[0]
    return [h.rsplit(":", 1)[0] for h in rest.split(",")]


def compose_redis_checks(where, services, servers):
    """An override that changes Redis: every Gatehouse process gets the same new URL, naming
    services of the file that have a health check."""
    expected = {"compose.redis-cluster.yaml": "redis-cluster://",
                "compose.redis-sentinel.yaml": "redis-sentinel://"}.get(os.path.basename(where))
    urls = {n: str(services[n].get("environment", {}).get("GATEHOUSE_REDIS_URL", ""))
            for n in sorted(servers | {"migrate"})}
    if len(set(urls.values())) != 1:
        fail(f"{where}: the Gatehouse services have different GATEHOUSE_REDIS_URLs: {urls}")
    url = next(iter(urls.values()))
    if expected and not url.startswith(expected):
        fail(f"{where}: GATEHOUSE_REDIS_URL is not a {expected} URL: {url}")
    for host in redis_url_hosts(url):
        if host not in services:
            fail(f"{where}: GATEHOUSE_REDIS_URL names {host}, which is no service")
        elif "healthcheck" not in services[host]:
            fail(f"{where}: {host} (in GATEHOUSE_REDIS_URL) has no healthcheck")
    commands = {n: " ".join(map(str, s.get("command") or [])) for n, s in services.items()}
    if expected == "redis-cluster://":
        nodes = [n for n, c in commands.items() if "cluster-enabled yes" in c]
        if len(nodes) != 6:
            fail(f"{where}: {len(nodes)} cluster nodes, not 6: {nodes}")
        inits = [n for n, c in commands.items() if "--cluster create" in c and "--cluster-replicas 1" in c]
        if len(inits) != 1 or services[inits[0]].get("restart") != "no":
            fail(f"{where}: no one-shot service running redis-cli --cluster create --cluster-replicas 1")
        else:
            for node in nodes:
                if node not in (services[inits[0]].get("depends_on") or {}):
                    fail(f"{where}: {inits[0]} does not wait for {node}")
        if "cluster_state:ok" not in " ".join(map(str, services["redis"]["healthcheck"]["test"])):
            fail(f"{where}: redis, which the Gatehouse services wait for, is healthy before the cluster is")
    if expected == "redis-sentinel://":
        sentinels = [n for n, c in commands.items() if "sentinel monitor gatehouse " in c]
        if len(sentinels) < 3:
            fail(f"{where}: {len(sentinels)} Sentinels monitoring 'gatehouse', fewer than 3")
        if not re.search(r"/gatehouse(/\d+)?(\?|$)", url):
            fail(f"{where}: GATEHOUSE_REDIS_URL does not name the master set gatehouse")
        for n in servers:
            deps = services[n].get("depends_on") or {}
            for sentinel in sentinels:
                if deps.get(sentinel, {}).get("condition") != "service_healthy":
                    fail(f"{where}: {n} does not wait for a healthy {sentinel}")


# --- Kubernetes rules on rendered objects -----------------------------------------------------
def by_kind(docs, kind):
    return {d["metadata"]["name"]: d for d in docs if d.get("kind") == kind}


def pod_checks(where, spec, container_names=None):
    pod = spec["template"]["spec"]
    if pod.get("enableServiceLinks") is not False:
        fail(f"{where}: enableServiceLinks must be false (service links become GATEHOUSE_* variables)")
    if pod.get("automountServiceAccountToken") is not False:
        fail(f"{where}: automountServiceAccountToken must be false")
    psc = pod.get("securityContext", {})
    if psc.get("runAsNonRoot") is not True:
        fail(f"{where}: pod securityContext.runAsNonRoot must be true")
    if not isinstance(psc.get("runAsUser"), int) or psc["runAsUser"] == 0:
        fail(f"{where}: pod securityContext.runAsUser must be a non-zero number")
    vols = {v["name"]: v for v in pod.get("volumes", [])}
    for c in pod["containers"]:
        cw = f"{where} container {c['name']}"
        sc = c.get("securityContext", {})
        if sc.get("readOnlyRootFilesystem") is not True:
            fail(f"{cw}: readOnlyRootFilesystem must be true")
        if sc.get("allowPrivilegeEscalation") is not False:
            fail(f"{cw}: allowPrivilegeEscalation must be false")
        if sc.get("capabilities", {}).get("drop") != ["ALL"]:
            fail(f"{cw}: capabilities.drop must be [ALL]")
        if not isinstance(sc.get("runAsUser", psc.get("runAsUser")), int):
            fail(f"{cw}: runAsUser must be numeric")
        res = c.get("resources", {})
        for k in ("requests", "limits"):
            for r in ("cpu", "memory"):
                if r not in res.get(k, {}):
                    fail(f"{cw}: resources.{k}.{r} missing")
        mounts = {m["mountPath"]: m["name"] for m in c.get("volumeMounts", [])}
        if mounts.get("/tmp") not in vols or "emptyDir" not in vols.get(mounts.get("/tmp"), {}):
            fail(f"{cw}: /tmp is not an emptyDir")
        for e in c.get("env", []):
            if not e["name"].startswith("GATEHOUSE_"):
                fail(f"{cw}: env {e['name']} is not a GATEHOUSE_* variable")
            if e["name"] in SECRET_VARS and "secretKeyRef" not in e.get("valueFrom", {}):
                fail(f"{cw}: {e['name']} must come from a Secret (secretKeyRef)")
            if "value" in e and e["name"] in SECRET_VARS:
                fail(f"{cw}: {e['name']} has an inline value")
        for ef in c.get("envFrom", []):
            if not ("configMapRef" in ef or "secretRef" in ef):
                fail(f"{cw}: envFrom neither a ConfigMap nor a Secret")
    return pod


def cmd_k8s_rules(path, expect_overlay, label):
    docs = load_all(path)
    deployments = by_kind(docs, "Deployment")
    services, pdbs, hpas = by_kind(docs, "Service"), by_kind(docs, "PodDisruptionBudget"), by_kind(docs, "HorizontalPodAutoscaler")
    policies, jobs, cms = by_kind(docs, "NetworkPolicy"), by_kind(docs, "Job"), by_kind(docs, "ConfigMap")
    for d in docs:
        if d.get("kind") == "Secret":
            fail(f"{path}: a Secret ({d['metadata']['name']}) is rendered: secrets are created outside git")
    for cm in cms.values():
        for k, v in (cm.get("data") or {}).items():
            if k in SECRET_VARS:
                fail(f"ConfigMap {cm['metadata']['name']}: {k} is a secret")
    for role, port in ROLES.items():
        name = f"gatehouse-{role}"
        d = deployments.get(name)
        if d is None:
            fail(f"no Deployment {name}")
            continue
        where = f"Deployment {name}"
        pod = pod_checks(where, d["spec"])
        if "replicas" in d["spec"]:
            fail(f"{where}: spec.replicas is set although an HPA scales it (kubectl apply would reset it)")
        tgp = pod.get("terminationGracePeriodSeconds", 30)
        if tgp <= 10:
            fail(f"{where}: terminationGracePeriodSeconds {tgp} is not longer than the 10 s drain")
        (c,) = [c for c in pod["containers"] if c["name"] == role]
        if c.get("args") != ["serve", role, "--no-migrate"]:
            fail(f"{where}: args {c.get('args')} != serve {role} --no-migrate")
        has_kek = any(e["name"] == KEK for e in c.get("env", []))
        if role == "auth" and not has_kek:
            fail(f"{where}: no {KEK} (secretKeyRef to the Secret gatehouse)")
        if role != "auth" and has_kek:
            fail(f"{where}: {KEK} is given to the {role} role, which does not need it")
        ports = {p["name"]: p["containerPort"] for p in c.get("ports", [])}
        if ports.get("ops") != 9090 or ports.get("http") != port:
            fail(f"{where}: ports {ports}, expected http {port} and ops 9090")
        for probe, path_ in (("readinessProbe", "/readyz"), ("livenessProbe", "/healthz")):
            hg = c.get(probe, {}).get("httpGet", {})
            if hg.get("path") != path_ or hg.get("port") not in ("ops", 9090):
                fail(f"{where}: {probe} must GET {path_} on the ops port 9090")
        pre = c.get("lifecycle", {}).get("preStop", {}).get("sleep", {}).get("seconds", 0)
        if tgp <= pre + 10:
            fail(f"{where}: terminationGracePeriodSeconds {tgp} <= preStop {pre} s + 10 s drain")
        sel = d["spec"]["selector"]["matchLabels"]
        svc = services.get(name)
        if svc is None or svc["spec"].get("selector") != sel:
            fail(f"no Service {name} selecting the Deployment's pods")
        pdb = pdbs.get(name)
        if pdb is None or pdb["spec"]["selector"].get("matchLabels") != sel:
            fail(f"no PodDisruptionBudget {name} selecting the Deployment's pods")
        hpa = hpas.get(name)
        if hpa is None or hpa["spec"]["scaleTargetRef"] != {"apiVersion": "apps/v1", "kind": "Deployment", "name": name}:
            fail(f"no HorizontalPodAutoscaler {name} scaling the Deployment")
        elif not 1 <= hpa["spec"].get("minReplicas", 1) <= hpa["spec"]["maxReplicas"]:
            fail(f"HPA {name}: minReplicas/maxReplicas out of order")
        if role != "gateway":
            pol = policies.get(name)
            if pol is None or pol["spec"]["podSelector"].get("matchLabels") != sel:
                fail(f"no NetworkPolicy {name} selecting the Deployment's pods")
                continue
            gw_sel = deployments.get("gatehouse-gateway", {}).get("spec", {}).get("selector", {}).get("matchLabels")
            for rule in pol["spec"].get("ingress", []):
                rports = {p.get("port") for p in rule.get("ports", [])}
                peers = rule.get("from")
                if not peers:
                    fail(f"NetworkPolicy {name}: a rule admits every source")
                    continue
                if port in rports:
                    if any(p.get("podSelector", {}).get("matchLabels") != gw_sel or "namespaceSelector" in p for p in peers):
                        fail(f"NetworkPolicy {name}: port {port} open to others than the gateway pods")
                if rports - {port, 9090}:
                    fail(f"NetworkPolicy {name}: unexpected ports {rports - {port, 9090}}")
                if 9090 in rports and not all("namespaceSelector" in p for p in peers):
                    fail(f"NetworkPolicy {name}: ops port 9090 should be opened to a monitoring namespace")
    job = jobs.get("gatehouse-migrate")
    if job is None:
        fail("no Job gatehouse-migrate")
    else:
        pod = pod_checks("Job gatehouse-migrate", job["spec"])
        if [c.get("args") for c in pod["containers"]] != [["migrate"]]:
            fail("Job gatehouse-migrate: args must be [migrate]")
        if any(e["name"] == KEK for c in pod["containers"] for e in c.get("env", [])):
            fail(f"Job gatehouse-migrate: {KEK} is given to the migration, which does not need it")
    if expect_overlay:
        if not any(d.get("kind") == "Namespace" for d in docs):
            fail("the overlay renders no Namespace")
        images = {c["image"] for d in list(deployments.values()) + list(jobs.values())
                  for c in d["spec"]["template"]["spec"]["containers"]}
        if any(i.endswith(":latest") or ":" not in i for i in images):
            fail(f"the overlay's images are not pinned: {images}")
    finish(f"{label}: {len(docs)} objects; 3 Deployments with Service, PDB, HPA; NetworkPolicies; migrate Job")


# --- per-file Kubernetes validation (no kustomize renderer) ------------------------------------
def kustomization_files(d):
    k = yaml.safe_load(open(os.path.join(d, "kustomization.yaml")))
    res = []
    for r in k.get("resources", []):
        p = os.path.normpath(os.path.join(d, r))
        res.append(p)
    patches = [os.path.normpath(os.path.join(d, p["path"])) for p in k.get("patches", []) if "path" in p]
    patches += [os.path.normpath(os.path.join(d, p)) for p in k.get("patchesStrategicMerge", [])]
    return k, res, patches


def kustomize_tree(d):
    """A kustomization and what it builds on: its complete manifest files, the objects they
    and its generators define, and failures for patches or merging generators that target
    nothing below them."""
    k, res, patches = kustomization_files(d)
    complete, targets = [], set()
    for r in res:
        if os.path.isdir(r):
            below, below_targets = kustomize_tree(r)
            complete += below
            targets |= below_targets
        else:
            complete.append(r)
            for doc in load_all(r):
                targets.add((doc["kind"], doc["metadata"]["name"]))
    for g in k.get("configMapGenerator", []):
        if g.get("behavior") == "merge" and ("ConfigMap", g["name"]) not in targets:
            fail(f"{d}: configMapGenerator merges into {g['name']}, which the base does not generate")
        targets.add(("ConfigMap", g["name"]))
    for p in patches:
        for doc in load_all(p):
            key = (doc.get("kind"), doc.get("metadata", {}).get("name"))
            if key not in targets:
                fail(f"{p}: patches {key[0]}/{key[1]}, which is not in the base or overlay")
    return complete, targets


def cmd_k8s_files(out_list):
    """Lists the complete manifests (for kubernetes-validate), concatenates the base's objects
    for the rules, and checks that every patch of every overlay targets an object below it."""
    complete = []
    overlays = sorted(os.path.dirname(k) for k in glob.glob("deploy/kubernetes/overlays/*/kustomization.yaml"))
    for overlay in overlays:
        files, _ = kustomize_tree(overlay)
        complete += files
    base_files, _ = kustomize_tree("deploy/kubernetes/base")
    base_docs = [doc for f in base_files for doc in load_all(f)]
    with open(out_list, "w") as f:
        f.write("\n".join(sorted(set(complete))) + "\n")
    with open(out_list + ".base.yaml", "w") as f:
        yaml.safe_dump_all(base_docs, f)
    finish(f"{len(overlays)} overlays, {len(set(complete))} complete manifest files; every patch targets an existing object")


def cmd_k8s_redis_cluster(path, overlay):
    """The Redis Cluster of an overlay: six nodes behind a headless Service that publishes
    names before readiness, a PDB, a NetworkPolicy that admits only Gatehouse and the nodes, an
    init Job, restricted pod security, the password by secretKeyRef, and the overlay's example
    GATEHOUSE_REDIS_URL naming nodes of this StatefulSet."""
    docs = load_all(path)
    sets = by_kind(docs, "StatefulSet")
    sts = sets.get("gatehouse-redis")
    if sts is None:
        fail(f"{overlay}: no StatefulSet gatehouse-redis")
        finish("")
    spec = sts["spec"]
    sel = spec["selector"]["matchLabels"]
    if spec.get("replicas") != 6:
        fail(f"StatefulSet gatehouse-redis: {spec.get('replicas')} replicas, not 6 (three primaries, three replicas)")
    svc = by_kind(docs, "Service").get(spec["serviceName"])
    if svc is None or svc["spec"].get("clusterIP") != "None" or svc["spec"].get("selector") != sel:
        fail(f"StatefulSet gatehouse-redis: its serviceName {spec['serviceName']} is no headless Service selecting its pods")
    elif svc["spec"].get("publishNotReadyAddresses") is not True:
        fail(f"Service {spec['serviceName']}: publishNotReadyAddresses must be true (the nodes meet before they are ready)")
    pdb = by_kind(docs, "PodDisruptionBudget").get("gatehouse-redis")
    if pdb is None or pdb["spec"]["selector"].get("matchLabels") != sel or pdb["spec"].get("maxUnavailable") != 1:
        fail("no PodDisruptionBudget gatehouse-redis (maxUnavailable 1) selecting the nodes")
    pol = by_kind(docs, "NetworkPolicy").get("gatehouse-redis")
    if pol is None:
        fail("no NetworkPolicy gatehouse-redis")
    else:
        selected = pol["spec"]["podSelector"].get("matchLabels", {})
        if any(sel.get(k) != v for k, v in selected.items()):
            fail("NetworkPolicy gatehouse-redis does not select the nodes")
        for rule in pol["spec"].get("ingress", []):
            peers = rule.get("from") or []
            if not peers or any("namespaceSelector" in p or "ipBlock" in p for p in peers):
                fail("NetworkPolicy gatehouse-redis: a rule admits more than pods of this namespace")
            names = {p.get("podSelector", {}).get("matchLabels", {}).get("app.kubernetes.io/name") for p in peers}
            if not names <= {"gatehouse", "gatehouse-redis"}:
                fail(f"NetworkPolicy gatehouse-redis: admits pods named {names}")
            ports = {p.get("port") for p in rule.get("ports", [])}
            if 16379 in ports and names != {"gatehouse-redis"}:
                fail("NetworkPolicy gatehouse-redis: the cluster bus (16379) is open to others than the nodes")
    jobs = [j for j in by_kind(docs, "Job").values()
            if "--cluster create" in " ".join(c for ct in j["spec"]["template"]["spec"]["containers"] for c in ct.get("command", []))]
    if len(jobs) != 1:
        fail("no Job running redis-cli --cluster create")
    for where, pod_spec in [("StatefulSet gatehouse-redis", spec["template"]["spec"])] + \
            [(f"Job {j['metadata']['name']}", j["spec"]["template"]["spec"]) for j in jobs]:
        if pod_spec.get("automountServiceAccountToken") is not False or pod_spec.get("enableServiceLinks") is not False:
            fail(f"{where}: automountServiceAccountToken and enableServiceLinks must be false")
        psc = pod_spec.get("securityContext", {})
        if psc.get("runAsNonRoot") is not True or psc.get("seccompProfile", {}).get("type") != "RuntimeDefault":
            fail(f"{where}: the pod must run as non-root with the RuntimeDefault seccomp profile")
        for c in pod_spec["containers"]:
            sc = c.get("securityContext", {})
            if sc.get("readOnlyRootFilesystem") is not True or sc.get("allowPrivilegeEscalation") is not False \
                    or sc.get("capabilities", {}).get("drop") != ["ALL"]:
                fail(f"{where} container {c['name']}: read-only root, no privilege escalation, capabilities dropped")
            for k in ("requests", "limits"):
                if not {"cpu", "memory"} <= set(c.get("resources", {}).get(k, {})):
                    fail(f"{where} container {c['name']}: resources.{k} cpu and memory")
            image = c.get("image", "")
            if image.endswith(":latest") or ":" not in image:
                fail(f"{where} container {c['name']}: image {image} is not pinned")
            for e in c.get("env", []):
                if "value" in e and re.search(r"PASSWORD|AUTH", e["name"]):
                    fail(f"{where} container {c['name']}: {e['name']} has an inline value")
    # The example Secret's URL names nodes of this StatefulSet, in its namespace.
    namespace = sts["metadata"].get("namespace", "default")
    with open(os.path.join(overlay, "secret.env.example")) as f:
        url = next((l.split("=", 1)[1].strip() for l in f if l.startswith("GATEHOUSE_REDIS_URL=")), "")
    if not url.startswith(("redis-cluster://", "rediss-cluster://")):
        fail(f"{overlay}/secret.env.example: GATEHOUSE_REDIS_URL is not a redis-cluster:// URL")
    else:
        for host in redis_url_hosts(url):
            m = re.fullmatch(rf"{sts['metadata']['name']}-(\d+)\.{spec['serviceName']}\.{namespace}\.svc(\.cluster\.local)?", host)
            if m is None or int(m.group(1)) >= spec["replicas"]:
                fail(f"{overlay}/secret.env.example: {host} is no node of StatefulSet {sts['metadata']['name']} in {namespace}")
    finish(f"{overlay}: StatefulSet gatehouse-redis (6 nodes), headless Service, PDB, NetworkPolicy, init Job; URL names its nodes")


# --- clouds, Heroku, Dockerfile ----------------------------------------------------------------
def cmd_ecs():
    t = json.load(open("deploy/aws/ecs-task-definition.json"))
    if t.get("requiresCompatibilities") != ["FARGATE"] or t.get("networkMode") != "awsvpc":
        fail("ECS: must require FARGATE with networkMode awsvpc")
    for k in ("cpu", "memory", "executionRoleArn", "family"):
        if k not in t:
            fail(f"ECS: {k} missing")
    (c,) = [c for c in t["containerDefinitions"] if c["name"] == "gatehouse"]
    if not c.get("readonlyRootFilesystem"):
        fail("ECS: readonlyRootFilesystem must be true")
    user = str(c.get("user", "0")).split(":")[0]
    if not user.isdigit() or user == "0":
        fail("ECS: user must be a numeric non-root UID")
    if c.get("healthCheck", {}).get("command") != ["CMD", "gatehouse", "healthcheck"]:
        fail("ECS: healthCheck must run gatehouse healthcheck")
    if c.get("logConfiguration", {}).get("logDriver") != "awslogs":
        fail("ECS: logConfiguration must use awslogs")
    env = {e["name"] for e in c.get("environment", [])}
    sec = {s["name"]: s["valueFrom"] for s in c.get("secrets", [])}
    for v in SECRET_VARS:
        if v in env:
            fail(f"ECS: {v} is in plain environment")
        if (v in ALL_IN_ONE_SECRETS or v in sec) and not re.match(r"^arn:aws:(secretsmanager|ssm):", sec.get(v, "")):
            fail(f"ECS: {v} must come from secrets (a Secrets Manager or SSM ARN)")
    if c.get("command", [None])[0] not in ("serve", "migrate"):
        fail("ECS: command must be serve or migrate")
    finish(f"ECS: Fargate/awsvpc, non-root, read-only root, healthcheck, awslogs, {len(sec)} secrets by ARN")


def cmd_heroku():
    a = json.load(open("deploy/heroku/app.json"))
    plans = [x["plan"] if isinstance(x, dict) else x for x in a.get("addons", [])]
    for want in ("heroku-postgresql", "heroku-redis"):
        if not any(p.split(":")[0] == want for p in plans):
            fail(f"app.json: add-on {want} missing")
    for v in ("GATEHOUSE_INTERNAL_KEY", "GATEHOUSE_ADMIN_CLIENT_SECRET", KEK):
        if a.get("env", {}).get(v, {}).get("generator") != "secret":
            fail(f"app.json: {v} must use generator secret")
    procs = {}
    for line in open("deploy/heroku/Procfile"):
        if line.strip() and not line.startswith("#"):
            name, cmd = line.split(":", 1)
            procs[name.strip()] = cmd.strip()
    if not re.search(r"gatehouse serve\b", procs.get("web", "")):
        fail("Procfile: web must run gatehouse serve")
    if not re.search(r"gatehouse migrate$", procs.get("release", "")):
        fail("Procfile: release must run gatehouse migrate")
    for name, cmd in procs.items():
        if "$DATABASE_URL" not in cmd:
            fail(f"Procfile: {name} does not map Heroku's DATABASE_URL to GATEHOUSE_DATABASE_URL")
    if "$REDIS_URL" not in procs.get("web", ""):
        fail("Procfile: web does not map Heroku's REDIS_URL to GATEHOUSE_REDIS_URL")
    finish(f"app.json add-ons {plans}; Procfile {sorted(procs)}")


def cmd_cloudrun():
    (s,) = load_all("deploy/gcp/cloudrun-service.yaml")
    if s.get("apiVersion") != "serving.knative.dev/v1" or s.get("kind") != "Service":
        fail("Cloud Run: must be a serving.knative.dev/v1 Service")
    tmpl = s["spec"]["template"]
    ann = tmpl["metadata"].get("annotations", {})
    if "run.googleapis.com/cloudsql-instances" not in ann:
        fail("Cloud Run: no run.googleapis.com/cloudsql-instances annotation")
    if "run.googleapis.com/vpc-access-connector" not in ann and "run.googleapis.com/network-interfaces" not in ann:
        fail("Cloud Run: no VPC access for Memorystore")
    (c,) = tmpl["spec"]["containers"]
    if [p.get("containerPort") for p in c.get("ports", [])] != [8080]:
        fail("Cloud Run: containerPort must be 8080")
    env = {e["name"]: e for e in c.get("env", [])}
    for v in SECRET_VARS:
        if (v in ALL_IN_ONE_SECRETS or v in env) and "secretKeyRef" not in env.get(v, {}).get("valueFrom", {}):
            fail(f"Cloud Run: {v} must come from Secret Manager (secretKeyRef)")
    (j,) = load_all("deploy/gcp/cloudrun-migrate-job.yaml")
    cs = j["spec"]["template"]["spec"]["template"]["spec"]["containers"]
    if [c.get("args") for c in cs] != [["migrate"]]:
        fail("Cloud Run job: args must be [migrate]")
    if any(e.get("name") == KEK for c in cs for e in c.get("env", [])):
        fail(f"Cloud Run job: {KEK} is given to the migration, which does not need it")
    n = sum("secretKeyRef" in e.get("valueFrom", {}) for e in env.values())
    finish(f"Cloud Run: Knative Service, Cloud SQL + VPC connector, port 8080, {n} secrets from Secret Manager")


def cmd_dockerfile():
    df = open("deploy/Dockerfile").read()
    import tomllib
    ws = tomllib.load(open("Cargo.toml", "rb"))["workspace"]["members"]
    members = sorted({os.path.dirname(p) for m in ws for p in glob.glob(os.path.join(m, "Cargo.toml"))})
    for m in members:
        if f"COPY {m}/Cargo.toml {m}/Cargo.toml" not in df:
            fail(f"Dockerfile: the dependency layer does not copy {m}/Cargo.toml (a new workspace member?)")
    for needle in ("cargo build --release --locked -p gatehouse", 'HEALTHCHECK', '"gatehouse", "healthcheck"',
                   "EXPOSE 8080 9090", 'ENTRYPOINT ["gatehouse"]', 'CMD ["serve"]', "GATEHOUSE_LISTEN=0.0.0.0:8080",
                   "GATEHOUSE_OPS__LISTEN=0.0.0.0:9090", "GATEHOUSE_DATA_DIR=/var/lib/gatehouse",
                   "GATEHOUSE_LOG__FORMAT=json"):
        if needle not in df:
            fail(f"Dockerfile: missing {needle!r}")
    users = re.findall(r"^USER\s+(\S+)", df, re.M)
    if not users or not users[-1].split(":")[0].isdigit() or users[-1].split(":")[0] == "0":
        fail("Dockerfile: the last USER must be a numeric non-root UID")
    ignore = [l.strip() for l in open(".dockerignore") if l.strip() and not l.startswith("#")]
    for must in ("target/", ".git/", "data/"):
        if must not in ignore:
            fail(f".dockerignore: {must} is not excluded")
    finish(f"Dockerfile copies the manifests of {', '.join(members)}; .dockerignore excludes target/, .git/, data/")


if __name__ == "__main__":
    name, args = sys.argv[1], sys.argv[2:]
    if name == "k8s-rules":
        cmd_k8s_rules(args[0], args[1] == "overlay", args[2])
    elif name == "k8s-files":
        cmd_k8s_files(args[0])
    elif name == "k8s-redis-cluster":
        cmd_k8s_redis_cluster(args[0], args[1])
    else:
        globals()["cmd_" + name.replace("-", "_")](*args)
PY
checks() { "$py" "$work/checks.py" "$@"; }

# --- YAML -----------------------------------------------------------------------------------------
echo "== YAML"
check "yamllint --strict (deploy/.yamllint): $("$venv/bin/yamllint" --list-files -c deploy/.yamllint deploy | wc -l) files" \
    "$venv/bin/yamllint" --strict -c deploy/.yamllint deploy

# --- compose ----------------------------------------------------------------------------------
echo "== compose"
check "compose.yaml against the Compose Specification (check-jsonschema vendor.compose-spec)" \
    "$venv/bin/check-jsonschema" --builtin-schema vendor.compose-spec deploy/compose/compose.yaml
# The options given after it (compose.redis-cluster.yaml, …): each alone, and merged into
# compose.yaml the way `docker compose -f compose.yaml -f <option>` merges them.
overrides=(deploy/compose/compose.*.yaml)
if [ -e "${overrides[0]}" ]; then
    mkdir -p "$work/compose"
    check "compose options merged into compose.yaml: ${overrides[*]##*/}" checks compose-merged "$work/compose"
    check "compose options, alone and merged, against the Compose Specification" \
        "$venv/bin/check-jsonschema" --builtin-schema vendor.compose-spec "${overrides[@]}" "$work"/compose/*.yaml
fi
check "compose wiring (with each option merged): roles, migrate, health conditions, Prometheus targets, collector, Redis URLs" checks compose

# --- Kubernetes -------------------------------------------------------------------------------
echo "== Kubernetes"
render_to() {
    # (`check` runs this in an `if`, where set -e does not apply: hence the explicit returns.)
    case $renderer in
        kubectl) kubectl kustomize "$1" >"$2" || return 1 ;;
        kustomize) kustomize build "$1" >"$2" || return 1 ;;
    esac
    [ -s "$2" ] || { echo "nothing rendered"; return 1; }
    echo "$(grep -c '^kind:' "$2") objects"
}
validate_k8s() {
    local v
    for v in $k8s_versions; do
        "$venv/bin/kubernetes-validate" --strict --quiet -k "$v" "$@" || return 1
    done
    echo "valid against Kubernetes $k8s_versions"
}
check "overlay patches and generators target objects of the base" checks k8s-files "$work/files.txt"
if [ "$renderer" != none ]; then
    for dir in deploy/kubernetes/base deploy/kubernetes/overlays/*/; do
        dir=${dir%/}
        out="$work/$(basename "$dir").yaml"
        check "$renderer renders $dir" render_to "$dir" "$out"
        if [ -s "$out" ]; then
            check "kubernetes-validate --strict ($k8s_versions): $dir ($(grep -c '^kind:' "$out") objects)" validate_k8s "$out"
            if [ "$dir" = deploy/kubernetes/base ]; then
                check "Gatehouse rules on the rendered $dir" checks k8s-rules "$out" base "$dir"
            else
                check "Gatehouse rules on the rendered $dir" checks k8s-rules "$out" overlay "$dir"
            fi
            if [ -f "$dir/redis-cluster.yaml" ]; then
                check "Redis Cluster rules on the rendered $dir" checks k8s-redis-cluster "$out" "$dir"
            fi
        fi
    done
else
    # No renderer: each complete manifest alone (kustomization.yaml and patches are partial).
    if [ -s "$work/files.txt" ]; then
        mapfile -t files <"$work/files.txt"
        check "kubernetes-validate --strict ($k8s_versions): ${#files[@]} manifest files" validate_k8s "${files[@]}"
        check "Gatehouse rules on the base's manifests" checks k8s-rules "$work/files.txt.base.yaml" base deploy/kubernetes/base
    fi
fi

# --- systemd ----------------------------------------------------------------------------------
echo "== systemd"
# `systemd-analyze verify` requires ExecStart's binary to exist: verify copies whose
# /usr/local/bin/gatehouse is a stub script in the temporary directory. It reports unknown
# settings and bad values as warnings with exit status 0, so any line it prints about these
# units fails the check.
mkdir -p "$work/systemd"
printf '#!/bin/sh\nexit 0\n' >"$work/systemd/gatehouse"
chmod 0755 "$work/systemd/gatehouse"
units=()
for unit in deploy/systemd/*.service; do
    sed "s#/usr/local/bin/gatehouse#$work/systemd/gatehouse#g" "$unit" >"$work/systemd/$(basename "$unit")"
    units+=("$work/systemd/$(basename "$unit")")
done
verify_units() {
    local out rc=0
    out=$(cd "$work/systemd" && SYSTEMD_LOG_COLOR=0 systemd-analyze verify --man=no "$@" 2>&1) || rc=$?
    if [ -n "$out" ]; then
        echo "$out"
    fi
    [ "$rc" -eq 0 ] || return 1
    if grep -E 'gatehouse|check-deploy' <<<"$out" >/dev/null; then
        return 1
    fi
    echo "verified: $(printf '%s ' "${@##*/}")"
}
check "systemd-analyze verify: ${#units[@]} units" verify_units "${units[@]}"
security_units() {
    local u
    for u in "$@"; do
        # --threshold is in tenths of the printed exposure level: 20 = 2.0.
        systemd-analyze security --offline=yes --threshold=20 --no-pager "$u" | tail -n 1 || return 1
    done
}
check "systemd-analyze security --offline: exposure <= 2.0 for every unit" security_units "${units[@]}"
check "systemd units: hardening settings and ExecStart commands" bash -c '
    set -e
    for u in deploy/systemd/gatehouse-*.service; do
        for setting in DynamicUser=yes StateDirectory= ProtectSystem=strict ProtectHome=yes PrivateTmp=yes \
            PrivateDevices=yes NoNewPrivileges=yes ProtectKernelTunables=yes ProtectKernelModules=yes \
            ProtectKernelLogs=yes ProtectControlGroups=yes "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX" \
            RestrictNamespaces=yes LockPersonality=yes MemoryDenyWriteExecute=yes SystemCallFilter=@system-service \
            "CapabilityBoundingSet=" EnvironmentFile=/etc/gatehouse/gatehouse.env; do
            grep -qxF -- "$setting" "$u" || grep -qx -- "${setting}.*" "$u" || { echo "$u: no $setting"; exit 1; }
        done
    done
    for role in gateway auth resources; do
        u=deploy/systemd/gatehouse-$role.service
        grep -qx "ExecStart=/usr/local/bin/gatehouse serve $role" "$u" || { echo "$u: ExecStart is not gatehouse serve $role"; exit 1; }
        for s in Restart=on-failure KillSignal=SIGTERM TimeoutStopSec=; do
            grep -q "^$s" "$u" || { echo "$u: no $s"; exit 1; }
        done
    done
    grep -qx "ExecStart=/usr/local/bin/gatehouse migrate" deploy/systemd/gatehouse-migrate.service
    echo "4 units hardened; ExecStart serve gateway|auth|resources and migrate"'

# --- clouds -----------------------------------------------------------------------------------
echo "== clouds"
check "JSON syntax: deploy/aws/ecs-task-definition.json (python -m json.tool)" \
    "$py" -m json.tool deploy/aws/ecs-task-definition.json /dev/null
check "JSON syntax: deploy/heroku/app.json (python -m json.tool)" \
    "$py" -m json.tool deploy/heroku/app.json /dev/null
check "ECS task definition: Fargate, non-root, read-only root, healthcheck, awslogs, secrets by ARN" checks ecs
check "Heroku: app.json add-ons and generated secrets, Procfile web/release" checks heroku
check "Cloud Run: Knative Service and migrate job (yamllint above, shape here)" checks cloudrun

# --- image and the whole tree -----------------------------------------------------------------
echo "== image and variables"
check "Dockerfile dependency layer and runtime; .dockerignore" checks dockerfile
check "GATEHOUSE_* variables are the binary's; example files hold placeholders" checks vars
ignored() {
    local f
    if ! git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
        echo "not a git work tree: skipped"
        return 0
    fi
    for f in deploy/compose/.env deploy/kubernetes/overlays/*/secret.env.example; do
        f=${f%.example}
        git check-ignore -q "$f" || { echo "$f is not git-ignored"; return 1; }
        if [ -n "$(git ls-files -- "$f")" ]; then
            echo "$f is committed"
            return 1
        fi
    done
    echo "deploy/compose/.env and deploy/kubernetes/overlays/*/secret.env are git-ignored"
}
check "real env files are git-ignored, none committed" ignored

echo
if [ "$failed" -gt 0 ]; then
    printf 'check-deploy: %d passed, %d failed:\n' "$passed" "$failed"
    printf '  - %s\n' "${failures[@]}"
    exit 1
fi
printf 'check-deploy: %d passed, %d failed\n' "$passed" "$failed"
