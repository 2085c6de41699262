#!/usr/bin/env bash
# Prints the path of the local master key file (decision 008), creating it with one new active key when it is
# missing. The node reads it through Trading__Credentials__KeyFile. Keep the file as long as the database: it is
# what opens every stored broker credential (a new key for rotation: docs/operations.md, "Master keys").
#   scripts/master-keys.sh [PATH]     default: .run/master-keys in the repository
set -euo pipefail
SCRIPT_DIR="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)"
KEY_FILE="${1:-$SCRIPT_DIR/../.run/master-keys}"
mkdir -p "$(dirname -- "$KEY_FILE")"
if [[ ! -s "$KEY_FILE" ]]; then
  # 0600 from the start; noclobber: a concurrent first start keeps whichever file was written first.
  ( umask 077; set -C
    printf '# TradingActors master keys (id:base64, the active one marked *). Keep old keys until every data key is rewrapped.\n*local_1:%s\n' \
      "$(head -c 32 /dev/urandom | base64 -w0)" >"$KEY_FILE" ) 2>/dev/null || true
  echo "master-keys.sh: created $KEY_FILE" >&2
fi
cd -- "$(dirname -- "$KEY_FILE")" && printf '%s/%s\n' "$(pwd -P)" "$(basename -- "$KEY_FILE")"
