#!/usr/bin/env bash
# Runs a single-validator ADF chain, a batcher and a telemetry sentinel next
# to it, from build/devnet, creating them on first run and resuming them
# afterwards. Ctrl-C stops all three.
set -euo pipefail
cd "$(dirname "$0")/.."
ADFD=${ADFD:-build/adfd}
ADF=${ADF:-build/adf}
HOME_DIR=${DEVNET_HOME:-build/devnet}
NODE="$HOME_DIR/node0"
KEYS="$HOME_DIR/adf-keys"
LOG_ID=demo/builds
BATCHER_LISTEN=127.0.0.1:8080
SENTINEL_LISTEN=127.0.0.1:8090
TELEMETRY=networks/devnet/telemetry   # demo device model (trained on synthetic data) and telemetry
DEVICE=demo/pump-1
ADMIN=(--from demo-admin --home "$NODE" --keyring-backend test)

if curl -s --max-time 1 http://127.0.0.1:26657/status >/dev/null; then
  echo "devnet: something already answers on 127.0.0.1:26657 (another devnet or localnet node?); stop it first" >&2
  exit 1
fi
if [ ! -f "$NODE/config/genesis.json" ]; then
  echo "devnet: creating a new chain in $HOME_DIR"
  "$ADFD" network init networks/devnet/network.json --output "$HOME_DIR" --force >/dev/null
  fresh=1
else
  echo "devnet: resuming the chain in $HOME_DIR (make devnet-reset wipes it)"
  fresh=0
fi
mkdir -p "$KEYS" && chmod 700 "$KEYS"

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
trap 'exit 130' INT TERM

"$ADFD" start --home "$NODE" &
pids+=($!)

