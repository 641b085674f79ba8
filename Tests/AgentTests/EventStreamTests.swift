import CrucibleAPI
import Foundation
import Testing

@testable import Agent

@Suite("Server-Sent Events: decoding chunks, streaming, resuming")
struct EventStreamTests {
    static let date = Date(timeIntervalSince1970: 1_700_000_000)

    static func event(_ id: Int, _ payload: RunEventPayload) -> RunEvent {
        RunEvent(id: id, runID: "r-1", jobID: payload.type == .runState ? nil : "j-1", at: date, payload: payload)
    }

    static let events: [RunEvent] = [
        event(1, .jobState(JobStateChange(state: .running, taskID: "t", model: "m"))),
        event(2, .test(TestResult(name: "test_a", status: .passed))),
        event(3, .jobState(JobStateChange(state: .completed, taskID: "t", model: "m", verdict: .passed))),
        event(4, .runState(.completed)),
    ]

    static func frames(_ events: ArraySlice<RunEvent>) throws -> String {
        try events.map { try $0.serverSentEvent().frame }.joined()
    }

    // MARK: - The decoder on its own

    @Test func splitAtEveryByteStillDecodesTheSameEvents() throws {
        let text =
            ": keep-alive\r\nid: 7\r\nevent: note\r\ndata: first line\r\ndata: second ünïcode line\r\n\r\n"
            + "data: no id\n\n" + "id: 9\rdata: lone CR endings\r\r"
        let bytes = Array(text.utf8)
        var whole = ServerSentEventDecoder()
        let expected = try whole.feed(bytes)
        #expect(expected.count == 3)
        #expect(expected[0] == ServerSentEvent(id: "7", event: "note", data: "first line\nsecond ünïcode line"))
        #expect(expected[1] == ServerSentEvent(id: nil, event: nil, data: "no id"))
        #expect(expected[2] == ServerSentEvent(id: "9", event: nil, data: "lone CR endings"))
        #expect(whole.lastEventID == "9")
        for cut in 1..<bytes.count {
            var decoder = ServerSentEventDecoder()
            let events = try decoder.feed(bytes[..<cut]) + decoder.feed(bytes[cut...])
            #expect(events == expected, "split at byte \(cut)")
        }
        var byteByByte = ServerSentEventDecoder()
        var events: [ServerSentEvent] = []
        for byte in bytes { events += try byteByByte.feed([byte]) }
        #expect(events == expected)
    }

    @Test func commentsAndUnknownFieldsAreIgnoredAndAnUnfinishedEventIsDropped() throws {
        var decoder = ServerSentEventDecoder()
        let events = try decoder.feed(Array(": ping\nretry: 100\nfoo: bar\n\nid: 5\ndata: half".utf8))
        #expect(events.isEmpty)
        decoder.finish()
        #expect(decoder.lastEventID == nil, "the unfinished event's id does not count")
        #expect(try decoder.feed(Array("data: after\n\n".utf8)) == [ServerSentEvent(data: "after")])
    }

    @Test func anEndlessLineIsAnError() {
        var decoder = ServerSentEventDecoder(maxLineBytes: 64)
        #expect(throws: AgentError.self) { try decoder.feed(Array(repeating: UInt8(ascii: "x"), count: 100)) }
    }

    // MARK: - Streaming from a server

