import Agent
import ArgumentParser
import AsyncHTTPClient
import Foundation
import Logging

/// How a client finds the control plane and its token: `--server` or CRUCIBLE_SERVER; `--token-file`,
/// CRUCIBLE_TOKEN, or ./crucible-data/admin.token (what `crucible up` writes).
struct ClientOptions: ParsableArguments {
    @Option(help: "The control plane's URL (default: CRUCIBLE_SERVER, else http://127.0.0.1:7700).")
    var server: String?
    @Option(
        name: .customLong("token-file"),
        help: "File holding a bearer token (default: CRUCIBLE_TOKEN, then ./crucible-data/admin.token).")
    var tokenFile: String?

    var serverURL: String {
        server ?? ProcessEnvironment.value("CRUCIBLE_SERVER") ?? "http://127.0.0.1:7700"
    }

    func token() throws -> String {
        if tokenFile == nil, let token = ProcessEnvironment.value("CRUCIBLE_TOKEN"), !token.isEmpty {
            return token.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let path = tokenFile ?? StoreOptions.defaultDataDirectory + "/admin.token"
        guard let text = try? String(contentsOfFile: path, encoding: .utf8),
            !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
        else {
            throw ValidationError(
                tokenFile == nil
                    ? "no token: give --token-file FILE or set CRUCIBLE_TOKEN (\(path) does not exist)"
                    : "--token-file \(path): cannot read a token from it; check the path and its permissions")
        }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Runs `body` with a client of the control plane; API errors exit 2 (our request was refused) or 125.
    func withClient<T: Sendable>(
        logger: Logger, _ body: (ControlPlaneClient) async throws -> T
    ) async throws -> T {
        let token = try token()
        let url = serverURL
        do {
            return try await ControlPlaneClient.withHTTPClient(idleTimeout: .seconds(300)) { http in
                try await body(try ControlPlaneClient(baseURL: url, token: token, httpClient: http, logger: logger))
            }
        } catch let error as AgentError {
            printError("crucible: \(error)")
            let refused = error.kind == .invalidInput || ((error.status ?? 500) >= 400 && (error.status ?? 500) < 500)
            throw ExitCode(refused ? 2 : 125)
        }
    }
}

/// Whether standard output is a terminal: progress is drawn there and left out of pipes and files.
enum Terminal {
    static var isInteractive: Bool { isatty(STDOUT_FILENO) == 1 }
}
