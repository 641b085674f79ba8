import Agent
import ArgumentParser
import CrucibleAPI
import Foundation

/// `crucible leaderboard`: models ranked by score, with 95% confidence intervals.
struct LeaderboardCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "leaderboard",
        abstract: "Print the leaderboard: models ranked by blended score, with 95% bootstrap intervals.")

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case table, json, csv
    }

    @OptionGroup var client: ClientOptions
    @Option(help: "Only this run.")
    var run: String?
    @Option(help: "Only tasks in this language.")
    var language: Language?
    @Option(help: "Only tasks of this scenario.")
    var scenario: Scenario?
    @Option(help: "Only tasks of this difficulty.")
    var difficulty: Difficulty?
    @Option(help: "table (for people), json or csv.")
    var format: Format = .table
    @Option(
        name: .customLong("k"),
        help: "pass@k to report, comma-separated (e.g. 1,10); a k needs at least k candidates per task and model.",
        transform: PassAtKList.init(parsing:))
    var passAtK = PassAtKList(values: [1])

    func run() async throws {
        let query = LeaderboardQuery(
            runID: run, filter: TaskFilter(language: language, scenario: scenario, difficulty: difficulty),
            passAtK: passAtK.values)
        let format = format
        try await client.withClient(logger: CLILogging.logger("crucible.leaderboard")) { client in
            switch format {
            case .json:
                let board = try await client.leaderboard(query)
                print(String(decoding: try CrucibleJSON.encode(board, pretty: true), as: UTF8.self))
            case .csv:
                print(LeaderboardText.csv(try await client.leaderboard(query), passAtK: query.passAtK), terminator: "")
            case .table:
                print(
                    LeaderboardText.table(try await client.leaderboard(query), passAtK: query.passAtK), terminator: "")
            }
        }
    }
}

/// `--k 1,10`, parsed once (with the API's own rules) when the command line is read.
struct PassAtKList {
    var values: [Int]

    init(values: [Int]) {
        self.values = values
    }

    init(parsing text: String) throws {
        do {
            values = try LeaderboardQuery.passAtK(parsing: text)
        } catch {
            throw ValidationError(error.first.message)
        }
    }
}

extension Language: ExpressibleByArgument {}
extension Scenario: ExpressibleByArgument {}
extension Difficulty: ExpressibleByArgument {}

/// Leaderboards as text.
enum LeaderboardText {
    static let columns = [
        "rank", "model", "score", "ci_low", "ci_high", "pass_rate", "pass_at_1", "jobs", "errored_jobs",
        "mean_latency_ms", "p95_latency_ms", "total_cost_usd", "cost_per_passed_usd",
    ]

    /// pass@k columns beyond pass@1, which is always shown.
    static func extraK(_ passAtK: [Int]) -> [Int] {
        passAtK.filter { $0 != 1 }
    }

    static func csv(_ board: Leaderboard, passAtK: [Int] = [1]) -> String {
        var lines = [(columns + extraK(passAtK).map { "pass_at_\($0)" }).joined(separator: ",")]
        for entry in board.entries {
            let values: [String] = [
                String(entry.rank), quoted(entry.model), number(entry.score), number(entry.ciLow), number(entry.ciHigh),
                number(entry.passRate), number(entry.passAt1), String(entry.jobs), String(entry.erroredJobs),
                number(entry.meanLatencyMS), number(entry.p95LatencyMS), number(entry.totalCostUSD, places: 6),
                number(entry.costPerPassedUSD, places: 6),
            ]
            let extra = extraK(passAtK).map { number(entry.passAtK[String($0)] ?? nil) }
            lines.append((values + extra).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func table(_ board: Leaderboard, passAtK: [Int] = [1]) -> String {
        guard !board.entries.isEmpty else {
            return "no scored jobs yet\n"
        }
        let extra = extraK(passAtK)
        var rows = [
            ["rank", "model", "score", "95% interval", "pass", "pass@1"] + extra.map { "pass@\($0)" }
                + ["jobs", "latency", "cost"]
        ]
        for entry in board.entries {
            // A k with too few candidates per task has no estimate: shown as "–".
            let extraCells = extra.map { k in
                (entry.passAtK[String(k)] ?? nil).map { String(format: "%.2f", $0) } ?? "–"
            }
            rows.append(
                [
                    "\(entry.rank)\(entry.tied ? "=" : "")", entry.model, String(format: "%.1f", entry.score),
                    String(format: "%.1f–%.1f", entry.ciLow, entry.ciHigh),
                    String(format: "%.0f%%", entry.passRate * 100),
                    String(format: "%.2f", entry.passAt1),
                ] + extraCells + [
                    "\(entry.jobs)" + (entry.erroredJobs > 0 ? " (+\(entry.erroredJobs) errored)" : ""),
                    entry.meanLatencyMS.map { String(format: "%.0f ms", $0) } ?? "–",
                    entry.totalCostUSD.map { String(format: "$%.4f", $0) } ?? "–",
                ])
        }
        let footnote =
            board.entries.contains(where: \.tied)
            ? "= : the interval overlaps the model ranked above; the two are not distinguishable.\n" : ""
        return render(rows) + footnote
    }

    /// Columns padded to their widest cell.
    static func render(_ rows: [[String]]) -> String {
        let widths = (0..<(rows.first?.count ?? 0)).map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            zip(row, widths).map { $0 + String(repeating: " ", count: $1 - $0.count) }.joined(separator: "  ")
                .trimmingCharacters(in: .whitespaces)
        }.joined(separator: "\n") + "\n"
    }

    static func number(_ value: Double?, places: Int = 3) -> String {
        guard let value else {
            return ""
        }
        return String(format: "%.\(places)f", value)
    }

    static func quoted(_ text: String) -> String {
        text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" })
            ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
    }
}
