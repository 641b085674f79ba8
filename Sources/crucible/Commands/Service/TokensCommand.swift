import ArgumentParser
import ControlPlane
import CrucibleAPI
import Foundation
import Logging
import ServiceLifecycle

/// `crucible tokens create`: issues a bearer token, straight into the store (run it where the control plane's
/// data is). The secret is printed once; only its hash is kept.
struct TokensCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokens", abstract: "Manage API tokens.", subcommands: [Create.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Issue a token and print its secret (shown once; only a hash is stored).")

        @Option(help: "Role: submitter, operator, agent or admin.")
        var role: Role
        @Option(help: "Tenant the token acts for (runs, tasks and results are per tenant).")
        var tenant = "default"
        @Option(help: "A name to recognise the token by in logs.")
        var name: String?
        @Option(help: "Requests per second allowed (0: no limit). Default depends on the role.")
        var rate: Double?
        @OptionGroup var storeOptions: StoreOptions

        func validate() throws {
            guard tenant.range(of: #"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"#, options: .regularExpression) != nil else {
                throw ValidationError("--tenant \"\(tenant)\": use letters, digits, '.', '_' or '-' (at most 64)")
            }
            if let rate, !(rate >= 0 && rate.isFinite) {
                throw ValidationError("--rate \(rate): give 0 (no limit) or a positive number")
            }
        }

        func run() async throws {
            let logger = CLILogging.logger("crucible.tokens")
            let secret: String
            do {
                let opened = try await ControlPlaneRuntime.openStore(storeOptions.location, logger: logger)
                secret = try await ControlPlaneRuntime.withServices(opened.services, logger: logger) {
                    try await opened.store.migrate()
                    let issued = try await opened.store.createToken(
                        role: role, tenant: tenant, name: name ?? "\(role.rawValue) token", ratePerS: rate)
                    await opened.store.database.close()
                    return issued.secret
                }
            } catch let error as ControlPlaneError {
                printError("crucible: \(error)")
                throw ExitCode(error.httpStatus < 500 ? 2 : 125)
            }
            print(secret)
        }
    }
}

extension Role: ExpressibleByArgument {}
