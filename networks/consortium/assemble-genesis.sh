#!/usr/bin/env bash
# Coordinator's step of the genesis ceremony (networks/README.md): reads a
# members file like members.example.json and writes every org and validator
# into the genesis of ADFD_HOME, then validates it and prints its hash.
# Needs jq.
set -euo pipefail
MEMBERS=${1:?usage: assemble-genesis.sh members.json}
ADFD=${ADFD:-adfd}
HOME_FLAG=(--home "${ADFD_HOME:-$HOME/.adfd}")

n=$(jq '.members | length' "$MEMBERS")
for i in $(seq 0 $((n - 1))); do
  m=$(jq -c ".members[$i]" "$MEMBERS")
  org=$(jq -r .org_id <<<"$m")
  mapfile -t admins < <(jq -r '.admins[]' <<<"$m")
  "$ADFD" genesis add-org "$org" "$(jq -r .name <<<"$m")" "${admins[@]}" "${HOME_FLAG[@]}"
  "$ADFD" genesis add-validator "$(jq -r .validator.name <<<"$m")" "$org" \
    "$(jq -c .validator.pub_key <<<"$m")" --power "$(jq -r .validator.power <<<"$m")" "${HOME_FLAG[@]}"
done
"$ADFD" genesis validate "${HOME_FLAG[@]}"
sha256sum "${ADFD_HOME:-$HOME/.adfd}/config/genesis.json"
