# Redis for deploy/local/cluster.sh, which sources this file: one redis-server ("redis"), or after 'up --ha' a
# primary and a replica (redis1, redis2) watched by three sentinels (sentinel1..3) that promote the replica when the
# primary dies. The nodes then find the primary through the sentinels (ConnectionStrings__Redis with serviceName=).
# Uses cluster.sh's state, logs, pids, port, service_id, log, die, wait_until, running and stop_process.

redis_servers_ha=(redis1 redis2)
sentinels=(sentinel1 sentinel2 sentinel3)

# The port of redis1 is the port of the single server: both are "the" Redis before any failover.
port[redis1]=${port[redis]}

ha_mode() { [ -f "$state/ha" ]; }

# The Redis processes of the current mode, servers first.
redis_processes() {
  if ha_mode; then echo "${redis_servers_ha[@]}" "${sentinels[@]}"; else echo redis; fi
}

# What the silos and API nodes get as ConnectionStrings__Redis.
redis_connection() {
  if ha_mode; then
    local s endpoints=""
    for s in "${sentinels[@]}"; do endpoints+="127.0.0.1:${port[$s]},"; done
    echo "${endpoints}serviceName=$service_id"
  else
    echo "127.0.0.1:${port[redis]}"
  fi
}

# The primary's port: as the sentinels see it now; before they run, as their config files last recorded it (a
# sentinel rewrites its monitor line when it follows a failover); else redis1's.
primary_port() {
  local s reply
  if ha_mode; then
    for s in "${sentinels[@]}"; do
      reply=$(redis-cli -h 127.0.0.1 -p "${port[$s]}" sentinel get-master-addr-by-name "$service_id" 2>/dev/null | sed -n 2p)
      [ -n "$reply" ] && { echo "$reply"; return; }
    done
    for s in "${sentinels[@]}"; do
      reply=$(sed -n -E "s/^sentinel monitor $service_id 127\.0\.0\.1 ([0-9]+) .*/\1/p" "$state/$s/sentinel.conf" 2>/dev/null)
      [ -n "$reply" ] && { echo "$reply"; return; }
    done
  fi
  echo "${port[redis]}"
}

primary_name() {
  local primary s
  primary=$(primary_port)
  ha_mode || { echo redis; return; }
  for s in "${redis_servers_ha[@]}"; do
    if [ "${port[$s]}" = "$primary" ]; then echo "$s"; fi
  done
}

redis_cli() { redis-cli -h 127.0.0.1 -p "$(primary_port)" "$@"; }

# Append-only file, fsync once a second (CHAT_REDIS_APPENDFSYNC=always fsyncs every write): a crash of Redis itself
# loses nothing it acknowledged (the write reaches the kernel before the reply); only a power loss could take the
# last second. In HA a server that is not the primary starts as its replica.
start_redis_server() {
  local name=$1 replica_of=() primary
  running "$name" && return 0
  mkdir -p "$state/$name"
  if ha_mode; then
    primary=$(primary_port)
    [ "$primary" = "${port[$name]}" ] || replica_of=(--replicaof 127.0.0.1 "$primary")
  fi
  redis-server --bind 127.0.0.1 --port "${port[$name]}" --dir "$state/$name" \
    --appendonly yes --appendfsync "${CHAT_REDIS_APPENDFSYNC:-everysec}" --save "" --daemonize no "${replica_of[@]}" \
    >>"$logs/$name.log" 2>&1 </dev/null &
  echo $! >"$pids/$name.pid"
  wait_until "$name ready on 127.0.0.1:${port[$name]}${replica_of:+ (replica of :$primary)}" 30 \
    redis-cli -h 127.0.0.1 -p "${port[$name]}" ping || die "$name did not start (log: $logs/$name.log)"
}

# A sentinel declares the primary down after 1 s without an answer; two of three must agree before one of them
# promotes the replica. Its config file is its memory (it rewrites it), so it is written only once.
start_sentinel() {
  local name=$1 dir=$state/$1
  running "$name" && return 0
  mkdir -p "$dir"
  if [ ! -s "$dir/sentinel.conf" ]; then
    cat >"$dir/sentinel.conf" <<EOF
port ${port[$name]}
bind 127.0.0.1
dir $dir
sentinel monitor $service_id 127.0.0.1 $(primary_port) 2
sentinel down-after-milliseconds $service_id 1000
sentinel failover-timeout $service_id 5000
sentinel parallel-syncs $service_id 1
EOF
  fi
  redis-sentinel "$dir/sentinel.conf" >>"$logs/$name.log" 2>&1 </dev/null &
  echo $! >"$pids/$name.pid"
  wait_until "$name on 127.0.0.1:${port[$name]}" 30 redis-cli -h 127.0.0.1 -p "${port[$name]}" ping \
    || die "$name did not start (log: $logs/$name.log)"
}

start_redis_process() {
  case $1 in
    sentinel*) start_sentinel "$1" ;;
    *) start_redis_server "$1" ;;
  esac
}

# Every Redis process of the mode that is not running; the primary first, so that the other follows it.
start_redis() {
  local name primary
  primary=$(primary_name)
  start_redis_process "$primary"
  for name in $(redis_processes); do start_redis_process "$name"; done
}

# The sentinels first: stopping the primary while they watch would start a failover.
stop_redis() {
  local name
  for name in $(redis_processes | tr ' ' '\n' | tac); do stop_process "$name" TERM; done
}

# kill and stop take "redis" in HA too: it means the current primary.
redis_target() {
  if [ "$1" = redis ] && ha_mode; then primary_name; else echo "$1"; fi
}

is_redis_process() { [[ " $(redis_processes) redis " == *" $1 "* ]]; }

print_redis_status() {
  local name pid role primary
  primary=$(primary_name)
  for name in $(redis_processes); do
    pid=$(pid_of "$name")
    role=""
    case $name in
      sentinel*) ;;
      *) ha_mode && { [ "$name" = "$primary" ] && role=" (primary)" || role=" (replica)"; } ;;
    esac
    if running "$name"; then
      printf '%-10s running  pid %-8s 127.0.0.1:%s%s\n' "$name" "$pid" "${port[$name]}" "$role"
    else
      printf '%-10s stopped           127.0.0.1:%s%s\n' "$name" "${port[$name]}" "$role"
    fi
  done
  ha_mode && echo "redis primary: $primary (127.0.0.1:$(primary_port), as the sentinels see it)"
  return 0
}
