# The silos and API nodes for deploy/local/cluster.sh, which sources this file: their settings and environment, how
# each is started, when it serves, and how a process is stopped. Uses cluster.sh's root, state, logs, pids, port,
# api_port, node settings, log, die, wait_until, running, alive, pid_of and ready.

# The settings every node shares: deploy/cluster.env (Redis clustering, fast failure detection, no thread-pool
# spinning), this run's Redis and cluster id, and one-line timestamped logs.
node_env() {
  local cid
  cid=$(cluster_id)
  env_vars=(
    "${cluster_env[@]}"
    "ConnectionStrings__Redis=$(redis_connection)"
    "Orleans__ClusterId=$cid"
    "Logging__Console__FormatterName=simple"
    "Logging__Console__FormatterOptions__TimestampFormat=HH:mm:ss.fff "
    "Logging__Console__FormatterOptions__SingleLine=true"
  )
  # In HA an append counts once the replica has it too (docs/operations.md, durability).
  if ha_mode; then env_vars+=("Chat__Durability__Replicas=${Chat__Durability__Replicas:-1}"); fi
}

start_node() {
  local name=$1 project dll
  running "$name" && { log "$name already runs (pid $(pid_of "$name"))"; return 0; }
  node_env
  case $name in
    silo*)
      project=Silo dll=OrleansChat.Silo.dll
      env_vars+=(
        "Orleans__SiloPort=${silo_port[$name]}"
        "Orleans__GatewayPort=${gateway_port[$name]}"
        "Orleans__AdvertisedHost=127.0.0.1"
        "Chat__Metrics__Port=${metrics_port[$name]}"
        "Chat__Metrics__Host=127.0.0.1"
      ) ;;
    api*)
      project=Api dll=OrleansChat.Api.dll
      env_vars+=(
        "Chat__Mode=Client"
        "ASPNETCORE_URLS=http://127.0.0.1:${api_port[$name]}"
        "Chat__Feed__CheckIntervalSeconds=${Chat__Feed__CheckIntervalSeconds:-1}"
        "Chat__Auth__Mode=${Chat__Auth__Mode:-Jwt}"
        "Chat__Auth__SigningKey=${Chat__Auth__SigningKey:-$(signing_key)}"
        "Chat__Auth__DevTokens=${Chat__Auth__DevTokens:-true}"
      ) ;;
    *) die "unknown node '$name' (one of: ${nodes[*]})" ;;
  esac
  [ -f "$root/src/$project/bin/Release/net10.0/$dll" ] || die "src/$project is not built: run '$0 up' (it builds)"
  echo "=== $(date '+%F %T') start $name" >>"$logs/$name.log"
  # The project folder is the content root: appsettings.json and the API's wwwroot are read from there.
  (cd "$root/src/$project" && exec env "${env_vars[@]}" setsid dotnet "bin/Release/net10.0/$dll") \
    >>"$logs/$name.log" 2>&1 </dev/null &
  echo $! >"$pids/$name.pid"
  log "$name started (pid $!, log $logs/$name.log)"
}

# A silo serves once the membership table lists its newest incarnation (highest generation) as Active (3).
silo_active() {
  local newest
  newest=$(redis_cli hgetall "$service_id/members/$(cluster_id)" 2>/dev/null \
    | grep -o "\"127.0.0.1:${silo_port[$1]}@[0-9]*\"},\"Status\":[0-9]*" \
    | sed -E 's/.*@([0-9]+)"\},"Status":([0-9]+)/\1 \2/' | sort -n | tail -n 1)
  [ "${newest#* }" = 3 ]
}

serving() {
  case $1 in
    silo*) port_open "${gateway_port[$1]}" && silo_active "$1" ;;
    api*) ready "${api_port[$1]}" ;;
  esac
}

wait_serving() {
  local name=$1 deadline=$((SECONDS + up_timeout))
  until serving "$name"; do
    if ! running "$name" || [ $SECONDS -ge $deadline ]; then
      tail -n 20 "$logs/$name.log" >&2
      running "$name" && die "$name did not come up within ${up_timeout}s (log: $logs/$name.log)"
      die "$name exited (log: $logs/$name.log)"
    fi
    sleep 0.2
  done
  case $name in
    silo*) log "$name active, gateway on :${gateway_port[$name]}" ;;
    api*) log "$name ready on http://127.0.0.1:${api_port[$name]}" ;;
  esac
}

stop_process() {
  local name=$1 signal=$2 pid
  pid=$(pid_of "$name")
  if [ -n "$pid" ] && alive "$pid"; then
    kill "-$signal" "$pid" 2>/dev/null || true
    local deadline=$((SECONDS + 20))
    while alive "$pid"; do
      if [ $SECONDS -ge $deadline ]; then
        log "$name ignored SIG$signal for 20 s; killing it"
        kill -KILL "$pid" 2>/dev/null || true
      fi
      sleep 0.1
    done
    echo "=== $(date '+%F %T') $name stopped by SIG$signal" >>"$logs/$name.log"
    log "$name stopped (SIG$signal)"
  fi
  rm -f "$pids/$name.pid"
}
