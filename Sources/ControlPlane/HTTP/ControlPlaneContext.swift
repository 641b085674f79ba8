import Hummingbird

/// Per-request state: who is calling (set by `AuthMiddleware`) and which API route matched.
public struct ControlPlaneContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var principal: Principal?

    public init(source: Source) {
        coreContext = .init(source: source)
    }

    /// Bodies are read by the handlers themselves, each with its own limit.
    public var maxUploadSize: Int { 64 * 1024 * 1024 }
}
