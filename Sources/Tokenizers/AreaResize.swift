/// Resizes images by area averaging with exact weights.
///
/// Output pixel `j` covers the source interval `[j·W/R, (j+1)·W/R)`; each source pixel
/// contributes in proportion to the length of its overlap with that interval. Scaling both
/// axes by the target size makes every overlap an integer, so the weighted sum is exact and
/// is rounded once (half up) at the end: no float error, identical on every machine.
/// Integer ratios (28→… after padding, 32→16→8) reduce to plain block means.
///
///     let small = AreaResize.resize(img, width: 8, height: 8)
public enum AreaResize {
    /// Overlap weights of a 1-D resize from `n` to `m` samples, in units of `1/m` source pixel:
    /// `weights[j]` lists `(sourceIndex, weight)` and each list sums to `n`.
    public static func weights(from n: Int, to m: Int) -> [[(index: Int, weight: Int)]] {
        precondition(n > 0 && m > 0)
        var out: [[(index: Int, weight: Int)]] = []
        for j in 0..<m {
            // Target j covers [j·n, (j+1)·n) in units where source i covers [i·m, (i+1)·m).
            let lo = j * n, hi = (j + 1) * n
            var row: [(index: Int, weight: Int)] = []
            var i = lo / m
            while i * m < hi {
                let w = min(hi, (i + 1) * m) - max(lo, i * m)
                if w > 0 { row.append((i, w)) }
                i += 1
            }
            out.append(row)
        }
        return out
    }

    /// The image resized to `width`×`height` by exact area averaging of each channel.
    public static func resize(_ img: RGBImage, width: Int, height: Int) -> RGBImage {
        if img.width == width && img.height == height { return img }
        let wx = weights(from: img.width, to: width), wy = weights(from: img.height, to: height)
        // Horizontal pass into integer sums (each scaled by img.width).
        var rows = [Int](repeating: 0, count: 3 * width * img.height)
        for y in 0..<img.height {
            for (j, taps) in wx.enumerated() {
                for k in 0..<3 {
                    var acc = 0
                    for t in taps { acc += t.weight * Int(img.pixels[3 * (y * img.width + t.index) + k]) }
                    rows[3 * (y * width + j) + k] = acc
                }
            }
        }
        let denominator = img.width * img.height
        var out = [UInt8](repeating: 0, count: 3 * width * height)
        for (i, taps) in wy.enumerated() {
            for x in 0..<width {
                for k in 0..<3 {
                    var acc = 0
                    for t in taps { acc += t.weight * rows[3 * (t.index * width + x) + k] }
                    out[3 * (i * width + x) + k] = UInt8((2 * acc + denominator) / (2 * denominator))
                }
            }
        }
        return RGBImage(width: width, height: height, pixels: out)
    }

    /// Squares the image up (centred on white) and resizes it to `side`×`side`.
    public static func squareThumbnail(_ img: RGBImage, side: Int) -> RGBImage {
        let square = img.width == img.height ? img : img.paddedToSquare()
        return resize(square, width: side, height: side)
    }
}
