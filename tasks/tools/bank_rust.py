"""Rust tasks of the sample bank."""
from bank import d, task

task(
    id="rs-palindrome-easy", language="rust", scenario="code-generation", difficulty="easy",
    prompt="""
        In src/lib.rs write `pub fn is_palindrome(s: &str) -> bool`: true when s reads the
        same forwards and backwards considering only alphanumeric characters, ignoring case
        (Unicode-aware: use char methods, not bytes).
    """,
    files={"src/lib.rs": "pub fn is_palindrome(s: &str) -> bool {\n    todo!()\n}\n"},
    tests={"tests/solution_test.rs": d('''
        use solution::*;

        #[test]
        fn classic_sentence() {
            assert!(is_palindrome("A man, a plan, a canal: Panama"));
        }

        #[test]
        fn not_a_palindrome() {
            assert!(!is_palindrome("race a car"));
        }

        #[test]
        fn empty_and_punctuation() {
            assert!(is_palindrome(""));
            assert!(is_palindrome(".,!"));
        }

        #[test]
        fn odd_length() {
            assert!(is_palindrome("abcba"));
            assert!(!is_palindrome("abcbx"));
        }

        #[test]
        fn unicode() {
            assert!(is_palindrome("Été"));
            assert!(!is_palindrome("Étè"));
            assert!(is_palindrome("Ъ ъ"));
        }
        ''')},
    reference={"src/lib.rs": d('''
        /// True when `s` is a palindrome over its alphanumeric characters, ignoring case.
        pub fn is_palindrome(s: &str) -> bool {
            let chars: Vec<char> = s
                .chars()
                .filter(|c| c.is_alphanumeric())
                .flat_map(|c| c.to_lowercase())
                .collect();
            chars.iter().eq(chars.iter().rev())
        }
        ''')},
    off_by_one={"src/lib.rs": d('''
        pub fn is_palindrome(s: &str) -> bool {
            let bytes: Vec<u8> = s
                .bytes()
                .filter(|b| b.is_ascii_alphanumeric())
                .map(|b| b.to_ascii_lowercase())
                .collect();
            let n = bytes.len();
            (0..n / 2).all(|i| bytes[i] == bytes[n - 1 - i]) && (n < 2 || bytes[0] == bytes[n - 1]) && n != 0
        }
        ''')},
    off_by_one_fails=["empty_and_punctuation", "unicode"],
)

