import AsyncHTTPClient
import CrucibleAPI
import Foundation
import Synchronization
import Testing

@testable import Agent

@Suite("ControlPlaneClient against a real HTTP server on loopback")
struct ControlPlaneClientTests {
    static let sampleResult = JobResult(taskID: "t-1", model: "m1", verdict: .passed, testsPassed: 1, testsTotal: 1)

    @Test func sendsTheTokenAndDecodesTheReply() async throws {
        try await CannedServer.run { request in
            guard request.path == "/v1/agents/register" else { return .error(404, code: "not_found", message: "no") }
            return .json(
                "{\"agent_id\":\"a-1\",\"token\":\"own\",\"heartbeat_interval_s\":5,\"lease_ttl_s\":30}", status: 201)
        } body: { server, url in
            let reply = try await withClient(url, token: "reg-token") { client in
                try await client.register(
                    AgentRegistration(name: "n1", slots: 2, cgroupVersion: .v1, toolchains: [.python], version: "1"))
            }
            #expect(reply == AgentRegistrationReply(agentID: "a-1", token: "own", heartbeatIntervalS: 5, leaseTTLS: 30))
            let request = try #require(server.requests.first)
            #expect(request.method == "POST")
            #expect(request.header("authorization") == "Bearer reg-token")
            #expect(request.header("content-type") == "application/json")
            let body = try CrucibleJSON.decode(AgentRegistration.self, from: request.body)
            #expect(body.name == "n1" && body.slots == 2 && body.cgroupVersion == .v1)
        }
    }

    @Test func buildsPathsAndQueries() async throws {
        try await CannedServer.run { request in
            switch request.path {
            case "/v1/jobs/j-7/complete": return .json(encoding: CompletionReply(jobID: "j-7", state: .completed))
            case "/v1/leaderboard": return .json("{\"entries\":[]}")
            case "/healthz": return .json("{\"status\":\"ok\"}")
            case "/readyz": return .json("{\"status\":\"unavailable\",\"checks\":{\"store\":\"locked\"}}", status: 503)
            default: return .error(404, code: "not_found", message: "no route \(request.path)")
            }
        } body: { server, url in
            try await withClient(url) { client in
                let reply = try await client.complete(
                    jobID: "j-7", CompletionRequest(leaseID: "l-1", result: Self.sampleResult, referenceCPUTimeS: 0.5))
                #expect(reply.state == .completed)
                let board = try await client.leaderboard(
                    LeaderboardQuery(runID: "r-1", filter: TaskFilter(language: .python, difficulty: .easy)))
                #expect(board.entries.isEmpty)
                #expect(try await client.healthz().status == .ok)
                let ready = try await client.readyz()
                #expect(ready.status == .unavailable && ready.checks?["store"] == "locked", "a 503 is an answer here")
            }
            let complete = try #require(server.requests(path: "/v1/jobs/j-7/complete").first)
            let sent = try CrucibleJSON.decode(CompletionRequest.self, from: complete.body)
            #expect(sent.referenceCPUTimeS == 0.5 && sent.leaseID == "l-1")
            let query = try #require(server.requests(path: "/v1/leaderboard").first).query
            #expect(query == "run=r-1&language=python&difficulty=easy")
            #expect(server.requests(path: "/healthz").first?.header("authorization") == nil, "public route: no token")
        }
    }

