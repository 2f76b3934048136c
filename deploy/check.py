"""What deploy/check asks beyond the linters and schemas: the properties deploy/ promises in
docs/operations.md. Run by deploy/check with PyYAML installed:

  check.py dockerignore       the build context leaves out target/, .git and secrets
  check.py compose            deploy/compose.yaml's structure, security and secrets
  check.py render DIR         without kubectl: base and overlays rendered into DIR by merging
  check.py kubernetes DIR     the rendered manifests in DIR keep their promises
  check.py migrations         new migrations only add (docs/operations.md, "Upgrades")
"""

import copy
import pathlib
import re
import sys

import yaml

ROOT = pathlib.Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
SECRETS = ("DESKGATE_VAULT_KEYS", "DESKGATE_API_KEY_PEPPER", "POSTGRES_PASSWORD", "DESKGATE_DB_PASSWORD")
DESKGATE_SERVICES = ("migrate", "gateway", "sandbox")

failures = []


def check(ok, message):
    if not ok:
        failures.append(message)


def finish(what):
    if failures:
        for f in failures:
            print(f"FAIL {what}: {f}", file=sys.stderr)
        sys.exit(1)
    print(f"{what}: ok")


def dockerignore():
    lines = {l.strip() for l in (ROOT / ".dockerignore").read_text().splitlines()}
    for needed in (".git", "**/target", "**/.env", "*.key", "*.db"):
        check(needed in lines, f".dockerignore leaves out {needed}")
    finish(".dockerignore")


def compose():
    text = (DEPLOY / "compose.yaml").read_text()
    doc = yaml.safe_load(text)
    services = doc.get("services", {})
    for name in ("postgres", "migrate", "gateway", "sandbox", "lb"):
        check(name in services, f"service {name} is missing")
    if failures:
        finish("deploy/compose.yaml")

    pg = services["postgres"]
    check("test" in pg.get("healthcheck", {}), "postgres has a healthcheck")

    gw = services["gateway"]
    check(gw.get("deploy", {}).get("replicas") == 3, "gateway runs 3 replicas")
    deps = gw.get("depends_on", {})
    check(deps.get("migrate", {}).get("condition") == "service_completed_successfully",
          "gateway waits for migrate to complete successfully")
    check(deps.get("postgres", {}).get("condition") == "service_healthy",
          "gateway waits for a healthy postgres")
    check(services["migrate"].get("command") == ["migrate"], "migrate runs `deskgate migrate`")
    check(services["migrate"].get("depends_on", {}).get("postgres", {}).get("condition")
          == "service_healthy", "migrate waits for a healthy postgres")
    check(services["sandbox"].get("command", [])[:1] == ["sandbox"], "sandbox runs `deskgate sandbox`")
    env = gw.get("environment", {})
    check(env.get("DESKGATE_SANDBOX__URL") == "http://sandbox:8081", "gateways use the sandbox")
    for name in ("migrate", "gateway"):
        for key in ("DATABASE_URL", "DESKGATE_VAULT_KEYS", "DESKGATE_API_KEY_PEPPER"):
            check(key in (services[name].get("environment") or {}), f"{name} gets {key}")
    check("sandbox" in deps, "gateway starts after the sandbox")
    check(services["lb"].get("depends_on", {}).get("gateway", {}).get("condition") == "service_healthy",
          "lb waits for healthy gateways")

    for name in DESKGATE_SERVICES:
        s = services[name]
        user = str(s.get("user", ""))
        check(re.fullmatch(r"[1-9][0-9]*:[1-9][0-9]*", user) is not None, f"{name} runs as a numeric non-root user")
        check(s.get("read_only") is True, f"{name} has a read-only root filesystem")
        check(any(str(t).startswith("/tmp") for t in s.get("tmpfs", [])), f"{name} has a tmpfs /tmp")
        check(s.get("cap_drop") == ["ALL"], f"{name} drops every capability")
        check("no-new-privileges:true" in s.get("security_opt", []), f"{name} sets no-new-privileges")
    check("DESKGATE_VAULT_KEYS" not in services["sandbox"].get("environment", {}),
          "the sandbox gets no secrets")

    # No secret is written into the file: each comes from deploy/.env by interpolation.
    for name, s in services.items():
        for key, value in (s.get("environment") or {}).items():
            value = str(value)
            if key in SECRETS:
                check(re.fullmatch(r"\$\{[A-Z_]+(:[?-][^}]*)?\}", value) is not None,
                      f"{name}.{key} is interpolated from the env file, not written here")
            if key == "DATABASE_URL":
                m = re.match(r"postgres://[^:]+:([^@]*)@", value)
                check(m is not None and m.group(1).startswith("${"),
                      f"{name}.DATABASE_URL takes its password from the env file")

    required = set(re.findall(r"\$\{([A-Z_]+):\?", text))
    example = {}
    for line in (DEPLOY / "env.example").read_text().splitlines():
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            example[key] = value
    for key in sorted(required):
        check(key in example, f"env.example documents {key}")
    for key in SECRETS:
        check(key in example and "replace" in example[key], f"env.example's {key} is a placeholder")
    for key in example:
        check("${" + key in text, f"env.example's {key} is used by compose.yaml")

    for name, s in services.items():
        for volume in s.get("volumes", []):
            source = str(volume).split(":", 1)[0]
            if source.startswith("./"):
                check((DEPLOY / source).is_file(), f"{name} mounts {source}, which exists")
    nginx = (DEPLOY / "nginx" / "nginx.conf").read_text()
    check("server gateway:8080" in nginx, "nginx's upstream is the gateway service's port")
    check("non_idempotent" not in nginx, "nginx never retries non-idempotent requests")
    finish("deploy/compose.yaml")


