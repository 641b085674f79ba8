import Foundation

/// A token bucket per bearer token: `ratePerS` requests a second on average, bursts up to twice that. Kept
/// in memory per replica: limits protect the service, they are not billing, so a client behind a load
/// balancer may get a little more than its rate.
actor RateLimiter {
    private struct Bucket {
        var tokens: Double
        var updated: Double
    }

    private var buckets: [String: Bucket] = [:]
    private let clock: @Sendable () -> Double

    init(clock: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }) {
        self.clock = clock
    }

    /// Nil when the request may go ahead, else the whole seconds to wait before retrying.
    func admit(key: String, ratePerS: Double) -> Int? {
        guard ratePerS > 0 else {
            return nil
        }
        let now = clock()
        let burst = max(1, ratePerS * 2)
        var bucket = buckets[key] ?? Bucket(tokens: burst, updated: now)
        bucket.tokens = min(burst, bucket.tokens + (now - bucket.updated) * ratePerS)
        bucket.updated = now
        if bucket.tokens >= 1 {
            bucket.tokens -= 1
            buckets[key] = bucket
            return nil
        }
        buckets[key] = bucket
        return max(1, Int(((1 - bucket.tokens) / ratePerS).rounded(.up)))
    }
}