task(
    id="rs-parse-config-medium", language="rust", scenario="debugging", difficulty="medium",
    prompt="""
        parse_config in src/lib.rs parses "key = value" lines into a BTreeMap. Bug reports:
        values containing '=' are cut short, comment lines ('#' first non-blank character)
        and blank lines produce errors, and a duplicate key silently overwrites the first.
        Fix it: comments and blank lines are skipped, the value is everything after the
        first '=' (both sides trimmed), an empty key or a line without '=' is
        Err(ConfigError::Syntax(line_number)) (1-based), a duplicate key is
        Err(ConfigError::Duplicate(key)).
    """,
    files={"src/lib.rs": d('''
        use std::collections::BTreeMap;

        #[derive(Debug, PartialEq, Eq)]
        pub enum ConfigError {
            Syntax(usize),
            Duplicate(String),
        }

        pub fn parse_config(text: &str) -> Result<BTreeMap<String, String>, ConfigError> {
            let mut map = BTreeMap::new();
            for (i, line) in text.lines().enumerate() {
                let parts: Vec<&str> = line.split('=').collect();
                if parts.len() != 2 {
                    return Err(ConfigError::Syntax(i));
                }
                map.insert(parts[0].trim().to_string(), parts[1].trim().to_string());
            }
            Ok(map)
        }
        ''')},
    tests={"tests/solution_test.rs": d('''
        use solution::*;

        #[test]
        fn simple_pairs() {
            let m = parse_config("a = 1\\nb=2").unwrap();
            assert_eq!(m.get("a").map(String::as_str), Some("1"));
            assert_eq!(m.get("b").map(String::as_str), Some("2"));
        }

        #[test]
        fn value_with_equals() {
            let m = parse_config("url = http://x/?a=b").unwrap();
            assert_eq!(m["url"], "http://x/?a=b");
        }

        #[test]
        fn comments_and_blanks() {
            let m = parse_config("# header\\n\\n  # indented comment\\nk = v\\n   \\n").unwrap();
            assert_eq!(m.len(), 1);
        }

        #[test]
        fn syntax_error_line_number() {
            assert_eq!(parse_config("a = 1\\nnonsense\\n"), Err(ConfigError::Syntax(2)));
            assert_eq!(parse_config(" = 3"), Err(ConfigError::Syntax(1)));
        }

        #[test]
        fn duplicate_key() {
            assert_eq!(parse_config("a=1\\na = 2"), Err(ConfigError::Duplicate("a".to_string())));
        }

        #[test]
        fn empty_value_allowed() {
            assert_eq!(parse_config("a =").unwrap()["a"], "");
        }
        ''')},
    reference={"src/lib.rs": d('''
        use std::collections::btree_map::Entry;
        use std::collections::BTreeMap;

        #[derive(Debug, PartialEq, Eq)]
        pub enum ConfigError {
            /// A line (1-based) that is neither blank, a comment, nor `key = value`.
            Syntax(usize),
            /// A key defined twice.
            Duplicate(String),
        }

        /// Parses `key = value` lines; `#` comments and blank lines are skipped.
        pub fn parse_config(text: &str) -> Result<BTreeMap<String, String>, ConfigError> {
            let mut map = BTreeMap::new();
            for (i, line) in text.lines().enumerate() {
                let trimmed = line.trim();
                if trimmed.is_empty() || trimmed.starts_with('#') {
                    continue;
                }
                let (key, value) = trimmed.split_once('=').ok_or(ConfigError::Syntax(i + 1))?;
                let key = key.trim();
                if key.is_empty() {
                    return Err(ConfigError::Syntax(i + 1));
                }
                match map.entry(key.to_string()) {
                    Entry::Occupied(_) => return Err(ConfigError::Duplicate(key.to_string())),
                    Entry::Vacant(slot) => {
                        slot.insert(value.trim().to_string());
                    }
                }
            }
            Ok(map)
        }
        ''')},
    off_by_one={"src/lib.rs": d('''
        use std::collections::BTreeMap;

        #[derive(Debug, PartialEq, Eq)]
        pub enum ConfigError {
            Syntax(usize),
            Duplicate(String),
        }

        pub fn parse_config(text: &str) -> Result<BTreeMap<String, String>, ConfigError> {
            let mut map = BTreeMap::new();
            for (i, line) in text.lines().enumerate() {
                let trimmed = line.trim();
                if trimmed.is_empty() || trimmed.starts_with('#') {
                    continue;
                }
                let (key, value) = trimmed.split_once('=').ok_or(ConfigError::Syntax(i))?;
                if key.trim().is_empty() {
                    return Err(ConfigError::Syntax(i));
                }
                if map.insert(key.trim().to_string(), value.trim().to_string()).is_some() {
                    return Err(ConfigError::Duplicate(key.trim().to_string()));
                }
            }
            Ok(map)
        }
        ''')},
    off_by_one_fails=["syntax_error_line_number"],
)