height() { curl -s --max-time 2 http://127.0.0.1:26657/status | sed -n 's/.*"latest_block_height":"\([0-9]*\)".*/\1/p'; }
wait_height() { # wait_height N: until the chain reaches height N (60 s at most)
  for _ in $(seq 1 120); do
    kill -0 "${pids[0]}" 2>/dev/null || { echo "devnet: adfd exited; see the output above" >&2; return 1; }
    h=$(height || true)
    if [ -n "$h" ] && [ "$h" -ge "$1" ]; then return 0; fi
    sleep 0.5
  done
  echo "devnet: the node did not reach height $1" >&2
  return 1
}
wait_height 2

if [ "$fresh" = 1 ]; then
  # A batcher principal, and policies letting it anchor its log and CI
  # principals submit to it, voted by the one demo org.
  "$ADF" principal register --id demo/batcher --kind batcher --role batcher "${ADMIN[@]}" >/dev/null
  "$ADF" principal register --id demo/ci-1 --kind ci-runner --role ci "${ADMIN[@]}" >/dev/null
  "$ADF" principal register --id demo/cti --kind cti-publisher --role cti-publisher "${ADMIN[@]}" >/dev/null
  # Telemetry: an operator who registers devices and handles their
  # incidents, and the sentinel's detector principal.
  "$ADF" principal register --id demo/ops --kind operator --role operator "${ADMIN[@]}" >/dev/null
  "$ADF" principal register --id demo/sentinel --kind detector --role detector "${ADMIN[@]}" >/dev/null
  auth=$("$ADFD" q identity params --home "$NODE" -o json | sed -n 's/.*"authority": *"\([^"]*\)".*/\1/p')
  cat >"$HOME_DIR/policies.json" <<JSON
{"title": "devnet policies", "summary": "batcher and CI may anchor the demo log; CI may anchor directly; the CTI publisher may publish and revoke indicators; the operator registers demo devices and handles their incidents; the sentinel reports anomalies",
 "messages": [
  {"@type": "/adf.identity.v1.MsgSetPolicy", "authority": "$auth",
   "policy": {"id": "batcher-anchor", "role": "batcher", "action": "anchor", "scope_pattern": "demo/*"}},
  {"@type": "/adf.identity.v1.MsgSetPolicy", "authority": "$auth",
   "policy": {"id": "ci-anchor", "role": "ci", "action": "anchor", "scope_pattern": "demo/*"}},
  {"@type": "/adf.identity.v1.MsgSetPolicy", "authority": "$auth",
   "policy": {"id": "ci-anchor-direct", "role": "ci", "action": "anchor-direct", "scope_pattern": "*"}},
  {"@type": "/adf.identity.v1.MsgSetPolicy", "authority": "$auth",
   "policy": {"id": "cti-publish", "role": "cti-publisher", "action": "publish-indicator", "scope_pattern": "*"}},
  {"@type": "/adf.identity.v1.MsgSetPolicy", "authority": "$auth",
   "policy": {"id": "cti-revoke", "role": "cti-publisher", "action": "revoke-indicator", "scope_pattern": "*"}},
  {"@type": "/adf.identity.v1.MsgSetPolicy", "authority": "$auth",
   "policy": {"id": "ops-register-device", "role": "operator", "action": "register-device", "scope_pattern": "demo/*"}},
  {"@type": "/adf.identity.v1.MsgSetPolicy", "authority": "$auth",
   "policy": {"id": "ops-handle-incident", "role": "operator", "action": "handle-incident", "scope_pattern": "demo/*"}},
  {"@type": "/adf.identity.v1.MsgSetPolicy", "authority": "$auth",
   "policy": {"id": "sentinel-report", "role": "detector", "action": "report-anomaly", "scope_pattern": "*"}}]}
JSON
  "$ADFD" tx consortium submit-proposal "$HOME_DIR/policies.json" "${ADMIN[@]}" --yes >/dev/null
  wait_height $(( $(height) + 2 ))
  "$ADFD" tx consortium vote 1 yes "${ADMIN[@]}" --yes >/dev/null
  wait_height $(( $(height) + 2 ))
fi

# Keys live at most a day (max_key_ttl): the batcher gets a fresh one each run.
bkey="batcher-$(date +%s)"
"$ADF" key new --name "$bkey" --algo composite --ttl 24h --principal demo/batcher --keys-dir "$KEYS" "${ADMIN[@]}" >/dev/null
"$ADF" batcher serve --data-dir "$HOME_DIR/batcher" --log-id "$LOG_ID" --key "$bkey" --keys-dir "$KEYS" \
  --listen "$BATCHER_LISTEN" >>"$HOME_DIR/batcher.log" 2>&1 &
pids+=($!)

# The demo devices (registered once, by the operator) and the sentinel that
# scores their telemetry, with a fresh detector key each run. demo/pump-1
# runs on bundled synthetic data; demo/smap-g-1 is added when NASA SMAP is
# at hand (../shared/data or $ADF_SHARED_DATA; it is not bundled): its model
# is trained here from SMAP channel G-1's anomaly-free training data.
sha256_of() { (sha256sum 2>/dev/null || shasum -a 256) <"$1" | cut -d' ' -f1; }
abspath() { case $1 in /*) echo "$1" ;; *) echo "$PWD/$1" ;; esac; }
register_device() { # register_device ID CLASS CHANNELS ARTIFACT-FILE
  "$ADFD" q telemetry device "$1" --home "$NODE" >/dev/null 2>&1 && return 0
  if ! curl -sf --max-time 2 "http://127.0.0.1:1317/adf/identity/v1/principals/demo/sentinel" >/dev/null; then
    [ -n "${warned:-}" ] || echo "devnet: this chain predates the telemetry demo (no demo/sentinel principal); make devnet-reset starts afresh" >&2
    warned=1
    return 0
  fi
  [ -n "${okey:-}" ] || {
    okey="ops-$(date +%s)"
    "$ADF" key new --name "$okey" --algo ed25519 --ttl 1h --principal demo/ops --keys-dir "$KEYS" "${ADMIN[@]}" >/dev/null
  }
  "$ADF" telemetry device register --id "$1" --class "$2" --firmware 1.0.0 --channels "$3" \
    --artifact "sha256:$(sha256_of "$4")" --key "$okey" --keys-dir "$KEYS" >/dev/null
}
register_device "$DEVICE" pump vibration,pressure,temperature "$TELEMETRY/pump-1.model.json"
MODELS="$TELEMETRY/devices.json"
SMAP_DEVICE=""
if "$ADF" sentinel train --dataset smap --channel G-1 --method ewma -o "$HOME_DIR/smap-G-1.model.json" >/dev/null 2>&1; then
  SMAP_DEVICE=demo/smap-g-1
  register_device "$SMAP_DEVICE" spacecraft telemetry "$HOME_DIR/smap-G-1.model.json"
  MODELS="$HOME_DIR/devices.json"
  cat >"$MODELS" <<JSON
{"devices": [
  {"id": "$DEVICE", "model": "$(abspath "$TELEMETRY/pump-1.model.json")", "channels": ["vibration", "pressure", "temperature"]},
  {"id": "$SMAP_DEVICE", "model": "$(abspath "$HOME_DIR/smap-G-1.model.json")", "channels": ["telemetry"]}
]}
JSON
fi
skey="sentinel-$(date +%s)"
"$ADF" key new --name "$skey" --algo ed25519 --ttl 24h --principal demo/sentinel --keys-dir "$KEYS" "${ADMIN[@]}" >/dev/null
"$ADF" sentinel serve --data-dir "$HOME_DIR/sentinel" --models "$MODELS" --key "$skey" --keys-dir "$KEYS" \
  --listen "$SENTINEL_LISTEN" >>"$HOME_DIR/sentinel.log" 2>&1 &
pids+=($!)

cat <<MSG

  ADF devnet  chain-id adf-devnet-1, one ML-DSA-65 validator, ~1 s blocks
  RPC   http://127.0.0.1:26657     gRPC 127.0.0.1:9090     REST http://127.0.0.1:1317
  batcher http://$BATCHER_LISTEN  log $LOG_ID  (log: $HOME_DIR/batcher.log)
  sentinel http://$SENTINEL_LISTEN  device $DEVICE  (log: $HOME_DIR/sentinel.log)
  demo org admin key: demo-admin, test keyring in $NODE; adf keys in $KEYS

  Try, in another terminal:
    build/adf status
    build/adfd q consortium validators --home $NODE
    curl -s http://127.0.0.1:1317/adf/identity/v1/policies
    build/adf key new --name ci --algo composite --ttl 1h --principal demo/ci-1 \\
        --keys-dir $KEYS --from demo-admin --home $NODE --keyring-backend test
    echo hello > /tmp/artifact.txt
    build/adf attest --subject /tmp/artifact.txt --builder-id https://example.org/devnet \\
        --key ci --keys-dir $KEYS --batcher http://$BATCHER_LISTEN
    build/adf verify --subject sha256:\$(sha256sum /tmp/artifact.txt | cut -d' ' -f1) --batcher http://$BATCHER_LISTEN

  Threat intelligence and the dependency gate:
    build/adf key new --name cti --algo ed25519 --ttl 1h --principal demo/cti \\
        --keys-dir $KEYS --from demo-admin --home $NODE --keyring-backend test
    build/adf cti import --format osv networks/devnet/cti --key cti --keys-dir $KEYS
    printf 'requests==2.31.0\\nevil-pkg==0.0.2\\n' > /tmp/requirements.txt
    build/adf gate /tmp/requirements.txt; echo "exit \$?"      # 1: blocked
    build/adf gate --format sarif /tmp/requirements.txt > /tmp/gate.sarif

  Telemetry anomaly detection: the sentinel scores $DEVICE with a PCA model
  ($TELEMETRY). Replay demo telemetry with two faults, see the reports filed:
    build/adf sentinel demo --sentinel http://$SENTINEL_LISTEN --device $DEVICE --file $TELEMETRY/pump-1.csv
    build/adfd q telemetry device-state $DEVICE --home $NODE     # level: alert or confirmed
    build/adfd q telemetry incidents --home $NODE
    curl -s http://$SENTINEL_LISTEN/metrics | grep ^adf_sentinel
MSG
if [ -n "$SMAP_DEVICE" ]; then cat <<MSG

  NASA SMAP is at hand, so the sentinel also scores $SMAP_DEVICE (channel G-1, EWMA model trained
  on its anomaly-free training data). Replay its labelled test series (one anomaly, rows 4770-4889):
    build/adf sentinel demo --sentinel http://$SENTINEL_LISTEN --device $SMAP_DEVICE --dataset smap --series G-1 --step 10ms
    build/adfd q telemetry incidents --device-id $SMAP_DEVICE --home $NODE
MSG
fi
cat <<MSG

  Ctrl-C stops the node, the batcher and the sentinel; make devnet resumes them.

MSG
wait "${pids[0]}"
