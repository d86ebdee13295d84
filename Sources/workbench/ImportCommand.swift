import ArgumentParser
import Datasets
import Foundation
import Tokenizers

/// `workbench data import text|images|captions`: the user's own files to a token-shard folder
/// in the built-in format, ready for `workbench train --set data.dataset=NAME`.
struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Turn your own text files, PNG folders or captioned images into a dataset.",
        discussion: """
        The dataset is written to DATA_DIR/NAME/ (manifest.json with SHA-256 checksums, train.bin, test.bin, …), \
        first into a hidden temporary folder beside it that is renamed into place when complete. Bad inputs \
        (missing or undecodable files, non-UTF-8 text, unusable CSV rows) stop the import with every one \
        named; with --skip-bad they are skipped and listed in the manifest and skipped.txt.

        Example:
          workbench data import images photos/ --name pets --labels photos/labels.csv --size 16 --data-dir data
          workbench train --config configs/image-tiny.toml --set data.dataset=pets
        """,
        subcommands: [Text.self, Images.self, Captions.self])

    /// Options every importer takes.
    struct Common: ParsableArguments {
        @Option(help: "Dataset name: the folder DATA_DIR/NAME.") var name: String
        @Option(help: "Folder of prepared datasets (the parent of NAME/), as for `data prepare`.") var dataDir = "data"
        /// The old spelling of --data-dir, kept hidden for a while.
        @Option(name: .customLong("out"), help: .hidden) var legacyOut: String?
        @Option(help: "Share held out for the test split, in (0, 1).") var testFraction = 0.1
        @Option(help: "Seed of the held-out choice.") var seed: UInt64 = 1
        @Flag(help: "Skip bad inputs (listed in the manifest) instead of stopping.") var skipBad = false
        @Flag(help: "Replace an existing dataset folder.") var force = false

        func options() -> ImportOptions {
            let progress = ImportProgress()
            return ImportOptions(name: name, outDir: URL(fileURLWithPath: legacyOut ?? dataDir), testFraction: testFraction, seed: seed,
                                 force: force, skipBad: skipBad, log: { print($0); fflush(stdout) },
                                 progress: { progress.update($0, $1) })
        }
    }

    struct Text: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "UTF-8 text files as a byte or byte-level BPE token stream.",
            discussion: """
        Several files: whole files form the test split (chosen by --seed, up to --test-fraction of the \
        bytes), so no document is on both sides. One file: its last --test-fraction (cut at a line start) is \
        the test split. The BPE is trained on the train split only and saved as tokenizer.json.
        """)
        @Argument(help: "Text files (UTF-8).") var files: [String]
        @OptionGroup var common: Common
        @Option(help: "bytes (vocabulary 256) or bpe.") var tokenizer = "bytes"
        @Option(help: "BPE vocabulary size (256 bytes + merges).") var vocabSize = 4096

        func run() throws {
            guard let tok = TextImport.Tokenizer(rawValue: tokenizer) else {
                throw ValidationError("--tokenizer must be bytes or bpe, not '\(tokenizer)'")
            }
            ImportCommand.report(try TextImport.run(files: files.map { URL(fileURLWithPath: $0) }, tokenizer: tok,
                                                        vocabSize: vocabSize, options: common.options()))
        }
    }

    struct Images: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Every PNG under a folder as RGB image tokens (like fashion-mnist), optionally labelled.",
            discussion: """
        PNGs are found recursively and sorted by path, squared up on white and area-averaged to SIZE×SIZE. \
        --labels CSV has rows (path relative to DIR, label name or id); it writes train.labels/test.labels \
        (one uint8 class id per record) and the class names in the manifest, as for fashion-mnist.
        """)
        @Argument(help: "Folder of PNG files.") var dir: String
        @OptionGroup var common: Common
        @Option(help: "CSV of (relative path, label).") var labels: String?
        @Option(help: "Image side in pixels: 8, 16 or 32.") var size = 32

        func run() throws {
            ImportCommand.report(try ImageImport.run(dir: URL(fileURLWithPath: dir), labelsCSV: labels.map { URL(fileURLWithPath: $0) },
                                                         resolution: size, options: common.options()))
        }
    }

    struct Captions: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "A CSV of (image path relative to the CSV, caption) as caption-image pairs (like captions).",
            discussion: """
        Records are [start] + caption bytes + image tokens in the order(s) asked for, with loss masks and \
        the four test-*-first[-blank] splits for mutual-information estimates. The test split is a share of \
        the distinct images, so an image with several captions is never on both sides.
        """)
        @Argument(help: "CSV file of (image path, caption).") var csv: String
        @OptionGroup var common: Common
        @Option(help: "Image side in pixels: 8, 16 or 32.") var size = 32
        @Option(help: "caption-first, image-first, or both (each record one at random).") var order = "both"
        @Option(help: "Caption length in UTF-8 bytes (longer captions are trimmed).") var captionLength = 128

        func run() throws {
            let orders: [PairTokenizer.Order]
            switch order {
            case "both": orders = [.captionFirst, .imageFirst]
            case "caption-first": orders = [.captionFirst]
            case "image-first": orders = [.imageFirst]
            default: throw ValidationError("--order must be caption-first, image-first or both, not '\(order)'")
            }
            ImportCommand.report(try CaptionImport.run(csv: URL(fileURLWithPath: csv), resolution: size,
                                                           captionLength: captionLength, orders: orders,
                                                           options: common.options()))
        }
    }

    /// The summary: records and tokens per split, skipped inputs, where it went.
    static func report(_ r: ImportResult) {
        let m = r.manifest
        for (split, info) in m.splits.sorted(by: { $0.key < $1.key }) {
            let what = m.layout == .records ? "\(info.sequences) records of \(m.recordLength ?? 0) tokens" : "one stream"
            print("\(m.name) \(split): \(info.tokens) tokens, \(what)")
        }
        print("tokenizer \(m.tokenizer), vocabulary \(m.vocabSize); skipped \(r.skipped.count) bad input\(r.skipped.count == 1 ? "" : "s")")
        print("wrote \(r.folder.path)/manifest.json")
    }
}

/// A progress line for long imports: rewritten in place on a terminal, every 10 % otherwise;
/// silent below 200 items.
final class ImportProgress: @unchecked Sendable {
    private let lock = NSLock()
    private var lastPrint = Date.distantPast, lastTenth = -1
    private let interactive = isatty(STDERR_FILENO) != 0

    func update(_ done: Int, _ total: Int) {
        guard total >= 200 else { return }
        lock.lock(); defer { lock.unlock() }
        if interactive {
            guard done == total || Date().timeIntervalSince(lastPrint) > 0.25 else { return }
            lastPrint = Date()
            FileHandle.standardError.write(Data("\rread \(done)/\(total)\(done == total ? "\n" : "")".utf8))
        } else {
            let tenth = done * 10 / total
            guard tenth > lastTenth else { return }
            lastTenth = tenth
            FileHandle.standardError.write(Data("read \(done)/\(total)\n".utf8))
        }
    }
}