    @Test func decodesTheErrorEnvelopeAndDoesNotRetryA4xx() async throws {
        try await CannedServer.run { _ in
            .error(400, code: "invalid_task", message: "unknown language \\\"cobol\\\"", field: "tasks[3].language")
        } body: { server, url in
            let error = await #expect(throws: AgentError.self) {
                try await withClient(url) { client in
                    try await client.createRun(RunSubmission(name: "r", taskIDs: ["t"], candidates: []))
                }
            }
            #expect(error?.kind == .rejected)
            #expect(error?.status == 400)
            #expect(error?.code == .invalidTask)
            #expect(error?.field == "tasks[3].language")
            #expect(error?.message.contains("unknown language \"cobol\"") == true)
            #expect(error?.description.hasPrefix("POST /v1/runs: 400 invalid_task: ") == true)
            #expect(server.requests.count == 1)
        }
    }

    @Test func staleLeaseIsRecognised() async throws {
        try await CannedServer.run { _ in
            .error(409, code: "stale_lease", message: "the lease expired")
        } body: { server, url in
            let error = await #expect(throws: AgentError.self) {
                try await withClient(url) { client in
                    try await client.complete(jobID: "j", CompletionRequest(leaseID: "l", result: Self.sampleResult))
                }
            }
            #expect(error?.isStaleLease == true)
            #expect(server.requests.count == 1)
        }
    }

    @Test func retriesServerErrorsThenSucceeds() async throws {
        let calls = Counter()
        try await CannedServer.run { _ in
            calls.next() < 2 ? .error(503, code: "unavailable", message: "starting") : .json("{\"status\":\"ok\"}")
        } body: { server, url in
            let reply = try await withClient(url) { try await $0.healthz() }
            #expect(reply.status == .ok)
            #expect(server.requests.count == 3)
        }
    }

    @Test func givesUpAfterMaxAttemptsKeepingTheLastStatus() async throws {
        try await CannedServer.run { _ in
            .error(500, code: "internal", message: "boom")
        } body: { server, url in
            let error = await #expect(throws: AgentError.self) {
                try await withClient(url) { try await $0.listNodes() }
            }
            #expect(error?.status == 500 && error?.code == .internalError)
            #expect(error?.message.contains("check its logs") == true)
            #expect(server.requests.count == 3)
        }
    }

    @Test func honoursRetryAfterOn429() async throws {
        let calls = Counter()
        try await CannedServer.run { _ in
            calls.next() == 0
                ? .error(429, code: "rate_limited", message: "slow down", headers: [("Retry-After", "1")])
                : .json("{\"nodes\":[]}")
        } body: { server, url in
            let (_, latency) = try await SchedulerLatency.measure {
                try await withClient(url) { try await $0.listNodes() }
            }
            let times = server.requests.map(\.at)
            #expect(times.count == 2)
            let waited = (times[1] - times[0]).seconds
            #expect(waited >= 1, "waited only \(waited) s")
            #expect(waited < 3 + latency.worstLateness)
        }
    }

    @Test func aRequestThatIsNotSafeToRepeatIsRetriedOnlyWhenItWasNotTaken() async throws {
        try await CannedServer.run { _ in
            .error(500, code: "internal", message: "boom")
        } body: { server, url in
            _ = await #expect(throws: AgentError.self) {
                try await withClient(url) { client in
                    try await client.createJudgement(JudgementRequest(jobID: "j", kind: .staff, score: 50))
                }
            }
            #expect(server.requests.count == 1, "a 500 may have recorded the judgement: not repeated")
        }
        try await CannedServer.run { _ in
            .error(503, code: "unavailable", message: "busy")
        } body: { server, url in
            _ = await #expect(throws: AgentError.self) {
                try await withClient(url) { client in
                    try await client.createJudgement(JudgementRequest(jobID: "j", kind: .staff, score: 50))
                }
            }
            #expect(server.requests.count == 3, "503 means not taken: repeated")
        }
    }

    @Test func garbageRepliesBecomeClearErrors() async throws {
        try await CannedServer.run { request in
            switch request.path {
            case "/healthz": return .text(200, "<html><body>captive portal</body></html>")
            case "/v1/nodes": return .json("{\"nodes\": [{\"id\": 3}]}")
            case "/v1/tasks": return .text(502, "<html>Bad Gateway</html>")
            case "/v1/leaderboard": return .json("[1, 2]")
            default: return Canned(status: 200, headers: [], body: .bytes(Data()))
            }
        } body: { server, url in
            try await withClient(url) { client in
                let html = await #expect(throws: AgentError.self) { try await client.healthz() }
                #expect(html?.kind == .invalidResponse)
                #expect(html?.message.contains("captive portal") == true)
                #expect(html?.message.contains("HealthReply") == true)

                let shape = await #expect(throws: AgentError.self) { try await client.listNodes() }
                #expect(shape?.kind == .invalidResponse)
                #expect(shape?.message.contains("nodes[0]") == true, "names the bad field: \(shape?.message ?? "")")

                let gateway = await #expect(throws: AgentError.self) { try await client.listTasks() }
                #expect(gateway?.kind == .rejected && gateway?.status == 502 && gateway?.code == nil)
                #expect(gateway?.message.contains("not a Crucible error") == true)

                let raw = await #expect(throws: AgentError.self) { try await client.leaderboardJSON() }
                #expect(raw?.kind == .invalidResponse)

                let empty = await #expect(throws: AgentError.self) { try await client.getRun(id: "r-1") }
                #expect(empty?.kind == .invalidResponse)
                #expect(empty?.message.contains("empty body") == true)
            }
            // Garbage is not retried: asking again gets the same garbage.
            #expect(server.requests(path: "/healthz").count == 1)
            // A 502 is a gateway failing: retried.
            #expect(server.requests(path: "/v1/tasks").count == 3)
        }
    }

    @Test func unreachableControlPlaneIsRetriedThenReported() async throws {
        let url = "http://127.0.0.1:\(unusedLocalPort())"
        let (elapsed, latency) = try await SchedulerLatency.measure {
            let started = ContinuousClock.now
            let error = await #expect(throws: AgentError.self) {
                try await withClient(url) { try await $0.healthz() }
            }
            #expect(error?.kind == .unreachable)
            #expect(error?.requestNotProcessed == true)
            #expect(error?.message.contains("check --control-plane") == true)
            return (ContinuousClock.now - started).seconds
        }
        // Three attempts, each given up after the 1 s connect timeout at worst.
        #expect(elapsed < 5 + 3 * latency.worstLateness)
    }

    @Test func aSilentServerTimesOut() async throws {
        try await CannedServer.run { _ in
            var canned = Canned.json("{\"status\":\"ok\"}")
            canned.delay = .seconds(5)
            return canned
        } body: { server, url in
            let configuration = ControlPlaneClient.Configuration(
                retry: .never, requestTimeout: .seconds(1))
            let error = await #expect(throws: AgentError.self) {
                try await withClient(url, configuration: configuration) { try await $0.healthz() }
            }
            #expect(error?.kind == .timeout)
            #expect(server.requests.count <= 1, "not retried")
        }
    }

    @Test func badConfigurationIsRejectedUpFront() async throws {
        try await ControlPlaneClient.withHTTPClient { http in try Self.checkConfiguration(http) }
    }

    static func checkConfiguration(_ http: HTTPClient) throws {
        for url in ["", "localhost:8080", "ftp://x", "http://", "http://h?x=1"] {
            #expect(throws: AgentError.self, "\(url)") {
                try ControlPlaneClient(baseURL: url, token: nil, httpClient: http, logger: testLogger())
            }
        }
        #expect(throws: AgentError.self) {
            try ControlPlaneClient(baseURL: "http://h", token: "two words", httpClient: http, logger: testLogger())
        }
        let client = try ControlPlaneClient(
            baseURL: "http://h:1/base/", token: nil, httpClient: http, logger: testLogger())
        #expect(client.baseURL == "http://h:1/base")
    }
}

/// A thread-safe call counter for handlers.
final class Counter: Sendable {
    private let value = Mutex(0)
    /// Returns the count before this call.
    func next() -> Int {
        value.withLock { value in
            defer { value += 1 }
            return value
        }
    }
    var count: Int { value.withLock { $0 } }
}
