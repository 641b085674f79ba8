import CrucibleAPI
import Foundation
import Scoring

/// Ranks scored jobs with the `Scoring` module and shapes the result for the API. The bootstrap seed is
/// fixed, so the same jobs always give the same intervals.
public enum LeaderboardBuilder {
    public static let seed: UInt64 = 0x6372_7563_6962_6c65  // "crucible"

    /// `passAtK`: the k of each pass@k the entries report (the `k` query parameter).
    public static func build(_ jobs: [ScoredJob], passAtK: [Int] = [1]) throws -> CrucibleAPI.Leaderboard {
        let board: Scoring.Leaderboard
        do {
            board = try Scoring.Leaderboard.rank(jobs, options: LeaderboardOptions(seed: seed, passAtK: passAtK))
        } catch {
            throw ControlPlaneError(ErrorCode(rawValue: error.code.rawValue), error.message, field: error.field)
        }
        return CrucibleAPI.Leaderboard(
            entries: board.entries.map { entry in
                CrucibleAPI.LeaderboardEntry(
                    rank: entry.rank, model: entry.model, score: entry.score, ciLow: entry.ciLow,
                    ciHigh: entry.ciHigh, passRate: entry.passRate, passAt1: entry.passAt1,
                    passAtK: Dictionary(uniqueKeysWithValues: passAtK.map { (String($0), entry.passAtK[$0]) }),
                    jobs: entry.jobs,
                    meanLatencyMS: entry.meanLatencyMs, totalCostUSD: entry.totalCostUSD,
                    tied: entry.tiedWithPrevious, erroredJobs: entry.erroredJobs, p95LatencyMS: entry.p95LatencyMs,
                    costPerPassedUSD: entry.costPerPassedUSD)
            }, judgeAgreement: JudgeAgreement.alpha(for: jobs))
    }
}
