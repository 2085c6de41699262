#!/usr/bin/env bash
# A local TradingActors cluster: node processes on loopback sharing one private PostgreSQL (the instance and
# database of run.sh). Nodes find each other in the database (Trading:Cluster:Discovery = postgres, decision 016):
# no node is a fixed seed, any can be killed, and a node added later still joins.
#
#   scripts/cluster.sh up [N]              start N nodes (default 3) and the database; returns once every node is ready
#   scripts/cluster.sh add [--roles R]     start one more node (roles: comma-separated engine, api, feed)
#   scripts/cluster.sh kill NODE [--graceful]
#                                          kill -9 node NODE (its index), or SIGTERM with --graceful (it leaves)
#   scripts/cluster.sh restart NODE        SIGTERM node NODE, wait until it exited, start it again on its ports
#   scripts/cluster.sh status              each node: pid, alive, roles, ports, /readyz
#   scripts/cluster.sh down                SIGTERM every node, wait (30 s, then -9), stop the database if up started it
#
# Node i: HTTP http://127.0.0.1:$((PORT+i)) (PORT=5080), Akka remoting 127.0.0.1:$((4053+i)). Node 0 creates the
# demo tenants. Roles: every node has engine,api,feed unless ROLES (for up) or --roles (for add) says otherwise.
# State and logs live in .run/cluster/ (ignored by git): nodeI.pid, nodeI.roles, nodeI.log, and the cluster's shared
# secrets jwt.key and ops.token (the operator token tradectl sends: TRADECTL_TOKEN).
# Environment (optional): PORT=5080, ROLES=engine,api,feed, DEMO_TENANTS=100, FEED_INTERVAL_MS=200, JWT_SIGNING_KEY.
# Exit codes: 0 done, 1 a node failed to become ready or is unknown, 2 usage.
set -euo pipefail

SCRIPT_DIR="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)"
REPO_ROOT="$(cd -- "$SCRIPT_DIR/.." && pwd -P)"
DB="$SCRIPT_DIR/db.sh"
DB_PORT=55432
DB_ARGS=(--name run --port "$DB_PORT")
DB_NAME=tradingactors
PROJECT="$REPO_ROOT/src/TradingActors.Node"
DLL="$PROJECT/bin/Release/net10.0/TradingActors.Node.dll"
STATE="$REPO_ROOT/.run/cluster"
AKKA_BASE_PORT=4053
HTTP_BASE_PORT="${PORT:-5080}"
DEFAULT_ROLES="${ROLES:-engine,api,feed}"
CONN="Host=127.0.0.1;Port=${DB_PORT};Username=postgres;Database=${DB_NAME}"

log() { printf 'cluster.sh: %s\n' "$*" >&2; }

usage() {
  sed -n '6,13p' "${BASH_SOURCE[0]}" | sed 's/^# //' >&2
  exit 2
}

pid_of() { cat "$STATE/node$1.pid" 2>/dev/null || true; }
alive() { local pid; pid="$(pid_of "$1")"; [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; }
node_indexes() {
  local f
  for f in "$STATE"/node*.pid; do
    [[ -e "$f" ]] || continue
    f="${f##*/node}"
    echo "${f%.pid}"
  done | sort -n
}
next_index() { local last; last="$(node_indexes | tail -n 1)"; echo $(( ${last:--1} + 1 )); }

valid_roles() {
  local r
  [[ -n "$1" ]] || return 1
  IFS=',' read -ra parts <<<"$1"
  for r in "${parts[@]}"; do
    case "$r" in engine | api | feed) ;; *) return 1 ;; esac
  done
}

