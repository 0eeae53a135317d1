#!/usr/bin/env bash
# Checks that docker-compose.yml is valid and still in step with the native stack and the repo.
# Needs no Docker engine: docker-compose (or `docker compose`) validates and renders the file, Python
# reads the result. Exits 1 listing every problem found; prints what it checked otherwise.
#
#   deploy/docker/check-compose.sh
#
# What it checks:
#   - `config` passes with the default profile and with --profile cluster, alone and with
#     deploy/docker/compose.host-ports.yml, using .env.example overlaid by .env (so a variable added
#     to .env.example later is there for old checkouts too);
#   - host ports: docker-compose.yml publishes only what a user opens (Redpanda Console, Grafana, the
#     sink's and alerting's REST APIs); every port of either file is bound to 127.0.0.1;
#   - topics: redpanda-init's own parser of libs/contracts/topics.json gives exactly the topics, configs and
#     partitions an independent JSON parser gives, topics.json is what it mounts, and its default
#     partition count equals the native Kafka's num.partitions;
#   - apps: every folder of apps/ is a compose service of that name built from node.Dockerfile with
#     APP=<folder>; unless it is a one-shot CLI (profile `tools`), with <APP>_METRICS_PORT set,
#     exposed, and published by deploy/docker/compose.host-ports.yml, and a scrape job of that name in
#     deploy/prometheus/prometheus.yml; every service built with APP names an existing folder;
#   - Prometheus: every job of the native template is a compose service or alias, every ${VAR} in it
#     is in .env.example and in the prometheus service's environment, the service mounts the alert
#     rules (deploy/prometheus/rules), and the rendered file with them beside it passes
#     `promtool check config` and loads them (when promtool is installed);
#   - Redpanda Console: its config file (deploy/redpanda/console-config.yaml) is mounted at
#     CONFIG_FILEPATH and nothing in its environment overrides it; its brokers and schema registry are
#     the KAFKA_BROKERS and SCHEMA_REGISTRY_URL every app is given, a compose broker's internal
#     listener and a compose service's --schema-registry-addr; schema-registry decoding is on; its
#     admin API and listen port are ports of their services;
#   - every long-running service has a healthcheck and a mem_limit, every depends_on a condition;
#   - every ${VAR} of docker-compose.yml is in .env.example, and each ${VAR:-default} default equals
#     .env.example's value; password/secret/token values are ${VAR:?...} only;
#   - the Grafana dashboards use the provisioned datasource uid, and every citypulse_* metric they
#     query exists in libs/observability (its metric catalog) or spark/citypulse_spark/metrics.py.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"

if command -v docker-compose >/dev/null 2>&1; then
  COMPOSE=(docker-compose)
elif docker compose version >/dev/null 2>&1; then
  COMPOSE=(docker compose)
else
  echo "check-compose: neither docker-compose nor the docker compose plugin is installed" >&2
  exit 1
fi

PY=""
for c in python3 /usr/bin/python3; do
  if command -v "$c" >/dev/null 2>&1 && "$c" -c 'import yaml' 2>/dev/null; then PY="$c"; break; fi
done
[ -n "$PY" ] || { echo "check-compose: needs a python3 with PyYAML (python3-yaml)" >&2; exit 1; }

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# .env.example overlaid by .env, one value per key (the last wins), as scripts/env.sh layers them;
# a key set in the environment wins over both, as it does for compose itself and for env.sh (a shell
# that sourced scripts/env.sh of another checkout renders that checkout's ports)
"$PY" - "$tmp/env" <<'PY'
import os, re, sys
vals = {}
for f in (".env.example", ".env"):
    if not os.path.exists(f):
        continue
    for line in open(f):
        m = re.match(r"\s*([A-Za-z_][A-Za-z0-9_]*)=(.*)$", line)
        if m:
            vals[m.group(1)] = m.group(2).strip()
vals.update({k: os.environ[k] for k in vals if k in os.environ})
with open(sys.argv[1], "w") as out:
    for k, v in vals.items():
        out.write(f"{k}={v}\n")
PY

problems=()
host_ports=deploy/docker/compose.host-ports.yml
for files in "docker-compose.yml" "docker-compose.yml $host_ports"; do
  for profile in "" cluster; do
    args=(--env-file "$tmp/env")
    for f in $files; do args+=(-f "$f"); done
    [ -n "$profile" ] && args+=(--profile "$profile")
    if ! "${COMPOSE[@]}" "${args[@]}" config -q 2>"$tmp/err"; then
      problems+=("compose config ($files)${profile:+ --profile $profile} fails: $(tr '\n' ' ' <"$tmp/err")")
    fi
  done
