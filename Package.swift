// swift-tools-version:6.1
import PackageDescription

let package = Package(
  name: "ppmp-connector",
  platforms: [.macOS(.v13)],
  products: [
    .executable(name: "ppmp-connector", targets: ["ppmp-connector"]),
    .executable(name: "ppmp-fixtures", targets: ["ppmp-fixtures"]),
    .library(name: "ConnectorCore", targets: ["ConnectorCore"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
  ],
  targets: [
    // C libraries, each seen by exactly one Swift wrapper module.
    .systemLibrary(
      name: "CConnectorLibXML2",
      pkgConfig: "libxml-2.0",
      providers: [.apt(["libxml2-dev"])]
    ),
    .systemLibrary(
      name: "CConnectorLibArchive",
      pkgConfig: "libarchive",
      providers: [.apt(["libarchive-dev"])]
    ),
    // glibc's heap controls (malloc.h), which the Glibc module leaves out.
    .systemLibrary(name: "CConnectorMalloc"),
    // SQLite's process-wide settings (sqlite3_config is variadic, so Swift cannot call it).
    .target(name: "CConnectorSQLite", linkerSettings: [.linkedLibrary("sqlite3")]),
    // libc I/O with EINTR retries and errno text, for every module that calls libc.
    .target(name: "ConnectorPOSIX", dependencies: ["CConnectorMalloc"]),
    .target(name: "ConnectorXML", dependencies: ["CConnectorLibXML2", "ConnectorPOSIX"]),
    .target(name: "ConnectorArchive", dependencies: ["CConnectorLibArchive", "ConnectorPOSIX"]),
    .target(
      name: "ConnectorCore",
      dependencies: [
        "ConnectorPOSIX",
        "ConnectorXML",
        "ConnectorArchive",
        "CConnectorSQLite",
        .product(name: "GRDB", package: "GRDB.swift"),
        .product(name: "Crypto", package: "swift-crypto"),
        .product(name: "TOMLKit", package: "TOMLKit"),
      ],
      // The XSDs and SQL in Resources/ are compiled in (Support/EmbeddedResources.swift, made by
      // scripts/embed-resources.py): no resource bundle, so one copied executable is the program.
      exclude: ["Resources"]
    ),
    .executableTarget(
      name: "ppmp-connector",
      dependencies: [
        "ConnectorCore",
        "ConnectorPOSIX",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
        .product(name: "Logging", package: "swift-log"),
      ]
    ),
    // Test data: seeded practice and drop generators for ppmp-fixtures, the tests and the
    // benchmarks. Kept out of the product library.
    .target(
      name: "ConnectorFixtures",
      dependencies: ["ConnectorCore", .product(name: "GRDB", package: "GRDB.swift")]
    ),
    .executableTarget(
      name: "ppmp-fixtures",
      dependencies: [
        "ConnectorCore",
        "ConnectorFixtures",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]
    ),
    .target(
      name: "ConnectorTestSupport",
      dependencies: ["ConnectorCore", "ConnectorFixtures"],
      path: "Sources/ConnectorTestSupport"
    ),
    .testTarget(name: "ConnectorXMLTests", dependencies: ["ConnectorXML"]),
    .testTarget(name: "ConnectorArchiveTests", dependencies: ["ConnectorArchive"]),
    .testTarget(name: "ConnectorCoreTests", dependencies: ["ConnectorCore", "ConnectorFixtures", "ConnectorTestSupport"]),
    .testTarget(
      name: "ConnectorCLITests",
      dependencies: ["ConnectorCore", "ConnectorFixtures", "ConnectorTestSupport", .product(name: "GRDB", package: "GRDB.swift")]
    ),
  ],
  swiftLanguageModes: [.v6]
)