    @Test func resumesWithLastEventIDAfterADroppedConnection() async throws {
        let all = Self.events
        try await CannedServer.run { request in
            let after = request.header("last-event-id").flatMap(Int.init) ?? 0
            let rest = all.filter { $0.id > after }
            let sse = [("Content-Type", "text/event-stream")]
            if after == 0 {
                // Two events cut mid-line, with a keep-alive comment between frames; then the connection drops
                // in the middle of the third frame.
                let first = Data(try! Self.frames(rest.prefix(1)).utf8)
                let second = Data(try! Self.frames(rest.dropFirst().prefix(1)).utf8)
                return Canned(
                    status: 200, headers: sse,
                    body: .chunks(
                        [
                            (.zero, first.prefix(first.count / 3)),
                            (.milliseconds(20), first.dropFirst(first.count / 3)),
                            (.milliseconds(20), Data(": keep-alive\n\n".utf8)), (.zero, second),
                            (.zero, Data("id: 3\ndata: {\"tru".utf8)),
                        ], thenHang: false))
            }
            return Canned(status: 200, headers: sse, body: .bytes(Data(try! Self.frames(rest[...]).utf8)))
        } body: { server, url in
            let received = try await withClient(url) { client in
                var got: [RunEvent] = []
                for try await event in client.streamRunEvents(runID: "r-1") { got.append(event) }
                return got
            }
            #expect(received == all, "every event exactly once, in order")
            let requests = server.requests(path: "/v1/runs/r-1/events")
            #expect(requests.count == 2)
            #expect(requests[0].header("last-event-id") == nil)
            #expect(requests[1].header("last-event-id") == "2")
            #expect(requests[0].header("accept") == "text/event-stream")
        }
    }

    @Test func startsAfterAGivenIDAndSkipsGarbageEvents() async throws {
        let all = Self.events
        try await CannedServer.run { request in
            let after = request.header("last-event-id").flatMap(Int.init) ?? 0
            let text =
                "id: 99\nevent: job_state\ndata: {not json}\n\n" + (try! Self.frames(all.filter { $0.id > after }[...]))
            return Canned(status: 200, headers: [("Content-Type", "text/event-stream")], body: .bytes(Data(text.utf8)))
        } body: { _, url in
            let received = try await withClient(url) { client in
                var got: [Int] = []
                for try await event in client.streamRunEvents(runID: "r-1", after: 2) { got.append(event.id) }
                return got
            }
            #expect(received == [3, 4])
        }
    }

    @Test func anUnknownRunEndsTheStreamWithTheError() async throws {
        try await CannedServer.run { _ in
            .error(404, code: "not_found", message: "no run r-9")
        } body: { server, url in
            let error = await #expect(throws: AgentError.self) {
                try await withClient(url) { client in
                    for try await _ in client.streamRunEvents(runID: "r-9") {}
                }
            }
            #expect(error?.status == 404 && error?.code == .notFound)
            #expect(server.requests.count == 1)
        }
    }

    @Test func aReplyThatIsNotAnEventStreamIsAClearError() async throws {
        try await CannedServer.run { _ in
            .json("{\"results\": []}")
        } body: { _, url in
            let error = await #expect(throws: AgentError.self) {
                try await withClient(url) { client in
                    for try await _ in client.streamRunEvents(runID: "r-1") {}
                }
            }
            #expect(error?.kind == .invalidResponse)
            #expect(error?.message.contains("text/event-stream") == true)
        }
    }

    @Test func anIdleStreamIsReconnected() async throws {
        let all = Self.events
        try await CannedServer.run { request in
            let after = request.header("last-event-id").flatMap(Int.init) ?? 0
            let sse = [("Content-Type", "text/event-stream")]
            if after == 0 {
                // One event, then silence: the client's idle timeout must notice.
                return Canned(
                    status: 200, headers: sse,
                    body: .chunks([(.zero, Data(try! Self.frames(all.prefix(1)).utf8))], thenHang: true))
            }
            return Canned(
                status: 200, headers: sse, body: .bytes(Data(try! Self.frames(all.filter { $0.id > after }[...]).utf8)))
        } body: { server, url in
            let received = try await withClient(url, idleTimeout: .milliseconds(500)) { client in
                var got: [Int] = []
                for try await event in client.streamRunEvents(runID: "r-1") { got.append(event.id) }
                return got
            }
            #expect(received == [1, 2, 3, 4])
            // On a busy machine an idle timeout may also strike before the first event arrives (and that
            // reconnect has nothing to resume from); the connection that finished the run resumed after one.
            let requests = server.requests
            #expect(requests.count >= 2)
            #expect(requests.last?.header("last-event-id") != nil)
        }
    }
}
