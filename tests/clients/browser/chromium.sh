# Sourced by install.sh and test.sh: find a Chromium binary for the browser suite.
#
# Order: $CHROMIUM_BIN (must exist), then Debian's /usr/bin/chromium, then a system-wide
# chromium-headless-shell. Prints the path, or nothing if none is there.
find_chromium() {
  if [ -n "${CHROMIUM_BIN:-}" ]; then
    if [ -x "$CHROMIUM_BIN" ]; then echo "$CHROMIUM_BIN"; return 0; fi
    echo "browser: CHROMIUM_BIN=$CHROMIUM_BIN is not an executable file" >&2
    return 1
  fi
  local candidate
  for candidate in /usr/bin/chromium /usr/bin/chromium-headless-shell; do
    if [ -x "$candidate" ]; then echo "$candidate"; return 0; fi
  done
  return 0
}
