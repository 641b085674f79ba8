#!/usr/bin/env bash
# Sandbox start-up: Crucible beside plain fork/exec, bubblewrap and util-linux's unshare, in the same run, same
# machine. Appends a dated section to bench/RESULTS.md and prints it.
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
# The namespaces alone, Crucible's set (user, mount, pid, network, ipc, uts, cgroup), and nothing else: no cgroup,
# no root of its own, privileges kept, no seccomp. A floor for any sandbox with these namespaces on this kernel
# (it even pays one exec more than it needs: unshare's own).
unshare=(unshare --user --map-root-user --mount --pid --fork --net --ipc --uts --cgroup)
# The same namespaces straight from clone3 in a C driver (bench/clone_floor.c): the kernel's own floor, without
# unshare's extra exec, its uid map or a Python driver.
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
cc -O2 -o "$scratch/clone_floor" "$here/clone_floor.c"

# The whole machine's busy time in clock ticks (user, nice, system, irq, softirq; not idle, iowait or steal).
busy_ticks() { awk '/^cpu / {print $2 + $3 + $4 + $7 + $8}' /proc/stat; }

measure() {  # label count command...: "label|p50 p95 rate failures cpu_ms_each"
    local label="$1" n="$2"
    shift 2
    local json before after
    before=$(busy_ticks)
    json="$("$@")"
    after=$(busy_ticks)
    echo "$label|$(jq -r '[.p50_ms, .p95_ms, .per_second, .failures] | @tsv' <<<"$json")" \
        "$(echo "($after - $before) * 1000 / $(getconf CLK_TCK) / $n" | bc -l)"
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
    rows+=("$(measure "crucible sandbox ($workload)|$at" "$n" "$crucible" sandbox bench --count "$n" --parallel "$at" --json -- "${cmd[@]}")")
    rows+=("$(measure "plain fork/exec ($workload)|$at" "$n" $peer "$n" "$at" "${cmd[@]}")")
    rows+=("$(measure "bubblewrap --unshare-all ($workload)|$at" "$n" $peer "$n" "$at" "${bwrap[@]}" "${cmd[@]}")")
    rows+=("$(measure "unshare, namespaces only ($workload)|$at" "$n" $peer "$n" "$at" "${unshare[@]}" "${cmd[@]}")")
    rows+=("$(measure "clone3, namespaces only, C ($workload)|$at" "$n" "$scratch/clone_floor" "$n" "$at" "${cmd[@]}")")
done

machine="$(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -r), cgroup $("$crucible" policy show >/dev/null && (grep -q ' cgroup2 ' /proc/self/mountinfo && test -n "$(cat /sys/fs/cgroup/cgroup.controllers 2>/dev/null)" && echo v2 || echo v1))"
{
    echo
    echo "## Sandbox start-up, $(date -u +%Y-%m-%d) ($machine)"
    echo
    echo "Each row: p50/p95 of one spawn-to-reap, and throughput, with that many sandboxes at a time. Crucible has"
    echo "every namespace, cgroup limits (memory, pids, cpu) and seccomp on; bubblewrap has namespaces and a root of"
    echo "its own; unshare (util-linux) has Crucible's namespaces and nothing else; clone3 (bench/clone_floor.c) has"
    echo "them too, from a C driver with no uid map: the kernel's floor; fork/exec has nothing. CPU: the whole"
    echo "machine's busy time per sandbox (/proc/stat, steal excluded), the benchmark's own driver included (crucible's"
    echo "is in process, clone3's in C, the others' is bench/spawn_peer.py); $(nproc) × 1000 ÷ CPU is the most sandboxes"
    echo "a second a peer could start on $(nproc) cores. The last column compares with plain fork/exec of the same"
    echo "program at the same parallelism."
    echo
    echo "| what | at a time | p50 ms | p95 ms | per second | CPU ms each | failures | p50 vs fork/exec |"
    echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    declare -A base
    for row in "${rows[@]}"; do
        IFS='|' read -r label at values <<<"$row"
        read -r p50 p95 rate failures cpu <<<"$values"
        [[ "$label" == "plain fork/exec ("* ]] && base["${label#plain fork/exec }|$at"]=$p50
    done
    latency="" throughput=""
    declare -A cpu_of
    for row in "${rows[@]}"; do
        IFS='|' read -r label at values <<<"$row"
        read -r p50 p95 rate failures cpu <<<"$values"
        reference=${base["${label##* }|$at"]}
        printf '| %s | %d | %.2f | %.2f | %.0f | %.2f | %d | %.2fx |\n' "$label" "$at" "$p50" "$p95" "$rate" "$cpu" \
            "$failures" "$(echo "$p50 / $reference" | bc -l)"
        if [ "$label" = "crucible sandbox (true)" ]; then
            [ "$at" = 1 ] && latency=$p50
            [ "$at" = "$parallel" ] && throughput=$rate
        fi
        [ "$at" = "$parallel" ] && cpu_of["$label"]=$cpu
    done
    verdict() { if [ "$(echo "$1" | bc -l)" = 1 ]; then echo met; else echo "not met"; fi; }
    echo
    printf 'Targets (issue 3): p50 one at a time %.2f ms against <= 2.5 ms: %s; %.0f sandboxes/s %d at a time against >= 500: %s.\n' \
        "$latency" "$(verdict "$latency <= 2.5")" "$throughput" "$parallel" "$(verdict "$throughput >= 500")"
    printf 'CPU a /bin/true, %d at a time: Crucible %.2f ms; the namespaces alone %.2f ms from clone3 in C, %.2f ms through unshare (its own exec and the Python driver included); plain fork/exec %.2f ms.\n' \
        "$parallel" "${cpu_of["crucible sandbox (true)"]}" "${cpu_of["clone3, namespaces only, C (true)"]}" \
        "${cpu_of["unshare, namespaces only (true)"]}" "${cpu_of["plain fork/exec (true)"]}"
} | tee -a "$here/RESULTS.md"
