#!/usr/bin/env python3
"""Check the task bank and the toolchains against each other, for real.

A reference implementation, in Python, of the toolchain contract that
toolchains/README.md specifies for the Swift code (workspace layout, placeholder
expansion, steps, exit-code mapping, result and findings parsers, verdicts) and of
test-generation scoring (tasks/README.md). It runs every step in
tasks/tools/sandbox-sim.sh, a stand-in for Crucible's sandbox, so run it as root:

    tasks/tools/crucible_check.py                      # every task x every candidate
    tasks/tools/crucible_check.py --lang go --model reference
    tasks/tools/crucible_check.py --task py-fizzbuzz-easy --model off-by-one --show
    tasks/tools/crucible_check.py --validate-only      # task/candidate JSON only, no runs

Each candidate may carry an "expect" object (ignored by Crucible itself) saying what
the check should see; the exit status is 0 only if every expectation held.
Needs python3-yaml (Debian) and the toolchains from scripts/install-toolchains.sh.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
TOOLCHAINS = REPO / "toolchains"
SCAFFOLD = TOOLCHAINS / "scaffold"
TASKS = REPO / "tasks"
SANDBOX = Path(__file__).resolve().parent / "sandbox-sim.sh"
EXTRA_SANDBOX_ARGS: list[str] = []   # --no-proc / --shm experiments

LANGUAGES = ["python", "typescript", "javascript", "go", "rust", "java", "csharp", "ruby"]
SCENARIOS = ["code-generation", "test-generation", "code-review", "refactoring", "debugging",
             "security", "documentation"]
DIFFICULTIES = ["easy", "medium", "hard"]
TEST_MODES = ["framework", "program", "io"]
MESSAGE_MAX = 2000


class BadInput(Exception):
    """The task or candidate is invalid (crucible exec exit 2 / HTTP 400)."""


# --------------------------------------------------------------------------- toolchains

_toolchains: dict[str, dict] = {}

# The schema of toolchains/README.md, enforced strictly: unknown keys are errors.
LIMIT_KEYS = {"wall_time_s", "cpu_time_s", "memory_mib", "pids", "output_kib", "file_size_mib", "tmp_mib"}
RESULT_PARSERS = {"junit-xml", "go-test-json", "libtest", "tap", "exit-code", "io"}
FINDINGS_PARSERS = {"ruff-json", "eslint-json", "tsc", "go-vet-json", "staticcheck-json", "clippy-json",
                    "checkstyle-xml", "mcs-warnings", "rubocop-json"}
PLACEHOLDERS = {"{sources}", "{candidate_sources}", "{solution}", "{tests}"}


def _keys(where: str, obj, allowed: set, required: set = frozenset()) -> None:
    if not isinstance(obj, dict):
        raise SystemExit(f"{where}: expected a mapping")
    extra = set(obj) - allowed
    missing = set(required) - set(obj)
    if extra or missing:
        raise SystemExit(f"{where}: unknown keys {sorted(extra)} / missing keys {sorted(missing)}")


def validate_step(where: str, st: dict, kind: str) -> None:
    allowed = {"argv", "shell_reason", "env", "limits", "exit_codes"}
    if kind == "test":
        allowed |= {"stdin", "result"}
    if kind == "quality":
        allowed |= {"tool", "findings"}
    required = {"argv"} | ({"result"} if kind == "test" else set()) | ({"tool", "findings"} if kind == "quality" else set())
    _keys(where, st, allowed, required)
    if not st["argv"] or not all(isinstance(a, str) for a in st["argv"]):
        raise SystemExit(f"{where}.argv: a non-empty list of strings")
    for a in st["argv"]:
        if "{" in a and a not in PLACEHOLDERS and a.startswith("{"):
            raise SystemExit(f"{where}.argv: unknown placeholder {a}")
    if st["argv"][0] in ("sh", "bash") and not st.get("shell_reason"):
        raise SystemExit(f"{where}: a shell needs shell_reason")
    _keys(where + ".limits", st.get("limits", {}), LIMIT_KEYS)
    for k, v in st.get("exit_codes", {}).items():
        if not (k == "other" or k.lstrip("-").isdigit()) or v not in ("ok", "fail", "error"):
            raise SystemExit(f"{where}.exit_codes: bad entry {k}: {v}")
    if "stdin" in st and st["stdin"] != "case":
        raise SystemExit(f"{where}.stdin: only 'case'")
    if kind == "test":
        r = st["result"]
        _keys(where + ".result", r, {"parser", "report", "name", "fallback"}, {"parser"})
        if r["parser"] not in RESULT_PARSERS:
            raise SystemExit(f"{where}.result.parser: {r['parser']}")
        if (r["parser"] == "junit-xml") != ("report" in r):
            raise SystemExit(f"{where}.result.report: required exactly for junit-xml")
        if r.get("name", "name") not in ("name", "classname.name", "suite-path"):
            raise SystemExit(f"{where}.result.name: {r['name']}")
        if r.get("fallback", "exit-code") != "exit-code":
            raise SystemExit(f"{where}.result.fallback: {r['fallback']}")
    if kind == "quality":
        f = st["findings"]
        _keys(where + ".findings", f, {"parser", "stream", "only_paths"}, {"parser"})
        if f["parser"] not in FINDINGS_PARSERS or f.get("stream", "stdout") not in ("stdout", "stderr") \
                or f.get("only_paths", "{sources}") not in PLACEHOLDERS:
            raise SystemExit(f"{where}.findings: bad value")


def validate_toolchain(tc: dict, where: str) -> None:
    _keys(where, tc, {"schema", "language", "display_name", "image", "versions", "workspace", "env",
                      "mounts", "needs", "defaults", "modes", "quality"},
          {"schema", "language", "display_name", "workspace", "env", "defaults", "modes"})
    _keys(where + ".workspace", tc["workspace"], {"sources", "candidate_files", "reserved", "scaffold"},
          {"sources", "candidate_files", "reserved"})
    for i, item in enumerate(tc["workspace"].get("scaffold", [])):
        _keys(f"{where}.workspace.scaffold[{i}]", item, {"path", "from", "symlink"}, {"path"})
        if ("from" in item) == ("symlink" in item):
            raise SystemExit(f"{where}.workspace.scaffold[{i}]: exactly one of from, symlink")
        if "from" in item and not (SCAFFOLD / item["from"]).is_file():
            raise SystemExit(f"{where}.workspace.scaffold[{i}]: no file scaffold/{item['from']}")
    if not all(isinstance(v, str) for v in tc["env"].values()):
        raise SystemExit(f"{where}.env: values must be strings")
    for i, m in enumerate(tc.get("mounts", [])):
        _keys(f"{where}.mounts[{i}]", m, {"path", "why"}, {"path", "why"})
    _keys(where + ".needs", tc.get("needs", {}), {"proc", "dev_shm", "writable_home"})
    _keys(where + ".defaults", tc["defaults"], {"limits"}, {"limits"})
    _keys(where + ".defaults.limits", tc["defaults"]["limits"], LIMIT_KEYS, LIMIT_KEYS)
    _keys(where + ".modes", tc["modes"], {"framework", "program", "io"})
    for name, mode in tc["modes"].items():
        _keys(f"{where}.modes.{name}", mode, {"requires", "solution", "tests", "build", "test"},
              {"requires", "solution", "tests", "test"})
        if "build" in mode:
            validate_step(f"{where}.modes.{name}.build", mode["build"], "build")
        validate_step(f"{where}.modes.{name}.test", mode["test"], "test")
        if (mode["test"].get("stdin") == "case") != (name == "io") or \
                (mode["test"]["result"]["parser"] == "io") != (name == "io"):
            raise SystemExit(f"{where}.modes.{name}: stdin: case and parser io go with mode io only")
    for i, q in enumerate(tc.get("quality", [])):
        validate_step(f"{where}.quality[{i}]", q, "quality")


def toolchain(language: str) -> dict:
    if language not in _toolchains:
        with open(TOOLCHAINS / f"{language}.yaml") as f:
            tc = yaml.safe_load(f)
        if tc.get("schema") != 1 or tc.get("language") != language:
            raise SystemExit(f"toolchains/{language}.yaml: bad schema/language")
        validate_toolchain(tc, f"toolchains/{language}.yaml")
        _toolchains[language] = tc
    return _toolchains[language]


def glob_regex(pattern: str) -> re.Pattern:
    """Workspace globs: '*' and '?' never match '/'; everything else is literal."""
    out = []
    for ch in pattern:
        if ch == "*":
            out.append("[^/]*")
        elif ch == "?":
            out.append("[^/]")
        else:
            out.append(re.escape(ch))
    return re.compile("".join(out) + r"\Z")


def matches_any(path: str, patterns: list[str]) -> bool:
    return any(glob_regex(p).match(path) for p in patterns)


def is_reserved(path: str, reserved: list[str]) -> bool:
    for r in reserved:
        if r.endswith("/"):
            if path == r[:-1] or path.startswith(r):
                return True
        elif glob_regex(r).match(path):
            return True
    return False


def check_path(path: str) -> None:
    parts = path.split("/")
    if (not path or path.startswith("/") or "\\" in path or "\0" in path
            or any(p in ("", ".", "..") for p in parts)):
        raise BadInput(f"bad file path {path!r}")


# --------------------------------------------------------------------------- workspace

def write_file(root: Path, rel: str, content: str) -> None:
    p = root / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    if p.is_symlink() or (p.exists() and not p.is_file()):
        raise BadInput(f"{rel} collides with a directory or link")
    p.write_text(content)


def layout(root: Path, tc: dict, task: dict, mode: dict, candidate_files: dict,
           solution_override: dict | None = None, restrict_candidate_to: list[str] | None = None
           ) -> list[str]:
    """Builds the workspace; returns the candidate's source files ({candidate_sources})."""
    ws = tc["workspace"]
    for rel in list(task.get("files", {})) + list(task.get("tests", {})):
        check_path(rel)
        if is_reserved(rel, ws["reserved"]):
            raise BadInput(f"task file {rel} is reserved by the {tc['language']} toolchain")
    for rel in candidate_files:
        check_path(rel)
        if is_reserved(rel, ws["reserved"]):
            raise BadInput(f"candidate file {rel} is reserved by the {tc['language']} toolchain")
        if not matches_any(rel, ws["candidate_files"]):
            raise BadInput(f"candidate file {rel} does not match {ws['candidate_files']}")
        if rel in task.get("tests", {}):
            raise BadInput(f"candidate file {rel} would replace a hidden test")
        if restrict_candidate_to is not None and rel not in restrict_candidate_to:
            raise BadInput(f"candidate file {rel}: a test-generation candidate supplies only "
                           f"{restrict_candidate_to}")
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    for rel, content in task.get("files", {}).items():
        write_file(root, rel, content)
    for rel, content in candidate_files.items():
        write_file(root, rel, content)
    for rel, content in (solution_override or {}).items():
        write_file(root, rel, content)
    for rel, content in task.get("tests", {}).items():
        write_file(root, rel, content)
    apply_scaffold(root, tc)
    (root / ".crucible").mkdir(exist_ok=True)
    missing = [r for r in mode["requires"] if not (root / r).is_file()]
    if missing:
        raise BadInput(f"workspace lacks {missing} (test_mode needs {mode['requires']})")
    return sorted(r for r in candidate_files if matches_any(r, ws["sources"]))


