import CrucibleAPI
import Foundation
import Hummingbird

// The agent protocol and the operator's node routes.

extension ControlPlaneAPI {
    // Each agent route is its HTTP form (decode the body, encode the reply) around a typed core, which
    // `answer(_:token:)` also calls for an agent in this process.

    func registerAgent(_ request: Request, _ context: ControlPlaneContext, _ caller: Principal?) async throws
        -> Response
    {
        let registration = try await HTTPSupport.decode(AgentRegistration.self, from: request, limit: maxSmallBody)
        return try HTTPSupport.json(
            try await register(registration, by: try Principal.required(caller)), status: .created)
    }

    func leaseJobs(_ request: Request, _ context: ControlPlaneContext, _ caller: Principal?) async throws -> Response {
        let lease = try await HTTPSupport.decode(LeaseRequest.self, from: request, limit: maxSmallBody)
        return try HTTPSupport.json(try await leaseJobs(lease, by: try Principal.required(caller)))
    }

    func heartbeat(_ request: Request, _ context: ControlPlaneContext, _ caller: Principal?) async throws -> Response {
        let beat = try await HTTPSupport.decode(HeartbeatRequest.self, from: request, limit: maxSmallBody)
        return try HTTPSupport.json(try await heartbeat(beat, by: try Principal.required(caller)))
    }

    func postJobEvents(_ request: Request, _ context: ControlPlaneContext, _ caller: Principal?) async throws
        -> Response
    {
        let batch = try await HTTPSupport.decode(JobEventBatch.self, from: request, limit: maxCompletionBody)
        return try HTTPSupport.json(
            try await postJobEvents(jobID: try HTTPSupport.id(context), batch, by: try Principal.required(caller)))
    }

    func completeJob(_ request: Request, _ context: ControlPlaneContext, _ caller: Principal?) async throws -> Response
    {
        let completion = try await HTTPSupport.decode(CompletionRequest.self, from: request, limit: maxCompletionBody)
        return try HTTPSupport.json(
            try await completeJob(jobID: try HTTPSupport.id(context), completion, by: try Principal.required(caller)))
    }

    // MARK: - The agent protocol, typed

    /// Answers an agent's call made in this process (`crucible up`'s own agent) as its HTTP route would: the same
    /// token, role and rate checks, the same validation of the body, the same reply, logs and metrics; a refusal
    /// carries the status and error envelope the route would have sent. Only the JSON both ways is skipped.
    public func answer(_ call: AgentCall, token: String?) async throws(AgentCallRefusal) -> AgentCallReply {
        let endpoint = call.endpoint
        let success = endpoint == .registerAgent ? 201 : 200
        let result = await perform(
            endpoint, authorization: token.map { "Bearer \($0)" }, status: { _ in success },
            work: { caller in
                let principal = try Principal.required(caller)
                switch call {
                case .register(let registration):
                    return AgentCallReply.registered(
                        try await register(try HTTPSupport.checked(registration), by: principal))
                case .lease(let lease):
                    return .leased(try await leaseJobs(try HTTPSupport.checked(lease), by: principal))
                case .heartbeat(let beat):
                    return .heartbeat(try await heartbeat(try HTTPSupport.checked(beat), by: principal))
                case .postEvents(let jobID, let batch):
                    return .eventsAccepted(
                        try await postJobEvents(
                            jobID: try HTTPSupport.checkedID(jobID), try HTTPSupport.checked(batch), by: principal))
                case .complete(let jobID, let completion):
                    return .completed(
                        try await completeJob(
                            jobID: try HTTPSupport.checkedID(jobID), try HTTPSupport.checked(completion), by: principal)
                    )
                }
            })
        return try result.mapError {
            AgentCallRefusal(status: $0.httpStatus, envelope: $0.envelope, retryAfterS: $0.retryAfterS)
        }.get()
    }

    /// Registers an agent with a registration token (role `agent`) and issues the agent its own credential,
    /// bound to its id, for every later call.
    func register(_ registration: AgentRegistration, by principal: Principal) async throws -> AgentRegistrationReply {
        let agentID = try await store.registerAgent(registration)
        let credential = try await store.createToken(
            role: .agent, tenant: principal.tenant, name: "agent \(registration.name)", agentID: agentID)
        logger.info(
            "agent registered",
            metadata: [
                "agent": "\(agentID)", "name": "\(registration.name)", "slots": "\(registration.slots)",
                "toolchains": "\(registration.toolchains.map(\.rawValue))",
            ])
        return AgentRegistrationReply(
            agentID: agentID, token: credential.secret, heartbeatIntervalS: store.settings.heartbeatIntervalS,
            leaseTTLS: store.settings.leaseTTLS)
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
    func leaseJobs(_ lease: LeaseRequest, by principal: Principal) async throws -> LeaseReply {
        let agent = try agentID(principal, claimed: lease.agentID)
        let deadline = ContinuousClock.now + .milliseconds(Int(lease.waitS * 1000))
        while true {
            let started = ContinuousClock.now
            let seen = await bell.rings
            let jobs = try await store.lease(agentID: agent, maxJobs: lease.maxJobs, finished: lease.finished)
            if !jobs.isEmpty {
                metrics.leased(duration: ContinuousClock.now - started)
                await bell.ring()
                return LeaseReply(jobs: jobs)
            }
            let left = deadline - ContinuousClock.now
            // A draining agent (drained by an operator, or stopping) gets its answer now: a job leased to it
            // later would wait out its lease before running anywhere.
            guard left > .zero, !Task.isCancelled, try await store.agentTakesJobs(id: agent) else {
                return LeaseReply(jobs: [])
            }
            // Wake on this replica's news at once; re-check at least every 250 ms for other replicas'.
            await bell.wait(after: seen, upTo: min(left, .milliseconds(250)))
        }
    }

    func heartbeat(_ beat: HeartbeatRequest, by principal: Principal) async throws -> HeartbeatReply {
        _ = try agentID(principal, claimed: beat.agentID)
        let reply = try await store.heartbeat(beat)
        // Wakes this agent's waiting lease request, which now answers with no job.
        if beat.draining == true { await bell.ring() }
        return reply
    }

    func postJobEvents(jobID: String, _ batch: JobEventBatch, by principal: Principal) async throws
        -> JobEventsAccepted
    {
        let accepted = try await store.recordJobEvents(
            jobID: jobID, agentID: try agentID(principal, claimed: nil), batch: batch)
        if accepted > 0 {
            await bell.ring()
        }
        return JobEventsAccepted(accepted: accepted)
    }

    func completeJob(jobID: String, _ completion: CompletionRequest, by principal: Principal) async throws
        -> CompletionReply
    {
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
        return reply
    }

    // MARK: - Nodes and health

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
