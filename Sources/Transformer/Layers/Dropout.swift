import Tensors
import WorkbenchCore

/// Inverted dropout whose mask is a pure function of `(seed, stream, index)`, so nothing is
/// stored: forward and backward regenerate the same mask, and a run resumed at step s draws the
/// same masks as the unbroken run. Kept elements are scaled by `1/(1 − p)`.
public struct Dropout {
    public let p: Float
    public let seed: UInt64

    public init(p: Float, seed: UInt64) { self.p = p; self.seed = seed }

    /// Whether element `i` of mask `stream` is kept (splitmix64 of the three keys).
    @inline(__always)
    public func keeps(stream: Int, _ i: Int) -> Bool {
        var z = seed &+ UInt64(stream) &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(i) &* 0xD1B5_4A32_D192_ED03
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return Float(z >> 40) * 0x1p-24 >= p
    }

    // x: [n] -> x ∘ mask / (1 − p), in place. Backward is the same operation on the gradient.
    // `offset` is the index of x[0] in the whole mask (a micro-batch's first element in its batch).
    public func apply(_ x: UnsafeMutablePointer<Float>, count n: Int, stream: Int, offset: Int = 0) {
        let scale = 1 / (1 - p)
        Parallel.forEachChunk(count: n, minChunk: 16384) { range in
            for i in range { x[i] = keeps(stream: stream, offset + i) ? x[i] * scale : 0 }
        }
    }
}
