/// Reductions over contiguous `Float` rows with eight-lane SIMD accumulators.
///
/// Plain `for` loops that only write elements are vectorised by the compiler, but a running sum
/// or maximum is not (IEEE order forbids reassociation), which made row reductions the slowest
/// part of softmax and layer norm. These keep eight partial results (lane `i` takes elements
/// `i, i+8, …`), combine them in a fixed order and finish the tail serially: results are
/// deterministic, and differ from a serial sum only by rounding.
///
///     let s = VectorMath.sum(row, count: n)
///     let m = VectorMath.max(row, count: n)
public enum VectorMath {
    public typealias V = SIMD8<Float>

    @inlinable @inline(__always)
    static func load(_ p: UnsafePointer<Float>) -> V {
        UnsafeRawPointer(p).loadUnaligned(as: V.self)
    }

    @inlinable @inline(__always)
    static func store(_ v: V, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: V.self)
    }

    /// Σ x[i].
    @inlinable
    public static func sum(_ x: UnsafePointer<Float>, count n: Int) -> Float {
        var acc = V(repeating: 0), i = 0
        while i + 8 <= n { acc += load(x + i); i += 8 }
        var s = acc.sum()
        while i < n { s += x[i]; i += 1 }
        return s
    }

    /// max x[i] (−∞ for an empty row).
    @inlinable
    public static func max(_ x: UnsafePointer<Float>, count n: Int) -> Float {
        var acc = V(repeating: -.infinity), i = 0
        while i + 8 <= n { let v = load(x + i); acc = acc.replacing(with: v, where: v .> acc); i += 8 }
        var m = acc.max()
        while i < n { m = Swift.max(m, x[i]); i += 1 }
        return m
    }

    /// Σ x[i]·y[i].
    @inlinable
    public static func dot(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, count n: Int) -> Float {
        var acc = V(repeating: 0), i = 0
        while i + 8 <= n { acc += load(x + i) * load(y + i); i += 8 }
        var s = acc.sum()
        while i < n { s += x[i] * y[i]; i += 1 }
        return s
    }

    /// Σ (x[i] − m)².
    @inlinable
    public static func sumSquaredDeviations(_ x: UnsafePointer<Float>, from m: Float, count n: Int) -> Float {
        var acc = V(repeating: 0), i = 0
        let mv = V(repeating: m)
        while i + 8 <= n { let d = load(x + i) - mv; acc += d * d; i += 8 }
        var s = acc.sum()
        while i < n { let d = x[i] - m; s += d * d; i += 1 }
        return s
    }

    /// `x[i] = fastExp(x[i] − shift)` in place; returns Σ of the new values.
    @inlinable
    public static func expInPlaceSum(_ x: UnsafeMutablePointer<Float>, minus shift: Float, count n: Int) -> Float {
        var acc = V(repeating: 0), i = 0
        let sv = V(repeating: shift)
        while i + 8 <= n { let e = fastExp(load(x + i) - sv); store(e, x + i); acc += e; i += 8 }
        var s = acc.sum()
        while i < n { let e = fastExp(x[i] - shift); x[i] = e; s += e; i += 1 }
        return s
    }

    /// Σ fastExp(x[i] − shift), without writing.
    @inlinable
    public static func sumExp(_ x: UnsafePointer<Float>, minus shift: Float, count n: Int) -> Float {
        var acc = V(repeating: 0), i = 0
        let sv = V(repeating: shift)
        while i + 8 <= n { acc += fastExp(load(x + i) - sv); i += 8 }
        var s = acc.sum()
        while i < n { s += fastExp(x[i] - shift); i += 1 }
        return s
    }
}

/// `fastExp` on eight lanes at once: the same operations as the scalar version, lane by lane,
/// so each lane's result is bit-identical to `fastExp` of that lane.
@inlinable @inline(__always)
public func fastExp(_ x: SIMD8<Float>) -> SIMD8<Float> {
    // Written with `replacing(with:where:)` and integer bit tricks, which compile to single AVX
    // instructions; `pointwiseMax` and `SIMD8<Int32>(_:rounding:)` become per-lane generic calls.
    typealias V = SIMD8<Float>
    let lo = V(repeating: -87.0), hi = V(repeating: 88.0)
    var xc = x.replacing(with: lo, where: x .< lo)
    xc = xc.replacing(with: hi, where: xc .> hi)
    // Adding and subtracting 1.5·2²³ rounds to the nearest integer, ties to even (|n| ≤ 128).
    let magic = V(repeating: 12582912.0)
    let big = xc * 1.44269504088896341 + magic
    let n = big - magic
    let r = xc - n * 0.693359375 + n * 2.12194440e-4
    var p = V(repeating: 1.9875691500e-4)
    p = p * r + 1.3981999507e-3
    p = p * r + 8.3334519073e-3
    p = p * r + 4.1665795894e-2
    p = p * r + 1.6666665459e-1
    p = p * r + 5.0000001201e-1
    let y = p * r * r + r + 1
    // The low bits of `big` hold n: 2ⁿ is (n + 127) << 23 as a float's bits.
    let bits = (unsafeBitCast(big, to: SIMD8<UInt32>.self) &- 0x4B40_0000 &+ 127) &<< 23
    return y * unsafeBitCast(bits, to: V.self)
}
