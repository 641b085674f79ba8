import Foundation
import Testing

@testable import Sandbox

@Suite struct SeccompCompilerTests {
    @Test func defaultPolicyCompilesToTwoFilters() throws {
        let program = try SeccompCompiler.compile(try PolicyLoader.defaultPolicy().seccomp)
        // The allow-list, then the deny-only filter of rules with argument conditions.
        #expect(program.filters.count == 2)
        #expect(program.filters.allSatisfy { !$0.isEmpty && $0.count % 8 == 0 })
        let ioUring = program.resolved.first { $0.name == "io_uring_setup" }
        #expect(ioUring?.action == .errno(EPERM))
        #expect(ioUring?.number == SeccompCompiler.syscallNumber("io_uring_setup"))
        #expect(program.resolved.contains { $0.name == "ioctl" && $0.conditional && $0.action == .errno(EPERM) })
    }

    @Test func resolvesKnownNamesOnly() {
        #expect(SeccompCompiler.syscallNumber("read") == 0)
        #expect(SeccompCompiler.syscallNumber("not_a_syscall") == nil)
    }

    @Test func policyWithoutConditionsHasOneFilter() throws {
        let policy = SeccompPolicy(
            defaultAction: .errno(ENOSYS), badArchitectureAction: .killProcess,
            rules: [SeccompRule(action: .allow, why: "everything", syscalls: ["read", "write"], args: [], line: nil)])
        #expect(try SeccompCompiler.compile(policy).filters.count == 1)
    }
}
