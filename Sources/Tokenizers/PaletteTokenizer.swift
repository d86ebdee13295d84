import Foundation
import WorkbenchCore

/// A 9-bit colour tokenizer: each pixel becomes the index of its nearest colour in a palette
/// of 512 (by default) found by k-means on training pixels, so an R×R image is R² tokens.
///
/// Palette: k-means++ initialisation then Lloyd iterations, on up to `maxSamples` pixels drawn
/// with a seeded RNG; same pixels and seed give the same palette. Nearest colour is by squared
/// Euclidean distance in RGB, ties to the lower index. Records are `[startToken] + R²` tokens
/// with `startToken = k` and vocabulary `k + 1`.
///
///     let tok = PaletteTokenizer.train(images: trainImages, resolution: 32, seed: 1)
///     try tok.save(to: dir.appendingPathComponent("palette.json"))
///     let tokens = tok.encode(img)            // 1024 tokens in 0..<512
public struct PaletteTokenizer: Sendable, Equatable {
    /// Palette colours, R, G, B interleaved (`3·k` values).
    public let colours: [UInt8]
    public let resolution: Int

    public init(colours: [UInt8], resolution: Int) {
        precondition(!colours.isEmpty && colours.count % 3 == 0, "palette needs 3 values per colour")
        self.colours = colours; self.resolution = resolution
    }

    public var count: Int { colours.count / 3 }
    public var startToken: UInt16 { UInt16(count) }
    public var vocabSize: Int { count + 1 }
    public var name: String { "image-palette\(count)-\(resolution)" }
    public var recordLength: Int { resolution * resolution + 1 }

    // MARK: - Training

    /// k-means palette of `k` colours over the pixels of `images`.
    public static func train(images: [RGBImage], resolution: Int, k: Int = 512, seed: UInt64,
                             iterations: Int = 10, maxSamples: Int = 100_000) -> PaletteTokenizer {
        let totalPixels = images.reduce(0) { $0 + $1.width * $1.height }
        precondition(totalPixels > 0, "no pixels to train a palette on")
        var rng = SeededRNG(seed: seed)
        var samples: [Float] = []
        if totalPixels <= maxSamples {
            for img in images { samples += img.pixels.map(Float.init) }
        } else {
            let offsets = images.reduce(into: [0]) { $0.append($0.last! + $1.width * $1.height) }
            for _ in 0..<maxSamples {
                let p = rng.nextInt(below: totalPixels)
                var lo = 0, hi = images.count - 1
                while lo < hi { let mid = (lo + hi + 1) / 2; if offsets[mid] <= p { lo = mid } else { hi = mid - 1 } }
                let q = 3 * (p - offsets[lo])
                samples += [Float(images[lo].pixels[q]), Float(images[lo].pixels[q + 1]), Float(images[lo].pixels[q + 2])]
            }
        }
        let centres = KMeans.fit(points: samples, k: k, iterations: iterations, rng: &rng)
        return PaletteTokenizer(colours: centres.map { UInt8(min(255, max(0, $0.rounded()))) }, resolution: resolution)
    }

    // MARK: - Encoding

    /// Index of the nearest palette colour (ties: lower index).
    public func nearest(_ r: UInt8, _ g: UInt8, _ b: UInt8) -> Int {
        var best = 0, bestD = Int.max
        for c in 0..<count {
            let dr = Int(colours[3 * c]) - Int(r), dg = Int(colours[3 * c + 1]) - Int(g), db = Int(colours[3 * c + 2]) - Int(b)
            let d = dr * dr + dg * dg + db * db
            if d < bestD { bestD = d; best = c }
        }
        return best
    }

    /// R² palette indices, raster order.
    public func encode(_ img: RGBImage) -> [UInt16] {
        precondition(img.width == resolution && img.height == resolution,
                     "\(name) needs \(resolution)x\(resolution) images, got \(img.width)x\(img.height)")
        var cache: [Int: UInt16] = [:]
        return (0..<(resolution * resolution)).map { p in
            let r = img.pixels[3 * p], g = img.pixels[3 * p + 1], b = img.pixels[3 * p + 2]
            let key = Int(r) << 16 | Int(g) << 8 | Int(b)
            if let t = cache[key] { return t }
            let t = UInt16(nearest(r, g, b)); cache[key] = t
            return t
        }
    }

    public func record(_ img: RGBImage) -> [UInt16] { [startToken] + encode(img) }

    /// Tokens back to an image of palette colours; a leading start token is skipped.
    public func decode(_ tokens: [UInt16]) throws -> RGBImage {
        let body = tokens.first == startToken ? Array(tokens.dropFirst()) : tokens
        guard body.count == resolution * resolution else {
            throw ImageTokenError.wrongLength(expected: resolution * resolution, got: body.count, tokenizer: name)
        }
        var px = [UInt8](repeating: 0, count: 3 * body.count)
        for (i, t) in body.enumerated() {
            guard Int(t) < count else { throw ImageTokenError.notAChannelValue(token: t, position: i, tokenizer: name) }
            for k in 0..<3 { px[3 * i + k] = colours[3 * Int(t) + k] }
        }
        return RGBImage(width: resolution, height: resolution, pixels: px)
    }

    // MARK: - Files

    struct File: Codable { var kind: String; var resolution: Int; var colours: [[Int]] }

    /// Saves the palette as JSON (`{"kind": "palette", "resolution": R, "colours": [[r,g,b], …]}`).
    public func save(to url: URL) throws {
        let f = File(kind: "palette", resolution: resolution,
                     colours: (0..<count).map { c in (0..<3).map { Int(colours[3 * c + $0]) } })
        let enc = JSONEncoder(); enc.outputFormatting = [.sortedKeys]
        try AtomicFile.write(try enc.encode(f), to: url)
    }

    public static func load(from url: URL) throws -> PaletteTokenizer {
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw WorkbenchIOError.missingFile(path: url.path, what: "palette file")
        }
        let f: File
        do { f = try JSONDecoder().decode(File.self, from: Data(contentsOf: url)) } catch {
            throw WorkbenchIOError.corrupt(path: url.path, reason: "not a palette JSON file: \(error)")
        }
        guard f.kind == "palette", !f.colours.isEmpty, f.resolution > 0 else {
            throw WorkbenchIOError.corrupt(path: url.path, reason: "palette file has kind '\(f.kind)', \(f.colours.count) colours, resolution \(f.resolution)")
        }
        if let bad = f.colours.firstIndex(where: { $0.count != 3 || !$0.allSatisfy { (0...255).contains($0) } }) {
            throw WorkbenchIOError.corrupt(path: url.path, reason: "colour \(bad) is \(f.colours[bad]), not three values 0-255")
        }
        return PaletteTokenizer(colours: f.colours.flatMap { $0.map(UInt8.init) }, resolution: f.resolution)
    }
}
