import Foundation
import WorkbenchCore
import Tokenizers

/// Captioned synthetic scenes with a known image–caption mutual information.
///
/// The caption names the shape's colour, kind and cell ("a red circle in the top left") but not
/// the background or the noise. The caption is a function of the scene and the scene a function
/// of the image (see `SyntheticImageSource`), so I(image; caption) = H(caption) =
/// log K + log S + log G² nats per pair: the shape colour is uniform over all K colours once the
/// background is averaged out, and colour, kind and cell are independent.
///
///     let cap = SyntheticCaptions(source: try SyntheticImageSource(resolution: 16, grid: 2))
///     cap.caption(for: scene)          // "a blue cross in the bottom right"
///     cap.mutualInformationNats        // log 8 + log 4 + log 4
public struct SyntheticCaptions: Sendable {
    public let source: SyntheticImageSource

    public init(source: SyntheticImageSource) { self.source = source }

    public func positionName(cellX: Int, cellY: Int) -> String {
        let g = source.grid
        if g == 2 { return "the " + ["top", "bottom"][cellY] + " " + ["left", "right"][cellX] }
        if g == 3 {
            let v = ["top", "middle", "bottom"][cellY], h = ["left", "centre", "right"][cellX]
            return cellX == 1 && cellY == 1 ? "the centre" : "the \(v) \(h)"
        }
        return "row \(cellY + 1), column \(cellX + 1)"
    }

    public func caption(for s: SyntheticImageSource.Scene) -> String {
        "a \(source.palette[s.colour].name) \(source.shapes[s.shape].rawValue) in \(positionName(cellX: s.cellX, cellY: s.cellY))"
    }

    public var mutualInformationNats: Double {
        log(Double(source.palette.count)) + log(Double(source.shapes.count)) + log(Double(source.grid * source.grid))
    }

    public func pairs(count: Int, seed: UInt64) -> [PairShards.Pair] {
        var rng = SeededRNG(seed: seed)
        return (0..<count).map { _ in
            let s = source.sampleScene(&rng)
            return PairShards.Pair(caption: caption(for: s), image: source.render(s, noise: &rng))
        }
    }
}
