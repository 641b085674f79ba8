#!/usr/bin/env bash
# Multi-host test: a control plane and two agents, each in its own network namespace, joined by veth pairs,
# talking real HTTP. A run completes; then one agent's link is cut mid-run: its leases expire, its jobs run on
# the other agent, and the run completes with every job exactly once. When the link comes back, the cut
# agent's late results are refused as stale and change nothing.
# Usage: scripts/multihost-test.sh PATH/TO/crucible   (as root)
set -euo pipefail

crucible=$(realpath "${1:?usage: scripts/multihost-test.sh PATH/TO/crucible}")
root=$(cd "$(dirname "$0")/.." && pwd)
id=$$
cp_ns=cru-cp-$id a1_ns=cru-a1-$id a2_ns=cru-a2-$id
work=$(mktemp -d)
pids=()

say() { echo "multihost: $*" >&2; }
fail() { say "FAIL: $*"; for log in "$work"/*.log; do echo "--- $log"; tail -20 "$log"; done >&2; exit 1; }

cleanup() {
    # SIGTERM first (agents drain); an agent whose control plane is already gone keeps its results in the
    # spool and would retry delivering them, so after 20 s whatever is left is killed.
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for _ in $(seq 100); do
        alive=0
        for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
        [ "$alive" = 0 ] && break
        sleep 0.2
    done
    for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
    for ns in "$cp_ns" "$a1_ns" "$a2_ns"; do ip netns del "$ns" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

# in NS CMD...: only the network namespace changes (ip netns exec would also remount /sys, hiding the
# cgroup hierarchies the agents' sandboxes need).
netns() { local ns=$1; shift; nsenter --net=/run/netns/"$ns" "$@"; }

for ns in "$cp_ns" "$a1_ns" "$a2_ns"; do ip netns add "$ns"; netns "$ns" ip link set lo up; done
link() {  # link AGENT_NS SUBNET: a veth pair between the control plane's namespace and an agent's
    local ns=$1 subnet=$2 cp_end=vc$3-$id agent_end=va$3-$id
    ip link add "$cp_end" type veth peer name "$agent_end"
    ip link set "$cp_end" netns "$cp_ns"
    ip link set "$agent_end" netns "$ns"
    netns "$cp_ns" ip addr add "$subnet.1/24" dev "$cp_end"
    netns "$ns" ip addr add "$subnet.2/24" dev "$agent_end"
    netns "$cp_ns" ip link set "$cp_end" up
    netns "$ns" ip link set "$agent_end" up
}
link "$a1_ns" 10.77.1 1
link "$a2_ns" 10.77.2 2

# The control plane listens on every address of its namespace; leases live 6 s without a heartbeat.
# Started with nsenter directly (not through the function): nsenter execs crucible, so $! is crucible's pid
# and the clean-up's signals reach it.
CRUCIBLE_LOG_LEVEL=info nsenter --net=/run/netns/"$cp_ns" "$crucible" controlplane --data "$work/cp" --listen 0.0.0.0:7710 --lease-ttl 6 \
    >"$work/controlplane.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do [ -s "$work/cp/admin.token" ] && break; sleep 0.1; done
token=$(cat "$work/cp/admin.token")
api() { netns "$cp_ns" curl -fsS -H "Authorization: Bearer $token" "http://127.0.0.1:7710$1"; }
for _ in $(seq 100); do api /readyz >/dev/null 2>&1 && break; sleep 0.1; done

agent() {  # agent NAME NS ADDRESS SLOT_BASE
    CRUCIBLE_LOG_LEVEL=info nsenter --net=/run/netns/"$2" "$crucible" agent --control-plane "http://$3:7710" --token-file "$work/cp/admin.token" \
        --slots 1 --name "$1" --spool "$work/$1-spool" --slot-base "$4" --metrics-listen 127.0.0.1:9464 >"$work/$1.log" 2>&1 &
    pids+=($!)
}
agent a1 "$a1_ns" 10.77.1.1 7000
agent a2 "$a2_ns" 10.77.2.1 7100
for _ in $(seq 100); do [ "$(api /v1/nodes | grep -o '"state":"active"' | wc -l)" -eq 2 ] && break; sleep 0.2; done
[ "$(api /v1/nodes | grep -o '"state":"active"' | wc -l)" -eq 2 ] || fail "the two agents did not register"
say "control plane and two agents up, each in its own network namespace"

# Candidates: the python and javascript references and off-by-one answers (quick to judge).
candidates="$work/candidates"
for model in reference off-by-one; do
    for language in python javascript; do
        mkdir -p "$candidates/$model"
        cp -r "$root/tasks/candidates/$model/$language" "$candidates/$model/"
    done
done
total=$(find "$candidates" -name '*.json' | wc -l)

submit() {
    netns "$cp_ns" "$crucible" submit --server http://127.0.0.1:7710 --token-file "$work/cp/admin.token" \
        --tasks "$root/tasks" --candidates "$candidates" --name "$1" | sed -n 's/^run \(run_[a-z0-9]*\):.*/\1/p'
}
wait_run() {  # wait_run RUN_ID SECONDS
    for _ in $(seq $(($2 * 5))); do
        api "/v1/runs/$1" | grep -q '"state":"completed"' && return 0
        sleep 0.2
    done
    return 1
}

