import Testing

@testable import Toolchains

/// Hostile and broken input: random bytes, mutated and truncated fixtures, huge outputs. Every
/// parser must return or throw OutputParseError (a crash fails the whole run), finish quickly,
/// and keep its limits.
@Suite("parser robustness")
struct ParserRobustnessTests {
    /// Deterministic generator (SplitMix64), so a failure reproduces.
    struct SeededRandom: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let reportFixtures: [(TestReportFormat, JUnitNaming, String)] = [
        (.junitXML, .name, "junit/pytest-mixed.xml"), (.junitXML, .suitePath, "junit/node-mixed.xml"),
        (.junitXML, .classnameName, "junit/minitest-mixed.xml"), (.junitXML, .classnameName, "junit/junit5-mixed.xml"),
        (.goTestJSON, .name, "gotest/mixed.jsonl"), (.goTestJSON, .name, "gotest/panic.jsonl"),
        (.tap, .name, "tap/node-direct.tap"), (.tap, .name, "tap/node-edge.tap"),
        (.tap, .name, "tap/python-program.tap"),
        (.libtest, .name, "libtest/mixed.stdout"), (.libtest, .name, "libtest/mixed.json"),
    ]

    static let lintFixtures: [(LintFormat, String)] = [
        (.ruffJSON, "lint/ruff.json"), (.eslintJSON, "lint/eslint.json"), (.goVetJSON, "lint/go-vet.json"),
        (.staticcheckJSON, "lint/staticcheck.json"), (.checkstyleXML, "lint/checkstyle.xml"),
        (.rubocopJSON, "lint/rubocop.json"), (.mcsWarnings, "lint/mcs.txt"), (.tsc, "lint/tsc.txt"),
        (.clippyJSON, "lint/clippy.jsonl"),
    ]

    /// Runs every parser on `bytes` and checks the limits on whatever comes back.
    static func exerciseAll(_ bytes: [UInt8]) {
        for format in TestReportFormat.allCases {
            for naming in JUnitNaming.allCases where format == .junitXML || naming == .name {
                if let tests = try? TestReportParser.parse(format, report: bytes, naming: naming) { checkLimits(tests) }
            }
        }
        for format in LintFormat.allCases {
            if let findings = try? LintParser.parse(format, output: bytes) { checkLimits(findings) }
        }
    }

