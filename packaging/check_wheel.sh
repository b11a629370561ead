#!/usr/bin/env bash
# Builds the wheel, installs it into a scratch venv outside the source tree and runs the console
# from there as a hall's IT clerk would: demo --init-only, identify, notice (PDF), a Pilot smoke.
# Usage: packaging/check_wheel.sh [PYTHON]   (CI runs it from .ci/run; about a minute)
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
python="${1:-python3}"
scratch="$(mktemp -d "${TMPDIR:-/tmp}/clerk-wheel.XXXXXX")"
trap 'rm -rf "$scratch"' EXIT

"$python" -m pip wheel -q --no-deps -w "$scratch/dist" "$repo" 2>&1 | grep -v "WARNING: Location" || true
wheel="$(ls "$scratch"/dist/clerk_console-*.whl)"
"$python" - "$wheel" <<'PY'
import sys, zipfile
names = zipfile.ZipFile(sys.argv[1]).namelist()
need = ["clerk_console/data/catalogue/departments.toml", "clerk_console/data/calendar/2026.toml",
        "clerk_console/data/templates/common.toml", "clerk_console/data/demo/people.toml",
        "clerk_console/ui/app.tcss", "clerk_console/storage/migrations/script.py.mako",
        "clerk_console/backoffice/workbench/templates/queue.html",
        "clerk_console/backoffice/workbench/static/workbench.css"]
missing = [n for n in need if n not in names]
if missing:
    sys.exit(f"wheel lacks {missing}")
print(f"wheel: {len(names)} files, package data present")
PY
"$python" -m venv "$scratch/venv"
"$scratch/venv/bin/python" -m pip install -q "$wheel" 2>&1 | grep -v "WARNING: Location" || true

cd "$scratch"  # nothing of the checkout on the path from here on
export CLERK_CONSOLE_HOME="$scratch/window" CLERK_CONSOLE_DEMO_HOME="$scratch/window" \
       CLERK_SOURCE_TREE="$repo"  # the demo has its own folder: point both at one
unset CLERK_CONSOLE_DATA PYTHONPATH
bin="$scratch/venv/bin"
"$bin/clerk-console" --version
"$bin/clerk-console" demo --init-only
"$bin/clerk-console" identify 91370613MA3CKF011N
# cases and notice show personal data: the demo clerk signs in (PIN on stdin with --as)
case_no="$(echo 123456 | "$bin/clerk-console" cases --json --as demo | "$bin/python" -c 'import json,sys; print(json.loads(sys.stdin.readline())["case_no"])')"
echo 123456 | "$bin/clerk-console" notice "$case_no" --pdf "$scratch/notice.pdf" --as demo
test -s "$scratch/notice.pdf"
"$bin/python" "$repo/packaging/smoke_installed.py"
echo "check_wheel: ok"
