#!/bin/sh
# Container entry point for the TradingActors node.
# Trading__Cluster__Hostname defaults to this container's hostname (for compose
# replicas: the container ID, which Docker's DNS resolves on the compose network).
# Set TRADING_ADVERTISE_IP=true to advertise the container's IP address instead.
set -eu

if [ -z "${Trading__Cluster__Hostname:-}" ]; then
  # shellcheck disable=SC3028  # Docker sets HOSTNAME in the container environment
  host="${HOSTNAME:-}"
  if [ -z "$host" ] && [ -r /etc/hostname ]; then
    host="$(cat /etc/hostname)"
  fi
  if [ "${TRADING_ADVERTISE_IP:-false}" = "true" ]; then
    # First address of our own hostname, without needing iproute2/hostname(1).
    ip="$(getent hosts "$host" | { read -r addr _ || true; echo "${addr:-}"; })"
    [ -n "$ip" ] && host="$ip"
  fi
  Trading__Cluster__Hostname="$host"
  export Trading__Cluster__Hostname
fi

# The access-token signing key from a secret file (compose: /run/secrets/jwt_signing_key), never from the compose file.
if [ -n "${TRADING_JWT_SIGNING_KEY_FILE:-}" ] && [ -z "${Trading__Api__Jwt__SigningKey:-}" ]; then
  [ -r "$TRADING_JWT_SIGNING_KEY_FILE" ] || { echo "tradingactors: cannot read $TRADING_JWT_SIGNING_KEY_FILE" >&2; exit 1; }
  Trading__Api__Jwt__SigningKey="$(cat "$TRADING_JWT_SIGNING_KEY_FILE")"
  export Trading__Api__Jwt__SigningKey
fi

# The operator token (tradectl) from its secret file (compose: /run/secrets/ops_token).
if [ -n "${TRADING_OPS_TOKEN_FILE:-}" ] && [ -z "${Trading__Ops__Token:-}" ]; then
  [ -r "$TRADING_OPS_TOKEN_FILE" ] || { echo "tradingactors: cannot read $TRADING_OPS_TOKEN_FILE" >&2; exit 1; }
  Trading__Ops__Token="$(cat "$TRADING_OPS_TOKEN_FILE")"
  export Trading__Ops__Token
fi

# Master keys (decision 008): without Trading__Credentials__* settings, one key file on the shared keys volume,
# written by the first node to start (noclobber) and read by the others. Back it up with the database.
if ! env | grep -q '^Trading__Credentials__'; then
  keys=/var/lib/tradingactors/keys/master-keys
  if [ ! -s "$keys" ]; then
    ( umask 077; set -C
      printf '# TradingActors master keys (id:base64, the active one marked *)\n*compose_1:%s\n' "$(head -c 32 /dev/urandom | base64 -w0)" >"$keys" ) 2>/dev/null || true
  fi
  tries=0
  until grep -q '^\*' "$keys" 2>/dev/null; do
    tries=$((tries + 1)); [ "$tries" -le 50 ] || { echo "tradingactors: no master key in $keys" >&2; exit 1; }
    sleep 0.1
  done
  Trading__Credentials__KeyFile="$keys"
  export Trading__Credentials__KeyFile
fi

echo "tradingactors: cluster address ${Trading__Cluster__Hostname}:${Trading__Cluster__Port:-4053}" >&2
exec dotnet /app/TradingActors.Node.dll "$@"
