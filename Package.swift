// swift-tools-version:6.0
import PackageDescription

/// Release-only flags for the numeric targets: no bounds checks in kernels, code generated for the
/// CPU that builds (AVX-512 where it has it, else AVX2/FMA). See BUILD-NOTES: without a target CPU,
/// SIMD multiply-adds become libm calls; `native` over `haswell` bought 8–19 % on the tiny, small and
/// image benchmarks on a Zen 5. A release build therefore runs on the kind of CPU that built it.
let fastFlags: [SwiftSetting] = [
    .unsafeFlags(["-Ounchecked", "-target-cpu", "native"], .when(configuration: .release)),
]

let package = Package(
    name: "workbench",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "workbench", targets: ["workbench"]),
        // The file readers that tools/fuzz drives (the fuzz package depends on this one by path).
        .library(name: "WorkbenchParsers", targets: ["WorkbenchCore", "RunFiles", "Tensors", "Tokenizers", "Datasets", "Training", "Analysis"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/LebJe/TOMLKit.git", from: "0.6.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
    ],
    targets: [
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CPNG", pkgConfig: "libpng", providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CProcessControl"),
        // Foundation only: atomic file writes, file errors, the seeded RNG, parallel loops, running programs.
        .target(name: "WorkbenchCore"),
        // Foundation only: one Codable type per run-file format (metrics.jsonl, summary.json, checkpoint.json,
        // config.toml as data, eval/paired/answers files, shard manifests); every writer and reader uses it.
        .target(name: "RunFiles", dependencies: ["WorkbenchCore"]),
        .target(name: "Tensors", dependencies: ["CBLAS", "WorkbenchCore"], swiftSettings: fastFlags),
        .target(name: "Transformer", dependencies: ["Tensors", "WorkbenchCore"], swiftSettings: fastFlags),
        .target(name: "Tokenizers", dependencies: ["WorkbenchCore", "CPNG"], swiftSettings: fastFlags),
        .target(name: "Datasets", dependencies: ["WorkbenchCore", "RunFiles", "Tokenizers", "CZlib"],
                resources: [.copy("Resources")], swiftSettings: fastFlags),
        .target(name: "Training", dependencies: ["WorkbenchCore", "RunFiles", "Tensors", "Transformer", "Tokenizers", "Datasets",
                                               .product(name: "TOMLKit", package: "TOMLKit")],
                swiftSettings: fastFlags),
        .target(name: "Sweeps", dependencies: ["WorkbenchCore", "RunFiles", "Tensors", "Training", "Datasets", "Transformer",
                                               .product(name: "TOMLKit", package: "TOMLKit"),
                                               .product(name: "GRDB", package: "GRDB.swift")]),
        .target(name: "Analysis", dependencies: ["WorkbenchCore", "RunFiles", "CPNG"], swiftSettings: fastFlags),
        .executableTarget(name: "workbench", dependencies: [
            "WorkbenchCore", "RunFiles", "Tensors", "Transformer", "Tokenizers", "Datasets", "Training", "Sweeps", "Analysis", "CProcessControl",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // Shared by the test targets: temporary folders, `assertClose` with one tolerance rule, samples.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "RunFilesTests", dependencies: ["RunFiles", "WorkbenchCore"]),
        .testTarget(name: "TensorsTests", dependencies: ["TestSupport", "Tensors", "WorkbenchCore"]),
        .testTarget(name: "TransformerTests", dependencies: ["TestSupport", "Transformer", "Tensors", "WorkbenchCore"]),
        .testTarget(name: "TokenizersTests", dependencies: ["Tokenizers", "WorkbenchCore"]),
        .testTarget(name: "DatasetsTests", dependencies: ["TestSupport", "Datasets", "Tokenizers", "WorkbenchCore", "RunFiles"]),
        .testTarget(name: "TrainingTests", dependencies: ["TestSupport", "Training", "Transformer", "Tokenizers", "Datasets", "Tensors", "WorkbenchCore", "RunFiles"],
                    exclude: ["Fixtures"]),
        .testTarget(name: "SweepsTests", dependencies: ["TestSupport", "Sweeps", "Training", "Datasets", "WorkbenchCore", "RunFiles",
                                                        .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(name: "AnalysisTests", dependencies: ["TestSupport", "Analysis", "WorkbenchCore", "RunFiles"]),
        // End-to-end tests of the commands: they run the `workbench` executable built beside them.
        .testTarget(name: "WorkbenchEndToEndTests", dependencies: ["TestSupport"]),
    ],
    // Numeric kernels share raw buffers across threads by design (disjoint writes); Swift 5 mode
    // keeps strict-concurrency diagnostics from fighting them. Concurrency is fenced in `Parallel`.
    swiftLanguageModes: [.v5]
)