def apply_scaffold(root: Path, tc: dict) -> None:
    """Scaffolding goes last and is re-applied before every step (content compared)."""
    for item in tc["workspace"]["scaffold"]:
        dest = root / item["path"]
        dest.parent.mkdir(parents=True, exist_ok=True)
        if "symlink" in item:
            if dest.is_symlink() and os.readlink(dest) == item["symlink"]:
                continue
            if dest.is_dir() and not dest.is_symlink():
                shutil.rmtree(dest)
            elif dest.exists() or dest.is_symlink():
                dest.unlink()
            os.symlink(item["symlink"], dest)
        else:
            content = (SCAFFOLD / item["from"]).read_bytes()
            if dest.is_symlink() or dest.is_dir():
                shutil.rmtree(dest) if dest.is_dir() and not dest.is_symlink() else dest.unlink()
            if not dest.exists() or dest.read_bytes() != content:
                dest.write_bytes(content)


def workspace_sources(root: Path, patterns: list[str]) -> list[str]:
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        rel_dir = os.path.relpath(dirpath, root)
        rel_dir = "" if rel_dir == "." else rel_dir + "/"
        dirnames[:] = sorted(d for d in dirnames
                             if not (rel_dir + d).startswith(".crucible")
                             and not os.path.islink(os.path.join(dirpath, d)))
        for fn in filenames:
            rel = rel_dir + fn
            if not os.path.islink(os.path.join(dirpath, fn)) and matches_any(rel, patterns):
                found.append(rel)
    return sorted(found)


