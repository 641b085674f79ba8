"""JavaScript tasks of the sample bank."""
from bank import d, task

task(
    id="js-roman-numerals-medium", language="javascript", scenario="code-generation", difficulty="medium",
    prompt="""
        Write toRoman(n) and fromRoman(s) in solution.js (CommonJS: module.exports = { toRoman,
        fromRoman }). Range 1..3999, standard subtractive notation (IV, IX, XL, XC, CD, CM).
        toRoman throws RangeError outside the range; fromRoman throws Error on anything that is
        not a canonical numeral (e.g. "IIII", "VX", "").
    """,
    files={"solution.js": "function toRoman(n) {}\nfunction fromRoman(s) {}\nmodule.exports = { toRoman, fromRoman };\n"},
    tests={"solution.test.js": d('''
        const { test, describe } = require("node:test");
        const assert = require("node:assert/strict");
        const { toRoman, fromRoman } = require("./solution.js");

        describe("toRoman", () => {
          test("small numbers", () => {
            assert.equal(toRoman(1), "I");
            assert.equal(toRoman(4), "IV");
            assert.equal(toRoman(9), "IX");
            assert.equal(toRoman(14), "XIV");
          });
          test("large numbers", () => {
            assert.equal(toRoman(1994), "MCMXCIV");
            assert.equal(toRoman(3999), "MMMCMXCIX");
          });
          test("out of range", () => {
            assert.throws(() => toRoman(0), RangeError);
            assert.throws(() => toRoman(4000), RangeError);
          });
        });

        describe("fromRoman", () => {
          test("parses", () => {
            assert.equal(fromRoman("MCMXCIV"), 1994);
            assert.equal(fromRoman("XL"), 40);
          });
          test("rejects non-canonical", () => {
            for (const bad of ["IIII", "VX", "", "IC", "MMMM"]) {
              assert.throws(() => fromRoman(bad), Error, bad);
            }
          });
          test("round trip", () => {
            for (let n = 1; n < 4000; n++) assert.equal(fromRoman(toRoman(n)), n);
          });
        });
        ''')},
    reference={"solution.js": d('''
        "use strict";

        const TABLE = [
          [1000, "M"], [900, "CM"], [500, "D"], [400, "CD"], [100, "C"], [90, "XC"],
          [50, "L"], [40, "XL"], [10, "X"], [9, "IX"], [5, "V"], [4, "IV"], [1, "I"],
        ];

        function toRoman(n) {
          if (!Number.isInteger(n) || n < 1 || n > 3999) {
            throw new RangeError(`out of range: ${n}`);
          }
          let out = "";
          for (const [value, symbol] of TABLE) {
            while (n >= value) {
              out += symbol;
              n -= value;
            }
          }
          return out;
        }

        function fromRoman(s) {
          if (typeof s !== "string" || !/^M{0,3}(CM|CD|D?C{0,3})(XC|XL|L?X{0,3})(IX|IV|V?I{0,3})$/.test(s) || s === "") {
            throw new Error(`not a roman numeral: ${s}`);
          }
          let total = 0;
          let i = 0;
          for (const [value, symbol] of TABLE) {
            while (s.startsWith(symbol, i)) {
              total += value;
              i += symbol.length;
            }
          }
          return total;
        }

        module.exports = { toRoman, fromRoman };
        ''')},
    off_by_one={"solution.js": d('''
        "use strict";

        const TABLE = [
          [1000, "M"], [900, "CM"], [500, "D"], [400, "CD"], [100, "C"], [90, "XC"],
          [50, "L"], [40, "XL"], [10, "X"], [9, "IX"], [5, "V"], [4, "IV"], [1, "I"],
        ];

        function toRoman(n) {
          if (n < 1 || n >= 3999) throw new RangeError(`out of range: ${n}`);
          let out = "";
          for (const [value, symbol] of TABLE) {
            while (n >= value) { out += symbol; n -= value; }
          }
          return out;
        }

        function fromRoman(s) {
          let total = 0;
          let i = 0;
          for (const [value, symbol] of TABLE) {
            while (s.startsWith(symbol, i)) { total += value; i += symbol.length; }
          }
          if (i !== s.length || s === "") throw new Error(`not a roman numeral: ${s}`);
          return total;
        }

        module.exports = { toRoman, fromRoman };
        ''')},
    off_by_one_fails=["toRoman > large numbers", "fromRoman > rejects non-canonical", "fromRoman > round trip"],
)

