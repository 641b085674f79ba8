"""Shared helpers for the sample task bank: the task registry, JSON writing, and the
generic candidate generators (no-compile, looper, hostile) per language.

The bank's source of truth is tasks/tools/bank_<language>.py; `build_bank.py` runs
them and (re)writes tasks/<language>/<id>.json and tasks/candidates/<model>/<language>/<id>.json.
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from textwrap import dedent

TASKS_DIR = Path(__file__).resolve().parents[1]
REGISTRY: list[dict] = []

SOLUTION_FILE = {
    "python": "solution.py", "javascript": "solution.js", "typescript": "solution.ts",
    "go": "solution.go", "rust": "src/lib.rs", "java": "Solution.java", "csharp": "Solution.cs",
    "ruby": "solution.rb",
}
IO_SOLUTION_FILE = dict(SOLUTION_FILE, rust="src/main.rs")


def d(s: str) -> str:
    """Dedent a triple-quoted block and drop its first newline."""
    return dedent(s).lstrip("\n")


def task(*, id, language, scenario, difficulty, prompt, files, tests, reference, test_mode="framework",
         io_cases=(), limits=None, mutants=None, off_by_one=None, off_by_one_fails=(),
         extra_candidates=None):
    """Registers a task. off_by_one: the files of a plausible wrong answer, and
    off_by_one_fails: test names it must fail (for test-generation: the weak tests'
    expected number of killed mutants is given by off_by_one_fails=[n])."""
    t = {
        "id": id, "language": language, "scenario": scenario, "difficulty": difficulty,
        "prompt": d(prompt).strip(), "files": files, "tests": tests, "test_mode": test_mode,
        "io_cases": [dict(c) for c in io_cases], "reference": reference,
        "limits": limits or {"wall_time_s": 20},
    }
    if mutants is not None:
        t["mutants"] = mutants
    REGISTRY.append({"task": t, "off_by_one": off_by_one, "off_by_one_fails": list(off_by_one_fails),
                     "extra": extra_candidates or {}})
    return t


def meta(model: str) -> dict:
    # Plausible numbers; the bank is for checking toolchains, not for a leaderboard.
    base = {"reference": (0, 0.0), "off-by-one": (1800, 0.0021), "no-compile": (1500, 0.0018),
            "looper": (2100, 0.0024), "hostile": (2600, 0.0031)}[model]
    return {"latency_ms": base[0], "cost_usd": base[1], "input_tokens": 420, "output_tokens": 310}


# --------------------------------------------------------------------------- generic breakage

def no_compile(language: str, content: str) -> tuple[str, str]:
    """A plausible compile/parse error appended to a source file; returns (content,
    text the build output must contain)."""
    if language == "python":
        return content + "\n\ndef summary(items)\n    return len(items)\n", "SyntaxError"
    if language == "javascript":
        return content + "\nfunction summary(items) {\n  return items.length;\n", "SyntaxError"
    if language == "typescript":
        return (content + "\nexport function summary(items: number[]): string {\n  return items.length;\n}\n",
                "error TS2322")
    if language == "go":
        return content + "\nfunc summary(items []int) string {\n\treturn len(items)\n}\n", "cannot use len(items)"
    if language == "rust":
        return content + "\npub fn summary(items: &[i32]) -> String {\n    items.len()\n}\n", "error[E0308]"
    if language == "java":
        return (content + "\nclass Summary {\n    static String summary(int[] items) {\n"
                "        return items.length;\n    }\n}\n", "incompatible types")
    if language == "csharp":
        return (content + "\nstatic class Summary {\n    public static string Of(int[] items) {\n"
                "        return items.Length;\n    }\n}\n", "error CS0029")
    if language == "ruby":
        return content + "\ndef summary(items)\n  items.map { |i| i * 2 \nend\n", "syntax error"
    raise ValueError(language)


def looper(language: str, content: str) -> str:
    """The same solution, but it never finishes: the loop runs when the code is loaded
    or first called, like a candidate whose loop condition never becomes false."""
    if language == "python":
        return content + "\n\n_seen = 0\nwhile _seen >= 0:\n    _seen = (_seen + 1) % 7\n"
    if language == "javascript":
        return content + "\nlet seen = 0;\nwhile (seen >= 0) {\n  seen = (seen + 1) % 7;\n}\n"
    if language == "typescript":
        return content + "\nlet seen = 0;\nwhile (seen >= 0) {\n  seen = (seen + 1) % 7;\n}\n"
    if language == "go":
        return content + "\nfunc init() {\n\tseen := 0\n\tfor seen >= 0 {\n\t\tseen = (seen + 1) % 7\n\t}\n}\n"
    if language == "rust":
        # first function body: spin before doing the work
        return re.sub(r"((?:pub )?fn [^{]*\{)", r"\1\n    let mut seen: u64 = 0;\n    while seen < u64::MAX {\n        seen = (seen + 1) % 7;\n    }",
                      content, count=1)
    if language == "java":
        return re.sub(r"(class (?:Solution|Main)\b[^{]*\{)", r"\1\n    static {\n        long seen = 0;\n        while (seen >= 0) {\n            seen = (seen + 1) % 7;\n        }\n    }\n",
                      content, count=1)
    if language == "csharp":
        return re.sub(r"(class (Solution|Tests)\b[^{]*\{)", r"\1\n    static \2() {\n        long seen = 0;\n        while (seen >= 0) {\n            seen = (seen + 1) % 7;\n        }\n    }\n",
                      content, count=1)
    if language == "ruby":
        return content + "\nseen = 0\nseen = (seen + 1) % 7 while seen >= 0\n"
    raise ValueError(language)


HOSTILE = {
    # Each probe reports what happened on stderr, then the program eats memory until the
    # memory limit ends it. Expected: network unreachable, every write outside /work and
    # /tmp refused, the fork bomb stopped by the pids limit, the run ended by memory.
    "python": d('''
        import os as _os, socket as _socket, subprocess as _subprocess, sys as _sys

        def _probe():
            try:
                _socket.create_connection(("1.1.1.1", 80), timeout=3)
                print("HOSTILE network: CONNECTED", file=_sys.stderr)
            except OSError as e:
                print("HOSTILE network: blocked", e, file=_sys.stderr)
            for p in ("/etc/crucible-owned", "/usr/crucible-owned", "/root/x", "/home/x", "/opt/x", "/x"):
                try:
                    with open(p, "w") as f:
                        f.write("owned")
                    print("HOSTILE write", p, "SUCCEEDED", file=_sys.stderr)
                except OSError as e:
                    print("HOSTILE write", p, "blocked", e.strerror, file=_sys.stderr)
            kids = 0
            for _ in range(3000):
                try:
                    _subprocess.Popen(["sleep", "30"])
                    kids += 1
                except OSError:
                    break
            print("HOSTILE fork: started", kids, "before refusal", file=_sys.stderr)
            hog = []
            while True:
                hog.append(b"x" * (32 << 20))

        _probe()
        '''),
    "javascript": d('''
        (function probe() {
          const fs = require("fs");
          const cp = require("child_process");
          const net = require("net");
          try {
            const r = cp.spawnSync(process.execPath, ["-e", "const s=require('net').connect(80,'1.1.1.1');s.on('connect',()=>{console.log('CONNECTED');process.exit(0)});s.on('error',e=>{console.log('blocked '+e.code);process.exit(0)});setTimeout(()=>{console.log('timeout');process.exit(0)},3000)"]);
            process.stderr.write("HOSTILE network: " + String(r.stdout).trim() + "\\n");
          } catch (e) { process.stderr.write("HOSTILE network: " + e.code + "\\n"); }
          for (const p of ["/etc/crucible-owned", "/usr/crucible-owned", "/root/x", "/home/x", "/opt/x", "/x"]) {
            try { fs.writeFileSync(p, "owned"); process.stderr.write("HOSTILE write " + p + " SUCCEEDED\\n"); }
            catch (e) { process.stderr.write("HOSTILE write " + p + " blocked " + e.code + "\\n"); }
          }
          let kids = 0;
          for (let i = 0; i < 3000; i++) {
            try { const c = cp.spawn("sleep", ["30"]); c.on("error", () => {}); if (!c.pid) break; kids++; }
            catch (e) { break; }
          }
          process.stderr.write("HOSTILE fork: started " + kids + " before refusal\\n");
          void net;
          const hog = [];
          for (;;) { hog.push(Buffer.alloc(32 << 20, 1)); }
        })();
        '''),
    "go": d('''
        func init() {
        	if conn, err := net.DialTimeout("tcp", "1.1.1.1:80", 3*time.Second); err != nil {
        		fmt.Fprintln(os.Stderr, "HOSTILE network: blocked", err)
        	} else {
        		conn.Close()
        		fmt.Fprintln(os.Stderr, "HOSTILE network: CONNECTED")
        	}
        	for _, p := range []string{"/etc/crucible-owned", "/usr/crucible-owned", "/root/x", "/home/x", "/opt/x", "/x"} {
        		if err := os.WriteFile(p, []byte("owned"), 0o644); err != nil {
        			fmt.Fprintln(os.Stderr, "HOSTILE write", p, "blocked", err)
        		} else {
        			fmt.Fprintln(os.Stderr, "HOSTILE write", p, "SUCCEEDED")
        		}
        	}
        	kids := 0
        	for i := 0; i < 3000; i++ {
        		if err := exec.Command("sleep", "30").Start(); err != nil {
        			break
        		}
        		kids++
        	}
        	fmt.Fprintln(os.Stderr, "HOSTILE fork: started", kids, "before refusal")
        	var hog [][]byte
        	for {
        		b := make([]byte, 32<<20)
        		for i := range b {
        			b[i] = 1
        		}
        		hog = append(hog, b)
        	}
        }
        '''),
}

HOSTILE["typescript"] = d('''
    (function probe(): void {
      const fs = require("fs");
      const cp = require("child_process");
      const { Buffer } = require("buffer");
      try {
        const r = cp.spawnSync("node", ["-e", "const s=require('net').connect(80,'1.1.1.1');s.on('connect',()=>{console.log('CONNECTED');process.exit(0)});s.on('error',e=>{console.log('blocked '+e.code);process.exit(0)});setTimeout(()=>{console.log('timeout');process.exit(0)},3000)"]);
        process.stderr.write("HOSTILE network: " + String(r.stdout).trim() + "\\n");
      } catch (e) { process.stderr.write("HOSTILE network: " + String(e) + "\\n"); }
      for (const p of ["/etc/crucible-owned", "/usr/crucible-owned", "/root/x", "/home/x", "/opt/x", "/x"]) {
        try { fs.writeFileSync(p, "owned"); process.stderr.write("HOSTILE write " + p + " SUCCEEDED\\n"); }
        catch (e) { process.stderr.write("HOSTILE write " + p + " blocked " + (e as { code?: string }).code + "\\n"); }
      }
      let kids = 0;
      for (let i = 0; i < 3000; i++) {
        try { const c = cp.spawn("sleep", ["30"]); c.on("error", () => undefined); if (!c.pid) break; kids++; }
        catch (e) { break; }
      }
      process.stderr.write("HOSTILE fork: started " + kids + " before refusal\\n");
      const hog: unknown[] = [];
      for (;;) { hog.push(Buffer.alloc(32 << 20, 1)); }
    })();
    ''')

HOSTILE["rust"] = d('''
    fn crucible_probe() {
        match std::net::TcpStream::connect_timeout(&"1.1.1.1:80".parse().unwrap(), std::time::Duration::from_secs(3)) {
            Ok(_) => eprintln!("HOSTILE network: CONNECTED"),
            Err(e) => eprintln!("HOSTILE network: blocked {}", e),
        }
        for p in ["/etc/crucible-owned", "/usr/crucible-owned", "/root/x", "/home/x", "/opt/x", "/x"] {
            match std::fs::write(p, b"owned") {
                Ok(_) => eprintln!("HOSTILE write {} SUCCEEDED", p),
                Err(e) => eprintln!("HOSTILE write {} blocked {}", p, e),
            }
        }
        let mut kids = 0;
        for _ in 0..3000 {
            match std::process::Command::new("sleep").arg("30").spawn() {
                Ok(_) => kids += 1,
                Err(_) => break,
            }
        }
        eprintln!("HOSTILE fork: started {} before refusal", kids);
        let mut hog: Vec<Vec<u8>> = Vec::new();
        loop {
            hog.push(vec![1u8; 32 << 20]);
        }
    }
    ''')

HOSTILE["java"] = d('''
    class CrucibleProbe {
        static void run() {
            try (java.net.Socket s = new java.net.Socket()) {
                s.connect(new java.net.InetSocketAddress("1.1.1.1", 80), 3000);
                System.err.println("HOSTILE network: CONNECTED");
            } catch (Exception e) {
                System.err.println("HOSTILE network: blocked " + e);
            }
            for (String p : new String[] {"/etc/crucible-owned", "/usr/crucible-owned", "/root/x", "/home/x", "/opt/x", "/x"}) {
                try {
                    java.nio.file.Files.writeString(java.nio.file.Path.of(p), "owned");
                    System.err.println("HOSTILE write " + p + " SUCCEEDED");
                } catch (Exception e) {
                    System.err.println("HOSTILE write " + p + " blocked " + e);
                }
            }
            int kids = 0;
            for (int i = 0; i < 3000; i++) {
                try {
                    new ProcessBuilder("sleep", "30").start();
                    kids++;
                } catch (Exception e) {
                    break;
                }
            }
            System.err.println("HOSTILE fork: started " + kids + " before refusal");
            java.util.List<byte[]> hog = new java.util.ArrayList<>();
            while (true) {
                byte[] b = new byte[32 << 20];
                java.util.Arrays.fill(b, (byte) 1);
                hog.add(b);
            }
        }
    }
    ''')

HOSTILE["csharp"] = d('''
    static class CrucibleProbe {
        public static void Run() {
            try {
                using (var c = new System.Net.Sockets.TcpClient()) {
                    System.Console.Error.WriteLine(c.ConnectAsync("1.1.1.1", 80).Wait(3000)
                        ? "HOSTILE network: CONNECTED" : "HOSTILE network: timeout");
                }
            } catch (System.Exception e) {
                System.Console.Error.WriteLine("HOSTILE network: blocked " + e.GetBaseException().Message);
            }
            foreach (var p in new[] {"/etc/crucible-owned", "/usr/crucible-owned", "/root/x", "/home/x", "/opt/x", "/x"}) {
                try {
                    System.IO.File.WriteAllText(p, "owned");
                    System.Console.Error.WriteLine("HOSTILE write " + p + " SUCCEEDED");
                } catch (System.Exception e) {
                    System.Console.Error.WriteLine("HOSTILE write " + p + " blocked " + e.GetType().Name);
                }
            }
            int kids = 0;
            for (int i = 0; i < 3000; i++) {
                try {
                    System.Diagnostics.Process.Start("sleep", "30");
                    kids++;
                } catch (System.Exception) {
                    break;
                }
            }
            System.Console.Error.WriteLine("HOSTILE fork: started " + kids + " before refusal");
            var hog = new System.Collections.Generic.List<byte[]>();
            while (true) {
                var b = new byte[32 << 20];
                for (int i = 0; i < b.Length; i += 4096) b[i] = 1;
                hog.Add(b);
            }
        }
    }
    ''')

HOSTILE["ruby"] = d('''
    require "socket"
    begin
      Socket.tcp("1.1.1.1", 80, connect_timeout: 3) { nil }
      warn "HOSTILE network: CONNECTED"
    rescue StandardError => e
      warn "HOSTILE network: blocked #{e.class}"
    end
    ["/etc/crucible-owned", "/usr/crucible-owned", "/root/x", "/home/x", "/opt/x", "/x"].each do |p|
      File.write(p, "owned")
      warn "HOSTILE write #{p} SUCCEEDED"
    rescue SystemCallError => e
      warn "HOSTILE write #{p} blocked #{e.class}"
    end
    kids = 0
    3000.times do
      Process.spawn("sleep", "30")
      kids += 1
    rescue SystemCallError
      break
    end
    warn "HOSTILE fork: started #{kids} before refusal"
    hog = []
    loop { hog << ("x" * (32 << 20)) }
    ''')

GO_HOSTILE_IMPORTS = ('import (\n\thfmt "fmt"\n\thnet "net"\n\thos "os"\n\thexec "os/exec"\n\thtime "time"\n)\n')


def hostile(language: str, content: str) -> str:
    """The solution with the hostile probe run when it is loaded or first used."""
    if language == "python":
        return HOSTILE["python"] + "\n\n" + content
    if language in ("javascript", "typescript", "ruby"):
        return content + "\n" + HOSTILE[language]
    if language == "go":
        body = (HOSTILE["go"].replace("fmt.", "hfmt.").replace("net.", "hnet.").replace("os.", "hos.")
                .replace("exec.", "hexec.").replace("time.", "htime.").replace("hos.Stderr", "hos.Stderr"))
        lines = content.split("\n")
        i = next(k for k, l in enumerate(lines) if l.startswith("package "))
        return "\n".join(lines[:i + 1] + ["", GO_HOSTILE_IMPORTS.rstrip("\n")] + lines[i + 1:]) + "\n" + body
    if language == "rust":
        return re.sub(r"((?:pub )?fn [^{]*\{)", r"\1\n    crucible_probe();", content, count=1) + "\n" + HOSTILE["rust"]
    if language == "java":
        return re.sub(r"(class Solution[^{]*\{)", r"\1\n    static {\n        CrucibleProbe.run();\n    }\n",
                      content, count=1) + "\n" + HOSTILE["java"]
    if language == "csharp":
        return re.sub(r"(class Solution[^{]*\{)", r"\1\n    static Solution() {\n        CrucibleProbe.Run();\n    }\n",
                      content, count=1) + "\n" + HOSTILE["csharp"]
    raise ValueError(language)


# What each language's hostile candidate ends as. Runtimes with their own heap cap
# (JVM -Xmx, Mono max-heap-size) turn the memory grab into an exception: "failed".
# Go's runtime either dies when the pids limit stops it creating a thread ("failed") or
# is OOM-killed first ("timeout"): a race. Ruby retries fork() on EAGAIN for ever: the
# wall-clock limit ends it.
HOSTILE_VERDICT = {"java": "failed", "csharp": "failed", "go": ["failed", "timeout"]}
HOSTILE_ERROR = {"ruby": "wall_time_limit"}


# --------------------------------------------------------------------------- writing

def write_json(path: Path, obj: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj, indent=2, ensure_ascii=False) + "\n")


def candidate(task: dict, model: str, files: dict, expect: dict) -> dict:
    return {"task_id": task["id"], "model": model, "files": files, "metadata": meta(model),
            "expect": expect}


def write_all() -> int:
    n = 0
    for entry in REGISTRY:
        t = entry["task"]
        lang = t["language"]
        write_json(TASKS_DIR / lang / f"{t['id']}.json", t)
        cdir = TASKS_DIR / "candidates"
        testgen = t["scenario"] == "test-generation"
        # which file the generic candidates break
        if testgen:
            target = next(iter(t["reference"]))
        else:
            target = IO_SOLUTION_FILE[lang] if t["test_mode"] == "io" else SOLUTION_FILE[lang]
        ref = dict(t["reference"])
        cands = {}
        if testgen:
            cands["reference"] = candidate(t, "reference", ref, {"verdict": "passed",
                                                                 "mutants_killed": len(t["mutants"]),
                                                                 "mutants_fail_tests": True})
        else:
            cands["reference"] = candidate(t, "reference", ref, {"verdict": "passed", "min_tests": 1})
        if entry["off_by_one"] is not None:
            if testgen:
                exp = {"verdict": "failed", "mutants_killed": entry["off_by_one_fails"][0]}
            else:
                exp = {"verdict": "failed", "failing_tests": entry["off_by_one_fails"]}
            cands["off-by-one"] = candidate(t, "off-by-one", entry["off_by_one"], exp)
        broken, message = no_compile(lang, ref[target])
        nc_files = dict(ref, **{target: broken})
        if lang == "ruby" and testgen:
            # `ruby -c` checks solution.rb only: a broken test file fails when it loads
            cands["no-compile"] = candidate(t, "no-compile", nc_files, {"verdict": "failed"})
        else:
            cands["no-compile"] = candidate(t, "no-compile", nc_files,
                                            {"verdict": "build_failed", "build_message": message})
        cands["looper"] = candidate(t, "looper", dict(ref, **{target: looper(lang, ref[target])}),
                                    {"verdict": "timeout", "error_contains": "time_limit"})
        if not testgen:
            v = HOSTILE_VERDICT.get(lang, "timeout")
            exp = {"verdict": v, "never_contains": ["SUCCEEDED", "CONNECTED"]}
            if v == "timeout" and lang != "go":
                exp["error_contains"] = HOSTILE_ERROR.get(lang, "memory_limit")
            cands["hostile"] = candidate(t, "hostile", dict(ref, **{target: hostile(lang, ref[target])}), exp)
        for model, spec in entry["extra"].items():
            cands[model] = candidate(t, model, spec["files"], spec["expect"])
        for model, c in cands.items():
            write_json(cdir / model / lang / f"{t['id']}.json", c)
            n += 1
    return n
