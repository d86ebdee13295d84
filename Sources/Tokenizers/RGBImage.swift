/// An 8-bit RGB image in memory: `pixels` holds R, G, B interleaved, rows top to bottom.
///
/// This is what every image source produces and what the image tokenizers consume; alpha has
/// already been composited on white.
///
///     var img = RGBImage(width: 2, height: 1, fill: (255, 0, 0))
///     img[1, 0] = (0, 0, 255)
///     img.pixels        // [255, 0, 0, 0, 0, 255]
public struct RGBImage: Equatable, Sendable {
    public let width: Int
    public let height: Int
    /// `3 * width * height` channel values, raster order, R, G, B per pixel.
    public var pixels: [UInt8]

    public init(width: Int, height: Int, pixels: [UInt8]) {
        precondition(width > 0 && height > 0, "image size must be positive, got \(width)x\(height)")
        precondition(pixels.count == 3 * width * height,
                     "a \(width)x\(height) RGB image needs \(3 * width * height) values, got \(pixels.count)")
        self.width = width; self.height = height; self.pixels = pixels
    }

    public init(width: Int, height: Int, fill: (UInt8, UInt8, UInt8) = (255, 255, 255)) {
        var p = [UInt8](repeating: 0, count: 3 * width * height)
        for i in stride(from: 0, to: p.count, by: 3) { p[i] = fill.0; p[i + 1] = fill.1; p[i + 2] = fill.2 }
        self.init(width: width, height: height, pixels: p)
    }

    /// A gray image copied to the three channels.
    public init(width: Int, height: Int, gray: [UInt8]) {
        precondition(gray.count == width * height, "gray image needs \(width * height) values, got \(gray.count)")
        var p = [UInt8](repeating: 0, count: 3 * gray.count)
        for (i, g) in gray.enumerated() { p[3 * i] = g; p[3 * i + 1] = g; p[3 * i + 2] = g }
        self.init(width: width, height: height, pixels: p)
    }

    /// The pixel at column `x`, row `y`.
    public subscript(x: Int, y: Int) -> (UInt8, UInt8, UInt8) {
        get { let i = 3 * (y * width + x); return (pixels[i], pixels[i + 1], pixels[i + 2]) }
        set { let i = 3 * (y * width + x); pixels[i] = newValue.0; pixels[i + 1] = newValue.1; pixels[i + 2] = newValue.2 }
    }

    /// The image centred on a `side`×`side` canvas of `fill` (used to square up before resizing,
    /// so shapes keep their aspect ratio). `side` must be at least the larger dimension.
    public func paddedToSquare(side: Int? = nil, fill: (UInt8, UInt8, UInt8) = (255, 255, 255)) -> RGBImage {
        let s = side ?? max(width, height)
        precondition(s >= width && s >= height, "cannot pad \(width)x\(height) into \(s)x\(s)")
        var out = RGBImage(width: s, height: s, fill: fill)
        let x0 = (s - width) / 2, y0 = (s - height) / 2
        for y in 0..<height {
            let src = 3 * y * width, dst = 3 * ((y + y0) * s + x0)
            for k in 0..<(3 * width) { out.pixels[dst + k] = pixels[src + k] }
        }
        return out
    }
}
