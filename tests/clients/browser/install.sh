#!/usr/bin/env bash
# Make sure Chromium is there for the browser suite. Idempotent: when a Chromium is already
# installed (or CHROMIUM_BIN points at one) it only prints its version.
#
# On a fresh Debian 12 machine it installs Debian's `chromium` package (about 25 packages with
# --no-install-recommends, /usr/bin/chromium). It refreshes the package lists first, because a
# fresh machine's lists may be missing or name versions the mirror no longer has. Needs root (or
# sudo); nothing is downloaded from anywhere but the Debian package registry.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=chromium.sh
. "$here/chromium.sh"

bin=$(find_chromium)
if [ -z "$bin" ]; then
  if ! command -v apt-get >/dev/null; then
    echo "browser/install.sh: no Chromium found and no apt-get to install one;" \
      "install Chromium and set CHROMIUM_BIN=/path/to/chromium" >&2
    exit 1
  fi
  sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null; then sudo=(sudo); else
      echo "browser/install.sh: installing Chromium needs root (apt-get install chromium);" \
        "run as root, or install it yourself and set CHROMIUM_BIN" >&2
      exit 1
    fi
  fi
  echo "==> installing Debian's chromium (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  if ! "${sudo[@]}" apt-get -o DPkg::Lock::Timeout=300 update -qq; then
    echo "browser/install.sh: apt-get update failed; cannot install Chromium" >&2
    exit 1
  fi
  if ! "${sudo[@]}" apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends chromium >/dev/null; then
    echo "browser/install.sh: apt-get install chromium failed (see above)" >&2
    exit 1
  fi
  bin=$(find_chromium)
  if [ -z "$bin" ]; then
    echo "browser/install.sh: apt-get installed chromium but /usr/bin/chromium is missing" >&2
    exit 1
  fi
fi

if ! version=$("$bin" --headless --no-sandbox --disable-gpu --version 2>/dev/null); then
  echo "browser/install.sh: $bin does not run: $version" >&2
  exit 1
fi
echo "chromium: $bin ($version)"
