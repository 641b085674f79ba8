import Foundation
import Testing

@testable import CrucibleAPI

@Suite("Run events, SSE framing and NDJSON")
struct EventStreamTests {
    @Test func runEventsRoundTrip() throws {
        let common = #""run_id": "r-1", "job_id": "j-1", "at": "2025-01-31T12:00:00Z""#
        let events = [
            #"""
            {"id": 1, "type": "job_state", \#(common), "state": "running", "task_id": "t", "model": "m1",
             "verdict": null}
            """#,
            #"""
            {"id": 2, "type": "step", \#(common), "step": {"name": "build", "status": "ok", "exit_code": 0,
             "cpu_time_s": 0.1, "wall_time_s": 0.2, "peak_memory_bytes": 1, "stdout": "", "stderr": ""}}
            """#,
            #"""
            {"id": 3, "type": "test", \#(common),
             "test": {"name": "t1", "status": "passed", "duration_s": 0.01, "message": null}}
            """#,
            #"""
            {"id": 4, "type": "score", \#(common),
             "score": {"correctness": 100, "quality": 90, "efficiency": 50, "speed": 40, "automated": 78.5}}
            """#,
            #"""
            {"id": 5, "type": "job_state", \#(common), "state": "completed", "task_id": "t", "model": "m1",
             "verdict": "passed"}
            """#,
            #"""
            {"id": 6, "type": "run_state", "run_id": "r-1", "job_id": null, "at": "2025-01-31T12:00:04Z",
             "state": "completed"}
            """#,
        ]
        let decoded = try events.map { try expectRoundTrip(RunEvent.self, $0) }
        #expect(decoded.map(\.type) == [.jobState, .step, .test, .score, .jobState, .runState])
        #expect(decoded.map(\.id) == [1, 2, 3, 4, 5, 6])
        #expect(
            decoded[4].payload
                == .jobState(JobStateChange(state: .completed, taskID: "t", model: "m1", verdict: .passed)))
    }

    @Test func jobEventsRoundTrip() throws {
        let batch = try expectRoundTrip(
            JobEventBatch.self,
            #"""
            {"lease_id": "l-1", "events": [
              {"seq": 1, "at": "2025-01-31T12:00:00Z", "type": "job_state", "state": "running"},
              {"seq": 2, "at": "2025-01-31T12:00:01.500Z", "type": "step",
               "step": {"name": "test", "status": "wall_time_limit", "exit_code": null, "cpu_time_s": 9.9,
                        "wall_time_s": 10, "peak_memory_bytes": 5, "stdout": "", "stderr": "",
                        "limits_hit": ["wall_time", "pids"], "stdout_truncated": false, "stderr_truncated": false}},
              {"seq": 3, "at": "2025-01-31T12:00:02Z", "type": "test",
               "test": {"name": "t", "status": "error", "duration_s": null, "message": "boom"}}
            ]}
            """#)
        #expect(batch.events.map(\.type) == [.jobState, .step, .test])
        #expect(batch.validationIssues().isEmpty)
    }

    @Test func serverSentEventFrames() throws {
        let event = RunEvent(id: 42, runID: "r-1", jobID: nil, at: Samples.date, payload: .runState(.completed))
        let sse = try event.serverSentEvent()
        #expect(sse.frame.hasPrefix("id: 42\nevent: run_state\ndata: {"))
        #expect(sse.frame.hasSuffix("}\n\n"))
        let parsed = ServerSentEventParser.parse(": keep-alive\n\n" + sse.frame + "retry: 1000\n")
        #expect(parsed == [sse])
        let back = try CrucibleJSON.decode(RunEvent.self, from: Data(parsed[0].data.utf8))
        #expect(back == event)
    }

    @Test func parserHandlesMultilineDataAndCRLF() {
        var parser = ServerSentEventParser()
        var events: [ServerSentEvent] = []
        for line in ["id: 7\r", "event: step\r", "data: a\r", "data:b\r", "\r", "data: only\r", "\r", "\r"] {
            if let event = parser.feed(line: line) {
                events.append(event)
            }
        }
        #expect(events == [ServerSentEvent(id: "7", event: "step", data: "a\nb"), ServerSentEvent(data: "only")])
        #expect(parser.lastEventID == "7")
        #expect(ServerSentEvent(data: "x\ny").frame == "data: x\ndata: y\n\n")
    }

    @Test(arguments: [("41", 41), (" 7 ", 7), ("0", 0)])
    func resumeIDs(_ header: String, _ id: Int) {
        #expect(RunEvent.resumeID(lastEventID: header) == id)
    }

    @Test func badResumeIDsStartOver() {
        #expect(RunEvent.resumeID(lastEventID: nil) == nil)
        #expect(RunEvent.resumeID(lastEventID: "-1") == nil)
        #expect(RunEvent.resumeID(lastEventID: "abc") == nil)
    }

    @Test func ndjsonResults() throws {
        let entries = [
            RunResultEntry(jobID: "j-1", state: .completed, result: Samples.result),
            RunResultEntry(jobID: "j-2", state: .running, taskID: "t", model: "m2"),
        ]
        let data = try NDJSON.encode(entries)
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 3 && lines[2].isEmpty)
        #expect(try NDJSON.decode(RunResultEntry.self, from: data) == entries)
        let pending = try JSONValue(encoding: entries[1])
        #expect(pending["verdict"] == .null && pending["score"] == .null && pending["steps"] == .array([]))
        #expect(pending.objectKeys == (try JSONValue(encoding: entries[0])).objectKeys)
    }

    @Test func ndjsonErrorsNameTheLine() throws {
        let body = Data("{\"accepted\": 1}\n\n{\"accepted\": \"x\"}\n".utf8)
        let error = try #require(throws: CrucibleAPIError.self) {
            try NDJSON.decode(JobEventsAccepted.self, from: body)
        }
        #expect(error.first.field == "[1].accepted")
    }

    @Test func timestamps() throws {
        #expect(Timestamp.string(from: Samples.date) == "2025-01-31T12:00:00Z")
        #expect(Timestamp.string(from: Samples.date.addingTimeInterval(0.25)) == "2025-01-31T12:00:00.250Z")
        #expect(Timestamp.date(from: "2025-01-31T12:00:00Z") == Samples.date)
        #expect(Timestamp.date(from: "2025-01-31T12:00:00.250Z") == Samples.date.addingTimeInterval(0.25))
        #expect(Timestamp.date(from: "31/01/2025") == nil)
    }

    @Test func jobStateCounts() {
        let counts = JobStateCounts(states: [.queued, .completed, .completed, .errored])
        #expect(counts.completed == 2 && counts.total == 4)
        #expect(counts.impliedRunState == .running)
        // Cancelled part-way: the run is cancelled, whatever finished before.
        #expect(JobStateCounts(states: [.completed, .cancelled]).impliedRunState == .cancelled)
        #expect(JobStateCounts(states: [.completed, .errored]).impliedRunState == .completed)
        #expect(JobStateCounts(states: [.cancelled]).impliedRunState == .cancelled)
        #expect(JobStateCounts(states: [.queued]).impliedRunState == .queued)
        #expect(JobState.allCases.filter(\.isFinal) == [.completed, .errored, .cancelled])
    }

    @Test func resourceUsageSumsSteps() {
        let usage = ResourceUsage(steps: [
            StepResult(name: .build, status: .ok, exitCode: 0, cpuTimeS: 1, wallTimeS: 2, peakMemoryBytes: 10),
            StepResult(name: .test, status: .exited, exitCode: 1, cpuTimeS: 0.5, wallTimeS: 1, peakMemoryBytes: 30),
        ])
        #expect(usage == ResourceUsage(cpuTimeS: 1.5, wallTimeS: 3, peakMemoryBytes: 30))
    }

    @Test func encodingNonFiniteNumbersFailsCleanly() throws {
        let error = try #require(throws: CrucibleAPIError.self) {
            try CrucibleJSON.encode(JobScore(correctness: .nan, quality: 0, efficiency: 0, speed: 0, automated: 0))
        }
        #expect(error.first.code == .internalError)
        #expect(error.first.field == "correctness")
    }
}