def expand_argv(argv: list[str], values: dict[str, list[str]]) -> list[str]:
    out = []
    for a in argv:
        if a in values:
            out.extend(values[a])
        else:
            out.append(a)
    return out


# --------------------------------------------------------------------------- running

def run_sandboxed(root: Path, tc: dict, step: dict, values: dict, stdin: str | None = None,
                  task_limits: dict | None = None) -> dict:
    limits = dict(tc["defaults"]["limits"])
    limits.update(step.get("limits", {}))
    if task_limits:
        limits.update({k: v for k, v in task_limits.items() if k in limits})
    env = dict(tc["env"])
    for k, v in (step.get("env") or {}).items():
        if v is None:
            env.pop(k, None)
        else:
            env[k] = str(v)
    argv = expand_argv(step["argv"], values)
    # Reports are deleted before the step: a stale or planted report is never read.
    report = (step.get("result") or {}).get("report")
    if report and (root / report).exists():
        (root / report).unlink()
    cmd = [str(SANDBOX), "--work", str(root),
           "--wall", str(limits["wall_time_s"]), "--cpu", str(int(limits["cpu_time_s"])),
           "--mem", str(limits["memory_mib"]), "--pids", str(limits["pids"]),
           "--tmp", str(limits["tmp_mib"]), "--fsize", str(limits["file_size_mib"])]
    for m in tc.get("mounts", []):
        cmd += ["--ro", m["path"]]
    cmd += EXTRA_SANDBOX_ARGS
    for k, v in env.items():
        cmd += ["--env", f"{k}={v}"]
    stdin_path = None
    if stdin is not None:
        fd, stdin_path = tempfile.mkstemp(prefix="crucible-stdin-")
        with os.fdopen(fd, "w") as f:
            f.write(stdin)
        cmd += ["--stdin", stdin_path]
    cmd += ["--"] + argv
    t0 = time.monotonic()
    p = subprocess.run(cmd, capture_output=True, timeout=limits["wall_time_s"] + 60)
    wall = time.monotonic() - t0
    if stdin_path:
        os.unlink(stdin_path)
    stderr = p.stderr.decode("utf-8", "replace")
    usage = {}
    sbx_lines = [l for l in stderr.splitlines() if l.startswith("SBX: ")]
    for line in sbx_lines:
        for key, val in re.findall(r"(\w+)=([\w.]+)", line):
            usage[key] = val
    # drop the stand-in's own lines (its usage line, bash's multi-line "Killed" notice)
    cut = re.search(r"(?m)^(sbx|\S*sandbox-sim\.sh): line \d+: ", stderr)
    if cut:
        stderr = stderr[:cut.start()]
    stderr = "\n".join(l for l in stderr.splitlines() if not l.startswith("SBX: "))
    stdout = p.stdout.decode("utf-8", "replace")
    out_cap = limits["output_kib"] * 1024
    limits_hit = []
    if len(stdout) > out_cap or len(stderr) > out_cap:
        limits_hit.append("output")
    code = p.returncode
    if any("wall time limit" in l for l in sbx_lines):
        status = "wall_time_limit"
        limits_hit.append("wall_time")
    elif code != 0 and usage.get("oom_kill", "0") != "0":
        # Any process of the step killed by the OOM killer (the main one, or a child such
        # as node:test's runner or cargo's test binary) and the step failed: memory ended it.
        status = "memory_limit"
        limits_hit.append("memory")
    elif code in (152, -24) or (code > 128 and float(usage.get("cpu", "0s").rstrip("s")) >= 0.95 * limits["cpu_time_s"]):
        status = "cpu_time_limit"
        limits_hit.append("cpu_time")
    elif code > 128:
        status = "signaled"
    elif code == 0:
        status = "ok"
    else:
        status = "exited"
    if usage.get("pids_max_hits", "0") not in ("0", "?"):
        limits_hit.append("pids")
    return {
        "argv": argv, "status": status, "exit_code": code if code <= 128 else None,
        "signal": code - 128 if code > 128 else None,
        "wall_time_s": round(float(usage.get("wall", "%.3fs" % wall).rstrip("s")), 3),
        "cpu_time_s": round(float(usage.get("cpu", "0s").rstrip("s")), 3),
        "peak_memory_mib": int(usage.get("peak_mem", "0MiB").rstrip("MiB") or 0),
        "limits_hit": limits_hit,
        "stdout": stdout[:out_cap], "stderr": stderr[:out_cap],
    }


