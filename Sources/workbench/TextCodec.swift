import ArgumentParser
import Datasets

/// Turns prompt text into a dataset's tokens and tokens back into text, by the dataset's tokenizer.
struct TextCodec {
    let encode: (String) -> [Int32]
    let decode: ([Int32]) -> String

    static func forDataset(_ ds: TokenDataset) throws -> TextCodec {
        switch ds.manifest.tokenizer {
        case "bytes":
            return TextCodec(encode: { $0.utf8.map { Int32($0) } },
                             decode: { String(decoding: $0.map { UInt8(clamping: $0) }, as: UTF8.self) })
        default:
            throw ValidationError("sampling text is not supported for tokenizer '\(ds.manifest.tokenizer)' yet")
        }
    }
}