done
for out in rendered rendered-host; do
  args=(--env-file "$tmp/env" -f docker-compose.yml)
  [ "$out" = rendered-host ] && args+=(-f "$host_ports")
  if ! "${COMPOSE[@]}" "${args[@]}" --profile cluster config >"$tmp/$out.yml" 2>"$tmp/err"; then
    problems+=("compose config (render${out#rendered}) fails: $(tr '\n' ' ' <"$tmp/err")")
    printf 'check-compose: FAILED\n' >&2; printf '  - %s\n' "${problems[@]}" >&2; exit 1
  fi
done

bash deploy/docker/redpanda-init.sh --list-topics libs/contracts/topics.json >"$tmp/init-topics" ||
  problems+=("redpanda-init.sh --list-topics failed")
(set -a; . "$tmp/env"; set +a; sh deploy/docker/prometheus-entrypoint.sh --render deploy/prometheus/prometheus.yml) \
  >"$tmp/prometheus.yml" 2>"$tmp/err" || problems+=("rendering the Prometheus template fails: $(cat "$tmp/err")")
if command -v promtool >/dev/null 2>&1 && [ -s "$tmp/prometheus.yml" ]; then
  # with the rules linked beside it, as the entrypoint does: rule_files must find and load them
  ln -s "$ROOT/deploy/prometheus/rules" "$tmp/rules"
  promtool check config "$tmp/prometheus.yml" >"$tmp/err" 2>&1 ||
    problems+=("promtool rejects the rendered Prometheus config: $(tr '\n' ' ' <"$tmp/err")")
  grep -q 'SUCCESS: [1-9][0-9]* rule files found' "$tmp/err" ||
    problems+=("the rendered Prometheus config loads no rule files: $(tr '\n' ' ' <"$tmp/err")")
fi

