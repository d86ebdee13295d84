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

    // dout: [n] -> dx: [n] (+=)
    public static func backward(dx: UnsafeMutablePointer<Float>, x: UnsafePointer<Float>,
                                dout: UnsafePointer<Float>, count n: Int) {
        Parallel.forEachChunk(count: n, minChunk: 16384) { range in
            for i in range {
                let v = x[i]
                let u = s * (v + 0.044715 * v * v * v)
                let t = fastTanh(u)
                let sech2 = 1 - t * t
                let local = 0.5 * (1 + t) + 0.5 * v * sech2 * s * (1 + 3 * 0.044715 * v * v)
                dx[i] += local * dout[i]
            }
        }
    }

    // d: [n] holds dL/dgelu(x) and becomes dL/dx in place: d *= gelu'(x).
    public static func backwardInPlace(_ d: UnsafeMutablePointer<Float>, x: UnsafePointer<Float>, count n: Int) {
        Parallel.forEachChunk(count: n, minChunk: 16384) { range in
            for i in range {
                let v = x[i]
                let u = s * (v + 0.044715 * v * v * v)
                let t = fastTanh(u)
                let sech2 = 1 - t * t
                let local = 0.5 * (1 + t) + 0.5 * v * sech2 * s * (1 + 3 * 0.044715 * v * v)
                d[i] = local * d[i]
            }
        }
    }
}
