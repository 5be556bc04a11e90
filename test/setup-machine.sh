#!/usr/bin/env bash
# Prepares a machine for the test suite, once, before `npm ci && npm test` (.ci/run calls it): installs
# Debian's Chromium for the browser test when it is missing. playwright-core drives /usr/bin/chromium;
# it never downloads a browser of its own. Needs root and apt-get; elsewhere it says what to install.
set -euo pipefail
[ -x /usr/bin/chromium ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian's chromium for the browser tests…" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
else
  echo "warning: /usr/bin/chromium is missing; install Debian's 'chromium' package (as root) for the browser tests." >&2
fi
