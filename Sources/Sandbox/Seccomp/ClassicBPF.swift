/// Classic BPF, as seccomp filters are written: the few instructions they use, laid out as the kernel reads
/// them (`struct sock_filter`, 8 bytes each), and an evaluator that runs a filter over one system call the way
/// the kernel would. The evaluator is how a filter crucible writes itself is proved to decide every call as
/// libseccomp's does (`SyscallRangeFilter`).
struct BPFInstruction: Equatable, Sendable {
    var code: UInt16
    var jt: UInt8
    var jf: UInt8
    var k: UInt32

    // Opcodes (linux/bpf_common.h): class | size | mode, or class | operation | source.
    static let loadWordAbsolute: UInt16 = 0x20  // BPF_LD | BPF_W | BPF_ABS
    static let jumpAlways: UInt16 = 0x05  // BPF_JMP | BPF_JA
    static let jumpEqual: UInt16 = 0x15  // BPF_JMP | BPF_JEQ | BPF_K
    static let jumpGreater: UInt16 = 0x25  // BPF_JMP | BPF_JGT | BPF_K
    static let jumpGreaterOrEqual: UInt16 = 0x35  // BPF_JMP | BPF_JGE | BPF_K
    static let jumpAnyBitSet: UInt16 = 0x45  // BPF_JMP | BPF_JSET | BPF_K
    static let returnConstant: UInt16 = 0x06  // BPF_RET | BPF_K

    static func load(_ offset: UInt32) -> Self { Self(code: loadWordAbsolute, jt: 0, jf: 0, k: offset) }
    static func returning(_ action: UInt32) -> Self { Self(code: returnConstant, jt: 0, jf: 0, k: action) }
}

enum ClassicBPF {
    /// Offsets in `struct seccomp_data`.
    static let syscallNumberOffset: UInt32 = 0
    static let architectureOffset: UInt32 = 4

    static func decode(_ bytes: [UInt8]) -> [BPFInstruction] {
        stride(from: 0, to: bytes.count - bytes.count % 8, by: 8).map { at in
            BPFInstruction(
                code: UInt16(bytes[at]) | UInt16(bytes[at + 1]) << 8, jt: bytes[at + 2], jf: bytes[at + 3],
                k: UInt32(bytes[at + 4]) | UInt32(bytes[at + 5]) << 8 | UInt32(bytes[at + 6]) << 16
                    | UInt32(bytes[at + 7]) << 24)
        }
    }

    static func encode(_ program: [BPFInstruction]) -> [UInt8] {
        program.flatMap { instruction in
            [
                UInt8(instruction.code & 0xff), UInt8(instruction.code >> 8), instruction.jt, instruction.jf,
                UInt8(instruction.k & 0xff), UInt8(instruction.k >> 8 & 0xff), UInt8(instruction.k >> 16 & 0xff),
                UInt8(instruction.k >> 24),
            ]
        }
    }

    /// The action a filter returns for a system call `number` made under the audit architecture `architecture`,
    /// or nil when the filter does anything else (reads the arguments or the instruction pointer, uses an
    /// instruction not listed above, jumps out of the program or never returns): such a filter is not judged.
    static func run(_ program: [BPFInstruction], number: UInt32, architecture: UInt32) -> UInt32? {
        var accumulator: UInt32 = 0
        var at = 0
        // Jumps only go forward, so a program ends within its length in steps.
        while at < program.count {
            let instruction = program[at]
            at += 1
            var taken: Bool
            switch instruction.code {
            case BPFInstruction.loadWordAbsolute:
                switch instruction.k {
                case syscallNumberOffset: accumulator = number
                case architectureOffset: accumulator = architecture
                default: return nil
                }
                continue
            case BPFInstruction.returnConstant:
                return instruction.k
            case BPFInstruction.jumpAlways:
                at += Int(instruction.k)
                continue
            case BPFInstruction.jumpEqual: taken = accumulator == instruction.k
            case BPFInstruction.jumpGreater: taken = accumulator > instruction.k
            case BPFInstruction.jumpGreaterOrEqual: taken = accumulator >= instruction.k
            case BPFInstruction.jumpAnyBitSet: taken = accumulator & instruction.k != 0
            default: return nil
            }
            at += Int(taken ? instruction.jt : instruction.jf)
        }
        return nil
    }
}
