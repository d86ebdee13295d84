import Tensors
import WorkbenchCore

/// A linear classifier over pooled sequence features with softmax cross-entropy: the head that
/// fine-tuning puts on a pre-trained body (see `GPT.forwardPooled`).
///
/// `logits = pooled · Wᵀ + b` with `W: [classes, width]`; the loss is the batch mean of
/// `−log softmax(logits)[label]`, in nats per sequence. Parameters and gradients are one flat
/// buffer each, named by `tensors` (`classifier.weight`, `classifier.bias`) for checkpoints
/// and the optimiser. A batch is `begin(labels:)`, then `forward` for each micro-batch (from
/// `forwardPooled`, on any thread, disjoint sequences), then `backward()` for the head's own
/// gradient.
///
///     head.begin(labels: labels)
///     gpt.forwardPooled(tokens: x, b: b, t: t, needsGradient: true, head: head.forward)
///     gpt.backward(); head.backward()
public final class ClassificationHead {
    public let classes: Int
    public let width: Int
    /// `classifier.weight` `[classes, width]` then `classifier.bias` `[classes]`.
    public let tensors: [ParameterLayout.Tensor]
    public let parameters: FloatBuffer
    public let gradients: FloatBuffer
    var pooled = FloatBuffer(count: 0)     // [b, width] of the current batch
    var logits = FloatBuffer(count: 0)     // [b, classes]
    var dlogits = FloatBuffer(count: 0)    // [b, classes]
    var losses = FloatBuffer(count: 0)     // [b]
    var unitWeights = FloatBuffer(count: 0)
    var labels: [Int32] = []

    /// Weights normal(0, 0.02) from `seed`, zero bias.
    public init(classes: Int, width: Int, seed: UInt64) {
        precondition(classes >= 2 && width >= 1, "a classifier needs at least two classes and one feature")
        self.classes = classes; self.width = width
        tensors = [ParameterLayout.Tensor(name: "classifier.weight", shape: [classes, width], offset: 0, kind: .weight),
                   ParameterLayout.Tensor(name: "classifier.bias", shape: [classes], offset: classes * width, kind: .bias)]
        parameters = FloatBuffer(count: classes * width + classes)
        gradients = FloatBuffer(count: parameters.count)
        var rng = SeededRNG(seed: seed)
        for i in 0..<(classes * width) { parameters[i] = rng.nextGaussian() * 0.02 }
    }

    var weight: UnsafeMutablePointer<Float> { parameters.base }
    var bias: UnsafeMutablePointer<Float> { parameters.base + classes * width }

    /// Starts a batch: one label (`0 ..< classes`) per sequence.
    public func begin(labels: [Int32]) {
        precondition(labels.allSatisfy { $0 >= 0 && Int($0) < classes }, "labels must lie in 0..<\(classes)")
        self.labels = labels
        let b = labels.count
        if pooled.count < b * width { pooled = FloatBuffer(count: b * width) }
        if logits.count < b * classes {
            logits = FloatBuffer(count: b * classes); dlogits = FloatBuffer(count: b * classes)
        }
        if losses.count < b {
            losses = FloatBuffer(count: b); unitWeights = FloatBuffer(count: b)
            unitWeights.base.update(repeating: 1, count: b)
        }
    }

    // pooled: [n, width] (sequences first ..< first+n) -> logits, losses, d loss / d logits of
    // those rows; dPooled: [n, width] = dlogits · W (overwritten) when given.
    public func forward(first: Int, count n: Int, pooled x: UnsafePointer<Float>, dPooled: UnsafeMutablePointer<Float>?) {
        let K = classes, C = width, b = labels.count
        let p = pooled.base + first * C, z = logits.base + first * K, dz = dlogits.base + first * K
        p.update(from: x, count: n * C)
        Linear.forward(out: z, x: p, weight: weight, bias: bias, rows: n, inC: C, outC: K)
        labels.withUnsafeBufferPointer { lab in
            SoftmaxCrossEntropy.rowsForwardBackward(losses: losses.base + first, dlogits: dz, logits: z,
                                                    targets: lab.baseAddress! + first, weights: unitWeights.base,
                                                    norm: 1 / Float(b), rows: n, v: K)
        }
        if let dPooled { Linear.backwardInput(dx: dPooled, dout: dz, weight: weight, rows: n, inC: C, outC: K) }
    }

    /// Adds the batch's gradient with respect to `W` and `b` into `gradients`.
    public func backward() {
        let b = labels.count
        Linear.backward(dx: nil, dweight: gradients.base, dbias: gradients.base + classes * width, dout: dlogits.base,
                        x: pooled.base, weight: weight, rows: b, inC: width, outC: classes)
    }

    public func zeroGradients() { gradients.zero() }

    /// Mean loss of the batch, nats per sequence.
    public var meanLossNats: Double {
        let b = labels.count
        return (0..<b).reduce(0.0) { $0 + Double(losses[$1]) } / Double(max(1, b))
    }

    /// Per-sequence losses of the batch (nats).
    public var sequenceLosses: [Float] { losses.array(offset: 0, count: labels.count) }

    /// The most likely class of each sequence of the batch.
    public var predictions: [Int] {
        (0..<labels.count).map { s in
            let row = logits.base + s * classes
            return (0..<classes).max { row[$0] < row[$1] }!
        }
    }
}
