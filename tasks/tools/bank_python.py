"""Python tasks of the sample bank."""
from bank import d, task

# ----------------------------------------------------------------------------- fizzbuzz
task(
    id="py-fizzbuzz-easy", language="python", scenario="code-generation", difficulty="easy",
    prompt="""
        Write fizzbuzz(n) in solution.py. It returns a list of n strings for 1..n: "Fizz" for
        multiples of 3, "Buzz" for multiples of 5, "FizzBuzz" for multiples of both, otherwise
        the number itself. fizzbuzz(0) is [] and a negative n raises ValueError.
    """,
    files={"solution.py": "def fizzbuzz(n):\n    ...\n"},
    tests={"test_solution.py": d('''
        import pytest

        from solution import *


        def test_first_fifteen():
            assert fizzbuzz(15) == ["1", "2", "Fizz", "4", "Buzz", "Fizz", "7", "8", "Fizz", "Buzz",
                                    "11", "Fizz", "13", "14", "FizzBuzz"]


        def test_empty():
            assert fizzbuzz(0) == []


        def test_length():
            assert len(fizzbuzz(100)) == 100


        def test_last_is_buzz():
            assert fizzbuzz(100)[-1] == "Buzz"


        def test_negative_raises():
            with pytest.raises(ValueError):
                fizzbuzz(-1)
        ''')},
    reference={"solution.py": d('''
        def fizzbuzz(n):
            """Return the FizzBuzz strings for 1..n."""
            if n < 0:
                raise ValueError("n must be >= 0")
            out = []
            for i in range(1, n + 1):
                if i % 15 == 0:
                    out.append("FizzBuzz")
                elif i % 3 == 0:
                    out.append("Fizz")
                elif i % 5 == 0:
                    out.append("Buzz")
                else:
                    out.append(str(i))
            return out
        ''')},
    off_by_one={"solution.py": d('''
        def fizzbuzz(n):
            if n < 0:
                raise ValueError("n must be >= 0")
            out = []
            for i in range(1, n):
                if i % 15 == 0:
                    out.append("FizzBuzz")
                elif i % 3 == 0:
                    out.append("Fizz")
                elif i % 5 == 0:
                    out.append("Buzz")
                else:
                    out.append(str(i))
            return out
        ''')},
    off_by_one_fails=["test_first_fifteen", "test_length", "test_last_is_buzz"],
)

# ----------------------------------------------------------------------------- debugging
BUGGY_WORD_FREQ = d('''
    import re


    def top_words(text, k):
        """Return the k most frequent words of text, most frequent first.

        Words are runs of letters and apostrophes, compared case-insensitively and
        returned in lower case. Ties are broken alphabetically.
        """
        counts = {}
        for word in re.findall(r"[a-z']+", text):
            counts[word] = counts.get(word, 0) + 1
        ranked = sorted(counts.items(), key=lambda kv: kv[1], reverse=True)
        return [w for w, _ in ranked[:k]]
    ''')
task(
    id="py-top-words-medium", language="python", scenario="debugging", difficulty="medium",
    prompt="""
        top_words(text, k) in solution.py has bugs: users report that "The the THE" counts as
        one "the" (and capitalised words vanish) and that tied words come out in a random-looking
        order. Fix the function so it matches its docstring. Keep the signature.
    """,
    files={"solution.py": BUGGY_WORD_FREQ},
    tests={"test_solution.py": d('''
        from solution import top_words


        def test_case_insensitive():
            assert top_words("The the THE cat", 1) == ["the"]


        def test_ties_alphabetical():
            assert top_words("pear apple fig apple pear fig", 3) == ["apple", "fig", "pear"]


        def test_apostrophes():
            assert top_words("don't stop, don't", 1) == ["don't"]


        def test_k_larger_than_vocabulary():
            assert top_words("a b", 5) == ["a", "b"]


        def test_empty_text():
            assert top_words("", 3) == []
        ''')},
    reference={"solution.py": d('''
        import re


        def top_words(text, k):
            """Return the k most frequent words of text, most frequent first.

            Words are runs of letters and apostrophes, compared case-insensitively and
            returned in lower case. Ties are broken alphabetically.
            """
            counts = {}
            for word in re.findall(r"[a-z']+", text.lower()):
                counts[word] = counts.get(word, 0) + 1
            ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
            return [w for w, _ in ranked[:k]]
        ''')},
    off_by_one={"solution.py": d('''
        import re


        def top_words(text, k):
            counts = {}
            for word in re.findall(r"[a-z']+", text.lower()):
                counts[word] = counts.get(word, 0) + 1
            ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
            return [w for w, _ in ranked[: k - 1]]
        ''')},
    off_by_one_fails=["test_case_insensitive", "test_ties_alphabetical", "test_apostrophes"],
)

