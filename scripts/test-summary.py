"""Sums every runner's results (Jest JSON, pytest JUnit XML) into one closing line."""

import glob
import json
import os
import sys
import xml.etree.ElementTree as ET

root = os.environ.get("CITYPULSE_ROOT", os.getcwd())
passed = failed = skipped = 0
for path in glob.glob(f"{root}/**/.test-results/*.json", recursive=True):
    if "/node_modules/" in path:
        continue
    with open(path) as f:
        r = json.load(f)
    passed += r.get("numPassedTests", 0)
    failed += r.get("numFailedTests", 0) + r.get("numRuntimeErrorTestSuites", 0)
    skipped += r.get("numPendingTests", 0) + r.get("numTodoTests", 0)
for path in glob.glob(f"{root}/**/.test-results/*.xml", recursive=True):
    for suite in ET.parse(path).getroot().iter("testsuite"):
        tests = int(suite.get("tests", 0))
        bad = int(suite.get("failures", 0)) + int(suite.get("errors", 0))
        skip = int(suite.get("skipped", 0))
        passed += tests - bad - skip
        failed += bad
        skipped += skip
print(f"citypulse: {passed} passed, {failed} failed, {skipped} skipped")
sys.exit(1 if failed else 0)
