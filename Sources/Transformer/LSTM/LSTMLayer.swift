import Tensors

/// One LSTM layer over whole sequences, forward and backward through time side by side, with
/// PyTorch's equations and gate order (i, f, g, o):
///
///     a = x_t·W_ihᵀ + b_ih + h_{t−1}·W_hhᵀ + b_hh          (a: [4H] = a_i, a_f, a_g, a_o)
///     i = σ(a_i), f = σ(a_f), g = tanh(a_g), o = σ(a_o)
///     c_t = f·c_{t−1} + i·g,  h_t = o·tanh(c_t)             (h_{−1} = c_{−1} = 0)
///
/// Rows are time-major (row `t·b + s` is step `t` of sequence `s`), so each step's `b` rows are
/// contiguous. The input products of every step are one `sgemm` over the whole sequence, as are
/// all weight gradients and the gradient to the input; only the recurrent product `h_{t−1}·W_hhᵀ`
/// (and its transpose in backward) runs step by step.
public enum LSTMLayer {
    @inline(__always) static func sigmoid(_ x: Float) -> Float { 1 / (1 + fastExp(-x)) }

    // x: [T·b, I], wih: [4H, I], whh: [4H, H], bih/bhh: [4H]
    //   -> gates: [T·b, 4H] (activated i, f, g, o), c: [T·b, H], tanhC: [T·b, H], h: [T·b, H]
    public static func forward(h: UnsafeMutablePointer<Float>, c: UnsafeMutablePointer<Float>,
                               tanhC: UnsafeMutablePointer<Float>, gates: UnsafeMutablePointer<Float>,
                               x: UnsafePointer<Float>, wih: UnsafePointer<Float>, whh: UnsafePointer<Float>,
                               bih: UnsafePointer<Float>, bhh: UnsafePointer<Float>,
                               t T: Int, b: Int, inC: Int, hidden H: Int) {
        let G = 4 * H, R = T * b
        // Input half of every step's pre-activations at once: gates = b_ih + b_hh + x·W_ihᵀ.
        for r in 0..<R {
            let g = gates + r * G
            for k in 0..<G { g[k] = bih[k] + bhh[k] }
        }
        BLAS.sgemmSplit(transB: true, m: R, n: G, k: inC, a: x, b: wih, beta: 1, c: gates)
        for t in 0..<T {
            let g = gates + t * b * G
            if t > 0 {   // + h_{t−1}·W_hhᵀ
                BLAS.sgemm(transB: true, m: b, n: G, k: H, a: h + (t - 1) * b * H, b: whh, beta: 1, c: g)
            }
            let cPrev: UnsafePointer<Float>? = t > 0 ? UnsafePointer(c + (t - 1) * b * H) : nil
            cellForward(gates: g, cPrev: cPrev, c: c + t * b * H, tanhC: tanhC + t * b * H, h: h + t * b * H, rows: b, hidden: H)
        }
    }

