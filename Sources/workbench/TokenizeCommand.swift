import ArgumentParser
import Foundation
import Tokenizers

/// `workbench bpe`: trains, applies and benchmarks the byte-level BPE tokenizer on text files.
struct TokenizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bpe",
        abstract: "Train a byte-level BPE, encode text with it, and measure its speed.",
        subcommands: [Train.self, Encode.self])

    struct Train: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Train a tokenizer.json on text files.")
        @Argument(help: "Text files to train on.") var inputs: [String]
        @Option(help: "Vocabulary size (256 bytes + merges).") var vocabSize = 4096
        @Option(help: "Where to write the Hugging Face tokenizer.json.") var out = "tokenizer.json"
        /// The old spelling of --out, kept hidden for a while.
        @Option(name: .customLong("output"), help: .hidden) var legacyOutput: String?

        func run() throws {
            var corpus: [UInt8] = []
            for path in inputs { corpus += try readFile(path) }
            let start = Date()
            let bpe = ByteBPE.train(on: corpus, vocabSize: vocabSize) { print($0) }
            let seconds = Date().timeIntervalSince(start)
            let output = legacyOutput ?? out
            try bpe.save(to: URL(fileURLWithPath: output))
            let mb = Double(corpus.count) / 1e6
            print(String(format: "trained %d tokens (%d merges) on %.2f MB in %.1f s; wrote %@",
                         bpe.vocabSize, bpe.merges.count, mb, seconds, output))
        }
    }

    struct Encode: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Encode text files; with --bench, print encoding speed in MB/s and check the round trip.")
        @Option(help: "The tokenizer.json to use.") var tokenizer = "tokenizer.json"
        @Argument(help: "Text files to encode.") var inputs: [String]
        @Flag(help: "Print speed and compression instead of ids.") var bench = false

        func run() throws {
            let bpe = try ByteBPE.load(from: URL(fileURLWithPath: tokenizer))
            var corpus: [UInt8] = []
            for path in inputs { corpus += try readFile(path) }
            let start = Date()
            let ids = bpe.encode(bytes: corpus)
            let seconds = Date().timeIntervalSince(start)
            if bench {
                let mb = Double(corpus.count) / 1e6
                let exact = bpe.decode(ids) == corpus
                print(String(format: "encoded %.2f MB into %d tokens (%.2f bytes/token) in %.2f s: %.2f MB/s on one core; round trip %@",
                             mb, ids.count, Double(corpus.count) / Double(max(1, ids.count)), seconds,
                             mb / seconds, exact ? "exact" : "FAILED"))
                if !exact { throw ExitCode.failure }
            } else {
                print(ids.map(String.init).joined(separator: " "))
            }
        }
    }
}

private func readFile(_ path: String) throws -> [UInt8] {
    guard let d = FileManager.default.contents(atPath: path) else {
        throw ValidationError("cannot read '\(path)'")
    }
    return [UInt8](d)
}
