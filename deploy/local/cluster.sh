#!/usr/bin/env bash
# OrleansChat as a real cluster on loopback: Redis, two silos, two API nodes and nginx in front of them, each its own
# process, started from the same builds and entry points as the container images (see docker-compose.yml).
#
#   cluster.sh up [--no-build] [--ha]  build once, start whatever is not running, return when both API nodes are
#                                ready. --ha: Redis as a primary, a replica and three sentinels (deploy/local/redis.sh);
#                                the cluster stays in HA mode until 'down'. CHAT_CLUSTER_HA=1 in the environment
#                                means --ha too; CHAT_REDIS_APPENDFSYNC=always makes Redis fsync every write
#   cluster.sh kill NAME         SIGKILL one of silo1 silo2 api1 api2 redis (a crash: no goodbye to the cluster);
#                                in HA also redis1 redis2 sentinel1 sentinel2 sentinel3, and redis is the primary
#   cluster.sh stop NAME         SIGTERM it and wait (a graceful shutdown)
#   cluster.sh start NAME [--no-wait]  start it again; returns when it serves (API: /readyz 200, silo: Active,
#                                Redis: answers PING); 'start redis' starts every Redis process that is not running
#   cluster.sh status            what runs, where; in HA which Redis is the primary
#   cluster.sh key               print the cluster's token signing key (base64 HS256)
#   cluster.sh admin-token [TTL]  print a token with the chat_admin claim, signed with that key, valid TTL seconds
#                                (default 3600): sign in with it at /dashboard/signin
#   cluster.sh down              stop everything this script started (Redis data stays in the state folder)
#   cluster.sh clean             down, then delete the state folder (logs and Redis data)
#
# Each process listens on 127.0.0.1 at its port in deploy/local/ports.env (status shows them); every node gets the
# settings of deploy/cluster.env, as in compose. State (pids, logs, Redis AOF, nginx config) lives in
# deploy/local/.state/. Environment variables set when calling this script reach the nodes it starts, e.g.
# Chat__RateLimit__PostsPerSecond=0 or Chat__History__MaxMessages=200.
# The API nodes run Chat__Auth__Mode=Jwt with dev tokens on and a signing key generated once into the state folder
# (deploy/local/.state/signing-key, kept until 'clean'); any Chat__Auth__* variable set when calling wins.
# Prometheus (127.0.0.1 at ports.env's prometheus) scrapes /metrics of both API nodes and of both silos (their
# *_metrics ports); its config and data live in the state folder too.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
state=$here/.state
logs=$state/logs
pids=$state/pids

up_timeout=${CHAT_CLUSTER_TIMEOUT_SECONDS:-180}
nodes=(silo1 silo2 api1 api2)

log() { echo "cluster: $*" >&2; }
die() { log "$*"; exit 1; }

# Reads an env file (KEY=VALUE lines, # comments, blank lines; deploy/cluster.env says why no more) into the array
# named $2, one KEY=VALUE per element.
read_env_file() {
  local file=$1 line
  local -n lines=$2
  lines=()
  [ -f "$file" ] || die "$file is missing"
  while IFS= read -r line || [ -n "$line" ]; do
    case $line in '' | '#'*) continue ;; esac
    [[ $line =~ ^[A-Za-z_][A-Za-z0-9_]*= ]] || die "$file: not a KEY=VALUE line: '$line'"
    lines+=("$line")
  done <"$file"
}

