"""Go tasks of the sample bank."""
from bank import d, task

task(
    id="go-reverse-words-easy", language="go", scenario="code-generation", difficulty="easy",
    prompt="""
        In solution.go (package solution) write ReverseWords(s string) string: the words of s
        (separated by any run of white space) in reverse order, joined by single spaces, with
        no leading or trailing space.
    """,
    files={"solution.go": "package solution\n\nfunc ReverseWords(s string) string {\n\treturn \"\"\n}\n"},
    tests={"solution_test.go": d('''
        package solution

        import (
        	"testing"

        	"github.com/stretchr/testify/assert"
        )

        func TestSimple(t *testing.T) {
        	assert.Equal(t, "world hello", ReverseWords("hello world"))
        }

        func TestExtraSpaces(t *testing.T) {
        	assert.Equal(t, "c b a", ReverseWords("  a \\t b\\n  c  "))
        }

        func TestEmpty(t *testing.T) {
        	assert.Equal(t, "", ReverseWords(""))
        	assert.Equal(t, "", ReverseWords("   "))
        }

        func TestSingle(t *testing.T) {
        	assert.Equal(t, "go", ReverseWords("go"))
        }

        func TestUnicode(t *testing.T) {
        	assert.Equal(t, "мир привет", ReverseWords("привет мир"))
        }
        ''')},
    reference={"solution.go": d('''
        package solution

        import "strings"

        // ReverseWords returns the white-space separated words of s in reverse order.
        func ReverseWords(s string) string {
        	words := strings.Fields(s)
        	for i, j := 0, len(words)-1; i < j; i, j = i+1, j-1 {
        		words[i], words[j] = words[j], words[i]
        	}
        	return strings.Join(words, " ")
        }
        ''')},
    off_by_one={"solution.go": d('''
        package solution

        import "strings"

        func ReverseWords(s string) string {
        	words := strings.Split(strings.TrimSpace(s), " ")
        	out := make([]string, 0, len(words))
        	for i := len(words) - 1; i > 0; i-- {
        		out = append(out, words[i])
        	}
        	return strings.Join(out, " ")
        }
        ''')},
    off_by_one_fails=["TestSimple", "TestExtraSpaces", "TestSingle", "TestUnicode"],
)

