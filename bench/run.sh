#!/usr/bin/env bash
# Benchmark scenarios of OrleansChat (issues #5, #10, #14). Each run starts the server(s) fresh, warms them up briefly (not
# with --cold), runs the load generator (bench/OrleansChat.Bench, which speaks only docs/api.md) and appends its JSON
# object to a results file; after the runs it prints the medians (min–max) that docs/benchmarks.md quotes, one table
# per scenario with a column per target.
#
#   bench/run.sh [--cold] SCENARIO[,SCENARIO...] [TARGET[,TARGET...]] [RUNS]
#     SCENARIO  fanout | fanout2k | edits | connections | hotroom | resume | idle | fanout-auth | connections-auth |
#               fanout-presence-auth | presence | all
#               (-auth: every subscriber and poster a user with a dev token of its own; fanout2k: fanout at
#               2,000 posts/s; edits: fanout where 10 % of the acknowledged posts are then edited and 5 % deleted,
#               open-loop too, and every subscriber's view of its room is checked against the room's history at the
#               end, embedded and cluster only; idle: 10,000 rooms with one subscriber each, no posts, 60 s measured;
#               fanout-presence-auth: fanout-auth with ?presence=true on every subscriber; presence, cluster only:
#               2,000 users × 5 tabs (?presence=true) over 100 rooms, then api1 is SIGKILLed and its tabs reconnect to
#               api2 — presence events received, CPU per role, and any leave or join nobody should have seen)
#     TARGET    embedded (default): one API process with its co-hosted silo, on 127.0.0.1:$BENCH_PORT
#               floor: bench/OrleansChat.Floor, a bare ASP.NET Core broadcast (no Orleans, no storage), same port;
#                 fanout, fanout2k, connections, hotroom and idle only (it keeps no history, so neither resume nor
#                 edits, and has no auth)
#               cluster: deploy/local/cluster.sh up/down; targets $BENCH_CLUSTER_URLS (the two API nodes). It binds
#                 the loopback cluster ports: on a shared machine run it under `flock /tmp/orleanschat-ports.lock`
#     RUNS      runs per scenario and target (default 3; quote medians). Several scenarios and targets run
#               interleaved — run 1 of each scenario on each target, then run 2, … — so a noisy machine hits them alike
#     --cold    no warm-up: the generator starts as soon as the server answers /readyz, and reports the posts due in
#               its first 8 s apart from the rest (scenario label SCENARIO-cold)
#
# Environment: BENCH_PORT (5300), BENCH_SILO_PORT (11311), BENCH_GATEWAY_PORT (30311),
#   BENCH_CLUSTER_URLS (http://127.0.0.1:8081,http://127.0.0.1:8082), BENCH_RESULTS (bench/results),
#   BENCH_ARGS (extra load-generator options, e.g. "--progress 0"), BENCH_SERVER_ARGS (extra API options),
#   BENCH_SERVER_ENV (NAME=value ... for the embedded server and the floor only, e.g. "DOTNET_TieredPGO=0"),
#   BENCH_READY_TO_RUN (true: the embedded server is published ReadyToRun, as deploy/docker/Dockerfile ships it;
#   false: the plain Release build, JIT only), BENCH_BUILD (false: skip the build and run what was built before).
#
# The embedded server and the floor print how long after their process started /readyz first answered.
#
# The server runs with --Chat:RateLimit:PostsPerSecond=0: the default per-client-address post limit (20/s) would
# otherwise throttle the load generator, which posts from one address; and, for the same reason, with a per-address
# cap on anonymous event streams above the scenarios' 10,000. Scenarios without -auth send no token: in cluster mode
# their nodes run Chat__Auth__Mode=Development (cluster.sh's default is Jwt), as the v1 figures did. Everything
# targets 127.0.0.1 only, every run is bounded in connections and time, and the script stops what it started.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

cold=
if [ "${1:-}" = --cold ]; then cold=1; shift; fi
scenario=${1:-}
targets=${2:-embedded}
runs=${3:-3}
port=${BENCH_PORT:-5300}
silo_port=${BENCH_SILO_PORT:-11311}
gateway_port=${BENCH_GATEWAY_PORT:-30311}
cluster_urls=${BENCH_CLUSTER_URLS:-http://127.0.0.1:8081,http://127.0.0.1:8082}
results_dir=${BENCH_RESULTS:-$root/bench/results}
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

usage() { sed -n '2,/^set /{/^#/p}' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
[ "$scenario" = all ] && scenario=fanout,connections,hotroom,resume
[ -n "$scenario" ] || usage
for s in ${scenario//,/ }; do
  case "$s" in fanout|fanout2k|edits|connections|hotroom|resume|idle|fanout-auth|connections-auth|fanout-presence-auth|presence) ;; *) usage ;; esac
done
for m in ${targets//,/ }; do
  case "$m" in embedded|floor|cluster) ;; *) usage ;; esac
