import ControlPlane
import Testing

/// The bell that wakes long-polling agents and event streams.
@Suite("The event bell")
struct EventBellTests {
    /// A ring between a waiter's look for news and its wait is not lost: the wait returns at once instead of
    /// sleeping out its timeout.
    @Test(.timeLimit(.minutes(1)))
    func aRingBeforeTheWaitIsNotLost() async {
        let bell = EventBell()
        let seen = await bell.rings
        await bell.ring()
        let started = ContinuousClock.now
        await bell.wait(after: seen, upTo: .seconds(30))
        #expect(ContinuousClock.now - started < .seconds(10))
    }

    @Test(.timeLimit(.minutes(1)))
    func aWaitEndsOnTheNextRingOrItsTimeout() async {
        let bell = EventBell()
        let seen = await bell.rings
        let started = ContinuousClock.now
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await bell.wait(after: seen, upTo: .seconds(30)) }
            // Rung again and again until the waiter (parked by then, or not yet) returns.
            group.addTask {
                while !Task.isCancelled {
                    try? await Task.sleep(for: .milliseconds(20))
                    await bell.ring()
                }
            }
            await group.next()
            group.cancelAll()
        }
        #expect(ContinuousClock.now - started < .seconds(10))

        let quiet = await bell.rings
        let waited = ContinuousClock.now
        await bell.wait(after: quiet, upTo: .milliseconds(100))
        #expect(ContinuousClock.now - waited >= .milliseconds(90))
    }
}
