import CrucibleAPI
import Foundation

// Run events: every change a watcher may want, numbered per run. The number comes from the run's row
// (`event_seq`), updated in the same transaction as the change it describes. The row stays locked until
// commit, so ids become visible in order and a reader that resumes after id N never skips one.

/// An event as stored: its id, and the JSON of the `RunEvent` ready to send.
public struct StoredEvent: Sendable, Hashable {
    public var id: Int
    public var type: String
    public var body: String
}

extension Store {
    typealias PendingEvent = (jobID: String?, payload: RunEventPayload)

    @discardableResult
    static func appendEvents(
        _ connection: any SQLConnection, runID: String, at: Date, _ events: [PendingEvent]
    ) async throws -> [RunEvent] {
        guard !events.isEmpty else {
            return []
        }
        let rows = try await connection.query(
            "UPDATE runs SET event_seq = event_seq + ? WHERE id = ? RETURNING event_seq", events.count, runID)
        guard let last = try rows.first?.int("event_seq") else {
            throw ControlPlaneError.corrupt("run \(runID) vanished while its events were written")
        }
        let made = events.enumerated().map { offset, event in
            RunEvent(
                id: last - events.count + 1 + offset, runID: runID, jobID: event.jobID, at: at, payload: event.payload)
        }
        try await insertRows(
            connection, table: "events", columns: ["run_id", "id", "job_id", "type", "body", "at"],
            rows: try made.map { event in
                [
                    .text(runID), .integer(Int64(event.id)), event.jobID.sqlValue, .text(event.type.rawValue),
                    .text(try encode(event)), at.sqlValue,
                ]
            })
        return made
    }

    /// Events of a run after `afterID`, oldest first.
    public func events(runID: String, after afterID: Int, limit: Int = 500) async throws -> [StoredEvent] {
        try await database.read { connection in
            try await connection.query(
                "SELECT id, type, body FROM events WHERE run_id = ? AND id > ? ORDER BY id LIMIT ?", runID, afterID,
                limit
            ).map { row throws(ControlPlaneError) in
                StoredEvent(id: try row.int("id"), type: try row.string("type"), body: try row.string("body"))
            }
        }
    }

    /// Whether the run has ended (every job final), so a stream that has sent everything may close.
    public func runFinished(runID: String) async throws -> Bool {
        try await database.read { connection in
            try await connection.query("SELECT completed_at FROM runs WHERE id = ?", runID).first?
                .optionalDouble("completed_at") != nil
        }
    }
}
