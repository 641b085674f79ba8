import Foundation
import Testing

@testable import CrucibleAPI

// controlplane/openapi.yaml is the published contract; these checks keep it and the Swift types in step:
// same routes, roles, key names, required keys and enum strings.
@Suite("openapi.yaml matches the Swift types")
struct OpenAPIContractTests {
    let document: OpenAPIDocument

    init() throws {
        let url = try #require(OpenAPIDocument.locate(), "controlplane/openapi.yaml not found above the tests")
        document = OpenAPIDocument(text: try String(contentsOf: url, encoding: .utf8))
    }

    @Test func everyEndpointIsDocumentedWithItsRoles() {
        let documented = Set(document.operations)
        let expected = Set(
            APIEndpoint.all.map {
                OpenAPIDocument.Operation(
                    method: $0.method.rawValue, path: $0.path, operationID: $0.operationID,
                    roles: $0.roles.map(\.rawValue).sorted { lhs, rhs in
                        Role.allCases.firstIndex { $0.rawValue == lhs } ?? 0 < Role.allCases.firstIndex {
                            $0.rawValue == rhs
                        } ?? 0
                    })
            })
        #expect(documented.count == APIEndpoint.all.count)
        #expect(documented.subtracting(expected).isEmpty, "only in openapi.yaml: \(documented.subtracting(expected))")
        #expect(expected.subtracting(documented).isEmpty, "only in APIEndpoint: \(expected.subtracting(documented))")
    }

    @Test func fullyPopulatedValuesHaveExactlyTheDocumentedKeys() throws {
        for (name, value) in Samples.full {
            let schema = try #require(document.schemas[name], "no schema \(name)")
            let keys = try JSONValue(encoding: value).objectKeys
            #expect(keys == Set(schema.properties), "\(name): keys \(keys.sorted()) vs \(schema.properties.sorted())")
            #expect(Set(schema.required).isSubset(of: keys), "\(name): required \(schema.required)")
        }
    }

    @Test func minimalValuesStillHaveEveryRequiredKey() throws {
        for (name, value) in Samples.minimal {
            let schema = try #require(document.schemas[name], "no schema \(name)")
            let keys = try JSONValue(encoding: value).objectKeys
            #expect(
                Set(schema.required).isSubset(of: keys), "\(name): missing \(Set(schema.required).subtracting(keys))")
            #expect(
                keys.isSubset(of: Set(schema.properties)),
                "\(name): undocumented \(keys.subtracting(schema.properties))")
        }
    }

    @Test func everyObjectSchemaIsCovered() {
        let covered = Set(Samples.full.map(\.schema))
        let objects = document.schemas.filter { !$0.value.properties.isEmpty }.map(\.key)
        #expect(Set(objects).subtracting(covered).isEmpty, "untested schemas: \(Set(objects).subtracting(covered))")
    }

    @Test func enumStringsMatch() throws {
        let enums: [(String, [String])] = [
            ("Language", Language.allCases.map(\.rawValue)), ("Scenario", Scenario.allCases.map(\.rawValue)),
            ("Difficulty", Difficulty.allCases.map(\.rawValue)), ("TestMode", TestMode.allCases.map(\.rawValue)),
            ("Verdict", Verdict.allCases.map(\.rawValue)), ("JobState", JobState.allCases.map(\.rawValue)),
            ("RunState", RunState.allCases.map(\.rawValue)), ("JudgeKind", JudgeKind.allCases.map(\.rawValue)),
            ("Role", Role.allCases.map(\.rawValue)), ("StepName", StepName.allCases.map(\.rawValue)),
            ("SandboxStatus", SandboxStatus.allCases.map(\.rawValue)),
            ("LimitName", LimitName.allCases.map(\.rawValue)), ("TestStatus", TestStatus.allCases.map(\.rawValue)),
            ("FindingSeverity", FindingSeverity.allCases.map(\.rawValue)),
            ("ScoreComponent", ScoreComponent.allCases.map(\.rawValue)),
            ("NodeState", NodeState.allCases.map(\.rawValue)),
            ("CgroupVersion", CgroupVersion.allCases.map(\.rawValue)),
            ("RunEventType", RunEventType.allCases.map(\.rawValue)),
            ("JobEventType", JobEventType.allCases.map(\.rawValue)),
            ("HealthState", HealthState.allCases.map(\.rawValue)),
        ]
        for (name, values) in enums {
            let schema = try #require(document.schemas[name], "no schema \(name)")
            #expect(schema.enumValues == values, "\(name)")
        }
    }

    /// With CRUCIBLE_API_SAMPLES_DIR set, writes every sample as `<Schema>.<n>.json`, so an outside
    /// validator (e.g. openapi-schema-validator) can check them against the schemas too.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["CRUCIBLE_API_SAMPLES_DIR"] != nil))
    func dumpSamples() throws {
        let directory = URL(fileURLWithPath: ProcessInfo.processInfo.environment["CRUCIBLE_API_SAMPLES_DIR"] ?? "/tmp")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for (index, sample) in (Samples.full + Samples.minimal).enumerated() {
            let data = try CrucibleJSON.encode(sample.value, pretty: true)
            try data.write(to: directory.appendingPathComponent("\(sample.schema).\(index).json"))
        }
    }
}
