import Foundation

// Timestamps travel as ISO 8601 strings in UTC ("2025-01-31T12:00:00Z", with milliseconds when there are
// any). The types encode them themselves, so no caller has to remember a JSONEncoder date strategy.

enum Timestamp {
    private static let withFraction = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
    private static let wholeSeconds = Date.ISO8601FormatStyle()

    static func string(from date: Date) -> String {
        let seconds = date.timeIntervalSince1970
        return seconds.rounded(.down) == seconds ? wholeSeconds.format(date) : withFraction.format(date)
    }

    static func date(from string: String) -> Date? {
        (try? withFraction.parse(string)) ?? (try? wholeSeconds.parse(string))
    }

    static let formatHint = "expected an ISO 8601 UTC timestamp such as \"2025-01-31T12:00:00Z\""
}

extension KeyedEncodingContainer {
    mutating func encodeTimestamp(_ date: Date, forKey key: Key) throws {
        try encode(Timestamp.string(from: date), forKey: key)
    }

    /// Encodes an explicit `null` when the date is absent: the key is part of the documented shape.
    mutating func encodeTimestamp(_ date: Date?, forKey key: Key) throws {
        if let date {
            try encode(Timestamp.string(from: date), forKey: key)
        } else {
            try encodeNil(forKey: key)
        }
    }
}

extension KeyedDecodingContainer {
    func decodeTimestamp(forKey key: Key) throws -> Date {
        let raw = try decode(String.self, forKey: key)
        guard let date = Timestamp.date(from: raw) else {
            throw DecodingError.dataCorruptedError(forKey: key, in: self, debugDescription: Timestamp.formatHint)
        }
        return date
    }

    func decodeTimestampIfPresent(forKey key: Key) throws -> Date? {
        guard let raw = try decodeIfPresent(String.self, forKey: key) else {
            return nil
        }
        guard let date = Timestamp.date(from: raw) else {
            throw DecodingError.dataCorruptedError(forKey: key, in: self, debugDescription: Timestamp.formatHint)
        }
        return date
    }
}
