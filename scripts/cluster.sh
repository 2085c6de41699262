#!/usr/bin/env bash
# Local multi-node Akka cluster: N TradingActors nodes (default 2) on this machine,
# sharing one private PostgreSQL (the same instance and database as run.sh).
#
#   scripts/cluster.sh [N]
#
# Node i (0-based): Akka remoting 127.0.0.1:$((4053+i)), HTTP http://127.0.0.1:$((PORT+i)), PORT=5080 by default.
# Node 0 is the seed (akka.tcp://trading@127.0.0.1:4053) and also creates the demo tenants.
# Output lines are prefixed with [nodeI]; logs are also kept in .run/cluster/nodeI.log.
# Stop one node (kill PID, printed below) to watch fail-over; Ctrl-C stops all
# nodes, then the database this script started.
#
# Environment (optional): PORT=5080 (HTTP port of node 0), DEMO_TENANTS=100, FEED_INTERVAL_MS=200.
set -euo pipefail

SCRIPT_DIR="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)"
REPO_ROOT="$(cd -- "$SCRIPT_DIR/.." && pwd -P)"
DB="$SCRIPT_DIR/db.sh"
DB_PORT=55432
DB_ARGS=(--name run --port "$DB_PORT")
DB_NAME=tradingactors
PROJECT="$REPO_ROOT/src/TradingActors.Node"
DLL="$PROJECT/bin/Release/net10.0/TradingActors.Node.dll"
LOG_DIR="$REPO_ROOT/.run/cluster"
AKKA_BASE_PORT=4053
HTTP_BASE_PORT="${PORT:-5080}"

N="${1:-2}"
if ! [[ "$N" =~ ^[0-9]+$ ]] || (( N < 1 || N > 20 )); then
  echo "usage: scripts/cluster.sh [N]   (1..20 nodes, default 2)" >&2
  exit 2
fi

NODE_PIDS=()
DB_STARTED=0

# shellcheck disable=SC2317  # invoked via trap
cleanup() {
  local rc=$?
  trap '' INT TERM
  trap - EXIT
  local pid alive i
  if [[ ${#NODE_PIDS[@]} -gt 0 ]]; then
    echo "cluster.sh: stopping nodes..." >&2
    # Each node runs in its own process group (setsid).
    for pid in "${NODE_PIDS[@]}"; do
      kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    done
    for ((i = 0; i < 150; i++)); do
      alive=0
      for pid in "${NODE_PIDS[@]}"; do
        if kill -0 "$pid" 2>/dev/null; then alive=1; fi
      done
      [[ $alive -eq 1 ]] || break
      sleep 0.2
    done
    for pid in "${NODE_PIDS[@]}"; do
      if kill -0 "$pid" 2>/dev/null; then
        echo "cluster.sh: node pid $pid did not stop within 30 s; killing it" >&2
        kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
      fi
    done
    wait 2>/dev/null || true
  fi
  if [[ "$DB_STARTED" -eq 1 ]]; then
    "$DB" stop "${DB_ARGS[@]}" || true
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

cd "$REPO_ROOT"
echo "cluster.sh: building $PROJECT (Release)..." >&2
dotnet build "$PROJECT" -c Release --nologo -v quiet >&2

if "$DB" status "${DB_ARGS[@]}" >/dev/null 2>&1; then
  echo "cluster.sh: database instance 'run' was already running; it will be left running" >&2
else
  DB_STARTED=1
fi
"$DB" start "${DB_ARGS[@]}" >/dev/null
if [[ "$("$DB" psql "${DB_ARGS[@]}" -X -Atq -d postgres \
  -c "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'")" != 1 ]]; then
  echo "cluster.sh: creating database $DB_NAME" >&2
  "$DB" psql "${DB_ARGS[@]}" -X -q -d postgres -v ON_ERROR_STOP=1 -c "CREATE DATABASE $DB_NAME"
fi

mkdir -p "$LOG_DIR"
SEEDS="akka.tcp://trading@127.0.0.1:${AKKA_BASE_PORT}"
CONN="Host=127.0.0.1;Port=${DB_PORT};Username=postgres;Database=${DB_NAME}"
# One access-token signing key for all nodes, so a token from one node is accepted by the others.
JWT_KEY="${JWT_SIGNING_KEY:-$(head -c 32 /dev/urandom | base64)}"
KEY_FILE="$("$SCRIPT_DIR/master-keys.sh")" # every node opens the same sealed credentials

start_node() {
  local i="$1"
  local akka_port=$((AKKA_BASE_PORT + i)) http_port=$((HTTP_BASE_PORT + i))
  local -a node_env=(
    ASPNETCORE_URLS="http://127.0.0.1:${http_port}"
    Trading__ConnectionString="$CONN"
    Trading__Cluster__Hostname=127.0.0.1
    Trading__Cluster__Port="$akka_port"
    Trading__Cluster__Seeds="$SEEDS"
    Trading__Feed__IntervalMs="${FEED_INTERVAL_MS:-200}"
    Trading__Api__Jwt__SigningKey="$JWT_KEY"
    Trading__Credentials__KeyFile="$KEY_FILE"
  )
  if [[ "$i" -eq 0 ]]; then
    node_env+=(Trading__Demo__Tenants="${DEMO_TENANTS:-100}")
  fi
  : >"$LOG_DIR/node$i.log"
  # Own process group (setsid) so Ctrl-C reaches only this script, which then
  # stops the nodes; output goes to the console (prefixed) and to a log file.
  # The output pipeline ignores INT/TERM so it outlives Ctrl-C and still
  # records the nodes' shutdown messages.
  env "${node_env[@]}" setsid dotnet "$DLL" \
    > >(trap '' INT TERM; tee -a "$LOG_DIR/node$i.log" | sed -u "s/^/[node$i] /") 2>&1 &
  NODE_PIDS+=("$!")
}

# Content root = the project folder (appsettings.json); data/ files are found
# by walking up from the app folder.
cd "$PROJECT"
for ((i = 0; i < N; i++)); do
  start_node "$i"
done

echo "TradingActors cluster: $N node(s), seed $SEEDS, database $CONN"
for ((i = 0; i < N; i++)); do
  echo "  node$i: http://127.0.0.1:$((HTTP_BASE_PORT + i))  (akka 127.0.0.1:$((AKKA_BASE_PORT + i)), pid ${NODE_PIDS[$i]}, log .run/cluster/node$i.log)"
done
echo "Ctrl-C stops all nodes, then the database."

# Keep running while any node is alive; report nodes that exit on their own.
declare -A REPORTED=()
while :; do
  alive=0
  for ((i = 0; i < N; i++)); do
    pid="${NODE_PIDS[$i]}"
    if kill -0 "$pid" 2>/dev/null; then
      alive=1
    elif [[ -z "${REPORTED[$i]:-}" ]]; then
      REPORTED[$i]=1
      node_rc=0
      wait "$pid" 2>/dev/null || node_rc=$?
      echo "cluster.sh: node$i (pid $pid) exited with code $node_rc" >&2
    fi
  done
  [[ $alive -eq 1 ]] || break
  sleep 1
done
echo "cluster.sh: all nodes have exited" >&2
