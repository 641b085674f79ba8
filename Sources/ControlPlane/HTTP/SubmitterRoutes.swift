import CrucibleAPI
import Foundation
import Hummingbird
import Scoring

// Runs, tasks, judgements and the leaderboard: what submitters use.

extension ControlPlaneAPI {
    func createRun(_ request: Request, _ context: ControlPlaneContext, _ caller: Principal?) async throws -> Response {
        let principal = try Principal.required(caller)
        let submission = try await HTTPSupport.decode(RunSubmission.self, from: request, limit: maxRunBody)
        let created = try await store.createRun(submission, tenant: principal.tenant, rules: rules)
        logger.info(
            "run created",
            metadata: ["run": "\(created.id)", "jobs": "\(created.jobs)", "tenant": "\(principal.tenant)"])
        await bell.ring()
        return try HTTPSupport.json(created, status: .created)
    }

    func getRun(_ request: Request, _ context: ControlPlaneContext, _ caller: Principal?) async throws -> Response {
        let principal = try Principal.required(caller)
        return try HTTPSupport.json(
            try await store.runStatus(id: try HTTPSupport.id(context), tenant: principal.tenantFilter))
    }

    /// Stops a run: its unfinished jobs are cancelled (those running are killed on their nodes at the agents'
    /// next heartbeat) and the run ends. Answers the run's status; a run that has ended is left as it is.
    func cancelRun(_ request: Request, _ context: ControlPlaneContext, _ caller: Principal?) async throws -> Response {
        let principal = try Principal.required(caller)
        let status = try await store.cancelRun(id: try HTTPSupport.id(context), tenant: principal.tenantFilter)
        await bell.ring()  // event streams send the cancellations and end
        return try HTTPSupport.json(status)
    }

    /// One result per job, as JSON, or one JSON object per line with `Accept: application/x-ndjson`.
    func getRunResults(_ request: Request, _ context: ControlPlaneContext, _ caller: Principal?) async throws
        -> Response
    {
        let principal = try Principal.required(caller)
        let results = try await store.runResults(id: try HTTPSupport.id(context), tenant: principal.tenantFilter)
        guard request.headers[.accept]?.contains(MediaType.ndjson) == true else {
            return try HTTPSupport.json(results)
        }
        return try HTTPSupport.ndjson(results.results)
    }

    /// Pairs of answers to one task, the better one chosen: training data from a run (RLHF, DPO).
    func getRunPreferences(_ request: Request, _ context: ControlPlaneContext, _ caller: Principal?) async throws
        -> Response
    {
        let principal = try Principal.required(caller)
        let candidates = try await store.preferenceCandidates(
            runID: try HTTPSupport.id(context), tenant: principal.tenantFilter)
        let pairs: [Scoring.PreferencePair]
        do {
            // Equal scores say nothing about which answer is better.
            pairs = try PreferencePairs.make(from: candidates, minimumMargin: 0.5)
        } catch {
            throw ControlPlaneError(.internalError, "preference pairs: \(error)")
        }
        let entries = pairs.map { pair in
            PreferencePairEntry(
                taskID: pair.taskID, prompt: pair.prompt, chosen: pair.chosen, rejected: pair.rejected,
                chosenJobID: pair.chosenID, rejectedJobID: pair.rejectedID, chosenScore: pair.chosenScore,
                rejectedScore: pair.rejectedScore)
        }
        guard request.headers[.accept]?.contains(MediaType.ndjson) == true else {
            return try HTTPSupport.json(PreferencePairList(pairs: entries))
        }
        return try HTTPSupport.ndjson(entries)
    }

    func createTasks(_ request: Request, _ context: ControlPlaneContext, _ caller: Principal?) async throws -> Response
    {
        let principal = try Principal.required(caller)
        let upload = try await HTTPSupport.decode(TaskUpload.self, from: request, limit: maxRunBody)
        if let rules {
            // A bare task (not wrapped in {"tasks": [...]}) is named from the body's root, as its other checks are.
            let issues = upload.tasks.enumerated().flatMap { index, task in
                rules.issues(task: task, at: upload.isSingleTask ? .root : FieldPath().field("tasks").index(index))
            }
            if let error = CrucibleAPIError(issues) { throw ControlPlaneError(error) }
        }
        let ids = try await store.putTasks(upload.tasks, tenant: principal.tenant)
        return try HTTPSupport.json(TaskUploadReply(ids: ids), status: .created)
    }

    func listTasks(_ request: Request, _ context: ControlPlaneContext, _ caller: Principal?) async throws -> Response {
        let principal = try Principal.required(caller)
        let query = try TaskFilterQuery(request.uri.queryParameters)
        let tasks = try await store.listTasks(
            tenant: principal.tenant,
            query: Store.TaskQuery(
                language: query.language, scenario: query.scenario, difficulty: query.difficulty, limit: query.limit))
        return try HTTPSupport.json(TaskList(tasks: tasks))
    }

    func createJudgement(_ request: Request, _ context: ControlPlaneContext, _ caller: Principal?) async throws
        -> Response
    {
        let principal = try Principal.required(caller)
        let judgement = try await HTTPSupport.decode(JudgementRequest.self, from: request, limit: maxSmallBody)
        return try HTTPSupport.json(
            try await store.addJudgement(judgement, tenant: principal.tenantFilter), status: .created)
    }

    func getLeaderboard(_ request: Request, _ context: ControlPlaneContext, _ caller: Principal?) async throws
        -> Response
    {
        let principal = try Principal.required(caller)
        let query = try TaskFilterQuery(request.uri.queryParameters)
        if let run = query.run {
            // A run of another tenant is "not found", exactly like a run that does not exist.
            _ = try await store.runStatus(id: run, tenant: principal.tenantFilter)
        }
        let jobs = try await store.scoredJobs(
            Store.JobSelection(
                tenant: principal.tenantFilter, runID: query.run, language: query.language, scenario: query.scenario,
                difficulty: query.difficulty))
        return try HTTPSupport.json(try LeaderboardBuilder.build(jobs, passAtK: query.passAtK))
    }
}

/// The query parameters of the listing routes, each checked against its allowed values.
struct TaskFilterQuery {
    var run: String?
    var language: String?
    var scenario: String?
    var difficulty: String?
    var limit = 1000
    /// `k=1,10`: the leaderboard's pass@k columns.
    var passAtK = [1]

    init(_ parameters: Parameters) throws {
        func value(_ name: String) -> String? {
            parameters.get(name).flatMap { $0.isEmpty ? nil : $0 }
        }
        run = value("run")
        language = try Self.checked(value("language"), Language.self, "language")
        scenario = try Self.checked(value("scenario"), Scenario.self, "scenario")
        difficulty = try Self.checked(value("difficulty"), Difficulty.self, "difficulty")
        if let raw = value("limit") {
            guard let number = Int(raw), (1...10_000).contains(number) else {
                throw ControlPlaneError(
                    .invalidQuery, "is \"\(raw)\"; use a whole number from 1 to 10000", field: "limit")
            }
            limit = number
        }
        if let raw = value("k") {
            passAtK = try LeaderboardQuery.passAtK(parsing: raw)
        }
    }

    static func checked<E: RawRepresentable & CaseIterable>(_ raw: String?, _ type: E.Type, _ name: String) throws
        -> String? where E.RawValue == String
    {
        guard let raw else {
            return nil
        }
        guard E(rawValue: raw) != nil else {
            let allowed = E.allCases.map(\.rawValue).joined(separator: ", ")
            throw ControlPlaneError(.invalidQuery, "is \"\(raw)\"; use one of \(allowed)", field: name)
        }
        return raw
    }
}
