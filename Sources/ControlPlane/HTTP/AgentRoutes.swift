import CrucibleAPI
import Foundation
import Hummingbird

// The agent protocol and the operator's node routes.

extension ControlPlaneAPI {
    /// Registers an agent with a registration token (role `agent`) and issues the agent its own credential,
    /// bound to its id, for every later call.
    func registerAgent(_ request: Request, _ context: ControlPlaneContext, _ caller: Principal?) async throws
        -> Response
    {
        let principal = try Principal.required(caller)
        let registration = try await HTTPSupport.decode(AgentRegistration.self, from: request, limit: maxSmallBody)
        let agentID = try await store.registerAgent(registration)
        let credential = try await store.createToken(
            role: .agent, tenant: principal.tenant, name: "agent \(registration.name)", agentID: agentID)
        logger.info(
            "agent registered",
            metadata: [
                "agent": "\(agentID)", "name": "\(registration.name)", "slots": "\(registration.slots)",
                "toolchains": "\(registration.toolchains.map(\.rawValue))",
            ])
        return try HTTPSupport.json(
            AgentRegistrationReply(
                agentID: agentID, token: credential.secret, heartbeatIntervalS: store.settings.heartbeatIntervalS,
                leaseTTLS: store.settings.leaseTTLS), status: .created)
    }

    /// The agent a call speaks for: its credential's agent, which must be the one the body names.
    private func agentID(_ principal: Principal, claimed: String?) throws -> String {
        guard let own = principal.agentID else {
            throw ControlPlaneError(
                .forbidden, "this token is a registration token; use the token POST /v1/agents/register returned")
        }
        if let claimed, claimed != own {
            throw ControlPlaneError(
                .forbidden, "the body names agent \(claimed), but the token belongs to \(own)", field: "agent_id")
        }
        return own
    }

    /// Long-polls: answers as soon as jobs can be leased, or with none after `wait_s`.
    func leaseJobs(_ request: Request, _ context: ControlPlaneContext, _ caller: Principal?) async throws -> Response {
        let principal = try Principal.required(caller)
        let lease = try await HTTPSupport.decode(LeaseRequest.self, from: request, limit: maxSmallBody)
        let agent = try agentID(principal, claimed: lease.agentID)
        let deadline = ContinuousClock.now + .milliseconds(Int(lease.waitS * 1000))
        while true {
            let started = ContinuousClock.now
            let jobs = try await store.lease(agentID: agent, maxJobs: lease.maxJobs, finished: lease.finished)
            if !jobs.isEmpty {
                metrics.leased(duration: ContinuousClock.now - started)
                await bell.ring()
                return try HTTPSupport.json(LeaseReply(jobs: jobs))
            }
            let left = deadline - ContinuousClock.now
            // A draining agent (drained by an operator, or stopping) gets its answer now: a job leased to it
            // later would wait out its lease before running anywhere.
            guard left > .zero, !Task.isCancelled, try await store.agentTakesJobs(id: agent) else {
                return try HTTPSupport.json(LeaseReply(jobs: []))
            }
            // Wake on this replica's news at once; re-check at least every 250 ms for other replicas'.
            await bell.wait(upTo: min(left, .milliseconds(250)))
        }
    }

    func heartbeat(_ request: Request, _ context: ControlPlaneContext, _ caller: Principal?) async throws -> Response {
        let principal = try Principal.required(caller)
        let beat = try await HTTPSupport.decode(HeartbeatRequest.self, from: request, limit: maxSmallBody)
        _ = try agentID(principal, claimed: beat.agentID)
        let reply = try await store.heartbeat(beat)
        // Wakes this agent's waiting lease request, which now answers with no job.
        if beat.draining == true { await bell.ring() }
        return try HTTPSupport.json(reply)
    }

    func postJobEvents(_ request: Request, _ context: ControlPlaneContext, _ caller: Principal?) async throws
        -> Response
    {
        let principal = try Principal.required(caller)
        let batch = try await HTTPSupport.decode(JobEventBatch.self, from: request, limit: maxCompletionBody)
        let accepted = try await store.recordJobEvents(
            jobID: try HTTPSupport.id(context), agentID: try agentID(principal, claimed: nil), batch: batch)
        if accepted > 0 {
            await bell.ring()
        }
        return try HTTPSupport.json(JobEventsAccepted(accepted: accepted))
    }

    func completeJob(_ request: Request, _ context: ControlPlaneContext, _ caller: Principal?) async throws -> Response
    {
        let principal = try Principal.required(caller)
        let completion = try await HTTPSupport.decode(CompletionRequest.self, from: request, limit: maxCompletionBody)
        let jobID = try HTTPSupport.id(context)
        let reply = try await store.complete(
            jobID: jobID, agentID: try agentID(principal, claimed: nil), leaseID: completion.leaseID,
            result: completion.result, referenceCPUTimeS: completion.referenceCPUTimeS)
        logger.info(
            "job completed",
            metadata: [
                "job": "\(jobID)", "state": "\(reply.state.rawValue)",
                "verdict": "\(completion.result.verdict.rawValue)",
            ])
        await bell.ring()
        return try HTTPSupport.json(reply)
    }

    func listNodes(_ request: Request, _ context: ControlPlaneContext, _ caller: Principal?) async throws -> Response {
        try HTTPSupport.json(NodeList(nodes: try await store.nodes()))
    }

    func drainNode(_ request: Request, _ context: ControlPlaneContext, _ caller: Principal?) async throws -> Response {
        let node = try await store.drainAgent(id: try HTTPSupport.id(context))
        await bell.ring()  // its waiting lease request answers now, with no job
        logger.info("node draining", metadata: ["agent": "\(node.id)", "name": "\(node.name)"])
        return try HTTPSupport.json(node)
    }

    func healthz(_ request: Request, _ context: ControlPlaneContext, _ caller: Principal?) async throws -> Response {
        try HTTPSupport.json(HealthReply.ok)
    }

    /// Ready when the store answers; 503 otherwise, so a load balancer stops sending traffic here.
    func readyz(_ request: Request, _ context: ControlPlaneContext, _ caller: Principal?) async throws -> Response {
        do {
            try await store.ping()
            return try HTTPSupport.json(HealthReply(status: .ok, checks: ["store": "ok"]))
        } catch {
            return try HTTPSupport.json(
                HealthReply(status: .unavailable, checks: ["store": "\(error)"]), status: .serviceUnavailable)
        }
    }

    func metricsText(_ request: Request, _ context: ControlPlaneContext, _ caller: Principal?) async throws -> Response
    {
        try await metrics.refresh(from: store)
        return Response(
            status: .ok, headers: [.contentType: MediaType.prometheus],
            body: ResponseBody(byteBuffer: ByteBuffer(string: metrics.exposition())))
    }
}
