import ControlPlane
import CrucibleAPI
import Foundation
import Logging
import NIOCore
import Testing

/// The agent protocol's calls as values (`InProcessAPI.answer`, how `crucible up`'s agent calls its control
/// plane) are refused and answered exactly as the same calls sent as JSON: the same status, error envelope and
/// `Retry-After`, the same replies.
@Suite("Agent calls as values")
struct AgentCallTests {
    enum Token: String, Sendable {
        case submitter, registration, agent, bogus
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var token: Token
        var call: @Sendable (_ agentID: String) -> AgentCall
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "a lease with an unknown token", token: .bogus) {
            .lease(LeaseRequest(agentID: $0, maxJobs: 1, waitS: 0))
        },
        Case(name: "a lease with a submitter's token", token: .submitter) {
            .lease(LeaseRequest(agentID: $0, maxJobs: 1, waitS: 0))
        },
        Case(name: "a lease with the registration token", token: .registration) {
            .lease(LeaseRequest(agentID: $0, maxJobs: 1, waitS: 0))
        },
        Case(name: "a lease for another agent", token: .agent) { _ in
            .lease(LeaseRequest(agentID: "agent_someone_else", maxJobs: 1, waitS: 0))
        },
        Case(name: "a lease of no jobs (invalid)", token: .agent) {
            .lease(LeaseRequest(agentID: $0, maxJobs: 0, waitS: 0))
        },
        Case(name: "a lease with nothing queued", token: .agent) {
            .lease(LeaseRequest(agentID: $0, maxJobs: 2, waitS: 0))
        },
        Case(name: "a heartbeat", token: .agent) {
            .heartbeat(HeartbeatRequest(agentID: $0, leaseIDs: [], load: AgentLoad(runningJobs: 0, slots: 2)))
        },
        Case(name: "events for a job that does not exist", token: .agent) { _ in
            .postEvents(jobID: "job_missing", JobEventBatch(leaseID: "lease_1", events: []))
        },
        Case(name: "a completion for a job that does not exist", token: .agent) { _ in
            .complete(jobID: "job_missing", Self.completion)
        },
        Case(name: "a completion under an over-long job id", token: .agent) { _ in
            .complete(jobID: String(repeating: "j", count: 200), Self.completion)
        },
    ]

    static var completion: CompletionRequest {
        let result = JobResult(
            taskID: "t0", model: "m1", verdict: .passed,
            steps: [
                StepResult(name: .test, status: .ok, exitCode: 0, cpuTimeS: 0.1, wallTimeS: 0.2, peakMemoryBytes: 1000)
            ],
            tests: [TestResult(name: "a", status: .passed)], testsPassed: 1, testsTotal: 1)
        return CompletionRequest(leaseID: "lease_1", result: result)
    }

    @Test(arguments: cases)
    func answersAsTheSameCallSentAsJSON(_ testCase: Case) async throws {
        let fixture = try await StoreFixture.make()
        var logger = Logger(label: "test.agent-call")
        logger.logLevel = .critical
        let api = InProcessAPI(server: ControlPlaneServer(store: fixture.store, logger: logger), logger: logger)
        let registration = try await fixture.store.createToken(role: .agent, tenant: "acme", name: "reg").secret
        let registered = try await api.answer(
            .register(
                AgentRegistration(name: "node-1", slots: 2, cgroupVersion: .v1, toolchains: [.python], version: "t")),
            token: registration
        ).registrationReply
        let agent = try #require(registered)
        let tokens: [Token: String] = [
            .submitter: try await fixture.store.createToken(role: .submitter, tenant: "acme", name: "sub").secret,
            .registration: registration, .agent: agent.token, .bogus: "cru_not_a_token",
        ]
        let call = testCase.call(agent.agentID)
        let token = tokens[testCase.token]

        let asValue: Result<AgentCallReply, AgentCallRefusal>
        do {
            asValue = .success(try await api.answer(call, token: token))
        } catch {
            asValue = .failure(error)
        }
        let path = call.id.map { call.endpoint.path(id: $0) } ?? call.endpoint.path
        let asJSON = try await api.respond(
            method: "POST", target: path,
            headers: [(name: "Content-Type", value: MediaType.json)]
                + (token.map { [(name: "Authorization", value: "Bearer \($0)")] } ?? []),
            body: ByteBuffer(bytes: try CrucibleJSON.encode(call.body)))
        await fixture.close()

        let body = Data(asJSON.body.readableBytesView)
        switch asValue {
        case .failure(let refusal):
            #expect(refusal.status == asJSON.status)
            #expect(refusal.envelope == (try CrucibleJSON.decode(ErrorEnvelope.self, from: body)))
            #expect(refusal.retryAfterS.map(String.init) == asJSON.headers.first { $0.name == "Retry-After" }?.value)
        case .success(let reply):
            #expect((200..<300).contains(asJSON.status), "\(String(decoding: body, as: UTF8.self))")
            switch reply {
            case .leased(let lease): #expect(lease == (try CrucibleJSON.decode(LeaseReply.self, from: body)))
            case .heartbeat(let beat): #expect(beat == (try CrucibleJSON.decode(HeartbeatReply.self, from: body)))
            default: Issue.record("\(testCase.name) answered \(reply)")
            }
        }
    }

    @Test func anAgentRegistersLeasesReportsAndCompletesAJob() async throws {
        let fixture = try await StoreFixture.make()
        let logger = Logger(label: "test.agent-call")
        let api = InProcessAPI(server: ControlPlaneServer(store: fixture.store, logger: logger), logger: logger)
        let registration = try await fixture.store.createToken(role: .agent, tenant: "acme", name: "reg").secret
        let registered = try await api.answer(
            .register(
                AgentRegistration(name: "node-1", slots: 1, cgroupVersion: .v1, toolchains: [.python], version: "t")),
            token: registration)
        let agent = try #require(registered.registrationReply)
        let run = try await fixture.store.createRun(Samples.run(tasks: 1), tenant: "acme")

        let leased = try await api.answer(
            .lease(LeaseRequest(agentID: agent.agentID, maxJobs: 1, waitS: 0)), token: agent.token)
        let job = try #require(leased.leaseReply?.jobs.first)
        let events = JobEventBatch(
            leaseID: job.leaseID,
            events: [JobEvent(seq: 1, at: Date(), payload: .test(TestResult(name: "test_add", status: .passed)))])
        let accepted = try await api.answer(.postEvents(jobID: job.jobID, events), token: agent.token)
        #expect(accepted.eventsReply?.accepted == 1)

        var completion = CompletionRequest(leaseID: job.leaseID, result: Samples.result(for: job))
        let completed = try await api.answer(.complete(jobID: job.jobID, completion), token: agent.token)
        #expect(completed.completionReply?.state == .completed)
        #expect(try await fixture.store.runStatus(id: run.id, tenant: "acme").state == .completed)

        // The same completion again is answered as before; under another lease it is stale, with the 409.
        let again = try await api.answer(.complete(jobID: job.jobID, completion), token: agent.token)
        #expect(again.completionReply?.state == .completed)
        completion.leaseID = "lease_other"
        await #expect {
            try await api.answer(.complete(jobID: job.jobID, completion), token: agent.token)
        } throws: { error in
            let refusal = error as? AgentCallRefusal
            return refusal?.status == 409 && refusal?.envelope.error.code == .staleLease
        }
        await fixture.close()
    }
}
