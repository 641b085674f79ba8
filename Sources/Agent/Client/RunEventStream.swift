import AsyncHTTPClient
import CrucibleAPI
import Foundation
import Logging
import NIOCore

/// A run's events (`GET /v1/runs/{id}/events`) as an async sequence.
///
/// When the connection drops (or goes idle past the HTTP client's read timeout) the stream reconnects
/// with `Last-Event-ID` set to the last id it delivered, so the server resumes after it: no event is lost
/// or repeated. Reconnects back off like any retry; the failures in a row allowed are the retry policy's
/// `maxAttempts`, and a delivered event resets the count. An error reply other than a transient one
/// (404 unknown run, 401, 403) ends the sequence with that error.
///
/// It ends after a `run_state` event reporting `completed` or `cancelled`, or when the server closes a
/// stream after one. A frame whose data is not a valid `RunEvent` is logged and skipped: one bad event
/// should not cost a watcher the rest of the run.
public struct RunEventStream: AsyncSequence, Sendable {
    public typealias Element = RunEvent
    public typealias Failure = AgentError

    let client: ControlPlaneClient
    public let runID: String
    /// Resume after this event id; nil starts from the run's first event.
    public let lastEventID: String?

    public func makeAsyncIterator() -> Iterator {
        Iterator(client: client, runID: runID, lastEventID: lastEventID)
    }

    public struct Iterator: AsyncIteratorProtocol {
        public typealias Element = RunEvent
        public typealias Failure = AgentError

        let client: ControlPlaneClient
        let runID: String
        /// What the next connection sends as `Last-Event-ID`.
        public private(set) var lastEventID: String?
        private var body: HTTPClientResponse.Body.AsyncIterator?
        private var decoder = ServerSentEventDecoder()
        private var pending: [RunEvent] = []
        private var finished = false
        private var failuresInARow = 0
        /// Connections made so far (1 after the first); a test can see resumption happen.
        public private(set) var connections = 0

        init(client: ControlPlaneClient, runID: String, lastEventID: String?) {
            self.client = client
            self.runID = runID
            self.lastEventID = lastEventID
        }

        public mutating func next() async throws(AgentError) -> RunEvent? {
            while true {
                if !pending.isEmpty {
                    return deliver(pending.removeFirst())
                }
                if finished {
                    return nil
                }
                if body == nil {
                    do {
                        try await connect()
                    } catch {
                        try await backOff(after: error)
                        continue
                    }
                }
                do {
                    try await readChunk()
                } catch {
                    body = nil
                    decoder.finish()
                    try await backOff(after: error)
                }
            }
        }

        private mutating func deliver(_ event: RunEvent) -> RunEvent {
            failuresInARow = 0
            lastEventID = String(event.id)
            if case .runState(let state) = event.payload, state == .completed || state == .cancelled {
                finished = true
                pending.removeAll()
                body = nil
            }
            return event
        }

        private mutating func connect() async throws(AgentError) {
            let endpoint = APIEndpoint.getRunEvents
            var request = try client.makeRequest(
                endpoint, id: runID, query: [], body: nil, accept: MediaType.eventStream)
            if let lastEventID {
                request.headers.add(name: "Last-Event-ID", value: lastEventID)
            }
            // Always HTTP, whatever carries the client's other requests: the body is read as it arrives.
            let response: HTTPClientResponse
            do {
                response = try await client.http.execute(
                    request.httpRequest(baseURL: client.baseURL),
                    deadline: ControlPlaneClient.deadline(after: client.configuration.requestTimeout),
                    logger: client.logger)
            } catch {
                throw client.classify(error, endpoint: endpoint)
            }
            connections += 1
            let contentType = response.headers.first(name: "content-type")
            guard (200..<300).contains(response.status.code) else {
                let data = (try? await response.body.collect(upTo: 1 << 20)).map { Data($0.readableBytesView) }
                throw client.errorReply(
                    endpoint, status: Int(response.status.code), body: data ?? Data(), contentType: contentType,
                    retryAfter: response.headers.first(name: "retry-after"))
            }
            guard let contentType, contentType.lowercased().hasPrefix(MediaType.eventStream) else {
                let data = (try? await response.body.collect(upTo: 4096)).map { Data($0.readableBytesView) }
                let error = client.invalidResponse(
                    endpoint, "the reply is not an event stream (text/event-stream)", body: data ?? Data(),
                    contentType: contentType)
                client.logger.error("garbage event stream", metadata: ["error": "\(error)"])
                finished = true
                throw error
            }
            decoder = ServerSentEventDecoder()
            body = response.body.makeAsyncIterator()
            client.logger.debug(
                "event stream connected", metadata: ["run": "\(runID)", "last_event_id": "\(lastEventID ?? "")"])
        }

        /// Reads one chunk and queues the events it completes; the server closing the stream is a reconnect
        /// unless the run already ended.
        private mutating func readChunk() async throws(AgentError) {
            guard var iterator = body else { return }
            let chunk: ByteBuffer?
            do {
                chunk = try await iterator.next()
            } catch {
                throw client.classify(error, endpoint: .getRunEvents)
            }
            body = iterator
            guard let chunk else {
                throw AgentError(
                    kind: .unreachable, message: "the event stream ended before the run did; reconnecting",
                    endpoint: APIEndpoint.getRunEvents.description)
            }
            for frame in try decoder.feed(chunk.readableBytesView) {
                do {
                    pending.append(try CrucibleJSON.decode(RunEvent.self, from: Data(frame.data.utf8)))
                } catch {
                    client.logger.warning(
                        "skipped an event that is not a valid run event",
                        metadata: ["run": "\(runID)", "id": "\(frame.id ?? "")", "error": "\(error)"])
                }
            }
        }

        private mutating func backOff(after error: AgentError) async throws(AgentError) {
            failuresInARow += 1
            guard !finished, error.isTransient, failuresInARow < client.configuration.retry.maxAttempts else {
                finished = true
                throw error
            }
            let delay = client.configuration.retry.delay(retry: failuresInARow - 1, retryAfter: error.retryAfter)
            client.logger.info(
                "event stream interrupted; reconnecting",
                metadata: [
                    "run": "\(runID)", "last_event_id": "\(lastEventID ?? "")", "retry_in_s": "\(delay.seconds)",
                    "error": "\(error)",
                ])
            try await ControlPlaneClient.sleep(for: delay)
        }
    }
}
