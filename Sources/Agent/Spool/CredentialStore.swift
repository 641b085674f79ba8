import CrucibleAPI
import Foundation
import Logging

/// The credentials registrations handed out, kept (mode 0600, in a 0700 directory) only as long as spooled
/// completions of that registration wait: a lease belongs to the agent that took it, so its result must go
/// out under that agent's name even after a restart registered a new one.
struct CredentialStore: Sendable {
    let directory: String

    private struct Credential: Codable {
        var agentID: String
        var token: String

        enum CodingKeys: String, CodingKey {
            case agentID = "agent_id"
            case token
        }
    }

    func save(agentID: String, token: String, logger: Logger) {
        do {
            try FileManager.default.createDirectory(
                atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            let data = try CrucibleJSON.encode(Credential(agentID: agentID, token: token))
            try CompletionSpool.writeAtomically(data, to: path(agentID))
        } catch {
            logger.warning(
                "cannot keep the agent's credential; results left by a crash will be sent under the next registration",
                metadata: ["error": "\(error)"])
        }
    }

    func token(agentID: String) -> String? {
        guard let data = FileManager.default.contents(atPath: path(agentID)),
            let credential = try? CrucibleJSON.decode(Credential.self, from: data), credential.agentID == agentID
        else { return nil }
        return credential.token
    }

    /// Forgets every credential but those of `agentIDs`.
    func prune(keeping agentIDs: Set<String>) {
        let keep = Set(agentIDs.map { CompletionSpool.safeName($0) + ".json" })
        for name in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] where !keep.contains(name) {
            unlink(directory + "/" + name)
        }
    }

    private func path(_ agentID: String) -> String {
        directory + "/" + CompletionSpool.safeName(agentID) + ".json"
    }
}
