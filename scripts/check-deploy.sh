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
#     (--builtin-schema vendor.compose-spec: from the PyPI package, not fetched);
#   - the compose file's wiring: Prometheus scrapes every Gatehouse process, the collector's
#     pipeline uses only defined parts, the .env it reads is git-ignored;
#   - Kubernetes: renders base/ and overlays/production with `kubectl kustomize` (or a
#     `kustomize` binary) and validates every rendered object with kubernetes-validate
#     --strict against Kubernetes 1.30 and the newest schema it has; without either renderer,
#     validates each complete manifest file alone instead. Then the project's rules on the
#     rendered objects (probes, security context, resources, secrets by reference, PDB/HPA/
#     Service per Deployment, NetworkPolicy), and that every overlay patch targets an object
#     of the base;
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
def cmd_compose():
    c = yaml.safe_load(open("deploy/compose/compose.yaml"))
    services = c["services"]
    gatehouse = {n: s for n, s in services.items() if str(s.get("image", "")).find("gatehouse") >= 0
                 and "build" in s}
    servers = {n for n, s in gatehouse.items() if s.get("command", [None])[0] == "serve"}
    for role in ROLES:
        if len([n for n in servers if services[n]["command"][1] == role]) < 2:
            fail(f"compose: fewer than two '{role}' services")
    for n in servers:
        s = services[n]
        if "--no-migrate" not in s["command"]:
            fail(f"compose: {n} runs without --no-migrate")
        dep = s.get("depends_on", {})
        if n.startswith(("auth", "resources")) and dep.get("migrate", {}).get("condition") != "service_completed_successfully":
            fail(f"compose: {n} does not wait for migrate (service_completed_successfully)")
        if dep.get("redis", {}).get("condition") != "service_healthy":
            fail(f"compose: {n} does not wait for a healthy redis")
        if s.get("env_file") != ".env":
            fail(f"compose: {n} has no env_file .env")
        if s.get("environment", {}).get("GATEHOUSE_OPS__LISTEN") != "0.0.0.0:9090":
            fail(f"compose: {n} has no GATEHOUSE_OPS__LISTEN=0.0.0.0:9090")
        kek = str(s.get("environment", {}).get(KEK, ""))
        if s["command"][1] == "auth" and not kek.startswith("${" + KEK + ":?"):
            fail(f"compose: {n} does not require {KEK} from .env (${{{KEK}:?...}})")
        if s["command"][1] != "auth" and kek:
            fail(f"compose: {n} sets {KEK}, which only the auth role needs")
    if services.get("migrate", {}).get("command") != ["migrate"]:
        fail("compose: no one-shot migrate service")
    if services["migrate"].get("depends_on", {}).get("postgres", {}).get("condition") != "service_healthy":
        fail("compose: migrate does not wait for a healthy postgres")
    for infra in ("postgres", "redis"):
        if "healthcheck" not in services.get(infra, {}):
            fail(f"compose: {infra} has no healthcheck")
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
    # Every ${VAR:?} the file requires is in .env.example.
    text = open("deploy/compose/compose.yaml").read()
    required = set(re.findall(r"\$\{([A-Z0-9_]+):\?", text))
    example = {l.split("=", 1)[0] for l in open("deploy/compose/.env.example") if re.match(r"^[A-Z0-9_]+=", l)}
    for v in sorted(required - example):
        fail(f"compose: requires ${{{v}}} but .env.example does not set it")
    finish(f"{len(services)} services; {len(servers)} Gatehouse servers scraped; .env.example sets {', '.join(sorted(example))}")


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


def cmd_k8s_files(out_list):
    """Lists the complete manifests (for kubernetes-validate), concatenates the base's objects
    for the rules, and checks that every patch targets an object of the base."""
    complete = []
    base_docs = []
    for overlay in ["deploy/kubernetes/overlays/production"]:
        k, res, patches = kustomization_files(overlay)
        targets = set()
        for r in res:
            if os.path.isdir(r):
                bk, bres, _ = kustomization_files(r)
                for f in bres:
                    complete.append(f)
                    for d in load_all(f):
                        base_docs.append(d)
                        targets.add((d["kind"], d["metadata"]["name"]))
                for g in bk.get("configMapGenerator", []):
                    targets.add(("ConfigMap", g["name"]))
            else:
                complete.append(r)
                for d in load_all(r):
                    targets.add((d["kind"], d["metadata"]["name"]))
        for g in k.get("configMapGenerator", []):
            if g.get("behavior") == "merge" and ("ConfigMap", g["name"]) not in targets:
                fail(f"{overlay}: configMapGenerator merges into {g['name']}, which the base does not generate")
        for p in patches:
            for d in load_all(p):
                key = (d.get("kind"), d.get("metadata", {}).get("name"))
                if key not in targets:
                    fail(f"{p}: patches {key[0]}/{key[1]}, which is not in the base or overlay")
    with open(out_list, "w") as f:
        f.write("\n".join(sorted(set(complete))) + "\n")
    with open(out_list + ".base.yaml", "w") as f:
        yaml.safe_dump_all(base_docs, f)
    finish(f"{len(set(complete))} complete manifest files; every patch targets an existing object")


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
check "compose wiring: roles, migrate, health conditions, Prometheus targets, collector pipeline" checks compose

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
    for dir in deploy/kubernetes/base deploy/kubernetes/overlays/production; do
        out="$work/$(basename "$dir").yaml"
        check "$renderer renders $dir" render_to "$dir" "$out"
        if [ -s "$out" ]; then
            check "kubernetes-validate --strict ($k8s_versions): $dir ($(grep -c '^kind:' "$out") objects)" validate_k8s "$out"
            if [ "$dir" = deploy/kubernetes/base ]; then
                check "Gatehouse rules on the rendered $dir" checks k8s-rules "$out" base "$dir"
            else
                check "Gatehouse rules on the rendered $dir" checks k8s-rules "$out" overlay "$dir"
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
    for f in deploy/compose/.env deploy/kubernetes/overlays/production/secret.env; do
        git check-ignore -q "$f" || { echo "$f is not git-ignored"; return 1; }
        if [ -n "$(git ls-files -- "$f")" ]; then
            echo "$f is committed"
            return 1
        fi
    done
    echo "deploy/compose/.env and deploy/kubernetes/overlays/production/secret.env are git-ignored"
}
check "real env files are git-ignored, none committed" ignored

echo
if [ "$failed" -gt 0 ]; then
    printf 'check-deploy: %d passed, %d failed:\n' "$passed" "$failed"
    printf '  - %s\n' "${failures[@]}"
    exit 1
fi
printf 'check-deploy: %d passed, %d failed\n' "$passed" "$failed"
