# nginx and Prometheus for deploy/local/cluster.sh, which sources this file: nginx in front of the two API nodes
# (the proxy settings shared with compose are deploy/nginx/), Prometheus scraping every node.
# Uses cluster.sh's root, state, logs, pids, port, api_port, nginx_port, die, wait_until, port_open and running.

start_nginx() {
  running nginx && return 0
  mkdir -p "$state/nginx"
  cat >"$state/nginx/nginx.conf" <<EOF
# Written by cluster.sh; the proxy settings are $root/deploy/nginx/chat-proxy.conf.
worker_processes 1;
pid $state/nginx/nginx.pid;
error_log $logs/nginx-error.log warn;
# Every event stream holds two connections (the browser's and the upstream one): room for 10,000 streams, and for
# them all reconnecting at once when an API node dies.
worker_rlimit_nofile 65536;
events { worker_connections 32768; }
http {
    include $root/deploy/nginx/chat-log-format.conf;
    access_log $logs/nginx-access.log chat;
    client_body_temp_path $state/nginx/client_body;
    proxy_temp_path $state/nginx/proxy;
    fastcgi_temp_path $state/nginx/fastcgi;
    uwsgi_temp_path $state/nginx/uwsgi;
    scgi_temp_path $state/nginx/scgi;
    upstream chat_api {
        server 127.0.0.1:${api_port[api1]} max_fails=1 fail_timeout=5s;
        server 127.0.0.1:${api_port[api2]} max_fails=1 fail_timeout=5s;
        keepalive 32;
    }
    server {
        listen 127.0.0.1:$nginx_port;
        include $root/deploy/nginx/chat-proxy.conf;
    }
}
EOF
  nginx -e "$logs/nginx-error.log" -p "$state/nginx" -c "$state/nginx/nginx.conf" -g 'daemon off;' \
    >>"$logs/nginx.log" 2>&1 </dev/null &
  echo $! >"$pids/nginx.pid"
  wait_until "nginx on http://127.0.0.1:$nginx_port" 30 port_open "$nginx_port" || die "nginx did not start (log: $logs/nginx-error.log)"
}

# Prometheus scrapes every node every 2 s and evaluates deploy/prometheus/alerts.yml; it keeps a day of data.
start_prometheus() {
  running prometheus && return 0
  mkdir -p "$state/prometheus/data"
  cat >"$state/prometheus/prometheus.yml" <<EOF
# Written by cluster.sh; the alert rules are $root/deploy/prometheus/alerts.yml.
global:
  scrape_interval: 2s
  evaluation_interval: 2s
rule_files:
  - $root/deploy/prometheus/alerts.yml
scrape_configs:
  - job_name: chat-api
    static_configs:
      - targets: ['127.0.0.1:${api_port[api1]}']
        labels: { node: api1 }
      - targets: ['127.0.0.1:${api_port[api2]}']
        labels: { node: api2 }
  - job_name: chat-silo
    static_configs:
      - targets: ['127.0.0.1:${metrics_port[silo1]}']
        labels: { node: silo1 }
      - targets: ['127.0.0.1:${metrics_port[silo2]}']
        labels: { node: silo2 }
EOF
  prometheus --config.file="$state/prometheus/prometheus.yml" --storage.tsdb.path="$state/prometheus/data" \
    --storage.tsdb.retention.time=1d --web.listen-address="127.0.0.1:$prometheus_port" \
    >>"$logs/prometheus.log" 2>&1 </dev/null &
  echo $! >"$pids/prometheus.pid"
  wait_until "prometheus on http://127.0.0.1:$prometheus_port" 30 curl -fs "http://127.0.0.1:$prometheus_port/-/ready" \
    || die "prometheus did not start (log: $logs/prometheus.log)"
}
