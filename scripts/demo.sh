#!/usr/bin/env bash
# Demo: installs what the agent needs and validates the contract's examples.
# (The full agent demo replaces this as the daemon lands.)
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" = 0 ] && ! command -v haproxy >/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq haproxy nginx libnginx-mod-stream keepalived openssl
fi
[ -d node_modules ] || npm ci --no-audit --no-fund
npm run build --silent
node dist/schemas/cli.js ../shared/contract/examples/*.json