done

if [[ ",$targets," == *,cluster,* ]]; then
  if [ ! -x "$root/deploy/local/cluster.sh" ]; then
    echo "cluster mode needs deploy/local/cluster.sh (the local multi-node harness), which this checkout does not have." >&2
    exit 1
  fi
fi

# 10k connections need 10k descriptors in the server and in the load generator (each its own process).
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt 10240 ]; then
  echo "warning: ulimit -n is $(ulimit -n); the connections scenario needs > 10,000" >&2
fi

# The load-generator options of each scenario; an -auth scenario is its base scenario with a token per user.
scenario_args() {
  case "$1" in
    *-auth) echo "$(scenario_args "${1%-auth}") --auth dev-token" ;;
    # 10 rooms × 100 subscribers, 1,000 posts/s for 10 s: 100k deliveries/s offered.
    # Posts are open-loop (sent when due, whatever the server's state); --posters is the number of users they come from.
    fanout) echo "--rooms 10 --subscribers 100 --rate 1000 --posters 32 --duration 10 --hold 1" ;;
    fanout2k) echo "--rooms 10 --subscribers 100 --rate 2000 --posters 32 --duration 10 --hold 1" ;;
    # fanout, plus edits of 10 % and deletions of 5 % of the acknowledged posts (PATCH/DELETE as their author), each
    # 250/500 ms after its post was due and open-loop as well: ≈ 1,145 room events/s, every one delivered 100 times.
    edits) echo "$(scenario_args fanout) --edits 10 --deletes 5" ;;
    fanout-presence) echo "$(scenario_args fanout) --presence on" ;;
    # The node-kill storm of issue 11 (options of `OrleansChat.Bench presence`; the kill is added by the loop below).
    presence) echo "--rooms 100 --users 2000 --tabs 5 --hold 5 --observe 45 --connect-concurrency 256" ;;
    # 100 rooms × 100 subscribers = 10k connections, 10 posts/s; RSS measured after a 5 s hold.
    connections) echo "--rooms 100 --subscribers 100 --rate 10 --posters 4 --duration 10 --hold 5 --connect-concurrency 256" ;;
    # 1 room, 10 subscribers, 64 posters back to back for 10 s.
    hotroom) echo "--rooms 1 --subscribers 10 --rate 0 --posters 64 --duration 10 --hold 1" ;;
    # 1,000 messages in a room, then 100 clients connect at once with Last-Event-ID: 0.
    resume) echo "--rooms 1 --subscribers 100 --backlog 1000 --posters 64 --duration 0 --hold 0" ;;
    # 10,000 rooms with one subscriber each, no posts: what open but quiet rooms cost (CPU per role, grain calls/s).
    idle) echo "--rooms 10000 --subscribers 1 --idle 60 --hold 5 --connect-concurrency 256" ;;
  esac
}

anonymous_streams=100000
bench_dll=$root/bench/OrleansChat.Bench/bin/Release/net10.0/OrleansChat.Bench.dll
ready_to_run=${BENCH_READY_TO_RUN:-true}
if [ "$ready_to_run" = true ]; then
  api_dll=$root/src/Api/bin/Release/net10.0/linux-x64/publish/OrleansChat.Api.dll
else
  api_dll=$root/src/Api/bin/Release/net10.0/OrleansChat.Api.dll
fi
floor_dll=$root/bench/OrleansChat.Floor/bin/Release/net10.0/OrleansChat.Floor.dll
# The generator shares the cores with the server: socket completions run inline on its epoll thread instead of
# hopping to the thread pool (its per-event work is a few hundred ns and never blocks). Measured on fanout: the
# generator's CPU 5.7-9.0 -> 4.4-5.2 cpu-s per 10 s run, leaving that CPU to the server.
bench() { DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 dotnet "$bench_dll" "$@"; }

build() {
  echo "building (Release)…" >&2
  dotnet build "$root/bench/OrleansChat.Bench/OrleansChat.Bench.csproj" -c Release -v q -nologo >/dev/null
  if [ "$ready_to_run" = true ]; then
    # The same publish options as deploy/docker/Dockerfile: what a deployed node runs, and how fast it starts.
    dotnet publish "$root/src/Api/Api.csproj" -c Release -r linux-x64 -p:SelfContained=false -p:UseAppHost=false \
      -p:PublishReadyToRun=true -p:CustomAfterMicrosoftCommonTargets="$root/deploy/docker/ReadyToRun.targets" \
      -v q -nologo >/dev/null
  else
    dotnet build "$root/src/Api/Api.csproj" -c Release -v q -nologo >/dev/null
  fi
  dotnet build "$root/bench/OrleansChat.Floor/OrleansChat.Floor.csproj" -c Release -v q -nologo >/dev/null
}
# BENCH_BUILD=false: run what was built before (interleaved runs of several checkouts, each built once).
[ "${BENCH_BUILD:-true}" = false ] || build

