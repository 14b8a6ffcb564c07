#!/usr/bin/env bash
# Installs the Debian packages of the reference clients the e2e tests drive
# unmodified (only the missing ones): Ansible with its amazon.aws collection
# and the boto3 it uses, and Debian's chromium, the headless browser the
# management console's e2e test drives with chromedp. Terraform, its hashicorp/aws provider mirror and
# the AWS CLI come with the machine (see README: Testing).
set -euo pipefail

PKGS=(ansible python3-boto3 chromium)

log() { echo "install-test-clients: $*" >&2; }

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  log "packages present"
  exit 0
fi
[ "$(id -u)" = 0 ] || { log "need root to install ${missing[*]}"; exit 1; }
log "installing ${missing[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
log "installed"
