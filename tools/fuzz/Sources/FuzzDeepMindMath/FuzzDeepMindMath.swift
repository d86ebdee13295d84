import Foundation
import Datasets
import FuzzSupport

/// A DeepMind `mathematics_dataset` module file through `MathDeepMindReader.read(file:)`.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDeepMindMath(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    let url = FuzzInput.write(FuzzInput.data(start, count), named: "algebra__linear_1d.txt")
    _ = try? MathDeepMindReader.read(file: url)
    return 0
}
