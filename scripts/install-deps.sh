#!/usr/bin/env bash
# Installs what building and testing Crucible needs on Debian 12, from Debian's packages only.
# Idempotent: packages already there are not touched, and apt-get runs only when something is missing.
set -euo pipefail

if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps: run as root (it installs Debian packages)" >&2
    exit 1
fi

# libseccomp-dev, pkg-config: the seccomp compiler. bubblewrap: the benchmark's peer.
# python3 (Debian's, under /usr): hostile test programs run it inside sandboxes.
# util-linux, procps, iproute2: setpriv/unshare/fallocate, ps, ip in tests and the demo.
# libsqlite3-dev: the embedded store. (PostgreSQL, for the tests of the cluster store: scripts/start-postgres.sh.)
# debootstrap: `crucible images build` (images/README.md) and its tests.
packages=(libseccomp-dev libsqlite3-dev pkg-config bubblewrap python3 util-linux procps iproute2 coreutils jq bc
    debootstrap)

missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ "${#missing[@]}" -gt 0 ]; then
    echo "install-deps: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v swift >/dev/null 2>&1; then
    echo "install-deps: Swift 6 is not on PATH; install a Swift 6 toolchain (swift.org) first" >&2
    exit 1
fi
echo "install-deps: ready ($(swift --version 2>/dev/null | head -1))"
