import CrucibleAPI
import Foundation
import Testing

@testable import ControlPlane

/// The unknown-key check of request bodies: a key the body's type does not have is named; keys the type has,
/// map keys of the caller's own and null values are not.
struct UnknownKeysTests {
    /// The body of `value` as JSON objects, changed by `change`, checked as a request of `T`.
    static func check<T: Codable>(
        _ value: T, _ change: (inout [String: Any]) -> Void = { _ in }
    ) throws -> String? {
        var body = try #require(try JSONSerialization.jsonObject(with: CrucibleJSON.encode(value)) as? [String: Any])
        change(&body)
        let data = try JSONSerialization.data(withJSONObject: body)
        return UnknownKeys.first(in: data, decoded: try CrucibleJSON.decode(T.self, from: data))
    }

    /// The keys of a JSON tree, written out: `{a:_,b:[{c:_}]}`; every leaf (null included) is `_`.
    static func outline(_ json: Any) -> String {
        if let object = json as? [String: Any] {
            return "{" + object.keys.sorted().map { "\($0):\(outline(object[$0] ?? NSNull()))" }.joined(separator: ",")
                + "}"
        }
        if let array = json as? [Any] {
            return "[" + array.map(outline).joined(separator: ",") + "]"
        }
        return "_"
    }

    /// A shape as the JSON tree it stands for, so that one `outline` writes both.
    static func tree(_ shape: KeyShape) -> Any {
        shape.object.map { $0.mapValues(tree) } ?? shape.array.map { $0.map(tree) } ?? NSNull()
    }

    static var completion: CompletionRequest {
        let result = JobResult(
            taskID: "t0", model: "m1", verdict: .failed,
            steps: [
                StepResult(
                    name: .build, status: .ok, exitCode: 0, cpuTimeS: 0.1, wallTimeS: 0.2, peakMemoryBytes: 1000),
                StepResult(
                    name: .test, status: .exited, exitCode: 1, cpuTimeS: 0.2, wallTimeS: 0.3, peakMemoryBytes: 2000),
            ],
            tests: [TestResult(name: "a", status: .passed), TestResult(name: "b", status: .failed)], testsPassed: 1,
            testsTotal: 2)
        return CompletionRequest(leaseID: "lease_1", result: result, referenceCPUTimeS: 0.5)
    }

    @Test func theShapeHasTheKeysJSONEncoderWrites() throws {
        let events = JobEventBatch(
            leaseID: "lease_1",
            events: [
                JobEvent(seq: 1, at: Date(), payload: .jobState(.running)),
                JobEvent(seq: 2, at: Date(), payload: .test(TestResult(name: "a", status: .passed))),
            ])
        let values: [any Encodable] = [Samples.run(tasks: 3, candidatesPerTask: 2), Self.completion, events]
        for value in values {
            let json = try JSONSerialization.jsonObject(with: CrucibleJSON.encode(value))
            #expect(Self.outline(Self.tree(try KeyShape.of(value))) == Self.outline(json))
        }
    }

    @Test func aBodyOfKnownKeysPasses() throws {
        #expect(try Self.check(Samples.run(tasks: 2, candidatesPerTask: 2)) == nil)
        #expect(try Self.check(Self.completion) == nil)
    }

    @Test func aMisspeltKeyIsNamedWithItsPath() throws {
        #expect(try Self.check(Samples.run()) { $0["nmae"] = "x" } == "nmae")
        let nested = try Self.check(Samples.run(tasks: 2)) { body in
            var tasks = body["tasks"] as? [[String: Any]] ?? []
            tasks[1]["test_mod"] = "program"
            body["tasks"] = tasks
        }
        #expect(nested == "tasks[1].test_mod")
        let deep = try Self.check(Self.completion) { body in
            var result = body["result"] as? [String: Any] ?? [:]
            var steps = result["steps"] as? [[String: Any]] ?? []
            steps[1]["exit_cod"] = 1
            result["steps"] = steps
            body["result"] = result
        }
        #expect(deep == "result.steps[1].exit_cod")
    }

    @Test func mapKeysAndNullsAreNotUnknown() throws {
        let files = try Self.check(Samples.run()) { body in
            var tasks = body["tasks"] as? [[String: Any]] ?? []
            var files = tasks[0]["files"] as? [String: Any] ?? [:]
            files["helpers/util.py"] = "x = 1\n"
            tasks[0]["files"] = files
            body["tasks"] = tasks
        }
        #expect(files == nil)
        #expect(try Self.check(Samples.run()) { $0["not_a_field"] = NSNull() } == nil)
    }

    /// A body written by hand, checked against a lease request (`agent_id`, `max_jobs`, `wait_s`, `labels`,
    /// `finished`): the one decoded from it, or `decoded`.
    static func checkLease(_ body: String, against decoded: LeaseRequest? = nil) throws -> String? {
        let data = Data(body.utf8)
        return UnknownKeys.first(in: data, decoded: try decoded ?? CrucibleJSON.decode(LeaseRequest.self, from: data))
    }

    /// The body's text is walked, not parsed: what a walker can get wrong is where a value ends and what a
    /// key says, so values full of brackets, quotes and escapes come before the unknown key.
    @Test func theWalkSkipsAnyValueAndReadsEscapedKeys() throws {
        let body = #"""
            {
              "agent_id" : "agent_1", "labels": {"a": "}]\\\"{[", "b{\"": ","},
              "wait_s": -1.5e3, "max_jobs": 2, "finished": ["j\\\"1", "[{"], "max_jbos": 3
            }
            """#
        #expect(try Self.checkLease(body) == "max_jbos")
        // Elements past the type's own (none here) are skipped whole, however deep.
        let deep = #"{"finished": [{"x": ["]", {"y": "\"}"}]}, [[], [true, null, 1e-3]]], "max_jbos": 3}"#
        #expect(try Self.checkLease(deep, against: LeaseRequest(agentID: "a", maxJobs: 1, waitS: 0)) == "max_jbos")
        // An escaped key is compared as decoded: "max_\u006aobs" is max_jobs; "m\u00e4x" is not a field.
        #expect(try Self.checkLease(#"{"agent_id": "a", "max_\u006aobs": 2}"#) == nil)
        #expect(try Self.checkLease(#"{"agent_id": "a", "max_jobs": 2, "m\u00e4x": 2}"#) == "m\u{e4}x")
        // The first unknown key in the body's order.
        #expect(try Self.checkLease(#"{"zeta": 1, "agent_id": "a", "max_jobs": 2, "alpha": 2}"#) == "zeta")
    }
}
