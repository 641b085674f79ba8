import ControlPlane
import CrucibleAPI
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Testing

/// The HTTP API through Hummingbird's test client: status codes, error shapes, auth, tenants, limits.
@Suite("HTTP routes")
struct RouteTests {
    struct Harness {
        let fixture: StoreFixture
        let server: ControlPlaneServer
        let admin: String
        let submitter: String
        let otherTenant: String
        let registration: String
        let `operator`: String

        static func make() async throws -> Harness {
            let fixture = try await StoreFixture.make()
            var logger = Logger(label: "test.routes")
            logger.logLevel = .critical
            let server = ControlPlaneServer(store: fixture.store, logger: logger)
            let store = fixture.store
            return Harness(
                fixture: fixture, server: server,
                admin: try await store.createToken(role: .admin, tenant: "acme", name: "admin").secret,
                submitter: try await store.createToken(role: .submitter, tenant: "acme", name: "sub").secret,
                otherTenant: try await store.createToken(role: .submitter, tenant: "evil", name: "evil").secret,
                registration: try await store.createToken(role: .agent, tenant: "acme", name: "reg").secret,
                operator: try await store.createToken(role: .operator, tenant: "acme", name: "ops").secret)
        }

        func test(_ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
            let app = Application(router: server.router())
            try await app.test(.router, body)
            await fixture.close()
        }
    }

    static func headers(_ token: String?, accept: String? = nil) -> HTTPFields {
        var fields: HTTPFields = [.contentType: "application/json"]
        if let token {
            fields[.authorization] = "Bearer \(token)"
        }
        if let accept {
            fields[.accept] = accept
        }
        return fields
    }

    static func body(_ value: some Encodable) throws -> ByteBuffer {
        ByteBuffer(bytes: try CrucibleJSON.encode(value))
    }

    /// The error envelope of a reply, or nil when the body is not one.
    static func apiError(_ response: TestResponse) -> APIErrorBody? {
        (try? CrucibleJSON.decode(ErrorEnvelope.self, from: Data(response.body.readableBytesView)))?.error
    }

    static func decode<T: Decodable>(_ type: T.Type, _ response: TestResponse) throws -> T {
        try CrucibleJSON.decode(type, from: Data(response.body.readableBytesView))
    }

    @Test func everyErrorIsTheJSONEnvelopeWithTheRightStatus() async throws {
        let harness = try await Harness.make()
        try await harness.test { client in
            try await client.execute(uri: "/v1/runs", method: .post, headers: Self.headers(nil)) { response in
                #expect(response.status == .unauthorized)
                #expect(Self.apiError(response)?.code == .unauthorized)
            }
            try await client.execute(uri: "/v1/runs", method: .post, headers: Self.headers("cru_nope")) { response in
                #expect(response.status == .unauthorized)
            }
            try await client.execute(
                uri: "/v1/nodes", method: .get, headers: Self.headers(harness.submitter)
            ) { response in
                #expect(response.status == .forbidden)
                #expect(Self.apiError(response)?.message.contains("operator") == true)
            }
            try await client.execute(uri: "/v1/nothing", method: .get, headers: Self.headers(harness.admin)) {
                response in
                #expect(response.status == .notFound)
                #expect(Self.apiError(response)?.code == .notFound)
            }
            try await client.execute(
                uri: "/v1/runs", method: .post, headers: Self.headers(harness.submitter),
                body: ByteBuffer(string: "{not json")
            ) { response in
                #expect(response.status == .badRequest)
            }
        }
    }

    @Test func invalidRunIsRejectedWholeNamingTheField() async throws {
        let harness = try await Harness.make()
        try await harness.test { client in
            var submission = Samples.run(tasks: 3)
            submission.tasks?[2].id = "bad id with spaces"
            try await client.execute(
                uri: "/v1/runs", method: .post, headers: Self.headers(harness.submitter),
                body: try Self.body(submission)
            ) { response in
                #expect(response.status == .badRequest)
                let error = try Self.decode(ErrorEnvelope.self, response).error
                #expect(error.field?.hasPrefix("tasks[2]") == true, "field: \(String(describing: error.field))")
            }
            var weights = Samples.run()
            weights.weights = ["correctness": -1]
            try await client.execute(
                uri: "/v1/runs", method: .post, headers: Self.headers(harness.submitter), body: try Self.body(weights)
            ) { response in
                #expect(response.status == .badRequest)
                #expect(Self.apiError(response)?.field == #"weights["correctness"]"#)
            }
            #expect(try await harness.fixture.store.runIDs(tenant: nil).isEmpty, "nothing was written")
        }
    }

