"""Java tasks of the sample bank. DESIGN's Java test mode is `program`: the hidden
Main.java runs checks against Solution.java, prints TAP lines, and exits 0 only if all
passed. One task uses the JUnit 5 `framework` mode the toolchain also offers."""
from bank import d, task

# A tiny TAP harness the hidden Main.java files share (kept inline: tasks are self-contained).
TAP = d('''
    static int count = 0;
    static int failed = 0;

    static void check(String name, boolean ok, String detail) {
        count++;
        if (ok) {
            System.out.println("ok " + count + " - " + name);
        } else {
            failed++;
            System.out.println("not ok " + count + " - " + name);
            System.out.println("# " + detail);
        }
    }

    static void checkEq(String name, Object want, Object got) {
        check(name, java.util.Objects.equals(want, got), "expected " + want + ", got " + got);
    }

    static void checkThrows(String name, Class<? extends Throwable> type, Runnable body) {
        try {
            body.run();
            check(name, false, "expected " + type.getSimpleName() + ", nothing thrown");
        } catch (Throwable t) {
            check(name, type.isInstance(t), "expected " + type.getSimpleName() + ", got " + t);
        }
    }

    static void finish() {
        System.out.println("1.." + count);
        System.exit(failed == 0 ? 0 : 1);
    }
''')


def main_java(body: str) -> str:
    tap = "\n".join(("    " + l) if l else "" for l in TAP.splitlines())
    return "public class Main {\n" + tap + "\n\n    public static void main(String[] args) {\n" + \
        "\n".join(("        " + l) if l else "" for l in d(body).splitlines()) + "\n        finish();\n    }\n}\n"


task(
    id="java-fibonacci-easy", language="java", scenario="code-generation", difficulty="easy",
    prompt="""
        In Solution.java (default package, `public class Solution`) write
        `public static long fib(int n)`: fib(0) = 0, fib(1) = 1, iterative, exact up to
        n = 92, IllegalArgumentException for n < 0 or n > 92.
    """,
    files={"Solution.java": "public class Solution {\n    public static long fib(int n) {\n        return 0;\n    }\n}\n"},
    tests={"Main.java": main_java('''
        checkEq("fib(0)", 0L, Solution.fib(0));
        checkEq("fib(1)", 1L, Solution.fib(1));
        checkEq("fib(10)", 55L, Solution.fib(10));
        checkEq("fib(50)", 12586269025L, Solution.fib(50));
        checkEq("fib(92)", 7540113804746346429L, Solution.fib(92));
        checkThrows("negative", IllegalArgumentException.class, () -> Solution.fib(-1));
        checkThrows("overflow", IllegalArgumentException.class, () -> Solution.fib(93));
    ''')},
    test_mode="program",
    reference={"Solution.java": d('''
        public class Solution {
            private Solution() {
            }

            /** The n-th Fibonacci number, 0 <= n <= 92. */
            public static long fib(int n) {
                if (n < 0 || n > 92) {
                    throw new IllegalArgumentException("n out of range: " + n);
                }
                long a = 0;
                long b = 1;
                for (int i = 0; i < n; i++) {
                    long next = a + b;
                    a = b;
                    b = next;
                }
                return a;
            }
        }
        ''')},
    off_by_one={"Solution.java": d('''
        public class Solution {
            public static long fib(int n) {
                if (n < 0) {
                    throw new IllegalArgumentException("negative");
                }
                long a = 0;
                long b = 1;
                for (int i = 1; i < n; i++) {
                    long next = a + b;
                    a = b;
                    b = next;
                }
                return n == 0 ? 0 : a;
            }
        }
        ''')},
    off_by_one_fails=["fib(1)", "fib(10)", "fib(50)", "fib(92)", "overflow"],
)

