import Tensors
import WorkbenchCore

/// GELU with the tanh approximation used by GPT-2 (PyTorch `nn.GELU(approximate="tanh")`):
/// `gelu(x) = ½·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))`. Forward saves `tanh(u)`, so backward
/// needs no second tanh.
public enum GELU {
    static let s: Float = (2 / Float.pi).squareRoot()

    // x: [n] -> out: [n] and, unless nil (evaluation), tanh: [n] = tanh(u), u = √(2/π)(x + 0.044715·x³).
    public static func forward(out: UnsafeMutablePointer<Float>, tanh: UnsafeMutablePointer<Float>?,
                               x: UnsafePointer<Float>, count n: Int) {
        Parallel.forEachChunk(count: n, minChunk: 16384) { range in
            if let tanh {
                for i in range {
                    let v = x[i]
                    let t = fastTanh(s * (v + 0.044715 * v * v * v))
                    tanh[i] = t
                    out[i] = 0.5 * v * (1 + t)
                }
            } else {
                for i in range {
                    let v = x[i]
                    out[i] = 0.5 * v * (1 + fastTanh(s * (v + 0.044715 * v * v * v)))
                }
            }
        }
    }

    /// gelu'(v) = ½(1 + tanh u) + ½·v·(1 − tanh² u)·√(2/π)·(1 + 3·0.044715·v²).
    @inline(__always)
    static func derivative(_ v: Float, tanh t: Float) -> Float {
        0.5 * (1 + t) + 0.5 * v * (1 - t * t) * s * (1 + 3 * 0.044715 * v * v)
    }

    // d: [n] holds dL/dgelu(x) and becomes dL/dx, with tanh(u) saved by `forward`.
    public static func backwardInPlace(_ d: UnsafeMutablePointer<Float>, x: UnsafePointer<Float>,
                                       tanh: UnsafePointer<Float>, count n: Int) {
        Parallel.forEachChunk(count: n, minChunk: 16384) { range in
            for i in range {
                d[i] = derivative(x[i], tanh: tanh[i]) * d[i]
            }
        }
    }
}
