#!/usr/bin/env bash
# Starts TradingActors for a new user: a private PostgreSQL plus one node.
#
#   scripts/run.sh [extra args for the node]
#
# Environment (all optional):
#   PORT=5080              HTTP port of the node (bound to 127.0.0.1)
#   DEMO_TENANTS=100       demo tenants created at start-up
#   FEED_INTERVAL_MS=200   simulated market-data feed interval
#   MAIL_PORT=2525         port of the local SMTP sink the node hosts (mails: /mailbox)
#   DEMO_EMAIL, DEMO_PASSWORD   the demo login (default: demo@tradingactors.local, a random password)
#   JWT_SIGNING_KEY        base64 key for access tokens (default: random per run)
#   FAKES=1                also start the local fakes of the real venues (OANDA, Alpaca, Bybit, KIS: `tradectl
#                          fakes` on FAKES_PORT=18081..18084) and point the node's practice URLs at them, so a
#                          demo account at each can be linked (printed below); FAKES=0: none
#   STRIPE_PORT=12111      the local Stripe fake (`tradectl stripe-fake`, always started): the node takes payments
#                          through it (checkout, portal, signed webhooks), so the demo can pay for a plan
# Ctrl-C stops the node, the fakes, then the database this script started.
set -euo pipefail

SCRIPT_DIR="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)"
REPO_ROOT="$(cd -- "$SCRIPT_DIR/.." && pwd -P)"
DB="$SCRIPT_DIR/db.sh"
DB_PORT=55432
DB_ARGS=(--name run --port "$DB_PORT")
DB_NAME=tradingactors
HTTP_PORT="${PORT:-5080}"

NODE_PID=""
FAKES_PID=""
STRIPE_PID=""
DB_STARTED=0

# Stops a process group started with setsid: TERM, then KILL after $2 tenths of a second.
stop_group() {
  local pid=$1 tenths=$2 i
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < tenths; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    echo "run.sh: pid $pid did not stop; killing it" >&2
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
}