task(
    id="java-balanced-brackets-medium", language="java", scenario="debugging", difficulty="medium",
    prompt="""
        Solution.isBalanced(String s) should say whether (), [] and {} in s are balanced and
        properly nested (other characters are ignored). It wrongly accepts ")(" and "([)]"
        and crashes on some inputs. Fix it without changing the signature.
    """,
    files={"Solution.java": d('''
        import java.util.ArrayDeque;
        import java.util.Deque;

        public class Solution {
            public static boolean isBalanced(String s) {
                int depth = 0;
                Deque<Character> stack = new ArrayDeque<>();
                for (char c : s.toCharArray()) {
                    if (c == '(' || c == '[' || c == '{') {
                        depth++;
                        stack.push(c);
                    } else if (c == ')' || c == ']' || c == '}') {
                        depth--;
                        stack.pop();
                    }
                }
                return depth == 0;
            }
        }
        ''')},
    tests={"Main.java": main_java('''
        checkEq("empty", true, Solution.isBalanced(""));
        checkEq("simple", true, Solution.isBalanced("([]{})"));
        checkEq("text around", true, Solution.isBalanced("f(a[1], {b: 2})"));
        checkEq("close before open", false, Solution.isBalanced(")("));
        checkEq("crossed", false, Solution.isBalanced("([)]"));
        checkEq("unclosed", false, Solution.isBalanced("(("));
        checkEq("extra close", false, Solution.isBalanced("())"));
        checkEq("deep", true, Solution.isBalanced("(".repeat(100000) + ")".repeat(100000)));
    ''')},
    test_mode="program",
    reference={"Solution.java": d('''
        import java.util.ArrayDeque;
        import java.util.Deque;

        public final class Solution {
            private Solution() {
            }

            /** True when the brackets (), [] and {} in s are balanced and properly nested. */
            public static boolean isBalanced(String s) {
                Deque<Character> open = new ArrayDeque<>();
                for (char c : s.toCharArray()) {
                    switch (c) {
                        case '(':
                            open.push(')');
                            break;
                        case '[':
                            open.push(']');
                            break;
                        case '{':
                            open.push('}');
                            break;
                        case ')':
                        case ']':
                        case '}':
                            if (open.isEmpty() || open.pop() != c) {
                                return false;
                            }
                            break;
                        default:
                            break;
                    }
                }
                return open.isEmpty();
            }
        }
        ''')},
    off_by_one={"Solution.java": d('''
        public class Solution {
            public static boolean isBalanced(String s) {
                int round = 0;
                int square = 0;
                int curly = 0;
                for (char c : s.toCharArray()) {
                    if (c == '(') round++;
                    if (c == ')') round--;
                    if (c == '[') square++;
                    if (c == ']') square--;
                    if (c == '{') curly++;
                    if (c == '}') curly--;
                    if (round < 0 || square < 0 || curly < 0) return false;
                }
                return round == 0 && square == 0 && curly == 0;
            }
        }
        ''')},
    off_by_one_fails=["crossed"],
)

task(
    id="java-word-count-io-medium", language="java", scenario="code-generation", difficulty="medium",
    prompt="""
        Write Solution.java with `public static void main(String[] args)` reading standard
        input (UTF-8). Print the number of lines, words (maximal runs of non-white-space) and
        characters (Unicode code points, newlines included), separated by single spaces, like
        `wc -l -w -m` without padding. A last line without a newline still counts as a line.
    """,
    files={"Solution.java": "public class Solution {\n    public static void main(String[] args) {\n    }\n}\n"},
    tests={},
    test_mode="io",
    io_cases=[
        {"stdin": "hello world\nfoo\n", "expected_stdout": "2 3 16\n", "weight": 1},
        {"stdin": "", "expected_stdout": "0 0 0\n", "weight": 1},
        {"stdin": "no newline", "expected_stdout": "1 2 10\n", "weight": 1},
        {"stdin": "héllo wörld 😀\n", "expected_stdout": "1 3 14\n", "weight": 1},
    ],
    reference={"Solution.java": d('''
        import java.io.IOException;
        import java.nio.charset.StandardCharsets;

        public final class Solution {
            private Solution() {
            }

            public static void main(String[] args) throws IOException {
                String text = new String(System.in.readAllBytes(), StandardCharsets.UTF_8);
                long lines = text.chars().filter(c -> c == '\\n').count();
                if (!text.isEmpty() && !text.endsWith("\\n")) {
                    lines++;
                }
                String trimmed = text.strip();
                long words = trimmed.isEmpty() ? 0 : trimmed.split("\\\\s+").length;
                long chars = text.codePointCount(0, text.length());
                System.out.println(lines + " " + words + " " + chars);
            }
        }
        ''')},
    off_by_one={"Solution.java": d('''
        import java.util.Scanner;

        public class Solution {
            public static void main(String[] args) {
                Scanner in = new Scanner(System.in, "UTF-8");
                int lines = 0;
                int words = 0;
                int chars = 0;
                while (in.hasNextLine()) {
                    String line = in.nextLine();
                    lines++;
                    chars += line.length() + 1;
                    if (!line.isBlank()) {
                        words += line.trim().split("\\\\s+").length;
                    }
                }
                System.out.println(lines + " " + words + " " + chars);
            }
        }
        ''')},
    off_by_one_fails=["case-3", "case-4"],
)

