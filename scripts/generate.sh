#!/usr/bin/env bash
# Regenerates the Go code of proto/ with the generator versions pinned in go.mod
# (tool directives) and Debian's protoc, so the output is reproducible byte for byte.
# With an argument, writes the generated files under that directory instead
# (same layout as proto/; verify-generate compares it with the tree).
set -euo pipefail
out=proto
if [ $# -gt 0 ]; then mkdir -p "$1" && out="$(cd "$1" && pwd)"; fi
cd "$(dirname "$0")/.."
command -v protoc >/dev/null || { echo "protoc missing: run scripts/install-host-deps.sh" >&2; exit 1; }
bin="$(mktemp -d)"
trap 'rm -rf "$bin"' EXIT
go build -o "$bin/protoc-gen-go" google.golang.org/protobuf/cmd/protoc-gen-go
go build -o "$bin/protoc-gen-go-grpc" google.golang.org/grpc/cmd/protoc-gen-go-grpc
for f in $(find proto -name '*.proto' | sort); do
  PATH="$bin:$PATH" protoc -I proto -I /usr/include \
    --go_out="$out" --go_opt=paths=source_relative \
    --go-grpc_out="$out" --go-grpc_opt=paths=source_relative \
    "$f"
done
