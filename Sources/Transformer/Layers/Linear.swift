import Tensors

/// A fully connected layer `out = x · Wᵀ + b` with PyTorch's weight layout `W: [OC, IC]`.
public enum Linear {
    // x: [R, IC], weight: [OC, IC], bias: [OC]? -> out: [R, OC]  (out += … when `accumulate`,
    // which adds a residual branch onto the stream without a temporary)
    public static func forward(out: UnsafeMutablePointer<Float>, x: UnsafePointer<Float>,
                               weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                               rows: Int, inC: Int, outC: Int, accumulate: Bool = false) {
        if let bias {
            for r in 0..<rows {
                let o = out + r * outC
                if accumulate { for i in 0..<outC { o[i] += bias[i] } } else { o.update(from: bias, count: outC) }
            }
        }
        BLAS.sgemmSplit(transB: true, m: rows, n: outC, k: inC, a: x, b: weight,
                   beta: (bias == nil && !accumulate) ? 0 : 1, c: out)
    }

    // dout: [R, OC] -> dx: [R, IC] (+=), dweight: [OC, IC] (+=), dbias: [OC] (+=)
    public static func backward(dx: UnsafeMutablePointer<Float>?, dweight: UnsafeMutablePointer<Float>,
                                dbias: UnsafeMutablePointer<Float>?, dout: UnsafePointer<Float>,
                                x: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                                rows: Int, inC: Int, outC: Int) {
        if let dx {
            BLAS.sgemmSplit(m: rows, n: inC, k: outC, a: dout, b: weight, beta: 1, c: dx)
        }
        BLAS.sgemmSplit(transA: true, m: outC, n: inC, k: rows, a: dout, b: x, beta: 1, c: dweight)
        if let dbias { ColumnSums.accumulate(into: dbias, matrix: dout, rows: rows, c: outC) }
    }

    // dout: [R, OC] -> dx: [R, IC] (overwritten: dx = dout · W); the input half of `backward`.
    public static func backwardInput(dx: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>,
                                     weight: UnsafePointer<Float>, rows: Int, inC: Int, outC: Int) {
        BLAS.sgemmSplit(m: rows, n: inC, k: outC, a: dout, b: weight, beta: 0, c: dx)
    }
}
