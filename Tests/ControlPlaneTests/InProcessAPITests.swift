import ControlPlane
import CrucibleAPI
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Testing

/// `InProcessAPI` (how `crucible up`'s agent reaches its control plane) answers exactly as the HTTP router does:
/// the same statuses, headers that matter and bodies, for errors and successes alike.
@Suite("The API in process")
struct InProcessAPITests {
    struct Call: Sendable, CustomTestStringConvertible {
        var method: HTTPRequest.Method
        var target: String
        var token: Token?
        var body: String?
        var testDescription: String { "\(method) \(target) \(token.map { "as \($0)" } ?? "without a token")" }
    }

    enum Token: String, Sendable {
        case submitter, registration, bogus
    }

    static let calls: [Call] = [
        Call(method: .get, target: "/healthz"),
        Call(method: .post, target: "/v1/runs", body: "{}"),
        Call(method: .post, target: "/v1/runs", token: .bogus, body: "{}"),
        Call(method: .get, target: "/v1/nodes", token: .submitter),
        Call(method: .get, target: "/v1/no-such-route", token: .submitter),
        Call(method: .get, target: "/v1/tasks?language=go", token: .submitter),
        Call(method: .get, target: "/v1/tasks?limit=banana", token: .submitter),
        Call(method: .get, target: "/v1/runs/run_missing", token: .submitter),
        Call(method: .post, target: "/v1/runs", token: .submitter, body: #"{"name": 7}"#),
        Call(method: .post, target: "/v1/runs", token: .submitter, body: "not json"),
        Call(method: .post, target: "/v1/agents/lease", token: .registration, body: #"{"max_jobs": 1, "wait_s": 0}"#),
        Call(method: .post, target: "/v1/agents/heartbeat", token: .registration, body: #"{"bogus": true}"#),
    ]

    @Test(arguments: calls)
    func answersAsTheHTTPRouterDoes(call: Call) async throws {
        let fixture = try await StoreFixture.make()
        var logger = Logger(label: "test.in-process")
        logger.logLevel = .critical
        let server = ControlPlaneServer(store: fixture.store, logger: logger)
        let tokens: [Token: String] = [
            .submitter: try await fixture.store.createToken(role: .submitter, tenant: "acme", name: "sub").secret,
            .registration: try await fixture.store.createToken(role: .agent, tenant: "acme", name: "reg").secret,
            .bogus: "cru_not_a_token",
        ]
        var fields: HTTPFields = [.accept: MediaType.json]
        if call.body != nil { fields[.contentType] = MediaType.json }
        if let token = call.token { fields[.authorization] = "Bearer \(tokens[token] ?? "")" }
        let body = call.body.map { ByteBuffer(string: $0) }

        let api = InProcessAPI(server: server, logger: logger)
        let inProcess = try await api.respond(
            method: call.method.rawValue, target: call.target,
            headers: fields.map { (name: $0.name.rawName, value: $0.value) }, body: body)

        let app = Application(router: server.router())
        let headers = fields
        let overHTTP = try await app.test(.router) { client in
            try await client.execute(uri: call.target, method: call.method, headers: headers, body: body) { $0 }
        }
        await fixture.close()

        #expect(inProcess.status == Int(overHTTP.status.code))
        #expect(header("content-type", inProcess.headers) == overHTTP.headers[.contentType])
        #expect(header("retry-after", inProcess.headers) == overHTTP.headers[.retryAfter])
        #expect(String(buffer: inProcess.body) == String(buffer: overHTTP.body))
    }

    @Test func anAgentRegistersLeasesAndIsKnownToTheStore() async throws {
        let fixture = try await StoreFixture.make()
        let server = ControlPlaneServer(store: fixture.store, logger: Logger(label: "test.in-process"))
        let registration = try await fixture.store.createToken(role: .agent, tenant: "acme", name: "reg").secret
        let api = InProcessAPI(server: server, logger: Logger(label: "test.in-process"))
        let json = [(name: "Content-Type", value: MediaType.json)]

        let registering = AgentRegistration(
            name: "in-process", slots: 1, cgroupVersion: .v1, toolchains: [.python], version: "test")
        let registered = try await api.respond(
            method: "POST", target: "/v1/agents/register",
            headers: json + [(name: "Authorization", value: "Bearer \(registration)")],
            body: ByteBuffer(bytes: try CrucibleJSON.encode(registering)))
        #expect(registered.status == 201 || registered.status == 200, "\(String(buffer: registered.body))")
        let reply = try CrucibleJSON.decode(AgentRegistrationReply.self, from: Data(registered.body.readableBytesView))

        let lease = LeaseRequest(agentID: reply.agentID, maxJobs: 1, waitS: 0)
        let leased = try await api.respond(
            method: "POST", target: "/v1/agents/lease",
            headers: json + [(name: "Authorization", value: "Bearer \(reply.token)")],
            body: ByteBuffer(bytes: try CrucibleJSON.encode(lease)))
        #expect(leased.status == 200, "\(String(buffer: leased.body))")
        #expect(try CrucibleJSON.decode(LeaseReply.self, from: Data(leased.body.readableBytesView)).jobs.isEmpty)
        #expect(try await fixture.store.nodes().contains { $0.name == "in-process" })
        await fixture.close()
    }

    @Test func aMethodThatIsNotHTTPIsRefusedWithTheErrorEnvelope() async throws {
        let fixture = try await StoreFixture.make()
        let api = InProcessAPI(
            server: ControlPlaneServer(store: fixture.store, logger: Logger(label: "test.in-process")),
            logger: Logger(label: "test.in-process"))
        let reply = try await api.respond(method: "GET /x", target: "/healthz", headers: [], body: nil)
        await fixture.close()
        #expect(reply.status == 400)
        let error = try CrucibleJSON.decode(ErrorEnvelope.self, from: Data(reply.body.readableBytesView)).error
        #expect(error.code == .invalidRequest)
        #expect(error.message.contains("'GET /x' is not an HTTP method"))
    }

    private func header(_ name: String, _ headers: [(name: String, value: String)]) -> String? {
        headers.first { $0.name.lowercased() == name }?.value
    }
}