ensure_database() {
  if ! "$DB" status "${DB_ARGS[@]}" >/dev/null 2>&1; then
    "$DB" start "${DB_ARGS[@]}" >/dev/null
    : >"$STATE/db-started"
  fi
  if [[ "$("$DB" psql "${DB_ARGS[@]}" -X -Atq -d postgres \
    -c "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'")" != 1 ]]; then
    log "creating database $DB_NAME"
    "$DB" psql "${DB_ARGS[@]}" -X -q -d postgres -v ON_ERROR_STOP=1 -c "CREATE DATABASE $DB_NAME"
  fi
}

build() {
  log "building $PROJECT and tradectl (Release)..."
  (cd "$REPO_ROOT" && dotnet build "$PROJECT" -c Release --nologo -v quiet >&2 \
    && dotnet build src/TradingActors.Cli -c Release --nologo -v quiet >&2)
}

# Cluster-wide secrets, made once per cluster and kept in the state folder: every node signs and accepts the same
# access tokens and opens the same sealed credentials.
shared_secrets() {
  if [[ ! -s "$STATE/jwt.key" ]]; then
    (umask 077; printf '%s' "${JWT_SIGNING_KEY:-$(head -c 32 /dev/urandom | base64)}" >"$STATE/jwt.key")
  fi
  if [[ ! -s "$STATE/ops.token" ]]; then
    (umask 077; head -c 24 /dev/urandom | base64 | tr '+/' '-_' >"$STATE/ops.token")
  fi
  KEY_FILE="$("$SCRIPT_DIR/master-keys.sh")"
}

start_node() {
  local i="$1" roles="$2"
  local akka_port=$((AKKA_BASE_PORT + i)) http_port=$((HTTP_BASE_PORT + i))
  local -a node_env=(
    ASPNETCORE_URLS="http://127.0.0.1:${http_port}"
    Trading__ConnectionString="$CONN"
    Trading__Cluster__Hostname=127.0.0.1
    Trading__Cluster__Port="$akka_port"
    Trading__Cluster__Discovery=postgres
    Trading__Cluster__Roles="$roles"
    Trading__Feed__IntervalMs="${FEED_INTERVAL_MS:-200}"
    Trading__Api__Jwt__SigningKey="$(cat "$STATE/jwt.key")"
    Trading__Credentials__KeyFile="$KEY_FILE"
    Trading__Ops__Token="$(cat "$STATE/ops.token")"
  )
  if [[ "$i" -eq 0 ]]; then node_env+=(Trading__Demo__Tenants="${DEMO_TENANTS:-100}"); fi
  printf '%s\n' "$roles" >"$STATE/node$i.roles"
  # Own session (setsid), detached from this shell: the node outlives the script; the content root is the project
  # folder (appsettings.json).
  # setsid execs in place (a background job is no group leader), so $! is the node's pid and its process group.
  (
    cd "$PROJECT"
    env "${node_env[@]}" setsid nohup dotnet "$DLL" >>"$STATE/node$i.log" 2>&1 </dev/null &
    echo $! >"$STATE/node$i.pid"
  )
  log "node$i: pid $(pid_of "$i"), roles $roles, http://127.0.0.1:$http_port, akka 127.0.0.1:$akka_port, log .run/cluster/node$i.log"
}

readyz() { curl -s -m 2 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$((HTTP_BASE_PORT + $1))/readyz" 2>/dev/null || true; }

wait_ready() {
  local i deadline=$((SECONDS + 120))
  for i in "$@"; do
    while [[ "$(readyz "$i")" != 200 ]]; do
      if ! alive "$i"; then log "node$i exited; see .run/cluster/node$i.log"; return 1; fi
      if ((SECONDS > deadline)); then log "node$i not ready after 120 s; see .run/cluster/node$i.log"; return 1; fi
      sleep 0.5
    done
    log "node$i ready"
  done
}

stop_node() { # SIGTERM, wait up to 30 s, then -9
  local i="$1" pid n
  pid="$(pid_of "$i")"
  alive "$i" || return 0
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  for ((n = 0; n < 150; n++)); do alive "$i" || return 0; sleep 0.2; done
  log "node$i (pid $pid) did not stop within 30 s; killing it"
  kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
}

command -v curl >/dev/null || { log "error: curl is needed"; exit 1; }
[[ $# -ge 1 ]] || usage
cmd="$1"
shift
mkdir -p "$STATE"

case "$cmd" in
  up)
    n="${1:-3}"
    [[ "$n" =~ ^[0-9]+$ ]] && ((n >= 1 && n <= 20)) || { log "up: N must be 1..20"; usage; }
    valid_roles "$DEFAULT_ROLES" || { log "ROLES must be a comma-separated list of engine, api, feed"; exit 2; }
    for i in $(node_indexes); do
      if alive "$i"; then log "node$i is running: 'scripts/cluster.sh down' first"; exit 1; fi
      rm -f "$STATE/node$i.pid" "$STATE/node$i.roles"
    done
    build
    ensure_database
    shared_secrets
    indexes=()
    for ((i = 0; i < n; i++)); do
      : >"$STATE/node$i.log"
      start_node "$i" "$DEFAULT_ROLES"
      indexes+=("$i")
    done
    wait_ready "${indexes[@]}"
    echo "TradingActors cluster: $n node(s) on loopback, database $CONN"
    echo "  scripts/cluster.sh status | add | kill NODE | restart NODE | down"
    echo "  tradectl: export TRADECTL_TOKEN=\$(cat .run/cluster/ops.token); dotnet src/TradingActors.Cli/bin/Release/net10.0/tradectl.dll cluster show"
    ;;
  add)
    roles="$DEFAULT_ROLES"
    if [[ "${1:-}" == --roles ]]; then roles="${2:-}"; shift 2 || true; fi
    [[ $# -eq 0 ]] || usage
    valid_roles "$roles" || { log "--roles must be a comma-separated list of engine, api, feed"; exit 2; }
    [[ -n "$(node_indexes)" ]] || { log "no cluster: 'scripts/cluster.sh up' first"; exit 1; }
    [[ -f "$DLL" ]] || build
    shared_secrets
    i="$(next_index)"
    : >"$STATE/node$i.log"
    start_node "$i" "$roles"
    wait_ready "$i"
    ;;
  kill)
    [[ $# -ge 1 && "$1" =~ ^[0-9]+$ ]] || usage
    i="$1"
    alive "$i" || { log "node$i is not running"; exit 1; }
    if [[ "${2:-}" == --graceful ]]; then
      stop_node "$i"
      log "node$i left (SIGTERM)"
    else
      pid="$(pid_of "$i")"
      kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid"
      log "node$i killed (-9, pid $pid)"
    fi
    ;;
  restart)
    [[ $# -eq 1 && "$1" =~ ^[0-9]+$ ]] || usage
    i="$1"
    [[ -f "$STATE/node$i.roles" ]] || { log "node$i is unknown"; exit 1; }
    stop_node "$i"
    shared_secrets
    start_node "$i" "$(cat "$STATE/node$i.roles")"
    wait_ready "$i"
    ;;
  status)
    printf '%-6s %-8s %-6s %-16s %-24s %s\n' NODE PID ALIVE ROLES HTTP READYZ
    for i in $(node_indexes); do
      state=no
      if alive "$i"; then state=yes; fi
      printf '%-6s %-8s %-6s %-16s %-24s %s\n' "node$i" "$(pid_of "$i")" "$state" "$(cat "$STATE/node$i.roles" 2>/dev/null)" \
        "http://127.0.0.1:$((HTTP_BASE_PORT + i))" "$(if [[ $state == yes ]]; then readyz "$i"; else echo -; fi)"
    done
    ;;
  down)
    for i in $(node_indexes); do stop_node "$i" & done
    wait
    for i in $(node_indexes); do rm -f "$STATE/node$i.pid"; done
    if [[ -f "$STATE/db-started" ]]; then
      "$DB" stop "${DB_ARGS[@]}" || true
      rm -f "$STATE/db-started"
    fi
    log "cluster stopped"
    ;;
  -h | --help) usage ;;
  *) log "unknown command '$cmd'"; usage ;;
esac