task(
    id="rs-matrix-refactor-hard", language="rust", scenario="refactoring", difficulty="hard",
    prompt="""
        src/lib.rs multiplies matrices stored as Vec<Vec<f64>> with index loops, clones, and
        unwraps. Refactor: `pub struct Matrix { rows: usize, cols: usize, data: Vec<f64> }`
        (row-major) with `pub fn new(rows, cols, data: Vec<f64>) -> Option<Matrix>` (None if
        data.len() != rows * cols), `pub fn identity(n) -> Matrix`, `pub fn get(&self, r, c)
        -> f64`, `pub fn rows(&self)`, `pub fn cols(&self)`, and `pub fn mul(&self, other:
        &Matrix) -> Option<Matrix>` (None when the shapes do not fit). No unsafe, no panics on
        valid input.
    """,
    files={"src/lib.rs": d('''
        pub fn multiply(a: Vec<Vec<f64>>, b: Vec<Vec<f64>>) -> Vec<Vec<f64>> {
            let mut out = Vec::new();
            for i in 0..a.len() {
                let mut row = Vec::new();
                for j in 0..b[0].len() {
                    let mut s = 0.0;
                    for k in 0..b.len() {
                        s = s + a.clone()[i][k] * b.clone()[k][j];
                    }
                    row.push(s);
                }
                out.push(row);
            }
            out
        }
        ''')},
    tests={"tests/solution_test.rs": d('''
        use solution::*;

        #[test]
        fn constructs_and_reads() {
            let m = Matrix::new(2, 3, vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]).unwrap();
            assert_eq!((m.rows(), m.cols()), (2, 3));
            assert_eq!(m.get(1, 0), 4.0);
            assert_eq!(m.get(0, 2), 3.0);
        }

        #[test]
        fn rejects_bad_data_length() {
            assert!(Matrix::new(2, 2, vec![1.0, 2.0, 3.0]).is_none());
        }

        #[test]
        fn multiplies() {
            let a = Matrix::new(2, 3, vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]).unwrap();
            let b = Matrix::new(3, 2, vec![7.0, 8.0, 9.0, 10.0, 11.0, 12.0]).unwrap();
            let c = a.mul(&b).unwrap();
            assert_eq!((c.rows(), c.cols()), (2, 2));
            assert_eq!([c.get(0, 0), c.get(0, 1), c.get(1, 0), c.get(1, 1)], [58.0, 64.0, 139.0, 154.0]);
        }

        #[test]
        fn identity_is_neutral() {
            let a = Matrix::new(2, 2, vec![1.0, 2.0, 3.0, 4.0]).unwrap();
            let c = a.mul(&Matrix::identity(2)).unwrap();
            for r in 0..2 {
                for col in 0..2 {
                    assert_eq!(c.get(r, col), a.get(r, col));
                }
            }
        }

        #[test]
        fn shape_mismatch() {
            let a = Matrix::new(2, 3, vec![0.0; 6]).unwrap();
            assert!(a.mul(&a).is_none());
        }

        #[test]
        fn larger_product_is_fast() {
            let n = 120;
            let a = Matrix::new(n, n, (0..n * n).map(|x| (x % 7) as f64).collect()).unwrap();
            let c = a.mul(&Matrix::identity(n)).unwrap();
            assert_eq!(c.get(n - 1, n - 1), a.get(n - 1, n - 1));
        }
        ''')},
    reference={"src/lib.rs": d('''
        /// A dense row-major matrix of f64.
        #[derive(Debug, Clone, PartialEq)]
        pub struct Matrix {
            rows: usize,
            cols: usize,
            data: Vec<f64>,
        }

        impl Matrix {
            /// A rows x cols matrix from row-major data; None if the length does not fit.
            pub fn new(rows: usize, cols: usize, data: Vec<f64>) -> Option<Matrix> {
                (rows.checked_mul(cols)? == data.len()).then(|| Matrix { rows, cols, data })
            }

            /// The n x n identity matrix.
            pub fn identity(n: usize) -> Matrix {
                let mut data = vec![0.0; n * n];
                data.iter_mut().step_by(n + 1).for_each(|x| *x = 1.0);
                Matrix { rows: n, cols: n, data }
            }

            pub fn rows(&self) -> usize {
                self.rows
            }

            pub fn cols(&self) -> usize {
                self.cols
            }

            /// The element at row r, column c.
            pub fn get(&self, r: usize, c: usize) -> f64 {
                self.data[r * self.cols + c]
            }

            fn row(&self, r: usize) -> &[f64] {
                &self.data[r * self.cols..(r + 1) * self.cols]
            }

            /// self x other, or None when self.cols != other.rows.
            pub fn mul(&self, other: &Matrix) -> Option<Matrix> {
                if self.cols != other.rows {
                    return None;
                }
                let mut data = vec![0.0; self.rows * other.cols];
                for (r, out_row) in data.chunks_mut(other.cols.max(1)).enumerate().take(self.rows) {
                    for (k, &a) in self.row(r).iter().enumerate() {
                        for (out, &b) in out_row.iter_mut().zip(other.row(k)) {
                            *out += a * b;
                        }
                    }
                }
                Some(Matrix { rows: self.rows, cols: other.cols, data })
            }
        }
        ''')},
    off_by_one={"src/lib.rs": d('''
        pub struct Matrix {
            rows: usize,
            cols: usize,
            data: Vec<f64>,
        }

        impl Matrix {
            pub fn new(rows: usize, cols: usize, data: Vec<f64>) -> Option<Matrix> {
                if data.len() < rows * cols {
                    return None;
                }
                Some(Matrix { rows, cols, data })
            }

            pub fn identity(n: usize) -> Matrix {
                let mut data = vec![0.0; n * n];
                for i in 0..n {
                    data[i * n + i] = 1.0;
                }
                Matrix { rows: n, cols: n, data }
            }

            pub fn rows(&self) -> usize {
                self.rows
            }

            pub fn cols(&self) -> usize {
                self.cols
            }

            pub fn get(&self, r: usize, c: usize) -> f64 {
                self.data[r * self.rows + c]
            }

            pub fn mul(&self, other: &Matrix) -> Option<Matrix> {
                if self.cols != other.rows {
                    return None;
                }
                let mut data = Vec::new();
                for r in 0..self.rows {
                    for c in 0..other.cols {
                        data.push((0..self.cols).map(|k| self.get(r, k) * other.get(k, c)).sum());
                    }
                }
                Some(Matrix { rows: self.rows, cols: other.cols, data })
            }
        }
        ''')},
    off_by_one_fails=["constructs_and_reads", "multiplies"],
)

