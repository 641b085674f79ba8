"""C# tasks of the sample bank. DESIGN's C# test mode is `program`: the hidden Tests.cs
(`static class Tests` with `static int Main`) prints TAP lines and returns 0 only if every
check passed."""
from bank import d, task

TAP = d('''
    static int count = 0;
    static int failed = 0;

    static void Check(string name, bool ok, string detail) {
        count++;
        if (ok) {
            Console.WriteLine("ok " + count + " - " + name);
        } else {
            failed++;
            Console.WriteLine("not ok " + count + " - " + name);
            Console.WriteLine("# " + detail);
        }
    }

    static void CheckEq<T>(string name, T want, T got) {
        Check(name, Equals(want, got), "expected " + want + ", got " + got);
    }

    static void CheckThrows<E>(string name, Action body) where E : Exception {
        try {
            body();
            Check(name, false, "expected " + typeof(E).Name + ", nothing thrown");
        } catch (Exception e) {
            Check(name, e is E, "expected " + typeof(E).Name + ", got " + e.GetType().Name);
        }
    }
''')


def tests_cs(body: str) -> str:
    tap = "\n".join(("    " + l) if l else "" for l in TAP.splitlines())
    return ("using System;\nusing System.Collections.Generic;\nusing System.Linq;\n\nstatic class Tests {\n" + tap +
            "\n\n    static int Main() {\n" +
            "\n".join(("        " + l) if l else "" for l in d(body).splitlines()) +
            "\n        Console.WriteLine(\"1..\" + count);\n        return failed == 0 ? 0 : 1;\n    }\n}\n")


task(
    id="cs-factorial-easy", language="csharp", scenario="code-generation", difficulty="easy",
    prompt="""
        In Solution.cs write `public static class Solution` with
        `public static long Factorial(int n)`: n! for 0 <= n <= 20 (0! = 1),
        ArgumentOutOfRangeException for n < 0, OverflowException for n > 20 (use checked
        arithmetic).
    """,
    files={"Solution.cs": "public static class Solution {\n    public static long Factorial(int n) {\n        return 0;\n    }\n}\n"},
    tests={"Tests.cs": tests_cs('''
        CheckEq("0!", 1L, Solution.Factorial(0));
        CheckEq("1!", 1L, Solution.Factorial(1));
        CheckEq("5!", 120L, Solution.Factorial(5));
        CheckEq("20!", 2432902008176640000L, Solution.Factorial(20));
        CheckThrows<ArgumentOutOfRangeException>("negative", () => Solution.Factorial(-1));
        CheckThrows<OverflowException>("21 overflows", () => Solution.Factorial(21));
    ''')},
    test_mode="program",
    reference={"Solution.cs": d('''
        using System;

        public static class Solution {
            /// <summary>n! for 0 &lt;= n &lt;= 20.</summary>
            public static long Factorial(int n) {
                if (n < 0) {
                    throw new ArgumentOutOfRangeException(nameof(n), "n must be >= 0");
                }
                long result = 1;
                for (int i = 2; i <= n; i++) {
                    result = checked(result * i);
                }
                return result;
            }
        }
        ''')},
    off_by_one={"Solution.cs": d('''
        using System;

        public static class Solution {
            public static long Factorial(int n) {
                if (n < 0) throw new ArgumentOutOfRangeException(nameof(n));
                long result = 1;
                for (int i = 2; i < n; i++) {
                    result *= i;
                }
                return result;
            }
        }
        ''')},
    off_by_one_fails=["5!", "20!", "21 overflows"],
)

