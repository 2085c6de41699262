#!/usr/bin/env bash
# Private PostgreSQL instance for development, tests, benchmarks and local runs.
#
#   scripts/db.sh <start|stop|status|url|psql> [--name NAME] [--port PORT] [psql args...]
#
#   start   initialise (first time) and start the instance; idempotent.
#           stdout: the Npgsql connection string (nothing else).
#   stop    fast shutdown if running.
#   status  "running ..." (exit 0) or "stopped" (exit 3).
#   url     print the Npgsql connection string (nothing else on stdout).
#   psql    open psql against the instance; remaining args go to psql.
#
# Defaults: NAME=dev, PORT=55432. Data lives in <repo>/.pgdata/NAME (or, when the
# postgres user cannot reach the repo, /tmp/tradingactors-pg-NAME). As root the
# server runs as the `postgres` OS user; otherwise as the current user.
# Environment: PG_BIN (bin dir override), PG_START_TIMEOUT (seconds, default 30).
set -euo pipefail

SCRIPT_DIR="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)"
REPO_ROOT="$(cd -- "$SCRIPT_DIR/.." && pwd -P)"

NAME=dev
PORT=55432
PORT_GIVEN=0
START_TIMEOUT="${PG_START_TIMEOUT:-30}"
PG_OS_USER=postgres

log() { printf 'db.sh: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

usage() {
  cat >&2 <<'EOF'
usage: scripts/db.sh <start|stop|status|url|psql> [--name NAME] [--port PORT] [psql args...]
  defaults: --name dev --port 55432
EOF
}

is_root() { [[ "$(id -u)" -eq 0 ]]; }
server_user() { if is_root; then printf '%s\n' "$PG_OS_USER"; else id -un; fi; }

# ---------------------------------------------------------------- arguments
[[ $# -ge 1 ]] || { usage; exit 2; }
CMD="$1"
shift
EXTRA=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --name) [[ $# -ge 2 ]] || die "--name needs a value"; NAME="$2"; shift 2 ;;
    --name=*) NAME="${1#--name=}"; shift ;;
    --port) [[ $# -ge 2 ]] || die "--port needs a value"; PORT="$2"; PORT_GIVEN=1; shift 2 ;;
    --port=*) PORT="${1#--port=}"; PORT_GIVEN=1; shift ;;
    -h|--help) usage; exit 0 ;;
    --) shift; EXTRA+=("$@"); break ;;
    *) EXTRA+=("$1"); shift ;;
  esac
done
case "$CMD" in
  start|stop|status|url|psql) ;;
  -h|--help|help) usage; exit 0 ;;
  *) usage; exit 2 ;;
