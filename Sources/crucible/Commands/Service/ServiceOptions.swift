import ArgumentParser
import ControlPlane
import Foundation

/// Where a control plane keeps its state: `--data DIR` (SQLite, the default) or `--database postgres://…`.
struct StoreOptions: ParsableArguments {
    @Option(help: "Data directory for the embedded SQLite store and the admin token.")
    var data: String?
    @Option(help: "PostgreSQL URL (postgres://USER:PASSWORD@HOST:PORT/DB) for clusters, instead of --data.")
    var database: String?

    static let defaultDataDirectory = "./crucible-data"

    func validate() throws {
        if data != nil && database != nil {
            throw ValidationError("give --data DIR or --database URL, not both")
        }
        if let database, !(database.hasPrefix("postgres://") || database.hasPrefix("postgresql://")) {
            throw ValidationError(
                "--database must be a postgres:// URL, e.g. postgres://crucible:secret@127.0.0.1:5432/crucible")
        }
    }

    var location: StoreLocation {
        if let database {
            return .postgres(database)
        }
        return .directory(data ?? Self.defaultDataDirectory)
    }

    /// The directory an admin token file lives in (none with PostgreSQL unless --data is also meant).
    var dataDirectory: String? {
        database == nil ? (data ?? Self.defaultDataDirectory) : nil
    }
}

/// `--listen HOST:PORT`, checked.
struct ListenAddress: ExpressibleByArgument, CustomStringConvertible {
    var host: String
    var port: Int

    init?(argument: String) {
        guard let colon = argument.lastIndex(of: ":"), let port = Int(argument[argument.index(after: colon)...]),
            (0...65535).contains(port)
        else {
            return nil
        }
        var host = String(argument[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") {
            host = String(host.dropFirst().dropLast())
        }
        guard !host.isEmpty else {
            return nil
        }
        self.host = host
        self.port = port
    }

    init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    var description: String { "\(host):\(port)" }

    static let defaultValueDescription = "127.0.0.1:7700"
}
