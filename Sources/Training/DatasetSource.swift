import Foundation
import Datasets

/// Resolves `data.dataset` from a config: `builtin:<name>` or a token-shard folder.
public enum DatasetSource {
    public static func load(_ spec: String) throws -> TokenDataset {
        if spec.hasPrefix("builtin:") {
            return try BuiltinDatasets.load(String(spec.dropFirst("builtin:".count)))
        }
        return try TokenDataset.load(from: URL(fileURLWithPath: spec))
    }

    /// Keeps the first `maxTokens` training tokens (whole records for the records layout), so
    /// that D can be varied; 0 keeps everything.
    public static func limitTraining(_ ds: inout TokenDataset, split: String = "train", maxTokens: Int, nCtx: Int) {
        guard maxTokens > 0, var s = ds.splits[split] else { return }
        var keep = min(maxTokens, s.tokens.count)
        if ds.manifest.layout == .records { keep -= keep % (nCtx + 1) }
        s.tokens = Array(s.tokens.prefix(keep))
        s.mask = s.mask.map { Array($0.prefix(keep)) }
        ds.splits[split] = s
    }
}
