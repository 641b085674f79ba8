import Foundation
import Testing

@testable import Sandbox

@Suite struct SyscallRangeFilterTests {
    static let allow: UInt32 = 0x7fff_0000
    static let enosys: UInt32 = 0x0005_0000 | UInt32(ENOSYS)
    static let kill: UInt32 = 0x8000_0000

    @Test func theDefaultPolicysAllowListIsTheShortFilterAndDecidesEveryCallAsLibseccompDoes() throws {
        let policy = try PolicyLoader.defaultPolicy().seccomp
        let installed = ClassicBPF.decode(try SeccompCompiler.compile(policy).filters[0])
        let libseccomp = ClassicBPF.decode(try SeccompCompiler.libseccompAllowList(policy))
        #expect(installed.count * 2 < libseccomp.count, "\(installed.count) against libseccomp's \(libseccomp.count)")
        #expect(SyscallRangeFilter.decidesAlike(installed, libseccomp, native: SyscallRangeFilter.native))

        // Every rule's own action, by the evaluator, not by comparison alone.
        let native = SyscallRangeFilter.native
        for rule in policy.rules where rule.args.isEmpty {
            for name in rule.syscalls {
                guard let number = SeccompCompiler.syscallNumber(name), number >= 0 else { continue }
                #expect(
                    ClassicBPF.run(installed, number: UInt32(number), architecture: native)
                        == SeccompCompiler.actionValue(rule.action), "\(name)")
            }
        }
        // Unlisted, other ABIs.
        #expect(ClassicBPF.run(installed, number: 4000, architecture: native) == Self.enosys)
        #expect(ClassicBPF.run(installed, number: 0, architecture: 0x4000_0003) == Self.kill)  // i386
        #expect(ClassicBPF.run(installed, number: 0x4000_0000, architecture: native) == Self.kill)  // x32 read
    }

    @Test func runsOfNeighbouringNumbersAreSearchedAsRanges() throws {
        let actions: [UInt32: UInt32] = [0: Self.allow, 1: Self.allow, 2: Self.allow, 7: Self.kill, 9: Self.allow]
        let program = try #require(
            SyscallRangeFilter.build(
                native: SyscallRangeFilter.x86Architecture, defaultAction: Self.enosys, badArchitecture: Self.kill,
                actions: actions))
        // Runs: 0-2 allow, 3-6 default, 7 kill, 8 default, 9 allow, 10- default.
        let expected: [UInt32] = [
            Self.allow, Self.allow, Self.allow, Self.enosys, Self.enosys, Self.enosys, Self.enosys, Self.kill,
            Self.enosys, Self.allow, Self.enosys, Self.enosys,
        ]
        let x86 = SyscallRangeFilter.x86Architecture
        for (number, action) in expected.enumerated() {
            #expect(ClassicBPF.run(program, number: UInt32(number), architecture: x86) == action, "number \(number)")
        }
        #expect(ClassicBPF.run(program, number: UInt32.max, architecture: x86) == Self.enosys)
        // Six runs: five jumps and six returns, after the seven instructions of the architecture checks.
        #expect(program.count == 7 + 5 + 6)
    }

    @Test func aFilterThatDecidesOneCallOtherwiseIsNotTaken() throws {
        let policy = try PolicyLoader.defaultPolicy().seccomp
        let libseccomp = try SeccompCompiler.libseccompAllowList(policy)
        var actions = SeccompCompiler.allowListActions(try SeccompCompiler.compile(policy).resolved)
        let native = SyscallRangeFilter.native
        let defaultAction = SeccompCompiler.actionValue(policy.defaultAction)
        let badArchitecture = SeccompCompiler.actionValue(policy.badArchitectureAction)
        #expect(
            SyscallRangeFilter.replacement(
                for: libseccomp, native: native, defaultAction: defaultAction, badArchitecture: badArchitecture,
                actions: actions) != nil)

        // ptrace allowed by mistake: the evaluator sees the difference and libseccomp's filter is kept.
        let ptrace = UInt32(try #require(SeccompCompiler.syscallNumber("ptrace")))
        #expect(actions[ptrace] != Self.allow)
        actions[ptrace] = Self.allow
        #expect(
            SyscallRangeFilter.replacement(
                for: libseccomp, native: native, defaultAction: defaultAction, badArchitecture: badArchitecture,
                actions: actions) == nil)
        // A wrong action for other architectures is caught too.
        #expect(
            SyscallRangeFilter.replacement(
                for: libseccomp, native: native, defaultAction: defaultAction, badArchitecture: Self.enosys,
                actions: SeccompCompiler.allowListActions(try SeccompCompiler.compile(policy).resolved)) == nil)
    }

    @Test func theEvaluatorJudgesOnlyWhatItCanRun() {
        let readsAnArgument: [BPFInstruction] = [.load(16), .returning(Self.allow)]
        #expect(ClassicBPF.run(readsAnArgument, number: 0, architecture: SyscallRangeFilter.x86Architecture) == nil)
        let neverReturns: [BPFInstruction] = [.load(0)]
        #expect(ClassicBPF.run(neverReturns, number: 0, architecture: SyscallRangeFilter.x86Architecture) == nil)
        let unknown = [BPFInstruction(code: 0x87, jt: 0, jf: 0, k: 0), .returning(Self.allow)]  // txa
        #expect(ClassicBPF.run(unknown, number: 0, architecture: SyscallRangeFilter.x86Architecture) == nil)
        let program: [BPFInstruction] = [.load(0), .returning(Self.allow)]
        #expect(ClassicBPF.decode(ClassicBPF.encode(program)) == program)
    }
}
