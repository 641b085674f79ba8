import CLibseccomp

/// The allow-list filter, written as a binary search over ranges of system call numbers.
///
/// libseccomp's filter tests each listed call on its own: the default policy's allow-list is 419
/// instructions, and every sandbox pays for them when the kernel checks, translates and compiles its filter
/// (0.22 ms a sandbox under `perf`, on the path to the program's start; 0.11 ms with this one). Most allowed
/// calls are neighbours, so the same decisions fit in runs of numbers with one action each: 162 instructions.
///
/// libseccomp stays the reference. This filter is used only when the evaluator (`ClassicBPF.run`) finds it
/// returns the same action as libseccomp's for every number and architecture `decidesAlike` tries;
/// otherwise libseccomp's own is installed.
enum SyscallRangeFilter {
    static let x86Architecture: UInt32 = 0xC000_003E  // AUDIT_ARCH_X86_64
    /// x32 system calls are x86_64 numbers with this bit set: another ABI, refused as a bad architecture.
    static let x32Bit: UInt32 = 0x4000_0000
    /// This machine's audit architecture, as its system calls report it.
    static var native: UInt32 { seccomp_arch_native() }

    /// A filter deciding as `reference` (libseccomp's filter for the same rules) does, when one is found and is
    /// shorter; nil otherwise.
    static func replacement(
        for reference: [UInt8], native: UInt32, defaultAction: UInt32, badArchitecture: UInt32,
        actions: [UInt32: UInt32]
    ) -> [UInt8]? {
        let libseccomp = ClassicBPF.decode(reference)
        guard
            let ranged = build(
                native: native, defaultAction: defaultAction, badArchitecture: badArchitecture, actions: actions),
            ranged.count < libseccomp.count,
            decidesAlike(ranged, libseccomp, native: native)
        else { return nil }
        return ClassicBPF.encode(ranged)
    }

    /// The filter: the architecture checked, then the number looked up among the runs. `actions` gives each
    /// listed number its action; every other number gets `defaultAction`. Nil when a jump would be too long
    /// for classic BPF (255 instructions).
    static func build(native: UInt32, defaultAction: UInt32, badArchitecture: UInt32, actions: [UInt32: UInt32])
        -> [BPFInstruction]?
    {
        // Runs as (first number, action), in order; each lasts until the next one's first number.
        var starts: [UInt32] = []
        var verdicts: [UInt32] = []
        func begin(_ start: UInt32, _ action: UInt32) {
            if verdicts.last == action { return }
            starts.append(start)
            verdicts.append(action)
        }
        var next: UInt32 = 0
        for (number, action) in actions.sorted(by: { $0.key < $1.key }) {
            if native == x86Architecture, number >= x32Bit { return nil }
            if number > next { begin(next, defaultAction) }
            begin(number, action)
            next = number + 1
        }
        begin(next, defaultAction)

        var program: [BPFInstruction] = [
            .load(ClassicBPF.architectureOffset),
            BPFInstruction(code: BPFInstruction.jumpEqual, jt: 1, jf: 0, k: native),
            .returning(badArchitecture),
            .load(ClassicBPF.syscallNumberOffset),
        ]
        if native == x86Architecture {
            // As libseccomp does: number -1 (which a tracer sets to skip a call) is no x32 call but unlisted.
            program += [
                BPFInstruction(code: BPFInstruction.jumpGreaterOrEqual, jt: 0, jf: 2, k: x32Bit),
                BPFInstruction(code: BPFInstruction.jumpEqual, jt: 1, jf: 0, k: UInt32.max),
                .returning(badArchitecture),
            ]
        }
        guard let tree = search(starts: starts, verdicts: verdicts, 0..<starts.count) else { return nil }
        return program + tree
    }

    /// `number >= starts[middle]` jumps over the lower half to the upper one.
    private static func search(starts: [UInt32], verdicts: [UInt32], _ runs: Range<Int>) -> [BPFInstruction]? {
        if runs.count == 1 { return [.returning(verdicts[runs.lowerBound])] }
        let middle = (runs.lowerBound + runs.upperBound) / 2
        guard let lower = search(starts: starts, verdicts: verdicts, runs.lowerBound..<middle),
            let upper = search(starts: starts, verdicts: verdicts, middle..<runs.upperBound),
            lower.count <= Int(UInt8.max)
        else { return nil }
        let jump = BPFInstruction(
            code: BPFInstruction.jumpGreaterOrEqual, jt: UInt8(lower.count), jf: 0, k: starts[middle])
        return [jump] + lower + upper
    }

    /// Whether both filters return the same action for every system call number up to 4095, around the x32
    /// bit, at the top of the range and every Mi numbers in between, under the native architecture; and for
    /// a few numbers under others (i386, aarch64, none). Runs are decided only at listed numbers (all far
    /// below 4096), so between the numbers tried nothing can differ.
    static func decidesAlike(_ a: [BPFInstruction], _ b: [BPFInstruction], native: UInt32) -> Bool {
        let numbers =
            Array(0..<UInt32(4096)) + Array(x32Bit - 256..<x32Bit + 4096)
            + Array(stride(from: 4096, to: UInt32.max - (1 << 20), by: 1 << 20))
            + [x32Bit - 1, UInt32(Int32.max), UInt32(Int32.max) + 1, UInt32.max - 1, UInt32.max]
        for number in numbers {
            guard let verdict = ClassicBPF.run(a, number: number, architecture: native),
                verdict == ClassicBPF.run(b, number: number, architecture: native)
            else { return false }
        }
        for architecture: UInt32 in [0x4000_0003, 0xC000_00B7, 0] where architecture != native {
            for number: UInt32 in [0, 1, 59, 231, 4096, x32Bit, UInt32.max] {
                guard let verdict = ClassicBPF.run(a, number: number, architecture: architecture),
                    verdict == ClassicBPF.run(b, number: number, architecture: architecture)
                else { return false }
            }
        }
        return true
    }
}
