#!/usr/bin/env bash
# Runs the TradingActors benchmarks against a private PostgreSQL instance.
#
#   scripts/bench.sh fanout --tenants N [--cold] [other bench args...]
#   scripts/bench.sh failover --tenants N
#   scripts/bench.sh api [--rps N] [--duration S] [--users U] [other api bench args...]
#   scripts/bench.sh cluster --nodes N --tenants T [--seed-parallelism P] [--timeout S]
#   scripts/bench.sh budget --tenants N --nodes K [--timeout S]
#   scripts/bench.sh backtest [--bars N] [--min-seconds S] [--no-recording-pass]
#   scripts/bench.sh sweep --runs N [--nodes K] [--bars B] [--timeout S]
#
# fanout/failover: all arguments go to TradingActors.Bench unchanged. Starts
# `db.sh start --name bench --port 55434`, builds src/TradingActors.Bench in
# Release, runs it with TRADINGACTORS_BENCH_PG=<connection string>, stops the
# database, and exits with the bench's exit code. Build and database messages
# go to stderr; stdout carries only the bench's own output.
#
# budget: the same, on its own instance `db.sh start --name bench-budget --port 55463`
# (BENCH_BUDGET_PG_PORT moves it). BudgetBench.cs: N Bybit tenants over K engine nodes
# in one process, one local Bybit fake with the venue's per-IP limit, one signal. Its
# last stdout line:
#   budget venue=bybit tenants=N total_s=T floor_s=F refused=R fairness_p99_wait_s=W
#
# backtest: no database. Builds src/TradingActors.Bench (Release) and runs BacktestBench.cs: the
# backtester's single-thread throughput over synthetic one-minute bars made in memory, recording off
# (as a sweep runs), for rsi, ema-cross, dca and grid. Its last stdout lines, one per strategy:
#   backtest strategy=rsi bars=N bars_per_s=X alloc_bytes_per_bar=Y
# (then ema-cross, dca, grid; the same runs with recording on go to stderr).
#
# api: builds src/TradingActors.Node and src/TradingActors.Bench (Release), starts
# `db.sh start --name bench-api --port 55441` with a fresh database, starts the
# built node as a process of its own (simulated feed, local mail sink, a random
# JWT key; log in .run/bench-api/node.log), waits for /readyz, then runs
# `TradingActors.Bench api --url ...` (ApiLoad.cs: seeds users through the API,
# one with 10 000 orders, and offers an open-loop load). Its last stdout lines:
#   api route=METHOD:PATH rps=R p50_ms=A p99_ms=B errors=E
# Then stops the node, drops the database and stops the instance it started.
# Environment (api): BENCH_API_PG_PORT (55441), BENCH_API_HTTP_PORT (55442),
# BENCH_API_MAIL_PORT (55443), BENCH_API_USER_RPS (per-user limit given to the
# node, default 100000: see docs/benchmarks.md), BENCH_KEEP_DB=1 keeps the database.
#
# cluster: builds src/TradingActors.Node and src/TradingActors.Bench (Release), starts
# `db.sh start --name bench-cluster --port 55451` with a fresh database, and N node
# processes on loopback (node0 roles engine,api and the oldest, so it runs the strategy;
# the others engine; no price feed; read models off; log in .run/bench-cluster/nodeI.log;
# HTTP and Akka ports the next free ones of 55452-55470, two per node; N in 1..8), each
# waited for on /readyz.
# Then `TradingActors.Bench cluster` (ClusterBench.cs) seeds T demo tenants through
# /ops/demo/tenants (set-up, logged, not in total_ms), injects one manual signal through
# /ops/strategies/ID/signal and times every tenant's persisted fill from the nodes'
# /ops/orders/events streams. Its last stdout line:
#   cluster nodes=N tenants=T orders=O duplicates=D total_ms=X p50_ms=A p99_ms=B cross_node_msgs_per_signal=M
# (orders and duplicates from the journal; M from the nodes' /metrics: docs/benchmarks.md).
# Then stops the nodes, drops the database and stops the instance it started.
# sweep: builds src/TradingActors.Node and src/TradingActors.Bench (Release), starts
# `db.sh start --name bench-sweep --port 55489` with a fresh database and K node processes on
# loopback (K = --nodes, default 1, in 1..8; node0 roles engine,api, the others engine; log in
# .run/bench-sweep/nodeI.log; HTTP and Akka ports from 55490-55509, two per node), every node's
# Trading:Backtests:DataDirectory at .run/bench-sweep/bars, where the bench writes (once) a
# generated one-minute random walk (--bars, default 4,000,000: 0.25-0.5 s a run here). Then `TradingActors.Bench sweep`
# (SweepBench.cs) logs in as the nodes' demo user, runs an untimed warm-up sweep (every node reads
# the dataset), submits an N-point RSI sweep (period x oversold) to POST /api/v1/backtests and times
# it from the submit to the ranked table. Its last stdout line:
#   sweep runs=N nodes=K runs_per_s=X
# Environment (sweep): BENCH_SWEEP_PG_PORT (55489), BENCH_SWEEP_PORTS (55490-55509),
# BENCH_SWEEP_THREADS (backtest threads per node; default: its cores), BENCH_KEEP_DB=1.
#
# Environment (cluster): BENCH_CLUSTER_PG_PORT (55451), BENCH_CLUSTER_PORTS (55452-55470),
# BENCH_CLUSTER_LOG_LEVEL (the nodes' Serilog level,
# Warning), BENCH_CLUSTER_HOCON (HOCON over cluster-config/ on every node, off the default
# path), BENCH_KEEP_DB=1 keeps the database.
set -euo pipefail