    @Test func aMisspeltFieldIsRefusedByName() async throws {
        let harness = try await Harness.make()
        try await harness.test { client in
            var body =
                try JSONSerialization.jsonObject(with: try CrucibleJSON.encode(Samples.run())) as? [String: Any] ?? [:]
            var tasks = body["tasks"] as? [[String: Any]] ?? []
            tasks[0]["test_mod"] = "program"
            body["tasks"] = tasks
            let data = try JSONSerialization.data(withJSONObject: body)
            try await client.execute(
                uri: "/v1/runs", method: .post, headers: Self.headers(harness.submitter), body: ByteBuffer(bytes: data)
            ) { response in
                #expect(response.status == .badRequest)
                #expect(Self.apiError(response)?.field == "tasks[0].test_mod")
            }
            #expect(try await harness.fixture.store.runIDs(tenant: nil).isEmpty)
        }
    }

    @Test func oversizeBodyIs413() async throws {
        let harness = try await Harness.make()
        try await harness.test { client in
            let huge = ByteBuffer(repeating: UInt8(ascii: " "), count: 2 * 1024 * 1024)
            try await client.execute(
                uri: "/v1/judgements", method: .post, headers: Self.headers(harness.submitter), body: huge
            ) { response in
                #expect(response.status == .contentTooLarge)
                #expect(Self.apiError(response)?.code == .tooLarge)
            }
        }
    }

    @Test func runLifecycleThroughTheAgentProtocol() async throws {
        let harness = try await Harness.make()
        try await harness.test { client in
            let created = try await client.execute(
                uri: "/v1/runs", method: .post, headers: Self.headers(harness.submitter),
                body: try Self.body(Samples.run(tasks: 2))
            ) { response in
                #expect(response.status == .created)
                return try Self.decode(RunCreated.self, response)
            }
            #expect(created.jobs == 2)
            // Another tenant cannot see it.
            try await client.execute(
                uri: "/v1/runs/\(created.id)", method: .get, headers: Self.headers(harness.otherTenant)
            ) { response in
                #expect(response.status == .notFound)
            }
            let registered = try await client.execute(
                uri: "/v1/agents/register", method: .post, headers: Self.headers(harness.registration),
                body: try Self.body(Samples.registration())
            ) { response in
                #expect(response.status == .created)
                return try Self.decode(AgentRegistrationReply.self, response)
            }
            // The registration token cannot lease; the agent's own credential can.
            let lease = LeaseRequest(agentID: registered.agentID, maxJobs: 5, waitS: 0)
            try await client.execute(
                uri: "/v1/agents/lease", method: .post, headers: Self.headers(harness.registration),
                body: try Self.body(lease)
            ) { response in
                #expect(response.status == .forbidden)
            }
            let jobs = try await client.execute(
                uri: "/v1/agents/lease", method: .post, headers: Self.headers(registered.token),
                body: try Self.body(lease)
            ) { response in
                #expect(response.status == .ok)
                return try Self.decode(LeaseReply.self, response).jobs
            }
            #expect(jobs.count == 2)
            for job in jobs {
                let completion = CompletionRequest(leaseID: job.leaseID, result: Samples.result(for: job))
                for _ in 0..<2 {  // the same completion twice: the same answer
                    try await client.execute(
                        uri: "/v1/jobs/\(job.jobID)/complete", method: .post, headers: Self.headers(registered.token),
                        body: try Self.body(completion)
                    ) { response in
                        #expect(response.status == .ok)
                        let reply = try Self.decode(CompletionReply.self, response)
                        #expect(reply.state == .completed)
                    }
                }
                let stale = CompletionRequest(leaseID: "lease_stale", result: Samples.result(for: job))
                try await client.execute(
                    uri: "/v1/jobs/\(job.jobID)/complete", method: .post, headers: Self.headers(registered.token),
                    body: try Self.body(stale)
                ) { response in
                    #expect(response.status == .conflict)
                    #expect(Self.apiError(response)?.code == .staleLease)
                }
            }
            try await client.execute(
                uri: "/v1/runs/\(created.id)", method: .get, headers: Self.headers(harness.submitter)
            ) { response in
                let status = try Self.decode(RunStatus.self, response)
                #expect(status.state == .completed)
                #expect(status.jobs.completed == 2)
            }
            try await client.execute(
                uri: "/v1/runs/\(created.id)/results", method: .get,
                headers: Self.headers(harness.submitter, accept: MediaType.ndjson)
            ) { response in
                #expect(response.headers[.contentType] == MediaType.ndjson)
                let lines = String(buffer: response.body).split(separator: "\n")
                #expect(lines.count == 2)
            }
            try await client.execute(
                uri: "/v1/leaderboard?run=\(created.id)", method: .get, headers: Self.headers(harness.submitter)
            ) { response in
                let board = try Self.decode(Leaderboard.self, response)
                #expect(board.entries.map(\.model) == ["m0"])
                #expect(board.entries.first?.passRate == 1)
            }
            try await client.execute(
                uri: "/v1/leaderboard?language=klingon", method: .get, headers: Self.headers(harness.submitter)
            ) { response in
                #expect(response.status == .badRequest)
                #expect(Self.apiError(response)?.field == "language")
            }
            try await client.execute(
                uri: "/v1/leaderboard?run=\(created.id)&k=1,1000", method: .get,
                headers: Self.headers(harness.submitter)
            ) { response in
                let entry = try #require(try Self.decode(Leaderboard.self, response).entries.first)
                #expect(Set(entry.passAtK.keys) == ["1", "1000"])
                #expect(entry.passAtK["1"] == .some(entry.passAt1))
                #expect(entry.passAtK["1000"] == .some(nil), "no task has 1000 candidates: null, not a made-up value")
            }
            for bad in ["0", "1,x", "1001", "1,2,3,4,5,6,7,8,9,10,11"] {
                try await client.execute(
                    uri: "/v1/leaderboard?k=\(bad)", method: .get, headers: Self.headers(harness.submitter)
                ) { response in
                    #expect(response.status == .badRequest, "k=\(bad)")
                    #expect(Self.apiError(response)?.field == "k")
                }
            }
            // The whole story as Server-Sent Events, then resumed from the middle.
            let all = try await client.execute(
                uri: "/v1/runs/\(created.id)/events", method: .get, headers: Self.headers(harness.submitter)
            ) { response in
                #expect(response.headers[.contentType] == MediaType.eventStream)
                return Self.eventIDs(String(buffer: response.body))
            }
            #expect(all == Array(1...all.count))
            var resume = Self.headers(harness.submitter)
            if let name = HTTPField.Name("Last-Event-ID") {
                resume[name] = "3"
            }
            try await client.execute(uri: "/v1/runs/\(created.id)/events", method: .get, headers: resume) { response in
                #expect(Self.eventIDs(String(buffer: response.body)) == Array(4...all.count))
            }
            try await client.execute(uri: "/metrics", method: .get) { response in
                let text = String(buffer: response.body)
                #expect(text.contains("crucible_jobs{state=\"completed\"} 2"))
                #expect(text.contains("crucible_http_requests_total"))
            }
        }
    }