    static func checkLimits(_ tests: [ParsedTest]) {
        #expect(tests.count <= ParserLimits.maxTests)
        for test in tests {
            #expect(!test.name.isEmpty)
            #expect(test.name.utf8.count <= ParserLimits.maxNameBytes)
            #expect(!test.name.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F })
            #expect((test.message?.utf8.count ?? 0) <= ParserLimits.maxMessageBytes)
            #expect(!(test.message?.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0 } ?? false))
            if let duration = test.durationS { #expect(duration.isFinite && duration >= 0) }
        }
    }

    static func checkLimits(_ findings: [LintFinding]) {
        #expect(findings.count <= ParserLimits.maxFindings)
        for finding in findings {
            #expect(!finding.rule.isEmpty)
            #expect(finding.rule.utf8.count <= ParserLimits.maxNameBytes)
            #expect(finding.path.utf8.count <= ParserLimits.maxNameBytes)
            #expect(finding.message.utf8.count <= ParserLimits.maxMessageBytes)
            #expect(!finding.path.unicodeScalars.contains { $0.value < 0x20 })
            if let line = finding.line { #expect(line > 0) }
        }
    }

    @Test("random bytes never crash any parser", .timeLimit(.minutes(2)))
    func randomBytes() {
        var random = SeededRandom(state: 0xC0FFEE)
        // Random bytes biased towards the characters the formats care about.
        let alphabet = Array("<>/=\"'&;#![]{}:,.-\\ \n\t\rokntesu0123456789".utf8) + [0x1B, 0x00, 0xFF, 0xC3]
        for round in 0..<300 {
            let length = Int.random(in: 0...2048, using: &random)
            let bytes = (0..<length).map { _ in
                round % 2 == 0 ? UInt8.random(in: 0...255, using: &random) : alphabet.randomElement(using: &random) ?? 0
            }
            Self.exerciseAll(bytes)
        }
    }

    @Test("mutated fixtures never crash any parser", .timeLimit(.minutes(2)))
    func mutatedFixtures() throws {
        var random = SeededRandom(state: 42)
        let inserts: [[UInt8]] = [
            Array("<".utf8), Array("</testcase>".utf8), Array("\"".utf8), Array("{".utf8), Array("}".utf8),
            Array("\\".utf8), Array("\n".utf8), Array("    ".utf8), Array("&#x;".utf8), Array("<![CDATA[".utf8),
            Array("---\n".utf8), Array("not ok ".utf8), Array("test x ... ".utf8), [0x1B, 0x5B], [0xF0, 0x9F],
        ]
        let names = Self.reportFixtures.map(\.2) + Self.lintFixtures.map(\.1)
        for name in names {
            let original = Array(try ParserFixtures.text(name).utf8)
            for _ in 0..<12 {
                var bytes = original
                for _ in 0..<Int.random(in: 1...6, using: &random) where !bytes.isEmpty {
                    let at = Int.random(in: 0..<bytes.count, using: &random)
                    switch Int.random(in: 0..<5, using: &random) {
                    case 0: bytes[at] = UInt8.random(in: 0...255, using: &random)
                    case 1: bytes.insert(contentsOf: inserts.randomElement(using: &random) ?? [], at: at)
                    case 2: bytes.removeSubrange(at..<min(bytes.count, at + Int.random(in: 1...64, using: &random)))
                    case 3: bytes.insert(contentsOf: bytes[at..<min(bytes.count, at + 200)], at: at)
                    default: bytes.removeSubrange(at...)
                    }
                }
                Self.exerciseAll(bytes)
            }
        }
    }

    @Test("junit-xml cut anywhere gives a prefix of the full result, never an error", .timeLimit(.minutes(2)))
    func junitPrefixes() throws {
        for (_, naming, name) in Self.reportFixtures.filter({ $0.0 == .junitXML }) {
            let bytes = Array(try ParserFixtures.text(name).utf8)
            let full = try TestReportParser.parse(.junitXML, report: bytes, naming: naming)
            let stride = max(1, bytes.count / 250)
            for cut in Swift.stride(from: 0, to: bytes.count, by: stride) {
                let partial = try TestReportParser.parse(.junitXML, report: Array(bytes[..<cut]), naming: naming)
                #expect(Array(full.prefix(partial.count)) == partial, "\(name) cut at \(cut)")
            }
        }
    }

    @Test("go-test-json cut anywhere: every finished test matches the full run", .timeLimit(.minutes(2)))
    func goPrefixes() throws {
        for name in ["gotest/mixed.jsonl", "gotest/panic.jsonl", "gotest/init-panic.jsonl"] {
            let bytes = Array(try ParserFixtures.text(name).utf8)
            let full = try TestReportParser.parse(.goTestJSON, report: bytes)
            for cut in Swift.stride(from: 0, to: bytes.count, by: max(1, bytes.count / 200)) {
                let partial = try? TestReportParser.parse(.goTestJSON, report: Array(bytes[..<cut]))
                for test in partial ?? [] where test.status != .error {
                    #expect(full.contains(test), "\(name) cut at \(cut): \(test.name)")
                }
            }
        }
    }

    @Test("tap and libtest cut at any line: finished tests match the full run", .timeLimit(.minutes(2)))
    func lineOrientedPrefixes() throws {
        let cases: [(TestReportFormat, String)] = [
            (.tap, "tap/node-direct.tap"), (.tap, "tap/node-edge.tap"), (.libtest, "libtest/mixed.stdout"),
            (.libtest, "libtest/mixed.json"),
        ]
        for (format, name) in cases {
            let text = try ParserFixtures.text(name)
            let full = try TestReportParser.parse(format, report: text).map { "\($0.name)|\($0.status)" }
            var prefix = ""
            for line in ParserText.lines(text) {
                prefix += line + "\n"
                let partial = try TestReportParser.parse(format, report: prefix)
                for test in partial where test.status != .error {
                    #expect(full.contains("\(test.name)|\(test.status)"), "\(name): \(test.name)")
                }
            }
        }
        // libtest names cannot be cut: without " ... " a line is no test.
        let bytes = Array(try ParserFixtures.text("libtest/mixed.stdout").utf8)
        let names = Set(try TestReportParser.parse(.libtest, report: bytes).map(\.name))
        for cut in 0..<bytes.count {
            for test in (try? TestReportParser.parse(.libtest, report: Array(bytes[..<cut]))) ?? [] {
                #expect(names.contains(test.name), "cut at \(cut): \(test.name)")
            }
        }
    }

    @Test("lint outputs cut anywhere keep only complete findings", .timeLimit(.minutes(2)))
    func lintPrefixes() throws {
        let roots: [LintFormat: String] = [
            .ruffJSON: "/tmp/work", .eslintJSON: "/tmp/work", .goVetJSON: "/tmp/work/gov",
            .staticcheckJSON: "/tmp/work/gov", .checkstyleXML: "/tmp/work/jv", .rubocopJSON: "/tmp/work/rb",
            .clippyJSON: "/tmp/work/rs",
        ]
        for (format, name) in Self.lintFixtures {
            guard let root = roots[format] else { continue }  // line formats may cut a message short
            let bytes = Array(try ParserFixtures.text(name).utf8)
            let full = try LintParser.parse(format, output: bytes, workspaceRoot: root)
            for cut in Swift.stride(from: 0, to: bytes.count, by: max(1, bytes.count / 150)) {
                let partial = try? LintParser.parse(format, output: Array(bytes[..<cut]), workspaceRoot: root)
                for finding in partial ?? [] {
                    #expect(full.contains(finding), "\(name) cut at \(cut): \(finding)")
                }
                if format != .goVetJSON, format != .staticcheckJSON, format != .clippyJSON {
                    #expect(partial != nil, "\(name) cut at \(cut) threw")
                }
            }
        }
    }

    @Test("huge and pathological outputs finish and stay within limits", .timeLimit(.minutes(2)))
    func huge() throws {
        let size = 256 << 10
        let inputs: [String] = [
            String(repeating: "<", count: size),
            String(repeating: "<a>", count: 50_000),
            String(repeating: "[", count: size),
            String(repeating: "{\"Action\":\"output\",\"Test\":\"T\",\"Output\":\"x\\n\"}\n", count: 15_000),
            String(repeating: "ok 1 - t\n", count: 100_000),
            String(repeating: "test t ... ", count: 50_000),
            String(repeating: "\u{1B}[", count: size / 2),
            "test " + String(repeating: "a", count: size),
            "ok 1 - " + String(repeating: "\\#", count: size / 2),
            String(repeating: "a.ts(1,1): error TS1: ", count: 25_000),
            "<testsuite>" + String(repeating: "<testcase name=\"x\"><failure>", count: 10)
                + String(repeating: "y", count: size),
        ]
        for input in inputs {
            Self.exerciseAll(Array(input.utf8))
        }
        // Count limits hold on real-looking floods.
        let flood = String(repeating: "ok 1 - t\n", count: ParserLimits.maxTests * 3)
        #expect(try TestReportParser.parse(.tap, report: flood).count == ParserLimits.maxTests)
        var vet = "{\"p\": {\"printf\": ["
        vet += (0..<(ParserLimits.maxFindings + 5)).map { "{\"posn\": \"/work/a.go:\($0 + 1):1\", \"message\": \"m\"}" }
            .joined(separator: ",")
        vet += "]}}"
        #expect(try LintParser.parse(.goVetJSON, output: vet).count == ParserLimits.maxFindings)
    }

    @Test("deep TAP nesting is handled without recursion", .timeLimit(.minutes(1)))
    func deepTAP() throws {
        // Each point is shallower than the one before, so each adopts the previous: a 3000-deep chain.
        let depth = 3000
        var report = ""
        for level in stride(from: depth, to: 0, by: -1) {
            report += String(repeating: " ", count: level) + "not ok 1 - level\(level)\n"
        }
        let tests = try TestReportParser.parse(.tap, report: report)
        #expect(tests.count == 1)
        #expect(tests[0].status == .failed)
        #expect(tests[0].name.hasPrefix("level1 > level2 > level3"))
        #expect(tests[0].name.utf8.count <= ParserLimits.maxNameBytes)
    }
}
