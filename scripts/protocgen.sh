#!/usr/bin/env bash
# Regenerates the committed *.pb.go and *.pb.gw.go from proto/ with protoc
# (Debian's protobuf-compiler) and generator plugins pinned as Go tool
# dependencies in go.mod. Third-party .proto files come from the module cache,
# at the versions go.mod already pins, so no network beyond the Go proxy.
set -euo pipefail
cd "$(dirname "$0")/.."

command -v protoc >/dev/null || { echo "protoc not found: apt-get install protobuf-compiler" >&2; exit 1; }

modpath() { go list -m -f '{{.Dir}}' "$1"; }
SDK=$(modpath github.com/cosmos/cosmos-sdk)
GOGO=$(modpath github.com/cosmos/gogoproto)
COSMOS_PROTO=$(modpath github.com/cosmos/cosmos-proto)
GATEWAY=$(modpath github.com/grpc-ecosystem/grpc-gateway)
for d in "$SDK" "$GOGO" "$COSMOS_PROTO" "$GATEWAY"; do
  [ -d "$d" ] || { echo "module source missing: run 'go mod download'" >&2; exit 1; }
done

BIN=$(mktemp -d)
trap 'rm -rf "$BIN"' EXIT
go build -o "$BIN/protoc-gen-gocosmos" github.com/cosmos/gogoproto/protoc-gen-gocosmos
go build -o "$BIN/protoc-gen-grpc-gateway" github.com/grpc-ecosystem/grpc-gateway/protoc-gen-grpc-gateway

OUT=$(mktemp -d)
trap 'rm -rf "$BIN" "$OUT"' EXIT

INCLUDES=(-I proto -I "$SDK/proto" -I "$GOGO" -I "$COSMOS_PROTO/proto" -I "$GATEWAY/third_party/googleapis")
for dir in $(find proto/adf -name '*.proto' -exec dirname {} \; | sort -u); do
  PATH="$BIN:$PATH" protoc "${INCLUDES[@]}" \
    --gocosmos_out=plugins=grpc,Mgoogle/protobuf/any.proto=github.com/cosmos/gogoproto/types/any:"$OUT" \
    --grpc-gateway_out=logtostderr=true,allow_colon_final_segments=true:"$OUT" \
    "$dir"/*.proto
done

MODULE=$(go list -m)
cp -r "$OUT/$MODULE/." ./
echo "generated: $(cd "$OUT/$MODULE" && find . -name '*.go' | sort | tr '\n' ' ')"
