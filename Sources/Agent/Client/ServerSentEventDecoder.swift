import CrucibleAPI

/// Turns a text/event-stream arriving in arbitrary chunks into events.
///
/// Chunks split anywhere: inside a line, inside a multi-byte character, between the CR and LF of a line
/// ending. Lines end in LF, CRLF or a lone CR, as the format allows; lines are cut on bytes first and only
/// then decoded as UTF-8, so a character split across chunks survives. `ServerSentEventParser` (shared
/// with the control plane's tests) does the field work once a line is whole.
public struct ServerSentEventDecoder: Sendable {
    private var parser = ServerSentEventParser()
    private var line: [UInt8] = []
    /// The previous chunk ended in CR: an LF starting the next one belongs to that line ending.
    private var skipLineFeed = false
    /// Longest line kept (a line longer than this is a broken stream, not an event).
    public let maxLineBytes: Int

    public init(maxLineBytes: Int = 16 << 20) {
        self.maxLineBytes = maxLineBytes
    }

    /// The id of the last dispatched event that had one: what to send as `Last-Event-ID` on reconnect.
    public private(set) var lastEventID: String?

    /// Feeds a chunk; returns the events it completed, in order.
    public mutating func feed(_ bytes: some Sequence<UInt8>) throws(AgentError) -> [ServerSentEvent] {
        var events: [ServerSentEvent] = []
        for byte in bytes {
            if skipLineFeed {
                skipLineFeed = false
                if byte == 0x0A { continue }
            }
            switch byte {
            case 0x0A, 0x0D:
                skipLineFeed = byte == 0x0D
                if let event = parser.feed(line: String(decoding: line, as: UTF8.self)) {
                    if let id = event.id { lastEventID = id }
                    events.append(event)
                }
                line.removeAll(keepingCapacity: true)
            default:
                line.append(byte)
                if line.count > maxLineBytes {
                    throw AgentError(
                        kind: .invalidResponse,
                        message:
                            "the event stream has a line over \(maxLineBytes) bytes; it is not a Crucible event stream")
                }
            }
        }
        return events
    }

    /// The stream ended: a final event without its blank line is dropped, as the format says.
    public mutating func finish() {
        line.removeAll()
        skipLineFeed = false
        parser = ServerSentEventParser()
    }
}
