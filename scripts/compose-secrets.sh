#!/usr/bin/env bash
# Creates the secret files docker/compose.yml mounts, once: .run/compose/master-keys (the master key ring, decision
# 008), .run/compose/jwt-signing-key (access tokens) and .run/compose/ops-token (tradectl's operator token). Existing files are kept: the master keys open every stored
# broker credential, so back them up with the database volume.
# The folder is 0700 and the files 0644: compose (without swarm) bind-mounts a secret with its host mode, and the
# node runs as a non-root user in the container; the folder keeps other host users out.
#   scripts/compose-secrets.sh      prints the folder
set -euo pipefail
SCRIPT_DIR="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)"
DIR="$SCRIPT_DIR/../.run/compose"
mkdir -p "$DIR"
chmod 0700 "$DIR"
"$SCRIPT_DIR/master-keys.sh" "$DIR/master-keys" >/dev/null
if [[ ! -s "$DIR/jwt-signing-key" ]]; then
  ( umask 077; head -c 32 /dev/urandom | base64 -w0 >"$DIR/jwt-signing-key" )
  echo "compose-secrets.sh: created $DIR/jwt-signing-key" >&2
fi
if [[ ! -s "$DIR/ops-token" ]]; then
  ( umask 077; head -c 24 /dev/urandom | base64 -w0 | tr '+/' '-_' >"$DIR/ops-token" )
  echo "compose-secrets.sh: created $DIR/ops-token (tradectl's TRADECTL_TOKEN)" >&2
fi
chmod 0644 "$DIR/master-keys" "$DIR/jwt-signing-key" "$DIR/ops-token"
cd -- "$DIR" && pwd -P