# 1. A whole run over both agents.
run=$(submit "both agents")
wait_run "$run" 120 || fail "the first run did not complete"
api "/v1/runs/$run/results" | python3 -c '
import json, sys
total = int(sys.argv[1])
results = json.load(sys.stdin)["results"]
assert len(results) == total, f"{len(results)} results for {total} jobs"
assert len({r["job_id"] for r in results}) == total
assert all(r["state"] == "completed" for r in results), [r["state"] for r in results]
assert all((r["verdict"] == "passed") == (r["model"] == "reference") for r in results)
' "$total" || fail "first run: wrong results"
say "run 1: $total jobs, each completed once, references passed, wrong answers failed"
# Each agent's own metrics endpoint, inside its namespace: its sandboxes' set-up (every agent builds one
# when it checks its node) and, over the two, the run's jobs by verdict.
scraped_all=""
for pair in "a1 $a1_ns" "a2 $a2_ns"; do
    set -- $pair
    scraped=$(netns "$2" curl -fsS http://127.0.0.1:9464/metrics) || fail "$1: no /metrics on --metrics-listen"
    grep -q '^crucible_sandbox_setup_seconds_count ' <<<"$scraped" || fail "$1: /metrics has no sandbox set-up time"
    scraped_all+="$scraped"$'\n'
done
grep -q '^crucible_agent_jobs_total{verdict="passed"}' <<<"$scraped_all" || fail "no agent's /metrics counts the jobs"
say "each agent serves its metrics (jobs by verdict, sandbox set-up time) on --metrics-listen"

# 2. Cut a1's link while it runs a job.
run=$(submit "a1 cut off")
for _ in $(seq 150); do
    api "/v1/runs/$run/results" >/dev/null
    api /v1/nodes | python3 -c '
import json, sys
nodes = {n["name"]: n for n in json.load(sys.stdin)["nodes"]}
sys.exit(0 if nodes["a1"]["running_jobs"] > 0 else 1)' && break
    sleep 0.1
done
netns "$cp_ns" ip link set vc1-$id down
say "a1's link is down"
wait_run "$run" 180 || fail "the run did not complete without a1"
results=$(api "/v1/runs/$run/results")
echo "$results" | python3 -c '
import json, sys
total = int(sys.argv[1])
results = json.load(sys.stdin)["results"]
assert len(results) == total and len({r["job_id"] for r in results}) == total, "a job is missing or doubled"
assert all(r["state"] == "completed" for r in results), [r["state"] for r in results]
assert all((r["verdict"] == "passed") == (r["model"] == "reference") for r in results)
' "$total" || fail "second run: wrong results"
requeued=$(api "/v1/runs/$run/events" | grep '^data: ' | grep '"type":"job_state"' | grep -c '"state":"queued"' || true)
[ "$requeued" -ge 1 ] || fail "no job was requeued after a1 was cut off"
say "run 2: a1 cut off mid-run; $requeued job(s) requeued; $total jobs, each completed once"

# 3. a1 comes back: its late results are stale and change nothing.
netns "$cp_ns" ip link set vc1-$id up
for _ in $(seq 300); do
    [ -z "$(find "$work/a1-spool" -maxdepth 1 -name '*.json')" ] && break
    sleep 0.2
done
[ -z "$(find "$work/a1-spool" -maxdepth 1 -name '*.json')" ] || fail "a1 did not deliver its spooled results in 60 s"
[ "$(api "/v1/runs/$run/results")" = "$results" ] || fail "results changed after a1 came back"
late=$(grep -ci "stale" "$work/a1.log" || true)
say "a1 is back: $late late result(s) refused as stale; the results are unchanged"
say "PASS"
