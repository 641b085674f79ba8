// Server-Sent Events framing (the text/event-stream format), pure string work: the control plane writes
// frames, the CLI parses them.

public struct ServerSentEvent: Sendable, Hashable {
    public var id: String?
    public var event: String?
    public var data: String

    public init(id: String? = nil, event: String? = nil, data: String) {
        self.id = id
        self.event = event
        self.data = data
    }

    /// The frame as written on the wire, ending in the blank line that dispatches it.
    /// Multi-line data becomes several `data:` lines, as the format requires.
    public var frame: String {
        var text = ""
        if let id {
            text += "id: \(id)\n"
        }
        if let event {
            text += "event: \(event)\n"
        }
        for line in data.split(separator: "\n", omittingEmptySubsequences: false) {
            text += "data: \(line)\n"
        }
        return text + "\n"
    }
}

/// Turns a text/event-stream, fed line by line (without line terminators), into events.
/// Comment lines (`: keep-alive`) and unknown fields are ignored, as the format says.
public struct ServerSentEventParser: Sendable {
    private var id: String?
    private var event: String?
    private var dataLines: [String] = []
    private var sawField = false

    /// The id of the last dispatched event that had one; what to send as `Last-Event-ID` on reconnect.
    public private(set) var lastEventID: String?

    public init() {}

    /// Feeds one line; returns an event when the line is the blank line that ends one.
    public mutating func feed(line rawLine: some StringProtocol) -> ServerSentEvent? {
        let line = rawLine.hasSuffix("\r") ? String(rawLine.dropLast()) : String(rawLine)
        if line.isEmpty {
            defer { reset() }
            guard sawField else {
                return nil
            }
            if let id {
                lastEventID = id
            }
            return ServerSentEvent(id: id, event: event, data: dataLines.joined(separator: "\n"))
        }
        if line.hasPrefix(":") {
            return nil
        }
        let name: Substring
        var value: Substring
        if let colon = line.firstIndex(of: ":") {
            name = line[..<colon]
            value = line[line.index(after: colon)...]
            if value.hasPrefix(" ") {
                value = value.dropFirst()
            }
        } else {
            name = Substring(line)
            value = ""
        }
        switch name {
        case "id":
            id = String(value)
        case "event":
            event = String(value)
        case "data":
            dataLines.append(String(value))
        default:
            return nil
        }
        sawField = true
        return nil
    }

    /// Parses a complete stream text, e.g. in tests or from a buffered body.
    public static func parse(_ text: String) -> [ServerSentEvent] {
        var parser = ServerSentEventParser()
        return text.split(separator: "\n", omittingEmptySubsequences: false).compactMap { parser.feed(line: $0) }
    }

    private mutating func reset() {
        id = nil
        event = nil
        dataLines = []
        sawField = false
    }
}
