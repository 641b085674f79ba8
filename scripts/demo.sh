#!/usr/bin/env bash
# The sandbox at work: a normal program, a fork bomb, a memory bomb and a network attempt, each
# with the report `crucible sandbox run --json` gives; then the containment report of the policy.
set -euo pipefail
crucible="${1:-.build-release/release/crucible}"

show() {
    local title="$1"
    shift
    printf '\n\033[1m== %s\033[0m\n$ crucible sandbox run --json %s\n' "$title" "$*"
    "$crucible" sandbox run --json "$@" | jq '{status, exit_code, signal, limits_hit, cpu_time_s, wall_time_s, peak_memory_bytes, stdout: (.stdout | .[0:300]), stderr: (.stderr | .[0:300])}'
}

show "a normal program" -- python3 -c 'print(sum(range(10**6)))'
show "a fork bomb, held by the pids limit" --pids 64 --wall-time 3s -- /bin/sh -c 'bomb() { bomb | bomb & }; bomb; sleep 2; echo still here'
show "a memory bomb, ended by the memory limit" --memory 64MiB -- python3 -c 'x = []
while True: x.append(bytearray(1 << 20) * 1)'
show "a network attempt: the host's loopback and the outside" --network loopback -- python3 -c '
import socket
for address in [("127.0.0.1", 22), ("192.0.2.1", 80)]:
    try:
        socket.create_connection(address, timeout=2)
        print(address, "connected")
    except OSError as error:
        print(address, "refused:", error)'
show "a CPU burner in six processes, one CPU budget" --cpu-time 1s -- /bin/sh -c 'for i in 1 2 3 4 5 6; do (while :; do :; done) & done; wait'

printf '\n\033[1m== the default policy, probed by every built-in hostile program\033[0m\n$ crucible policy check\n'
"$crucible" policy check | tail -n 1

printf '\n\033[1m== judging code: a reference, an off-by-one answer, and code that does not compile\033[0m\n'
for model in reference off-by-one no-compile; do
    printf '$ crucible exec --task tasks/go/go-merge-intervals-medium.json --candidate tasks/candidates/%s/...\n' "$model"
    "$crucible" exec --task tasks/go/go-merge-intervals-medium.json \
        --candidate "tasks/candidates/$model/go/go-merge-intervals-medium.json" | head -n 6 || true
done