# ----------------------------------------------------------------------------- security
task(
    id="py-safe-join-hard", language="python", scenario="security", difficulty="hard",
    prompt="""
        A file server calls safe_join(base, user_path) to map a request path below a base
        directory. The current code is `os.path.join(base, user_path)`, which lets
        "../../etc/passwd" or "/etc/passwd" escape. Rewrite safe_join so it returns the joined,
        normalised absolute path when it stays inside base (base itself included), and raises
        PermissionError otherwise. Reject NUL bytes with ValueError. Do not touch the file
        system (no realpath: the paths need not exist).
    """,
    files={"solution.py": "import os\n\n\ndef safe_join(base, user_path):\n    return os.path.join(base, user_path)\n"},
    tests={"test_solution.py": d('''
        import pytest

        from solution import safe_join


        def test_plain_file():
            assert safe_join("/srv/www", "index.html") == "/srv/www/index.html"


        def test_nested_and_dots():
            assert safe_join("/srv/www", "a/./b/../c.txt") == "/srv/www/a/c.txt"


        def test_base_itself():
            assert safe_join("/srv/www", ".") == "/srv/www"


        def test_parent_escape():
            with pytest.raises(PermissionError):
                safe_join("/srv/www", "../../etc/passwd")


        def test_absolute_escape():
            with pytest.raises(PermissionError):
                safe_join("/srv/www", "/etc/passwd")


        def test_sibling_prefix():
            with pytest.raises(PermissionError):
                safe_join("/srv/www", "../www2/secret")


        def test_nul_byte():
            with pytest.raises(ValueError):
                safe_join("/srv/www", "a\\x00b")


        def test_relative_base():
            assert safe_join("srv", "x").endswith("/srv/x")
        ''')},
    reference={"solution.py": d('''
        import os


        def safe_join(base, user_path):
            """Join user_path below base; refuse anything that would leave base."""
            if "\\x00" in base or "\\x00" in user_path:
                raise ValueError("NUL byte in path")
            root = os.path.normpath(os.path.abspath(base))
            joined = os.path.normpath(os.path.join(root, user_path))
            if joined != root and not joined.startswith(root + os.sep):
                raise PermissionError(f"{user_path!r} escapes {base!r}")
            return joined
        ''')},
    off_by_one={"solution.py": d('''
        import os


        def safe_join(base, user_path):
            if "\\x00" in user_path:
                raise ValueError("NUL byte in path")
            root = os.path.normpath(os.path.abspath(base))
            joined = os.path.normpath(os.path.join(root, user_path))
            if not joined.startswith(root):
                raise PermissionError(user_path)
            return joined
        ''')},
    off_by_one_fails=["test_sibling_prefix"],
)

# ----------------------------------------------------------------------------- test-generation
PARSE_DURATION = d('''
    import re

    _UNITS = {"h": 3600, "m": 60, "s": 1}


    def parse_duration(text):
        """Parse "1h30m", "45s", "2h", "1h2m3s" into seconds.

        Units appear at most once, in the order h, m, s; each has a non-negative integer.
        Anything else (empty string, unknown unit, wrong order, repeats, spaces) raises
        ValueError.
        """
        m = re.fullmatch(r"(?:(\\d+)h)?(?:(\\d+)m)?(?:(\\d+)s)?", text)
        if not text or m is None:
            raise ValueError(f"bad duration {text!r}")
        h, mi, s = (int(g) if g else 0 for g in m.groups())
        return h * 3600 + mi * 60 + s
    ''')
