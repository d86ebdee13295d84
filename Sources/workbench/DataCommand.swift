import ArgumentParser
import Datasets
import Foundation

/// `workbench data`: builds and inspects token-shard folders.
struct DataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "Prepare datasets offline into token shards, list them, or import your own files.",
        subcommands: [Prepare.self, List.self, ImportCommand.self])

    struct Prepare: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Build the token shards of one dataset.")
        @Argument(help: "Dataset name (see `workbench data list`).") var name: String
        @Option(help: "Folder that receives <name>/ with manifest.json and shards.") var dataDir = "data"
        @Option(help: "Folder for downloaded packages and unpacked raw files.") var cacheDir = "data/.cache"
        @Option(help: "Seed for generated data and splits.") var seed: UInt64 = 1234

        func run() throws {
            guard let p = DatasetCatalog.recipe(named: name) else {
                let known = DatasetCatalog.all.map(\.name).joined(separator: ", ")
                throw ValidationError("unknown dataset '\(name)'; known: \(known.isEmpty ? "none" : known)")
            }
            let opts = PrepareOptions(dataDir: URL(fileURLWithPath: dataDir),
                                      cacheDir: URL(fileURLWithPath: cacheDir), seed: seed)
            let m = try p.prepareAgain(opts)
            for (split, info) in m.splits.sorted(by: { $0.key < $1.key }) {
                print("\(m.name) \(split): \(info.tokens) tokens, \(info.sequences) sequences")
            }
            print("wrote \(opts.outputDir(for: m.name).path)/manifest.json")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the datasets that can be prepared, and which of them are.")
        @Option(help: "Folder of prepared datasets.") var dataDir = "data"
        func run() {
            let dir = URL(fileURLWithPath: dataDir)
            let width = max(22, (DatasetCatalog.all.map(\.name.count).max() ?? 0) + 1)
            var prepared = 0
            for p in DatasetCatalog.all {
                let ready = DatasetLocation.isPrepared(p.name, dataDir: dir)
                if ready { prepared += 1 }
                print("\(p.name.padding(toLength: width, withPad: " ", startingAt: 0)) \((ready ? "prepared" : "-").padding(toLength: 9, withPad: " ", startingAt: 0)) \(p.summary)")
            }
            // Imported datasets (and others) in the folder that no recipe makes.
            let known = Set(DatasetCatalog.all.map(\.name))
            let others = ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).sorted()
                .filter { !known.contains($0) && !$0.hasPrefix(".") && DatasetLocation.isPrepared($0, dataDir: dir) }
            for o in others { print("\(o.padding(toLength: width, withPad: " ", startingAt: 0)) \("prepared".padding(toLength: 9, withPad: " ", startingAt: 0)) (imported or made elsewhere; no recipe)") }
            print("\(prepared + others.count) prepared in \(dir.path)/; prepare one with `workbench data prepare NAME --data-dir \(dataDir)`")
        }
    }
}
