#!/usr/bin/env bash
# Runs every test suite of OrleansChat, installing what the suites need, and ends with one line:
# "N passed, N failed" over all suites. Exit code 0 only when every suite ran and nothing failed.
set -uo pipefail
cd "$(dirname "$0")"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

passed=0
failed=0
status=0

# A .NET suite: adds its summary line's counts to the totals; a suite that printed none counts as one failure.
run_dotnet_suite() {
  local project=$1 log
  log=$(mktemp)
  echo "== $project"
  dotnet test "$project" --no-build -c Release 2>&1 | tee "$log"
  local summary
  summary=$(grep -E '(Passed|Failed)! +- Failed: +[0-9]+, Passed: +[0-9]+' "$log" | tail -n 1)
  if [ -z "$summary" ]; then
    echo "!! $project printed no test summary"
    failed=$((failed + 1)); status=1
  else
    local f p
    f=$(sed -E 's/.*Failed: +([0-9]+),.*/\1/' <<<"$summary")
    p=$(sed -E 's/.*Passed: +([0-9]+),.*/\1/' <<<"$summary")
    passed=$((passed + p)); failed=$((failed + f))
    [ "$f" -eq 0 ] || status=1
  fi
  rm -f "$log"
}

# The browser suite (tests/Browser): node's test runner prints "# pass N" and "# fail N" (TAP); they are added to
# the totals, and a run that printed none counts as one failure.
run_browser_suite() {
  local dir=tests/Browser log
  echo "== $dir"
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    echo "!! $dir needs Node.js 20+ with npm"
    failed=$((failed + 1)); status=1
    return
  fi

  # Debian's Chromium is the browser (test tools cannot download their own here); the emoji font is for the page.
  if ! scripts/ensure-packages.sh chromium fonts-noto-color-emoji || ! (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error); then
    echo "!! $dir could not install what it needs"
    failed=$((failed + 1)); status=1
    return
  fi

  log=$(mktemp)
  (cd "$dir" && node --test --test-reporter=tap --test-concurrency=1) 2>&1 | tee "$log"
  local p f
  p=$(grep -E '^# pass [0-9]+$' "$log" | tail -n 1 | grep -oE '[0-9]+')
  f=$(grep -E '^# fail [0-9]+$' "$log" | tail -n 1 | grep -oE '[0-9]+')
  if [ -z "$p" ] || [ -z "$f" ]; then
    echo "!! $dir printed no test counts"
    failed=$((failed + 1)); status=1
  else
    passed=$((passed + p)); failed=$((failed + f))
    [ "$f" -eq 0 ] || status=1
  fi
  rm -f "$log"
}

build_log=$(mktemp)
if ! dotnet build OrleansChat.sln -c Release >"$build_log" 2>&1; then
  grep -E 'error|Warn' "$build_log" | sort -u | head -n 30
  echo "0 passed, 1 failed"
  exit 1
fi
rm -f "$build_log"

# The main suite starts throwaway redis-servers of its own (the room log's Redis tests).
if scripts/ensure-packages.sh redis-server; then
  run_dotnet_suite tests/OrleansChat.Tests
else
  echo "!! could not install redis-server for tests/OrleansChat.Tests"
  failed=$((failed + 1)); status=1
fi
run_browser_suite

# The multi-node suite runs real processes through deploy/local/cluster.sh (Redis, nginx, Prometheus), and
# docker-compose.yml in Docker: its fixture runs deploy/docker/local-base-images.sh, which installs docker.io and
# debootstrap, starts dockerd (stopped again at the end) and builds stand-in base images where no image registry is
# reachable. The solution was just built in Release, which is what cluster.sh runs.
if scripts/ensure-packages.sh redis-server redis-sentinel nginx-light curl prometheus docker-compose; then
  CHAT_CLUSTER_NO_BUILD=1 run_dotnet_suite tests/OrleansChat.Cluster.Tests
else
  echo "!! could not install the cluster suite's packages"
  failed=$((failed + 1)); status=1
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] || status=1
exit $status