task(
    id="cs-sql-identifiers-hard", language="csharp", scenario="security", difficulty="hard",
    prompt="""
        Solution.BuildSelect(table, columns, filterColumn) builds a SQL query by string
        concatenation, so a hostile table or column name injects SQL. Make it safe:
        identifiers must match ^[A-Za-z_][A-Za-z0-9_]{0,62}$ (else ArgumentException) and are
        double-quoted; the filter value is never inlined: the query uses the parameter @p0.
        Expected shape: SELECT "a", "b" FROM "t" WHERE "c" = @p0
        With no columns throw ArgumentException.
    """,
    files={"Solution.cs": d('''
        using System.Collections.Generic;

        public static class Solution {
            public static string BuildSelect(string table, IList<string> columns, string filterColumn) {
                return "SELECT " + string.Join(", ", columns) + " FROM " + table + " WHERE " + filterColumn + " = @p0";
            }
        }
        ''')},
    tests={"Tests.cs": tests_cs('''
        CheckEq("quoted identifiers", "SELECT \\"id\\", \\"name\\" FROM \\"users\\" WHERE \\"email\\" = @p0",
            Solution.BuildSelect("users", new List<string> { "id", "name" }, "email"));
        CheckThrows<ArgumentException>("table injection", () =>
            Solution.BuildSelect("users; DROP TABLE users; --", new List<string> { "id" }, "email"));
        CheckThrows<ArgumentException>("column injection", () =>
            Solution.BuildSelect("users", new List<string> { "id\\" FROM secrets --" }, "email"));
        CheckThrows<ArgumentException>("filter injection", () =>
            Solution.BuildSelect("users", new List<string> { "id" }, "1=1 OR email"));
        CheckThrows<ArgumentException>("empty column list", () =>
            Solution.BuildSelect("users", new List<string>(), "email"));
        CheckThrows<ArgumentException>("too long", () =>
            Solution.BuildSelect(new string('a', 64), new List<string> { "id" }, "email"));
        CheckEq("underscore and digits", "SELECT \\"_c1\\" FROM \\"t_2\\" WHERE \\"k\\" = @p0",
            Solution.BuildSelect("t_2", new List<string> { "_c1" }, "k"));
        CheckThrows<ArgumentException>("leading digit", () =>
            Solution.BuildSelect("2t", new List<string> { "id" }, "k"));
    ''')},
    test_mode="program",
    reference={"Solution.cs": d('''
        using System;
        using System.Collections.Generic;
        using System.Linq;
        using System.Text.RegularExpressions;

        public static class Solution {
            static readonly Regex Identifier = new Regex("^[A-Za-z_][A-Za-z0-9_]{0,62}$");

            static string Quote(string name) {
                if (name == null || !Identifier.IsMatch(name)) {
                    throw new ArgumentException("not a plain SQL identifier: " + name);
                }
                return "\\"" + name + "\\"";
            }

            /// <summary>SELECT of quoted, validated identifiers; the filter value is parameter @p0.</summary>
            public static string BuildSelect(string table, IList<string> columns, string filterColumn) {
                if (columns == null || columns.Count == 0) {
                    throw new ArgumentException("at least one column is needed", nameof(columns));
                }
                return "SELECT " + string.Join(", ", columns.Select(Quote)) + " FROM " + Quote(table) +
                    " WHERE " + Quote(filterColumn) + " = @p0";
            }
        }
        ''')},
    off_by_one={"Solution.cs": d('''
        using System;
        using System.Collections.Generic;
        using System.Linq;
        using System.Text.RegularExpressions;

        public static class Solution {
            static string Quote(string name) {
                if (!Regex.IsMatch(name, "^[A-Za-z0-9_]+$")) throw new ArgumentException(name);
                return "\\"" + name + "\\"";
            }

            public static string BuildSelect(string table, IList<string> columns, string filterColumn) {
                return "SELECT " + string.Join(", ", columns.Select(Quote)) + " FROM " + Quote(table) +
                    " WHERE " + Quote(filterColumn) + " = @p0";
            }
        }
        ''')},
    off_by_one_fails=["empty column list", "too long", "leading digit"],
)

