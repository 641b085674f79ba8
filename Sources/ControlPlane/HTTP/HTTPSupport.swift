import CrucibleAPI
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

// JSON in and out, and the one shape of every error reply.

enum HTTPSupport {
    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let data = try CrucibleJSON.encode(value)
        return Response(
            status: status, headers: [.contentType: MediaType.json],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// One JSON object per line.
    static func ndjson(_ values: [some Encodable]) throws -> Response {
        var body = Data()
        for value in values {
            body.append(try CrucibleJSON.encode(value))
            body.append(0x0A)
        }
        return Response(
            status: .ok, headers: [.contentType: MediaType.ndjson],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }

    static func error(_ error: ControlPlaneError) -> Response {
        var headers: HTTPFields = [.contentType: MediaType.json]
        if let retry = error.retryAfterS {
            headers[.retryAfter] = String(retry)
        }
        let data = (try? CrucibleJSON.encode(error.envelope)) ?? Data(#"{"error":{"code":"internal"}}"#.utf8)
        return Response(
            status: HTTPResponse.Status(code: error.httpStatus), headers: headers,
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// Reads, decodes and validates a body. Too large → 413; not JSON, wrong types or invalid → 400 naming the
    /// field. Nothing is read past `limit`.
    static func decode<T: APIRequestBody & Validatable>(
        _ type: T.Type, from request: Request, limit: Int, limits: ValidationLimits = .default
    ) async throws -> T {
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw ControlPlaneError(
                .tooLarge, "the body is larger than \(limit / 1024) KiB; split the request into smaller ones")
        }
        let data = Data(buffer.readableBytesView)
        guard !data.isEmpty else {
            throw ControlPlaneError(.invalidRequest, "the body is empty; send a JSON object")
        }
        let value: T
        do {
            value = try CrucibleJSON.decode(type, from: data)
        } catch {
            throw ControlPlaneError(error)
        }
        if let unknown = UnknownKeys.first(in: data, decoded: value) {
            throw ControlPlaneError(
                T.errorCode(for: .root), "is not a field of this request; check its spelling against openapi.yaml",
                field: unknown)
        }
        return try checked(value, limits: limits)
    }

    /// A request body that did not come as JSON (an agent in this process), held to the same limits.
    static func checked<T: Validatable>(_ value: T, limits: ValidationLimits = .default) throws -> T {
        do {
            try value.validate(limits: limits)
        } catch {
            throw ControlPlaneError(error)
        }
        return value
    }

    /// An `{id}` path parameter.
    static func id(_ context: ControlPlaneContext) throws -> String {
        try checkedID(context.parameters.get("id"))
    }

    /// An id as a path parameter must be.
    static func checkedID(_ id: String?) throws -> String {
        guard let id, !id.isEmpty, id.count <= 128 else {
            throw ControlPlaneError(.invalidRequest, "the path has no valid id", field: "id")
        }
        return id
    }
}

extension HTTPField.Name {
    /// Not among swift-http-types' predefined names; the literal is valid, so this is never nil.
    static var lastEventID: HTTPField.Name? { HTTPField.Name("Last-Event-ID") }
}