# shellcheck disable=SC2317  # invoked via trap
cleanup() {
  local rc=$?
  # Finish cleaning up even if Ctrl-C is pressed again.
  trap '' INT TERM
  trap - EXIT
  if [[ -n "$NODE_PID" ]] && kill -0 "$NODE_PID" 2>/dev/null; then
    echo "run.sh: stopping node (pid $NODE_PID)..." >&2
    # The node runs in its own process group (setsid): signal dotnet run and the app.
    stop_group "$NODE_PID" 300
  fi
  if [[ -n "$FAKES_PID" ]] && kill -0 "$FAKES_PID" 2>/dev/null; then
    echo "run.sh: stopping the venue fakes (pid $FAKES_PID)..." >&2
    stop_group "$FAKES_PID" 100
  fi
  if [[ -n "$STRIPE_PID" ]] && kill -0 "$STRIPE_PID" 2>/dev/null; then
    echo "run.sh: stopping the Stripe fake (pid $STRIPE_PID)..." >&2
    stop_group "$STRIPE_PID" 100
  fi
  if [[ "$DB_STARTED" -eq 1 ]]; then
    "$DB" stop "${DB_ARGS[@]}" || true
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if "$DB" status "${DB_ARGS[@]}" >/dev/null 2>&1; then
  echo "run.sh: database instance 'run' was already running; it will be left running" >&2
else
  DB_STARTED=1
fi
"$DB" start "${DB_ARGS[@]}" >/dev/null

# Create the application database if missing (TCP, trust auth as postgres).
if [[ "$("$DB" psql "${DB_ARGS[@]}" -X -Atq -d postgres \
  -c "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'")" != 1 ]]; then
  echo "run.sh: creating database $DB_NAME" >&2
  "$DB" psql "${DB_ARGS[@]}" -X -q -d postgres -v ON_ERROR_STOP=1 -c "CREATE DATABASE $DB_NAME"
fi

export ASPNETCORE_URLS="http://127.0.0.1:${HTTP_PORT}"
export Trading__ConnectionString="Host=127.0.0.1;Port=${DB_PORT};Username=postgres;Database=${DB_NAME}"
# The master key that seals users' broker keys: created once, kept with the database (.run/master-keys).
Trading__Credentials__KeyFile="$("$SCRIPT_DIR/master-keys.sh")"
export Trading__Credentials__KeyFile
export Trading__Demo__Tenants="${DEMO_TENANTS:-100}"
export Trading__Feed__IntervalMs="${FEED_INTERVAL_MS:-200}"
# Trader API: links in mails point here; the node hosts the local SMTP sink and sends its mails to it.
export Trading__Api__PublicBaseUrl="http://127.0.0.1:${HTTP_PORT}"
export Trading__Api__Jwt__SigningKey="${JWT_SIGNING_KEY:-$(head -c 32 /dev/urandom | base64)}"
export Trading__Mail__HostSink=true
export Trading__Mail__Host=127.0.0.1
export Trading__Mail__Port="${MAIL_PORT:-2525}"
# A verified demo user (role admin too, so /summary can be seen), seeded at start.
DEMO_EMAIL="${DEMO_EMAIL:-demo@tradingactors.local}"
DEMO_PASSWORD="${DEMO_PASSWORD:-trade-$(head -c 12 /dev/urandom | base64 | tr -d '/+=')}"
export Trading__Api__Demo__Email="$DEMO_EMAIL"
export Trading__Api__Demo__Password="$DEMO_PASSWORD"
export Trading__Api__Demo__Roles=admin
# The demo user follows the shared RSI strategy and runs its own DCA bot beside it, both on its paper account
# (the bot decides on 10-second bars so it trades within the first minutes).
export Trading__Api__Demo__FollowStrategy=rsi-btc
export Trading__Api__Demo__DemoBotBarSeconds="${DEMO_BOT_BAR_SECONDS:-10}"

# tradectl runs the local fakes: built first, alone (two concurrent builds of the shared projects would race for the same files).
mkdir -p "$REPO_ROOT/.run"
echo "run.sh: building tradectl (the local fakes run in it)" >&2
if ! dotnet build "$REPO_ROOT/src/TradingActors.Cli" -c Release -v quiet -nologo >"$REPO_ROOT/.run/fakes-build.log" 2>&1; then
  cat "$REPO_ROOT/.run/fakes-build.log" >&2
  echo "run.sh: building tradectl failed" >&2
  exit 1
fi

# Stripe, faked on 127.0.0.1 (decisions 033, 034): keys made for this run, the seeded paid plans sold under the
# conventional price ids, webhooks signed and delivered to the node.
STRIPE_PORT="${STRIPE_PORT:-12111}"
STRIPE_LOG="$REPO_ROOT/.run/stripe-fake.log"
TRADECTL_STRIPE_SECRET_KEY="sk_test_$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
TRADECTL_STRIPE_WEBHOOK_SECRET="whsec_$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
export TRADECTL_STRIPE_SECRET_KEY TRADECTL_STRIPE_WEBHOOK_SECRET
setsid dotnet run --project "$REPO_ROOT/src/TradingActors.Cli" -c Release --no-build -- stripe-fake --port "$STRIPE_PORT" \
  --webhook "http://127.0.0.1:${HTTP_PORT}/api/v1/billing/webhook" >"$STRIPE_LOG" 2>&1 &
STRIPE_PID=$!
deadline=$((SECONDS + 60))
until grep -q '^fake stripe url=' "$STRIPE_LOG"; do
  if ! kill -0 "$STRIPE_PID" 2>/dev/null || ((SECONDS > deadline)); then
    echo "run.sh: the Stripe fake did not start (port ${STRIPE_PORT} taken?); log:" >&2
    cat "$STRIPE_LOG" >&2
    exit 1
  fi
  sleep 0.2
done
STRIPE_URL="$(sed -nE 's/^fake stripe url=([^ ]+).*/\1/p' "$STRIPE_LOG")"
export Trading__Billing__Stripe__ApiBase="${STRIPE_URL%/}"
export Trading__Billing__Stripe__SecretKey="$TRADECTL_STRIPE_SECRET_KEY"
export Trading__Billing__Stripe__WebhookSecret="$TRADECTL_STRIPE_WEBHOOK_SECRET"
export Trading__Billing__Stripe__SuccessUrl="http://127.0.0.1:${HTTP_PORT}/billing/success?session_id={CHECKOUT_SESSION_ID}"
export Trading__Billing__Stripe__CancelUrl="http://127.0.0.1:${HTTP_PORT}/billing/cancelled"
export Trading__Billing__Stripe__PortalReturnUrl="http://127.0.0.1:${HTTP_PORT}/billing"
for plan in starter pro enterprise; do
  export "Trading__Billing__Stripe__Prices__${plan}__Monthly=price_${plan}_monthly" "Trading__Billing__Stripe__Prices__${plan}__Yearly=price_${plan}_yearly"
done

# The real venues' local fakes (decision 022): the node's practice/testnet URLs point at them.
FAKE_LINES=""
if [[ "${FAKES:-1}" == 1 ]]; then
  FAKES_PORT="${FAKES_PORT:-18081}"
  FAKES_LOG="$REPO_ROOT/.run/fakes.log"
  echo "run.sh: starting the venue fakes (log: ${FAKES_LOG#"$REPO_ROOT/"})" >&2
  setsid dotnet run --project "$REPO_ROOT/src/TradingActors.Cli" -c Release --no-build -- fakes --port "$FAKES_PORT" >"$FAKES_LOG" 2>&1 &
  FAKES_PID=$!
  deadline=$((SECONDS + 60))
  while [[ "$(grep -c '^fake venue=' "$FAKES_LOG" || true)" -lt 4 ]]; do
    if ! kill -0 "$FAKES_PID" 2>/dev/null || ((SECONDS > deadline)); then
      echo "run.sh: the venue fakes did not start (ports ${FAKES_PORT} to $((FAKES_PORT + 3)) taken?); log:" >&2
      cat "$FAKES_LOG" >&2
      exit 1
    fi
    sleep 0.2
  done
  FAKE_LINES="$(grep '^fake venue=' "$FAKES_LOG")"
  while read -r line; do
    venue="$(sed -E 's/.*venue=([a-z]+).*/\1/' <<<"$line")"
    url="$(sed -E 's/.* url=([^ ]+).*/\1/' <<<"$line")"
    case "$venue" in
      oanda) export Trading__RealVenues__Oanda__TestBaseUrl="$url" ;;
      alpaca) export Trading__RealVenues__Alpaca__TestBaseUrl="$url" ;;
      bybit) export Trading__RealVenues__Bybit__TestBaseUrl="$url" ;;
      kis) export Trading__RealVenues__Kis__TestBaseUrl="$url" ;;
    esac
  done <<<"$FAKE_LINES"
