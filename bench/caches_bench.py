#!/usr/bin/env python3
"""Per language, one gold task's reference solution through `crucible exec --reference` (every step in
a fresh sandbox): the job with the shared read-only caches switched off ("cold", what a first build
costs without them) beside the job as shipped ("warm"), and, with --image, the same warm job on a
built image instead of the node's own system.

What "cold" switches off, per language (toolchains/README.md, "Caches"):
  python      PYTHONPYCACHEPREFIX=/tmp/pycache: the stdlib's and pytest's .pyc under /usr are ignored,
              every module is compiled from source in the step
  go          the GOCACHE and staticcheck seeds are not copied in: testify & co. and the vet facts are
              compiled from source in an empty cache (std stays Debian's precompiled archives)
  java        JAVA_TOOL_OPTIONS=-Xshare:off: no class-data-sharing archive for javac and java
  csharp      MONO_ENV_OPTIONS=-O=-aot: mcs.exe and mscorlib are JIT-compiled instead of using their
              AOT images
  rust, javascript, typescript, ruby: nothing to switch off (rust's std rlibs cannot be; every job
              already gets a fresh cargo target directory); measured once, as "warm"

Usage: bench/caches_bench.py CRUCIBLE_BINARY [--runs N] [--image NAME|auto|none] [--drop-caches]
  --image        the built image to compare with (default auto: bookworm when this node has built it,
                 `crucible images build bookworm`)
  --drop-caches  also drop the page cache before each language's first cold run (the first job after a
                 boot); off by default, since it slows everyone else on a shared machine

Prints a Markdown section for bench/RESULTS.md. Needs root, scripts/install-toolchains.sh, and for
--image a built image (`crucible images build NAME`).
"""
import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

GOLD = {
    "python": "tasks/python/py-fizzbuzz-easy.json",
    "javascript": "tasks/javascript/js-roman-numerals-medium.json",
    "typescript": "tasks/typescript/ts-lru-cache-hard.json",
    "go": "tasks/go/go-reverse-words-easy.json",
    "rust": "tasks/rust/rs-palindrome-easy.json",
    "java": "tasks/java/java-fibonacci-easy.json",
    "csharp": "tasks/csharp/cs-factorial-easy.json",
    "ruby": "tasks/ruby/rb-caesar-easy.json",
}

# Environment added to every step of the language's toolchain to switch its shared caches off.
COLD_ENV = {
    "python": {"PYTHONPYCACHEPREFIX": "/tmp/pycache"},
    "java": {"JAVA_TOOL_OPTIONS": "-Xshare:off"},
    "csharp": {"MONO_ENV_OPTIONS": "-O=-aot"},
}


def cold_toolchains(directory):
    """A copy of toolchains/ whose steps run without the shared caches."""
    shutil.copytree("toolchains", directory, dirs_exist_ok=True)
    for language, env in COLD_ENV.items():
        path = os.path.join(directory, f"{language}.yaml")
        text = open(path).read()
        for key, value in env.items():
            line = f"  {key}: {json.dumps(value)}"
            text, count = re.subn(rf"^  {key}: .*$", line, text, count=1, flags=re.M)
            if count == 0:
                text, count = re.subn(r"^env:\n", "env:\n" + line + "\n", text, count=1, flags=re.M)
            assert count == 1, f"no env: block in {path}"
        open(path, "w").write(text)
    go = os.path.join(directory, "go.yaml")
    text = open(go).read()
    text = text.replace("cp -R /usr/local/lib/crucible/go/cache /tmp/gocache", "mkdir -p /tmp/gocache")
    text = text.replace("cp -R /usr/local/lib/crucible/go/xdg /tmp/xdg", "mkdir -p /tmp/xdg")
    assert "crucible/go/cache" not in text
    open(go, "w").write(text)


def run_job(crucible, task, env, policy=None):
    """One job; returns (build s, test s, quality s, verdict)."""
    argv = [crucible, "exec", "--task", task, "--reference", "--json"]
    if policy:
        argv += ["--policy", policy]
    output = subprocess.run(argv, capture_output=True, text=True, env=env, check=False)
    try:
        result = json.loads(output.stdout)
    except json.JSONDecodeError:
        sys.exit(f"crucible exec {task} printed no result: {output.stderr.strip()[-500:]}")
    times = {"build": 0.0, "test": 0.0, "quality": 0.0}
    for step in result["steps"]:
        times[step["name"]] += step["wall_time_s"]
    return times["build"], times["test"], times["quality"], result["verdict"]


def drop_page_cache():
    subprocess.run(["sync"], check=False)
    with open("/proc/sys/vm/drop_caches", "w") as handle:
        handle.write("3\n")


