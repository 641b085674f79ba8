import AsyncHTTPClient
import ControlPlane
import CrucibleAPI
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization
import Testing

@testable import Agent

/// The client over `InProcessTransport`: the deadline and the size limit hold as over HTTP, and error replies
/// come back as the same `AgentError`s.
@Suite("The client in process")
struct InProcessTransportTests {
    /// The HTTP client is never used (no event stream is opened): the shared one needs no shutdown.
    static func client(
        requestTimeout: Duration = .seconds(10), maxResponseBytes: Int = 1 << 20,
        calls: InProcessTransport.Calls? = nil, _ respond: @escaping InProcessTransport.Respond
    ) throws -> ControlPlaneClient {
        try ControlPlaneClient(
            baseURL: "http://in-process.invalid", token: "test-token",
            httpClient: .shared, transport: InProcessTransport(respond, calls: calls),
            configuration: .init(
                retry: RetryPolicy(maxAttempts: 1, baseDelay: .milliseconds(10), maxDelay: .milliseconds(10)),
                requestTimeout: requestTimeout, maxResponseBytes: maxResponseBytes),
            logger: testLogger())
    }

    static func json(_ status: Int, _ body: String, headers: HTTPHeaders = [:]) -> ControlPlaneReply {
        var headers = headers
        headers.add(name: "Content-Type", value: MediaType.json)
        return ControlPlaneReply(status: status, headers: headers, body: ByteBuffer(string: body))
    }

