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
        _ respond: @escaping InProcessTransport.Respond
    ) throws -> ControlPlaneClient {
        try ControlPlaneClient(
            baseURL: "http://in-process.invalid", token: "test-token",
            httpClient: .shared, transport: InProcessTransport(respond),
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
}