    /// `POST /v1/runs/{id}/cancel`: the submitter's tenant only (404 for another, as for reading), not an
    /// agent's token; the reply is the run's status; the event stream ends with the run's cancellation.
    @Test func aSubmitterCancelsTheirRun() async throws {
        let harness = try await Harness.make()
        // Made in the store: creating runs over HTTP is the lifecycle test's.
        let created = try await harness.fixture.store.createRun(Samples.run(tasks: 2), tenant: "acme")
        try await harness.test { client in
            try await client.execute(
                uri: "/v1/runs/\(created.id)/cancel", method: .post, headers: Self.headers(harness.otherTenant)
            ) { response in
                #expect(response.status == .notFound)
            }
            try await client.execute(
                uri: "/v1/runs/\(created.id)/cancel", method: .post, headers: Self.headers(harness.registration)
            ) { response in
                #expect(response.status == .forbidden)
            }
            try await client.execute(
                uri: "/v1/runs/run_doesnotexist/cancel", method: .post, headers: Self.headers(harness.submitter)
            ) { response in
                #expect(response.status == .notFound)
                #expect(Self.apiError(response)?.code == .notFound)
            }
            for _ in 0..<2 {  // again: the same answer, nothing changed
                try await client.execute(
                    uri: "/v1/runs/\(created.id)/cancel", method: .post, headers: Self.headers(harness.submitter)
                ) { response in
                    #expect(response.status == .ok)
                    let status = try Self.decode(RunStatus.self, response)
                    #expect(status.id == created.id && status.state == .cancelled && status.jobs.cancelled == 2)
                }
            }
            // The stream ends on its own: the run has ended.
            try await client.execute(
                uri: "/v1/runs/\(created.id)/events", method: .get, headers: Self.headers(harness.submitter)
            ) { response in
                let text = String(buffer: response.body)
                #expect(text.components(separatedBy: "\"state\":\"cancelled\"").count - 1 == 3, "\(text)")
                #expect(text.contains("event: run_state"))
            }
        }
    }

    static func eventIDs(_ stream: String) -> [Int] {
        stream.split(separator: "\n").compactMap { line in
            line.hasPrefix("id: ") ? Int(line.dropFirst(4)) : nil
        }
    }

