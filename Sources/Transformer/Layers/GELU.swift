import Tensors

/// GELU with the tanh approximation used by GPT-2 (PyTorch `nn.GELU(approximate="tanh")`):
/// `gelu(x) = ½·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))`.
public enum GELU {
    static let s: Float = (2 / Float.pi).squareRoot()

    // x: [n] -> out: [n]
    public static func forward(out: UnsafeMutablePointer<Float>, x: UnsafePointer<Float>, count n: Int) {
        Parallel.forEachChunk(count: n, minChunk: 16384) { range in
            for i in range {
                let v = x[i]
                let u = s * (v + 0.044715 * v * v * v)
                out[i] = 0.5 * v * (1 + fastTanh(u))
            }
        }
    }

    // x: [n] -> out: [n] and tanh: [n] = tanh(u), which backward reuses instead of a second tanh.
    public static func forward(out: UnsafeMutablePointer<Float>, tanh: UnsafeMutablePointer<Float>,
                               x: UnsafePointer<Float>, count n: Int) {
        Parallel.forEachChunk(count: n, minChunk: 16384) { range in
            for i in range {
                let v = x[i]
                let t = fastTanh(s * (v + 0.044715 * v * v * v))
                tanh[i] = t
                out[i] = 0.5 * v * (1 + t)
            }
        }
    }

    /// gelu'(v) = ½(1 + tanh u) + ½·v·(1 − tanh² u)·√(2/π)·(1 + 3·0.044715·v²), u = √(2/π)(v + 0.044715·v³).
    @inline(__always)
    static func derivative(_ v: Float) -> Float {
        derivative(v, tanh: fastTanh(s * (v + 0.044715 * v * v * v)))
    }

    @inline(__always)
    static func derivative(_ v: Float, tanh t: Float) -> Float {
        0.5 * (1 + t) + 0.5 * v * (1 - t * t) * s * (1 + 3 * 0.044715 * v * v)
    }

    // d: [n] holds dL/dgelu(x) and becomes dL/dx, with tanh(u) saved by `forward(out:tanh:x:count:)`.
    public static func backwardInPlace(_ d: UnsafeMutablePointer<Float>, x: UnsafePointer<Float>,
                                       tanh: UnsafePointer<Float>, count n: Int) {
        Parallel.forEachChunk(count: n, minChunk: 16384) { range in
            for i in range {
                d[i] = derivative(x[i], tanh: tanh[i]) * d[i]
            }
        }
    }

    // dout: [n] -> dx: [n] (+=)
    public static func backward(dx: UnsafeMutablePointer<Float>, x: UnsafePointer<Float>,
                                dout: UnsafePointer<Float>, count n: Int) {
        Parallel.forEachChunk(count: n, minChunk: 16384) { range in
            for i in range {
                dx[i] += derivative(x[i]) * dout[i]
            }
        }
    }
}
