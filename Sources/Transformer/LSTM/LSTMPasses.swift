import Tensors

/// Forward and backward of one group of sequences through the whole LSTM model, side by side.
/// Token order inside the model is time-major (row `t·b + s`); the batch is batch-major
/// (row `s·T + t`), so the embedding lookup and the head's input are where the two meet.
extension LSTM {
    // tokens: [b, T] -> logits: [b, T, V], losses: [b, T]; with `needsGradient`, a.dlogits.
    func runForward(_ m: MicroBatch, a: LSTMActivations, logits: UnsafeMutablePointer<Float>,
                    losses: UnsafeMutablePointer<Float>, norm: Float, needsGradient: Bool) {
        let b = m.b, T = m.t, H = config.width, V = config.vocabSize, R = m.rows, full = a.rows
        let P = parameters.base
        // Embedding, time-major: x0[t·b + s] = E[token[s, t]].
        for s in 0..<b {
            for t in 0..<T {
                (a.x0.base + (t * b + s) * H).update(from: P + embedding + Int(m.tokens[s * T + t]) * H, count: H)
            }
        }
        var x = UnsafePointer(a.x0.base)
        for (l, w) in layers.enumerated() {
            let h = a.h.base + l * full * H
            LSTMLayer.forward(h: h, c: a.c.base + l * full * H, tanhC: a.tanhC.base + l * full * H,
                              gates: a.gates.base + l * full * 4 * H, x: x, wih: P + w.wih, whh: P + w.whh,
                              bih: P + w.bih, bhh: P + w.bhh, t: T, b: b, inC: H, hidden: H)
            x = UnsafePointer(h)
        }
        // Head on the top layer's h, batch-major: top[s·T + t] = h[t·b + s].
        for s in 0..<b {
            for t in 0..<T { (a.top.base + (s * T + t) * H).update(from: x + (t * b + s) * H, count: H) }
        }
        Linear.forward(out: logits, x: a.top.base, weight: P + head, bias: nil, rows: R, inC: H, outC: V)
        SoftmaxCrossEntropy.rowsForwardBackward(losses: losses, dlogits: needsGradient ? a.dlogits.base : nil,
                                                logits: logits, targets: m.targets, weights: m.weights,
                                                norm: norm, rows: R, v: V)
    }

    // a.dlogits: [b, T, V] -> every parameter's gradient (+= into grads, laid out as `parameters`).
    func runBackward(_ m: MicroBatch, a: LSTMActivations, grads G: UnsafeMutablePointer<Float>) {
        let b = m.b, T = m.t, H = config.width, V = config.vocabSize, R = m.rows, full = a.rows
        let P = parameters.base
        Linear.backward(dx: nil, dweight: G + head, dbias: nil, dout: a.dlogits.base, x: a.top.base,
                        weight: P + head, rows: R, inC: H, outC: V)
        Linear.backwardInput(dx: a.dtop.base, dout: a.dlogits.base, weight: P + head, rows: R, inC: H, outC: V)
        var dh = a.dh.base, dx = a.dx.base
        for s in 0..<b {
            for t in 0..<T { (dh + (t * b + s) * H).update(from: a.dtop.base + (s * T + t) * H, count: H) }
        }
        for l in stride(from: config.nLayer - 1, through: 0, by: -1) {
            let w = layers[l]
            let x = l == 0 ? a.x0.base : a.h.base + (l - 1) * full * H
            LSTMLayer.backward(dx: dx, dwih: G + w.wih, dwhh: G + w.whh, dbih: G + w.bih, dbhh: G + w.bhh,
                               dh: dh, dgates: a.dgates.base, dc: a.dc.base, x: x,
                               gates: a.gates.base + l * full * 4 * H, c: a.c.base + l * full * H,
                               tanhC: a.tanhC.base + l * full * H, h: a.h.base + l * full * H,
                               wih: P + w.wih, whh: P + w.whh, t: T, b: b, inC: H, hidden: H)
            swap(&dh, &dx)   // the gradient into this layer's input is the gradient into the h below
        }
        // Embedding: E[token] += dx0, in a fixed order.
        for s in 0..<b {
            for t in 0..<T {
                let e = G + embedding + Int(m.tokens[s * T + t]) * H, g = dh + (t * b + s) * H
                for i in 0..<H { e[i] += g[i] }
            }
        }
    }
}

/// The LSTM's `TokenDecoder`: the hidden and cell state of every layer after every decoded
/// position (so `rewind` is exact), at most `nCtx` positions.
final class LSTMDecoder: TokenDecoder {
    let model: LSTM
    /// `[nCtx + 1, nLayer, 2, H]`: slot p holds (h, c) of every layer after p tokens (slot 0 = zeros).
    let states: FloatBuffer
    let gates: FloatBuffer, tanhC: FloatBuffer, logits: FloatBuffer
    private(set) var count = 0

    init(model: LSTM) {
        self.model = model
        let c = model.config
        states = FloatBuffer(count: (c.nCtx + 1) * c.nLayer * 2 * c.width)
        gates = FloatBuffer(count: 4 * c.width); tanhC = FloatBuffer(count: c.width)
        logits = FloatBuffer(count: c.vocabSize)
    }

    var capacity: Int { model.config.nCtx }

    func rewind(to position: Int) {
        precondition(position >= 0 && position <= count, "LSTMDecoder.rewind(to: \(position)) outside 0...\(count)")
        count = position
    }

    func decode(token: Int32) throws -> [Float] {
        let cfg = model.config, H = cfg.width, V = cfg.vocabSize, P = model.parameters.base
        guard count < cfg.nCtx else { throw KVCacheError.full(nCtx: cfg.nCtx) }
        precondition(token >= 0 && Int(token) < V, "token \(token) outside the vocabulary of \(V)")
        let slot = 2 * cfg.nLayer * H
        let before = states.base + count * slot, after = states.base + (count + 1) * slot
        var x = UnsafePointer(P + model.embedding + Int(token) * H)
        for (l, w) in model.layers.enumerated() {
            let hPrev = before + 2 * l * H, cPrev = hPrev + H
            let h = after + 2 * l * H, c = h + H
            let g = gates.base
            for k in 0..<(4 * H) { g[k] = P[w.bih + k] + P[w.bhh + k] }
            BLAS.sgemm(transB: true, m: 1, n: 4 * H, k: H, a: x, b: P + w.wih, beta: 1, c: g)
            BLAS.sgemm(transB: true, m: 1, n: 4 * H, k: H, a: hPrev, b: P + w.whh, beta: 1, c: g)
            LSTMLayer.cellForward(gates: g, cPrev: cPrev, c: c, tanhC: tanhC.base, h: h, rows: 1, hidden: H)
            x = UnsafePointer(h)
        }
        Linear.forward(out: logits.base, x: x, weight: P + model.head, bias: nil, rows: 1, inC: H, outC: V)
        count += 1
        return logits.array(offset: 0, count: V)
    }
}
