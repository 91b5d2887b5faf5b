#!/usr/bin/env bash
# The chaos soak of issue #13 for longer than the cluster suite's 90 s: the HA loopback cluster (cluster.sh up --ha)
# through nginx, CLIENTS resuming SSE clients in 5 rooms, posters retrying with their clientMessageId, and every
# 20–40 s a random SIGKILL or SIGTERM of silo1, silo2, api1, api2 or the Redis primary, then its restart. Verdict:
# every acknowledged message in history and at every client exactly once and in order, no post answered other than
# 2xx or 503 (or nginx's 502 while an API node is down), and the RSS of every process incarnation within 50 % of its
# own one kill interval after it started. It is the cluster suite's
# ChaosSoakTests with a longer duration; the figures are appended to deploy/local/.state/logs/measurements.log.
#
#   bench/soak.sh [MINUTES] [CLIENTS]     default 10 minutes, 200 clients
#
# Takes the loopback cluster's ports lock (/tmp/orleanschat-ports.lock) for the whole run.
set -euo pipefail
cd "$(dirname "$0")/.."
minutes=${1:-10}
clients=${2:-200}
dotnet build tests/OrleansChat.Cluster.Tests/OrleansChat.Cluster.Tests.csproj -c Release -nologo -v q
CHAT_SOAK_SECONDS=$((minutes * 60)) CHAT_SOAK_CLIENTS=$clients flock /tmp/orleanschat-ports.lock \
  dotnet test tests/OrleansChat.Cluster.Tests/OrleansChat.Cluster.Tests.csproj -c Release --no-build \
  --filter "FullyQualifiedName~ChaosSoakTests" --logger "console;verbosity=normal"
grep "chaos soak" deploy/local/.state/logs/measurements.log | tail -n 1
