/// Shapes and colours of the synthetic image sources, with names for captions.
///
/// Colour channels are multiples of 4 (at most 252) so that noise values 0–3 added to them can
/// be read back exactly (`value mod 4`): that keeps the image entropy an exact sum.
///
///     SyntheticShape.circle.footprint(cell: 8)   // [Bool] of 64, true inside the disc
public enum SyntheticShape: String, CaseIterable, Sendable {
    case square, circle, cross, triangle

    /// Pixels of a `cell`×`cell` cell the shape covers, row-major. Coordinates are pixel
    /// centres mapped to (−0.5, 0.5).
    public func footprint(cell c: Int) -> [Bool] {
        var out = [Bool](repeating: false, count: c * c)
        for y in 0..<c { for x in 0..<c {
            let u = (Double(x) + 0.5) / Double(c) - 0.5, v = (Double(y) + 0.5) / Double(c) - 0.5
            let inside: Bool
            switch self {
            case .square: inside = max(abs(u), abs(v)) <= 0.3
            case .circle: inside = u * u + v * v <= 0.42 * 0.42
            case .cross: inside = (abs(u) <= 0.13 && abs(v) <= 0.45) || (abs(v) <= 0.13 && abs(u) <= 0.45)
            case .triangle: inside = v >= -0.45 && v <= 0.45 && abs(u) <= (v + 0.45) / 1.8 + 0.01
            }
            out[y * c + x] = inside
        } }
        return out
    }
}

/// A named colour of the synthetic palette.
public struct SyntheticColour: Sendable, Equatable {
    public let name: String
    public let rgb: (UInt8, UInt8, UInt8)
    public static func == (a: Self, b: Self) -> Bool { a.name == b.name && a.rgb == b.rgb }

    /// Eight colours, channels multiples of 4.
    public static let standard: [SyntheticColour] = [
        .init(name: "black", rgb: (0, 0, 0)), .init(name: "white", rgb: (252, 252, 252)),
        .init(name: "red", rgb: (224, 32, 32)), .init(name: "green", rgb: (32, 160, 64)),
        .init(name: "blue", rgb: (32, 64, 224)), .init(name: "yellow", rgb: (240, 216, 32)),
        .init(name: "purple", rgb: (144, 48, 176)), .init(name: "orange", rgb: (240, 128, 16)),
    ]
}