task(
    id="cs-temperature-docs-easy", language="csharp", scenario="documentation", difficulty="easy",
    prompt="""
        Add XML documentation comments (/// <summary>, one <param> per parameter, <returns>)
        to every public member of Solution.cs, and <exception> where one is thrown. Do not
        change behaviour.
    """,
    files={"Solution.cs": d('''
        using System;

        public static class Solution {
            public static double CelsiusToFahrenheit(double celsius) {
                if (celsius < -273.15) throw new ArgumentOutOfRangeException(nameof(celsius));
                return celsius * 9 / 5 + 32;
            }

            public static double FahrenheitToCelsius(double fahrenheit) {
                if (fahrenheit < -459.67) throw new ArgumentOutOfRangeException(nameof(fahrenheit));
                return (fahrenheit - 32) * 5 / 9;
            }
        }
        ''')},
    tests={"Tests.cs": tests_cs('''
        string src = System.IO.File.ReadAllText("Solution.cs");
        Func<string, string> docOf = name => {
            var m = System.Text.RegularExpressions.Regex.Match(src,
                @"((?:[ \\t]*///[^\\n]*\\n)+)[ \\t]*public static double " + name + @"\\(");
            return m.Success ? m.Groups[1].Value : "";
        };
        CheckEq("100C", 212.0, Solution.CelsiusToFahrenheit(100));
        CheckEq("-40F", -40.0, Solution.FahrenheitToCelsius(-40));
        CheckThrows<ArgumentOutOfRangeException>("below absolute zero", () => Solution.CelsiusToFahrenheit(-300));
        foreach (var pair in new[] { new[] { "CelsiusToFahrenheit", "celsius" }, new[] { "FahrenheitToCelsius", "fahrenheit" } }) {
            string doc = docOf(pair[0]);
            Check(pair[0] + " has <summary>", doc.Contains("<summary>"), "no /// <summary> above " + pair[0]);
            Check(pair[0] + " has <param>", doc.Contains("<param name=\\"" + pair[1] + "\\">"), "no <param name=\\"" + pair[1] + "\\">");
            Check(pair[0] + " has <returns>", doc.Contains("<returns>"), "no <returns>");
            Check(pair[0] + " has <exception>", doc.Contains("<exception cref=\\"ArgumentOutOfRangeException\\">") ||
                doc.Contains("<exception cref=\\"System.ArgumentOutOfRangeException\\">"), "no <exception>");
        }
    ''')},
    test_mode="program",
    reference={"Solution.cs": d('''
        using System;

        /// <summary>Temperature conversions between Celsius and Fahrenheit.</summary>
        public static class Solution {
            /// <summary>Converts a Celsius temperature to Fahrenheit.</summary>
            /// <param name="celsius">Degrees Celsius, not below absolute zero (-273.15).</param>
            /// <returns>The same temperature in degrees Fahrenheit.</returns>
            /// <exception cref="ArgumentOutOfRangeException"><paramref name="celsius"/> is below -273.15.</exception>
            public static double CelsiusToFahrenheit(double celsius) {
                if (celsius < -273.15) throw new ArgumentOutOfRangeException(nameof(celsius));
                return celsius * 9 / 5 + 32;
            }

            /// <summary>Converts a Fahrenheit temperature to Celsius.</summary>
            /// <param name="fahrenheit">Degrees Fahrenheit, not below absolute zero (-459.67).</param>
            /// <returns>The same temperature in degrees Celsius.</returns>
            /// <exception cref="ArgumentOutOfRangeException"><paramref name="fahrenheit"/> is below -459.67.</exception>
            public static double FahrenheitToCelsius(double fahrenheit) {
                if (fahrenheit < -459.67) throw new ArgumentOutOfRangeException(nameof(fahrenheit));
                return (fahrenheit - 32) * 5 / 9;
            }
        }
        ''')},
    off_by_one={"Solution.cs": d('''
        using System;

        public static class Solution {
            /// <summary>Converts Celsius to Fahrenheit.</summary>
            /// <param name="celsius">Degrees Celsius.</param>
            /// <returns>Degrees Fahrenheit.</returns>
            public static double CelsiusToFahrenheit(double celsius) {
                if (celsius < -273.15) throw new ArgumentOutOfRangeException(nameof(celsius));
                return celsius * 9 / 5 + 32;
            }

            /// <summary>Converts Fahrenheit to Celsius.</summary>
            public static double FahrenheitToCelsius(double fahrenheit) {
                if (fahrenheit < -459.67) throw new ArgumentOutOfRangeException(nameof(fahrenheit));
                return (fahrenheit - 32) * 5 / 9;
            }
        }
        ''')},
    off_by_one_fails=["CelsiusToFahrenheit has <exception>", "FahrenheitToCelsius has <param>"],
)

CLAMP = d('''
    using System;

    public static class Solution {
        /// <summary>value limited to [min, max]; ArgumentException when min &gt; max.</summary>
        public static int Clamp(int value, int min, int max) {
            if (min > max) {
                throw new ArgumentException("min > max");
            }
            if (value < min) {
                return min;
            }
            if (value > max) {
                return max;
            }
            return value;
        }
    }
    ''')
task(
    id="cs-clamp-tests-medium", language="csharp", scenario="test-generation", difficulty="medium",
    prompt="""
        Solution.cs holds Clamp(value, min, max). Write Tests.cs: `static class Tests` with
        `static int Main()` that checks Clamp and returns 0 when all checks pass, non-zero
        otherwise (print what failed). Your tests must pass on this Clamp and catch bugs in it.
    """,
    files={"Solution.cs": CLAMP},
    tests={},
    test_mode="program",
    reference={"Tests.cs": tests_cs('''
        CheckEq("inside", 5, Solution.Clamp(5, 0, 10));
        CheckEq("below", 0, Solution.Clamp(-3, 0, 10));
        CheckEq("above", 10, Solution.Clamp(42, 0, 10));
        CheckEq("at min", 0, Solution.Clamp(0, 0, 10));
        CheckEq("at max", 10, Solution.Clamp(10, 0, 10));
        CheckEq("empty range", 7, Solution.Clamp(100, 7, 7));
        CheckThrows<ArgumentException>("min > max", () => Solution.Clamp(1, 5, 4));
    ''')},
    mutants=[
        {"id": "swapped-bounds", "files": {"Solution.cs": CLAMP.replace("return min;", "return max;", 1)}},
        {"id": "no-validation", "files": {"Solution.cs": CLAMP.replace('throw new ArgumentException("min > max");', "return value;")}},
        {"id": "upper-off-by-one", "files": {"Solution.cs": CLAMP.replace("if (value > max) {\n            return max;", "if (value >= max) {\n            return max - 1;")}},
    ],
    off_by_one={"Tests.cs": tests_cs('''
        CheckEq("inside", 5, Solution.Clamp(5, 0, 10));
        CheckEq("below", 0, Solution.Clamp(-3, 0, 10));
    ''')},
    off_by_one_fails=[1],
)