def load_all(path):
    return [d for d in yaml.safe_load_all(pathlib.Path(path).read_text()) if d]


def merge(base, patch):
    """A strategic merge patch, as far as deskgate's patches need: maps merge, lists of
    named maps (containers, ports) merge by name, other lists and values replace."""
    if isinstance(base, dict) and isinstance(patch, dict):
        out = dict(base)
        for k, v in patch.items():
            out[k] = merge(base[k], v) if k in base else copy.deepcopy(v)
        return out
    if isinstance(base, list) and isinstance(patch, list) and all(
            isinstance(x, dict) and "name" in x for x in base + patch):
        out = [copy.deepcopy(x) for x in base]
        for item in patch:
            i = next((i for i, x in enumerate(out) if x["name"] == item["name"]), None)
            if i is None:
                out.append(copy.deepcopy(item))
            else:
                out[i] = merge(out[i], item)
        return out
    return copy.deepcopy(patch)


def kustomize(directory):
    """The parts of kustomize deskgate's kustomizations use: resources, labels, namespace,
    images, patches and one configMapGenerator (without the name hash)."""
    k = yaml.safe_load((directory / "kustomization.yaml").read_text())
    objects, config = [], None
    for r in k.get("resources", []):
        path = directory / r
        if path.is_dir():
            sub, sub_config = kustomize(path)
            objects += sub
            config = sub_config or config
        else:
            objects += load_all(path)
    for gen in k.get("configMapGenerator", []):
        data = {pathlib.Path(f).name: (directory / f).read_text() for f in gen["files"]}
        config = {"apiVersion": "v1", "kind": "ConfigMap",
                  "metadata": {"name": gen["name"], "labels": gen.get("options", {}).get("labels", {})},
                  "data": data}
    for p in k.get("patches", []):
        patch = yaml.safe_load((directory / p["path"]).read_text())
        for i, o in enumerate(objects):
            if o["kind"] == patch["kind"] and o["metadata"]["name"] == patch["metadata"]["name"]:
                objects[i] = merge(o, patch)
    for o in objects + ([config] if config else []):
        for label in k.get("labels", []):
            o["metadata"].setdefault("labels", {}).update(label["pairs"])
        if "namespace" in k:
            o["metadata"]["namespace"] = k["namespace"]
        for c in containers(o):
            for image in k.get("images", []):
                if c["image"].split(":")[0] == image["name"]:
                    c["image"] = f"{image.get('newName', image['name'])}:{image['newTag']}"
    return objects, config


def containers(o):
    spec = o.get("spec", {}).get("template", {}).get("spec", {})
    return spec.get("containers", [])


def render(out):
    out = pathlib.Path(out)
    targets = [DEPLOY / "kubernetes" / "base"] + sorted((DEPLOY / "kubernetes" / "overlays").iterdir())
    for directory in targets:
        objects, config = kustomize(directory)
        name = "base" if directory.name == "base" else directory.name
        (out / f"{name}.yaml").write_text(yaml.safe_dump_all(objects + [config], sort_keys=False))
    print(f"rendered {', '.join(d.name for d in targets)} into {out}")


