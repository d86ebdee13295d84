import Foundation
import RunFiles
import WorkbenchCore

/// Extra evaluation files for synthetic runs (per-position loss, paired image–caption
/// evaluations), and a demo folder with several modalities for `workbench report`.
///
///     try SyntheticRuns.writeDemo(to: URL(fileURLWithPath: "runs-demo"))
extension SyntheticRuns {
    /// Text: L(pos) = 2.1 + (3/pos)^0.45 over `positions`, with 0.5 % noise.
    public static func textPositions(positions: Int = 512, seed: UInt64 = 3) -> PositionLoss {
        var rng = SeededRNG(seed: seed)
        let v = (1...positions).map { p in (2.1 + Foundation.pow(3 / Double(p), 0.45)) * (1 + 0.005 * Double(rng.nextGaussian())) }
        return PositionLoss(modality: "text", lossByPosition: v)
    }

    /// Images: loss falls along the raster (more context above), is higher at the left edge,
    /// and differs by channel (red, predicted first, is hardest).
    public static func imagePositions(side: Int = 32, seed: UInt64 = 4) -> PositionLoss {
        var rng = SeededRNG(seed: seed)
        var v: [Double] = []
        for y in 0..<side { for x in 0..<side { for c in 0..<3 {
            let k = Double(y * side + x + 1)
            let base = 2.0 + 1.2 * Foundation.pow(k, -0.35) + (x == 0 ? 0.4 : 0.25 * Foundation.exp(-Double(x) / 3))
            v.append((base - 0.3 * Double(c)) * (1 + 0.01 * Double(rng.nextGaussian())))
        } } }
        return PositionLoss(modality: "image", lossByPosition: v, imageSide: side, channels: 3)
    }

    /// A paired evaluation for a model of size N whose conditioned loss is `loss`: the mutual
    /// information per item grows with N as I(N) = I_max·(1 − (N₀/N)^0.25).
    public static func pairedEvaluation(predicted: String, params n: Double, lossNats: Double) -> PairedEvaluation {
        let tokens = predicted == "image" ? 3072.0 : 128.0
        let iMax = predicted == "image" ? 60.0 : 45.0
        let info = iMax * max(0, 1 - Foundation.pow(3e3 / n, 0.25))
        return PairedEvaluation(predicted: predicted, tokensPerItem: tokens, lossBlankNatsPerToken: lossNats + info / tokens,
                                lossConditionedNatsPerToken: lossNats,
                                captionLossNatsPerCaption: predicted == "text" ? nil : 300)
    }

    /// Writes a demo folder: text (with loss by position), 32×32 images (with loss per pixel),
    /// and the two image–caption directions (with paired evaluations); returns the run folders.
    @discardableResult
    public static func writeDemo(to dir: URL, seed: UInt64 = 1) throws -> [URL] {
        var urls: [URL] = []
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        var text = SyntheticRuns(modality: "text", dataset: "synthetic-text")
        text.seed = seed
        var image = SyntheticRuns(modality: "image32", dataset: "synthetic-image32")
        image.law.lossInfinity = 2.2; image.law.nc = 2e3; image.law.alphaN = 0.25; image.law.alphaS = 0.6
        image.tokensPerItem = 3072; image.itemName = "image"; image.seed = seed &+ 1
        var t2i = SyntheticRuns(modality: "caption-to-image", dataset: "synthetic-pairs")
        t2i.law.lossInfinity = 1.95; t2i.law.nc = 5e3; t2i.tokensPerItem = 3072; t2i.itemName = "image"; t2i.seed = seed &+ 2
        var i2t = SyntheticRuns(modality: "image-to-caption", dataset: "synthetic-pairs")
        i2t.law.lossInfinity = 2.6; i2t.law.nc = 8e3; i2t.tokensPerItem = 128; i2t.itemName = "caption"; i2t.seed = seed &+ 3
        for plan in [text, image, t2i, i2t] {
            let written = try plan.write(to: dir)
            urls += written
            let sweep = written.prefix(plan.sizes.count)
            switch plan.modality {
            case "text":
                try AtomicFile.write(try enc.encode(textPositions()), to: sweep.last!.appendingPathComponent("eval_positions.json"))
            case "image32":
                try AtomicFile.write(try enc.encode(imagePositions()), to: sweep.last!.appendingPathComponent("eval_positions.json"))
            default:
                let predicted = plan.modality == "caption-to-image" ? "image" : "text"
                for (k, u) in sweep.enumerated() {
                    let run = try RunRecord.load(from: u)
                    let e = pairedEvaluation(predicted: predicted, params: plan.sizes[k], lossNats: run.summary.bestTestLossNats)
                    try AtomicFile.write(try enc.encode(e), to: u.appendingPathComponent(PairedEvaluation.imageFileName))
                }
            }
        }
        return urls
    }
}
