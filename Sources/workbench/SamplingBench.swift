import Foundation
import Tensors
import Transformer

/// `workbench bench --sampling`: tokens per second when drawing one whole sequence (batch 1) at
/// a bench config's shape, with the key–value cache (`Sampler.generate`) and by rerunning the
/// full forward pass for every token (`Sampler.generateByRerunning`).
///
/// The cached rate is timed over a whole sequence of `nCtx` tokens. Rerunning costs grow with
/// the length, so its rate over a whole sequence is estimated from forward passes at `probes`
/// evenly spread lengths (the mean of their times is the mean time per token). Each timing is
/// the best of `repetitions` (robust to a busy machine).
enum SamplingBench {
    struct Rates { let cached: Double; let rerun: Double }

    static func measure(shape: BenchShape, probes: Int = 8, repetitions: Int = 3, saveWeights: URL? = nil) throws -> Rates {
        let cfg = shape.transformer
        let model = GPT(config: cfg, seed: 1)
        if let saveWeights { try save(model, to: saveWeights) }
        let clock = ContinuousClock()
        var sampler = Sampler(temperature: 1, seed: 1)
        _ = try sampler.generate(model: model, prompt: [0], count: min(32, cfg.nCtx - 1))   // warm-up
        var drawn: [Int32] = [], cachedSeconds = Double.infinity
        for _ in 0..<repetitions {
            let t0 = clock.now
            drawn = try sampler.generate(model: model, prompt: [0], count: cfg.nCtx - 1)
            cachedSeconds = min(cachedSeconds, (clock.now - t0).benchSeconds)
        }
        let tokens = [Int32(0)] + drawn
        var rerunSeconds = 0.0
        for i in 0..<probes {
            let t = max(1, cfg.nCtx * (2 * i + 1) / (2 * probes))
            let batch = TokenBatch(b: 1, t: t, inputs: Array(tokens.prefix(t)), targets: [Int32](repeating: 0, count: t))
            var best = Double.infinity
            for _ in 0..<repetitions {
                let t1 = clock.now
                model.forward(batch)
                best = min(best, (clock.now - t1).benchSeconds)
            }
            rerunSeconds += best
        }
        return Rates(cached: Double(cfg.nCtx - 1) / cachedSeconds, rerun: Double(probes) / rerunSeconds)
    }

    /// Writes the model's weights with nanoGPT's tensor names, for a peer to sample the same model
    /// (`tools/bench/torch_sampling_peer.py`).
    static func save(_ model: GPT, to url: URL) throws {
        let list = model.layout.tensors.map { t in
            (name: t.name, shape: t.shape, values: UnsafeBufferPointer(start: model.parameters.pointer(at: t.offset), count: t.count))
        }
        try Safetensors.write(list, metadata: ["format": "workbench-gpt"], to: url)
    }

    /// One JSON line: the cached sampling rate of one shape (what compare.py --sampling reads).
    static func jsonLine(shape: BenchShape, threads: Int, saveWeights: URL?) throws -> String {
        let r = try measure(shape: shape, saveWeights: saveWeights)
        return String(format: "{\"config\": \"%@\", \"n_ctx\": %d, \"cached_tokens_per_s\": %.1f, \"rerun_tokens_per_s\": %.2f, \"threads\": %d}",
                      shape.name, shape.model.nCtx, r.cached, r.rerun, threads)
    }

    static func report(shapes: [BenchShape], threads: Int) throws {
        print("sampling one sequence (batch 1) on \(threads) thread(s), OpenBLAS \(OpenBLASKernels.coreName) kernels; "
              + "rerun estimated from forward passes at 8 evenly spread lengths; best of 3")
        print("config   ctx    cached tok/s   rerun tok/s   speed-up")
        for shape in shapes {
            let r = try measure(shape: shape)
            print(String(format: "%-8@ %4d %15.0f %13.1f %9.0f×", shape.name, shape.transformer.nCtx, r.cached, r.rerun,
                         r.cached / r.rerun))
        }
    }
}