def kubernetes(directory):
    for path in sorted(pathlib.Path(directory).glob("*.yaml")):
        if path.name == "secret.example.yaml":
            secret = load_all(path)[0]
            for key, value in secret["stringData"].items():
                check(key == "DESKGATE_VAULT_ACTIVE" or "REPLACE_ME" in value,
                      f"{path.name}: {key} is a marked placeholder")
            continue
        # A generated ConfigMap's name ends in a hash of its content.
        objects = {(o["kind"], re.sub(r"-[a-z0-9]{10}$", "", o["metadata"]["name"])
                    if o["kind"] == "ConfigMap" else o["metadata"]["name"]): o
                   for o in load_all(path)}
        where = path.name
        kinds = {k for k, _ in objects}
        for kind in ("Deployment", "Service", "Job", "PodDisruptionBudget", "HorizontalPodAutoscaler",
                     "NetworkPolicy", "ConfigMap", "ServiceAccount"):
            check(kind in kinds, f"{where}: has a {kind}")
        check("Secret" not in kinds, f"{where}: renders no Secret (it is created outside git)")
        if failures:
            continue
        dep = objects[("Deployment", "deskgate")]
        job = objects[("Job", "deskgate-migrate")]
        spec = dep["spec"]
        check("replicas" not in spec, f"{where}: the autoscaler owns the replica count")
        ru = spec["strategy"]["rollingUpdate"]
        check(ru == {"maxUnavailable": 0, "maxSurge": 1}, f"{where}: rolling update 0 unavailable, 1 surge")
        pod = spec["template"]["spec"]
        check(pod["terminationGracePeriodSeconds"] > 25, f"{where}: grace above the gateway's 25 s drain")
        for owner, p in (("Deployment", pod), ("Job", job["spec"]["template"]["spec"])):
            psc = p["securityContext"]
            check(psc.get("runAsNonRoot") is True and isinstance(psc.get("runAsUser"), int)
                  and psc["runAsUser"] > 0 and isinstance(psc.get("runAsGroup"), int),
                  f"{where}: {owner} runs as a numeric non-root user")
            check(psc.get("seccompProfile", {}).get("type") == "RuntimeDefault", f"{where}: {owner} seccomp")
            check(p.get("automountServiceAccountToken") is False, f"{where}: {owner} mounts no token")
            for c in p["containers"]:
                sc = c["securityContext"]
                check(sc.get("readOnlyRootFilesystem") is True, f"{where}: {owner} read-only root")
                check(sc.get("allowPrivilegeEscalation") is False, f"{where}: {owner} no escalation")
                check(sc.get("capabilities", {}).get("drop") == ["ALL"], f"{where}: {owner} drops ALL")
                check(any(m["mountPath"] == "/tmp" for m in c["volumeMounts"]), f"{where}: {owner} /tmp")
                check("requests" in c["resources"] and "memory" in c["resources"].get("limits", {}),
                      f"{where}: {owner} has requests and a memory limit")
                check({"name": "DESKGATE_CONFIG", "value": "/etc/deskgate/deskgate.toml"} in c["env"],
                      f"{where}: {owner} reads the ConfigMap's file")
                check({"secretRef": {"name": "deskgate-secrets"}} in c["envFrom"],
                      f"{where}: {owner} reads the Secret")
        gw = pod["containers"][0]
        check(gw["livenessProbe"]["httpGet"]["path"] == "/healthz", f"{where}: liveness is /healthz")
        check(gw["readinessProbe"]["httpGet"]["path"] == "/readyz", f"{where}: readiness is /readyz")
        check(gw["startupProbe"]["httpGet"]["path"] == "/healthz", f"{where}: a startup probe")
        check(gw["args"] == ["serve"] and job["spec"]["template"]["spec"]["containers"][0]["args"] == ["migrate"],
              f"{where}: the Deployment serves, the Job migrates")
        check(gw["image"] == job["spec"]["template"]["spec"]["containers"][0]["image"],
              f"{where}: the Job migrates with the Deployment's image")
        check(job["metadata"]["labels"].get("deskgate.io/rollout-step") == "migrate"
              and objects[("ConfigMap", "deskgate-config")]["metadata"]["labels"].get("deskgate.io/rollout-step") == "migrate",
              f"{where}: the migration step applies the Job and its ConfigMap")
        config = objects[("ConfigMap", "deskgate-config")]["data"]["deskgate.toml"]
        check('listen = "0.0.0.0:8080"' in config, f"{where}: the gateway listens on the pod's address")
        settings = [l for l in config.splitlines() if l.strip() and not l.lstrip().startswith("#")]
        check(not any(re.search(r"(?i)password|pepper|keys\s*=|postgres://", l) for l in settings),
              f"{where}: no secret in the ConfigMap")
        hpa = objects[("HorizontalPodAutoscaler", "deskgate")]["spec"]
        check(hpa["minReplicas"] >= 3 and hpa["maxReplicas"] >= hpa["minReplicas"], f"{where}: HPA bounds")
        check(hpa["metrics"][0]["resource"]["name"] == "cpu", f"{where}: HPA on CPU")
        pdb = objects[("PodDisruptionBudget", "deskgate")]["spec"]
        check(pdb.get("maxUnavailable") == 1 or pdb.get("minAvailable") == 2, f"{where}: PDB")
        np = objects[("NetworkPolicy", "deskgate")]["spec"]
        check(set(np["policyTypes"]) == {"Ingress", "Egress"}, f"{where}: the policy covers both ways")
        egress = {(p["protocol"], p["port"]) for rule in np["egress"] for p in rule["ports"]}
        check(egress == {("UDP", 53), ("TCP", 53), ("TCP", 5432), ("TCP", 443)},
              f"{where}: egress is DNS, PostgreSQL and HTTPS only, got {sorted(egress)}")
        check(all("to" not in rule for rule in np["egress"]) and all("from" not in r for r in np["ingress"]),
              f"{where}: rules by port")
        ingress = {(p["protocol"], p["port"]) for rule in np["ingress"] for p in rule["ports"]}
        check(ingress == {("TCP", 8080)}, f"{where}: ingress on the HTTP port only")
        if where != "base.yaml":
            check(":" in gw["image"] and not gw["image"].endswith(":latest"), f"{where}: a pinned image tag")
            check(all(o["metadata"].get("namespace") for o in objects.values()), f"{where}: a namespace")
    finish("Kubernetes manifests")


