#!/usr/bin/env bash
# Installs every toolchain Crucible's sandbox runs (see toolchains/README.md) on a
# Debian 12 (bookworm) node. Run as root. Idempotent: when everything is already in
# place it only checks, which takes a few seconds.
#
# Sources: Debian packages (apt-get) and PyPI (pip, into a venv under /usr/local).
# Nothing else is contacted: no npm, crates.io, Go proxy, NuGet or rubygems.org.
# Everything lands under /usr (the sandbox binds the host's /usr read-only), nothing
# under /root, /home or /opt.
#
#   scripts/install-toolchains.sh            install what is missing, then self-check
#   scripts/install-toolchains.sh --check    only check; exit 1 if something is missing
#
# Layout it creates (all world-readable, owned by root):
#   /usr/local/lib/crucible/venv             Python venv (Debian's /usr/bin/python3) with ruff
#   /usr/local/bin/ruff                      symlink into the venv
#   /usr/local/lib/crucible/go/vendor        testify + deps as a Go vendor tree (modules.txt)
#   /usr/local/lib/crucible/go/cache         prebuilt GOCACHE seed (testify, vet facts), read-only
#   /usr/local/lib/crucible/go/xdg           prebuilt staticcheck cache seed (XDG_CACHE_HOME)
#   /usr/local/lib/crucible/VERSIONS         what is installed, one tool a line
set -euo pipefail

RUFF_VERSION="0.17.6"
CRUCIBLE_LIB=/usr/local/lib/crucible
VENV=$CRUCIBLE_LIB/venv
GODIR=$CRUCIBLE_LIB/go
# Bump when the Go vendor tree or cache recipe changes: forces a rebuild.
GO_STAMP="crucible-go-v2 testify-1.8.1 go1.19"

CHECK_ONLY=0
case "${1:-}" in
  --check) CHECK_ONLY=1 ;;
  "") ;;
  -h|--help) sed -n '2,25p' "$0"; exit 0 ;;
  *) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac

