import Foundation
import RunFiles

/// Mean test loss at each position of the context, read from a run's `eval_positions.json`
/// (or the `eval_test.json` that `workbench eval` writes):
///
///     {"modality": "text", "loss_by_position": [5.1, 4.2, …]}
///     {"modality": "image", "image_side": 32, "channels": 3, "loss_by_position": [… 3072 values …]}
///
/// Positions count from 1. For images, position k (from 0) is pixel (y, x) channel c with
/// k = (y·side + x)·channels + c, the raster order of the image tokenizer.
///
///     let p = try PositionLoss.load(runDir.appendingPathComponent("eval_positions.json"))
///     let fit = try p.powerLawFit()
public struct PositionLoss: Codable, Sendable {
    public var modality: String
    public var lossByPosition: [Double]
    public var imageSide: Int?
    public var channels: Int?

    enum CodingKeys: String, CodingKey {
        case modality, lossByPosition = "loss_by_position", imageSide = "image_side", channels
    }

    public init(modality: String, lossByPosition: [Double], imageSide: Int? = nil, channels: Int? = nil) {
        self.modality = modality; self.lossByPosition = lossByPosition; self.imageSide = imageSide; self.channels = channels
    }

    /// Tolerant reading: `modality` may be missing and entries of `loss_by_position` may be null
    /// (nothing counted there; kept as NaN), as in `workbench eval`'s `eval_<split>.json`.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        modality = try c.decodeIfPresent(String.self, forKey: .modality) ?? "unknown"
        lossByPosition = try c.decode([Double?].self, forKey: .lossByPosition).map { $0 ?? .nan }
        imageSide = try c.decodeIfPresent(Int.self, forKey: .imageSide)
        channels = try c.decodeIfPresent(Int.self, forKey: .channels)
    }

    /// Reads `eval_positions.json` or `eval_<split>.json`. With `modality` of the run containing
    /// "image" and no `image_side`, a context of 3·s² positions is read as an s×s RGB image.
    public static func load(_ url: URL, modality hint: String? = nil) throws -> PositionLoss {
        guard let data = try? Data(contentsOf: url) else {
            throw AnalysisInputError.malformedInput(path: url.path, reason: "cannot be read")
        }
        var p: PositionLoss
        do { p = try JSONDecoder().decode(PositionLoss.self, from: data) } catch {
            throw AnalysisInputError.malformedInput(path: url.path, reason: "expected {\"loss_by_position\": [numbers or null], optional \"modality\", \"image_side\", \"channels\"}: \(error)")
        }
        if p.lossByPosition.allSatisfy({ !$0.isFinite }) { throw AnalysisInputError.malformedInput(path: url.path, reason: "loss_by_position has no numbers") }
        if p.modality == "unknown", let h = hint { p.modality = h }
        if p.imageSide == nil, p.modality.contains("image"), p.lossByPosition.count % 3 == 0 {
            let s = Int(Double(p.lossByPosition.count / 3).squareRoot().rounded())
            if s * s * 3 == p.lossByPosition.count { p.imageSide = s; p.channels = 3 }
        }
        if let s = p.imageSide {
            let c = p.channels ?? 3
            if s * s * c != p.lossByPosition.count {
                throw AnalysisInputError.malformedInput(path: url.path, reason: "image_side \(s) × \(s) × \(c) channels = \(s * s * c) ≠ \(p.lossByPosition.count) positions")
            }
        }
        return p
    }

    /// L(position) = L∞ + (p₀/position)^α, or the pure power law when L∞ is not determined.
    public func powerLawFit(delta: Double = 1e-3) throws -> PowerLawFitter.Fit {
        let kept = lossByPosition.indices.filter { lossByPosition[$0].isFinite }
        let x = kept.map { Double($0 + 1) }, y = kept.map { lossByPosition[$0] }
        do { return try PowerLawFitter(delta: delta).fit(x: x, y: y, series: "loss by position") }
        catch FitError.noCurvature, FitError.lossInfinityCollapsed {
            return try PowerLawFitter(form: .pure, delta: delta).fit(x: x, y: y, series: "loss by position")
        }
    }

    /// Per-pixel maps: index 0 the mean over channels, then one per channel (row-major, side×side).
    public func pixelMaps() -> [[Double]]? {
        guard let s = imageSide else { return nil }
        let c = channels ?? 3
        var maps = [[Double]](repeating: [Double](repeating: 0, count: s * s), count: c + 1)
        for pix in 0..<(s * s) {
            var sum = 0.0
            for ch in 0..<c {
                let v = lossByPosition[pix * c + ch]
                maps[ch + 1][pix] = v
                sum += v
            }
            maps[0][pix] = sum / Double(c)
        }
        return maps
    }
}

extension PairedEvaluation {
    /// Reads a run's `paired_eval.json` (or `paired_eval_text.json`); errors name the file.
    public static func load(_ url: URL) throws -> PairedEvaluation {
        guard let data = try? Data(contentsOf: url) else { throw AnalysisInputError.malformedInput(path: url.path, reason: "cannot be read") }
        do { return try decode(data) } catch let e as RunFileFormatError {
            throw AnalysisInputError.malformedInput(path: url.path, reason: e.reason)
        }
    }
}

/// Irreducible loss of one modality in the units a reader compares: nats and bits per token,
/// and per item (image, problem, caption) when the runs say how many tokens an item has.
///
///     let row = EntropyRow(modality: "image32", lossInfinity: interval, tokensPerItem: 3072, itemName: "image")
///     row.perItemNats   // L∞ × 3072
public struct EntropyRow: Codable, Sendable {
    public var modality: String
    public var lossInfinity: Interval
    public var tokensPerItem: Double?
    public var itemName: String?
    /// Why a per-token value does not compare with other modalities (tokens that repeat or pad
    /// the data), so the row compares per item only; nil when per-token values compare.
    public var perTokenCaveat: String? = nil

    public init(modality: String, lossInfinity: Interval, tokensPerItem: Double?, itemName: String?, perTokenCaveat: String? = nil) {
        self.modality = modality; self.lossInfinity = lossInfinity; self.tokensPerItem = tokensPerItem; self.itemName = itemName
        self.perTokenCaveat = perTokenCaveat
    }

    /// The caveat for a dataset whose tokens are not one per value of the data: Fashion-MNIST
    /// in RGB tokens repeats each grey value in R, G and B (and pads 28 → 32 at 32×32).
    public static func perTokenCaveat(dataset: String) -> String? {
        let name = URL(fileURLWithPath: dataset).lastPathComponent.lowercased()
        guard name.hasPrefix("fashion-mnist"), !name.contains("gray") else { return nil }
        return "RGB tokens repeat each grey value in R, G and B" + (name == "fashion-mnist" ? " and pad 28 → 32" : "")
            + ": compare per image (or use fashion-mnist-gray, one token per pixel)"
    }

    public var bitsPerToken: Interval { scaled(1 / Foundation.log(2)) }
    public var perItemNats: Interval? { tokensPerItem.map { scaled($0) } }
    public var perItemBits: Interval? { tokensPerItem.map { scaled($0 / Foundation.log(2)) } }

    func scaled(_ k: Double) -> Interval {
        Interval(estimate: lossInfinity.estimate * k, lower: lossInfinity.lower * k, upper: lossInfinity.upper * k)
    }
}
