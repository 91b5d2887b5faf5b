#!/usr/bin/env bash
# How much Redis memory a room costs on the event log's layout (docs/operations.md, "Memory"): ROOMS rooms of 1,000
# messages each, of 40 and of 200 characters, written by the room log's own append script into a throwaway
# redis-server (a free loopback port, no persistence), measured by used_memory before and after and by MEMORY USAGE
# of one room's keys. It is the cluster suite's RedisRoomMemoryTests (20 rooms) with more rooms; the figures are
# appended to deploy/local/.state/logs/measurements.log.
#
#   bench/redis-memory.sh [ROOMS]     default 1000
set -euo pipefail
cd "$(dirname "$0")/.."
rooms=${1:-1000}
dotnet build tests/OrleansChat.Cluster.Tests/OrleansChat.Cluster.Tests.csproj -c Release -nologo -v q
CHAT_MEMORY_ROOMS=$rooms dotnet test tests/OrleansChat.Cluster.Tests/OrleansChat.Cluster.Tests.csproj -c Release --no-build \
  --filter "FullyQualifiedName~RedisRoomMemoryTests" --logger "console;verbosity=normal"
grep "redis memory: $rooms rooms" deploy/local/.state/logs/measurements.log | tail -n 2