mapfile -t more < <("$PY" - "$tmp" <<'PY'
import glob, json, os, re, sys
import yaml

tmp = sys.argv[1]
out = []
say = out.append
# the file without its comment lines (they show ${VAR} examples)
raw = "".join(l for f in ("docker-compose.yml", "deploy/docker/compose.host-ports.yml") for l in open(f) if not l.lstrip().startswith("#"))
doc = yaml.safe_load(open(os.path.join(tmp, "rendered.yml")))
services = doc.get("services", {})
# docker-compose.yml with deploy/docker/compose.host-ports.yml (the native stack's ports on the host)
host_services = yaml.safe_load(open(os.path.join(tmp, "rendered-host.yml"))).get("services", {})

def env_file(path):
    vals = {}
    for line in open(path):
        m = re.match(r"\s*([A-Za-z_][A-Za-z0-9_]*)=(.*)$", line)
        if m:
            vals[m.group(1)] = m.group(2).strip()
    return vals
example = env_file(".env.example")

def env_of(svc):
    e = services.get(svc, {}).get("environment") or {}
    if isinstance(e, list):
        e = dict(x.split("=", 1) if "=" in x else (x, "") for x in e)
    return e

def port_entries(svc, of=None):
    """(host ip, published, target) of each port a service publishes"""
    out = []
    for p in (of or services).get(svc, {}).get("ports") or []:
        if isinstance(p, dict):
            out.append((str(p.get("host_ip", "")), str(p.get("published")), str(p.get("target"))))
        else:
            parts = str(p).split("/")[0].split(":")
            out.append((parts[0] if len(parts) == 3 else "", parts[-2] if len(parts) >= 2 else parts[0], parts[-1]))
    return out

def published(svc, of=None):
    return {pub for _, pub, _ in port_entries(svc, of)}

def container_ports(svc):
    """ports a service listens on for other containers: its published targets and its `expose`"""
    return {t for _, _, t in port_entries(svc)} | {str(e).split("/")[0] for e in services.get(svc, {}).get("expose") or []}

names = set(services)
for s, d in services.items():
    nets = d.get("networks") or {}
    if isinstance(nets, dict):
        for n in nets.values():
            names.update((n or {}).get("aliases") or [])

# --- topics -------------------------------------------------------------------------------------
topics = json.load(open("libs/contracts/topics.json"))
want = sorted(
    " ".join([s["topic"], str(int(s.get("partitions", 1)))] + [f"{k}={v}" for k, v in (s.get("configs") or {}).items()])
    for s in topics["streams"].values()
)
got = sorted(l.strip() for l in open(os.path.join(tmp, "init-topics")) if l.strip())
if want != got:
    say(f"redpanda-init reads topics.json as {got}, JSON says {want}")
init = services.get("redpanda-init", {})
tf = env_of("redpanda-init").get("TOPICS_FILE", "/citypulse/topics.json")
mounts = [v if isinstance(v, str) else f"{v.get('source')}:{v.get('target')}" for v in init.get("volumes") or []]
if not any(m.split(":")[0].endswith("libs/contracts/topics.json") and m.split(":")[1] == tf for m in mounts):
    say(f"redpanda-init does not mount libs/contracts/topics.json at {tf}")
kafka_run = open("deploy/local/services/kafka/broker.sh").read()  # the settings every native broker shares
m = re.search(r"^num\.partitions=(\d+)", kafka_run, re.M)
init_sh = open("deploy/docker/redpanda-init.sh").read()
m2 = re.search(r"default_topic_partitions (\d+)", init_sh)
if not m or not m2 or m.group(1) != m2.group(1):
    say(f"default partitions differ: native Kafka num.partitions={m and m.group(1)}, redpanda-init default_topic_partitions={m2 and m2.group(1)}")

# --- apps ---------------------------------------------------------------------------------------
apps = sorted(os.path.basename(os.path.dirname(p)) for p in glob.glob("apps/*/package.json"))
template = open("deploy/prometheus/prometheus.yml").read()
jobs = re.findall(r"job_name:\s*['\"]?([A-Za-z0-9_.-]+)", template)
for app in apps:
    d = services.get(app)
    if d is None:
        say(f"apps/{app} has no compose service named {app}")
        continue
    b = d.get("build") or {}
    if not str(b.get("dockerfile", "")).endswith("deploy/docker/node.Dockerfile") or (b.get("args") or {}).get("APP") != app:
        say(f"service {app} is not built from deploy/docker/node.Dockerfile with APP={app}")
    if "tools" in (d.get("profiles") or []):
        continue  # a one-shot CLI (`docker compose run`): no metrics port, nothing to scrape
    if app not in jobs:
        say(f"apps/{app} has no scrape job in deploy/prometheus/prometheus.yml")
    var = app.upper().replace("-", "_") + "_METRICS_PORT"
    if var not in example:
        say(f"{var} (metrics port of apps/{app}) is not in .env.example")
    port = env_of(app).get(var)
    if port is None:
        say(f"service {app} does not set {var}")
    else:
        if str(port) not in container_ports(app):
            say(f"service {app} does not expose its metrics port {var}={port}")
        if str(port) not in published(app, host_services):
            say(f"deploy/docker/compose.host-ports.yml does not publish {app}'s metrics port {var}={port}")

# --- host ports ---------------------------------------------------------------------------------
# docker-compose.yml publishes only what a user opens; the override adds the rest, for the host.
layered = env_file(os.path.join(tmp, "env"))  # .env.example, .env, then the environment: what compose rendered with
user_facing = {"redpanda-console": "REDPANDA_CONSOLE_PORT", "grafana": "GRAFANA_PORT",
               "aggregation-sink": "AGGREGATION_SINK_HTTP_PORT", "alerting": "ALERTING_HTTP_PORT"}
for s in services:
    should = {layered.get(user_facing[s], f"${user_facing[s]}")} if s in user_facing else set()
    if published(s) != should:
        say(f"docker-compose.yml: service {s} publishes {sorted(published(s)) or 'nothing'}, should publish {sorted(should) or 'nothing'} (other host ports belong in deploy/docker/compose.host-ports.yml)")
for label, of in (("docker-compose.yml", services), ("with compose.host-ports.yml", host_services)):
    for s in of:
        for ip, pub, _ in port_entries(s, of):
            if ip != "127.0.0.1":
                say(f"{label}: service {s} publishes port {pub} on '{ip or '0.0.0.0'}', not 127.0.0.1")
for s, d in services.items():
    app = ((d.get("build") or {}).get("args") or {}).get("APP")
    if app is not None and app not in apps:
        say(f"service {s} builds APP={app}, but apps/{app} does not exist")

# --- Prometheus ---------------------------------------------------------------------------------
for j in jobs:
    if j not in names:
        say(f"scrape job {j} of deploy/prometheus/prometheus.yml is no compose service or alias")
penv = env_of("prometheus")
pmounts = [v if isinstance(v, str) else f"{v.get('source')}:{v.get('target')}" for v in services.get("prometheus", {}).get("volumes") or []]
if not any(m.split(":")[0].endswith("deploy/prometheus/rules") and m.split(":")[1] == "/etc/citypulse/rules" for m in pmounts):
    say("the prometheus service does not mount deploy/prometheus/rules at /etc/citypulse/rules")
for v in sorted(set(re.findall(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}", template))):
    if v not in example:
        say(f"{v} (used by deploy/prometheus/prometheus.yml) is not in .env.example")
    if v not in penv:
        say(f"the prometheus service does not set {v} (used by deploy/prometheus/prometheus.yml)")

# --- Redpanda Console ----------------------------------------------------------------------------
# Its config file is the only source of its addresses: they must be the broker and registry every
# service is given (x-platform-env), each served by a compose service at that port.
def option(svc, flag):
    for a in (services.get(svc, {}).get("command") or []):
        if isinstance(a, str) and a.startswith(flag + "="):
            return a.split("=", 1)[1]
    return ""
def mounts_of(svc):
    return [v if isinstance(v, str) else f"{v.get('source')}:{v.get('target')}" for v in services.get(svc, {}).get("volumes") or []]
def host_port(addr):
    a = re.sub(r"^[a-z]+://", "", addr).split("/")[0]
    host, _, port = a.rpartition(":")
    return host, port
console = services.get("redpanda-console")
if console is None:
    say("there is no redpanda-console service")
else:
    cenv = env_of("redpanda-console")
    cpath = cenv.get("CONFIG_FILEPATH")
    if not any(m.split(":")[0].endswith("deploy/redpanda/console-config.yaml") and m.split(":")[1] == cpath for m in mounts_of("redpanda-console")):
        say(f"redpanda-console does not mount deploy/redpanda/console-config.yaml at CONFIG_FILEPATH ({cpath})")
    override = sorted(k for k in cenv if re.match(r"(KAFKA|SCHEMAREGISTRY|REDPANDA|SERVER)_", k))
    if override or console.get("env_file"):
        say(f"redpanda-console's environment overrides its config file: {override or 'env_file'}")
    cc = yaml.safe_load(open("deploy/redpanda/console-config.yaml")) or {}
    ck = cc.get("kafka") or {}
    platform = {(env_of(s).get("KAFKA_BROKERS"), env_of(s).get("SCHEMA_REGISTRY_URL")) for s, d in services.items() if ((d.get("build") or {}).get("args") or {}).get("APP")}
    if len(platform) != 1:
        say(f"the apps are not given one broker list and registry: {sorted(map(str, platform))}")
    else:
        (want_brokers, want_registry), = platform
        if sorted(ck.get("brokers") or []) != sorted((want_brokers or "").split(",")):
            say(f"the Console's kafka.brokers {ck.get('brokers')} are not the apps' KAFKA_BROKERS {want_brokers}")
        sr = ck.get("schemaRegistry") or {}
        if sr.get("enabled") is not True:
            say("the Console's kafka.schemaRegistry.enabled is not true: it would not decode Avro")
        if [u.rstrip("/") for u in sr.get("urls") or []] != [(want_registry or "").rstrip("/")]:
            say(f"the Console's kafka.schemaRegistry.urls {sr.get('urls')} are not the apps' SCHEMA_REGISTRY_URL {want_registry}")
    advertised = {a.split("://", 1)[1] for s in services for a in option(s, "--advertise-kafka-addr").split(",") if a.startswith("internal://")}
    for b in ck.get("brokers") or []:
        if b not in advertised:
            say(f"the Console's broker {b} is no compose broker's internal listener ({sorted(advertised)})")
    for u in (ck.get("schemaRegistry") or {}).get("urls") or []:
        host, port = host_port(u)
        if host not in names or host_port(option(host, "--schema-registry-addr"))[1] != port:
            say(f"the Console's schema registry {u} is no compose service's schema registry (--schema-registry-addr)")
    for u in ((cc.get("redpanda") or {}).get("adminApi") or {}).get("urls") or []:
        host, port = host_port(u)
        if host not in names or port not in container_ports(host):
            say(f"the Console's admin API {u} is no compose service's port")
    listen = str((cc.get("server") or {}).get("listenPort", 8080))
    cports = {str(p.get("target")) if isinstance(p, dict) else str(p).split(":")[-1].split("/")[0] for p in console.get("ports") or []}
    if listen not in cports:
        say(f"the Console listens on {listen} (server.listenPort), but the service publishes {sorted(cports)}")

# --- healthchecks, memory, dependencies -----------------------------------------------------------
for s, d in services.items():
    one_shot = str(d.get("restart", "")).strip("'\"") in ("no", "")
    if not one_shot:
        if not d.get("healthcheck") or d["healthcheck"].get("disable"):
            say(f"service {s} has no healthcheck")
    if not d.get("mem_limit") and not ((d.get("deploy") or {}).get("resources") or {}).get("limits"):
        say(f"service {s} has no memory limit")
    dep = d.get("depends_on") or {}
    if isinstance(dep, list):
        say(f"service {s}: depends_on without conditions")
    else:
        for t, c in dep.items():
            cond = (c or {}).get("condition")
            if cond not in ("service_healthy", "service_completed_successfully"):
                say(f"service {s}: depends_on {t} with condition {cond}")
            elif cond == "service_healthy" and not services.get(t, {}).get("healthcheck"):
                say(f"service {s} waits for {t} to be healthy, but {t} has no healthcheck")

# --- variables ----------------------------------------------------------------------------------
for m in re.finditer(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}", raw):
    var, op, arg = m.group(1), m.group(2), m.group(3)
    if var not in example:
        say(f"docker-compose.yml uses ${{{var}}}, which .env.example does not define")
    elif op in (":-", "-") and arg != example[var]:
        say(f"docker-compose.yml defaults {var} to '{arg}', .env.example to '{example[var]}'")
for m in re.finditer(r"^\s*([A-Z0-9_]*(?:PASSWORD|SECRET|TOKEN)[A-Z0-9_]*):\s*(.+)$", raw, re.M):
    if not re.fullmatch(r"\$\{[A-Za-z_][A-Za-z0-9_]*:\?[^}]*\}", m.group(2).strip().strip("'\"")):
        say(f"docker-compose.yml: {m.group(1)} must come from .env as ${{VAR:?...}}, not '{m.group(2).strip()}'")

# --- Grafana ------------------------------------------------------------------------------------
ds = yaml.safe_load(open("deploy/grafana/provisioning/datasources/prometheus.yaml"))
uids = {d.get("uid") for d in ds.get("datasources", [])}
# the metric catalog (libs/observability/src/catalog.ts) and the shared instruments name every metric
known = set()
for src in glob.glob("libs/observability/src/*.ts"):
    if not src.endswith(".spec.ts"):
        # quoted names, and CITY_GAUGES' keys (`city_tickets: {`)
        for q, key in re.findall(r"'([a-z_]+)'|^\s*([a-z_]+): \{", open(src).read(), re.M):
            known.add("citypulse_" + (q or key))
spark_src = open("spark/citypulse_spark/metrics.py").read()
for kind, name in re.findall(r"(Counter|Gauge|Histogram)\(\s*\"(citypulse_[a-z_]+)\"", spark_src):
    known.add(name + "_total" if kind == "Counter" and not name.endswith("_total") else name)
def walk(o):
    if isinstance(o, dict):
        yield o
        for v in o.values():
            yield from walk(v)
    elif isinstance(o, list):
        for v in o:
            yield from walk(v)
for f in sorted(glob.glob("deploy/grafana/dashboards/*.json")):
    try:
        dash = json.load(open(f))
    except ValueError as e:
        say(f"{f}: not JSON ({e})")
        continue
    for o in walk(dash):
        dsr = o.get("datasource")
        if isinstance(dsr, dict) and dsr.get("uid") not in uids and not str(dsr.get("uid", "")).startswith("$"):
            say(f"{f}: datasource uid {dsr.get('uid')} is not provisioned ({sorted(uids)})")
        for key in ("expr", "definition"):
            if isinstance(o.get(key), str):
                for metric in re.findall(r"\b(citypulse_[a-z_]+)", o[key]):
                    base = re.sub(r"_(bucket|sum|count)$", "", metric)
                    if metric not in known and base not in known:
                        say(f"{f}: metric {metric} is not defined in libs/observability or the Spark job")

print("\n".join(out))
print(f"#summary {len(services)} services, {len(apps)} apps ({', '.join(apps)}), {len(want)} topics, {len(jobs)} scrape jobs")
PY
)
summary=""
for p in "${more[@]}"; do
  case "$p" in
    "#summary "*) summary="${p#\#summary }" ;;
    "") ;;
    *) problems+=("$p") ;;
  esac
done

if [ "${#problems[@]}" -gt 0 ]; then
  echo "check-compose: FAILED (${#problems[@]} problem(s))" >&2
  printf '  - %s\n' "${problems[@]}" >&2
  exit 1
fi
echo "check-compose: OK: $summary; compose config valid with and without --profile cluster and the host-ports"
echo "  override; host ports, topics, apps, scrape jobs, variables, healthchecks, memory limits and dashboards in step with the native stack"
