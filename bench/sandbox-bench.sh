#!/usr/bin/env bash
# Sandbox start-up: Crucible beside plain fork/exec and bubblewrap, in the same run, same machine.
# Appends a dated section to bench/RESULTS.md and prints it.
set -euo pipefail
crucible="${1:-.build-release/release/crucible}"
count="${COUNT:-2000}"
python_count="${PYTHON_COUNT:-300}"
parallel="${PARALLEL:-2}"
here="$(cd "$(dirname "$0")" && pwd)"
peer="python3 $here/spawn_peer.py"
# bubblewrap with every namespace but no limits and no seccomp (it has neither built in).
bwrap=(bwrap --unshare-all --die-with-parent --ro-bind /usr /usr --symlink usr/bin /bin --symlink usr/lib /lib
       --symlink usr/lib64 /lib64 --symlink usr/sbin /sbin --proc /proc --dev /dev --tmpfs /tmp --chdir /tmp)

measure() {  # label command...
    local label="$1"
    shift
    local json
    json="$("$@")"
    echo "$label|$(jq -r '[.p50_ms, .p95_ms, .per_second, .failures] | @tsv' <<<"$json")"
}

# /bin/true one at a time (the latency target: p50 <= 2.5 ms) and $parallel at a time (the throughput target:
# >= 500 sandboxes/s on 2 cores); python3 -c pass $parallel at a time.
rows=()
cases=("true 1")
[ "$parallel" != 1 ] && cases+=("true $parallel")
cases+=("python $parallel")
for case in "${cases[@]}"; do
    read -r workload at <<<"$case"
    # Debian's interpreter by path: the one the sandbox has, and no PATH shim (pyenv) in front of the peers.
    if [ "$workload" = true ]; then n=$count; cmd=(/bin/true); else n=$python_count; cmd=(/usr/bin/python3 -c pass); fi
    rows+=("$(measure "crucible sandbox ($workload)|$at" "$crucible" sandbox bench --count "$n" --parallel "$at" --json -- "${cmd[@]}")")
    rows+=("$(measure "plain fork/exec ($workload)|$at" $peer "$n" "$at" "${cmd[@]}")")
    rows+=("$(measure "bubblewrap --unshare-all ($workload)|$at" $peer "$n" "$at" "${bwrap[@]}" "${cmd[@]}")")
done

machine="$(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -r), cgroup $("$crucible" policy show >/dev/null && (grep -q ' cgroup2 ' /proc/self/mountinfo && test -n "$(cat /sys/fs/cgroup/cgroup.controllers 2>/dev/null)" && echo v2 || echo v1))"
{
    echo
    echo "## Sandbox start-up, $(date -u +%Y-%m-%d) ($machine)"
    echo
    echo "Each row: p50/p95 of one spawn-to-reap, and throughput, with that many sandboxes at a time. Crucible has"
    echo "every namespace, cgroup limits (memory, pids, cpu) and seccomp on; bubblewrap has namespaces only; fork/exec"
    echo "has nothing. The last column compares with plain fork/exec of the same program at the same parallelism."
    echo
    echo "| what | at a time | p50 ms | p95 ms | per second | failures | p50 vs fork/exec |"
    echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"
    declare -A base
    for row in "${rows[@]}"; do
        IFS='|' read -r label at values <<<"$row"
        read -r p50 p95 rate failures <<<"$values"
        [[ "$label" == "plain fork/exec ("* ]] && base["${label#plain fork/exec }|$at"]=$p50
    done
    latency="" throughput=""
    for row in "${rows[@]}"; do
        IFS='|' read -r label at values <<<"$row"
        read -r p50 p95 rate failures <<<"$values"
        reference=${base["${label##* }|$at"]}
        printf '| %s | %d | %.2f | %.2f | %.0f | %d | %.2fx |\n' "$label" "$at" "$p50" "$p95" "$rate" "$failures" \
            "$(echo "$p50 / $reference" | bc -l)"
        if [ "$label" = "crucible sandbox (true)" ]; then
            [ "$at" = 1 ] && latency=$p50
            [ "$at" = "$parallel" ] && throughput=$rate
        fi
    done
    verdict() { if [ "$(echo "$1" | bc -l)" = 1 ]; then echo met; else echo "not met"; fi; }
    echo
    printf 'Targets (issue 3): p50 one at a time %.2f ms against <= 2.5 ms: %s; %.0f sandboxes/s %d at a time against >= 500: %s.\n' \
        "$latency" "$(verdict "$latency <= 2.5")" "$throughput" "$parallel" "$(verdict "$throughput >= 500")"
} | tee -a "$here/RESULTS.md"
