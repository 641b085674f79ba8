import Foundation
import PostgresNIO

/// A `postgres://USER:PASSWORD@HOST:PORT/DATABASE?sslmode=…` URL taken apart.
///
/// The URL is parsed by hand rather than with `URLComponents` so that each mistake gets a message that names it
/// (a bad port, a missing database, an unknown parameter) instead of one "not a valid URL". The password never
/// appears in a message or a log line: see `redacted`.
public struct PostgresURL: Sendable, Equatable {
    /// libpq's `sslmode` values. Like libpq, `allow`, `prefer` and `require` encrypt without checking the server's
    /// certificate; `verify-ca` checks it against the system's trust store, `verify-full` the host name as well.
    public enum SSLMode: String, Sendable, CaseIterable {
        case disable
        case allow
        case prefer
        case require
        case verifyCA = "verify-ca"
        case verifyFull = "verify-full"
    }

    public static let example = "postgres://USER:PASSWORD@HOST:PORT/DATABASE"
    public static let defaultPort = 5432
    static let parameters = ["sslmode", "connect_timeout", "application_name"]

    public var user: String
    public var password: String?
    public var host: String
    public var port: Int
    public var database: String
    /// libpq's default, `prefer`, when the URL does not say.
    public var sslMode: SSLMode
    public var connectTimeout: Duration
    public var applicationName: String?