server_pid=
server_log=
stop_server() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$server_pid" 2>/dev/null || true
  fi
  server_pid=
}

cluster_up=
cleanup() {
  stop_server
  if [ -n "$cluster_up" ]; then "$root/deploy/local/cluster.sh" down >&2 || true; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Seconds since process $1 started (its start time in /proc/PID/stat, in clock ticks since boot).
process_age() {
  awk -v start="$(awk '{print $22}' "/proc/$1/stat")" -v hz="$(getconf CLK_TCK)" '{printf "%.1f", $1 - start / hz}' /proc/uptime
}

wait_ready() {
  local url=$1
  for _ in $(seq 1 300); do
    if [ -n "$server_pid" ] && ! kill -0 "$server_pid" 2>/dev/null; then
      echo "the server exited during start-up" >&2
      [ -n "$server_log" ] && tail -n 30 "$server_log" >&2
      return 1
    fi
    if curl -fsS -o /dev/null --max-time 1 "$url/readyz" 2>/dev/null; then
      [ -z "$server_pid" ] || echo "ready: /readyz answered $(process_age "$server_pid") s after the server process started" >&2
      return 0
    fi
    sleep 0.1
  done
  echo "server at $url did not become ready" >&2
  [ -n "$server_log" ] && tail -n 30 "$server_log" >&2
  return 1
}

port_free() {
  # Something else answering on the port would be measured instead of the server started here.
  if curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$port/healthz"; then
    echo "127.0.0.1:$port is already in use; set BENCH_PORT (and BENCH_SILO_PORT/BENCH_GATEWAY_PORT) to free ports" >&2
    exit 1
  fi
}

start_floor() {
  stop_server
  port_free
  server_log=$(mktemp /tmp/orleanschat-bench-floor.XXXXXX.log)
  # shellcheck disable=SC2086
  env ${BENCH_SERVER_ENV:-} dotnet "$floor_dll" --urls "http://127.0.0.1:$port" >"$server_log" 2>&1 &
  server_pid=$!
  wait_ready "http://127.0.0.1:$port"
}

start_embedded() {
  stop_server
  port_free
  server_log=$(mktemp /tmp/orleanschat-bench-api.XXXXXX.log)
  # The content root is src/Api, as with `dotnet run --project src/Api`: its appsettings.json sets the log levels
  # (without it every request is logged at Information, which costs the server a good part of its CPU).
  # shellcheck disable=SC2086
  env ${BENCH_SERVER_ENV:-} dotnet "$api_dll" --contentRoot "$root/src/Api" --urls "http://127.0.0.1:$port" \
    --Orleans:ClusterId="bench-$$-$RANDOM" --Orleans:SiloPort="$silo_port" --Orleans:PrimarySiloPort="$silo_port" \
    --Orleans:GatewayPort="$gateway_port" --Chat:RateLimit:PostsPerSecond=0 \
    --Chat:Sse:MaxAnonymousStreamsPerAddress=$anonymous_streams ${BENCH_SERVER_ARGS:-} \
    >"$server_log" 2>&1 &
  server_pid=$!
  wait_ready "http://127.0.0.1:$port"
}

# Short runs that JIT (and tier up) the paths the measured run takes, in rooms of their own; output dropped.
# The figures are meant as steady state: without this the first seconds of a run measure the JIT.
# connections warms up small, so that its RSS baseline does not already hold pools grown for 10k connections.
warm_up() {
  local url=$1 s=$2 auth=
  case "$s" in *-auth) auth="--auth dev-token" ;; esac
  bench --url "$url" --scenario warmup --rooms 2 --subscribers 10 --rate 300 --posters 8 --duration 2 --hold 0 --progress 0 $auth >/dev/null 2>&1
  bench --url "$url" --scenario warmup --rooms 1 --subscribers 10 --backlog 200 --posters 8 --duration 0 --hold 0 --progress 0 $auth >/dev/null 2>&1
  case "${s%-auth}" in
    fanout|fanout2k|edits|fanout-presence|hotroom)
      # shellcheck disable=SC2046,SC2086
      bench --url "$url" --scenario warmup $(scenario_args "$s") --duration 4 --progress 0 >/dev/null 2>&1 ;;
    resume)
      bench --url "$url" --scenario warmup --rooms 1 --subscribers 20 --backlog 1000 --posters 64 --duration 0 --hold 0 --progress 0 >/dev/null 2>&1 ;;
  esac
}