task(
    id="js-escape-html-easy", language="javascript", scenario="security", difficulty="easy",
    prompt="""
        renderComment(author, text) in solution.js builds HTML by string concatenation and is
        open to XSS. Add escapeHtml(s), which escapes & < > " ' (as &amp; &lt; &gt; &quot;
        &#39;), and use it so renderComment never lets markup through. Export both.
    """,
    files={"solution.js": d('''
        function renderComment(author, text) {
          return '<div class="comment"><b>' + author + "</b>: " + text + "</div>";
        }
        module.exports = { renderComment };
        ''')},
    tests={"solution.test.js": d('''
        const test = require("node:test");
        const assert = require("node:assert");
        const { renderComment, escapeHtml } = require("./solution.js");

        test("escapes all five characters", () => {
          assert.strictEqual(escapeHtml(`<a href="x">'&'</a>`), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
        });
        test("ampersand first (no double escaping of the escapes)", () => {
          assert.strictEqual(escapeHtml("&lt;"), "&amp;lt;");
        });
        test("plain text unchanged", () => {
          assert.strictEqual(escapeHtml("hello world"), "hello world");
        });
        test("comment body cannot inject a script", () => {
          const html = renderComment("eve", "<script>alert(1)</script>");
          assert.ok(!html.includes("<script>"), html);
          assert.ok(html.includes("&lt;script&gt;"), html);
        });
        test("author cannot break out of the markup", () => {
          const html = renderComment('"><img src=x onerror=alert(1)>', "hi");
          assert.ok(!html.includes("<img"), html);
        });
        test("layout kept", () => {
          assert.strictEqual(renderComment("bob", "hi"), '<div class="comment"><b>bob</b>: hi</div>');
        });
        ''')},
    reference={"solution.js": d('''
        "use strict";

        const ESCAPES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

        function escapeHtml(s) {
          return String(s).replace(/[&<>"']/g, (c) => ESCAPES[c]);
        }

        function renderComment(author, text) {
          return '<div class="comment"><b>' + escapeHtml(author) + "</b>: " + escapeHtml(text) + "</div>";
        }

        module.exports = { renderComment, escapeHtml };
        ''')},
    off_by_one={"solution.js": d('''
        "use strict";

        function escapeHtml(s) {
          return String(s).replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;")
            .replace(/'/g, "&#39;").replace(/&/g, "&amp;");
        }

        function renderComment(author, text) {
          return '<div class="comment"><b>' + author + "</b>: " + escapeHtml(text) + "</div>";
        }

        module.exports = { renderComment, escapeHtml };
        ''')},
    off_by_one_fails=["escapes all five characters", "comment body cannot inject a script",
                      "author cannot break out of the markup"],
)

