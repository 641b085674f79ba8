import Foundation

/// When and how long to wait before sending a request again.
///
/// Exponential backoff with full jitter: the n-th retry waits a uniformly random time in
/// `0 ... min(maxDelay, baseDelay · 2ⁿ)`, so many agents that lost the control plane at the same moment do
/// not come back in lockstep. A `Retry-After` from the server wins over the backoff (up to `maxRetryAfter`),
/// with a little jitter on top for the same reason.
public struct RetryPolicy: Sendable, Hashable {
    /// Attempts in all, the first included; 1 never retries. `Int.max` retries until cancelled.
    public var maxAttempts: Int
    public var baseDelay: Duration
    /// The ceiling of the backoff (about 30 s by default).
    public var maxDelay: Duration
    /// The longest `Retry-After` honoured; a server asking for more is waited on for this long.
    public var maxRetryAfter: Duration

    public init(
        maxAttempts: Int = 6, baseDelay: Duration = .milliseconds(250), maxDelay: Duration = .seconds(30),
        maxRetryAfter: Duration = .seconds(300)
    ) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.maxRetryAfter = maxRetryAfter
    }

    /// Six attempts over roughly half a minute at worst: enough to ride out a control-plane restart.
    public static let `default` = RetryPolicy()
    /// One attempt: the caller decides.
    public static let never = RetryPolicy(maxAttempts: 1)
    /// Until cancelled, for what must get through eventually (registration, spooled completions).
    public static let untilCancelled = RetryPolicy(maxAttempts: .max)

    /// The upper bound of the backoff before retry number `retry` (0 for the first retry).
    public func ceiling(retry: Int) -> Duration {
        // 2^retry overflows quickly; past 2^30 the ceiling is the cap anyway.
        let factor = Double(1 << min(max(retry, 0), 30))
        let seconds = min(baseDelay.seconds * factor, maxDelay.seconds)
        return .seconds(seconds)
    }

    /// How long to wait before retry number `retry`, given the server's `Retry-After` in seconds if any.
    public func delay(
        retry: Int, retryAfter: Double? = nil, using generator: inout some RandomNumberGenerator
    ) -> Duration {
        if let retryAfter, retryAfter.isFinite, retryAfter >= 0 {
            let honoured = min(retryAfter, maxRetryAfter.seconds)
            let jitter = Double.random(in: 0...max(baseDelay.seconds, 0), using: &generator)
            return .seconds(honoured + jitter)
        }
        let upper = ceiling(retry: retry).seconds
        return .seconds(upper > 0 ? Double.random(in: 0...upper, using: &generator) : 0)
    }

    public func delay(retry: Int, retryAfter: Double? = nil) -> Duration {
        var generator = SystemRandomNumberGenerator()
        return delay(retry: retry, retryAfter: retryAfter, using: &generator)
    }

    /// Whether to try again after `error` on attempt number `attempt` (1 for the first): only transient
    /// errors, and for a request that is not safe to repeat only when it surely was not processed.
    public func shouldRetry(_ error: AgentError, attempt: Int, idempotent: Bool) -> Bool {
        guard attempt < maxAttempts, error.isTransient else { return false }
        return idempotent || error.requestNotProcessed
    }

    /// Parses a `Retry-After` header: delay seconds ("120", also "1.5") or an HTTP date.
    public static func parseRetryAfter(_ value: String?, now: Date = Date()) -> Double? {
        guard let raw = value?.trimmingCharacters(in: .whitespaces), !raw.isEmpty else { return nil }
        if let seconds = Double(raw) {
            return seconds.isFinite && seconds >= 0 ? seconds : nil
        }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        // IMF-fixdate, then the two obsolete forms RFC 9110 still asks recipients to accept.
        for format in ["EEE, dd MMM yyyy HH:mm:ss zzz", "EEEE, dd-MMM-yy HH:mm:ss zzz", "EEE MMM d HH:mm:ss yyyy"] {
            formatter.dateFormat = format
            if let date = formatter.date(from: raw) {
                return max(0, date.timeIntervalSince(now))
            }
        }
        return nil
    }
}

extension Duration {
    /// The duration in seconds, as a Double.
    var seconds: Double {
        let (whole, fraction) = components
        return Double(whole) + Double(fraction) / 1e18
    }
}
