import Tensors

/// Token plus learned position embedding: `out[b, t] = wte[token[b, t]] + wpe[t]`.
public enum Embedding {
    // tokens: [B, T], wte: [V, C], wpe: [maxT, C] -> out: [B, T, C]
    public static func forward(out: UnsafeMutablePointer<Float>, tokens: UnsafePointer<Int32>,
                               wte: UnsafePointer<Float>, wpe: UnsafePointer<Float>, b: Int, t: Int, c: Int) {
        for bt in 0..<(b * t) {
            let pos = bt % t
            let o = out + bt * c, e = wte + Int(tokens[bt]) * c, p = wpe + pos * c
            for i in 0..<c { o[i] = e[i] + p[i] }
        }
    }

    // dout: [B, T, C] -> dwte: [V, C] (+=), dwpe: [maxT, C] (+=); fixed order, deterministic.
    public static func backward(dwte: UnsafeMutablePointer<Float>, dwpe: UnsafeMutablePointer<Float>,
                                dout: UnsafePointer<Float>, tokens: UnsafePointer<Int32>, b: Int, t: Int, c: Int) {
        for bt in 0..<(b * t) {
            let pos = bt % t
            let g = dout + bt * c, e = dwte + Int(tokens[bt]) * c, p = dwpe + pos * c
            for i in 0..<c { e[i] += g[i]; p[i] += g[i] }
        }
    }
}
