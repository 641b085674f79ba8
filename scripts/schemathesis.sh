#!/usr/bin/env bash
# Runs schemathesis (PyPI) against controlplane/openapi.yaml and a real `crucible controlplane` on loopback:
# generated requests, valid and invalid, must never get a 5xx and every reply must match the spec.
# Usage: scripts/schemathesis.sh PATH/TO/crucible
set -euo pipefail

crucible=${1:?usage: scripts/schemathesis.sh PATH/TO/crucible}
version=4.32.5
venv=/usr/local/lib/crucible/test-venv
root=$(cd "$(dirname "$0")/.." && pwd)

if [ ! -x "$venv/bin/schemathesis" ] || ! "$venv/bin/schemathesis" --version 2>/dev/null | grep -q "$version"; then
    echo "schemathesis: installing schemathesis $version into $venv" >&2
    [ -x "$venv/bin/python3" ] || /usr/bin/python3 -m venv "$venv"
    PIP_DISABLE_PIP_VERSION_CHECK=1 "$venv/bin/python3" -m pip install -q "schemathesis==$version"
fi

work=$(mktemp -d)
server=""
cleanup() {
    [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
CRUCIBLE_LOG_LEVEL=error "$crucible" controlplane --data "$work/data" --listen "127.0.0.1:$port" \
    --stream-limit 1 >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 100); do
    [ -s "$work/data/admin.token" ] && curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
    sleep 0.1
done
if [ ! -s "$work/data/admin.token" ]; then
    echo "schemathesis: the control plane did not start; its log:" >&2
    cat "$work/server.log" >&2
    exit 1
fi
token=$(cat "$work/data/admin.token")

# One worker: Debian 12's Python (3.11.2) keeps the AST constructor's recursion depth in state shared by
# threads, so two workers parsing lambdas at once can crash schemathesis itself with "SystemError: AST
# constructor recursion depth mismatch" (CPython gh-106905, fixed in 3.11.8), a tool crash, not a finding.
"$venv/bin/schemathesis" run "$root/controlplane/openapi.yaml" --url "http://127.0.0.1:$port" \
    -H "Authorization: Bearer $token" \
    --checks not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance \
    --max-examples 30 --workers 1 --seed 1 --warnings off
