import ArgumentParser
import Datasets
import Foundation
import Tokenizers

/// Turns prompt text into a dataset's tokens and tokens back into text, by the dataset's tokenizer.
struct TextCodec {
    let encode: (String) -> [Int32]
    let decode: ([Int32]) -> String

    /// `folder` is the dataset's shard folder (where a tokenizer file sits), nil for built-ins.
    static func forDataset(_ ds: TokenDataset, folder: URL?) throws -> TextCodec {
        switch ds.manifest.tokenizer {
        case "bytes":
            return TextCodec(encode: { $0.utf8.map { Int32($0) } },
                             decode: { String(decoding: $0.map { UInt8(clamping: $0) }, as: UTF8.self) })
        case "byte-bpe":
            guard let folder, let file = ds.manifest.tokenizerFile else {
                throw ValidationError("dataset '\(ds.manifest.name)' names no tokenizer file")
            }
            let bpe = try ByteBPE.load(from: folder.appendingPathComponent(file))
            return TextCodec(encode: { bpe.encode($0).map(Int32.init) },
                             decode: { bpe.decodeText($0.map(Int.init)) })
        default:
            throw ValidationError("sampling text is not supported for tokenizer '\(ds.manifest.tokenizer)'")
        }
    }
}