def exit_meaning(step: dict, res: dict) -> str:
    codes = step.get("exit_codes", {"0": "ok", "other": "fail"})
    if res["exit_code"] is None:
        return "fail"
    return codes.get(str(res["exit_code"]), codes.get("other", "fail"))


# --------------------------------------------------------------------------- result parsers

def clip(s) -> str | None:
    if s is None:
        return None
    s = str(s).strip()
    return s[:MESSAGE_MAX] if s else None


def parse_junit(path: Path, name_style: str) -> list[dict] | None:
    if not path.is_file():
        return None
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError:
        return None
    tests = []

    def walk(el, suites):
        for child in el:
            if child.tag == "testsuite":
                walk(child, suites + [child.get("name", "")])
            elif child.tag == "testcase":
                name = child.get("name", "")
                if name_style == "classname.name" and child.get("classname"):
                    name = f"{child.get('classname')}.{name}"
                elif name_style == "suite-path":
                    name = " > ".join([s for s in suites if s] + [name])
                status, message = "passed", None
                for tag, st in (("failure", "failed"), ("error", "error"), ("skipped", "skipped")):
                    node = child.find(tag)
                    if node is not None:
                        status = st
                        message = node.get("message") or node.text
                        if node.text and node.get("message") and st != "skipped":
                            message = node.text
                        break
                t = child.get("time")
                tests.append({"name": name, "status": status,
                              "duration_s": float(t) if t not in (None, "") else None,
                              "message": clip(message)})
            else:
                walk(child, suites)

    walk(root, [] if root.tag == "testsuites" else [])
    if root.tag == "testsuite":  # a lone <testsuite> root is not a user suite
        tests = []
        walk(root, [])
    return tests


def parse_go_test_json(stdout: str) -> list[dict]:
    order, state = [], {}
    package_output, package_action = [], None
    for line in stdout.splitlines():
        try:
            ev = json.loads(line)
        except ValueError:
            continue
        if not isinstance(ev, dict):
            continue
        test = ev.get("Test")
        action = ev.get("Action")
        if not test:
            if action == "output":
                package_output.append(ev.get("Output", ""))
            elif action in ("pass", "fail", "skip"):
                package_action = action
            continue
        st = state.setdefault(test, {"status": None, "elapsed": None, "output": []})
        if test not in order:
            order.append(test)
        if action == "output":
            out = ev.get("Output", "")
            if not re.match(r"\s*(=== (RUN|PAUSE|CONT)|--- (PASS|FAIL|SKIP))", out):
                st["output"].append(out)
        elif action in ("pass", "fail", "skip"):
            st["status"] = {"pass": "passed", "fail": "failed", "skip": "skipped"}[action]
            st["elapsed"] = ev.get("Elapsed")
    tests = []
    for name in order:
        st = state[name]
        children = [n for n in order if n.startswith(name + "/")]
        status = st["status"] or "error"
        if children and status != "error":
            # parents are listed only when they failed on their own account
            if not (status == "failed" and all(state[c]["status"] == "passed" for c in children)):
                continue
        msg = "".join(st["output"])
        if st["status"] is None:
            msg = "did not finish (the test binary was killed or crashed)\n" + msg
        tests.append({"name": name, "status": status, "duration_s": st["elapsed"],
                      "message": clip(msg) if status != "passed" else None})
    if not tests and package_action == "fail":
        tests.append({"name": "(package)", "status": "error", "duration_s": None,
                      "message": clip("".join(package_output))})
    return tests


def parse_libtest(stdout: str) -> list[dict]:
    tests, index = [], {}
    for m in re.finditer(r"^test (\S+) \.\.\. ?(ok|FAILED|ignored(?:, .*)?|)$", stdout, re.M):
        name, res = m.group(1), m.group(2)
        status = ("passed" if res == "ok" else "failed" if res == "FAILED"
                  else "skipped" if res.startswith("ignored") else "error")
        index[name] = len(tests)
        tests.append({"name": name, "status": status, "duration_s": None,
                      "message": "did not finish (the test process was killed or aborted)"
                      if status == "error" else None})
    for m in re.finditer(r"^---- (\S+) stdout ----\n(.*?)(?=^---- \S+ stdout ----$|^failures:$|\Z)",
                         stdout, re.M | re.S):
        if m.group(1) in index:
            tests[index[m.group(1)]]["message"] = clip(m.group(2))
    return tests


TAP_LINE = re.compile(r"^(not ok|ok)\b\s*(\d+)?\s*(?:-\s*)?(.*?)\s*(?:#\s*(SKIP|TODO)\b(.*))?$", re.I)


def parse_tap(stdout: str) -> list[dict]:
    tests = []
    lines = stdout.splitlines()
    for i, line in enumerate(lines):
        m = TAP_LINE.match(line)
        if not m:
            continue
        ok = m.group(1).lower() == "ok"
        directive = (m.group(4) or "").upper()
        status = "skipped" if directive in ("SKIP", "TODO") else ("passed" if ok else "failed")
        name = m.group(3) or f"test {m.group(2) or len(tests) + 1}"
        message = None
        if status == "failed":
            diag = []
            for nxt in lines[i + 1:]:
                if nxt.startswith("#") or nxt.startswith("  "):
                    diag.append(nxt.lstrip("# ").rstrip())
                else:
                    break
            message = clip("\n".join(diag)) or "not ok"
        tests.append({"name": name, "status": status, "duration_s": None, "message": message})
    return tests