# The PIDs of one kind of cluster node from the harness's pid files (deploy/local/.state/pids/NAME.pid).
cluster_pids() {
  local pids="" f
  for f in "$root"/deploy/local/.state/pids/$1*.pid; do
    [ -f "$f" ] && pids="$pids${pids:+,}$(cat "$f")"
  done
  echo "$pids"
}

mkdir -p "$results_dir"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
scenarios=${scenario//,/ }
label_suffix=${cold:+-cold}

files=()
for s in $scenarios; do for m in ${targets//,/ }; do files+=("$results_dir/$s$label_suffix-$m-$stamp.jsonl"); done; done
for run in $(seq 1 "$runs"); do
  for s in $scenarios; do
    for mode in ${targets//,/ }; do
      if [ "$mode" = floor ]; then
        case "$s" in resume|edits|*-auth|presence) echo "== $s floor: skipped (the floor keeps no history and has no auth)" >&2; continue ;; esac
      fi
      if [ "$s" = presence ] && [ "$mode" != cluster ]; then
        echo "== presence $mode: skipped (the scenario kills an API node of the cluster)" >&2
        continue
      fi
      out="$results_dir/$s$label_suffix-$mode-$stamp.jsonl"
      echo "== $s$label_suffix $mode run $run/$runs (load average $(cut -d' ' -f1-3 /proc/loadavg))" >&2
      roles=()
      metrics=
      case "$mode" in
        floor)
          start_floor
          url="http://127.0.0.1:$port"
          pids=$server_pid
          roles=(--role "floor=$server_pid") ;;
        embedded)
          start_embedded
          url="http://127.0.0.1:$port"
          pids=$server_pid
          roles=(--role "api+silo=$server_pid")
          metrics="http://127.0.0.1:$port/metrics" ;;
        cluster)
          # A fresh cluster per run; the harness passes the environment on to the nodes it starts.
          "$root/deploy/local/cluster.sh" down >&2 || true
          auth_mode=Development
          case "$s" in *-auth|presence) auth_mode=Jwt ;; esac
          Chat__RateLimit__PostsPerSecond=0 Chat__Sse__MaxAnonymousStreamsPerAddress=$anonymous_streams \
            Chat__Auth__Mode=${Chat__Auth__Mode:-$auth_mode} "$root/deploy/local/cluster.sh" up >&2
          cluster_up=1
          server_pid=
          url=$cluster_urls
          for u in ${url//,/ }; do wait_ready "$u"; done
          # RSS and "server" CPU are the API tier's; every role's CPU is reported apart.
          pids=$(cluster_pids api)
          roles=(--role "api=$pids" --role "silo=$(cluster_pids silo)" --role "redis=$(cluster_pids redis)" --role "nginx=$(cluster_pids nginx)")
          metrics="http://127.0.0.1:9401/metrics,http://127.0.0.1:9402/metrics" ;;
      esac
      cold_args=()
      if [ "$s" = presence ]; then
        # Its own command and result (no warm-up: the measured storm comes after 10,000 streams have connected).
        # The victim's tabs reconnect to api2 directly, as every other scenario talks to the API nodes and not to nginx.
        # shellcheck disable=SC2046,SC2086
        bench presence --url "$url" $(scenario_args presence) --kill "$root/deploy/local/cluster.sh kill api1" \
          --role "silo=$(cluster_pids silo)" --role "api2=$(cluster_pids api2)" --role "redis=$(cluster_pids redis)" \
          --json "$out" ${BENCH_ARGS:-} >/dev/null
      else
        if [ -n "$cold" ]; then cold_args=(--cold 8); else warm_up "$url" "$s"; fi
        # shellcheck disable=SC2046,SC2086
        bench --url "$url" --scenario "$s$label_suffix" --mode "$mode" $(scenario_args "$s") ${pids:+--pids "$pids"} \
          "${roles[@]}" ${metrics:+--metrics "$metrics"} "${cold_args[@]}" --json "$out" ${BENCH_ARGS:-} >/dev/null
      fi
      if [ "$mode" = cluster ]; then
        "$root/deploy/local/cluster.sh" down >&2 || true
        cluster_up=
      else
        stop_server
        rm -f "$server_log"
      fi
    done
  done
done

existing=()
# The presence storm's results are JSON of their own (docs/benchmarks.md quotes them as they are).
for f in "${files[@]}"; do [ -f "$f" ] && [[ ${f##*/} != presence-* ]] && existing+=("$f"); done
echo >&2
echo "results: ${existing[*]}" >&2
[ ${#existing[@]} -eq 0 ] || bench summarize "${existing[@]}"
