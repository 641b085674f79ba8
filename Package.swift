// swift-tools-version:6.0
import PackageDescription

// Crucible: one package, one executable. Dependencies point one way:
// crucible -> ControlPlane, Agent -> Toolchains, Scoring, CrucibleAPI -> Sandbox -> CSandbox.
let package = Package(
    name: "crucible",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "crucible", targets: ["crucible"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CLibseccomp",
            pkgConfig: "libseccomp",
            providers: [.apt(["libseccomp-dev"])]
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
        .executableTarget(
            name: "crucible",
            dependencies: [
                "Sandbox",
                "Toolchains",
                "CrucibleAPI",
                "Scoring",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "SandboxTests", dependencies: ["Sandbox"]),
        .testTarget(name: "SecurityTests", dependencies: ["Sandbox"]),
        .testTarget(name: "CLITests"),
        .testTarget(name: "ScoringTests", dependencies: ["Scoring"]),
        .testTarget(name: "ToolchainsTests", dependencies: ["Toolchains"], exclude: ["Fixtures"]),
        .testTarget(name: "CrucibleAPITests", dependencies: ["CrucibleAPI"]),
    ]
)
