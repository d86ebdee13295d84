import Foundation
import FuzzSupport
import Tokenizers

/// PNG bytes through the libpng wrapper, as `data import` and the image tools read them.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPNG(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    _ = try? PNGImage.decode(FuzzInput.data(start, count), name: "fuzz.png")
    return 0
}
