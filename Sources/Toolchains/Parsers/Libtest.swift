// Rust's libtest (cargo test) output. Plain form (stable Rust):
//
//   running 3 tests
//   test adds ... ok
//   test adds_wrong ... FAILED
//   test ignored_one ... ignored            (or "ignored, reason")
//   test should_panic_but_doesnt - should panic ... FAILED
//   failures:
//   ---- adds_wrong stdout ----
//   thread 'main' panicked at …
//   test result: FAILED. 1 passed; 2 failed; …
//
// A failure's message is its "---- name stdout ----" section. With one test thread a test that
// hangs or aborts the process (stack overflow, process::exit) leaves "test name ... " without a
// result: it is reported as `error`, with whatever followed it (stderr, if the caller passed it).
// Plain output has no per-test durations.
//
// The unstable JSON form (`-Z unstable-options --format json`, one event a line) is recognised
// when the first event line is JSON; it carries exec_time.
//
// Input with no libtest line at all throws.

enum LibtestReportParser {
    static let format = "libtest"

    static func parse(_ report: String) throws(OutputParseError) -> [ParsedTest] {
        let lines = ParserText.lines(report)
        if let first = lines.first(where: { !ParserText.isBlank($0) }), ParserText.trimmed(first).hasPrefix("{") {
            if let tests = parseJSON(lines) { return tests }
        }
        return try parsePlain(lines, blank: ParserText.isBlank(report))
    }

    private struct Entry {
        var name: String
        var status: ParsedTestStatus?
        var message: String?
        var trailing = ""
    }

    private static func parsePlain(_ lines: [Substring], blank: Bool) throws(OutputParseError) -> [ParsedTest] {
        var entries: [Entry] = []
        var byName: [String: Int] = [:]
        var pending: Int?  // a "test x ... " line still waiting for its result
        var section: Int?  // inside "---- x stdout ----" of this entry
        var sectionText = ""
        var inFailureList = false
        var recognised = false

        func finishSection() {
            if let index = section {
                let text = String(ParserText.trimmed(sectionText))
                if !text.isEmpty { entries[index].message = text }
                section = nil
                sectionText = ""
            }
        }

        for line in lines {
            let trimmed = ParserText.trimmed(line)
            if ParserText.hasPrefix(line, "running "), trimmed.hasSuffix(" tests") || trimmed.hasSuffix(" test") {
                recognised = true
                finishSection()
                inFailureList = false
                pending = nil
                continue
            }
            if ParserText.hasPrefix(line, "test result: ") {
                recognised = true
                finishSection()
                inFailureList = false
                pending = nil
                continue
            }
            if ParserText.hasPrefix(line, "test "), let (name, result) = testLine(line) {
                recognised = true
                finishSection()
                inFailureList = false
                pending = nil
                guard entries.count < ParserLimits.maxTests else { continue }
                let index = entries.count
                entries.append(Entry(name: String(name)))
                byName[String(name)] = index
                if let status = status(result) {
                    entries[index].status = status
                    if status == .skipped, let reason = ignoreReason(result) { entries[index].message = reason }
                } else {
                    pending = index
                    if !result.isEmpty {
                        ParserText.append(result, to: &entries[index].trailing)
                        ParserText.append("\n", to: &entries[index].trailing)
                    }
                }
                continue
            }
            if ParserText.hasPrefix(line, "---- "), trimmed.hasSuffix(" ----") {
                recognised = true
                finishSection()
                inFailureList = false
                pending = nil
                var header = trimmed.dropFirst(5).dropLast(5)
                for stream in [" stdout", " stderr"] where header.hasSuffix(stream) {
                    header = header.dropLast(stream.count)
                }
                section = byName[String(header)]
                continue
            }
            if trimmed == "failures:" || trimmed == "successes:" {
                finishSection()
                inFailureList = trimmed == "failures:"
                pending = nil
                continue
            }
            if let index = pending {
                // Output the test wrote past the capture, then (maybe) its result on a line of its own.
                if let status = status(trimmed) {
                    entries[index].status = status
                    pending = nil
                } else if !isCargoStatus(trimmed) {
                    ParserText.append(line, to: &entries[index].trailing)
                    ParserText.append("\n", to: &entries[index].trailing)
                }
                continue
            }
            if section != nil {
                ParserText.append(line, to: &sectionText)
                ParserText.append("\n", to: &sectionText)
                continue
            }
            if inFailureList, ParserText.hasPrefix(line, "    "), let index = byName[String(trimmed)],
                entries[index].status == nil
            {
                // Listed as failed although its own result line was lost in the test's output.
                entries[index].status = .failed
            }
        }
        finishSection()

        if !recognised, !blank {
            throw OutputParseError(
                format: format, reason: "no libtest line (\"running N tests\", \"test name ... ok\") found")
        }
        var collector = TestCollector()
        for entry in entries {
            if let status = entry.status {
                collector.add(name: entry.name, status: status, message: status == .passed ? nil : entry.message)
            } else {
                let trailing = String(ParserText.trimmed(entry.trailing))
                collector.add(
                    name: entry.name, status: .error,
                    message: "did not finish (the test process ended before its result)"
                        + (trailing.isEmpty ? "" : "\n" + trailing))
            }
        }
        return collector.tests
    }