    @Test(.timeLimit(.minutes(1)))
    func aRouteThatNeverAnswersIsATimeout() async throws {
        let client = try Self.client(requestTimeout: .milliseconds(200)) { _ in
            try await Task.sleep(for: .seconds(3600))
            return Self.json(200, "{}")
        }
        await #expect {
            try await client.healthz()
        } throws: { error in
            (error as? AgentError)?.kind == .timeout
        }
    }

    @Test func aReplyLargerThanTheLimitIsRefused() async throws {
        let big = #"{"status": "ok", "padding": ""# + String(repeating: "x", count: 4096) + #""}"#
        let client = try Self.client(maxResponseBytes: 1024) { _ in Self.json(200, big) }
        await #expect {
            try await client.healthz()
        } throws: { error in
            let error = error as? AgentError
            return error?.kind == .invalidResponse && error?.message.contains("larger than 1024 bytes") == true
        }
    }

    @Test func theRequestCarriesTheRouteTokenAndBody() async throws {
        let seen = Mutex<ControlPlaneRequest?>(nil)
        let client = try Self.client { request in
            seen.withLock { $0 = request }
            return Self.json(200, #"{"accepted": 2}"#)
        }
        let batch = JobEventBatch(leaseID: "lease_1", events: [])
        let accepted = try await client.postEvents(jobID: "job_7", batch)
        #expect(accepted.accepted == 2)
        let request = try #require(seen.withLock { $0 })
        #expect(request.method == .POST)
        #expect(request.target == "/v1/jobs/job_7/events")
        #expect(request.headers.first(name: "Authorization") == "Bearer test-token")
        #expect(request.headers.first(name: "Content-Type") == MediaType.json)
        let body = try #require(request.body)
        #expect(try CrucibleJSON.decode(JobEventBatch.self, from: Data(body.readableBytesView)).leaseID == "lease_1")
    }

    @Test func anErrorReplyIsTheSameAgentErrorAsOverHTTP() async throws {
        let client = try Self.client { _ in
            Self.json(
                429, #"{"error": {"code": "rate_limited", "message": "slow down"}}"#, headers: ["Retry-After": "7"])
        }
        await #expect {
            try await client.healthz()
        } throws: { error in
            guard let error = error as? AgentError else { return false }
            return error.kind == .rejected && error.status == 429 && error.retryAfter == 7
                && error.message.hasPrefix("slow down") && error.requestNotProcessed
        }
    }

    // MARK: - Agent calls as values

    static func notHTTP(_ request: ControlPlaneRequest) throws -> ControlPlaneReply {
        Issue.record("an agent call went as an HTTP request: \(request.method) \(request.target)")
        return json(500, "{}")
    }

    @Test func anAgentCallGoesAsAValueWithItsToken() async throws {
        let seen = Mutex<(AgentCall, String?)?>(nil)
        let client = try Self.client(
            calls: { call, token in
                seen.withLock { $0 = (call, token) }
                return .eventsAccepted(JobEventsAccepted(accepted: 3))
            }, Self.notHTTP)
        let accepted = try await client.postEvents(jobID: "job_7", JobEventBatch(leaseID: "lease_1", events: []))
        #expect(accepted.accepted == 3)
        let (call, token) = try #require(seen.withLock { $0 })
        #expect(token == "test-token")
        guard case .postEvents(let jobID, let batch) = call else {
            Issue.record("sent \(call)")
            return
        }
        #expect(jobID == "job_7" && batch.leaseID == "lease_1")
    }

    @Test func aRefusedCallIsTheSameAgentErrorAsTheHTTPReply() async throws {
        let envelope = ErrorEnvelope(code: .staleLease, message: "the lease is gone")
        let asValue = try Self.client(
            calls: { _, _ in throw AgentCallRefusal(status: 409, envelope: envelope) }, Self.notHTTP)
        let overHTTP = try Self.client { _ in
            Self.json(409, String(decoding: try CrucibleJSON.encode(envelope), as: UTF8.self))
        }
        let completion = CompletionRequest(
            leaseID: "lease_1",
            result: JobResult(
                taskID: "t", model: "m", verdict: .passed, steps: [], tests: [], testsPassed: 0, testsTotal: 0))
        var errors: [AgentError] = []
        for client in [asValue, overHTTP] {
            do {
                _ = try await client.complete(jobID: "job_1", completion)
                Issue.record("the completion was taken")
            } catch {
                errors.append(error)
            }
        }
        #expect(errors.count == 2)
        #expect(errors.allSatisfy { $0.isStaleLease })
        #expect(Set(errors.map(\.message)).count == 1, "\(errors.map(\.message))")
        #expect(Set(errors.map(\.endpoint)).count == 1)
    }

    @Test func aRateLimitedCallIsRetriedAfterItsDelay() async throws {
        let attempts = Mutex(0)
        let client = try ControlPlaneClient(
            baseURL: "http://in-process.invalid", token: "test-token", httpClient: .shared,
            transport: InProcessTransport(
                Self.notHTTP,
                calls: { _, _ in
                    let attempt = attempts.withLock { count in
                        count += 1
                        return count
                    }
                    guard attempt > 1 else {
                        throw AgentCallRefusal(
                            status: 429, envelope: ErrorEnvelope(code: .rateLimited, message: "slow down"),
                            retryAfterS: 0)
                    }
                    return .heartbeat(HeartbeatReply(renewed: ["lease_1"], revoked: [], drain: false, leaseTTLS: 30))
                }),
            configuration: .init(
                retry: RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(10), maxDelay: .milliseconds(10))),
            logger: testLogger())
        let reply = try await client.heartbeat(
            HeartbeatRequest(agentID: "agent_1", leaseIDs: ["lease_1"], load: AgentLoad(runningJobs: 1, slots: 1)))
        #expect(reply.renewed == ["lease_1"])
        #expect(attempts.withLock { $0 } == 2)
    }

    @Test(.timeLimit(.minutes(1)))
    func aCallThatNeverAnswersIsATimeout() async throws {
        let client = try Self.client(
            requestTimeout: .milliseconds(200),
            calls: { _, _ in
                try await Task.sleep(for: .seconds(3600))
                return .leased(LeaseReply(jobs: []))
            }, Self.notHTTP)
        await #expect {
            try await client.lease(LeaseRequest(agentID: "agent_1", maxJobs: 1, waitS: 0))
        } throws: { error in
            (error as? AgentError)?.kind == .timeout
        }
    }

    @Test func anAnswerOfAnotherKindIsAnInvalidResponse() async throws {
        let client = try Self.client(calls: { _, _ in .leased(LeaseReply(jobs: [])) }, Self.notHTTP)
        await #expect {
            try await client.postEvents(jobID: "job_1", JobEventBatch(leaseID: "lease_1", events: []))
        } throws: { error in
            (error as? AgentError)?.kind == .invalidResponse
        }
    }
}
