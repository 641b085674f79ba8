import Agent
import CrucibleAPI
import Foundation

/// What the demo prints at the end and leaves in its data directory.
struct DemoReport {
    let runIDs: [String]
    let plan: DemoPlan

    /// The leaderboard over both runs and every job's result, fetched through the API like any client would.
    struct Outcome {
        var board: Leaderboard
        var results: [RunResultEntry]
    }

    func collect(client: ControlPlaneClient) async throws -> Outcome {
        var results: [RunResultEntry] = []
        for run in runIDs {
            results += try await client.getRunResults(id: run).results
        }
        return Outcome(board: try await client.leaderboard(LeaderboardQuery()), results: results)
    }

    func render(_ outcome: Outcome, elapsed: Double, data: String) -> String {
        let (board, results) = (outcome.board, outcome.results)
        let errored = results.filter { $0.state == .errored }.count
        var text = "\nLeaderboard (blended score 0–100, 95% bootstrap interval; all \(results.count) jobs)\n\n"
        text += LeaderboardText.table(board)
        text += "\nPassed tasks per language\n\n" + languageTable(results)
        text += "\nVerdicts per model\n\n" + verdictTable(results)
        text += String(
            format: "\n%d jobs in %.0f s%@. Results: %@/results.ndjson, %@/leaderboard.csv, %@/leaderboard.json\n",
            results.count, elapsed, errored > 0 ? ", \(errored) errored (infrastructure)" : "", data, data, data)
        text +=
            "Browse them through the API: crucible up --data \(data), then crucible leaderboard "
            + "--token-file \(data)/admin.token --run \(runIDs[0])\n"
        return text
    }

    /// Passed / evaluated per model and language.
    func languageTable(_ results: [RunResultEntry]) -> String {
        let languages = Language.allCases.filter { language in plan.tasks.contains { $0.language == language } }
        let language = Dictionary(uniqueKeysWithValues: plan.tasks.map { ($0.id, $0.language) })
        var rows = [["model"] + languages.map(\.rawValue)]
        for model in plan.models {
            rows.append(
                [model]
                    + languages.map { wanted in
                        let jobs = results.filter { $0.model == model && language[$0.taskID] == wanted }
                        guard !jobs.isEmpty else {
                            return "–"
                        }
                        return "\(jobs.filter { $0.result?.verdict == .passed }.count)/\(jobs.count)"
                    })
        }
        return LeaderboardText.render(rows)
    }

    func verdictTable(_ results: [RunResultEntry]) -> String {
        let verdicts = Verdict.allCases
        var rows = [["model"] + verdicts.map(\.rawValue)]
        for model in plan.models {
            let jobs = results.filter { $0.model == model }
            rows.append(
                [model] + verdicts.map { verdict in String(jobs.filter { $0.result?.verdict == verdict }.count) })
        }
        return LeaderboardText.render(rows)
    }

    func save(_ outcome: Outcome, to data: String) throws {
        var lines = Data()
        for entry in outcome.results {
            lines.append(try CrucibleJSON.encode(entry))
            lines.append(0x0A)
        }
        try lines.write(to: URL(fileURLWithPath: data + "/results.ndjson"))
        try CrucibleJSON.encode(outcome.board, pretty: true).write(to: URL(fileURLWithPath: data + "/leaderboard.json"))
        try Data(LeaderboardText.csv(outcome.board).utf8).write(to: URL(fileURLWithPath: data + "/leaderboard.csv"))
    }
}