task(
    id="go-merge-intervals-medium", language="go", scenario="code-review", difficulty="medium",
    prompt="""
        Review Merge in solution.go, which merges overlapping closed intervals. A reviewer
        flagged: it modifies the caller's slice, it assumes sorted input, it does not merge
        touching intervals ([1,2] and [2,3] overlap), and it panics on empty input. Address
        every point and return the corrected file (same signature; result sorted by start).
    """,
    files={"solution.go": d('''
        package solution

        // Interval is a closed interval [Start, End].
        type Interval struct{ Start, End int }

        // Merge merges overlapping intervals.
        func Merge(in []Interval) []Interval {
        	out := in[:1]
        	for _, iv := range in[1:] {
        		last := &out[len(out)-1]
        		if iv.Start < last.End {
        			if iv.End > last.End {
        				last.End = iv.End
        			}
        		} else {
        			out = append(out, iv)
        		}
        	}
        	return out
        }
        ''')},
    tests={"solution_test.go": d('''
        package solution

        import (
        	"testing"

        	"github.com/stretchr/testify/assert"
        	"github.com/stretchr/testify/require"
        )

        func TestOverlapping(t *testing.T) {
        	got := Merge([]Interval{{1, 3}, {2, 6}, {8, 10}, {15, 18}})
        	assert.Equal(t, []Interval{{1, 6}, {8, 10}, {15, 18}}, got)
        }

        func TestTouching(t *testing.T) {
        	assert.Equal(t, []Interval{{1, 3}}, Merge([]Interval{{1, 2}, {2, 3}}))
        }

        func TestUnsorted(t *testing.T) {
        	assert.Equal(t, []Interval{{0, 4}, {5, 6}}, Merge([]Interval{{5, 6}, {3, 4}, {0, 3}}))
        }

        func TestEmpty(t *testing.T) {
        	require.NotPanics(t, func() { Merge(nil) })
        	assert.Empty(t, Merge([]Interval{}))
        }

        func TestContained(t *testing.T) {
        	assert.Equal(t, []Interval{{1, 10}}, Merge([]Interval{{1, 10}, {2, 3}, {4, 5}}))
        }

        func TestInputUntouched(t *testing.T) {
        	in := []Interval{{4, 5}, {1, 2}, {2, 3}}
        	Merge(in)
        	assert.Equal(t, []Interval{{4, 5}, {1, 2}, {2, 3}}, in)
        }
        ''')},
    reference={"solution.go": d('''
        package solution

        import "sort"

        // Interval is a closed interval [Start, End].
        type Interval struct{ Start, End int }

        // Merge returns the union of the intervals as disjoint intervals sorted by Start.
        // Intervals that overlap or touch are merged. The input is not modified.
        func Merge(in []Interval) []Interval {
        	if len(in) == 0 {
        		return []Interval{}
        	}
        	sorted := append([]Interval(nil), in...)
        	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Start < sorted[j].Start })
        	out := []Interval{sorted[0]}
        	for _, iv := range sorted[1:] {
        		last := &out[len(out)-1]
        		if iv.Start <= last.End {
        			if iv.End > last.End {
        				last.End = iv.End
        			}
        		} else {
        			out = append(out, iv)
        		}
        	}
        	return out
        }
        ''')},
    off_by_one={"solution.go": d('''
        package solution

        import "sort"

        // Interval is a closed interval [Start, End].
        type Interval struct{ Start, End int }

        // Merge merges overlapping intervals.
        func Merge(in []Interval) []Interval {
        	if len(in) == 0 {
        		return nil
        	}
        	sort.Slice(in, func(i, j int) bool { return in[i].Start < in[j].Start })
        	out := []Interval{in[0]}
        	for _, iv := range in[1:] {
        		last := &out[len(out)-1]
        		if iv.Start < last.End {
        			if iv.End > last.End {
        				last.End = iv.End
        			}
        		} else {
        			out = append(out, iv)
        		}
        	}
        	return out
        }
        ''')},
    off_by_one_fails=["TestTouching", "TestUnsorted", "TestInputUntouched"],
)

VALIDATE = d('''
    package solution

    import (
    	"errors"
    	"strings"
    )

    // ErrInvalid is returned for every malformed username.
    var ErrInvalid = errors.New("invalid username")

    // NormalizeUsername lower-cases and trims name and checks it: 3 to 16 characters from
    // a-z, 0-9, '_' and '-', starting with a letter, not ending with '-' or '_'.
    func NormalizeUsername(name string) (string, error) {
    	n := strings.ToLower(strings.TrimSpace(name))
    	if len(n) < 3 || len(n) > 16 {
    		return "", ErrInvalid
    	}
    	for i, r := range n {
    		switch {
    		case r >= 'a' && r <= 'z':
    		case i > 0 && (r >= '0' && r <= '9' || r == '_' || r == '-'):
    		default:
    			return "", ErrInvalid
    		}
    	}
    	if last := n[len(n)-1]; last == '-' || last == '_' {
    		return "", ErrInvalid
    	}
    	return n, nil
    }
    ''')
