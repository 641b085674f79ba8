// `go test -json` / `go tool test2json`: one JSON event a line ({"Action", "Package", "Test",
// "Output", "Elapsed"}). Actions run/pass/fail/skip/output per test; subtests are "TestX/sub".
//
// - A failed or skipped test's message is its own output, minus the "=== RUN" / "--- FAIL:"
//   framing lines; passing tests get no message.
// - A parent with subtests is reported only when it failed on its own account (no subtest
//   failed): otherwise its subtests already say everything and counting it twice would skew
//   the pass rate.
// - A test that started and never finished (the run was killed or timed out) is an `error`.
// - A package that failed with no failing test (panic in init, build failure, os.Exit in
//   TestMain) is one `error` entry named after the package, with the package's output.
// - Lines that are not JSON events are ignored; input with no event at all throws.

enum GoTestJSONReportParser {
    static let format = "go-test-json"

    private struct Entry {
        let package: String
        let name: String
        var action: String?  // pass, fail, skip, or nil while running
        var elapsed: Double?
        var output = ""
    }

    private struct PackageState {
        var failed = false
        var output = ""
        var order: Int
    }

    static func parse(_ report: String) throws(OutputParseError) -> [ParsedTest] {
        var entries: [Entry] = []
        var open: [String: Int] = [:]  // "package\u{0}test" -> index of its latest entry
        var packages: [String: PackageState] = [:]
        var sawEvent = false

        for line in ParserText.lines(report) {
            let trimmed = ParserText.trimmed(line)
            guard trimmed.utf8.first == UInt8(ascii: "{"),
                let event = try? LenientJSON.parse(String(trimmed), format: format), event.isComplete,
                let action = event["Action"]?.string
            else { continue }
            sawEvent = true
            let package = event["Package"]?.string ?? ""
            if packages[package] == nil { packages[package] = PackageState(order: packages.count) }

            guard let test = event["Test"]?.string, !test.isEmpty else {
                switch action {
                case "output", "build-output":
                    if let output = event["Output"]?.string {
                        ParserText.append(
                            Substring(output), to: &packages[package, default: PackageState(order: 0)].output)
                    }
                case "fail", "build-fail":
                    packages[package]?.failed = true
                default:
                    break
                }
                continue
            }

            let key = package + "\u{0}" + test
            switch action {
            case "run":
                guard entries.count < ParserLimits.maxTests * 2 else { continue }
                open[key] = entries.count
                entries.append(Entry(package: package, name: test))
            case "output":
                let index = open[key] ?? newEntry(&entries, &open, key: key, package: package, name: test)
                if let index, let output = event["Output"]?.string {
                    ParserText.append(Substring(output), to: &entries[index].output)
                }
            case "pass", "fail", "skip":
                if let index = open[key] ?? newEntry(&entries, &open, key: key, package: package, name: test) {
                    entries[index].action = action
                    entries[index].elapsed = event["Elapsed"]?.number
                }
            default:
                break  // pause, cont, start, bench
            }
        }

        if !sawEvent, !ParserText.isBlank(report) {
            throw OutputParseError(format: format, reason: "no test2json event (a JSON object with \"Action\") found")
        }
        return results(entries: entries, packages: packages)
    }

    private static func newEntry(
        _ entries: inout [Entry], _ open: inout [String: Int], key: String, package: String, name: String
    ) -> Int? {
        guard entries.count < ParserLimits.maxTests * 2 else { return nil }
        open[key] = entries.count
        entries.append(Entry(package: package, name: name))
        return entries.count - 1
    }

    private static func status(_ entry: Entry) -> ParsedTestStatus {
        switch entry.action {
        case "pass": return .passed
        case "fail": return .failed
        case "skip": return .skipped
        default: return .error
        }
    }

    private static func results(entries: [Entry], packages: [String: PackageState]) -> [ParsedTest] {
        // Which entries have a failing descendant, and which have children at all.
        var names: [String: [Int]] = [:]
        for (index, entry) in entries.enumerated() {
            names[entry.package + "\u{0}" + entry.name, default: []].append(index)
        }
        var hasChildren = Set<Int>()
        var failingDescendant = Set<Int>()
        for (index, entry) in entries.enumerated() {
            let failing = status(entry) == .failed || status(entry) == .error
            var name = Substring(entry.name)
            while let slash = name.utf8.lastIndex(of: UInt8(ascii: "/")) {
                name = name[name.startIndex..<slash]
                guard let parents = names[entry.package + "\u{0}" + name] else { continue }
                for parent in parents where parent < index {
                    hasChildren.insert(parent)
                    if failing { failingDescendant.insert(parent) }
                }
            }
        }

        var collector = TestCollector()
        var failingPackages = Set<String>()
        for (index, entry) in entries.enumerated() {
            let status = status(entry)
            if status == .failed || status == .error { failingPackages.insert(entry.package) }
            if hasChildren.contains(index) {
                guard status == .failed || status == .error, !failingDescendant.contains(index) else { continue }
            }
            var message: String?
            switch status {
            case .passed: message = nil
            case .error where entry.action == nil:
                let output = testOutput(entry.output)
                message = "did not finish (the run ended before its result)" + (output.isEmpty ? "" : "\n" + output)
            default: message = testOutput(entry.output)
            }
            collector.add(name: entry.name, status: status, durationS: entry.elapsed, message: message)
        }

        for (package, state) in packages.sorted(by: { $0.value.order < $1.value.order })
        where state.failed && !failingPackages.contains(package) {
            let output = packageOutput(state.output)
            collector.add(
                name: package.isEmpty ? "(package)" : package, status: .error,
                message: output.isEmpty ? "the test binary failed outside any test" : output)
        }
        return collector.tests
    }

    /// The test's output without the runner's own framing lines.
    static func testOutput(_ output: String) -> String {
        let kept = ParserText.lines(output).filter { line in
            let t = ParserText.trimmed(line)
            return
                !(t.hasPrefix("=== RUN") || t.hasPrefix("=== PAUSE") || t.hasPrefix("=== CONT")
                || t.hasPrefix("=== NAME") || t.hasPrefix("--- PASS:") || t.hasPrefix("--- FAIL:")
                || t.hasPrefix("--- SKIP:") || t.hasPrefix("--- BENCH:"))
        }
        return String(ParserText.trimmed(kept.joined(separator: "\n")))
    }

    /// Package output without the PASS/FAIL/ok summary lines.
    static func packageOutput(_ output: String) -> String {
        let kept = ParserText.lines(output).filter { line in
            let t = ParserText.trimmed(line)
            return
                !(t == "PASS" || t == "FAIL" || t.hasPrefix("FAIL\t") || t.hasPrefix("ok  \t")
                || t.hasPrefix("ok \t"))
        }
        return String(ParserText.trimmed(kept.joined(separator: "\n")))
    }
}
