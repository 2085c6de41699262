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

echo "tradingactors: cluster address ${Trading__Cluster__Hostname}:${Trading__Cluster__Port:-4053}" >&2
exec dotnet /app/TradingActors.Node.dll "$@"
