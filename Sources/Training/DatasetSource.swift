import Foundation
import Datasets
import RunFiles

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
        let keep = keptTrainingTokens(available: s.tokens.count, maxTokens: maxTokens, nCtx: nCtx, layout: ds.manifest.layout)
        s.tokens = Array(s.tokens.prefix(keep))
        s.mask = s.mask.map { Array($0.prefix(keep)) }
        ds.splits[split] = s
    }

    /// D, the unique training tokens a run keeps of the `available` ones: all when `maxTokens`
    /// is 0, else the first `maxTokens`, rounded down to whole records of `nCtx + 1` tokens for
    /// the records layout. The trainer and the sweep planner both count D with this.
    public static func keptTrainingTokens(available: Int, maxTokens: Int, nCtx: Int, layout: ShardManifest.Layout) -> Int {
        guard maxTokens > 0 else { return available }
        var keep = min(maxTokens, available)
        if layout == .records { keep -= keep % (nCtx + 1) }
        return keep
    }
}
