import Foundation
import Testing

@testable import Sandbox

/// Two steps in one sandbox, told apart by a marker the program writes to stdout and stderr.
@Suite(.enabled(if: TestSupport.isRoot, "needs root to build sandboxes"))
struct StageSplitTests {
    static let marker = "<split 5f0c>"

    /// The shell command that writes the marker to both streams.
    static let mark = "printf '\(marker)'; printf '\(marker)' >&2"

    static func split(wall: Double = 5, cpu: Double = 5) -> StageSplit {
        StageSplit(marker: Array(marker.utf8), firstWallTime: wall, firstCPUTime: cpu)
    }

    @Test func eachStepGetsItsOwnOutputAndTime() async throws {
        let script = "echo built; echo warning >&2; sleep 0.2; \(Self.mark); sleep 0.3; echo tested; echo err >&2"
        let result = try await TestSupport.run(script, split: Self.split())
        let first = try #require(result.firstStage)
        #expect(String(decoding: first.stdoutBytes, as: UTF8.self) == "built\n")
        #expect(String(decoding: first.stderrBytes, as: UTF8.self) == "warning\n")
        #expect(result.stdout == "tested\n")
        #expect(result.stderr == "err\n")
        #expect(result.status == .ok)
        // Time is counted from before the program starts, so neither part can come out short, however
        // late the supervisor sees the marker (the split between the two can move on a loaded machine).
        #expect(first.wallTimeS >= 0.2)
        #expect(result.wallTimeS > 0 && first.wallTimeS + result.wallTimeS >= 0.5)
        #expect(first.peakMemoryBytes > 0)
    }

    @Test func theFirstStepsCPUIsNotTheSecondsAndTheReverse() async throws {
        // About 0.3 s of CPU before the marker, almost none after.
        let burn = "i=0; while [ $i -lt 60000 ]; do i=$((i+1)); done"
        let result = try await TestSupport.run("\(burn); \(Self.mark); true", split: Self.split())
        let first = try #require(result.firstStage)
        #expect(first.cpuTimeS > 0.05)
        #expect(result.cpuTimeS < first.cpuTimeS / 2)
    }

    @Test func withoutTheMarkerTheWholeSandboxIsTheFirstStep() async throws {
        let result = try await TestSupport.run("echo oops >&2; exit 1", split: Self.split())
        #expect(result.firstStage == nil)
        #expect(result.status == .exited)
        #expect(result.stderr == "oops\n")
    }

    @Test func theFirstStepsTimeLimitHoldsUntilTheMarker() async throws {
        let result = try await TestSupport.run(
            "sleep 3; \(Self.mark)", split: Self.split(wall: 0.4)
        ) { $0.limits.wallTime = 10 }
        #expect(result.firstStage == nil)
        #expect(result.status == .wallTimeLimit)
        #expect(result.limitsHit == [.wallTime])
        #expect(result.wallTimeS < 3)
    }

    @Test func theSecondStepsTimeLimitCountsFromTheMarker() async throws {
        // 3 s before the marker and 0.2 s after: past a 2.5 s limit counted from the start, well within it from
        // the marker, even on a machine that leaves the sandbox unscheduled for a second or two.
        let script = "sleep 3; \(Self.mark); sleep 0.2"
        let within = try await TestSupport.run(script, split: Self.split(wall: 6)) { $0.limits.wallTime = 2.5 }
        #expect(within.status == .ok)
        #expect(within.firstStage != nil)
        let past = try await TestSupport.run(
            "\(Self.mark); sleep 3", split: Self.split(wall: 2)
        ) { $0.limits.wallTime = 0.5 }
        #expect(past.status == .wallTimeLimit)
        #expect(past.firstStage != nil)
        #expect(past.wallTimeS < 3)
    }

    @Test func aMarkerInPiecesIsFoundAndOnlyTheFirstCounts() async throws {
        let half = Self.marker.count / 2
        let (head, tail) = (Self.marker.prefix(half), Self.marker.dropFirst(half))
        let script =
            "echo 1; printf '\(head)'; printf '\(head)' >&2; sleep 0.2; printf '\(tail)'; printf '\(tail)' >&2; "
            + "echo a; \(Self.mark); echo b"
        let result = try await TestSupport.run(script, split: Self.split())
        let first = try #require(result.firstStage)
        #expect(String(decoding: first.stdoutBytes, as: UTF8.self) == "1\n")
        #expect(first.stderrBytes.isEmpty)
        // A later marker is the second step's output like any other.
        #expect(result.stdout == "a\n\(Self.marker)b\n")
        #expect(result.stderr == Self.marker)
    }

    @Test func aStreamWithoutItsMarkerIsTheSecondSteps() async throws {
        let result = try await TestSupport.run(
            "echo before; printf '\(Self.marker)' >&2; echo after", split: Self.split())
        #expect(result.firstStage?.stdoutBytes == [])
        #expect(result.stdout == "before\nafter\n")
    }
}
