import Foundation
import Testing

@testable import Agent

/// A deterministic generator, so the bounds are checked over many known draws.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite("Retry: exponential backoff with full jitter, Retry-After")
struct RetryPolicyTests {
    let policy = RetryPolicy(maxAttempts: 6, baseDelay: .milliseconds(250), maxDelay: .seconds(30))

    @Test func ceilingDoublesUpToTheCap() {
        #expect(policy.ceiling(retry: 0) == .milliseconds(250))
        #expect(policy.ceiling(retry: 1) == .milliseconds(500))
        #expect(policy.ceiling(retry: 4) == .seconds(4))
        #expect(policy.ceiling(retry: 7) == .seconds(30))
        #expect(policy.ceiling(retry: 1000) == .seconds(30))
        #expect(policy.ceiling(retry: -3) == .milliseconds(250))
    }

    @Test func fullJitterStaysWithinZeroAndTheCeiling() {
        var generator = SeededGenerator(state: 42)
        for retry in 0..<12 {
            let ceiling = policy.ceiling(retry: retry)
            var samples: [Double] = []
            for _ in 0..<400 {
                let delay = policy.delay(retry: retry, using: &generator)
                #expect(delay >= .zero && delay <= ceiling, "retry \(retry): \(delay) outside 0...\(ceiling)")
                samples.append(delay.seconds)
            }
            // Full jitter spreads over the whole range, not just near the top: the mean sits near the middle.
            let mean = samples.reduce(0, +) / Double(samples.count)
            #expect(abs(mean - ceiling.seconds / 2) < ceiling.seconds * 0.1, "retry \(retry): mean \(mean)")
            #expect((samples.min() ?? 1) < ceiling.seconds * 0.1)
            #expect((samples.max() ?? 0) > ceiling.seconds * 0.9)
        }
    }

    @Test func retryAfterIsHonouredWithALittleJitter() {
        var generator = SeededGenerator(state: 7)
        for _ in 0..<200 {
            let delay = policy.delay(retry: 0, retryAfter: 2, using: &generator)
            #expect(delay >= .seconds(2) && delay <= .seconds(2) + .milliseconds(250))
        }
        // Longer than the backoff cap: still honoured, up to maxRetryAfter.
        #expect(policy.delay(retry: 0, retryAfter: 120, using: &generator) >= .seconds(120))
        let capped = policy.delay(retry: 0, retryAfter: 86_400, using: &generator)
        #expect(capped >= .seconds(300) && capped <= .seconds(300) + .milliseconds(250))
        // A nonsensical value falls back to the backoff.
        #expect(policy.delay(retry: 0, retryAfter: -1, using: &generator) <= .milliseconds(250))
    }

    @Test func retryAfterHeaderParsing() {
        #expect(RetryPolicy.parseRetryAfter("120") == 120)
        #expect(RetryPolicy.parseRetryAfter(" 2 ") == 2)
        #expect(RetryPolicy.parseRetryAfter("1.5") == 1.5)
        #expect(RetryPolicy.parseRetryAfter("-5") == nil)
        #expect(RetryPolicy.parseRetryAfter("soon") == nil)
        #expect(RetryPolicy.parseRetryAfter(nil) == nil)
        #expect(RetryPolicy.parseRetryAfter("") == nil)
        let now = Date(timeIntervalSince1970: 1_700_000_000)  // Tue, 14 Nov 2023 22:13:20 GMT
        #expect(RetryPolicy.parseRetryAfter("Tue, 14 Nov 2023 22:13:50 GMT", now: now) == 30)
        #expect(RetryPolicy.parseRetryAfter("Tue, 14 Nov 2023 22:00:00 GMT", now: now) == 0)
    }

    @Test func onlyTransientErrorsAreRetried() {
        func rejected(_ status: Int) -> AgentError {
            AgentError(
                kind: .rejected, message: "x", status: status, requestNotProcessed: status == 429 || status == 503)
        }
        for status in [408, 429, 500, 502, 503, 504] {
            #expect(policy.shouldRetry(rejected(status), attempt: 1, idempotent: true), "\(status)")
        }
        for status in [400, 401, 403, 404, 409, 413, 422] {
            #expect(!policy.shouldRetry(rejected(status), attempt: 1, idempotent: true), "\(status)")
        }
        let refused = AgentError(kind: .unreachable, message: "refused", requestNotProcessed: true)
        let reset = AgentError(kind: .unreachable, message: "reset")
        let slow = AgentError(kind: .timeout, message: "slow")
        let garbage = AgentError(kind: .invalidResponse, message: "html")
        #expect(policy.shouldRetry(refused, attempt: 1, idempotent: true))
        #expect(policy.shouldRetry(slow, attempt: 5, idempotent: true))
        #expect(!policy.shouldRetry(slow, attempt: 6, idempotent: true), "the last attempt is the last")
        #expect(!policy.shouldRetry(garbage, attempt: 1, idempotent: true))
        // Not safe to repeat: only what surely never reached the handler.
        #expect(policy.shouldRetry(refused, attempt: 1, idempotent: false))
        #expect(policy.shouldRetry(rejected(503), attempt: 1, idempotent: false))
        #expect(policy.shouldRetry(rejected(429), attempt: 1, idempotent: false))
        #expect(!policy.shouldRetry(rejected(500), attempt: 1, idempotent: false))
        #expect(!policy.shouldRetry(reset, attempt: 1, idempotent: false))
        #expect(!RetryPolicy.never.shouldRetry(refused, attempt: 1, idempotent: true))
    }
}
