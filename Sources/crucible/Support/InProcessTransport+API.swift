import Agent
import ControlPlane
import NIOHTTP1

extension InProcessTransport {
    /// The agent's requests answered by `api`, in this process; its agent-protocol calls as values.
    init(api: InProcessAPI) {
        self.init(
            { request in
                let reply = try await api.respond(
                    method: request.method.rawValue, target: request.target,
                    headers: request.headers.map { (name: $0.name, value: $0.value) }, body: request.body)
                return ControlPlaneReply(status: reply.status, headers: HTTPHeaders(reply.headers), body: reply.body)
            },
            calls: { call, token in try await api.answer(call, token: token) })
    }
}
