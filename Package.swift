// swift-tools-version:6.0
import PackageDescription

// Crucible: one package, one command. Dependencies point one way:
// crucible -> ControlPlane, Agent -> Toolchains, Scoring, CrucibleAPI -> Sandbox -> CSandbox.
// crucible-spawner is the small static program sandboxes are cloned from; it is installed beside crucible.
let package = Package(
    name: "crucible",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "crucible", targets: ["crucible"]),
        .executable(name: "crucible-spawner", targets: ["crucible-spawner"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CLibseccomp",
            pkgConfig: "libseccomp",
            providers: [.apt(["libseccomp-dev"])]
        ),
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        .target(
            name: "CSandbox",
            cSettings: [.define("_GNU_SOURCE")]
        ),
        .target(
            name: "Sandbox",
            dependencies: [
                "CSandbox",
                "CLibseccomp",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Yams", package: "Yams"),
            ],
            resources: [.embedInCode("Resources/sandbox-policy.yaml")]
        ),
        .target(name: "Scoring"),
        .target(name: "CrucibleAPI"),
        .target(
            name: "Toolchains",
            dependencies: [
                "Sandbox",
                "CSandbox",
                "CrucibleAPI",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .target(
            name: "ControlPlane",
            dependencies: [
                "CrucibleAPI",
                "Scoring",
                "CSQLite",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "Agent",
            dependencies: [
                "Toolchains",
                "Sandbox",
                "CrucibleAPI",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "crucible",
            dependencies: [
                "ControlPlane",
                "Agent",
                "Sandbox",
                "Toolchains",
                "CrucibleAPI",
                "Scoring",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Static: no libraries to map and no relocations to write at start, so the process every sandbox's init
        // copies is a few pages (docs/sandbox.md, step 3).
        .executableTarget(
            name: "crucible-spawner",
            dependencies: ["CSandbox"],
            linkerSettings: [.unsafeFlags(["-static-executable"])]
        ),
        .testTarget(name: "SandboxTests", dependencies: ["Sandbox"]),
        .testTarget(name: "SecurityTests", dependencies: ["Sandbox"]),
        // Agent only for LoopbackPort: the CLI is tested from outside, through the executable.
        .testTarget(name: "CLITests", dependencies: ["Agent"]),
        .testTarget(name: "ScoringTests", dependencies: ["Scoring"]),
        .testTarget(name: "ToolchainsTests", dependencies: ["Toolchains"], exclude: ["Fixtures"]),
        .testTarget(name: "CrucibleAPITests", dependencies: ["CrucibleAPI"]),
        .testTarget(
            name: "ControlPlaneTests",
            dependencies: [
                "ControlPlane",
                "CrucibleAPI",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]
        ),
        .testTarget(name: "AgentTests", dependencies: ["Agent", "ControlPlane"]),
    ]
)