task(
    id="rs-word-lengths-io-medium", language="rust", scenario="code-generation", difficulty="medium",
    prompt="""
        Write src/main.rs as a program. Read all of standard input; print a histogram of word
        lengths (a word is a maximal run of alphabetic characters, length counted in chars):
        one line per length that occurs, ascending, formatted "<length> <count>". Print
        nothing for input without words.
    """,
    files={"src/main.rs": "fn main() {}\n"},
    tests={},
    test_mode="io",
    io_cases=[
        {"stdin": "the quick brown fox\n", "expected_stdout": "3 2\n5 2\n", "weight": 1},
        {"stdin": "", "expected_stdout": "", "weight": 1},
        {"stdin": "naïve café, 42 — über!\n", "expected_stdout": "4 2\n5 1\n", "weight": 1},
        {"stdin": "a\nbb\n\nccc a\n", "expected_stdout": "1 2\n2 1\n3 1\n", "weight": 1},
    ],
    reference={"src/main.rs": d('''
        use std::collections::BTreeMap;
        use std::io::{self, Read, Write};

        fn main() -> io::Result<()> {
            let mut text = String::new();
            io::stdin().read_to_string(&mut text)?;
            let mut counts: BTreeMap<usize, usize> = BTreeMap::new();
            for word in text.split(|c: char| !c.is_alphabetic()).filter(|w| !w.is_empty()) {
                *counts.entry(word.chars().count()).or_insert(0) += 1;
            }
            let mut out = io::stdout().lock();
            for (len, n) in counts {
                writeln!(out, "{} {}", len, n)?;
            }
            Ok(())
        }
        ''')},
    off_by_one={"src/main.rs": d('''
        use std::collections::BTreeMap;
        use std::io::{self, Read};

        fn main() {
            let mut text = String::new();
            io::stdin().read_to_string(&mut text).unwrap();
            let mut counts: BTreeMap<usize, usize> = BTreeMap::new();
            for word in text.split_whitespace() {
                *counts.entry(word.len()).or_insert(0) += 1;
            }
            for (len, n) in counts {
                println!("{} {}", len, n);
            }
        }
        ''')},
    off_by_one_fails=["case-3"],
)
