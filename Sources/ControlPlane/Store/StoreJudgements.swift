import CrucibleAPI
import Foundation
import Scoring

// Judgements (external scores for a job) and what leaderboards are computed from.

extension Store {
    /// Records a judgement of a completed job the caller's tenant owns.
    public func addJudgement(_ request: JudgementRequest, tenant: String?) async throws -> CrucibleAPI.Judgement {
        let id = Self.newID("jdg")
        let created = now()
        return try await database.transaction { connection in
            let rows = try await connection.query("SELECT run_id, tenant, state FROM jobs WHERE id = ?", request.jobID)
            guard let job = rows.first, try tenant == nil || job.string("tenant") == tenant else {
                throw ControlPlaneError(
                    .notFound, "no job \"\(request.jobID)\"; take job ids from GET /v1/runs/{id}/results",
                    field: "job_id")
            }
            guard try job.string("state") == JobState.completed.rawValue else {
                throw ControlPlaneError(
                    .conflict, "job \(request.jobID) has no scored result yet; judge it once it is completed",
                    field: "job_id")
            }
            try await connection.query(
                """
                INSERT INTO judgements (id, job_id, run_id, tenant, kind, score, author, comment, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, id, request.jobID, try job.string("run_id"), try job.string("tenant"), request.kind.rawValue,
                request.score, request.author ?? "", request.comment, created)
            return CrucibleAPI.Judgement(id: id, request: request, createdAt: created)
        }
    }

    /// Which finished jobs a leaderboard ranks.
    public struct JobSelection: Sendable {
        public var tenant: String?
        public var runID: String?
        public var language: String?
        public var scenario: String?
        public var difficulty: String?

        public init(
            tenant: String?, runID: String? = nil, language: String? = nil, scenario: String? = nil,
            difficulty: String? = nil
        ) {
            self.tenant = tenant
            self.runID = runID
            self.language = language
            self.scenario = scenario
            self.difficulty = difficulty
        }
    }

    /// Every finished job of the selection, scored under its run's weights with its judgements blended in.
    public func scoredJobs(_ selection: JobSelection) async throws -> [ScoredJob] {
        var sql = """
            SELECT j.id, j.outcome, r.weights FROM jobs j JOIN runs r ON r.id = j.run_id
            WHERE j.state IN ('completed', 'errored') AND j.outcome IS NOT NULL
            """
        var binds: [SQLValue] = []
        let filters: [(String, String?)] = [
            ("r.tenant", selection.tenant), ("j.run_id", selection.runID), ("j.language", selection.language),
            ("j.scenario", selection.scenario), ("j.difficulty", selection.difficulty),
        ]
        for (column, value) in filters {
            if let value {
                sql += " AND \(column) = ?"
                binds.append(.text(value))
            }
        }
        sql += " ORDER BY j.run_id, j.seq"
        let (jobs, judgements) = try await database.read { connection in
            let jobs = try await connection.query(sql, binds)
            var judgementSQL = "SELECT job_id, kind, score FROM judgements"
            var judgementBinds: [SQLValue] = []
            if let runID = selection.runID {
                judgementSQL += " WHERE run_id = ?"
                judgementBinds.append(.text(runID))
            } else if let tenant = selection.tenant {
                judgementSQL += " WHERE tenant = ?"
                judgementBinds.append(.text(tenant))
            }
            return (jobs, try await connection.query(judgementSQL, judgementBinds))
        }
        var byJob: [String: [Scoring.Judgement]] = [:]
        for row in judgements {
            if let kind = JudgeKindMapping.scoring(try row.string("kind")) {
                byJob[try row.string("job_id"), default: []].append(
                    Scoring.Judgement(kind: kind, score: try row.double("score")))
            }
        }
        var scorers: [String: Scorer] = [:]
        var scored: [ScoredJob] = []
        for row in jobs {
            var outcome = try Self.decode(JobOutcome.self, try row.string("outcome"))
            outcome.judgements = byJob[try row.string("id")] ?? []
            let weightsText = try row.string("weights")
            let scorer: Scorer
            if let cached = scorers[weightsText] {
                scorer = cached
            } else {
                var config = ScoringConfig.default
                let weights = CrucibleAPI.ScoreWeights(wireMap: try Self.decode([String: Double].self, weightsText))
                config.weights = Scoring.ScoreWeights(
                    correctness: weights.correctness, quality: weights.quality, efficiency: weights.efficiency,
                    speed: weights.speed)
                scorer = try Scorer(config: config)
                scorers[weightsText] = scorer
            }
            scored.append(try scorer.score(outcome))
        }
        return scored
    }
}

/// The API's judge kinds and the scoring module's are the same four; this keeps the two enums apart.
enum JudgeKindMapping {
    static func scoring(_ raw: String) -> Scoring.JudgeKind? {
        switch CrucibleAPI.JudgeKind(rawValue: raw) {
        case .staff: .staff
        case .user: .user
        case .selfReview: .selfReview
        case .teamReview: .teamReview
        case nil: nil
        }
    }
}

extension Store {
    /// The run's completed answers as preference candidates: the job's automated score, its files as text.
    public func preferenceCandidates(runID: String, tenant: String?) async throws -> [PreferenceCandidate] {
        try await database.read { connection in
            _ = try await runRow(connection, id: runID, tenant: tenant)
            var prompts: [String: String] = [:]
            for row in try await connection.query("SELECT task_id, spec FROM run_tasks WHERE run_id = ?", runID) {
                prompts[try row.string("task_id")] = try Self.decode(TaskSpec.self, try row.string("spec")).prompt
            }
            return try await connection.query(
                """
                SELECT id, task_id, candidate, automated FROM jobs
                WHERE run_id = ? AND state = 'completed' AND automated IS NOT NULL ORDER BY seq
                """, runID
            ).map { row throws(ControlPlaneError) in
                let candidate = try Self.decode(Candidate.self, try row.string("candidate"))
                let text = candidate.files.keys.sorted().map { "# \($0)\n\(candidate.files[$0] ?? "")" }
                    .joined(separator: "\n")
                let taskID = try row.string("task_id")
                return PreferenceCandidate(
                    id: try row.string("id"), taskID: taskID, prompt: prompts[taskID] ?? "", response: text,
                    score: try row.optionalDouble("automated"))
            }
        }
    }
}