log() { printf '[install-toolchains] %s\n' "$*"; }
die() { printf '[install-toolchains] ERROR: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "must run as root"
. /etc/os-release 2>/dev/null || true
[ "${ID:-}" = debian ] && [ "${VERSION_ID:-}" = 12 ] || log "warning: written for Debian 12, this is ${PRETTY_NAME:-unknown}"

# A clean environment for every tool we run: never pick up rustup, pyenv, a user's
# GOPATH or npm prefix from the caller (this is also what the sandbox gives a step).
CLEAN_ENV=(env -i PATH=/usr/local/bin:/usr/bin:/bin HOME=/tmp LANG=C.UTF-8)

# ---------------------------------------------------------------------------
# 1. Debian packages
# ---------------------------------------------------------------------------
PACKAGES=(
  # python: interpreter, venv for ruff, pytest
  python3 python3-venv python3-pytest
  # javascript / typescript: node comes from the node itself (Node >= 20.11 needed, see
  # below); tsc 4.8 and eslint 6.4 are Debian's
  node-typescript eslint
  # go 1.19, a C toolchain (Debian's std is prebuilt with cgo; keeps it fresh), testify, staticcheck
  golang-go gcc libc6-dev golang-github-stretchr-testify-dev go-staticcheck
  # rust 1.63: rustc, cargo, clippy
  rustc cargo rust-clippy
  # java 17: compiler and runtime, JUnit 5 (console launcher), checkstyle 8.36
  openjdk-17-jdk-headless junit5 checkstyle
  # c#: mono's C# compiler and runtime
  mono-mcs mono-runtime
  # ruby 3.1, minitest, rubocop
  ruby ruby-minitest rubocop
)

missing_packages() {
  local p
  for p in "${PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
      printf '%s\n' "$p"
    fi
  done
}

mapfile -t MISSING < <(missing_packages)
# nodejs: keep whatever provides /usr/bin/node (the node image ships Node 20); only
# install Debian's when there is none, and check its version below.
NEED_NODE=0
[ -x /usr/bin/node ] || NEED_NODE=1

if [ "${#MISSING[@]}" -gt 0 ] || [ "$NEED_NODE" = 1 ]; then
  [ "$CHECK_ONLY" = 1 ] && die "missing Debian packages: ${MISSING[*]} $([ $NEED_NODE = 1 ] && echo nodejs)"
  [ "$NEED_NODE" = 1 ] && MISSING+=(nodejs)
  log "installing Debian packages: ${MISSING[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${MISSING[@]}"
else
  log "Debian packages: all ${#PACKAGES[@]} present"
fi

# ---------------------------------------------------------------------------
# 2. Node: node:test with the junit reporter (Node >= 20.11)
# ---------------------------------------------------------------------------
NODE_VERSION=$("${CLEAN_ENV[@]}" node --version)
NODE_MAJOR=${NODE_VERSION#v}; NODE_MAJOR=${NODE_MAJOR%%.*}
NODE_MINOR=${NODE_VERSION#v*.}; NODE_MINOR=${NODE_MINOR%%.*}
if [ "$NODE_MAJOR" -lt 20 ] || { [ "$NODE_MAJOR" = 20 ] && [ "$NODE_MINOR" -lt 11 ]; }; then
  die "/usr/bin/node is $NODE_VERSION; the javascript and typescript toolchains need Node >= 20.11 (node:test's junit reporter). Install Node 20 as a Debian package (e.g. the node image's nodejs 20.x) and rerun."
fi

# ---------------------------------------------------------------------------
# 3. PyPI: ruff in a venv built on Debian's python3
# ---------------------------------------------------------------------------
ruff_ok() { [ -x "$VENV/bin/ruff" ] && [ "$("$VENV/bin/ruff" --version 2>/dev/null)" = "ruff $RUFF_VERSION" ]; }
if ruff_ok; then
  log "ruff $RUFF_VERSION present"
else
  [ "$CHECK_ONLY" = 1 ] && die "ruff $RUFF_VERSION missing in $VENV"
  log "installing ruff $RUFF_VERSION from PyPI into $VENV"
  mkdir -p "$CRUCIBLE_LIB"
  [ -x "$VENV/bin/python3" ] || /usr/bin/python3 -m venv "$VENV"
  PIP_DISABLE_PIP_VERSION_CHECK=1 "$VENV/bin/python3" -m pip install -q "ruff==$RUFF_VERSION"
  ruff_ok || die "ruff did not install"
fi
if [ "$(readlink /usr/local/bin/ruff 2>/dev/null)" != "$VENV/bin/ruff" ]; then
  [ "$CHECK_ONLY" = 1 ] && die "/usr/local/bin/ruff is not linked to $VENV/bin/ruff"
  ln -sfn "$VENV/bin/ruff" /usr/local/bin/ruff
fi

# ---------------------------------------------------------------------------
# 4. Go: an offline vendor tree for testify, and seeds for GOCACHE and staticcheck
# ---------------------------------------------------------------------------
# Workspaces get go.mod (toolchains/scaffold/go/go.mod) and a symlink vendor ->
# $GODIR/vendor; GOFLAGS=-mod=vendor then resolves testify with no network.
# Go 1.19 cannot use a read-only GOCACHE (some cache writes are fatal), so each Go step
# copies the seed into its own /tmp (about 9 MB) before running. Compile action IDs
# contain the package directory, so the seed is built with the workspace at /work,
# exactly where the sandbox puts it, inside a private mount namespace.
build_go() {
  local src=/usr/share/gocode/src tmp
  rm -rf "$GODIR.new"; mkdir -p "$GODIR.new/vendor"
  local v=$GODIR.new/vendor
  mkdir -p "$v/github.com/davecgh" "$v/github.com/pmezard" "$v/github.com/stretchr" "$v/gopkg.in"
  cp -R "$src/github.com/davecgh/go-spew" "$v/github.com/davecgh/"
  cp -R "$src/github.com/pmezard/go-difflib" "$v/github.com/pmezard/"
  cp -R "$src/github.com/stretchr/testify" "$v/github.com/stretchr/"
  cp -R "$src/github.com/stretchr/objx" "$v/github.com/stretchr/"
  cp -R "$src/gopkg.in/yaml.v3" "$v/gopkg.in/"
  find "$v" -name '*_test.go' -delete
  find "$v" -type d -name testdata -prune -exec rm -rf {} +
  cat > "$v/modules.txt" <<'EOF'
# github.com/davecgh/go-spew v1.1.1
## explicit
github.com/davecgh/go-spew/spew
# github.com/pmezard/go-difflib v1.0.0
## explicit
github.com/pmezard/go-difflib/difflib
# github.com/stretchr/objx v0.5.0
## explicit; go 1.12
github.com/stretchr/objx
# github.com/stretchr/testify v1.8.1
## explicit; go 1.13
github.com/stretchr/testify/assert
github.com/stretchr/testify/mock
github.com/stretchr/testify/require
github.com/stretchr/testify/suite
# gopkg.in/yaml.v3 v3.0.1
## explicit
gopkg.in/yaml.v3
EOF
  # Warm the caches with a workspace laid out as the sandbox lays it out.
  tmp=$(mktemp -d)
  cp "$SCRIPT_DIR/../toolchains/scaffold/go/go.mod" "$tmp/go.mod"
  ln -s "$GODIR/vendor" "$tmp/vendor"   # final path: the symlink must match at run time
  cat > "$tmp/solution.go" <<'EOF'
package solution

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Warm compiles a package that touches the std packages solutions use most.
func Warm(xs []string) (string, error) {
	sort.Strings(xs)
	n, err := strconv.Atoi(strings.Join(xs, ""))
	if err != nil {
		return "", errors.New("bad")
	}
	return fmt.Sprint(n), nil
}
EOF
  cat > "$tmp/solution_test.go" <<'EOF'
package solution

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWarm(t *testing.T) {
	got, err := Warm([]string{"2", "1"})
	require.NoError(t, err)
	assert.Equal(t, "12", got)
}
EOF
  local created_work=0
  if [ ! -e /work ]; then mkdir /work; created_work=1; fi
  # The vendor symlink points at $GODIR/vendor: stage the new tree there first.
  rm -rf "$GODIR.old"; [ -d "$GODIR" ] && mv "$GODIR" "$GODIR.old"
  mv "$GODIR.new" "$GODIR"
  local goenv=(env -i PATH=/usr/local/bin:/usr/bin:/bin HOME=/tmp GO111MODULE=on GOFLAGS=-mod=vendor
    GOPROXY=off GOSUMDB=off GOWORK=off GOPATH=/tmp/go GODEBUG=goindex=0 GOTOOLCHAIN=local
    GOCACHE="$GODIR/cache" XDG_CACHE_HOME="$GODIR/xdg")
  if ! unshare --mount sh -ec '
      mount --make-rprivate /
      mount --bind "$1" /work
      shift
      cd /work
      "$@" go test -c -vet=off -o /tmp/crucible-warm.test . >/dev/null
      rm -f /tmp/crucible-warm.test
      "$@" go vet -json . 2>/dev/null   # exactly as the quality step: -json changes the cache keys
      "$@" go-staticcheck -f json -tests=false . >/dev/null
      "$@" go-staticcheck -f json . >/dev/null
    ' sh "$tmp" "${goenv[@]}"; then
    rm -rf "$GODIR"; [ -d "$GODIR.old" ] && mv "$GODIR.old" "$GODIR"
    [ "$created_work" = 1 ] && rmdir /work
    rm -rf "$tmp"
    die "warming the Go caches failed"
  fi
  [ "$created_work" = 1 ] && rmdir /work
  rm -rf "$tmp" "$GODIR.old"
  echo "$GO_STAMP" > "$GODIR/STAMP"
  chmod -R a+rX,go-w "$GODIR"
}

SCRIPT_DIR=$(cd "$(dirname "$0")" && pwd)
if [ -f "$GODIR/STAMP" ] && [ "$(cat "$GODIR/STAMP")" = "$GO_STAMP" ] \
   && [ -f "$GODIR/vendor/modules.txt" ] && [ -d "$GODIR/cache" ] && [ -d "$GODIR/xdg" ]; then
  log "Go vendor tree and cache seeds present ($GODIR)"
else
  [ "$CHECK_ONLY" = 1 ] && die "Go vendor tree / cache seeds missing in $GODIR"
  log "building Go vendor tree and cache seeds in $GODIR"
  build_go
fi

# ---------------------------------------------------------------------------
# 5. Self-check: every tool the toolchain files name runs from a clean environment
# ---------------------------------------------------------------------------
CHECKSTYLE_CP=/usr/share/java/checkstyle.jar:/usr/share/java/antlr4-runtime.jar:/usr/share/java/commons-lang3.jar:/usr/share/java/commons-beanutils.jar:/usr/share/java/commons-collections3.jar:/usr/share/java/guava.jar:/usr/share/java/commons-cli.jar:/usr/share/java/commons-logging.jar:/usr/share/java/picocli.jar:/usr/share/java/Saxon-HE.jar:/usr/share/java/reflections.jar
for jar in ${CHECKSTYLE_CP//:/ }; do [ -r "$jar" ] || die "checkstyle class path: $jar missing"; done
[ -r /usr/share/java/junit-platform-console-standalone.jar ] || die "JUnit 5 console launcher missing"

FAILED=0
VERSIONS=()
probe() { # name, command...
  local name=$1 out; shift
  if out=$("${CLEAN_ENV[@]}" "$@" 2>&1); then
    out=$(printf '%s\n' "$out" | grep -v '^\s*$' | head -n 1)
    VERSIONS+=("$(printf '%-12s %s' "$name" "$out")")
  else
    log "FAILED: $name: $* -> $(printf '%s' "$out" | head -n 3)"
    FAILED=1
  fi
}
probe python3     /usr/bin/python3 --version
probe pytest      /usr/bin/python3 -m pytest --version
probe ruff        ruff --version
probe node        node --version
probe tsc         tsc --version
probe eslint      env NODE_PATH=/usr/share/nodejs eslint --version
probe go          go version
probe staticcheck go-staticcheck -version
probe rustc       rustc --version
probe cargo       cargo --version
probe clippy      cargo clippy --version
probe javac       javac -version
probe java        java -Xshare:auto -version
probe checkstyle  java -cp "$CHECKSTYLE_CP" com.puppycrawl.tools.checkstyle.Main --version
probe mcs         mcs --version
probe mono        mono --version
probe ruby        ruby --version
probe minitest    ruby -e 'require "minitest"; puts "minitest #{Minitest::VERSION}"'
probe rubocop     rubocop --version
# node:test's junit reporter works (Node >= 20.11).
NODE_PROBE=$(mktemp -d)
printf '%s\n' 'require("node:test")("probe", () => {});' > "$NODE_PROBE/probe.test.js"
NODE_OUT=$("${CLEAN_ENV[@]}" node --test --test-reporter=junit --test-reporter-destination=stdout \
  "$NODE_PROBE/probe.test.js" 2>&1 || true)
if [[ "$NODE_OUT" == *'<testcase name="probe"'* ]]; then
  VERSIONS+=("$(printf '%-12s %s' node-junit ok)")
else
  log "FAILED: node --test --test-reporter=junit does not work"; FAILED=1
fi
rm -rf "$NODE_PROBE"

if [ "$FAILED" != 0 ]; then
  die "some toolchains do not run; see above"
fi

mkdir -p "$CRUCIBLE_LIB"
printf '%s\n' "${VERSIONS[@]}" > "$CRUCIBLE_LIB/VERSIONS.new"
if [ "$CHECK_ONLY" = 0 ]; then mv "$CRUCIBLE_LIB/VERSIONS.new" "$CRUCIBLE_LIB/VERSIONS"; else rm -f "$CRUCIBLE_LIB/VERSIONS.new"; fi
log "toolchains ready:"
printf '  %s\n' "${VERSIONS[@]}"
