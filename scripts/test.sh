#!/usr/bin/env bash
# Runs the whole test suite against a private PostgreSQL instance.
#
#   scripts/test.sh [extra dotnet test args]
#
# Starts `db.sh start --name test --port 55433`, exports TRADINGACTORS_TEST_PG,
# builds the solution, runs `dotnet test TradingActors.sln -c Release --no-build` writing .trx files into
# .run/test-results, stops the database, and prints as the very last line
#   N passed, N failed[, N skipped]
# Exit code: dotnet test's; non-zero also when no test ran or any test failed.
#
#   scripts/test.sh --summarize DIR   only print the totals line for the .trx files in DIR.
set -euo pipefail

SCRIPT_DIR="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)"
REPO_ROOT="$(cd -- "$SCRIPT_DIR/.." && pwd -P)"
DB="$SCRIPT_DIR/db.sh"
DB_ARGS=(--name test --port 55433)
RESULTS_DIR="$REPO_ROOT/.run/test-results"

# Sums the <Counters .../> of every .trx under $1 and prints "P F S" (skipped =
# whatever was neither passed nor failed; error/timeout/aborted count as failed).
# Plain grep/sed/awk so it works without python.
sum_trx() {
  local dir="$1" f
  local -a files=()
  if [[ -d "$dir" ]]; then
    while IFS= read -r -d '' f; do files+=("$f"); done \
      < <(find "$dir" -type f -name '*.trx' -print0)
  fi
  if [[ ${#files[@]} -eq 0 ]]; then
    echo "0 0 0"
    return 0
  fi
  local file
  for file in "${files[@]}"; do
    # Join lines so an element split over several lines is still one match.
    tr '\r\n' '  ' <"$file" | grep -o '<Counters[^>]*>' || true
  done | awk '
    function attr(s, name,    m) {
      if (match(s, "[ \t]" name "=\"[0-9]+\"")) {
        m = substr(s, RSTART, RLENGTH)
        sub(/^[ \t][A-Za-z]+="/, "", m)
        sub(/"$/, "", m)
        return m + 0
      }
      return 0
    }
    {
      t = attr($0, "total"); p = attr($0, "passed")
      f = attr($0, "failed") + attr($0, "error") + attr($0, "timeout") + attr($0, "aborted")
      s = t - p - f; if (s < 0) s = 0
      P += p; F += f; S += s
    }
    END { printf "%d %d %d\n", P, F, S }'
}

totals_line() {
  local p f s
  read -r p f s < <(sum_trx "$1")
  if (( s > 0 )); then
    printf '%d passed, %d failed, %d skipped\n' "$p" "$f" "$s"
  else
    printf '%d passed, %d failed\n' "$p" "$f"
  fi
}

if [[ "${1:-}" == "--summarize" ]]; then
  [[ $# -eq 2 ]] || { echo "usage: scripts/test.sh --summarize DIR" >&2; exit 2; }
  totals_line "$2"
  exit 0
fi

DB_STARTED=0
cleanup() {
  if [[ "$DB_STARTED" -eq 1 ]]; then
    DB_STARTED=0
    "$DB" stop "${DB_ARGS[@]}" >&2 || true
  fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ClusterScriptsTests validates docker/compose.yml with Debian's docker-compose (no Docker engine runs here).
if ! command -v docker-compose >/dev/null; then
  echo "test.sh: installing docker-compose (apt)" >&2
  sudo=""; [[ $EUID -eq 0 ]] || sudo="sudo"
  $sudo apt-get install -y -qq docker-compose >&2 || { $sudo apt-get update -qq >&2 && $sudo apt-get install -y -qq docker-compose >&2; }
fi

rm -rf "$RESULTS_DIR"
mkdir -p "$RESULTS_DIR"

DB_STARTED=1
TRADINGACTORS_TEST_PG="$("$DB" start "${DB_ARGS[@]}")"
export TRADINGACTORS_TEST_PG
echo "test.sh: TRADINGACTORS_TEST_PG=$TRADINGACTORS_TEST_PG" >&2

cd "$REPO_ROOT"
rc=0
# Build everything first: the process-level tests start the node's own binary, which no test
# project references, and a build racing the first test runs only slows both.
dotnet build "$REPO_ROOT/TradingActors.sln" -c Release -nologo -clp:ErrorsOnly || rc=$?
if [[ $rc -eq 0 ]]; then
  dotnet test "$REPO_ROOT/TradingActors.sln" -c Release --no-build \
    --logger "trx;LogFilePrefix=r" \
    --results-directory "$RESULTS_DIR" \
    "$@" || rc=$?
fi

# Stop the database before the summary so the totals line really is the last line.
cleanup

read -r passed failed _ < <(sum_trx "$RESULTS_DIR")
if [[ $rc -eq 0 ]] && (( passed + failed == 0 )); then
  echo "test.sh: no test ran (no results in $RESULTS_DIR)" >&2
  rc=1
elif [[ $rc -eq 0 ]] && (( failed > 0 )); then
  rc=1
fi
totals_line "$RESULTS_DIR"
exit "$rc"
