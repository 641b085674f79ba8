import Foundation

// Newline-delimited JSON (`application/x-ndjson`): one compact JSON value per line. Used for run results so a
// client can process a large run as it streams.

public enum NDJSON {
    public static func encode(_ values: some Sequence<some Encodable>) throws(CrucibleAPIError) -> Data {
        var data = Data()
        for value in values {
            data.append(try encodeLine(value))
        }
        return data
    }

    /// One value as one line, newline included. The compact encoder never emits a raw newline inside a value.
    public static func encodeLine(_ value: some Encodable) throws(CrucibleAPIError) -> Data {
        var line = try CrucibleJSON.encode(value)
        line.append(0x0A)
        return line
    }

    /// Decodes every non-blank line; a failure names the line as `[n]` (0-based, blank lines not counted).
    public static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws(CrucibleAPIError) -> [T] {
        var values: [T] = []
        let decoder = CrucibleJSON.makeDecoder()
        for line in data.split(separator: 0x0A) where !line.allSatisfy({ $0 == 0x20 || $0 == 0x0D || $0 == 0x09 }) {
            do {
                values.append(try decoder.decode(type, from: Data(line)))
            } catch let error as DecodingError {
                throw CrucibleAPIError(
                    CrucibleJSON.issue(for: error, in: type, prefix: FieldPath.root.index(values.count)))
            } catch {
                throw CrucibleAPIError(
                    ValidationIssue(code: .invalidRequest, field: "[\(values.count)]", message: "\(error)"))
            }
        }
        return values
    }
}