task(
    id="js-chunk-refactor-easy", language="javascript", scenario="refactoring", difficulty="easy",
    prompt="""
        Refactor chunk(array, size) in solution.js: keep its behaviour (split into arrays of
        `size`, the last one shorter; size must be a positive integer or it throws TypeError;
        the input is not modified) but make it short and readable, no `var`, no manual index
        bookkeeping.
    """,
    files={"solution.js": d('''
        function chunk(array, size) {
          var result = [];
          var current = [];
          var i = 0;
          if (typeof size != "number" || size < 1 || Math.floor(size) != size) {
            throw new TypeError("size");
          }
          while (i < array.length) {
            current.push(array[i]);
            if (current.length == size) {
              result.push(current);
              current = [];
            }
            i = i + 1;
          }
          if (current.length > 0) {
            result.push(current);
          }
          return result;
        }
        module.exports = { chunk };
        ''')},
    tests={"solution.test.js": d('''
        const { test } = require("node:test");
        const assert = require("node:assert/strict");
        const { chunk } = require("./solution.js");

        test("even split", () => assert.deepEqual(chunk([1, 2, 3, 4], 2), [[1, 2], [3, 4]]));
        test("short last chunk", () => assert.deepEqual(chunk([1, 2, 3, 4, 5], 2), [[1, 2], [3, 4], [5]]));
        test("size larger than array", () => assert.deepEqual(chunk([1, 2], 5), [[1, 2]]));
        test("empty input", () => assert.deepEqual(chunk([], 3), []));
        test("bad sizes", () => {
          for (const bad of [0, -1, 1.5, "2", NaN]) assert.throws(() => chunk([1], bad), TypeError);
        });
        test("input untouched", () => {
          const input = [1, 2, 3];
          chunk(input, 2);
          assert.deepEqual(input, [1, 2, 3]);
        });
        ''')},
    reference={"solution.js": d('''
        "use strict";

        function chunk(array, size) {
          if (!Number.isInteger(size) || size < 1) {
            throw new TypeError(`size must be a positive integer, got ${size}`);
          }
          return Array.from({ length: Math.ceil(array.length / size) },
            (_, k) => array.slice(k * size, (k + 1) * size));
        }

        module.exports = { chunk };
        ''')},
    off_by_one={"solution.js": d('''
        "use strict";

        function chunk(array, size) {
          if (!Number.isInteger(size) || size < 1) throw new TypeError("size");
          return Array.from({ length: Math.floor(array.length / size) },
            (_, k) => array.slice(k * size, (k + 1) * size));
        }

        module.exports = { chunk };
        ''')},
    off_by_one_fails=["short last chunk", "size larger than array"],
)

task(
    id="js-max-subarray-io-hard", language="javascript", scenario="code-generation", difficulty="hard",
    prompt="""
        Write solution.js as a program (node solution.js). Standard input holds whitespace-
        separated integers: first n, then n integers (n >= 1, |values| <= 1e9, n <= 2e5).
        Print the maximum sum of a non-empty contiguous subarray, then on the next line the
        1-based start and end of the leftmost such subarray (shortest among the leftmost).
        Sums can exceed 2^53: use BigInt.
    """,
    files={"solution.js": "\"use strict\";\n"},
    tests={},
    test_mode="io",
    io_cases=[
        {"stdin": "9\n-2 1 -3 4 -1 2 1 -5 4\n", "expected_stdout": "6\n4 7\n", "weight": 1},
        {"stdin": "3\n-5 -1 -3\n", "expected_stdout": "-1\n2 2\n", "weight": 1},
        {"stdin": "4\n1000000000 1000000000 1000000000 1000000000\n", "expected_stdout": "4000000000\n1 4\n", "weight": 1},
        {"stdin": "5\n2 -2 2 -2 2\n", "expected_stdout": "2\n1 1\n", "weight": 1},
    ],
    reference={"solution.js": d('''
        "use strict";

        const data = require("fs").readFileSync(0, "utf8").split(/\\s+/).filter(Boolean);
        const n = Number(data[0]);
        let best = null;
        let bestStart = 0;
        let bestEnd = 0;
        let run = 0n;
        let runStart = 0;
        for (let i = 0; i < n; i++) {
          const x = BigInt(data[i + 1]);
          if (i === 0 || run <= 0n) {
            run = x;
            runStart = i;
          } else {
            run += x;
          }
          if (best === null || run > best) {
            best = run;
            bestStart = runStart;
            bestEnd = i;
          }
        }
        process.stdout.write(`${best}\\n${bestStart + 1} ${bestEnd + 1}\\n`);
        ''')},
    off_by_one={"solution.js": d('''
        "use strict";

        const data = require("fs").readFileSync(0, "utf8").split(/\\s+/).filter(Boolean);
        const n = Number(data[0]);
        let best = 0;
        let run = 0;
        let start = 0;
        let bs = 0;
        let be = 0;
        for (let i = 0; i < n; i++) {
          run += Number(data[i + 1]);
          if (run > best) { best = run; bs = start; be = i; }
          if (run < 0) { run = 0; start = i + 1; }
        }
        console.log(String(best));
        console.log(`${bs + 1} ${be + 1}`);
        ''')},
    off_by_one_fails=["case-2"],
)