# The settings every node starts with, and their values by key.
read_env_file "$root/deploy/cluster.env" cluster_env
declare -A setting=()
for line in "${cluster_env[@]}"; do setting[${line%%=*}]=${line#*=}; done
service_id=${setting[Orleans__ServiceId]}

read_env_file "$here/ports.env" port_lines
declare -A port=()
for line in "${port_lines[@]}"; do port[${line%%=*}]=${line#*=}; done
nginx_port=${port[nginx]}
declare -A api_port=([api1]=${port[api1]} [api2]=${port[api2]})
declare -A silo_port=([silo1]=${port[silo1]} [silo2]=${port[silo2]})
declare -A gateway_port=([silo1]=${port[silo1_gateway]} [silo2]=${port[silo2_gateway]})
declare -A metrics_port=([silo1]=${port[silo1_metrics]} [silo2]=${port[silo2_metrics]})
prometheus_port=${port[prometheus]}
# shellcheck source=deploy/local/redis.sh
source "$here/redis.sh"
# shellcheck source=deploy/local/front.sh
source "$here/front.sh"
# shellcheck source=deploy/local/nodes.sh
source "$here/nodes.sh"

pid_of() { cat "$pids/$1.pid" 2>/dev/null || true; }

# Alive, and not a zombie: a killed node stays one until init gets round to reaping it (a second, here).
alive() {
  local state
  state=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1
  [ -n "$state" ] && [ "$state" != Z ]
}

running() {
  local pid
  pid=$(pid_of "$1")
  [ -n "$pid" ] && alive "$pid"
}

# Polls a command until it succeeds or the deadline passes.
wait_until() {
  local what=$1 seconds=$2
  shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || return 1
    sleep 0.2
  done
  log "$what"
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

ready() { curl -fs -o /dev/null --max-time 3 "http://127.0.0.1:$1/readyz"; }

cluster_id() {
  if [ ! -s "$state/cluster-id" ]; then
    # A fresh ClusterId per cluster: membership rows of an earlier run's dead silos would slow every start down.
    echo "local-$(date +%Y%m%d-%H%M%S)-$RANDOM" >"$state/cluster-id"
  fi
  cat "$state/cluster-id"
}

# The HS256 key every API node validates tokens with: generated once, so tokens stay valid across node restarts.
signing_key() {
  if [ ! -s "$state/signing-key" ]; then
    (umask 077 && head -c 32 /dev/urandom | base64 -w0 >"$state/signing-key")
  fi
  cat "$state/signing-key"
}

base64url() { base64 -w0 | tr '+/' '-_' | tr -d '='; }

# A JWT (HS256, the cluster's key) for an operator: chat_admin opens the dashboard; no room rights.
admin_token() {
  local ttl=${1:-3600} now header payload key_hex signature
  [[ $ttl =~ ^[1-9][0-9]*$ ]] || die "admin-token: TTL must be a number of seconds"
  command -v openssl >/dev/null || "$root/scripts/ensure-packages.sh" openssl >&2
  now=$(date +%s)
  header=$(printf '{"alg":"HS256","typ":"JWT"}' | base64url)
  payload=$(printf '{"sub":"operator","name":"operator","chat_admin":"true","iat":%d,"nbf":%d,"exp":%d}' \
    "$now" "$now" "$((now + ttl))" | base64url)
  key_hex=$(signing_key | base64 -d | od -An -v -tx1 | tr -d ' \n')
  signature=$(printf '%s.%s' "$header" "$payload" \
    | openssl dgst -sha256 -mac HMAC -macopt "hexkey:$key_hex" -binary | base64url)
  printf '%s.%s.%s\n' "$header" "$payload" "$signature"
}

build() {
  log "building (Release) ..."
  local project
  for project in src/Silo/Silo.csproj src/Api/Api.csproj; do
    dotnet build "$root/$project" -c Release -nologo -v quiet >"$logs/build.log" 2>&1 \
      || { tail -n 30 "$logs/build.log" >&2; die "build of $project failed (log: $logs/build.log)"; }
  done
}

# What kill, stop and start take: the Orleans nodes and the Redis processes of the mode.
check_node_name() {
  local name=${1:-}
  [[ " ${nodes[*]} " == *" $name "* ]] || is_redis_process "$name" || die "expected one of: ${nodes[*]} redis $(ha_mode && redis_processes)"
}

print_status() {
  local name pid detail
  print_redis_status
  for name in "${nodes[@]}" nginx prometheus; do
    pid=$(pid_of "$name")
    case $name in
      nginx) detail="http://127.0.0.1:$nginx_port" ;;
      prometheus) detail="http://127.0.0.1:$prometheus_port" ;;
      silo*) detail="silo :${silo_port[$name]}, gateway :${gateway_port[$name]}, metrics :${metrics_port[$name]}" ;;
      api*) detail="http://127.0.0.1:${api_port[$name]}"
            if running "$name"; then
              ready "${api_port[$name]}" && detail+=" (ready)" || detail+=" (not ready)"
            fi ;;
    esac
    if running "$name"; then
      printf '%-10s running  pid %-8s %s\n' "$name" "$pid" "$detail"
    else
      printf '%-10s stopped           %s\n' "$name" "$detail"
    fi
  done
  [ -s "$state/cluster-id" ] && echo "cluster id: $(cat "$state/cluster-id")"
  echo "logs: $logs"
}

