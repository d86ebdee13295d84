import Tensors

/// The keys and values of every layer for the positions a model has decoded so far, so that the
/// next position attends to them without recomputing the prefix: decoding `n` tokens costs work
/// linear in the position per token instead of a full pass over the context.
///
/// Holds up to `config.nCtx` positions (`[nLayer, nCtx, attnWidth]` keys and as many values),
/// plus the one-row scratch activations of `GPT.decode`. `count` is the next position to
/// decode; `rewind(to:)` forgets later positions (they are overwritten when decoded again).
///
///     let cache = KVCache(config: gpt.config)
///     var logits = try gpt.decode(token: start, position: 0, cache: cache)
public final class KVCache {
    public let config: GPTConfig
    /// Positions held; the position the next `decode` must be given.
    public private(set) var count = 0
    let keys: FloatBuffer, values: FloatBuffer          // [L, nCtx, A] each
    // One-row scratch of `GPT.decode`.
    let residual: FloatBuffer                           // [C] the residual stream
    let normed: FloatBuffer                             // [C] a layer norm's output
    let qkv: FloatBuffer                                // [3A]
    let attended: FloatBuffer                           // [A]
    let fc: FloatBuffer, gelu: FloatBuffer, tanh: FloatBuffer   // [M] each
    let scores: FloatBuffer                             // [nCtx] one head's attention row
    let logits: FloatBuffer                             // [V]
    let stats: FloatBuffer                              // [2] layer-norm mean and rstd

    public init(config: GPTConfig) {
        self.config = config
        let perLayer = config.nCtx * config.attnWidth
        keys = FloatBuffer(count: config.nLayer * perLayer)
        values = FloatBuffer(count: config.nLayer * perLayer)
        residual = FloatBuffer(count: config.dModel)
        normed = FloatBuffer(count: config.dModel)
        qkv = FloatBuffer(count: 3 * config.attnWidth)
        attended = FloatBuffer(count: config.attnWidth)
        fc = FloatBuffer(count: config.mlpWidth)
        gelu = FloatBuffer(count: config.mlpWidth)
        tanh = FloatBuffer(count: config.mlpWidth)
        scores = FloatBuffer(count: config.nCtx)
        logits = FloatBuffer(count: config.vocabSize)
        stats = FloatBuffer(count: 2)
    }

    /// Whether every position up to `nCtx` is taken.
    public var isFull: Bool { count == config.nCtx }

    /// Keeps positions `0..<position` and forgets the rest; `rewind(to: 0)` empties the cache.
    public func rewind(to position: Int) {
        precondition(position >= 0 && position <= count, "KVCache.rewind(to: \(position)) outside 0...\(count)")
        count = position
    }

    /// Keys of layer `l`, `[nCtx, A]`.
    func keys(layer l: Int) -> UnsafeMutablePointer<Float> { keys.base + l * config.nCtx * config.attnWidth }
    /// Values of layer `l`, `[nCtx, A]`.
    func values(layer l: Int) -> UnsafeMutablePointer<Float> { values.base + l * config.nCtx * config.attnWidth }

    /// Marks one more position as held (after its keys and values are written).
    func advance() { count += 1 }
}

/// Why a position could not be decoded.
public enum KVCacheError: Error, Equatable, CustomStringConvertible {
    /// Every one of the model's `nCtx` positions is taken.
    case full(nCtx: Int)
    /// Positions must be decoded in order: the cache expected `expected`.
    case outOfOrder(expected: Int, got: Int)

    public var description: String {
        switch self {
        case let .full(n): return "the key-value cache is full: the model has n_ctx = \(n) positions (rewind or start a new cache)"
        case let .outOfOrder(e, g): return "position \(g) decoded out of order: the key-value cache holds \(e) positions, so the next is \(e)"
        }
    }
}
