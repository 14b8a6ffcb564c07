#!/usr/bin/env bash
# Fetches the management console's pinned browser libraries from the npm
# registry into pkg/console/static (embedded into ec2d; no CDN, no build
# step). Rerun after changing a version below; commit the result.
set -euo pipefail

HTMX=2.0.11       # htmx.org: the 2.x line (4.x changed attribute inheritance and events)
XTERM=6.0.0       # @xterm/xterm
XTERM_FIT=0.11.0  # @xterm/addon-fit

root=$(cd "$(dirname "$0")/.." && pwd)
dest=$root/pkg/console/static/vendor
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# unpack PKG@VERSION into $tmp/NAME
unpack() {
	local spec=$1 name=$2
	(cd "$tmp" && npm pack --silent "$spec" >/dev/null)
	mkdir -p "$tmp/$name"
	tar -xzf "$tmp"/*.tgz -C "$tmp/$name" --strip-components=1
	rm -f "$tmp"/*.tgz
}

unpack "htmx.org@$HTMX" htmx
unpack "@xterm/xterm@$XTERM" xterm
unpack "@xterm/addon-fit@$XTERM_FIT" fit

mkdir -p "$dest"
cp "$tmp/htmx/dist/htmx.min.js" "$dest/htmx.min.js"
cp "$tmp/htmx/LICENSE" "$dest/htmx.LICENSE"
cp "$tmp/xterm/lib/xterm.js" "$dest/xterm.js"
cp "$tmp/xterm/css/xterm.css" "$dest/xterm.css"
cp "$tmp/xterm/LICENSE" "$dest/xterm.LICENSE"
cp "$tmp/fit/lib/addon-fit.js" "$dest/addon-fit.js"
cat >"$dest/VERSIONS" <<V
htmx.org $HTMX
@xterm/xterm $XTERM
@xterm/addon-fit $XTERM_FIT
V
echo "vendored into $dest:" && ls -l "$dest"
