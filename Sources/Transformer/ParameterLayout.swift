/// Where each named parameter tensor sits inside the model's single flat buffer.
///
/// Gradients and AdamW moments use the same layout, so the optimiser is one loop over a flat
/// array. Names and shapes follow nanoGPT's PyTorch module (`transformer.h.0.attn.c_attn.weight`
/// is `[3·attnWidth, dModel]`), which is what the checkpoint and the reference fixture use.
public struct ParameterLayout: Sendable {
    /// What a tensor is, for weight-decay exclusions.
    public enum Kind: String, Sendable { case embedding, layerNorm, bias, weight }

    /// One named view into the flat buffer.
    public struct Tensor: Sendable {
        public let name: String
        public let shape: [Int]
        public let offset: Int
        public let kind: Kind
        public var count: Int { shape.reduce(1, *) }

        public init(name: String, shape: [Int], offset: Int, kind: Kind) {
            self.name = name; self.shape = shape; self.offset = offset; self.kind = kind
        }
    }

    /// Offsets of one block's tensors.
    public struct Block: Sendable {
        public let ln1w, ln1b, qkvw, qkvb, projw, projb, ln2w, ln2b, fcw, fcb, fcprojw, fcprojb: Int
    }

    public let tensors: [Tensor]
    public let total: Int
    public let wte, wpe, lnfw, lnfb, head: Int
    public let blocks: [Block]

    public init(_ c: GPTConfig) {
        var list: [Tensor] = []
        var at = 0
        func add(_ name: String, _ shape: [Int], _ kind: Kind) -> Int {
            let t = Tensor(name: name, shape: shape, offset: at, kind: kind)
            list.append(t)
            at += t.count
            return t.offset
        }
        let C = c.dModel, A = c.attnWidth, M = c.mlpWidth
        wte = add("transformer.wte.weight", [c.vocabSize, C], .embedding)
        wpe = add("transformer.wpe.weight", [c.nCtx, C], .embedding)
        var blocks: [Block] = []
        for l in 0..<c.nLayer {
            let p = "transformer.h.\(l)."
            blocks.append(Block(
                ln1w: add(p + "ln_1.weight", [C], .layerNorm), ln1b: add(p + "ln_1.bias", [C], .layerNorm),
                qkvw: add(p + "attn.c_attn.weight", [3 * A, C], .weight), qkvb: add(p + "attn.c_attn.bias", [3 * A], .bias),
                projw: add(p + "attn.c_proj.weight", [C, A], .weight), projb: add(p + "attn.c_proj.bias", [C], .bias),
                ln2w: add(p + "ln_2.weight", [C], .layerNorm), ln2b: add(p + "ln_2.bias", [C], .layerNorm),
                fcw: add(p + "mlp.c_fc.weight", [M, C], .weight), fcb: add(p + "mlp.c_fc.bias", [M], .bias),
                fcprojw: add(p + "mlp.c_proj.weight", [C, M], .weight), fcprojb: add(p + "mlp.c_proj.bias", [C], .bias)))
        }
        self.blocks = blocks
        lnfw = add("transformer.ln_f.weight", [C], .layerNorm)
        lnfb = add("transformer.ln_f.bias", [C], .layerNorm)
        head = add("lm_head.weight", [c.vocabSize, C], .weight)
        tensors = list
        total = at
    }

    public func tensor(named name: String) -> Tensor? { tensors.first { $0.name == name } }
}
