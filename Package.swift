// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "early-intervention-warehouse",
    // Linux-only in practice: libpq and expat come from the system (pkg-config), and the
    // embedded server's binaries from Debian's PostgreSQL packages. macOS 15 is what
    // `Synchronization.Mutex` would need, should anyone try.
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "etl", targets: ["ETLCommand"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.0.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
    ],
    targets: [
        // libpq, the PostgreSQL client library (apt: libpq-dev).
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        // expat, the streaming XML parser (apt: libexpat1-dev).
        .systemLibrary(name: "CExpat", pkgConfig: "expat", providers: [.apt(["libexpat1-dev"])]),
        // libcrypto, OpenSSL's (apt: libssl-dev, which libpq-dev brings): SHA-256 contexts that copy without allocating.
        .systemLibrary(name: "CLibCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        // The CSV parser's search for special bytes, sixteen at a time (SSE2; nothing to link).
        .systemLibrary(name: "CSpecialBytes"),
        // C Swift's Glibc module lacks: `mallopt`, renameat2's exchange, a prefetch (nothing to link).
        .systemLibrary(name: "CGlibcExtras"),
        // xxHash 0.8.1, its header kept in the repo: XXH3-128, the stage files' checksums.
        .target(name: "CXXHash"),

        // A small PostgreSQL client over libpq, the embedded server and migrations.
        .target(name: "Postgres", dependencies: [
            "CLibPQ",
            .product(name: "Logging", package: "swift-log"),
        ]),
        // What every stage shares: days, the pipeline file, run folders, stage files.
        .target(name: "Pipeline", dependencies: [
            "CGlibcExtras", "CXXHash",
            .product(name: "Yams", package: "Yams"),
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        .target(name: "Extract", dependencies: [
            "Pipeline", "CExpat", "CLibCrypto", "CGlibcExtras", "CSpecialBytes",
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        .target(name: "Transform", dependencies: ["Pipeline"]),
        .target(name: "Load", dependencies: ["Pipeline", "Postgres", "Evaluation"]),
        .target(name: "SyntheticDrop", dependencies: ["Pipeline"]),
        // The staggered difference-in-differences over an institution × period panel.
        .target(name: "Evaluation"),
        // The committee's report: one self-contained HTML page from the metrics views, its SVG charts.
        .target(name: "Report", dependencies: ["Pipeline", "Postgres", "CGlibcExtras"]),
        // The nightly run, stage reruns, the run ledger and locks.
        .target(name: "Operations", dependencies: [
            "Pipeline", "Postgres", "Extract", "Transform", "Load", "SyntheticDrop", "Report", "CGlibcExtras",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // The national federation over every municipality's feed (postgres_fdw), and the feed.
        .target(name: "National", dependencies: [
            "Operations", "Pipeline", "Extract", "Postgres", "Evaluation",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .executableTarget(name: "ETLCommand", dependencies: [
            "Operations", "Pipeline", "Extract", "Load", "Postgres", "SyntheticDrop", "Report", "National", "CGlibcExtras",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], path: "Sources/ETLCommand"),

        // One throwaway embedded PostgreSQL per test process, a database per test.
        .target(name: "TestSupport", dependencies: ["Postgres", "Pipeline", .product(name: "Logging", package: "swift-log")], path: "Tests/TestSupport"),
        .testTarget(name: "PostgresTests", dependencies: ["Postgres", "TestSupport"]),
        .testTarget(name: "PipelineTests", dependencies: ["Pipeline"]),
        .testTarget(name: "ExtractTests", dependencies: ["Extract", "TestSupport"]),
        .testTarget(name: "TransformTests", dependencies: ["Transform", "TestSupport"]),
        .testTarget(name: "LoadTests", dependencies: ["Load", "Postgres", "Evaluation", "TestSupport"]),
        .testTarget(name: "SyntheticDropTests", dependencies: ["SyntheticDrop", "Pipeline"]),
        .testTarget(name: "EvaluationTests", dependencies: ["Evaluation", "TestSupport"], exclude: ["Reference"]),
        .testTarget(name: "OperationsTests", dependencies: ["Operations", "TestSupport", "CGlibcExtras"]),
        .testTarget(name: "ReportTests", dependencies: ["Report", "Operations", "SyntheticDrop", "Pipeline", "Evaluation", "TestSupport"]),
        .testTarget(name: "EndToEndTests", dependencies: ["Operations", "Report", "SyntheticDrop", "Evaluation", "TestSupport"]),
        .testTarget(name: "NationalTests", dependencies: ["National", "Operations", "Pipeline", "Postgres", "Evaluation",
                                                          "SyntheticDrop", "TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
