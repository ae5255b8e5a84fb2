import Foundation
import Testing
@testable import ParticleCloud

/// When calls are retried, and how long the client waits.
@Suite struct RetryPolicyTests {
    let policy = RetryPolicy(maximumRetries: 3, baseDelay: 1, maximumDelay: 30)

    @Test func rateLimitHonoursRetryAfterSeconds() {
        #expect(policy.delay(status: 429, retriesSoFar: 0, retryAfter: "7", isIdempotent: false, jitter: 0.5) == 7)
    }

    @Test func rateLimitRetryAfterIsCapped() {
        #expect(policy.delay(status: 429, retriesSoFar: 0, retryAfter: "3600", isIdempotent: true, jitter: 0) == 30)
    }

    @Test func rateLimitRetryAfterAsHTTPDate() throws {
        let now = try #require(ISO8601DateFormatter().date(from: "2015-10-21T07:28:00Z"))
        let delay = policy.delay(status: 429, retriesSoFar: 0, retryAfter: "Wed, 21 Oct 2015 07:28:10 GMT",
                                 isIdempotent: true, jitter: 0, now: now)
        #expect(delay == 10)
    }

    @Test func rateLimitWithoutRetryAfterBacksOffExponentiallyWithJitter() {
        // Equal jitter: between half and all of base × 2^n.
        #expect(policy.delay(status: 429, retriesSoFar: 0, retryAfter: nil, isIdempotent: false, jitter: 0) == 0.5)
        #expect(policy.delay(status: 429, retriesSoFar: 0, retryAfter: nil, isIdempotent: false, jitter: 1) == 1)
        #expect(policy.delay(status: 429, retriesSoFar: 2, retryAfter: nil, isIdempotent: false, jitter: 0) == 2)
        #expect(policy.delay(status: 429, retriesSoFar: 2, retryAfter: nil, isIdempotent: false, jitter: 1) == 4)
        #expect(policy.delay(status: 429, retriesSoFar: 2, retryAfter: "soon", isIdempotent: false, jitter: 1) == 4)
    }

    @Test func retriesAreBounded() {
        #expect(policy.delay(status: 429, retriesSoFar: 3, retryAfter: "1", isIdempotent: true, jitter: 0) == nil)
        #expect(policy.delay(status: 503, retriesSoFar: 3, retryAfter: nil, isIdempotent: true, jitter: 0) == nil)
        #expect(RetryPolicy.none.delay(status: 429, retriesSoFar: 0, retryAfter: "1", isIdempotent: true) == nil)
    }

    @Test(arguments: [500, 502, 503, 504])
    func serverErrorsAreRetriedOnlyWhenIdempotent(status: Int) {
        #expect(policy.delay(status: status, retriesSoFar: 0, retryAfter: nil, isIdempotent: true, jitter: 0) != nil)
        #expect(policy.delay(status: status, retriesSoFar: 0, retryAfter: nil, isIdempotent: false, jitter: 0) == nil)
    }

    @Test(arguments: [400, 401, 403, 404, 408, 501])
    func otherStatusesAreNeverRetried(status: Int) {
        #expect(policy.delay(status: status, retriesSoFar: 0, retryAfter: "1", isIdempotent: true, jitter: 0) == nil)
    }

    @Test func postIsNotIdempotentByDefault() {
        #expect(!CloudRequest(.post, "/v1/devices").isIdempotent)
        #expect(CloudRequest(.get, "/v1/devices").isIdempotent)
        #expect(CloudRequest(.put, "/v1/devices/x").isIdempotent)
        #expect(CloudRequest(.delete, "/v1/devices/x").isIdempotent)
    }
}
