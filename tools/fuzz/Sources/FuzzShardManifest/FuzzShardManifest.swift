import Foundation
import Datasets
import FuzzSupport

/// A token-shard folder's `manifest.json` through `TokenDataset.load`, beside fixed shards:
/// `train.bin` (4 tokens), `test.bin` (2 tokens) and `train.mask` (4 bytes).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzShardManifest(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    _ = FuzzInput.write(FuzzInput.data(start, count), named: "manifest.json", in: shards)
    _ = try? TokenDataset.load(from: shards)
    return 0
}

private let shards: URL = {
    let dir = FuzzInput.folder("shards")
    _ = FuzzInput.write(Data([1, 0, 2, 0, 3, 0, 255, 0]), named: "train.bin", in: dir)
    _ = FuzzInput.write(Data([1, 0, 2, 0]), named: "test.bin", in: dir)
    _ = FuzzInput.write(Data([0, 1, 1, 1]), named: "train.mask", in: dir)
    return dir
}()