SCRIPT_DIR="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)"
REPO_ROOT="$(cd -- "$SCRIPT_DIR/.." && pwd -P)"
DB="$SCRIPT_DIR/db.sh"
DB_ARGS=(--name bench --port 55434)
PROJECT="$REPO_ROOT/src/TradingActors.Bench"
DLL="$PROJECT/bin/Release/net10.0/TradingActors.Bench.dll"

if [[ $# -eq 0 ]]; then
  echo "usage: scripts/bench.sh fanout --tenants N [--cold] [other bench args...]" >&2
  echo "       scripts/bench.sh failover --tenants N" >&2
  echo "       scripts/bench.sh api [--rps N] [--duration S] [--users U] [other api bench args...]" >&2
  echo "       scripts/bench.sh cluster --nodes N --tenants T [--seed-parallelism P] [--timeout S]" >&2
  echo "       scripts/bench.sh budget --tenants N --nodes K [--timeout S]" >&2
  echo "       scripts/bench.sh backtest [--bars N] [--min-seconds S] [--no-recording-pass]" >&2
  echo "       scripts/bench.sh sweep --runs N [--nodes K] [--bars B] [--timeout S]" >&2
  exit 2
fi

# ---------------------------------------------------------------- api
# The API under an open-loop load: a real node process, its own database.
run_api() {
  # Globals, not locals: the EXIT trap's cleanup reads them after the function has returned.
  pg_port="${BENCH_API_PG_PORT:-55441}" http_port="${BENCH_API_HTTP_PORT:-55442}"
  mail_port="${BENCH_API_MAIL_PORT:-55443}" user_rps="${BENCH_API_USER_RPS:-100000}"
  db_args=(--name bench-api --port "$pg_port")
  node_project="$REPO_ROOT/src/TradingActors.Node"
  node_dll="$node_project/bin/Release/net10.0/TradingActors.Node.dll"
  log_dir="$REPO_ROOT/.run/bench-api"
  database="bench_api_$(date -u +%Y%m%d_%H%M%S)_$$"
  API_NODE_PID="" API_DB_STARTED=0 API_DB_CREATED=0

  # shellcheck disable=SC2317  # invoked via trap
  api_cleanup() {
    trap '' INT TERM
    if [[ -n "$API_NODE_PID" ]] && kill -0 "$API_NODE_PID" 2>/dev/null; then
      # The node runs in its own process group (setsid).
      kill -TERM -- "-$API_NODE_PID" 2>/dev/null || kill -TERM "$API_NODE_PID" 2>/dev/null || true
      local i
      for ((i = 0; i < 150; i++)); do
        kill -0 "$API_NODE_PID" 2>/dev/null || break
        sleep 0.2
      done
      kill -KILL -- "-$API_NODE_PID" 2>/dev/null || true
      wait "$API_NODE_PID" 2>/dev/null || true
    fi
    API_NODE_PID=""
    if [[ "$API_DB_CREATED" -eq 1 && "${BENCH_KEEP_DB:-0}" != 1 ]]; then
      "$DB" psql "${db_args[@]}" -X -q -d postgres -c "DROP DATABASE IF EXISTS $database WITH (FORCE)" >/dev/null 2>&1 || true
    fi
    API_DB_CREATED=0
    if [[ "$API_DB_STARTED" -eq 1 ]]; then
      "$DB" stop "${db_args[@]}" >/dev/null 2>&1 || true
    fi
    API_DB_STARTED=0
  }
  trap api_cleanup EXIT

  local port
  for port in "$http_port" "$mail_port"; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "bench.sh: port $port on 127.0.0.1 is in use (BENCH_API_HTTP_PORT / BENCH_API_MAIL_PORT move it)" >&2
      return 1
    fi
  done

  cd "$REPO_ROOT"
  echo "bench.sh: building $node_project and $PROJECT (Release)..." >&2
  dotnet build "$node_project" -c Release --nologo -v quiet >&2
  dotnet build "$PROJECT" -c Release --nologo -v quiet >&2

  if ! "$DB" status "${db_args[@]}" >/dev/null 2>&1; then API_DB_STARTED=1; fi
  "$DB" start "${db_args[@]}" >/dev/null
  "$DB" psql "${db_args[@]}" -X -q -d postgres -v ON_ERROR_STOP=1 -c "CREATE DATABASE $database" >&2
  API_DB_CREATED=1
  local pg_pid
  pg_pid="$("$DB" status "${db_args[@]}" | sed -n 's/.*, pid \([0-9]*\),.*/\1/p')"

  mkdir -p "$log_dir"
  echo "bench.sh: starting the node on http://127.0.0.1:$http_port (database $database; log $log_dir/node.log)" >&2
  (
    cd "$node_project" # content root: its appsettings.json applies
    export ASPNETCORE_URLS="http://127.0.0.1:$http_port"
    export Trading__ConnectionString="Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=$database"
    export Trading__Cluster__Port=0 Trading__Cluster__Seeds=""
    export Trading__Demo__Tenants=0
    export Trading__Feed__Kind=simulated # prices for manual orders (the paper venue fills at the last price)
    export Trading__Api__PublicBaseUrl="http://127.0.0.1:$http_port"
    Trading__Api__Jwt__SigningKey="$(head -c 32 /dev/urandom | base64)"
    export Trading__Api__Jwt__SigningKey
    Trading__Credentials__KeyFile="$("$SCRIPT_DIR/master-keys.sh")"
    export Trading__Credentials__KeyFile
    export Trading__Mail__HostSink=true Trading__Mail__Host=127.0.0.1 Trading__Mail__Port="$mail_port"
    # One user reads 1 000 pages a second and is given 10 000 orders: the per-user limit (its plan's rate tier,
    # 5/s on Free) would be what is measured. Every tier's figures are raised; the limiter still runs on every
    # request; see docs/benchmarks.md.
    local tier
    for tier in basic standard high; do
      export "Trading__Api__RateTiers__${tier}__RequestsPerSecond=$user_rps" "Trading__Api__RateTiers__${tier}__Burst=$user_rps"
    done
    exec setsid dotnet "$node_dll" >"$log_dir/node.log" 2>&1
  ) &
  API_NODE_PID=$!

  local deadline=$((SECONDS + 180))
  until curl -sf -o /dev/null "http://127.0.0.1:$http_port/readyz"; do
    if ! kill -0 "$API_NODE_PID" 2>/dev/null; then
      echo "bench.sh: the node exited during start-up; last lines of $log_dir/node.log:" >&2
      tail -n 30 "$log_dir/node.log" >&2
      return 1
    fi
    if ((SECONDS >= deadline)); then
      echo "bench.sh: the node was not ready within 180 s" >&2
      return 1
    fi
    sleep 0.5
  done
  echo "bench.sh: node ready (pid $API_NODE_PID, postgres pid $pg_pid)" >&2

  TRADINGACTORS_BENCH_PG="Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=$database"
  export TRADINGACTORS_BENCH_PG
  local rc=0
  dotnet "$DLL" api --url "http://127.0.0.1:$http_port" --node-pid "$API_NODE_PID" \
    ${pg_pid:+--postgres-pid "$pg_pid"} "$@" || rc=$?
  api_cleanup
  return "$rc"
}

if [[ "$1" == api ]]; then
  shift
  trap 'exit 130' INT
  trap 'exit 143' TERM
  rc=0
  run_api "$@" || rc=$?
  exit "$rc"
fi

# ---------------------------------------------------------------- cluster
# One signal to T tenants on N node processes on loopback, one private database.
run_cluster() {
  # Globals, not locals: the EXIT trap's cleanup reads them after the function has returned.
  pg_port="${BENCH_CLUSTER_PG_PORT:-55451}" ports="${BENCH_CLUSTER_PORTS:-55452-55470}"
  log_level="${BENCH_CLUSTER_LOG_LEVEL:-Warning}"
  db_args=(--name bench-cluster --port "$pg_port")
  node_project="$REPO_ROOT/src/TradingActors.Node"
  node_dll="$node_project/bin/Release/net10.0/TradingActors.Node.dll"
  log_dir="$REPO_ROOT/.run/bench-cluster"
  database="bench_cluster_$(date -u +%Y%m%d_%H%M%S)_$$"
  CLUSTER_PIDS=() CLUSTER_DB_STARTED=0 CLUSTER_DB_CREATED=0

  local nodes="" i
  local -a args=("$@")
  for ((i = 0; i < ${#args[@]}; i++)); do
    if [[ "${args[i]}" == --nodes ]]; then nodes="${args[i + 1]:-}"; fi
  done
  if ! [[ "$nodes" =~ ^[1-8]$ ]]; then
    echo "bench.sh: cluster needs --nodes N with N in 1..8" >&2
    return 2
  fi

  # shellcheck disable=SC2317  # invoked via trap
  cluster_cleanup() {
    trap '' INT TERM
    local pid n
    # SIGTERM to every node's process group at once (they leave together), then wait; -9 after 30 s.
    for pid in "${CLUSTER_PIDS[@]}"; do
      kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    done
    for pid in "${CLUSTER_PIDS[@]}"; do
      for ((n = 0; n < 150; n++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.2
      done
      kill -KILL -- "-$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
    done
    CLUSTER_PIDS=()
    if [[ "$CLUSTER_DB_CREATED" -eq 1 && "${BENCH_KEEP_DB:-0}" != 1 ]]; then
      "$DB" psql "${db_args[@]}" -X -q -d postgres -c "DROP DATABASE IF EXISTS $database WITH (FORCE)" >/dev/null 2>&1 || true
    fi
    CLUSTER_DB_CREATED=0
    if [[ "$CLUSTER_DB_STARTED" -eq 1 ]]; then
      "$DB" stop "${db_args[@]}" >/dev/null 2>&1 || true
    fi
    CLUSTER_DB_STARTED=0
  }
  trap cluster_cleanup EXIT

  cd "$REPO_ROOT"
  echo "bench.sh: building $node_project and $PROJECT (Release)..." >&2
  dotnet build "$node_project" -c Release --nologo -v quiet >&2
  dotnet build "$PROJECT" -c Release --nologo -v quiet >&2

  if ! "$DB" status "${db_args[@]}" >/dev/null 2>&1; then CLUSTER_DB_STARTED=1; fi
  "$DB" start "${db_args[@]}" >/dev/null
  "$DB" psql "${db_args[@]}" -X -q -d postgres -v ON_ERROR_STOP=1 -c "CREATE DATABASE $database" >&2
  CLUSTER_DB_CREATED=1
  local pg_pid connection
  pg_pid="$("$DB" status "${db_args[@]}" | sed -n 's/.*, pid \([0-9]*\),.*/\1/p')"
  connection="Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=$database"

  # The cluster's shared secrets, for this run only.
  local ops_token jwt_key key_file
  ops_token="$(head -c 24 /dev/urandom | base64 | tr '+/' '-_')"
  jwt_key="$(head -c 32 /dev/urandom | base64)"
  key_file="$("$SCRIPT_DIR/master-keys.sh")"
  mkdir -p "$log_dir"

  # Ports come from the range in order, skipping any a socket holds: the range lies in the kernel's ephemeral ports,
  # so a busy machine's outgoing connections can hold one for a while (checked just before each node starts).
  local port_cursor="${ports%-*}" port_last="${ports#*-}" seed_port=""
  next_port() {
    while ((port_cursor <= port_last)); do
      NEXT_PORT="$port_cursor"
      port_cursor=$((port_cursor + 1))
      if ! ss -Htan "( sport = :$NEXT_PORT )" 2>/dev/null | grep -q . && ! (exec 3<>"/dev/tcp/127.0.0.1/$NEXT_PORT") 2>/dev/null; then
        return 0
      fi
    done
    return 1
  }
  local -a urls=()
  local roles
  for ((i = 0; i < nodes; i++)); do
    # node0 starts alone and first: the oldest member, so the strategy singleton and the shard coordinators live there.
    local http_port akka_port
    next_port && http_port="$NEXT_PORT" && next_port && akka_port="$NEXT_PORT" || {
      echo "bench.sh: not enough free ports in $ports for $nodes nodes (BENCH_CLUSTER_PORTS=FIRST-LAST)" >&2
      return 1
    }
    if ((i == 0)); then seed_port="$akka_port"; fi
    roles=engine
    if ((i == 0)); then roles=engine,api; fi
    echo "bench.sh: starting node$i ($roles) on http://127.0.0.1:$http_port, akka 127.0.0.1:$akka_port (log $log_dir/node$i.log)" >&2
    (
      cd "$node_project" # content root: its appsettings.json applies
      export ASPNETCORE_URLS="http://127.0.0.1:$http_port"
      export Trading__ConnectionString="$connection"
      export Trading__Cluster__Hostname=127.0.0.1 Trading__Cluster__Port="$akka_port"
      export Trading__Cluster__Seeds="akka.tcp://trading@127.0.0.1:$seed_port" Trading__Cluster__Roles="$roles"
      # No price feed (so no signal but the bench's) and no read-model projection: the engine alone, as in the fan-out bench.
      export Trading__Feed__Kind=none Trading__ReadModels__Enabled=false Trading__Demo__Tenants=0
      export Trading__Api__Jwt__SigningKey="$jwt_key" Trading__Credentials__KeyFile="$key_file" Trading__Ops__Token="$ops_token"
      export Trading__ShutdownDrain=00:00:00 # nothing to drain: stop at once when the bench is done
      export Serilog__MinimumLevel__Default="$log_level" Serilog__MinimumLevel__Override__Akka="$log_level"
      # Off the default path: HOCON over cluster-config/ (Trading:ExtraHocon), e.g. a longer failure-detector pause on a
      # machine so loaded that nodes are taken for dead; a run with it is not the default configuration (say so).
      if [[ -n "${BENCH_CLUSTER_HOCON:-}" ]]; then export Trading__ExtraHocon="$BENCH_CLUSTER_HOCON"; fi
      exec setsid dotnet "$node_dll" >"$log_dir/node$i.log" 2>&1
    ) &
    CLUSTER_PIDS+=("$!")
    urls+=("http://127.0.0.1:$http_port")
    local deadline=$((SECONDS + 180))
    until curl -sf -o /dev/null "http://127.0.0.1:$http_port/readyz"; do
      if ! kill -0 "${CLUSTER_PIDS[i]}" 2>/dev/null; then
        echo "bench.sh: node$i exited during start-up; last lines of $log_dir/node$i.log:" >&2
        tail -n 30 "$log_dir/node$i.log" >&2
        return 1
      fi
      if ((SECONDS >= deadline)); then
        echo "bench.sh: node$i was not ready within 180 s" >&2
        return 1
      fi
      sleep 0.5
    done
    echo "bench.sh: node$i ready (pid ${CLUSTER_PIDS[i]})" >&2
  done

  local rc=0
  TRADINGACTORS_BENCH_PG="$connection" TRADINGACTORS_BENCH_OPS_TOKEN="$ops_token" \
    dotnet "$DLL" cluster "$@" --urls "$(IFS=,; echo "${urls[*]}")" --node-pids "$(IFS=,; echo "${CLUSTER_PIDS[*]}")" \
    ${pg_pid:+--postgres-pid "$pg_pid"} || rc=$?
  cluster_cleanup
  return "$rc"
}

if [[ "$1" == cluster ]]; then
  shift
  trap 'exit 130' INT
  trap 'exit 143' TERM
  rc=0
  run_cluster "$@" || rc=$?
  exit "$rc"
fi

# backtest: in memory, no database to start.
if [[ "$1" == backtest ]]; then
  cd "$REPO_ROOT"
  echo "bench.sh: building $PROJECT (Release)..." >&2
  dotnet build "$PROJECT" -c Release --nologo -v quiet >&2
  exec dotnet "$DLL" "$@"
fi

# ---------------------------------------------------------------- sweep
# A parameter sweep through the API of K engine node processes on loopback, one private database (decision 029).
run_sweep() {
  # Globals, not locals: the EXIT trap's cleanup reads them after the function has returned.
  pg_port="${BENCH_SWEEP_PG_PORT:-55489}" ports="${BENCH_SWEEP_PORTS:-55490-55509}"
  db_args=(--name bench-sweep --port "$pg_port")
  node_project="$REPO_ROOT/src/TradingActors.Node"
  node_dll="$node_project/bin/Release/net10.0/TradingActors.Node.dll"
  log_dir="$REPO_ROOT/.run/bench-sweep"
  data_dir="$log_dir/bars"
  database="bench_sweep_$(date -u +%Y%m%d_%H%M%S)_$$"
  SWEEP_PIDS=() SWEEP_DB_STARTED=0 SWEEP_DB_CREATED=0

  local nodes=1 i
  local -a args=("$@") rest=()
  for ((i = 0; i < ${#args[@]}; i++)); do
    if [[ "${args[i]}" == --nodes ]]; then nodes="${args[i + 1]:-}"; i=$((i + 1)); else rest+=("${args[i]}"); fi
  done
  if ! [[ "$nodes" =~ ^[1-8]$ ]]; then
    echo "bench.sh: sweep takes --nodes K with K in 1..8 (default 1)" >&2
    return 2
  fi

  # shellcheck disable=SC2317  # invoked via trap
  sweep_cleanup() {
    trap '' INT TERM
    local pid n
    for pid in "${SWEEP_PIDS[@]}"; do
      kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    done
    for pid in "${SWEEP_PIDS[@]}"; do
      for ((n = 0; n < 150; n++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.2
      done
      kill -KILL -- "-$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
    done
    SWEEP_PIDS=()
    if [[ "$SWEEP_DB_CREATED" -eq 1 && "${BENCH_KEEP_DB:-0}" != 1 ]]; then
      "$DB" psql "${db_args[@]}" -X -q -d postgres -c "DROP DATABASE IF EXISTS $database WITH (FORCE)" >/dev/null 2>&1 || true
    fi
    SWEEP_DB_CREATED=0
    if [[ "$SWEEP_DB_STARTED" -eq 1 ]]; then
      "$DB" stop "${db_args[@]}" >/dev/null 2>&1 || true
    fi
    SWEEP_DB_STARTED=0
  }
  trap sweep_cleanup EXIT

  cd "$REPO_ROOT"
  echo "bench.sh: building $node_project and $PROJECT (Release)..." >&2
  dotnet build "$node_project" -c Release --nologo -v quiet >&2
  dotnet build "$PROJECT" -c Release --nologo -v quiet >&2

  if ! "$DB" status "${db_args[@]}" >/dev/null 2>&1; then SWEEP_DB_STARTED=1; fi
  "$DB" start "${db_args[@]}" >/dev/null
  "$DB" psql "${db_args[@]}" -X -q -d postgres -v ON_ERROR_STOP=1 -c "CREATE DATABASE $database" >&2
  SWEEP_DB_CREATED=1
  local connection="Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=$database"

  # The run's secrets and its one user (the API's demo user, seeded verified by node0).
  local jwt_key key_file email password
  jwt_key="$(head -c 32 /dev/urandom | base64)"
  key_file="$("$SCRIPT_DIR/master-keys.sh")"
  email="sweep-bench@example.test"
  password="Sweep-$(head -c 18 /dev/urandom | base64 | tr '+/' '-_')"
  mkdir -p "$log_dir" "$data_dir"

  local port_cursor="${ports%-*}" port_last="${ports#*-}" seed_port=""
  next_port() {
    while ((port_cursor <= port_last)); do
      NEXT_PORT="$port_cursor"
      port_cursor=$((port_cursor + 1))
      if ! ss -Htan "( sport = :$NEXT_PORT )" 2>/dev/null | grep -q . && ! (exec 3<>"/dev/tcp/127.0.0.1/$NEXT_PORT") 2>/dev/null; then
        return 0
      fi
    done
    return 1
  }
  local api_url="" roles
  for ((i = 0; i < nodes; i++)); do
    local http_port akka_port
    next_port && http_port="$NEXT_PORT" && next_port && akka_port="$NEXT_PORT" || {
      echo "bench.sh: not enough free ports in $ports for $nodes nodes (BENCH_SWEEP_PORTS=FIRST-LAST)" >&2
      return 1
    }
    if ((i == 0)); then seed_port="$akka_port" api_url="http://127.0.0.1:$http_port"; fi
    roles=engine
    if ((i == 0)); then roles=engine,api; fi
    echo "bench.sh: starting node$i ($roles) on http://127.0.0.1:$http_port, akka 127.0.0.1:$akka_port (log $log_dir/node$i.log)" >&2
    (
      cd "$node_project" # content root: its appsettings.json applies
      export ASPNETCORE_URLS="http://127.0.0.1:$http_port"
      export Trading__ConnectionString="$connection"
      export Trading__Cluster__Hostname=127.0.0.1 Trading__Cluster__Port="$akka_port"
      export Trading__Cluster__Seeds="akka.tcp://trading@127.0.0.1:$seed_port" Trading__Cluster__Roles="$roles"
      # Nothing else to do: no price feed, no read-model projection, no demo tenants.
      export Trading__Feed__Kind=none Trading__ReadModels__Enabled=false Trading__Demo__Tenants=0
      export Trading__Backtests__DataDirectory="$data_dir"
      if [[ -n "${BENCH_SWEEP_THREADS:-}" ]]; then export Trading__Backtests__Threads="$BENCH_SWEEP_THREADS"; fi
      export Trading__Api__Demo__Email="$email" Trading__Api__Demo__Password="$password"
      export Trading__Api__Jwt__SigningKey="$jwt_key" Trading__Credentials__KeyFile="$key_file"
      export Trading__ShutdownDrain=00:00:00
      export Serilog__MinimumLevel__Default=Warning Serilog__MinimumLevel__Override__Akka=Warning
      exec setsid dotnet "$node_dll" >"$log_dir/node$i.log" 2>&1
    ) &
    SWEEP_PIDS+=("$!")
    local deadline=$((SECONDS + 180))
    until curl -sf -o /dev/null "http://127.0.0.1:$http_port/readyz"; do
      if ! kill -0 "${SWEEP_PIDS[i]}" 2>/dev/null; then
        echo "bench.sh: node$i exited during start-up; last lines of $log_dir/node$i.log:" >&2
        tail -n 30 "$log_dir/node$i.log" >&2
        return 1
      fi
      if ((SECONDS >= deadline)); then
        echo "bench.sh: node$i was not ready within 180 s" >&2
        return 1
      fi
      sleep 0.5
    done
    echo "bench.sh: node$i ready (pid ${SWEEP_PIDS[i]})" >&2
  done

  local rc=0
  dotnet "$DLL" sweep --nodes "$nodes" --url "$api_url" --data-dir "$data_dir" --email "$email" --password "$password" "${rest[@]}" || rc=$?
  sweep_cleanup
  return "$rc"
}

if [[ "$1" == sweep ]]; then
  shift
  trap 'exit 130' INT
  trap 'exit 143' TERM
  rc=0
  run_sweep "$@" || rc=$?
  exit "$rc"
fi

# budget: its own instance, so it never shares a server (or its load) with another bench.
if [[ "$1" == budget ]]; then DB_ARGS=(--name bench-budget --port "${BENCH_BUDGET_PG_PORT:-55463}"); fi

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
