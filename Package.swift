// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "particlectl",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "particlectl", targets: ["particlectl"]),
        .executable(name: "particlectl-net", targets: ["particlectl-net"]),
        .executable(name: "particlectl-sim", targets: ["particlectl-sim"]),
        .library(name: "ParticleHardware", targets: ["ParticleHardware"]),
        .library(name: "ParticleSerial", targets: ["ParticleSerial"]),
        .library(name: "ParticleUSB", targets: ["ParticleUSB"]),
        .library(name: "ParticleSoftAP", targets: ["ParticleSoftAP"]),
        .library(name: "ParticleCloud", targets: ["ParticleCloud"]),
        .library(name: "ParticleFirmware", targets: ["ParticleFirmware"]),
        .library(name: "ParticleProvisioning", targets: ["ParticleProvisioning"]),
        .library(name: "ParticleSimulators", targets: ["ParticleSimulators"]),
        .library(name: "ParticleLedger", targets: ["ParticleLedger"]),
        .library(name: "ParticleStation", targets: ["ParticleStation"]),
        .library(name: "ParticleDashboard", targets: ["ParticleDashboard"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-system", from: "1.4.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
    ],
    targets: [
        // Hardware: libudev binding and USB identity.
        .systemLibrary(name: "CUdev", pkgConfig: "libudev", providers: [.apt(["libudev-dev"])]),
        .target(name: "ParticleCore"),
        .target(name: "ParticleHardware", dependencies: ["CUdev", "ParticleCore"]),

        // Transports and protocols.
        .systemLibrary(name: "CUSB", pkgConfig: "libusb-1.0", providers: [.apt(["libusb-1.0-0-dev"])]),
        // Control-request payloads are protobuf messages: Sources/ParticleUSB/Proto holds the code generated from
        // proto/particle (`make proto`; committed, not generated at build time).
        .target(name: "ParticleUSB", dependencies: [
            "CUSB", "ParticleCore", "ParticleHardware", .product(name: "SwiftProtobuf", package: "swift-protobuf"),
        ]),
        .target(name: "CSerial"),
        .target(name: "ParticleSerial", dependencies: [
            "CSerial", "ParticleCore", "ParticleHardware",
            .product(name: "SystemPackage", package: "swift-system"),
        ]),
        .target(name: "ParticleSoftAP", dependencies: [
            "ParticleCore",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "_CryptoExtras", package: "swift-crypto"),
        ]),
        .target(name: "ParticleCloud", dependencies: [
            "ParticleCore",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
        ]),
        .target(name: "ParticleFirmware"),
        .target(name: "ParticleProvisioning", dependencies: [
            "ParticleCore", "ParticleFirmware", "ParticleHardware", "ParticleSerial", "ParticleSoftAP", "ParticleCloud",
            "ParticleUSB",
        ]),

        // The factory station: a crash-safe ledger (SQLite through GRDB) and the station that provisions every device
        // on a hub concurrently, driven by a YAML profile.
        .target(name: "ParticleLedger", dependencies: [
            "ParticleCore", .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "PostgresNIO", package: "postgres-nio"),
        ]),
        .target(name: "ParticleStation", dependencies: [
            "ParticleCore", "ParticleHardware", "ParticleSerial", "ParticleCloud", "ParticleFirmware",
            "ParticleProvisioning", "ParticleLedger", .product(name: "Yams", package: "Yams"),
            .product(name: "Crypto", package: "swift-crypto"),
        ]),

        // The station's live dashboard: one page, its board over server-sent events (Hummingbird).
        .target(name: "ParticleDashboard", dependencies: [
            "ParticleCore", "ParticleStation", .product(name: "Hummingbird", package: "hummingbird"),
        ]),

        // Simulators: the device on a pty, the SoftAP server, the fake cloud. Kept out of the CLI's start-up path.
        .target(name: "ParticleSimulators", dependencies: [
            "CSerial", "ParticleCore", "ParticleSerial", "ParticleSoftAP",
            .product(name: "SystemPackage", package: "swift-system"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "_CryptoExtras", package: "swift-crypto"),
            .product(name: "Hummingbird", package: "hummingbird"),
        ]),

        // Executables. `particlectl` stays small (discovery and serial) so that it starts fast; the commands that
        // need the network stack live in `particlectl-net`, the simulators in `particlectl-sim`, and `particlectl`
        // hands their command lines over. The command definitions are libraries so that one executable can hold the
        // whole tree for help, shell completions and the man page (`particlectl-sim`, which links everything anyway).
        .target(name: "ParticleCLISupport", dependencies: [
            "ParticleCore", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .target(name: "ParticleSerialCommands", dependencies: [
            "ParticleCore", "ParticleHardware", "ParticleSerial", "ParticleCLISupport",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], path: "Sources/particlectl/Serial"),
        .executableTarget(name: "particlectl", dependencies: [
            "ParticleCore", "ParticleSerialCommands", "ParticleCLISupport",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], exclude: ["Serial"]),
        .target(name: "ParticleNetCommands", dependencies: [
            "ParticleCore", "ParticleHardware", "ParticleSerial", "ParticleSoftAP", "ParticleCloud",
            "ParticleProvisioning", "ParticleFirmware", "ParticleCLISupport", "ParticleLedger", "ParticleStation",
            "ParticleDashboard", "ParticleUSB", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], path: "Sources/particlectl-net", exclude: ["Main"]),
        .executableTarget(name: "particlectl-net", dependencies: [
            "ParticleCore", "ParticleNetCommands", "ParticleCLISupport",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], path: "Sources/particlectl-net/Main"),
        .executableTarget(name: "particlectl-sim", dependencies: [
            "ParticleCore", "ParticleSimulators", "ParticleCLISupport", "ParticleSerialCommands", "ParticleNetCommands",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // Tests.
        .testTarget(name: "ParticleFirmwareTests", dependencies: ["ParticleFirmware"]),
        .testTarget(name: "ParticleCloudTests", dependencies: ["ParticleCloud", "ParticleSimulators", "ParticleCore"]),
        .testTarget(name: "ParticleHardwareTests", dependencies: ["ParticleHardware", "ParticleCore"]),
        .testTarget(name: "ParticleUSBTests", dependencies: ["ParticleUSB", "ParticleCore"]),
        .testTarget(name: "ParticleSerialTests", dependencies: ["ParticleSerial", "ParticleSimulators", "ParticleCore"]),
        .testTarget(name: "ParticleSoftAPTests", dependencies: ["ParticleSoftAP", "ParticleSimulators", "ParticleCore"]),
        .testTarget(name: "ParticleProvisioningTests", dependencies: [
            "ParticleProvisioning", "ParticleSimulators", "ParticleCloud", "ParticleSerial", "ParticleFirmware",
            "ParticleCore",
        ]),
        .testTarget(name: "ParticleDashboardTests", dependencies: [
            "ParticleDashboard", "ParticleStation", "ParticleCore",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
        ]),
        // A real PostgreSQL server for the tests that need one (started on a free loopback port, stopped at exit).
        .target(name: "PostgresTestServer", path: "Tests/Support/PostgresTestServer"),
        .testTarget(name: "ParticleLedgerTests", dependencies: ["ParticleLedger", "ParticleCore", "PostgresTestServer"]),
        .testTarget(name: "ParticleStationTests", dependencies: [
            "ParticleStation", "ParticleLedger", "ParticleProvisioning", "ParticleSimulators", "ParticleCloud",
            "ParticleSerial", "ParticleCore", .product(name: "GRDB", package: "GRDB.swift"),
        ]),
        .testTarget(name: "CLITests", dependencies: [
            "particlectl", "particlectl-net", "particlectl-sim", "ParticleCore", "ParticleHardware", "PostgresTestServer",
        ]),
    ],
    swiftLanguageModes: [.v6]
)
