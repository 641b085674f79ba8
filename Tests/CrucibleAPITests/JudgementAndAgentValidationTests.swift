import Foundation
import Testing

@testable import CrucibleAPI

@Suite("Judgement, query and agent protocol validation")
struct JudgementAndAgentValidationTests {
    @Test(arguments: [
        (JudgementRequest(jobID: "j-1", kind: .staff, score: 101), "score"),
        (JudgementRequest(jobID: "j-1", kind: .staff, score: -0.5), "score"),
        (JudgementRequest(jobID: "j-1", kind: .user, score: .nan), "score"),
        (JudgementRequest(jobID: "", kind: .user, score: 5), "job_id"),
        (JudgementRequest(jobID: "j-1", kind: .user, score: 5, author: ""), "author"),
        (
            JudgementRequest(jobID: "j-1", kind: .user, score: 5, comment: String(repeating: "c", count: 16_385)),
            "comment"
        ),
    ])
    func badJudgement(_ request: JudgementRequest, _ field: String) {
        let issues = request.validationIssues()
        #expect(issues.map(\.field) == [field])
    }

    @Test func goodJudgements() throws {
        for score in [0.0, 50, 100] {
            try JudgementRequest(jobID: "j-1", kind: .selfReview, score: score, author: "Ana María", comment: "")
                .validate()
        }
    }

    @Test func leaderboardQuery() throws {
        let query = try LeaderboardQuery(query: ["run": "r-1", "language": "go", "difficulty": "hard", "page": "2"])
        #expect(query.runID == "r-1")
        #expect(query.filter == TaskFilter(language: .go, difficulty: .hard))
        #expect(query.queryItems.map { "\($0.name)=\($0.value)" } == ["run=r-1", "language=go", "difficulty=hard"])
        let error = try #require(throws: CrucibleAPIError.self) {
            try LeaderboardQuery(query: ["run": "../x", "language": "cobol", "scenario": "golf"])
        }
        #expect(error.issues.map(\.field) == ["run", "language", "scenario"])
        #expect(error.issues.allSatisfy { $0.code == .invalidQuery })
    }

    @Test func taskFilterMatches() {
        #expect(TaskFilter().matches(Samples.task))
        #expect(TaskFilter(language: .python, scenario: .codeGeneration, difficulty: .easy).matches(Samples.task))
        #expect(!TaskFilter(difficulty: .hard).matches(Samples.task))
    }

    @Test func agentRequests() {
        let registration = AgentRegistration(
            name: "node 1", slots: 0, labels: ["": "x", "zone": "a\nb"], cgroupVersion: .v1, toolchains: [.go],
            version: "")
        #expect(
            registration.validationIssues().map(\.field) == [
                "name", "slots", #"labels[""]"#, #"labels["zone"]"#, "version",
            ])

        let lease = LeaseRequest(agentID: "agent-1", maxJobs: 0, waitS: 301)
        #expect(lease.validationIssues().map(\.field) == ["max_jobs", "wait_s"])
        #expect(LeaseRequest(agentID: "agent-1", maxJobs: 4, waitS: 0).validationIssues().isEmpty)

        let heartbeat = HeartbeatRequest(
            agentID: "agent-1", leaseIDs: ["l-1", "bad id"], load: AgentLoad(runningJobs: -1, slots: 4))
        #expect(heartbeat.validationIssues().map(\.field) == ["lease_ids[1]", "load.running_jobs"])

        let at = Samples.date
        let batch = JobEventBatch(
            leaseID: "l-1",
            events: [
                JobEvent(seq: 1, at: at, payload: .jobState(.running)),
                JobEvent(seq: 1, at: at, payload: .test(Samples.test)),
            ])
        #expect(batch.validationIssues().map(\.field) == ["events[1].seq"])
        #expect(JobEventBatch(leaseID: "l-1", events: []).validationIssues().map(\.field) == ["events"])

        var result = Samples.result
        result.testsPassed = 6
        result.score?.quality = 120
        let completion = CompletionRequest(leaseID: "l-1", result: result)
        #expect(completion.validationIssues().map(\.field) == ["result.tests_passed", "result.score.quality"])
        #expect(CompletionRequest(leaseID: "l-1", result: Samples.result).validationIssues().isEmpty)
    }

    @Test func endpointsAndRoles() {
        #expect(APIEndpoint.all.count == 20)
        #expect(Set(APIEndpoint.all.map(\.operationID)).count == APIEndpoint.all.count)
        #expect(APIEndpoint.createRun.allows(.submitter))
        #expect(!APIEndpoint.createRun.allows(.agent))
        #expect(APIEndpoint.createRun.allows(.admin))
        #expect(APIEndpoint.createJudgement.allows(.operator))
        #expect(APIEndpoint.getLeaderboard.allows(.agent))
        #expect(!APIEndpoint.listNodes.allows(.submitter))
        #expect(APIEndpoint.healthz.allows(.agent) && !APIEndpoint.healthz.requiresToken)
        #expect(APIEndpoint.completeJob.path(id: "j-9") == "/v1/jobs/j-9/complete")
        #expect(APIEndpoint.cancelRun.allows(.submitter) && !APIEndpoint.cancelRun.allows(.agent))
        #expect(APIEndpoint.cancelRun.method == .post && APIEndpoint.cancelRun.path(id: "r-1") == "/v1/runs/r-1/cancel")
    }
}
