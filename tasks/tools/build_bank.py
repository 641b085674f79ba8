#!/usr/bin/env python3
"""(Re)writes the sample task bank from tasks/tools/bank_<language>.py:
tasks/<language>/<id>.json and tasks/candidates/<model>/<language>/<id>.json.
Then run tasks/tools/crucible_check.py to check them against the toolchains."""
import importlib
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bank  # noqa: E402

LANGS = ["python", "javascript", "typescript", "go", "rust", "java", "csharp", "ruby"]

for lang in LANGS:
    try:
        importlib.import_module(f"bank_{lang}")
    except ModuleNotFoundError as e:
        if e.name != f"bank_{lang}":
            raise
        print(f"(no bank_{lang}.py yet)")
for lang in LANGS:
    shutil.rmtree(bank.TASKS_DIR / lang, ignore_errors=True)
shutil.rmtree(bank.TASKS_DIR / "candidates", ignore_errors=True)
n = bank.write_all()
print(f"{len(bank.REGISTRY)} tasks, {n} candidates written")
