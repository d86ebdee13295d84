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
        static let configuration = CommandConfiguration(abstract: "List the datasets that can be prepared.")
        func run() {
            for p in DatasetCatalog.all { print("\(p.name.padding(toLength: max(22, p.name.count + 1), withPad: " ", startingAt: 0)) \(p.summary)") }
        }
    }
}
