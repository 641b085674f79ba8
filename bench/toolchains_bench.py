#!/usr/bin/env python3
"""Per language: the sample bank's reference solutions built and tested by `crucible exec` (every step
in a fresh sandbox) beside the same build and test commands run directly, in the same run.

"Directly" means: the same workspace, the same argv and environment, in a private mount namespace
only so that the workspace sits at /work as the toolchains' prebuilt caches expect; no user, pid or
network namespace, no cgroup, no seccomp, no privilege drop. Usage:

    bench/toolchains_bench.py CRUCIBLE_BINARY [RUNS]

Prints a Markdown section for bench/RESULTS.md. Needs root and scripts/install-toolchains.sh.
"""
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

import yaml

LANGUAGES = ["python", "typescript", "javascript", "go", "rust", "java", "csharp", "ruby"]


def expand(argv, workspace, toolchain, mode):
    sources = sorted(
        name for name in os.listdir(workspace)
        if os.path.isfile(os.path.join(workspace, name))
        and any(__import__("fnmatch").fnmatch(name, pattern) for pattern in toolchain["workspace"]["sources"]))
    out = []
    for argument in argv:
        if argument == "{sources}":
            out += sources
        elif argument == "{tests}":
            out += mode["tests"]
        elif argument in ("{solution}", "{candidate_sources}"):
            out += mode["solution"]
        else:
            out.append(argument)
    return out


def lay_out(task, toolchain):
    workspace = tempfile.mkdtemp(prefix="crucible-direct-")
    files = dict(task.get("files", {}))
    files.update(task.get("reference") or {})
    files.update(task.get("tests", {}))
    for path, content in files.items():
        full = os.path.join(workspace, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "w") as handle:
            handle.write(content)
    os.makedirs(os.path.join(workspace, ".crucible"), exist_ok=True)
    for item in toolchain["workspace"].get("scaffold", []):
        target = os.path.join(workspace, item["path"])
        os.makedirs(os.path.dirname(target), exist_ok=True)
        if "symlink" in item:
            os.symlink(item["symlink"], target)
        else:
            shutil.copy(os.path.join("toolchains/scaffold", item["from"]), target)
    return workspace


def run_direct(argv, env, workspace):
    """One step outside the sandbox; returns its wall time."""
    environment = " ".join(f"{key}={subprocess.list2cmdline([str(value)])}" for key, value in env.items())
    script = f"mount --bind {workspace} /work && cd /work && exec env -i {environment} \"$@\""
    start = time.perf_counter()
    subprocess.run(["unshare", "--mount", "--propagation", "private", "sh", "-c", script, "sh", *argv],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start


def main():
    crucible = os.path.abspath(sys.argv[1])
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    os.makedirs("/work", exist_ok=True)
    rows = []
    for language in LANGUAGES:
        toolchain = yaml.safe_load(open(f"toolchains/{language}.yaml"))
        sandboxed, direct = [], []
        for path in sorted(glob.glob(f"tasks/{language}/*.json")):
            task = json.load(open(path))
            if task.get("test_mode") == "io" or task.get("scenario") == "test-generation":
                continue
            mode = toolchain["modes"][task["test_mode"]]
            steps = [step for step in (mode.get("build"), mode["test"]) if step]
            for _ in range(runs):
                result = json.loads(subprocess.run(
                    [crucible, "exec", "--task", path, "--reference", "--json"],
                    capture_output=True, text=True, check=False).stdout)
                sandboxed.append(sum(step["wall_time_s"] for step in result["steps"] if step["name"] != "quality"))
                workspace = lay_out(task, toolchain)
                try:
                    total = 0.0
                    for step in steps:
                        env = dict(toolchain["env"])
                        env.update({key: value for key, value in (step.get("env") or {}).items() if value is not None})
                        total += run_direct(expand(step["argv"], workspace, toolchain, mode), env, workspace)
                    direct.append(total)
                finally:
                    shutil.rmtree(workspace, ignore_errors=True)
                    shutil.rmtree("/tmp/gocache", ignore_errors=True)
        if sandboxed:
            s, d = sorted(sandboxed)[len(sandboxed) // 2], sorted(direct)[len(direct) // 2]
            rows.append((language, len(sandboxed), s, d, (s - d) / d * 100))

    # The whole bank's references, two at a time, as a node would run them.
    tasks = sorted(glob.glob("tasks/*/*.json"))
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(lambda path: subprocess.run([crucible, "exec", "--task", path, "--reference"],
                                                  capture_output=True, check=False), tasks))
    bank_seconds = time.perf_counter() - start

    print(f"\n## Toolchains: build + test in the sandbox vs directly, {time.strftime('%Y-%m-%d')} "
          f"({os.cpu_count()} cores)\n")
    print("Median over the language's framework/program reference solutions, "
          f"{runs} runs each; build and test steps only (quality excluded), wall seconds.\n")
    print("| language | runs | sandboxed s | direct s | overhead |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for language, count, s, d, overhead in rows:
        print(f"| {language} | {count} | {s:.2f} | {d:.2f} | {overhead:+.0f}% |")
    print(f"\nThe whole sample bank ({len(tasks)} tasks, every step incl. quality and test-generation mutants), "
          f"two jobs at a time: {bank_seconds:.1f} s.")


if __name__ == "__main__":
    main()
