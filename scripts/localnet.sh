#!/usr/bin/env bash
# Starts, stops and reports on the 4-validator localnet: four adfd processes on
# 127.0.0.1, node i listening on p2p 26656+100i, rpc 26657+100i, grpc 9090+100i,
# rest 1317+100i, homes in build/localnet/node<i>.
set -euo pipefail
cd "$(dirname "$0")/.."
ADFD=${ADFD:-build/adfd}
DIR=${LOCALNET_HOME:-build/localnet}
DEF=${LOCALNET_DEF:-networks/local/network.json}
N=$(grep -c '"validator"' "$DEF")

rpc_port() { echo $((26657 + 100 * $1)); }

height() {
  curl -s --max-time 2 "http://127.0.0.1:$(rpc_port "$1")/status" |
    sed -n 's/.*"latest_block_height":"\([0-9]*\)".*/\1/p'
}

start() {
  if [ ! -f "$DIR/node0/config/genesis.json" ]; then
    "$ADFD" network init "$DEF" --output "$DIR" --force >/dev/null
    echo "localnet: created $N nodes in $DIR"
  fi
  for i in $(seq 0 $((N - 1))); do
    pidf="$DIR/node$i/adfd.pid"
    if [ -f "$pidf" ] && kill -0 "$(cat "$pidf")" 2>/dev/null; then
      echo "node$i already running (pid $(cat "$pidf"))"
      continue
    fi
    "$ADFD" start --home "$DIR/node$i" >>"$DIR/node$i/adfd.log" 2>&1 &
    echo $! >"$pidf"
    echo "node$i started (pid $!), log $DIR/node$i/adfd.log"
  done
  for _ in $(seq 1 60); do
    h=$(height 0 || true)
    if [ -n "$h" ] && [ "$h" -ge 2 ]; then
      echo "localnet: committing, height $h"
      return 0
    fi
    sleep 1
  done
  echo "localnet: no blocks after 60 s; see $DIR/node*/adfd.log" >&2
  return 1
}

stop() {
  for pidf in "$DIR"/node*/adfd.pid; do
    [ -f "$pidf" ] || continue
    pid=$(cat "$pidf")
    if kill -0 "$pid" 2>/dev/null; then
      kill "$pid"
      for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
      kill -9 "$pid" 2>/dev/null || true
      echo "stopped $(dirname "$pidf" | xargs basename) (pid $pid)"
    fi
    rm -f "$pidf"
  done
}

status() {
  for i in $(seq 0 $((N - 1))); do
    pidf="$DIR/node$i/adfd.pid"
    state="stopped"
    if [ -f "$pidf" ] && kill -0 "$(cat "$pidf")" 2>/dev/null; then state="running pid $(cat "$pidf")"; fi
    echo "node$i  rpc 127.0.0.1:$(rpc_port "$i")  $state  height $(height "$i" || echo -)"
  done
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
