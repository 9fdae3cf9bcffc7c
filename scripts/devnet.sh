#!/usr/bin/env bash
# Runs a single-validator ADF chain in the foreground from build/devnet,
# creating it on first run and resuming it afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
ADFD=${ADFD:-build/adfd}
HOME_DIR=${DEVNET_HOME:-build/devnet}
NODE="$HOME_DIR/node0"

if [ ! -f "$NODE/config/genesis.json" ]; then
  echo "devnet: creating a new chain in $HOME_DIR"
  "$ADFD" network init networks/devnet/network.json --output "$HOME_DIR" --force >/dev/null
  fresh=1
else
  echo "devnet: resuming the chain in $HOME_DIR (make devnet-reset wipes it)"
  fresh=0
fi

ADMIN=$("$ADFD" keys show demo-admin -a --home "$NODE" --keyring-backend test)
cat <<MSG

  ADF devnet  chain-id adf-devnet-1, one ML-DSA-65 validator, ~1 s blocks
  RPC   http://127.0.0.1:26657     gRPC 127.0.0.1:9090     REST http://127.0.0.1:1317
  demo org admin key: demo-admin ($ADMIN), test keyring in $NODE

  Try, in another terminal:
    build/adfd status --node tcp://127.0.0.1:26657
    build/adfd q consortium organizations --home $NODE
    build/adfd q consortium validators --home $NODE
    curl -s http://127.0.0.1:1317/adf/consortium/v1/params
    build/adf status
    build/adf principal register --id demo/ci-1 --kind ci-runner --role ci \
        --from demo-admin --home $NODE --keyring-backend test
    build/adf key new --name ci --algo composite --ttl 1h --principal demo/ci-1 \
        --from demo-admin --home $NODE --keyring-backend test
    build/adf key show ci

  Ctrl-C stops the node; make devnet resumes it.

MSG
exec "$ADFD" start --home "$NODE"
