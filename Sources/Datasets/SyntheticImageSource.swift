import Foundation
import WorkbenchCore
import Tokenizers

/// A procedural image source whose entropy is known exactly.
///
/// Each R×R image is made of independent random choices:
/// background colour (uniform over K palette colours), shape colour (uniform over the other
/// K − 1), shape kind (uniform over S), cell (uniform over G×G grid cells), then per channel
/// value an i.i.d. noise `n` from `noiseProbabilities` (values 0, 1, …) added to the colour.
/// The image determines every choice: the noise is `value mod 4` (colours are multiples of 4),
/// the background is the majority colour (a shape covers at most one cell of ≥ 4), the shape
/// colour, kind and cell follow from the footprint, and `init` checks footprints are non-empty
/// and distinct. So the entropy of an image is exactly
/// `log K + log(K−1) + log S + log G² + 3R²·H(noise)` nats, and per token that over `3R²`.
///
///     let src = try SyntheticImageSource(resolution: 8, grid: 2)
///     var rng = SeededRNG(seed: 1)
///     let img = src.render(src.sampleScene(&rng), noise: &rng)
///     src.entropyNatsPerToken
public struct SyntheticImageSource: Sendable {
    /// One image's structural choices (indices into the palette, shape list and grid).
    public struct Scene: Equatable, Sendable, Hashable {
        public var background: Int, colour: Int, shape: Int, cellX: Int, cellY: Int
        public init(background: Int, colour: Int, shape: Int, cellX: Int, cellY: Int) {
            self.background = background; self.colour = colour; self.shape = shape; self.cellX = cellX; self.cellY = cellY
        }
    }

    public let resolution: Int
    public let grid: Int
    public let palette: [SyntheticColour]
    public let shapes: [SyntheticShape]
    public let noiseProbabilities: [Double]
    let footprints: [[Bool]]
    let noiseCDF: [Double]

    public init(resolution: Int, grid: Int, palette: [SyntheticColour] = SyntheticColour.standard,
                shapes: [SyntheticShape] = SyntheticShape.allCases,
                noiseProbabilities: [Double] = [0.4, 0.3, 0.2, 0.1]) throws {
        func bad(_ why: String) -> WorkbenchIOError { .corrupt(path: "synthetic image config", reason: why) }
        guard grid >= 2, resolution % grid == 0 else { throw bad("grid \(grid) must be ≥ 2 and divide resolution \(resolution)") }
        guard palette.count >= 2 else { throw bad("palette needs at least 2 colours") }
        guard Set(palette.map { "\($0.rgb)" }).count == palette.count else { throw bad("palette colours must differ") }
        guard palette.allSatisfy({ [$0.rgb.0, $0.rgb.1, $0.rgb.2].allSatisfy { $0 % 4 == 0 && $0 <= 252 } }) else {
            throw bad("palette channels must be multiples of 4, at most 252")
        }
        guard !noiseProbabilities.isEmpty, noiseProbabilities.count <= 4,
              noiseProbabilities.allSatisfy({ $0 > 0 }), abs(noiseProbabilities.reduce(0, +) - 1) < 1e-12 else {
            throw bad("noise probabilities must be 1 to 4 positive values summing to 1")
        }
        let cell = resolution / grid
        let fps = shapes.map { $0.footprint(cell: cell) }
        guard !shapes.isEmpty, fps.allSatisfy({ $0.contains(true) }), Set(fps).count == fps.count else {
            throw bad("shapes \(shapes.map(\.rawValue)) are empty or not distinct in a \(cell)x\(cell) cell")
        }
        self.resolution = resolution; self.grid = grid; self.palette = palette; self.shapes = shapes
        self.noiseProbabilities = noiseProbabilities; self.footprints = fps
        var cdf: [Double] = [], acc = 0.0
        for p in noiseProbabilities { acc += p; cdf.append(acc) }
        cdf[cdf.count - 1] = 1
        self.noiseCDF = cdf
    }

    public var tokensPerImage: Int { 3 * resolution * resolution }

    /// Entropy of the structural choices: log K + log(K−1) + log S + log G².
    public var sceneEntropyNats: Double {
        log(Double(palette.count)) + log(Double(palette.count - 1)) + log(Double(shapes.count)) + log(Double(grid * grid))
    }
    /// Entropy of one noise value.
    public var noiseEntropyNatsPerValue: Double { -noiseProbabilities.reduce(0) { $0 + $1 * log($1) } }
    public var entropyNatsPerImage: Double { sceneEntropyNats + Double(tokensPerImage) * noiseEntropyNatsPerValue }
    public var entropyNatsPerToken: Double { entropyNatsPerImage / Double(tokensPerImage) }

    public func sampleScene(_ rng: inout SeededRNG) -> Scene {
        let k = palette.count
        let b = rng.nextInt(below: k)
        var c = rng.nextInt(below: k - 1)
        if c >= b { c += 1 }
        return Scene(background: b, colour: c, shape: rng.nextInt(below: shapes.count),
                     cellX: rng.nextInt(below: grid), cellY: rng.nextInt(below: grid))
    }

    /// The noiseless image of a scene.
    public func render(_ s: Scene) -> RGBImage {
        var img = RGBImage(width: resolution, height: resolution, fill: palette[s.background].rgb)
        let cell = resolution / grid, fp = footprints[s.shape]
        for y in 0..<cell { for x in 0..<cell where fp[y * cell + x] {
            img[s.cellX * cell + x, s.cellY * cell + y] = palette[s.colour].rgb
        } }
        return img
    }

    /// The image of a scene with i.i.d. noise drawn from `rng` added to every channel value.
    public func render(_ s: Scene, noise rng: inout SeededRNG) -> RGBImage {
        var img = render(s)
        if noiseProbabilities.count > 1 {
            for i in img.pixels.indices {
                let u = rng.nextDouble()
                var n = 0
                while u >= noiseCDF[n] { n += 1 }
                img.pixels[i] += UInt8(n)
            }
        }
        return img
    }

    /// Noise-free renderings of a scene with one noise pattern (for exact enumeration in tests).
    public func render(_ s: Scene, noiseValues: [UInt8]) -> RGBImage {
        var img = render(s)
        for i in img.pixels.indices { img.pixels[i] += noiseValues[i] }
        return img
    }

    /// Every scene with its probability (for exact checks on small configurations).
    public func allScenes() -> [(scene: Scene, probability: Double)] {
        let k = palette.count
        let p = 1 / (Double(k) * Double(k - 1) * Double(shapes.count) * Double(grid * grid))
        var out: [(Scene, Double)] = []
        for b in 0..<k { for c in 0..<k where c != b { for s in shapes.indices {
            for cy in 0..<grid { for cx in 0..<grid {
                out.append((Scene(background: b, colour: c, shape: s, cellX: cx, cellY: cy), p))
            } }
        } } }
        return out
    }
}