    public init(_ string: String) throws(ControlPlaneError) {
        let text = string.trimmingCharacters(in: .whitespacesAndNewlines)
        let shown = Self.redact(text)
        func wrong(_ what: String) -> ControlPlaneError {
            .configuration("the database URL \(shown) \(what); expected \(Self.example)")
        }
        guard !text.isEmpty else {
            throw .configuration("the database URL is empty; expected \(Self.example)")
        }
        guard let schemeEnd = text.range(of: "://") else {
            throw wrong("has no scheme")
        }
        let scheme = text[..<schemeEnd.lowerBound].lowercased()
        guard scheme == "postgres" || scheme == "postgresql" else {
            throw wrong("uses the scheme \"\(scheme)\"; only postgres:// (or postgresql://) is supported")
        }
        var rest = text[schemeEnd.upperBound...]
        if rest.contains("#") {
            throw wrong("has a fragment (#…), which means nothing here; percent-encode a # in the password as %23")
        }
        var query: Substring = ""
        if let mark = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: mark)...]
            rest = rest[..<mark]
        }
        let slash = rest.firstIndex(of: "/") ?? rest.endIndex
        let authority = rest[..<slash]
        let path = rest[slash...]

        // The user information ends at the last @, so that an unencoded @ in a password still works.
        guard let at = authority.lastIndex(of: "@") else {
            throw wrong("names no user (USER@ before the host)")
        }
        let userInfo = authority[..<at]
        let hostPort = authority[authority.index(after: at)...]
        let userPart: Substring
        var passwordPart: Substring?
        if let colon = userInfo.firstIndex(of: ":") {
            userPart = userInfo[..<colon]
            passwordPart = userInfo[userInfo.index(after: colon)...]
        } else {
            userPart = userInfo
        }
        guard let user = userPart.removingPercentEncoding, !user.isEmpty else {
            throw wrong(userPart.isEmpty ? "names no user (USER@ before the host)" : "has a bad %-escape in the user")
        }
        self.user = user
        if let passwordPart {
            guard let password = passwordPart.removingPercentEncoding else {
                throw wrong("has a bad %-escape in the password")
            }
            self.password = password
        }

        let hostText: Substring
        var portText: Substring?
        if hostPort.hasPrefix("[") {
            // An IPv6 address: [::1] or [::1]:5432.
            guard let close = hostPort.firstIndex(of: "]") else {
                throw wrong("has an IPv6 host without its closing ]")
            }
            hostText = hostPort[hostPort.index(after: hostPort.startIndex)..<close]
            let after = hostPort[hostPort.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else {
                    throw wrong("has \"\(after)\" after the IPv6 host; expected :PORT")
                }
                portText = after.dropFirst()
            }
        } else {
            if hostPort.contains(",") {
                throw wrong("names several hosts; give exactly one")
            }
            let parts = hostPort.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            hostText = parts[0]
            portText = parts.count > 1 ? parts[1] : nil
        }
        guard let host = hostText.removingPercentEncoding, !host.isEmpty else {
            throw wrong(hostText.isEmpty ? "names no host (after the @)" : "has a bad %-escape in the host")
        }
        self.host = host
        if let portText {
            guard portText.allSatisfy({ $0.isASCII && $0.isNumber }), let port = Int(portText),
                (1...65_535).contains(port)
            else {
                throw wrong("has the port \"\(portText)\"; a port is a number from 1 to 65535")
            }
            self.port = port
        } else {
            port = Self.defaultPort
        }

        let databaseText = path.drop(while: { $0 == "/" })
        guard !databaseText.isEmpty else {
            throw wrong("names no database (/DATABASE after the host)")
        }
        guard let database = databaseText.removingPercentEncoding, !database.contains("/") else {
            throw wrong("has \"\(databaseText)\" as its database; a database name is one path segment")
        }
        self.database = database

        sslMode = .prefer
        connectTimeout = .seconds(10)
        for item in query.split(separator: "&") {
            let pair = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let key = pair[0].removingPercentEncoding,
                let value = (pair.count > 1 ? pair[1] : "").removingPercentEncoding
            else {
                throw wrong("has a bad %-escape in the parameter \"\(item)\"")
            }
            switch key {
            case "sslmode":
                guard let mode = SSLMode(rawValue: value) else {
                    let modes = SSLMode.allCases.map(\.rawValue).joined(separator: ", ")
                    throw wrong("has sslmode=\(value); sslmode is one of \(modes)")
                }
                sslMode = mode
            case "connect_timeout":
                guard let seconds = Int(value), seconds > 0 else {
                    throw wrong("has connect_timeout=\(value); it is a whole number of seconds, at least 1")
                }
                connectTimeout = .seconds(seconds)
            case "application_name":
                applicationName = value
            default:
                throw wrong(
                    "has the unknown parameter \"\(key)\"; supported: \(Self.parameters.joined(separator: ", "))")
            }
        }
    }

    /// The URL with the password replaced by `***`, for logs and messages.
    public var redacted: String {
        let hostPart = host.contains(":") ? "[\(host)]" : host
        let encode = { (text: String) in
            text.addingPercentEncoding(
                withAllowedCharacters: .urlUserAllowed.subtracting(CharacterSet(charactersIn: ":@")))
                ?? text
        }
        var text = "postgres://\(encode(user))\(password == nil ? "" : ":***")@\(hostPart):\(port)/\(encode(database))"
        var parameters: [String] = []
        if sslMode != .prefer { parameters.append("sslmode=\(sslMode.rawValue)") }
        if connectTimeout != .seconds(10) { parameters.append("connect_timeout=\(connectTimeout.components.seconds)") }
        if let applicationName { parameters.append("application_name=\(encode(applicationName))") }
        if !parameters.isEmpty { text += "?" + parameters.joined(separator: "&") }
        return text
    }

    /// Hides the password of a URL that may not parse: everything between the first : and the last @ of the part
    /// after the scheme.
    static func redact(_ text: String) -> String {
        guard let schemeEnd = text.range(of: "://") else {
            return text
        }
        let rest = text[schemeEnd.upperBound...]
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        guard let at = authority.lastIndex(of: "@"), let colon = authority[..<at].firstIndex(of: ":") else {
            return text
        }
        return String(text[..<colon]) + ":***" + String(text[at...])
    }

    // MARK: - postgres-nio configuration

    /// The pool's configuration. `maximumConnections` bounds the connections this process opens.
    func clientConfiguration(maximumConnections: Int) -> PostgresClient.Configuration {
        var configuration = PostgresClient.Configuration(
            host: host, port: port, username: user, password: password, database: database,
            tls: clientTLS)
        configuration.options.connectTimeout = connectTimeout
        configuration.options.maximumConnections = maximumConnections
        configuration.options.additionalStartupParameters = startupParameters
        return configuration
    }

    /// The configuration of one connection outside the pool (the start-up check).
    func connectionConfiguration() throws -> PostgresConnection.Configuration {
        let tls: PostgresConnection.Configuration.TLS
        switch sslMode {
        case .disable: tls = .disable
        case .allow, .prefer: tls = .prefer(try NIOSSLContext(configuration: tlsConfiguration))
        case .require, .verifyCA, .verifyFull: tls = .require(try NIOSSLContext(configuration: tlsConfiguration))
        }
        var configuration = PostgresConnection.Configuration(
            host: host, port: port, username: user, password: password, database: database, tls: tls)
        configuration.options.connectTimeout = .nanoseconds(Int64(connectTimeout.components.seconds) * 1_000_000_000)
        configuration.options.additionalStartupParameters = startupParameters
        return configuration
    }

    private var startupParameters: [(String, String)] {
        applicationName.map { [("application_name", $0)] } ?? []
    }

    private var clientTLS: PostgresClient.Configuration.TLS {
        switch sslMode {
        case .disable: .disable
        case .allow, .prefer: .prefer(tlsConfiguration)
        case .require, .verifyCA, .verifyFull: .require(tlsConfiguration)
        }
    }

    private var tlsConfiguration: TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        switch sslMode {
        case .disable, .allow, .prefer, .require: configuration.certificateVerification = .none
        case .verifyCA: configuration.certificateVerification = .noHostnameVerification
        case .verifyFull: configuration.certificateVerification = .fullVerification
        }
        return configuration
    }
}