def normalise_output(s: str) -> str:
    lines = [l.rstrip() for l in s.replace("\r\n", "\n").split("\n")]
    while lines and lines[-1] == "":
        lines.pop()
    return "\n".join(lines)


# --------------------------------------------------------------------------- findings parsers

def rel_path(p: str) -> str:
    p = p or ""
    if p.startswith("/work/"):
        p = p[len("/work/"):]
    while p.startswith("./"):
        p = p[2:]
    return p


def ruff_severity(code: str) -> str:
    if re.match(r"(F|E9|PLE|S)\d", code or ""):
        return "error"
    if re.match(r"(E|W)\d", code or ""):
        return "info"
    return "warning"


def staticcheck_severity(code: str) -> str:
    if code.startswith("SA") or code == "compile":
        return "error"
    if code.startswith("ST"):
        return "info"
    return "warning"


TSC_WARNING_CODES = {"6133", "6138", "6192", "6196", "6198", "6199", "6205", "7027", "7028",
                     "7029", "7030"}
TSC_INFO_CODES = {"4111", "4113", "4114", "4115", "4116"}


def parse_findings(parser: str, tool: str, res: dict, root: Path) -> list[dict]:
    out: list[dict] = []
    text = res["stdout"]

    def add(rule, severity, path, line, message):
        out.append({"tool": tool, "rule": rule, "severity": severity, "path": rel_path(path),
                    "line": int(line) if line not in (None, "") else None,
                    "message": clip(message) or ""})

    if parser == "ruff-json":
        for d in json.loads(text or "[]"):
            add(d.get("code") or "syntax-error", ruff_severity(d.get("code") or "E9"),
                d.get("filename"), (d.get("location") or {}).get("row"), d.get("message"))
    elif parser == "eslint-json":
        for f in json.loads(text or "[]"):
            for m in f.get("messages", []):
                rule = m.get("ruleId") or ("parse-error" if m.get("fatal") else "eslint")
                add(rule, "error" if m.get("severity") == 2 else "warning", f.get("filePath"),
                    m.get("line"), m.get("message"))
    elif parser == "tsc":
        current = None
        for line in text.splitlines():
            m = re.match(r"^(.+?)\((\d+),(\d+)\): (error|warning) TS(\d+): (.*)$", line)
            if m:
                code = m.group(5)
                sev = ("warning" if code in TSC_WARNING_CODES else
                       "info" if code in TSC_INFO_CODES else "error")
                add("TS" + code, sev, m.group(1), m.group(2), m.group(6))
                current = out[-1]
            elif line.startswith(" ") and current is not None:
                current["message"] = clip(current["message"] + "\n" + line.strip())
    elif parser == "go-vet-json":
        stream = res["stderr"]
        body = "\n".join(l for l in stream.splitlines() if not l.startswith("#"))
        dec, i = json.JSONDecoder(), 0
        while i < len(body):
            while i < len(body) and body[i].isspace():
                i += 1
            if i >= len(body):
                break
            try:
                obj, i = dec.raw_decode(body, i)
            except ValueError:
                add("vet", "error", "", None, body[i:i + 500])
                break
            for _pkg, analyzers in obj.items():
                for analyzer, diags in analyzers.items():
                    if isinstance(diags, dict) and "error" in diags:
                        add(analyzer, "error", "", None, diags["error"])
                        continue
                    for d in diags:
                        m = re.match(r"^(.*?):(\d+)(?::(\d+))?$", d.get("posn", ""))
                        add(analyzer, "error", m.group(1) if m else d.get("posn"),
                            m.group(2) if m else None, d.get("message"))
    elif parser == "staticcheck-json":
        for line in text.splitlines():
            try:
                d = json.loads(line)
            except ValueError:
                continue
            loc = d.get("location") or {}
            add(d.get("code"), staticcheck_severity(d.get("code", "")), loc.get("file"),
                loc.get("line") or None, d.get("message"))
    elif parser == "clippy-json":
        for line in text.splitlines():
            try:
                d = json.loads(line)
            except ValueError:
                continue
            if d.get("reason") != "compiler-message":
                continue
            m = d["message"]
            spans = [s for s in m.get("spans", []) if s.get("is_primary")]
            if not spans:
                continue  # "N warnings emitted" and similar summaries
            level = m.get("level")
            add((m.get("code") or {}).get("code") or level, "error" if level == "error" else
                "warning" if level == "warning" else "info", spans[0]["file_name"],
                spans[0]["line_start"], m.get("message"))
    elif parser == "checkstyle-xml":
        start = text.find("<?xml")
        if start < 0:
            start = text.find("<checkstyle")
        root_el = ET.fromstring(text[start:]) if start >= 0 else None
        if root_el is not None:
            for f in root_el.iter("file"):
                for e in f.iter("error"):
                    sev = e.get("severity", "warning")
                    if sev == "ignore":
                        continue
                    src = (e.get("source") or "").rsplit(".", 1)[-1]
                    rule = src[:-5] if src.endswith("Check") else src
                    add(rule, sev if sev in ("error", "warning", "info") else "warning",
                        f.get("name"), e.get("line"), e.get("message"))
    elif parser == "mcs-warnings":
        for line in (text + "\n" + res["stderr"]).splitlines():
            m = re.match(r"^(.+?)\((\d+),(\d+)\): (warning|error) (CS\d+): (.*)$", line)
            if m:
                add(m.group(5), m.group(4), m.group(1), m.group(2), m.group(6))
    elif parser == "rubocop-json":
        sev_map = {"fatal": "error", "error": "error", "warning": "warning",
                   "refactor": "warning", "convention": "info", "info": "info"}
        for f in json.loads(text or "{}").get("files", []):
            for o in f.get("offenses", []):
                add(o.get("cop_name"), sev_map.get(o.get("severity"), "warning"), f.get("path"),
                    (o.get("location") or {}).get("line"), o.get("message"))
    else:
        raise SystemExit(f"unknown findings parser {parser}")
    return out


