// swift-tools-version:6.0
import Foundation
import PackageDescription

// One libFuzzer executable per file format a user can hand the workbench. Build and run with
// `tools/fuzz/run.sh` (it passes `--sanitize=fuzzer`, which instruments the parsers too).
//
// The workbench package is two folders up; a path dependency's identity is that folder's name,
// which depends on where the repository was cloned, so it is read from the path.
let workbenchRoot = URL(fileURLWithPath: Context.packageDirectory).deletingLastPathComponent().deletingLastPathComponent()
let workbench = workbenchRoot.lastPathComponent.lowercased()

let parsers: [Target.Dependency] = [.product(name: "WorkbenchParsers", package: workbench)]

/// The fuzz targets: (executable name, source folder).
let targets: [(name: String, folder: String)] = [
    ("fuzz-png", "FuzzPNG"),
    ("fuzz-toml-config", "FuzzTOMLConfig"),
    ("fuzz-tokenizer-json", "FuzzTokenizerJSON"),
    ("fuzz-safetensors", "FuzzSafetensors"),
    ("fuzz-metrics-jsonl", "FuzzMetricsJSONL"),
    ("fuzz-summary-json", "FuzzSummaryJSON"),
    ("fuzz-deepmind-math", "FuzzDeepMindMath"),
    ("fuzz-shard-manifest", "FuzzShardManifest"),
]

let package = Package(
    name: "workbench-fuzz",
    platforms: [.macOS(.v13)],
    products: targets.map { .executable(name: $0.name, targets: [$0.folder]) },
    dependencies: [.package(path: "../..")],
    targets: [
        .target(name: "FuzzSupport", dependencies: parsers),
    ] + targets.map {
        .executableTarget(name: $0.folder, dependencies: parsers + ["FuzzSupport"])
    },
    swiftLanguageModes: [.v5]
)
