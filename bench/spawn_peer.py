#!/usr/bin/env python3
"""The benchmark's peers: run a command N times, P at a time, with plain fork/exec (posix_spawn) or
under another sandbox (bubblewrap). Prints the same JSON as `crucible sandbox bench --json`."""
import json
import os
import sys
import threading
import time


def main() -> None:
    count, parallel = int(sys.argv[1]), int(sys.argv[2])
    command = sys.argv[3:]
    latencies: list[float] = []
    failures = [0]
    lock = threading.Lock()

    def worker(share: int) -> None:
        mine = []
        failed = 0
        for _ in range(share):
            start = time.perf_counter()
            pid = os.posix_spawnp(command[0], command, {"PATH": "/usr/bin:/bin"})
            _, status = os.waitpid(pid, 0)
            mine.append(time.perf_counter() - start)
            failed += status != 0
        with lock:
            latencies.extend(mine)
            failures[0] += failed

    shares = [(count - worker_index + parallel - 1) // parallel for worker_index in range(parallel)]
    threads = [threading.Thread(target=worker, args=(share,)) for share in shares]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    ordered = sorted(latencies)

    def percentile(p: float) -> float:
        return ordered[min(len(ordered) - 1, max(0, int(-(-len(ordered) * p // 1)) - 1))]

    print(json.dumps({
        "count": count, "parallel": parallel, "p50_ms": percentile(0.5) * 1000, "p95_ms": percentile(0.95) * 1000,
        "per_second": count / elapsed, "failures": failures[0],
    }))


if __name__ == "__main__":
    main()