cmd_up() {
  local build_first=1 argument
  # CHAT_CLUSTER_HA=1 is --ha for callers that pass only the environment through (bench/run.sh cluster).
  [ "${CHAT_CLUSTER_HA:-}" = 1 ] && set -- "$@" --ha
  for argument in "$@"; do
    case $argument in
      --no-build) build_first=0 ;;
      --ha)
        if ! ha_mode && running redis; then die "the cluster runs without HA: 'cluster.sh down' first"; fi
        touch "$state/ha" ;;
      *) die "up: unknown option '$argument'" ;;
    esac
  done
  "$root/scripts/ensure-packages.sh" redis-server redis-sentinel nginx-light curl prometheus
  mkdir -p "$logs" "$pids"
  local started=$SECONDS
  [ $build_first -eq 1 ] && build
  # For the cluster tests' own Orleans client: the connection string the nodes get.
  redis_connection >"$state/redis-connection"
  start_redis
  local name
  for name in "${nodes[@]}"; do start_node "$name"; done
  start_nginx
  start_prometheus
  for name in "${nodes[@]}"; do wait_serving "$name"; done
  log "up in $((SECONDS - started)) s: open http://127.0.0.1:$nginx_port (logs: $logs)"
  if [ -n "${Chat__Auth__SigningKey:-}" ]; then
    log "tokens: signed with Chat__Auth__SigningKey from the environment"
  else
    log "tokens: HS256, signing key $(signing_key) (in $state/signing-key; 'cluster.sh key' prints it)"
  fi
}

cmd_down() {
  local name
  stop_process prometheus TERM
  stop_process nginx QUIT
  for name in api1 api2 silo1 silo2; do stop_process "$name" TERM; done
  if running "$(primary_name)" && [ -s "$state/cluster-id" ]; then
    # Membership and stream pub-sub state belong to this cluster id only; the room logs stay.
    local cid
    cid=$(cat "$state/cluster-id")
    redis_cli del "$service_id/members/$cid" >/dev/null || true
    # In batches: one redis-cli per key took minutes after 10,000 rooms had streams.
    redis_cli --scan --pattern "$service_id/$cid/*" | xargs -r -d '\n' -n 500 redis-cli -h 127.0.0.1 -p "$(primary_port)" del >/dev/null || true
  fi
  stop_redis
  rm -f "$state/cluster-id" "$state/ha" "$state/redis-connection"
}

usage() { sed -n '2,/^[^#]/p' "$0" | grep '^#' | sed 's/^# \{0,1\}//'; }

main() {
  local command=${1:-}
  shift || true
  mkdir -p "$logs" "$pids"
  case $command in
    up) cmd_up "$@" ;;
    down) cmd_down ;;
    clean) cmd_down; rm -rf "$state"; log "removed $state" ;;
    kill) check_node_name "${1:-}"; stop_process "$(redis_target "$1")" KILL ;;
    stop) check_node_name "${1:-}"; stop_process "$(redis_target "$1")" TERM ;;
    start)
      check_node_name "${1:-}"
      if [ "$1" = redis ]; then
        start_redis
      elif is_redis_process "$1"; then
        start_redis_process "$1"
      else
        running "$(primary_name)" || die "redis is not running: use '$0 up' or '$0 start redis'"
        start_node "$1"
        [ "${2:-}" = "--no-wait" ] || wait_serving "$1"
      fi ;;
    status) print_status ;;
    key) signing_key; echo ;;
    admin-token) admin_token "$@" ;;
    help | -h | --help) usage ;;
    *) usage; exit 2 ;;
  esac
}

main "$@"