task(
    id="go-username-tests-hard", language="go", scenario="test-generation", difficulty="hard",
    prompt="""
        solution.go holds NormalizeUsername (read its doc comment). Write solution_test.go
        (package solution, testify's assert/require are available) with tests that pass on it
        and catch bugs: wrong length bounds, accepted bad characters, missed trimming.
    """,
    files={"solution.go": VALIDATE},
    tests={},
    reference={"solution_test.go": d('''
        package solution

        import (
        	"testing"

        	"github.com/stretchr/testify/assert"
        	"github.com/stretchr/testify/require"
        )

        func TestValid(t *testing.T) {
        	for in, want := range map[string]string{
        		"bob":                "bob",
        		"  Alice_99 ":        "alice_99",
        		"a-b":                "a-b",
        		"abcdefghijklmnop":   "abcdefghijklmnop",
        	} {
        		got, err := NormalizeUsername(in)
        		require.NoError(t, err, in)
        		assert.Equal(t, want, got, in)
        	}
        }

        func TestInvalid(t *testing.T) {
        	for _, in := range []string{"", "ab", "abcdefghijklmnopq", "1abc", "_abc", "abc-", "abc_",
        		"ab cd", "abé", "ab.c", "ab/c"} {
        		_, err := NormalizeUsername(in)
        		assert.ErrorIs(t, err, ErrInvalid, in)
        	}
        }
        ''')},
    mutants=[
        {"id": "max-length-17", "files": {"solution.go": VALIDATE.replace("len(n) > 16", "len(n) > 17")}},
        {"id": "digit-first", "files": {"solution.go": VALIDATE.replace("case i > 0 && (", "case i >= 0 && (")}},
        {"id": "no-trim", "files": {"solution.go": VALIDATE.replace("strings.ToLower(strings.TrimSpace(name))", "strings.ToLower(name)")}},
    ],
    off_by_one={"solution_test.go": d('''
        package solution

        import (
        	"testing"

        	"github.com/stretchr/testify/assert"
        )

        func TestBob(t *testing.T) {
        	got, err := NormalizeUsername("Bob")
        	assert.NoError(t, err)
        	assert.Equal(t, "bob", got)
        }

        func TestTooShort(t *testing.T) {
        	_, err := NormalizeUsername("ab")
        	assert.Error(t, err)
        }
        ''')},
    off_by_one_fails=[0],
)

task(
    id="go-gcd-io-easy", language="go", scenario="code-generation", difficulty="easy",
    prompt="""
        Write solution.go as a program (package main). Standard input: pairs of non-negative
        integers a b (up to 10^18), one pair per line. For each pair print gcd(a, b) and
        lcm(a, b) separated by a space (gcd(0, 0) = 0, lcm with a 0 is 0). lcm fits in 64 bits.
    """,
    files={"solution.go": "package main\n\nfunc main() {}\n"},
    tests={},
    test_mode="io",
    io_cases=[
        {"stdin": "12 18\n", "expected_stdout": "6 36\n", "weight": 1},
        {"stdin": "7 13\n0 5\n0 0\n", "expected_stdout": "1 91\n5 0\n0 0\n", "weight": 1},
        {"stdin": "21 6\n\n4 10\n", "expected_stdout": "3 42\n2 20\n", "weight": 1},
        {"stdin": "1000000000000000000 500000000000000000\n", "expected_stdout": "500000000000000000 1000000000000000000\n", "weight": 1},
    ],
    reference={"solution.go": d('''
        package main

        import (
        	"bufio"
        	"fmt"
        	"os"
        )

        func gcd(a, b uint64) uint64 {
        	for b != 0 {
        		a, b = b, a%b
        	}
        	return a
        }

        func main() {
        	in := bufio.NewReader(os.Stdin)
        	out := bufio.NewWriter(os.Stdout)
        	defer out.Flush()
        	for {
        		var a, b uint64
        		if _, err := fmt.Fscan(in, &a, &b); err != nil {
        			return
        		}
        		g := gcd(a, b)
        		var l uint64
        		if g != 0 {
        			l = a / g * b
        		}
        		if a == 0 || b == 0 {
        			l = 0
        		}
        		fmt.Fprintln(out, g, l)
        	}
        }
        ''')},
    off_by_one={"solution.go": d('''
        package main

        import (
        	"fmt"
        )

        func gcd(a, b int64) int64 {
        	for b != 0 {
        		a, b = b, a%b
        	}
        	return a
        }

        func main() {
        	var a, b int64
        	if _, err := fmt.Scan(&a, &b); err != nil {
        		return
        	}
        	g := gcd(a, b)
        	fmt.Println(g, a*b/g)
        }
        ''')},
    off_by_one_fails=["case-2", "case-4"],
)
