import Foundation
import WorkbenchCore
import RunFiles

extension ShardManifest {
    /// Checks the numbers that `TokenDataset.load` computes with before it touches a shard:
    /// each split's token and sequence counts must be ≥ 0, and small enough that the byte size
    /// (`2 · tokens`) does not overflow. Errors name the manifest file and the split.
    public func checkCounts(path: String) throws {
        for (name, split) in splits.sorted(by: { $0.key < $1.key }) {
            guard split.tokens >= 0, split.tokens <= Int.max / 2 else {
                throw WorkbenchIOError.corrupt(path: path, reason: "split '\(name)' has \(split.tokens) tokens, outside 0...\(Int.max / 2)")
            }
            guard split.sequences >= 0 else {
                throw WorkbenchIOError.corrupt(path: path, reason: "split '\(name)' has \(split.sequences) sequences, which must be ≥ 0")
            }
        }
    }
}