    @Test func rateLimitAnswers429WithRetryAfter() async throws {
        let harness = try await Harness.make()
        // One request every 100 s, a burst of one: the second request is over the limit however slow the machine.
        let slow = try await harness.fixture.store.createToken(
            role: .submitter, tenant: "acme", name: "slow", ratePerS: 0.01)
        try await harness.test { client in
            var statuses: [HTTPResponse.Status] = []
            for _ in 0..<2 {
                try await client.execute(uri: "/v1/tasks", method: .get, headers: Self.headers(slow.secret)) {
                    response in
                    statuses.append(response.status)
                    if response.status == .tooManyRequests {
                        #expect(response.headers[.retryAfter] != nil)
                    }
                }
            }
            #expect(statuses == [.ok, .tooManyRequests])
        }
    }

    @Test func judgementsAreValidatedAndTenantScoped() async throws {
        let harness = try await Harness.make()
        try await harness.test { client in
            let bad = JudgementRequest(jobID: "job_x", kind: .staff, score: 140)
            try await client.execute(
                uri: "/v1/judgements", method: .post, headers: Self.headers(harness.submitter), body: try Self.body(bad)
            ) { response in
                #expect(response.status == .badRequest)
                #expect(Self.apiError(response)?.field == "score")
            }
            let unknown = JudgementRequest(jobID: "job_x", kind: .staff, score: 40)
            try await client.execute(
                uri: "/v1/judgements", method: .post, headers: Self.headers(harness.submitter),
                body: try Self.body(unknown)
            ) { response in
                #expect(response.status == .notFound)
            }
        }
    }

    @Test func preferencePairsAndJudgeAgreement() async throws {
        let harness = try await Harness.make()
        let store = harness.fixture.store
        var bad = Samples.candidate("t", model: "bad")
        bad.files = ["solution.py": "def add(a, b):\n    return a - b\n"]
        let submission = RunSubmission(
            name: "pairs", tasks: [Samples.task("t")], candidates: [Samples.candidate("t", model: "good"), bad])
        let run = try await store.createRun(submission, tenant: "acme")
        let agent = try await store.registerAgent(Samples.registration())
        for job in try await store.lease(agentID: agent, maxJobs: 2) {
            let good = job.candidate.model == "good"
            _ = try await store.complete(
                jobID: job.jobID, agentID: agent, leaseID: job.leaseID,
                result: Samples.result(for: job, verdict: good ? .passed : .failed))
            // Two judges who agree: the leaderboard reports their agreement.
            for (kind, score) in [(JudgeKind.staff, good ? 90.0 : 20.0), (.user, good ? 85.0 : 30.0)] {
                _ = try await store.addJudgement(
                    JudgementRequest(jobID: job.jobID, kind: kind, score: score, author: "a"), tenant: "acme")
            }
        }
        try await harness.test { client in
            let pairs = try await client.execute(
                uri: "/v1/runs/\(run.id)/preferences", method: .get, headers: Self.headers(harness.submitter)
            ) { response in
                #expect(response.status == .ok)
                return try Self.decode(PreferencePairList.self, response).pairs
            }
            #expect(pairs.count == 1)
            #expect(pairs.first?.prompt == "Add two numbers.")
            #expect(pairs.first.map { $0.chosenScore > $0.rejectedScore } == true)
            let board = try await client.execute(
                uri: "/v1/leaderboard?run=\(run.id)", method: .get, headers: Self.headers(harness.submitter)
            ) { try Self.decode(Leaderboard.self, $0) }
            #expect(board.entries.map(\.model) == ["good", "bad"])
            #expect((board.judgeAgreement ?? 0) > 0.8, "agreement \(String(describing: board.judgeAgreement))")
            try await client.execute(
                uri: "/v1/runs/\(run.id)/preferences", method: .get, headers: Self.headers(harness.otherTenant)
            ) { response in
                #expect(response.status == .notFound)
            }
        }
    }

    @Test func healthAndReadinessNeedNoToken() async throws {
        let harness = try await Harness.make()
        try await harness.test { client in
            try await client.execute(uri: "/healthz", method: .get) { #expect($0.status == .ok) }
            try await client.execute(uri: "/readyz", method: .get) { #expect($0.status == .ok) }
        }
    }

    @Test func everyEndpointOfTheTableIsRouted() async throws {
        let harness = try await Harness.make()
        try await harness.test { client in
            for endpoint in APIEndpoint.all {
                let method: HTTPRequest.Method = endpoint.method == .get ? .get : .post
                try await client.execute(uri: endpoint.path(id: "x"), method: method, headers: Self.headers("cru_bad"))
                { response in
                    if endpoint.requiresToken {
                        #expect(response.status == .unauthorized, "\(endpoint) answered \(response.status)")
                    } else {
                        #expect(response.status != .notFound, "\(endpoint) is not routed")
                    }
                }
            }
        }
    }
}