# --------------------------------------------------------------------------- a job

def step_record(name: str, res: dict) -> dict:
    return {"name": name, "status": res["status"], "exit_code": res["exit_code"],
            "cpu_time_s": res["cpu_time_s"], "wall_time_s": res["wall_time_s"],
            "peak_memory_bytes": res["peak_memory_mib"] * 1048576,
            "limits_hit": res["limits_hit"], "argv": res["argv"],
            "stdout": res["stdout"][-4000:], "stderr": res["stderr"][-4000:]}


def evaluate(task: dict, candidate_files: dict, workdir: Path, solution_override=None,
             restrict_candidate_to=None, with_quality=True) -> dict:
    tc = toolchain(task["language"])
    mode_name = task.get("test_mode", "framework")
    if mode_name not in tc["modes"]:
        raise BadInput(f"{task['language']} has no test_mode {mode_name}")
    mode = tc["modes"][mode_name]
    cand_sources = layout(workdir, tc, task, mode, candidate_files, solution_override,
                          restrict_candidate_to)
    values = {
        "{sources}": workspace_sources(workdir, tc["workspace"]["sources"]),
        "{candidate_sources}": cand_sources,
        "{solution}": mode["solution"],
        "{tests}": mode["tests"],
    }
    result = {"task_id": task["id"], "verdict": None, "error": None, "steps": [], "tests": [],
              "tests_passed": 0, "tests_total": 0, "findings": []}

    build = mode.get("build")
    if build:
        apply_scaffold(workdir, tc)
        res = run_sandboxed(workdir, tc, build, values)
        result["steps"].append(step_record("build", res))
        meaning = exit_meaning(build, res)
        if res["status"] not in ("ok", "exited") or meaning != "ok":
            if meaning == "error" and res["status"] in ("ok", "exited"):
                result["verdict"], result["error"] = "errored", "build step: toolchain error"
            else:
                result["verdict"] = "build_failed"
                if res["status"] not in ("ok", "exited"):
                    result["error"] = f"build ended by {res['status']}"
            return result

    test = mode["test"]
    parser = test["result"]["parser"]
    apply_scaffold(workdir, tc)
    if parser == "io":
        cases = task.get("io_cases") or []
        if not cases:
            raise BadInput("test_mode io needs io_cases")
        total_w = passed_w = 0.0
        limit_status = None
        for i, case in enumerate(cases, 1):
            res = run_sandboxed(workdir, tc, test, values, stdin=case.get("stdin", ""),
                                task_limits=task.get("limits"))
            result["steps"].append(step_record(f"test:case-{i}", res))
            w = float(case.get("weight", 1))
            total_w += w
            got, want = normalise_output(res["stdout"]), normalise_output(case["expected_stdout"])
            if res["status"] not in ("ok", "exited"):
                status, msg = "failed", f"ended by {res['status']}"
                limit_status = limit_status or res["status"]
                result["error"] = result["error"] or f"case-{i} ended by {res['status']}"
            elif exit_meaning(test, res) != "ok":
                status, msg = "failed", f"exit code {res['exit_code']}: {res['stderr'][-500:]}"
            elif got == want:
                status, msg = "passed", None
            else:
                gl, wl = got.split("\n"), want.split("\n")
                n = next((k for k in range(max(len(gl), len(wl)))
                          if (gl[k] if k < len(gl) else None) != (wl[k] if k < len(wl) else None)), 0)
                msg = (f"line {n + 1}: expected {wl[n] if n < len(wl) else '<end of output>'!r}, "
                       f"got {gl[n] if n < len(gl) else '<end of output>'!r}")
                status = "failed"
            if status == "passed":
                passed_w += w
            result["tests"].append({"name": f"case-{i}", "status": status,
                                    "duration_s": res["wall_time_s"], "message": msg, "weight": w})
        result["weighted_pass_rate"] = passed_w / total_w if total_w else 0.0
        if all(t["status"] == "passed" for t in result["tests"]):
            result["verdict"] = "passed"
        elif limit_status in ("wall_time_limit", "cpu_time_limit", "memory_limit", "output_limit"):
            result["verdict"] = "timeout"
        else:
            result["verdict"] = "failed"
    else:
        res = run_sandboxed(workdir, tc, test, values, task_limits=task.get("limits"))
        result["steps"].append(step_record("test", res))
        meaning = exit_meaning(test, res)
        tests: list[dict] | None
        if parser == "junit-xml":
            tests = parse_junit(workdir / test["result"]["report"], test["result"].get("name", "name"))
        elif parser == "go-test-json":
            tests = parse_go_test_json(res["stdout"])
        elif parser == "libtest":
            tests = parse_libtest(res["stdout"])
        elif parser == "tap":
            tests = parse_tap(res["stdout"])
        elif parser == "exit-code":
            tests = []
        else:
            raise SystemExit(f"unknown result parser {parser}")
        tests = tests or []
        fallback = test["result"].get("fallback")
        if parser == "exit-code" or (not tests and fallback == "exit-code"):
            tests = [{"name": "program", "status": "passed" if res["status"] == "ok" else "failed",
                      "duration_s": res["wall_time_s"],
                      "message": None if res["status"] == "ok" else clip(
                          f"exit code {res['exit_code']}, status {res['status']}\n" + res["stderr"][-1500:])}]
        elif parser == "tap" and res["status"] != "ok" and all(t["status"] != "failed" for t in tests):
            tests.append({"name": "program", "status": "failed", "duration_s": res["wall_time_s"],
                          "message": clip(f"exit code {res['exit_code']}, status {res['status']}\n"
                                          + res["stderr"][-1500:])})
        if not tests and res["status"] in ("ok", "exited") and meaning != "error":
            tests = [{"name": "(no test results)", "status": "error", "duration_s": None,
                      "message": clip((res["stdout"][-1000:] + "\n" + res["stderr"][-1500:]))}]
        result["tests"] = tests
        if res["status"] in ("wall_time_limit", "cpu_time_limit", "memory_limit", "output_limit"):
            result["verdict"] = "timeout"
            result["error"] = f"test ended by {res['status']}"
        elif meaning == "error":
            result["verdict"], result["error"] = "errored", f"test step: toolchain error (exit {res['exit_code']})"
        elif (meaning == "ok" and res["status"] == "ok" and tests
              and all(t["status"] in ("passed", "skipped") for t in tests)
              and any(t["status"] == "passed" for t in tests)):
            result["verdict"] = "passed"
        else:
            result["verdict"] = "failed"
    result["tests_total"] = len([t for t in result["tests"] if t["status"] != "skipped"])
    result["tests_passed"] = len([t for t in result["tests"] if t["status"] == "passed"])

    if with_quality:
        for q in tc.get("quality", []):
            apply_scaffold(workdir, tc)
            if "{candidate_sources}" in q["argv"] and not values["{candidate_sources}"]:
                continue
            res = run_sandboxed(workdir, tc, q, values)
            rec = step_record("quality:" + q["tool"], res)
            result["steps"].append(rec)
            if res["status"] not in ("ok", "exited") or exit_meaning(q, res) == "error":
                rec["quality_error"] = True
                continue
            f = q["findings"]
            res2 = dict(res)
            if f.get("stream") == "stderr":
                res2["stderr"] = res["stderr"]
            try:
                found = parse_findings(f["parser"], q["tool"], res2, workdir)
            except (ValueError, ET.ParseError) as e:
                rec["quality_error"] = f"unparsable {f['parser']} output: {e}"
                continue
            only = f.get("only_paths")
            if only:
                keep = set(values[only])
                found = [x for x in found if x["path"] in keep]
            result["findings"].extend(found)
    return result


