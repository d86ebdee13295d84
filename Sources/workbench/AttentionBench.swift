import Foundation
import Tensors
import Transformer
import WorkbenchCore

/// `workbench bench --attention`: forward + backward of one causal attention layer at a bench
/// config's shape (one micro-batch of sequences, one thread), through the hand SIMD kernels and
/// through OpenBLAS, taking turns, best of several repetitions (the minimum is robust to a noisy
/// machine).
enum AttentionBench {
    struct Timing { let kernel: String; let seconds: Double; let gflops: Double }

    /// Times `attention` on `b` sequences of `t` tokens: forward keeping probabilities when the
    /// model would, then backward. FLOPs count the causal products only (4 forward, 8 backward
    /// multiply-adds per visible query-key pair and head dimension).
    static func measure(shape: BenchShape, microBatchRows: Int, repetitions: Int = 15) -> [Timing] {
        let c = shape.transformer, t = c.nCtx, b = max(1, microBatchRows / t)
        let hd = c.headDim, heads = c.nHead, a = heads * hd
        var rng = SeededRNG(seed: 1)
        let qkv = FloatBuffer(count: b * t * 3 * a), dout = FloatBuffer(count: b * t * a)
        for i in 0..<qkv.count { qkv.base[i] = rng.nextGaussian() }
        for i in 0..<dout.count { dout.base[i] = rng.nextGaussian() }
        let out = FloatBuffer(count: b * t * a), lse = FloatBuffer(count: b * heads * t)
        let dqkv = FloatBuffer(count: b * t * 3 * a)
        let pairs = Double(b * heads) * Double(t) * Double(t + 1) / 2
        let flops = pairs * Double(hd) * 2 * 6
        let savedWorkers = Parallel.workers, savedBLAS = BLAS.threads
        Parallel.workers = 1; BLAS.threads = 1
        defer { Parallel.workers = savedWorkers; BLAS.threads = savedBLAS }
        // The kernels take turns, repetition by repetition, so a slow phase of a shared machine
        // hits both alike; each keeps its best time.
        var runs = [CausalSelfAttention(heads: heads, headDim: hd, simdKernels: false, streamingKernels: false)]
        let simd = CausalSelfAttention(heads: heads, headDim: hd)
        if simd.usesSIMDKernels { runs.insert(simd, at: 0) }
        let scratch = FloatBuffer(count: runs.map { $0.scratchPerWorker(t: t) }.max()!)
        let keep = t <= CausalSelfAttention.keepProbabilitiesUpTo
        let kept = keep ? FloatBuffer(count: b * heads * runs[0].probabilitiesPerHead(t: t)) : nil
        var best = [Double](repeating: .infinity, count: runs.count)
        for _ in 0..<repetitions {
            for (i, attn) in runs.enumerated() {
                dqkv.base.update(repeating: 0, count: dqkv.count)
                let start = DispatchTime.now().uptimeNanoseconds
                attn.forward(out: out.base, lse: lse.base, qkv: qkv.base, b: b, t: t, scratch: scratch,
                             probabilities: kept?.base)
                attn.backward(dqkv: dqkv.base, dout: dout.base, qkv: qkv.base, out: out.base, lse: lse.base,
                              b: b, t: t, scratch: scratch, probabilities: kept.map { UnsafePointer($0.base) })
                best[i] = min(best[i], Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9)
            }
        }
        return zip(runs, best).map { attn, s in
            Timing(kernel: attn.usesSIMDKernels ? "simd" : "openblas", seconds: s, gflops: flops / s / 1e9)
        }
    }

    static func report(shapes: [BenchShape], microBatchRows: Int?) {
        print("attention forward+backward, one thread, best of 15   (b × t, heads × head dim)")
        for shape in shapes {
            let rows = microBatchRows ?? GPT.defaultMicroBatchRows
            let c = shape.transformer, b = max(1, rows / c.nCtx)
            let cells = measure(shape: shape, microBatchRows: rows).map {
                String(format: "%@ %8.2f ms %6.1f GFLOP/s", $0.kernel, $0.seconds * 1e3, $0.gflops)
            }
            let name = shape.name.padding(toLength: 8, withPad: " ", startingAt: 0)
            print(name + String(format: "%2d × %4d, %d × %2d   ", b, c.nCtx, c.nHead, c.headDim)
                  + cells.joined(separator: "   "))
        }
    }
}