    /// "test NAME ... RESULT" (RESULT may be empty while the test runs) -> (NAME, RESULT), with
    /// the " - should panic" marker removed from NAME.
    private static func testLine(_ line: Substring) -> (Substring, Substring)? {
        let body = line.dropFirst(5)
        var name: Substring
        var result: Substring
        if let separator = ParserText.firstRange(of: " ... ", in: body) {
            name = body[body.startIndex..<separator.lowerBound]
            result = ParserText.trimmed(body[separator.upperBound...])
        } else {
            let t = ParserText.trimmed(body)
            guard t.hasSuffix(" ...") else { return nil }
            name = t.dropLast(4)
            result = ""
        }
        if name.hasSuffix(" - should panic") { name = name.dropLast(" - should panic".count) }
        guard !ParserText.isBlank(name) else { return nil }
        return (name, result)
    }

    /// cargo's own progress lines, present when the caller passes stderr along.
    private static func isCargoStatus(_ line: Substring) -> Bool {
        ["Compiling ", "Finished ", "Running ", "Doc-tests ", "Blocking "].contains { line.hasPrefix($0) }
    }

    private static func status<S: StringProtocol>(_ result: S) -> ParsedTestStatus? {
        if result == "ok" { return .passed }
        if result == "FAILED" { return .failed }
        if result == "ignored" || result.hasPrefix("ignored, ") { return .skipped }
        if result.hasPrefix("bench:") { return .passed }
        return nil
    }

    private static func ignoreReason<S: StringProtocol>(_ result: S) -> String? {
        guard result.hasPrefix("ignored, ") else { return nil }
        return String(result.dropFirst("ignored, ".count))
    }

    /// The JSON event stream; nil when no line is a libtest event (then plain parsing runs).
    private static func parseJSON(_ lines: [Substring]) -> [ParsedTest]? {
        var entries: [(name: String, status: ParsedTestStatus?, duration: Double?, message: String?)] = []
        var open: [String: Int] = [:]
        var sawEvent = false
        for line in lines {
            let trimmed = ParserText.trimmed(line)
            guard trimmed.hasPrefix("{"), let event = try? LenientJSON.parse(String(trimmed), format: format),
                event.isComplete, let type = event["type"]?.string, let kind = event["event"]?.string
            else { continue }
            sawEvent = true
            guard type == "test" || type == "bench", let name = event["name"]?.string else { continue }
            let index: Int
            if let existing = open[name] {
                index = existing
            } else {
                guard entries.count < ParserLimits.maxTests else { continue }
                index = entries.count
                entries.append((name, nil, nil, nil))
                open[name] = index
            }
            let status: ParsedTestStatus?
            switch kind {
            case "ok": status = .passed
            case "failed": status = .failed
            case "ignored": status = .skipped
            default: status = type == "bench" ? .passed : nil  // "started", "timeout" (a warning)
            }
            guard let status else { continue }
            entries[index].status = status
            entries[index].duration = event["exec_time"]?.number
            if status != .passed {
                entries[index].message = event["message"]?.string ?? event["stdout"]?.string
            }
            open[name] = nil
        }
        guard sawEvent else { return nil }
        var collector = TestCollector()
        for entry in entries {
            collector.add(
                name: entry.name, status: entry.status ?? .error, durationS: entry.duration,
                message: entry.status == nil
                    ? "did not finish (the test process ended before its result)" : entry.message)
        }
        return collector.tests
    }
}
