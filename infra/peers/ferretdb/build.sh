#!/usr/bin/env bash
# Builds the FerretDB test peer (SQLite backend) to <repo>/.peers/bin/ferretdb.
# Idempotent: skips the build when the binary is newer than its inputs.
# Needs only a Go toolchain and the Go module proxy.
set -euo pipefail

cd "$(dirname "$0")"
root="$(cd ../../.. && pwd)"
out="$root/.peers/bin/ferretdb"

if [[ -x "$out" && "$out" -nt main.go && "$out" -nt go.mod && "$out" -nt go.sum && "$out" -nt build.sh ]]; then
  echo "ferretdb: up to date ($out)"
  exit 0
fi

mkdir -p "$(dirname "$out")"
start=$SECONDS

# CGO_ENABLED=0: the SQLite driver (modernc.org/sqlite) is pure Go.
# -tags ferretdb_no_postgresql: drop the unused PostgreSQL backend (smaller, faster build).
# -buildvcs=false: the repo may have no commits yet; don't rely on the caller's GOFLAGS.
# -mod=readonly: build exactly what go.sum pins.
CGO_ENABLED=0 go build \
  -mod=readonly -buildvcs=false -trimpath \
  -tags ferretdb_no_postgresql \
  -ldflags='-s -w' \
  -o "$out.tmp" .
mv -f "$out.tmp" "$out"

echo "ferretdb: built $out in $((SECONDS - start))s ($(du -h "$out" | cut -f1))"
