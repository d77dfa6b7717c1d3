#!/usr/bin/env bash
# The streamdrz test command: everything CI runs, runnable on a fresh clone.
#
#   scripts/test.sh [extra Maven arguments]
#
# 1. makes sure models/.venv exists and satisfies models/requirements.txt
#    (the Java build needs its fastavro for the cross-language schema test);
# 2. runs every Java unit and integration test: mvn -B -ntp verify;
# 3. runs the Python tests in models/tests, if that directory exists.
# Every stage runs even if an earlier one failed; the exit status is non-zero if any failed.
set -uo pipefail

cd "$(dirname "$0")/.." || exit 1
ROOT=$(pwd)
VENV="$ROOT/models/.venv"
PYTHON="$VENV/bin/python"
REQUIREMENTS="$ROOT/models/requirements.txt"
export PIP_INDEX_URL="${PIP_INDEX_URL:-file:///opt/pypi/simple}"

failed=()

stage() {
  echo
  echo "==== $*"
}

# Exit 0 when every requirement line is already installed at an acceptable version,
# so that repeated runs skip pip (slow, and torch is large).
requirements_satisfied() {
  "$PYTHON" - "$REQUIREMENTS" <<'PY'
import sys
from importlib.metadata import PackageNotFoundError, version
from pip._vendor.packaging.requirements import Requirement

for line in open(sys.argv[1], encoding="utf-8"):
    line = line.split("#", 1)[0].strip()
    if not line:
        continue
    if line.startswith("-"):
        sys.exit(1)  # an option (-r, --index-url, ...): let pip decide
    requirement = Requirement(line)
    if requirement.marker is not None and not requirement.marker.evaluate():
        continue
    try:
        installed = version(requirement.name)
    except PackageNotFoundError:
        sys.exit(1)
    if not requirement.specifier.contains(installed, prereleases=True):
        sys.exit(1)
PY
}

ensure_venv() {
  if [ ! -x "$PYTHON" ]; then
    echo "creating $VENV"
    python3 -m venv "$VENV" || return 1
  fi
  if requirements_satisfied; then
    echo "$VENV already satisfies models/requirements.txt"
  else
    echo "installing models/requirements.txt into $VENV (index: $PIP_INDEX_URL)"
    "$PYTHON" -m pip install --disable-pip-version-check -q -r "$REQUIREMENTS" || return 1
    requirements_satisfied || { echo "requirements still not satisfied after pip install" >&2; return 1; }
  fi
}

stage "Python environment (models/.venv)"
if ! ensure_venv; then
  failed+=("python environment")
fi

stage "Java build and tests: mvn -B -ntp verify"
if ! mvn -B -ntp verify "-Dstreamdrz.python=$PYTHON" "$@"; then
  failed+=("maven verify")
fi

stage "Java test summary"
# One readable account of the Maven run: counts per kind, every failed and skipped test
# with its reason, and where each failed class's log is (test output goes to files).
"$PYTHON" - "$ROOT" <<'PY' || true
import glob, os, sys
import xml.etree.ElementTree as ET

root = sys.argv[1]
for kind, folder in (("unit tests (surefire)", "surefire-reports"), ("integration tests (failsafe)", "failsafe-reports")):
    run = failed = skipped = 0
    notes = []
    for report in sorted(glob.glob(os.path.join(root, "*", "target", folder, "TEST-*.xml"))):
        suite = ET.parse(report).getroot()
        cls = suite.get("name")
        for case in suite.iter("testcase"):
            run += 1
            name = cls.rsplit(".", 1)[-1] + "." + case.get("name")
            problem = case.find("failure")
            if problem is None:
                problem = case.find("error")
            if problem is not None:
                failed += 1
                log = report.replace("TEST-", "").replace(".xml", "-output.txt")
                notes.append("  FAILED  %s: %s (log: %s)" % (name, (problem.get("message") or "").splitlines()[0][:160] if problem.get("message") else problem.get("type"), os.path.relpath(log, root)))
            elif case.find("skipped") is not None:
                skipped += 1
                notes.append("  skipped %s: %s" % (name, (case.find("skipped").get("message") or "no reason given")[:160]))
    print("%s: %d run, %d failed, %d skipped" % (kind, run, failed, skipped))
    for note in notes:
        print(note)
PY

if [ -d "$ROOT/models/tests" ]; then
  stage "Python tests: pytest -q models/tests"
  "$PYTHON" -m pytest -q models/tests
  status=$?
  # pytest exits 5 when it collects no tests: an empty test directory is not a failure.
  if [ "$status" -ne 0 ] && [ "$status" -ne 5 ]; then
    failed+=("pytest models/tests")
  fi
fi

echo
if [ "${#failed[@]}" -gt 0 ]; then
  echo "==== FAILED: ${failed[*]}"
  exit 1
fi
echo "==== all tests passed"