esac
if [[ "$CMD" != psql && ${#EXTRA[@]} -gt 0 ]]; then
  die "unexpected argument(s) for $CMD: ${EXTRA[*]}"
fi
[[ "$NAME" =~ ^[A-Za-z0-9_.-]+$ ]] || die "invalid --name '$NAME' (use letters, digits, . _ -)"
if ! [[ "$PORT" =~ ^[0-9]+$ ]] || (( PORT < 1 || PORT > 65535 )); then
  die "invalid --port '$PORT'"
fi

# ---------------------------------------------------------------- binaries
find_pg_bin() {
  if [[ -n "${PG_BIN:-}" && -x "$PG_BIN/initdb" ]]; then
    printf '%s\n' "$PG_BIN"; return 0
  fi
  if [[ -x /usr/lib/postgresql/15/bin/initdb ]]; then
    printf '%s\n' /usr/lib/postgresql/15/bin; return 0
  fi
  local d best=""
  # Highest installed major version wins.
  while IFS= read -r d; do
    [[ -x "$d/initdb" ]] && best="$d"
  done < <(compgen -G '/usr/lib/postgresql/*/bin' | sort -V)
  [[ -n "$best" ]] || return 1
  printf '%s\n' "$best"
}

ensure_pg_bin() {
  if PG_BIN="$(find_pg_bin)"; then
    return 0
  fi
  is_root || die "PostgreSQL server binaries not found (/usr/lib/postgresql/*/bin/initdb); install the 'postgresql' package or set PG_BIN"
  log "PostgreSQL server binaries not found; installing the 'postgresql' package (apt-get)..."
  apt-get update >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql >&2
  PG_BIN="$(find_pg_bin)" || die "PostgreSQL was installed but no /usr/lib/postgresql/*/bin/initdb was found"
}

ensure_pg_user() {
  is_root || return 0
  if ! id -u "$PG_OS_USER" >/dev/null 2>&1; then
    log "creating OS user '$PG_OS_USER'"
    useradd --system --user-group --home-dir /var/lib/postgresql --no-create-home \
      --shell /bin/bash "$PG_OS_USER"
  fi
}

# Run a command as the server's OS user (postgres when we are root), from /
# so that an unreadable current directory (e.g. under /root) does not matter.
as_pg() {
  if is_root; then
    (cd / && runuser -u "$PG_OS_USER" -- "$@")
  else
    (cd / && "$@")
  fi
}

# ---------------------------------------------------------------- data dir
PRIMARY_DIR="$REPO_ROOT/.pgdata/$NAME"
FALLBACK_DIR="/tmp/tradingactors-pg-$NAME"

# Can the server user create/enter the primary data dir? (Creates it if so.)
primary_usable() {
  if ! is_root; then
    mkdir -p "$PRIMARY_DIR" 2>/dev/null && [[ -w "$PRIMARY_DIR" && -x "$PRIMARY_DIR" ]]
    return
  fi
  # Every ancestor up to the repo root must be traversable by postgres.
  as_pg test -x "$REPO_ROOT" 2>/dev/null || return 1
  if [[ ! -d "$REPO_ROOT/.pgdata" ]]; then
    mkdir -p "$REPO_ROOT/.pgdata" || return 1
    chmod 0755 "$REPO_ROOT/.pgdata"
  fi
  as_pg test -x "$REPO_ROOT/.pgdata" 2>/dev/null || chmod a+x "$REPO_ROOT/.pgdata" 2>/dev/null || return 1
  as_pg test -x "$REPO_ROOT/.pgdata" 2>/dev/null || return 1
  if [[ ! -d "$PRIMARY_DIR" ]]; then
    mkdir -p "$PRIMARY_DIR" || return 1
    chown "$PG_OS_USER:" "$PRIMARY_DIR" || return 1
    chmod 0700 "$PRIMARY_DIR"
  fi
  as_pg test -w "$PRIMARY_DIR" -a -x "$PRIMARY_DIR" 2>/dev/null
}

# Pick the data dir without creating anything (for stop/status/url/psql).
existing_datadir() {
  if [[ -f "$PRIMARY_DIR/PG_VERSION" || -f "$PRIMARY_DIR/postmaster.pid" ]]; then
    printf '%s\n' "$PRIMARY_DIR"
  elif [[ -f "$FALLBACK_DIR/PG_VERSION" ]]; then
    printf '%s\n' "$FALLBACK_DIR"
  else
    printf '%s\n' "$PRIMARY_DIR"
  fi
}

# Pick (and create) the data dir for start.
prepare_datadir() {
  if primary_usable; then
    DATADIR="$PRIMARY_DIR"
    return 0
  fi
  DATADIR="$FALLBACK_DIR"
  log "the '$PG_OS_USER' user cannot reach $PRIMARY_DIR (parent directory permissions);"
  log "using fallback data dir $DATADIR"
  if [[ ! -d "$DATADIR" ]]; then
    mkdir -p "$DATADIR"
    chmod 0700 "$DATADIR"
    if is_root; then chown "$PG_OS_USER:" "$DATADIR"; fi
  fi
  as_pg test -w "$DATADIR" -a -x "$DATADIR" 2>/dev/null \
    || die "$DATADIR exists but is not writable by '$(server_user)'"
}

# ---------------------------------------------------------------- helpers
conn_string() { printf 'Host=127.0.0.1;Port=%s;Username=postgres;Database=postgres\n' "$1"; }

# pid/port of the running server from postmaster.pid (line 1 = pid, 4 = port, 8 = status).
pidfile_line() {
  local n="$1" f="$DATADIR/postmaster.pid"
  [[ -r "$f" ]] || return 1
  sed -n "${n}p" "$f" | tr -d '[:space:]'
}

is_running() {
  [[ -f "$DATADIR/PG_VERSION" ]] || return 1
  as_pg "$PG_BIN/pg_ctl" status -D "$DATADIR" >/dev/null 2>&1
}

running_port() { pidfile_line 4; }

# Port to report: an explicit --port wins, then the running server's port, then the default.
effective_port() {
  local p=""
  if [[ "$PORT_GIVEN" -eq 0 ]] && is_running; then
    p="$(running_port || true)"
  fi
  printf '%s\n' "${p:-$PORT}"
}

# Unix sockets are limited to ~107 bytes (path + "/.s.PGSQL.PORT").
socket_dir_setting() {
  local sock="$DATADIR/.s.PGSQL.$PORT"
  if (( ${#sock} > 100 )); then
    log "data dir path too long for a Unix socket; TCP (127.0.0.1:$PORT) only"
    printf '%s\n' ""
  else
    printf '%s\n' "$DATADIR"
  fi
}

write_settings() {
  local sockdir conf="$DATADIR/tradingactors.conf" tmp
  sockdir="$(socket_dir_setting)"
  tmp="$(mktemp)"
  cat >"$tmp" <<EOF
# Written by scripts/db.sh on every start; edit the script, not this file.
# Durability settings (fsync, synchronous_commit, full_page_writes) stay at their defaults.
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$sockdir'
max_connections = 300
shared_buffers = 256MB
EOF
  as_pg tee "$conf" <"$tmp" >/dev/null
  rm -f "$tmp"
  if ! as_pg grep -q "^include_if_exists = 'tradingactors.conf'" "$DATADIR/postgresql.conf"; then
    printf "\n# scripts/db.sh settings\ninclude_if_exists = 'tradingactors.conf'\n" \
      | as_pg tee -a "$DATADIR/postgresql.conf" >/dev/null
  fi
}

show_log_tail() {
  local f="$DATADIR/server.log"
  if [[ -r "$f" ]]; then
    log "---- last lines of $f ----"
    tail -n 40 "$f" >&2 || true
    log "--------------------------"
  fi
}

# pg_isready exit codes: 0 accepting, 1 rejecting (starting up), 2 no response, 3 bad params.
port_answers() {
  local rc=0
  "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$1" -t 2 >/dev/null 2>&1 || rc=$?
  [[ $rc -eq 0 || $rc -eq 1 ]]
}

# ---------------------------------------------------------------- commands
cmd_start() {
  ensure_pg_bin
  ensure_pg_user
  prepare_datadir

  if is_running; then
    local rp
    rp="$(running_port || true)"
    if [[ -n "$rp" && "$rp" != "$PORT" ]]; then
      if [[ "$PORT_GIVEN" -eq 1 ]]; then
        die "instance '$NAME' is already running on port $rp, not $PORT; stop it first (scripts/db.sh stop --name $NAME)"
      fi
      PORT="$rp"
    fi
    log "instance '$NAME' already running (port $PORT, data $DATADIR)"
    conn_string "$PORT"
    return 0
  fi

  if port_answers "$PORT"; then
    die "port $PORT on 127.0.0.1 is already used by another server (another scripts/db.sh instance? try: scripts/db.sh status --name NAME)"
  fi

  if [[ ! -f "$DATADIR/PG_VERSION" ]]; then
    log "initialising $DATADIR ($("$PG_BIN/postgres" --version))"
    as_pg "$PG_BIN/initdb" -D "$DATADIR" --auth=trust --encoding=UTF8 --locale=C -U postgres >&2
  fi
  write_settings

  log "starting instance '$NAME' on 127.0.0.1:$PORT (data $DATADIR, log $DATADIR/server.log)"
  if ! as_pg "$PG_BIN/pg_ctl" start -W -D "$DATADIR" -l "$DATADIR/server.log" >&2; then
    show_log_tail
    die "pg_ctl start failed"
  fi

  local started=$SECONDS deadline=$((SECONDS + START_TIMEOUT)) pid status
  while :; do
    pid="$(pidfile_line 1 || true)"
    status="$(pidfile_line 8 || true)"
    if [[ -n "$pid" && "$status" == ready ]] && kill -0 "$pid" 2>/dev/null \
      && "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PORT" -t 2 >/dev/null 2>&1; then
      break
    fi
    if (( SECONDS >= deadline )); then
      show_log_tail
      # Do not leave a half-started server behind.
      as_pg "$PG_BIN/pg_ctl" stop -D "$DATADIR" -m immediate -w >/dev/null 2>&1 || true
      die "server did not become ready within ${START_TIMEOUT}s"
    fi
    # Fail fast if the postmaster died (bad config, port taken): it removes its
    # pid file on exit, and writes it within milliseconds of starting.
    if [[ -z "$pid" ]] && (( SECONDS >= started + 5 )); then
      show_log_tail
      die "server exited during start-up"
    fi
    sleep 0.2
  done
  log "ready: postgresql://postgres@127.0.0.1:$PORT/postgres"
  conn_string "$PORT"
}

cmd_stop() {
  DATADIR="$(existing_datadir)"
  PG_BIN="$(find_pg_bin)" || { log "instance '$NAME' is not running (no PostgreSQL binaries)"; return 0; }
  if is_running; then
    log "stopping instance '$NAME' ($DATADIR)"
    as_pg "$PG_BIN/pg_ctl" stop -D "$DATADIR" -m fast -w >&2
  else
    log "instance '$NAME' is not running"
  fi
}

cmd_status() {
  DATADIR="$(existing_datadir)"
  PG_BIN="$(find_pg_bin)" || { printf 'stopped: instance %s (no PostgreSQL binaries)\n' "$NAME"; exit 3; }
  if is_running; then
    printf 'running: instance %s, pid %s, port %s, data %s\n' \
      "$NAME" "$(pidfile_line 1 || echo '?')" "$(running_port || echo '?')" "$DATADIR"
  else
    printf 'stopped: instance %s, data %s\n' "$NAME" "$DATADIR"
    exit 3
  fi
}

cmd_url() {
  DATADIR="$(existing_datadir)"
  if PG_BIN="$(find_pg_bin)"; then
    conn_string "$(effective_port)"
  else
    conn_string "$PORT"
  fi
}

cmd_psql() {
  DATADIR="$(existing_datadir)"
  ensure_pg_bin
  local port psql_bin
  port="$(effective_port)"
  psql_bin="$PG_BIN/psql"
  [[ -x "$psql_bin" ]] || psql_bin="$(command -v psql)" || die "psql not found"
  # Defaults via environment so that psql's own options/positional dbname override them.
  export PGHOST=127.0.0.1 PGPORT="$port" PGUSER=postgres PGDATABASE="${PGDATABASE:-postgres}"
  exec "$psql_bin" "${EXTRA[@]}"
}

case "$CMD" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  url) cmd_url ;;
  psql) cmd_psql ;;
esac