    // dh: [T·b, H] gradient of the loss with respect to h from above (used as scratch: the
    // recurrent gradient is added into it), x, gates, c, tanhC, h as saved by `forward`
    //   -> dx: [T·b, I] (overwritten) when given; dwih: [4H, I], dwhh: [4H, H], dbih, dbhh: [4H] (+=)
    // scratch: dgates [T·b, 4H], dc [b, H]
    public static func backward(dx: UnsafeMutablePointer<Float>?, dwih: UnsafeMutablePointer<Float>,
                                dwhh: UnsafeMutablePointer<Float>, dbih: UnsafeMutablePointer<Float>,
                                dbhh: UnsafeMutablePointer<Float>, dh: UnsafeMutablePointer<Float>,
                                dgates: UnsafeMutablePointer<Float>, dc: UnsafeMutablePointer<Float>,
                                x: UnsafePointer<Float>, gates: UnsafePointer<Float>, c: UnsafePointer<Float>,
                                tanhC: UnsafePointer<Float>, h: UnsafePointer<Float>,
                                wih: UnsafePointer<Float>, whh: UnsafePointer<Float>,
                                t T: Int, b: Int, inC: Int, hidden H: Int) {
        let G = 4 * H, R = T * b
        dc.update(repeating: 0, count: b * H)
        for t in stride(from: T - 1, through: 0, by: -1) {
            let cPrev: UnsafePointer<Float>? = t > 0 ? c + (t - 1) * b * H : nil
            cellBackward(dgates: dgates + t * b * G, dc: dc, dh: dh + t * b * H, gates: gates + t * b * G,
                         cPrev: cPrev, tanhC: tanhC + t * b * H, rows: b, hidden: H)
            if t > 0 {   // dh_{t−1} += da_t · W_hh
                BLAS.sgemm(m: b, n: H, k: G, a: dgates + t * b * G, b: whh, beta: 1, c: dh + (t - 1) * b * H)
            }
        }
        // Weight gradients over the whole sequence: dW_ih += daᵀ·x, dW_hh += da_{1…}ᵀ·h_{…T−2}.
        BLAS.sgemmSplit(transA: true, m: G, n: inC, k: R, a: dgates, b: x, beta: 1, c: dwih)
        if T > 1 {
            BLAS.sgemmSplit(transA: true, m: G, n: H, k: R - b, a: dgates + b * G, b: h, beta: 1, c: dwhh)
        }
        ColumnSums.accumulate(into: dbih, matrix: dgates, rows: R, c: G)
        ColumnSums.accumulate(into: dbhh, matrix: dgates, rows: R, c: G)
        if let dx { BLAS.sgemmSplit(m: R, n: inC, k: G, a: dgates, b: wih, beta: 0, c: dx) }
    }

    // gates: [rows, 4H] pre-activations (overwritten with i, f, g, o), cPrev: [rows, H] (nil = 0)
    //   -> c, tanhC, h: [rows, H]
    @inline(__always)
    static func cellForward(gates: UnsafeMutablePointer<Float>, cPrev: UnsafePointer<Float>?,
                            c: UnsafeMutablePointer<Float>, tanhC: UnsafeMutablePointer<Float>,
                            h: UnsafeMutablePointer<Float>, rows: Int, hidden H: Int) {
        for s in 0..<rows {
            let a = gates + s * 4 * H
            let ai = a, af = a + H, ag = a + 2 * H, ao = a + 3 * H
            let cs = c + s * H, ts = tanhC + s * H, hs = h + s * H
            for j in 0..<H {
                let i = sigmoid(ai[j]), f = sigmoid(af[j]), g = fastTanh(ag[j]), o = sigmoid(ao[j])
                ai[j] = i; af[j] = f; ag[j] = g; ao[j] = o
                let cv = (cPrev.map { f * $0[s * H + j] } ?? 0) + i * g
                let tc = fastTanh(cv)
                cs[j] = cv; ts[j] = tc; hs[j] = o * tc
            }
        }
    }

    // dh: [rows, H] gradient reaching h_t, dc: [rows, H] gradient reaching c_t from step t+1
    //   -> dgates: [rows, 4H] gradient of the pre-activations; dc ← gradient reaching c_{t−1}
    @inline(__always)
    static func cellBackward(dgates: UnsafeMutablePointer<Float>, dc: UnsafeMutablePointer<Float>,
                             dh: UnsafePointer<Float>, gates: UnsafePointer<Float>, cPrev: UnsafePointer<Float>?,
                             tanhC: UnsafePointer<Float>, rows: Int, hidden H: Int) {
        for s in 0..<rows {
            let a = gates + s * 4 * H, d = dgates + s * 4 * H
            let dcs = dc + s * H, dhs = dh + s * H, ts = tanhC + s * H
            for j in 0..<H {
                let i = a[j], f = a[H + j], g = a[2 * H + j], o = a[3 * H + j]
                let tc = ts[j], dhv = dhs[j]
                let dcv = dhv * o * (1 - tc * tc) + dcs[j]
                let cp = cPrev.map { $0[s * H + j] } ?? 0
                d[j] = dcv * g * i * (1 - i)
                d[H + j] = dcv * cp * f * (1 - f)
                d[2 * H + j] = dcv * i * (1 - g * g)
                d[3 * H + j] = dhv * tc * o * (1 - o)
                dcs[j] = dcv * f
            }
        }
    }
}
