import CrucibleAPI
import Foundation
import HTTPTypes
import Hummingbird
import ServiceLifecycle

// `GET /v1/runs/{id}/events`: Server-Sent Events. Each event's id is its run-wide sequence number, so a
// client that reconnects with `Last-Event-ID: N` (or `?after=N`) gets N+1 onwards: nothing lost, nothing
// twice. A comment line every 15 s keeps proxies from closing an idle stream. The stream ends after the run's
// final `run_state` event, at a graceful shutdown, or after `maxStreamDuration` (the client reconnects).

extension ControlPlaneAPI {
    static let keepAlive: Duration = .seconds(15)

    func getRunEvents(_ request: Request, _ context: ControlPlaneContext, _ caller: Principal?) async throws
        -> Response
    {
        let principal = try Principal.required(caller)
        let runID = try HTTPSupport.id(context)
        _ = try await store.runStatus(id: runID, tenant: principal.tenantFilter)
        var resume = 0
        if let name = HTTPField.Name.lastEventID, let header = request.headers[name] {
            guard let id = RunEvent.resumeID(lastEventID: header) else {
                throw ControlPlaneError(
                    .invalidRequest, "is \"\(header)\"; send a whole number", field: "Last-Event-ID")
            }
            resume = id
        } else if let after = request.uri.queryParameters.get("after") {
            guard let id = Int(after), id >= 0 else {
                throw ControlPlaneError(.invalidQuery, "is \"\(after)\"; send a whole number", field: "after")
            }
            resume = id
        }
        let store = store
        let bell = bell
        let startAt = resume
        let closeAt = ContinuousClock.now + maxStreamDuration
        let body = ResponseBody { writer in
            var last = startAt
            var quietSince = ContinuousClock.now
            // Tell the client how long to wait before reconnecting.
            try await writer.write(ByteBuffer(string: "retry: 2000\n\n"))
            while !Task.isCancelled && ContinuousClock.now < closeAt && !Task.isShuttingDownGracefully {
                let seen = await bell.rings
                let events = try await store.events(runID: runID, after: last)
                if let newest = events.last {
                    // One write for what one query found: each write is a hop to the event loop and a send.
                    var frames = ByteBuffer()
                    for event in events {
                        frames.writeString("id: \(event.id)\nevent: \(event.type)\ndata: \(event.body)\n\n")
                    }
                    try await writer.write(frames)
                    last = newest.id
                }
                if !events.isEmpty {
                    quietSince = ContinuousClock.now
                    continue
                }
                // The run's last event commits with its end, so once it has ended and nothing is left, the
                // client has everything.
                if try await store.runFinished(runID: runID),
                    try await store.events(runID: runID, after: last, limit: 1).isEmpty
                {
                    break
                }
                if ContinuousClock.now - quietSince >= Self.keepAlive {
                    try await writer.write(ByteBuffer(string: ": keep-alive\n\n"))
                    quietSince = ContinuousClock.now
                }
                await bell.wait(after: seen, upTo: .milliseconds(250))
            }
            try await writer.finish(nil)
        }
        return Response(
            status: .ok,
            headers: [.contentType: MediaType.eventStream, .cacheControl: "no-cache"],
            body: body)
    }
}
