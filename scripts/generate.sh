#!/usr/bin/env bash
# Regenerates the Go code of proto/ with the generator versions pinned in go.mod
# (tool directives) and Debian's protoc, so the output is reproducible byte for byte.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v protoc >/dev/null || { echo "protoc missing: run scripts/install-host-deps.sh" >&2; exit 1; }
bin="$(mktemp -d)"
trap 'rm -rf "$bin"' EXIT
go build -o "$bin/protoc-gen-go" google.golang.org/protobuf/cmd/protoc-gen-go
go build -o "$bin/protoc-gen-go-grpc" google.golang.org/grpc/cmd/protoc-gen-go-grpc
for f in $(find proto -name '*.proto' | sort); do
  PATH="$bin:$PATH" protoc -I proto -I /usr/include \
    --go_out=proto --go_opt=paths=source_relative \
    --go-grpc_out=proto --go-grpc_opt=paths=source_relative \
    "$f"
done