# Migrations shipped before the expand/contract rule was checked.
RULE_FROM = 8

CONTRACTING = [
    (r"\bDROP\s+(TABLE|COLUMN|VIEW|TYPE|SCHEMA)\b", "drops"),
    (r"\bRENAME\b", "renames"),
    (r"\bALTER\s+COLUMN\s+\S+\s+(SET\s+DATA\s+)?TYPE\b", "changes a column's type"),
    (r"\bSET\s+NOT\s+NULL\b", "makes an existing column NOT NULL"),
    (r"\bTRUNCATE\b", "empties a table"),
    (r"\bDELETE\s+FROM\b", "deletes rows"),
]


def statements(sql):
    sql = re.sub(r"--[^\n]*", "", sql)
    return [" ".join(s.split()) for s in sql.split(";") if s.strip()]


def migrations():
    """Each migration numbered RULE_FROM or later only adds, unless a `-- contract:` line says
    why it may remove: one release after the code stopped using what it removes."""
    checked = 0
    for backend in ("postgres", "sqlite"):
        for path in sorted((ROOT / "migrations" / backend).glob("*.sql")):
            number = int(path.name.split("_", 1)[0])
            if number < RULE_FROM:
                continue
            checked += 1
            text = path.read_text()
            where = f"migrations/{backend}/{path.name}"
            contract = re.search(r"^--\s*contract:\s*\S", text, re.M) is not None
            created = set()
            for st in statements(text):
                m = re.match(r"(?i)CREATE\s+TABLE\s+(IF\s+NOT\s+EXISTS\s+)?(\w+)", st)
                if m:
                    created.add(m.group(2).lower())
                for pattern, what in CONTRACTING:
                    if re.search(pattern, st, re.I) and not contract:
                        failures.append(f"{where} {what} ({st[:80]}…): only add, or say why with a `-- contract:` line")
                add = re.search(r"(?i)\bADD\s+(COLUMN\s+)?(?!CONSTRAINT)(\w+)\s+(.*)", st)
                if add and re.match(r"(?i)ALTER\s+TABLE", st):
                    rest = add.group(3)
                    if re.search(r"(?i)\bNOT\s+NULL\b", rest) and not re.search(r"(?i)\bDEFAULT\b", rest):
                        failures.append(f"{where} adds NOT NULL column {add.group(2)} without a default")
                idx = re.match(r"(?i)CREATE\s+(UNIQUE\s+)?INDEX\s+(CONCURRENTLY\s+)?.*?\bON\s+(\w+)", st)
                if backend == "postgres" and idx and not idx.group(2) and idx.group(3).lower() not in created:
                    failures.append(f"{where} indexes the existing table {idx.group(3)} without CONCURRENTLY "
                                    "(in a migration whose first line is `-- no-transaction`)")
                if backend == "postgres" and idx and idx.group(2) and not text.startswith("-- no-transaction"):
                    failures.append(f"{where}: CREATE INDEX CONCURRENTLY needs `-- no-transaction` as the first line")
    finish(f"migrations (expand only; {checked} checked from {RULE_FROM:04d} on)")


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "dockerignore":
        dockerignore()
    elif command == "compose":
        compose()
    elif command == "render":
        render(sys.argv[2])
    elif command == "kubernetes":
        kubernetes(sys.argv[2])
    elif command == "migrations":
        migrations()
    else:
        sys.exit(f"unknown check {command}")
