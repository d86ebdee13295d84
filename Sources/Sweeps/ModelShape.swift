import Foundation
import Training
import Transformer

/// A model shape chosen for a sweep: layers, width, heads, MLP and attention widths, and its
/// exact non-embedding parameter count N.
public struct ModelShape: Equatable, Sendable {
    public var nLayer: Int
    public var dModel: Int
    public var nHead: Int
    public var mlpWidth: Int
    public var attnWidth: Int

    /// N, non-embedding parameters (exact, as the trainer counts them).
    public var params: Int {
        GPTConfig(nLayer: nLayer, dModel: dModel, nHead: nHead, nCtx: 1, vocabSize: 2,
                  mlpWidth: mlpWidth, attnWidth: attnWidth).nonEmbeddingParameters
    }

    /// The shape for `n_layer × d_model` with widths as multiples of d_model (the base config's
    /// ratios when nil) and heads of `headDim` (0: the base's n_head when it divides the
    /// attention width, else max(2, d_model/64)).
    public static func make(nLayer: Int, dModel: Int, base: TrainConfig.Model, headDim: Int,
                            mlpRatio: Double?, attnRatio: Double?) -> ModelShape {
        let baseMLP = base.mlpWidth > 0 ? Double(base.mlpWidth) / Double(base.dModel) : 4
        let baseAttn = base.attnWidth > 0 ? Double(base.attnWidth) / Double(base.dModel) : 1
        let mlp = max(1, Int((Double(dModel) * (mlpRatio ?? baseMLP)).rounded()))
        var attn = max(1, Int((Double(dModel) * (attnRatio ?? baseAttn)).rounded()))
        let heads: Int
        if headDim > 0 {
            heads = max(1, attn / headDim)
            attn = heads * headDim
        } else if attn % base.nHead == 0 {
            heads = base.nHead
        } else {
            let h = max(2, dModel / 64)
            heads = attn >= h ? h : 1
            attn = max(heads, attn - attn % heads)
        }
        return ModelShape(nLayer: nLayer, dModel: dModel, nHead: heads, mlpWidth: mlp, attnWidth: attn)
    }

    /// The shape with d_model ≈ aspectRatio · n_layer (a multiple of 16) whose N is closest to
    /// `targetParams` on a log scale.
    public static func forTarget(params target: Double, aspectRatio: Double, base: TrainConfig.Model,
                                 headDim: Int, mlpRatio: Double?, attnRatio: Double?) -> ModelShape {
        var best: (ModelShape, Double)? = nil
        for layers in 1...96 {
            let d = max(16, Int((aspectRatio * Double(layers) / 16).rounded()) * 16)
            let s = make(nLayer: layers, dModel: d, base: base, headDim: headDim, mlpRatio: mlpRatio, attnRatio: attnRatio)
            let miss = abs(log(Double(s.params)) - log(target))
            if best == nil || miss < best!.1 { best = (s, miss) }
        }
        return best!.0
    }

    /// The shape whose N is closest to `targetParams` on a log scale among every n_layer and every
    /// d_model (a multiple of 16) with d_model / n_layer within a factor `tolerance` of
    /// `aspectRatio`: finer than `forTarget`'s one shape per depth, so that the sizes of an IsoFLOP
    /// profile a factor 2 apart stay distinct even for small models.
    public static func nearest(params target: Double, aspectRatio: Double, tolerance: Double = 2, base: TrainConfig.Model,
                               headDim: Int, mlpRatio: Double?, attnRatio: Double?) -> ModelShape {
        var best: (ModelShape, Double)? = nil
        for layers in 1...96 {
            let low = max(1, Int((aspectRatio / tolerance * Double(layers) / 16).rounded(.up)))
            let high = max(low, Int((aspectRatio * tolerance * Double(layers) / 16).rounded(.down)))
            for k in low...high {
                let s = make(nLayer: layers, dModel: 16 * k, base: base, headDim: headDim, mlpRatio: mlpRatio, attnRatio: attnRatio)
                let miss = abs(log(Double(s.params)) - log(target))
                if best == nil || miss < best!.1 - 1e-12 { best = (s, miss) }
            }
        }
        return best!.0
    }
}
