#!/usr/bin/env bash
# Seconds from `npm start` to the first 200 on /healthz, in a fresh DATA_DIR on a free port.
# Usage: bash infra/bench/start-time.sh [PORT]   (delete web/build first to include the web build)
set -euo pipefail
cd "$(dirname "$0")/../.."
port=${1:-4100}
data=$(mktemp -d)
start=$(date +%s.%N)
DATA_DIR="$data" PORT="$port" LOG_LEVEL=warn npm start >/dev/null 2>&1 &
pid=$!
trap 'kill -TERM $pid 2>/dev/null; pkill -f "infra/start.mjs" 2>/dev/null || true; rm -rf "$data"' EXIT
until curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; do sleep 0.05; done
echo "ready in $(echo "$(date +%s.%N) - $start" | bc) s"
