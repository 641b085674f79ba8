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

measure() {  # label count command...
    local label="$1" n="$2"
    shift 2
    local json
    json="$("$@")"
    echo "$label|$(jq -r '[.p50_ms, .p95_ms, .per_second, .failures] | @tsv' <<<"$json")"
}

rows=()
for workload in true python; do
    # Debian's interpreter by path: the one the sandbox has, and no PATH shim (pyenv) in front of the peers.
    if [ "$workload" = true ]; then n=$count; cmd=(/bin/true); else n=$python_count; cmd=(/usr/bin/python3 -c pass); fi
    rows+=("$(measure "crucible sandbox ($workload)" "$n" "$crucible" sandbox bench --count "$n" --parallel "$parallel" --json -- "${cmd[@]}")")
    rows+=("$(measure "plain fork/exec ($workload)" "$n" $peer "$n" "$parallel" "${cmd[@]}")")
    rows+=("$(measure "bubblewrap --unshare-all ($workload)" "$n" $peer "$n" "$parallel" "${bwrap[@]}" "${cmd[@]}")")
done

machine="$(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -r), cgroup $("$crucible" policy show >/dev/null && (grep -q ' cgroup2 ' /proc/self/mountinfo && test -n "$(cat /sys/fs/cgroup/cgroup.controllers 2>/dev/null)" && echo v2 || echo v1))"
{
    echo
    echo "## Sandbox start-up, $(date -u +%Y-%m-%d) ($machine)"
    echo
    echo "Each row: $parallel at a time; p50/p95 of one spawn-to-reap, and throughput. Crucible has every namespace,"
    echo "cgroup limits (memory, pids, cpu) and seccomp on; bubblewrap has namespaces only; fork/exec has nothing."
    echo
    echo "| what | p50 ms | p95 ms | per second | failures | p50 vs fork/exec |"
    echo "| --- | ---: | ---: | ---: | ---: | ---: |"
    base_true="" base_python=""
    for row in "${rows[@]}"; do
        IFS='|' read -r label values <<<"$row"
        read -r p50 p95 rate failures <<<"$values"
        case "$label" in
            "plain fork/exec (true)") base_true=$p50 ;;
            "plain fork/exec (python)") base_python=$p50 ;;
        esac
    done
    for row in "${rows[@]}"; do
        IFS='|' read -r label values <<<"$row"
        read -r p50 p95 rate failures <<<"$values"
        base=$base_true
        [[ "$label" == *python* ]] && base=$base_python
        printf '| %s | %.2f | %.2f | %.0f | %d | %.2fx |\n' "$label" "$p50" "$p95" "$rate" "$failures" "$(echo "$p50 / $base" | bc -l)"
    done
} | tee -a "$here/RESULTS.md"