task(
    id="java-anagrams-junit-hard", language="java", scenario="code-generation", difficulty="hard",
    prompt="""
        (JUnit 5 framework mode.) In Solution.java write
        `public static List<List<String>> groupAnagrams(List<String> words)`: groups of words
        that are anagrams of each other (same letters, case-insensitive, ignoring non-letters),
        each group in input order, groups ordered by their first word's position. null input
        throws NullPointerException.
    """,
    files={"Solution.java": d('''
        import java.util.List;

        public class Solution {
            public static List<List<String>> groupAnagrams(List<String> words) {
                return null;
            }
        }
        ''')},
    tests={"SolutionTest.java": d('''
        import static org.junit.jupiter.api.Assertions.assertEquals;
        import static org.junit.jupiter.api.Assertions.assertThrows;

        import java.util.List;
        import org.junit.jupiter.api.Nested;
        import org.junit.jupiter.api.Test;

        class SolutionTest {
            @Test
            void basicGroups() {
                assertEquals(List.of(List.of("listen", "silent", "enlist", "inlets"), List.of("google")),
                        Solution.groupAnagrams(List.of("listen", "silent", "google", "enlist", "inlets")));
            }

            @Test
            void caseAndPunctuation() {
                assertEquals(List.of(List.of("Dormitory", "dirty room!"), List.of("x")),
                        Solution.groupAnagrams(List.of("Dormitory", "x", "dirty room!")));
            }

            @Test
            void empty() {
                assertEquals(List.of(), Solution.groupAnagrams(List.of()));
            }

            @Nested
            class Errors {
                @Test
                void nullInput() {
                    assertThrows(NullPointerException.class, () -> Solution.groupAnagrams(null));
                }
            }
        }
        ''')},
    test_mode="framework",
    reference={"Solution.java": d('''
        import java.util.ArrayList;
        import java.util.LinkedHashMap;
        import java.util.List;
        import java.util.Map;
        import java.util.Objects;

        public final class Solution {
            private Solution() {
            }

            /** Groups anagrams (letters only, case-insensitive), keeping input order. */
            public static List<List<String>> groupAnagrams(List<String> words) {
                Objects.requireNonNull(words, "words");
                Map<String, List<String>> groups = new LinkedHashMap<>();
                for (String w : words) {
                    groups.computeIfAbsent(key(w), k -> new ArrayList<>()).add(w);
                }
                return new ArrayList<>(groups.values());
            }

            private static String key(String word) {
                int[] letters = word.toLowerCase().codePoints().filter(Character::isLetter).sorted().toArray();
                return new String(letters, 0, letters.length);
            }
        }
        ''')},
    off_by_one={"Solution.java": d('''
        import java.util.ArrayList;
        import java.util.Arrays;
        import java.util.HashMap;
        import java.util.List;
        import java.util.Map;

        public class Solution {
            public static List<List<String>> groupAnagrams(List<String> words) {
                Map<String, List<String>> groups = new HashMap<>();
                if (words == null) {
                    return new ArrayList<>();
                }
                for (String w : words) {
                    char[] cs = w.toCharArray();
                    Arrays.sort(cs);
                    groups.computeIfAbsent(new String(cs), k -> new ArrayList<>()).add(w);
                }
                return new ArrayList<>(groups.values());
            }
        }
        ''')},
    off_by_one_fails=["SolutionTest.caseAndPunctuation()", "SolutionTest$Errors.nullInput()"],
)
