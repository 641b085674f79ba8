import AsyncHTTPClient
import CrucibleAPI
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

@testable import Agent

/// One request as the test server saw it.
struct RecordedRequest: Sendable {
    var method: String
    var path: String
    var query: String
    var headers: [String: String]
    var body: Data
    var at: ContinuousClock.Instant
    var receivedAt: Date

    func header(_ name: String) -> String? { headers[name.lowercased()] }
}

/// What the test server answers.
struct Canned: Sendable {
    enum Body: Sendable {
        case bytes(Data)
        /// Written piece by piece, each after its delay; `thenHang` keeps the connection open afterwards.
        case chunks([(delay: Duration, data: Data)], thenHang: Bool)
    }

    var status: Int
    var headers: [(String, String)]
    var body: Body
    /// Wait this long before answering at all.
    var delay: Duration = .zero

    static func json(_ text: String, status: Int = 200, headers: [(String, String)] = []) -> Canned {
        Canned(status: status, headers: [("Content-Type", "application/json")] + headers, body: .bytes(Data(text.utf8)))
    }

    static func json(_ status: Int = 200, encoding value: some Encodable) -> Canned {
        let data = (try? CrucibleJSON.encode(value)) ?? Data()
        return Canned(status: status, headers: [("Content-Type", "application/json")], body: .bytes(data))
    }

    static func text(_ status: Int, _ text: String, contentType: String = "text/html") -> Canned {
        Canned(status: status, headers: [("Content-Type", contentType)], body: .bytes(Data(text.utf8)))
    }

    static func error(
        _ status: Int, code: String, message: String, field: String? = nil, headers: [(String, String)] = []
    )
        -> Canned
    {
        let fieldJSON = field.map { "\"\($0.replacingOccurrences(of: "\"", with: "\\\""))\"" } ?? "null"
        return .json(
            "{\"error\":{\"code\":\"\(code)\",\"message\":\"\(message)\",\"field\":\(fieldJSON)}}",
            status: status, headers: headers)
    }
}

/// A real HTTP server on loopback (Hummingbird) that answers each request with what a closure says and
/// records every request: the client under test talks real HTTP to it.
final class CannedServer: Sendable {
    private let recorded = Mutex<[RecordedRequest]>([])
    let handler: @Sendable (RecordedRequest) async -> Canned

    init(handler: @escaping @Sendable (RecordedRequest) async -> Canned) {
        self.handler = handler
    }

    var requests: [RecordedRequest] { recorded.withLock { $0 } }

    func requests(path: String) -> [RecordedRequest] { requests.filter { $0.path == path } }

    /// Starts the server on 127.0.0.1, port chosen by the kernel, runs `body` with its base URL, stops it.
    static func run<T: Sendable>(
        _ handler: @escaping @Sendable (RecordedRequest) async -> Canned,
        body: @Sendable (CannedServer, String) async throws -> T
    ) async throws -> T {
        let server = CannedServer(handler: handler)
        let (ports, portInput) = AsyncStream.makeStream(of: Int.self)
        var logger = Logger(label: "test.server")
        logger.logLevel = .critical
        let responder = CallbackResponder<BasicRequestContext> { request, _ in
            try await server.respond(to: request)
        }
        let app = Application(
            responder: responder, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in portInput.yield(channel.localAddress?.port ?? 0) }, logger: logger)
        return try await withGracefullyStopped(app, logger: logger) {
            var iterator = ports.makeAsyncIterator()
            let port = await iterator.next() ?? 0
            return try await body(server, "http://127.0.0.1:\(port)")
        }
    }

    private func respond(to request: Request) async throws -> Response {
        let body = try await request.body.collect(upTo: 64 << 20)
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName] = field.value }
        let recordedRequest = RecordedRequest(
            method: request.method.rawValue, path: request.uri.path, query: request.uri.query ?? "", headers: headers,
            body: Data(body.readableBytesView), at: .now, receivedAt: Date())
        recorded.withLock { $0.append(recordedRequest) }
        let canned = await handler(recordedRequest)
        if canned.delay > .zero { try await Task.sleep(for: canned.delay) }
        var fields = HTTPFields()
        for (name, value) in canned.headers {
            if let fieldName = HTTPField.Name(name) { fields.append(HTTPField(name: fieldName, value: value)) }
        }
        let status = HTTPResponse.Status(code: canned.status)
        switch canned.body {
        case .bytes(let data):
            return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
        case .chunks(let chunks, let thenHang):
            return Response(
                status: status, headers: fields,
                body: ResponseBody { writer in
                    for chunk in chunks {
                        try await Task.sleep(for: chunk.delay)
                        try await writer.write(ByteBuffer(bytes: chunk.data))
                    }
                    if thenHang { try await Task.sleep(for: .seconds(3600)) }
                    try await writer.finish(nil)
                })
        }
    }
}

