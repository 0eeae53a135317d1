#!/usr/bin/env bash
# Checks and unit-tests the Prometheus alert rules (deploy/prometheus/rules/*.yml):
#   - `promtool check rules` on every rules file;
#   - every scrape job of deploy/prometheus/prometheus.yml has an `up` series in the tests, so a job
#     added later is covered by the service-down case;
#   - `promtool test rules` on deploy/prometheus/tests/*.test.yml, once per file and once per test
#     group (for the counts: one group = one test).
# Prints "prometheus rules: N passed, N failed" and exits 1 when anything fails.
#
#   deploy/prometheus/test-rules.sh [--junit FILE]   (FILE: JUnit XML for scripts/test-summary.py)
#
# promtool comes with Debian's prometheus package, which `deploy/local/stack.sh install` installs.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
junit=""
[ "${1:-}" = "--junit" ] && junit="$2"

PROMTOOL="${PROMTOOL:-$(command -v promtool || echo /usr/bin/promtool)}"
[ -x "$PROMTOOL" ] || {
  echo "test-rules: promtool is missing: deploy/local/stack.sh install prometheus (Debian's prometheus package)" >&2
  exit 1
}
PY=""
for c in python3 /usr/bin/python3; do
  if command -v "$c" >/dev/null 2>&1 && "$c" -c 'import yaml' 2>/dev/null; then PY="$c"; break; fi
done
[ -n "$PY" ] || { echo "test-rules: needs a python3 with PyYAML (python3-yaml)" >&2; exit 1; }

"$PROMTOOL" check rules deploy/prometheus/rules/*.yml

PROMTOOL="$PROMTOOL" "$PY" - "$junit" <<'PY'
import glob, os, re, subprocess, sys, tempfile, time
import xml.etree.ElementTree as ET
import yaml

junit = sys.argv[1]
promtool = os.environ["PROMTOOL"]
results = []  # (name, seconds, failure text or None)

# every scrape job of the template has an up series in the tests
template = open("deploy/prometheus/prometheus.yml").read()
jobs = set(re.findall(r"job_name:\s*['\"]?([A-Za-z0-9_.-]+)", template))
files = sorted(glob.glob("deploy/prometheus/tests/*.test.yml"))
tested = set()
for f in files:
    for m in re.finditer(r"up\{[^}]*job=\"([^\"]+)\"", open(f).read()):
        tested.add(m.group(1))
missing = sorted(jobs - tested)
results.append(("every scrape job has an up series in the tests", 0.0,
                f"no up series for job(s) {', '.join(missing)}" if missing else None))

for f in files:
    t0 = time.time()
    r = subprocess.run([promtool, "test", "rules", f], capture_output=True, text=True)
    results.append((f"promtool test rules {f}", time.time() - t0, None if r.returncode == 0 else r.stdout + r.stderr))
    doc = yaml.safe_load(open(f))
    here = os.path.dirname(os.path.abspath(f))
    rule_files = [os.path.join(here, p) for p in doc.get("rule_files", [])]
    for i, group in enumerate(doc.get("tests", [])):
        name = group.get("name") or f"{os.path.basename(f)} #{i + 1}"
        one = {k: v for k, v in doc.items() if k != "tests"}
        one["rule_files"] = rule_files
        one["tests"] = [group]
        with tempfile.NamedTemporaryFile("w", suffix=".yml", delete=False) as tmp:
            yaml.safe_dump(one, tmp, sort_keys=False)
        t0 = time.time()
        r = subprocess.run([promtool, "test", "rules", tmp.name], capture_output=True, text=True)
        os.unlink(tmp.name)
        results.append((name, time.time() - t0, None if r.returncode == 0 else r.stdout + r.stderr))

failed = [r for r in results if r[2] is not None]
for name, _, text in failed:
    print(f"FAILED: {name}\n{text}", file=sys.stderr)
print(f"prometheus rules: {len(results) - len(failed)} passed, {len(failed)} failed")
if junit:
    suite = ET.Element("testsuite", name="prometheus-rules", tests=str(len(results)),
                       failures=str(len(failed)), errors="0", skipped="0")
    for name, secs, text in results:
        case = ET.SubElement(suite, "testcase", classname="prometheus-rules", name=name, time=f"{secs:.3f}")
        if text is not None:
            ET.SubElement(case, "failure", message="failed").text = text
    os.makedirs(os.path.dirname(os.path.abspath(junit)), exist_ok=True)
    ET.ElementTree(suite).write(junit, encoding="unicode")
sys.exit(1 if failed else 0)
PY
