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

    /// gelu'(v) = ½(1 + tanh u) + ½·v·(1 − tanh² u)·√(2/π)·(1 + 3·0.044715·v²), u = √(2/π)(v + 0.044715·v³).
    @inline(__always)
    static func derivative(_ v: Float) -> Float {
        let t = fastTanh(s * (v + 0.044715 * v * v * v))
        return 0.5 * (1 + t) + 0.5 * v * (1 - t * t) * s * (1 + 3 * 0.044715 * v * v)
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

    // d: [n] holds dL/dgelu(x) and becomes dL/dx in place: d *= gelu'(x).
    public static func backwardInPlace(_ d: UnsafeMutablePointer<Float>, x: UnsafePointer<Float>, count n: Int) {
        Parallel.forEachChunk(count: n, minChunk: 16384) { range in
            for i in range {
                d[i] = derivative(x[i]) * d[i]
            }
        }
    }
}
