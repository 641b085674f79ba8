import Testing

@testable import Sandbox

/// Every built-in hostile probe (the ones `crucible policy check` runs), each in its own sandbox
/// under the default policy, must be contained.
@Suite(.enabled(if: Security.isRoot, "needs root to build sandboxes"))
struct ProbeContainmentTests {
    @Test(arguments: HostileProbe.all.map(\.name))
    func probeIsContained(name: String) async throws {
        let probe = try #require(HostileProbe.named(name))
        let checker = PolicyChecker(
            runner: try Security.requireRunner(), policy: try PolicyLoader.defaultPolicy(),
            probeExecutable: Security.crucibleExecutable, firstSlot: Security.slot())
        let finding = try await checker.check(probe, slot: Security.slot())
        #expect(
            finding.contained, "\(finding.probe): expected \(finding.expected), got \(finding.got): \(finding.detail)")
    }

    @Test func thereAreAtLeastThirtyProbes() {
        #expect(HostileProbe.all.count >= 30)
        #expect(Set(HostileProbe.all.map(\.name)).count == HostileProbe.all.count)
    }
}
