#!/usr/bin/env bash
# Writes deploy/compose/auth.env, the identity settings docker-compose.yml gives the API nodes, unless it exists: a
# fresh HS256 signing key that every node shares, and dev tokens switched on so the demo page can sign in. Prints
# the file's path. Edit the file to plug in a real identity provider (see the README), then recreate the API nodes.
set -euo pipefail

file="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/auth.env"
if [ ! -s "$file" ]; then
  umask 077
  cat >"$file" <<ENV
# Identity settings of the compose deployment's API nodes, written by deploy/compose/auth-env.sh. Keep it secret:
# anyone with the key can sign tokens for any user.
Chat__Auth__SigningKey=$(head -c 32 /dev/urandom | base64 -w0)
# POST /auth/dev-token signs tokens for anyone who asks (the demo page uses it); false once real tokens are issued.
Chat__Auth__DevTokens=true
ENV
fi
echo "$file"
