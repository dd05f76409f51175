#!/usr/bin/env bash
# Recompiles contracts/*.sol into artifacts/ with the pinned solcjs (npm solc@0.8.37).
# Needs node and npm; nothing else. Commit the changed artifacts together with the sources.
set -euo pipefail
cd "$(dirname "$0")/compile"
npm ci --no-audit --no-fund --loglevel=error
node compile.mjs