task(
    id="py-duration-tests-medium", language="python", scenario="test-generation", difficulty="medium",
    prompt="""
        solution.py holds parse_duration(text) (read its docstring). Write test_solution.py: a
        pytest suite (`from solution import *`) that passes on this implementation and would
        catch plausible bugs in it: wrong unit factors, accepted garbage, lost components.
    """,
    files={"solution.py": PARSE_DURATION},
    tests={},
    reference={"test_solution.py": d('''
        import pytest

        from solution import *


        @pytest.mark.parametrize("text,seconds", [
            ("45s", 45), ("2m", 120), ("2h", 7200), ("1h30m", 5400), ("1h2m3s", 3723), ("0s", 0),
            ("10m5s", 605),
        ])
        def test_valid(text, seconds):
            assert parse_duration(text) == seconds


        @pytest.mark.parametrize("text", ["", "5", "1d", "3s2m", "1h1h", "1 h", "-1s", "h"])
        def test_invalid(text):
            with pytest.raises(ValueError):
                parse_duration(text)
        ''')},
    mutants=[
        {"id": "minutes-as-seconds", "files": {"solution.py": PARSE_DURATION.replace("mi * 60", "mi")}},
        {"id": "accepts-empty", "files": {"solution.py": PARSE_DURATION.replace("if not text or m is None", "if m is None")}},
        {"id": "drops-seconds", "files": {"solution.py": PARSE_DURATION.replace("mi * 60 + s", "mi * 60")}},
    ],
    off_by_one={"test_solution.py": d('''
        from solution import *


        def test_hours():
            assert parse_duration("2h") == 7200


        def test_hours_minutes():
            assert parse_duration("1h30m") == 5400
        ''')},
    off_by_one_fails=[1],  # weak tests: only the minutes-as-seconds mutant dies
)

# ----------------------------------------------------------------------------- io mode
task(
    id="py-running-median-io-hard", language="python", scenario="code-generation", difficulty="hard",
    prompt="""
        Write solution.py as a program. Standard input: a first line with n, then n integers
        (one per line). After reading each integer print the median of all integers so far on
        its own line: the middle one for an odd count, the mean of the two middle ones for an
        even count, printed as an integer when whole and with ".5" otherwise. n can be 200000:
        use heaps, not sorting per step.
    """,
    files={"solution.py": "import sys\n"},
    tests={},
    test_mode="io",
    io_cases=[
        {"stdin": "5\n1\n2\n3\n4\n5\n", "expected_stdout": "1\n1.5\n2\n2.5\n3\n", "weight": 1},
        {"stdin": "4\n5\n15\n1\n3\n", "expected_stdout": "5\n10\n5\n4\n", "weight": 1},
        {"stdin": "3\n-1\n-2\n-4\n", "expected_stdout": "-1\n-1.5\n-2\n", "weight": 1},
        {"stdin": "1\n7\n", "expected_stdout": "7\n", "weight": 0.5},
    ],
    reference={"solution.py": d('''
        import heapq
        import sys


        def main():
            data = sys.stdin.read().split()
            n = int(data[0])
            low, high = [], []  # max-heap (negated), min-heap
            out = []
            for tok in data[1 : n + 1]:
                x = int(tok)
                if low and x > -low[0]:
                    heapq.heappush(high, x)
                else:
                    heapq.heappush(low, -x)
                if len(low) > len(high) + 1:
                    heapq.heappush(high, -heapq.heappop(low))
                elif len(high) > len(low):
                    heapq.heappush(low, -heapq.heappop(high))
                if len(low) > len(high):
                    out.append(str(-low[0]))
                else:
                    total = -low[0] + high[0]
                    out.append(str(total // 2) if total % 2 == 0 else f"{total / 2:.1f}")
            sys.stdout.write("\\n".join(out) + ("\\n" if out else ""))


        if __name__ == "__main__":
            main()
        ''')},
    off_by_one={"solution.py": d('''
        import sys


        def main():
            data = sys.stdin.read().split()
            n = int(data[0])
            seen = []
            for tok in data[1 : n + 1]:
                seen.append(int(tok))
                seen.sort()
                print(seen[len(seen) // 2])


        main()
        ''')},
    off_by_one_fails=["case-1", "case-2", "case-3"],
)