fi

BASE="http://127.0.0.1:${HTTP_PORT}"
cat <<EOF
TradingActors node: ${BASE}
  endpoints:  ${BASE}/healthz  ${BASE}/readyz  ${BASE}/summary (admin)  ${BASE}/api/v1/auth/...
  demo login: ${DEMO_EMAIL} / ${DEMO_PASSWORD}   (verified, roles user + admin)
              curl -s -X POST ${BASE}/api/v1/auth/login -H 'content-type: application/json' \\
                -d '{"email":"${DEMO_EMAIL}","password":"${DEMO_PASSWORD}"}'
  sign up:    POST ${BASE}/api/v1/auth/register {"email","password","acceptTerms":true,"acceptRiskDisclosure":true},
              then open the verification link from the mailbox: ${BASE}/mailbox
              (local SMTP sink on 127.0.0.1:${Trading__Mail__Port}; the node's log prints each mail's links too)
  database:   ${Trading__ConnectionString}
EOF
echo "  stripe fake: ${STRIPE_URL} (pay for a plan: README, \"Pay for a plan\"; its log: .run/stripe-fake.log)"
if [[ -n "$FAKE_LINES" ]]; then
  echo "  venue fakes (link a demo account: README, \"Try a real venue against its local fake\"):"
  sed 's/^fake /              /' <<<"$FAKE_LINES"
fi
cat <<EOF
Building and starting the node (Release); Ctrl-C stops the node, the fakes, then the database.
EOF

# Working directory = the project folder: it is the ASP.NET content root, so
# appsettings.json applies; data/ files are found by walking up from the app folder.
cd "$REPO_ROOT/src/TradingActors.Node"
setsid dotnet run --project "$REPO_ROOT/src/TradingActors.Node" -c Release --no-launch-profile -- "$@" &
NODE_PID=$!
node_rc=0
wait "$NODE_PID" || node_rc=$?
NODE_PID=""
echo "run.sh: node exited with code $node_rc" >&2
exit "$node_rc"
