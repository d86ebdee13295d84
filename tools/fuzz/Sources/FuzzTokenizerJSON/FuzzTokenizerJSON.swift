import Foundation
import FuzzSupport
import Tokenizers

/// A Hugging Face `tokenizer.json` through `ByteBPE(huggingFaceJSON:)`; a tokenizer that loads
/// must also encode and decode a short text without trapping.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTokenizerJSON(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    guard let bpe = try? ByteBPE(huggingFaceJSON: FuzzInput.data(start, count), path: "fuzz/tokenizer.json") else {
        return 0
    }
    let ids = bpe.encode("Hello, world! 12 ab\n")
    _ = bpe.decode(ids)
    return 0
}