/// A quiet logger for the code under test (CRUCIBLE_TEST_LOG=debug shows everything).
func testLogger(_ label: String = "test") -> Logger {
    var logger = Logger(label: label)
    logger.logLevel =
        ProcessInfo.processInfo.environment["CRUCIBLE_TEST_LOG"].flatMap { Logger.Level(rawValue: $0) } ?? .critical
    return logger
}

/// Runs `body` with a client of `baseURL` on a fresh HTTP client, shut down afterwards.
func withClient<T: Sendable>(
    _ baseURL: String, token: String? = "test-token",
    configuration: ControlPlaneClient.Configuration = .init(
        retry: RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(20), maxDelay: .milliseconds(100)),
        requestTimeout: .seconds(30)),
    idleTimeout: Duration = .seconds(10),
    _ body: @Sendable (ControlPlaneClient) async throws -> T
) async throws -> T {
    try await ControlPlaneClient.withHTTPClient(connectTimeout: .seconds(1), idleTimeout: idleTimeout) { http in
        let client = try ControlPlaneClient(
            baseURL: baseURL, token: token, httpClient: http, configuration: configuration, logger: testLogger())
        return try await body(client)
    }
}

/// A fresh temporary directory, removed afterwards.
func withTemporaryDirectory<T>(_ body: (String) async throws -> T) async rethrows -> T {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("crucible-agent-test-\(UUID().uuidString)")
        .path
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try await body(path)
}

/// How late this process's tasks wake up: a timing bound is only meaningful relative to it. Another suite
/// that blocks the cooperative thread pool (a synchronous wait, a blocking connect) delays every task in
/// the process, including the code under test; the probe measures that delay so assertions can allow for
/// it and still catch the code itself holding events back.
final class SchedulerLatency: Sendable {
    private let worst = Mutex<Duration>(.zero)

    var worstLateness: Double { worst.withLock { $0 }.seconds }

    /// Runs `body` while sampling how late 10 ms sleeps wake.
    static func measure<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> (T, SchedulerLatency) {
        let probe = SchedulerLatency()
        let created = ContinuousClock.now
        let result = try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                // How long a new task waited for a thread counts too: the code under test starts tasks.
                probe.worst.withLock { $0 = max($0, ContinuousClock.now - created) }
                while !Task.isCancelled {
                    let before = ContinuousClock.now
                    try? await Task.sleep(for: .milliseconds(10))
                    let late = ContinuousClock.now - before - .milliseconds(10)
                    probe.worst.withLock { $0 = max($0, late) }
                }
                return nil
            }
            let value = try await body()
            group.cancelAll()
            return value
        }
        return (result, probe)
    }
}

/// A loopback port nothing listens on: bound to learn a free number, then closed without listening. (Stopping
/// a test server and connecting to its port races its shutdown, which NIO does not survive.)
func unusedLocalPort() -> Int {
    LoopbackPort.unused() ?? 1
}

/// Runs `service` (a server) during `body`, then stops it gracefully: it stops accepting before it closes what
/// is open, so a client still connecting is refused rather than accepted mid-shutdown (which NIO does not
/// survive). Connections left hanging are cut after a second.
func withGracefullyStopped<T: Sendable>(
    _ service: some Service, logger: Logger, _ body: @Sendable () async throws -> T
) async throws -> T {
    var configuration = ServiceGroupConfiguration(services: [.init(service: service)], logger: logger)
    configuration.maximumGracefulShutdownDuration = .seconds(1)
    let group = ServiceGroup(configuration: configuration)
    return try await withThrowingTaskGroup(of: Void.self) { tasks in
        tasks.addTask { try await group.run() }
        do {
            let value = try await body()
            await group.triggerGracefulShutdown()
            try? await tasks.waitForAll()
            return value
        } catch {
            await group.triggerGracefulShutdown()
            try? await tasks.waitForAll()
            throw error
        }
    }
}
