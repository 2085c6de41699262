#!/usr/bin/env bash
# Runs the TradingActors benchmark against a private PostgreSQL instance.
#
#   scripts/bench.sh fanout --tenants N [--cold] [other bench args...]
#
# All arguments go to TradingActors.Bench unchanged. Starts
# `db.sh start --name bench --port 55434`, builds src/TradingActors.Bench in
# Release, runs it with TRADINGACTORS_BENCH_PG=<connection string>, stops the
# database, and exits with the bench's exit code. Build and database messages
# go to stderr; stdout carries only the bench's own output.
set -euo pipefail

SCRIPT_DIR="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)"
REPO_ROOT="$(cd -- "$SCRIPT_DIR/.." && pwd -P)"
DB="$SCRIPT_DIR/db.sh"
DB_ARGS=(--name bench --port 55434)
PROJECT="$REPO_ROOT/src/TradingActors.Bench"
DLL="$PROJECT/bin/Release/net10.0/TradingActors.Bench.dll"

if [[ $# -eq 0 ]]; then
  echo "usage: scripts/bench.sh fanout --tenants N [--cold] [other bench args...]" >&2
  exit 2
fi

DB_STARTED=0
cleanup() {
  if [[ "$DB_STARTED" -eq 1 ]]; then
    DB_STARTED=0
    # Quiet: nothing may follow the bench's output.
    "$DB" stop "${DB_ARGS[@]}" >/dev/null 2>&1 || true
  fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

cd "$REPO_ROOT"
echo "bench.sh: building $PROJECT (Release)..." >&2
dotnet build "$PROJECT" -c Release --nologo -v quiet >&2

DB_STARTED=1
TRADINGACTORS_BENCH_PG="$("$DB" start "${DB_ARGS[@]}")"
export TRADINGACTORS_BENCH_PG

rc=0
dotnet "$DLL" "$@" || rc=$?
cleanup
exit "$rc"
