import Foundation
import FuzzSupport
import Tensors

/// A `.safetensors` file (checkpoints, imported weights) through `Safetensors.decode`, the
/// reader behind `Safetensors.read`.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSafetensors(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    _ = try? Safetensors.decode(FuzzInput.data(start, count), path: "fuzz.safetensors")
    return 0
}
