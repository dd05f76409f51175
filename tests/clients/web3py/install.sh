#!/usr/bin/env bash
# The web3.py suite's Python environment: a venv in tests/clients/.venv with requirements.txt
# installed from PyPI, every package pinned (nothing is resolved on the day). Idempotent: a stamp
# in the venv records the hash of requirements.txt (and the Python version), so a second run with
# nothing changed returns at once.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
venv="$(cd "$here/.." && pwd)/.venv"
requirements="$here/requirements.txt"
stamp="$venv/.web3py-requirements.sha256"

if ! command -v python3 >/dev/null; then
  echo "web3py/install.sh: python3 not found (the web3.py suite needs Python >= 3.10)" >&2
  exit 1
fi
want=$({ sha256sum "$requirements" | cut -d' ' -f1; python3 --version; } | sha256sum | cut -d' ' -f1)

if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && "$venv/bin/python" -c "" 2>/dev/null; then
  echo "==> web3py: Python venv up to date ($venv)"
  exit 0
fi

echo "==> web3py: installing $(basename "$requirements") into $venv"
if ! "$venv/bin/python" -c "" 2>/dev/null; then
  # Missing, or made by a Python that is gone: make it anew.
  python3 -m venv --clear "$venv"
fi
rm -f "$stamp"
# --no-deps: install exactly the pinned set, never a newer transitive dependency the registry serves
# today; `pip check` then fails loudly if requirements.txt left one out.
"$venv/bin/python" -m pip install --disable-pip-version-check --no-input --quiet --no-deps -r "$requirements"
"$venv/bin/python" -m pip check --disable-pip-version-check
"$venv/bin/python" - <<'PY'
import pytest, web3
assert web3.__version__ == "8.0.0", f"expected web3 8.0.0, got {web3.__version__}"
print(f"==> web3py: web3 {web3.__version__}, pytest {pytest.__version__}")
PY
echo "$want" > "$stamp"