def evaluate_test_generation(task: dict, candidate_files: dict, workdir: Path) -> dict:
    """Candidate tests must pass on the reference implementation and fail on mutants."""
    tc = toolchain(task["language"])
    mode = tc["modes"][task.get("test_mode", "framework")]
    allowed = list(mode["tests"])
    ref = evaluate(task, candidate_files, workdir, restrict_candidate_to=allowed)
    out = {"task_id": task["id"], "reference_run": ref, "mutants": [], "error": ref.get("error"),
           "findings": ref.get("findings", [])}
    if ref["verdict"] != "passed":
        out["verdict"] = ref["verdict"] if ref["verdict"] in ("build_failed", "timeout", "errored") else "failed"
        out["mutants_killed"], out["mutants_total"] = 0, len(task.get("mutants", []))
        out["correctness"] = 0
        return out
    killed = 0
    for i, mutant in enumerate(task.get("mutants", []), 1):
        r = evaluate(task, candidate_files, workdir, solution_override=mutant["files"],
                     restrict_candidate_to=allowed, with_quality=False)
        dead = r["verdict"] in ("failed", "build_failed", "timeout")
        killed += dead
        out["mutants"].append({"id": mutant.get("id", f"m{i}"), "killed": dead, "verdict": r["verdict"],
                               "failing_tests": [t["name"] for t in r["tests"] if t["status"] in ("failed", "error")]})
    total = len(task.get("mutants", []))
    out["mutants_killed"], out["mutants_total"] = killed, total
    out["correctness"] = round(100.0 * killed / total, 1) if total else 100.0
    out["verdict"] = "passed" if killed == total else "failed"
    return out


# --------------------------------------------------------------------------- the bank

def validate_task(task: dict, path: Path) -> None:
    need = ["id", "language", "scenario", "difficulty", "prompt", "files", "tests", "test_mode",
            "io_cases", "reference", "limits"]
    for k in need:
        if k not in task:
            raise SystemExit(f"{path}: missing {k}")
    if task["language"] not in LANGUAGES or task["scenario"] not in SCENARIOS \
            or task["difficulty"] not in DIFFICULTIES or task["test_mode"] not in TEST_MODES:
        raise SystemExit(f"{path}: bad language/scenario/difficulty/test_mode")
    if path.stem != task["id"]:
        raise SystemExit(f"{path}: file name must be the task id")
    if task["test_mode"] == "io" and not task["io_cases"]:
        raise SystemExit(f"{path}: io task without io_cases")
    if task["scenario"] == "test-generation":
        if task["tests"]:
            raise SystemExit(f"{path}: test-generation tasks ship no hidden tests")
        if len(task.get("mutants", [])) < 2:
            raise SystemExit(f"{path}: test-generation tasks need 2+ mutants")
    tc = toolchain(task["language"])
    mode = tc["modes"].get(task["test_mode"])
    if mode is None:
        raise SystemExit(f"{path}: {task['language']} has no mode {task['test_mode']}")


def load_bank(args) -> tuple[list[tuple[Path, dict]], list[tuple[Path, dict]]]:
    tasks = []
    for lang in LANGUAGES:
        for p in sorted((TASKS / lang).glob("*.json")):
            t = json.loads(p.read_text())
            validate_task(t, p)
            tasks.append((p, t))
    cands = []
    for p in sorted((TASKS / "candidates").glob("*/*/*.json")):
        c = json.loads(p.read_text())
        for k in ("task_id", "model", "files", "metadata"):
            if k not in c:
                raise SystemExit(f"{p}: missing {k}")
        cands.append((p, c))
    ids = {t["id"] for _, t in tasks}
    if len(ids) != len(tasks):
        raise SystemExit("duplicate task ids")
    for p, c in cands:
        if c["task_id"] not in ids:
            raise SystemExit(f"{p}: unknown task {c['task_id']}")
    return tasks, cands


