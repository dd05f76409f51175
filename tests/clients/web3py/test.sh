#!/usr/bin/env bash
# web3.py 8 against a fresh fevm (see test_web3py.py). Needs the venv from install.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
python=.venv/bin/python
if [ ! -x "$python" ]; then
  echo "web3py/test.sh: $python is missing; run web3py/install.sh first" >&2
  exit 1
fi
export PYTHONDONTWRITEBYTECODE=1
exec node lib/with-fevm.mjs web3py -- "$python" -m pytest -v -p no:cacheprovider web3py/test_web3py.py