def machine():
    cores = os.cpu_count()
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    cgroup = "v2" if os.path.exists("/sys/fs/cgroup/cgroup.controllers") and not os.path.isdir("/sys/fs/cgroup/memory") else "v1"
    load = os.getloadavg()[0]
    return f"{cores} cores, {memory:.0f} GiB, {platform.release()}, cgroup {cgroup}, load {load:.1f} at start"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("crucible")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--image", default="auto")
    parser.add_argument("--drop-caches", action="store_true")
    parser.add_argument("--languages", default=",".join(GOLD))
    args = parser.parse_args()
    crucible = os.path.abspath(args.crucible)
    languages = args.languages.split(",")
    started = machine()

    scratch = tempfile.mkdtemp(prefix="crucible-caches-bench-")
    cold_dir = os.path.join(scratch, "toolchains")
    cold_toolchains(cold_dir)
    warm_env = dict(os.environ, CRUCIBLE_TOOLCHAINS=os.path.abspath("toolchains"))
    cold_env = dict(os.environ, CRUCIBLE_TOOLCHAINS=cold_dir)
    policy = None
    image_note = ""
    listing = json.loads(subprocess.run([crucible, "images", "list", "--json"], capture_output=True, text=True,
                                        check=True).stdout)
    if args.image == "auto":
        built = {row["name"] for row in listing if row["state"] in ("built", "stale")}
        args.image = "bookworm" if "bookworm" in built else None
    elif args.image == "none":
        args.image = None
    if args.image:
        policy = os.path.join(scratch, "image-policy.yaml")
        open(policy, "w").write(f"image: {args.image}\n")
        row = next((row for row in listing if row["name"] == args.image), None)
        if not row or row["state"] not in ("built", "stale"):
            sys.exit(f"the image {args.image} is not built: crucible images build {args.image}")
        manifest = json.load(open(os.path.join(os.path.dirname(row["root"]), "manifest.json")))
        steps = ", ".join(f"{step['name']} {step['seconds']:.0f}" for step in manifest["steps"])
        image_note = (f"Image `{args.image}`: built {manifest['built_at']} in {sum(s['seconds'] for s in manifest['steps']):.0f} s "
                      f"({steps}), {manifest['size_bytes'] / 2**30:.2f} GiB, {len(manifest['installed_packages'])} packages.")

    rows = []
    try:
        for language in languages:
            task = GOLD[language]
            cold = []
            if language in COLD_ENV or language == "go":
                for index in range(args.runs):
                    if index == 0 and args.drop_caches:
                        drop_page_cache()
                    cold.append(run_job(crucible, task, cold_env))
            warm = [run_job(crucible, task, warm_env) for _ in range(args.runs)]
            image = [run_job(crucible, task, warm_env, policy) for _ in range(args.runs)] if policy else []
            rows.append((language, os.path.basename(task)[:-5], cold, warm, image))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)

    def bt(job):
        return job[0] + job[1]

    def median(jobs, pick=bt):
        return statistics.median(pick(job) for job in jobs) if jobs else None

    def cell(value):
        return "—" if value is None else f"{value:.2f}"

    print(f"\n## Shared caches: first build (caches off) vs warm, per language, {time.strftime('%Y-%m-%d')} ({started})\n")
    print(f"`crucible exec --reference` on one gold task per language, {args.runs} runs each; wall seconds of the "
          "build + test steps (quality excluded; in parentheses the build step alone). *Cold*: the language's shared "
          "read-only caches switched off (bench/caches_bench.py says how), first run and median; *warm*: as "
          "shipped, median"
          + (f"; *image*: warm on the built image `{args.image}`" if policy else "")
          + (". The page cache was dropped before each first cold run." if args.drop_caches else
             ". The page cache was not dropped (a shared machine), so *cold first* is cold caches, warm disk.") + "\n")
    header = "| language | task | cold first | cold median | warm median | saved by the caches |"
    line = "| --- | --- | ---: | ---: | ---: | ---: |"
    if policy:
        header += " image warm median | image vs host |"
        line += " ---: | ---: |"
    print(header)
    print(line)
    for language, task, cold, warm, image in rows:
        verdicts = {job[3] for job in cold + warm + image}
        w = median(warm)
        c = median(cold)
        cells = [
            language, task,
            f"{bt(cold[0]):.2f} ({cold[0][0]:.2f})" if cold else "—",
            f"{c:.2f} ({median(cold, lambda j: j[0]):.2f})" if cold else "—",
            f"{w:.2f} ({median(warm, lambda j: j[0]):.2f})",
            f"{(c - w) / c * 100:.0f}%" if cold else "no cache",
        ]
        if policy:
            i = median(image)
            cells += [f"{i:.2f} ({median(image, lambda j: j[0]):.2f})", f"{(i - w) / w * 100:+.0f}%"]
        if verdicts != {"passed"}:
            cells[1] += f" (verdicts: {', '.join(sorted(verdicts))})"
        print("| " + " | ".join(cells) + " |")
    if image_note:
        print("\n" + image_note)


if __name__ == "__main__":
    main()