def check_expect(c: dict, r: dict) -> list[str]:
    exp = c.get("expect") or {}
    problems = []
    allowed = exp["verdict"] if isinstance(exp.get("verdict"), list) else [exp.get("verdict")]
    if "verdict" in exp and r.get("verdict") not in allowed:
        problems.append(f"verdict {r.get('verdict')} != expected {exp['verdict']}")
    tests = r.get("tests") or (r.get("reference_run") or {}).get("tests") or []
    failing = {t["name"] for t in tests if t["status"] in ("failed", "error")}
    for name in exp.get("failing_tests", []):
        if name not in failing:
            problems.append(f"test {name!r} expected to fail; failing: {sorted(failing)}")
    if "min_tests" in exp and len(tests) < exp["min_tests"]:
        problems.append(f"{len(tests)} tests < {exp['min_tests']}")
    if "build_message" in exp:
        steps = r.get("steps") or (r.get("reference_run") or {}).get("steps", [])
        build = next((s for s in steps if s["name"] == "build"), None)
        text = (build or {}).get("stdout", "") + (build or {}).get("stderr", "")
        if exp["build_message"] not in text:
            problems.append(f"build output lacks {exp['build_message']!r}")
    if "mutants_killed" in exp and r.get("mutants_killed") != exp["mutants_killed"]:
        problems.append(f"mutants_killed {r.get('mutants_killed')} != {exp['mutants_killed']}")
    if exp.get("mutants_fail_tests"):
        for m in r.get("mutants", []):
            if m["verdict"] != "failed":
                problems.append(f"mutant {m['id']} must build and fail tests, got {m['verdict']}")
    if "findings_min" in exp and len(r.get("findings", [])) < exp["findings_min"]:
        problems.append(f"{len(r.get('findings', []))} findings < {exp['findings_min']}")
    if "never_contains" in exp:
        steps = r.get("steps") or (r.get("reference_run") or {}).get("steps", [])
        # what the candidate's code printed (linters echo the source, which names the words)
        blob = "".join(s.get("stdout", "") + s.get("stderr", "") for s in steps
                       if not s["name"].startswith("quality"))
        blob += "".join(t.get("message") or "" for t in tests)
        for word in exp["never_contains"]:
            if word in blob:
                problems.append(f"output contains {word!r}: containment failed")
    if "error_contains" in exp and exp["error_contains"] not in (r.get("error") or ""):
        problems.append(f"error {r.get('error')!r} lacks {exp['error_contains']!r}")
    return problems


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lang", action="append")
    ap.add_argument("--task", action="append")
    ap.add_argument("--model", action="append")
    ap.add_argument("--validate-only", action="store_true")
    ap.add_argument("--show", action="store_true", help="print each job result as JSON")
    ap.add_argument("--no-quality", action="store_true")
    ap.add_argument("--keep", action="store_true", help="keep workspaces under /tmp/crucible-check")
    ap.add_argument("--json-out", help="write all results to this file")
    ap.add_argument("--no-proc", action="store_true", help="run steps without /proc (experiment)")
    args = ap.parse_args()
    if args.no_proc:
        EXTRA_SANDBOX_ARGS.append("--no-proc")

    tasks, cands = load_bank(args)
    for lang in LANGUAGES:
        toolchain(lang)
    print(f"{len(LANGUAGES)} toolchains valid; {len(tasks)} tasks, {len(cands)} candidates: valid JSON")
    if args.validate_only:
        return 0
    if os.geteuid() != 0:
        print("run as root (the sandbox stand-in needs namespaces and cgroups)", file=sys.stderr)
        return 2
    by_id = {t["id"]: t for _, t in tasks}
    base = Path("/tmp/crucible-check")
    base.mkdir(exist_ok=True)
    failures, results = 0, []
    for p, c in cands:
        t = by_id[c["task_id"]]
        if args.lang and t["language"] not in args.lang:
            continue
        if args.task and t["id"] not in args.task:
            continue
        if args.model and c["model"] not in args.model:
            continue
        wd = base / f"{t['id']}--{c['model']}"
        t0 = time.monotonic()
        try:
            if t["scenario"] == "test-generation":
                r = evaluate_test_generation(t, c["files"], wd)
            else:
                r = evaluate(t, c["files"], wd, with_quality=not args.no_quality)
        except BadInput as e:
            r = {"task_id": t["id"], "verdict": "bad_input", "error": str(e), "tests": [], "steps": []}
        r["model"] = c["model"]
        dt = time.monotonic() - t0
        problems = check_expect(c, r)
        failures += bool(problems)
        steps = r.get("steps") or (r.get("reference_run") or {}).get("steps", [])
        timing = " ".join(f"{s['name']}={s['wall_time_s']:.2f}s" for s in steps)
        tests = r.get("tests") or (r.get("reference_run") or {}).get("tests", [])
        npass = sum(1 for x in tests if x["status"] == "passed")
        extra = (f" mutants {r['mutants_killed']}/{r['mutants_total']}" if "mutants_total" in r else "")
        print(f"{'FAIL' if problems else 'ok  '} {t['id']:<34} {c['model']:<11} {r['verdict']:<12} "
              f"tests {npass}/{len(tests)}{extra} findings {len(r.get('findings', []))} [{dt:.1f}s] {timing}")
        for pr in problems:
            print(f"       ! {pr}")
        if args.show:
            print(json.dumps(r, indent=2)[:20000])
        results.append(r)
        if not args.keep:
            shutil.rmtree(wd, ignore_errors=True)
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(results, indent=2))
    print(f"{len(results)} jobs, {failures} with unmet expectations")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
