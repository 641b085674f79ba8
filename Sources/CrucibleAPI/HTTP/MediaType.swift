// Content types the API speaks.

public enum MediaType {
    public static let json = "application/json"
    /// Run results one per line, chosen with `Accept: application/x-ndjson`.
    public static let ndjson = "application/x-ndjson"
    /// Run events (Server-Sent Events).
    public static let eventStream = "text/event-stream"
    /// `/metrics`, the Prometheus text format.
    public static let prometheus = "text/plain; version=0.0.4"
}
