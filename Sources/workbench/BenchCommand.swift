import ArgumentParser
import Foundation
import Tensors
import Training
import Transformer
import WorkbenchCore

/// `workbench bench`: training and evaluation throughput of the transformer core on fixed model
/// shapes, next to the `cblas_sgemm` rate of this machine, and each config's peak memory.
///
/// Each config runs in its own child process (so peak memory is per config), unless `--config`
/// names one, which then runs in this process:
///
///     workbench bench                          # all configs, one table
///     workbench bench --config medium --steps 5
///     workbench bench --config tiny --json     # one JSON line (tools/bench/compare.py reads it)
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure training and evaluation tokens/s, model GFLOP/s and peak memory on fixed model shapes.",
        discussion: """
        Configs (8192 tokens per step at context 256): \(BenchShape.all.map(\.summary).joined(separator: "; ")).
        Model FLOPs per training token, as spent: 6·N + 6·n_layer·n_ctx·attn_width (Kaplan et al.) + 6·d_model·vocab (output layer).
        """)

    @Option(help: "One config (\(BenchShape.all.map(\.name).joined(separator: ", "))); default: all, each in its own process.")
    var config: String?
    @Option(help: "Timed training steps (default: per config, about 10–20 s each).") var steps: Int?
    @Option(help: "Untimed warm-up steps before the timed ones.") var warmup = 2
    @Option(help: "Threads (ours and OpenBLAS's); 0 = all cores.") var threads = 0
    @Flag(help: "Print one JSON line per config instead of the table.") var json = false
    @Flag(help: "Only measure cblas_sgemm and print it as one JSON line.") var sgemmOnly = false
    @Option(help: "Tokens per micro-batch (whole sequences; default: the model's, \(GPT.defaultMicroBatchRows)).")
    var microBatchRows: Int?
    @Flag(help: "Time one attention layer (forward + backward, one thread) with the SIMD kernels and with OpenBLAS.")
    var attention = false
    @Flag(help: "Time drawing one sequence (batch 1) with the key–value cache and by rerunning the model for every token, on the image (3072 tokens) and text shapes.")
    var sampling = false
    @Option(help: ArgumentHelp("With --sampling and --config: write the sampled model's weights (safetensors, nanoGPT names) here.",
                               discussion: "tools/bench/compare.py --sampling gives them to the PyTorch peer, which samples the same model."))
    var saveWeights: String?
    @Flag(help: ArgumentHelp("With --config: after the warm-up print 'ready', then run timed steps on request ('step K' on stdin answers one JSON line with their seconds, 'eval K' likewise for forward-only evaluation passes) until 'done'; then as --json.",
                             discussion: "tools/bench/compare.py uses this to interleave our steps with PyTorch's."))
    var serve = false

    func run() throws {
        let threadCount = threads > 0 ? threads : ProcessInfoCores.count
        Parallel.workers = threadCount
        BLAS.threads = threadCount
        if sgemmOnly {
            var line: [String: Any] = ["sgemm_gflops": (SGEMMRate.measure() * 10).rounded() / 10,
                                       "openblas_core": OpenBLASKernels.coreName,
                                       "openblas_detected_core": OpenBLASKernels.detectedCoreName,
                                       "cpu": CPUFeatures.modelName, "cpu_features": CPUFeatures.current.summary]
            if let c = OpenBLASKernels.confirmation {
                line["confirm_gflops_detected"] = (c.detectedGFLOPs * 10).rounded() / 10
                line["confirm_gflops_chosen"] = (c.chosenGFLOPs * 10).rounded() / 10
            }
            if let warning = OpenBLASKernels.shortfall { line["warning"] = warning }
            let data = try JSONSerialization.data(withJSONObject: line, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
            return
        }
        let chosen = try config.map { name in
            guard let shape = BenchShape.named(name) else {
                throw ValidationError("unknown bench config '\(name)'; choose one of \(BenchShape.all.map(\.name).joined(separator: ", "))")
            }
            return shape
        }
        if (sampling || attention), let chosen, chosen.model.transformer == nil {
            throw ValidationError("--sampling and --attention time transformers; '\(chosen.name)' is an LSTM")
        }
        if sampling, json || saveWeights != nil {
            guard let shape = chosen else { throw ValidationError("--sampling with --json or --save-weights needs --config") }
            print(try SamplingBench.jsonLine(shape: shape, threads: threadCount, saveWeights: saveWeights.map { URL(fileURLWithPath: $0) }))
            return
        }
        if sampling {
            try SamplingBench.report(shapes: chosen.map { [$0] } ?? BenchShape.all.filter { ["image", "small"].contains($0.name) },
                                     threads: threadCount)
            return
        }
        if attention {
            AttentionBench.report(shapes: chosen.map { [$0] } ?? BenchShape.all.filter { $0.model.transformer != nil }, microBatchRows: microBatchRows)
            return
        }
        if let shape = chosen {
            let result = BenchRunner(shape: shape, steps: steps ?? shape.defaultSteps, warmup: warmup,
                                     microBatchRows: microBatchRows, serve: serve).run()
            if json || serve { print(result.jsonLine(sgemmGFLOPs: nil)); return }
            let rate = SGEMMRate.measure()
            BenchTable.print([result], sgemmGFLOPs: rate, threads: threadCount)
            return
        }
        let rate = SGEMMRate.measure()
        var results: [BenchResult] = []
        for shape in BenchShape.all {
            var args = ["bench", "--config", shape.name, "--json", "--warmup", "\(warmup)", "--threads", "\(threadCount)"]
            if let steps { args += ["--steps", "\(steps)"] }
            if let microBatchRows { args += ["--micro-batch-rows", "\(microBatchRows)"] }
            let line = try Self.runChild(args)
            guard let r = BenchResult(jsonLine: line) else {
                throw ValidationError("bench child for '\(shape.name)' printed no result: \(line)")
            }
            if json { print(r.jsonLine(sgemmGFLOPs: rate)) }
            results.append(r)
        }
        if !json { BenchTable.print(results, sgemmGFLOPs: rate, threads: threadCount) }
    }

    /// Runs this executable with `args` and returns the last line it printed.
    static func runChild(_ args: [String]) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        if !FileManager.default.isExecutableFile(atPath: p.executableURL!.path) {
            p.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        }
        p.arguments = args
        let pipe = Pipe()
        p.standardOutput = pipe
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard p.terminationStatus == 0 else {
            throw ValidationError("bench child \(args.joined(separator: " ")) failed with status \(p.terminationStatus)")
        }
        return text.split(separator: "\n").last.map(String.init) ?? ""
    }
}

/// A model shape and batch the benchmark trains (the same shapes as tools/bench/torch_bench.py).
struct BenchShape {
    let name: String
    let model: ModelConfig
    let batch: Int
    let defaultSteps: Int

    /// The transformer's shape (the attention and sampling benchmarks time transformers only).
    var transformer: GPTConfig { model.transformer! }
    var tokensPerStep: Int { batch * model.nCtx }
    /// Training FLOPs per token as spent (`ModelConfig.totalFLOPsPerToken`): for a transformer
    /// 6·N, attention 6·n_layer·n_ctx·attn_width and the output layer 6·d_model·vocab
    /// (`GPTConfig.trainingFLOPsPerToken`); for an LSTM its layers' own count and the output layer.
    var flopsPerToken: Double { model.totalFLOPsPerToken }
    var summary: String {
        switch model {
        case .transformer(let m):
            return "\(name) (\(m.nLayer) layers, d_model \(m.dModel), \(m.nHead) heads, vocab \(m.vocabSize), ctx \(m.nCtx), batch \(batch))"
        case .lstm(let m):
            return "\(name) (LSTM, \(m.nLayer) layers, width \(m.width), vocab \(m.vocabSize), ctx \(m.nCtx), batch \(batch))"
        }
    }

    static let all: [BenchShape] = [
        BenchShape(name: "tiny", model: .transformer(GPTConfig(nLayer: 2, dModel: 64, nHead: 2, nCtx: 256, vocabSize: 256)),
                   batch: 32, defaultSteps: 40),
        BenchShape(name: "small", model: .transformer(GPTConfig(nLayer: 4, dModel: 128, nHead: 4, nCtx: 256, vocabSize: 256)),
                   batch: 32, defaultSteps: 16),
        BenchShape(name: "medium", model: .transformer(GPTConfig(nLayer: 6, dModel: 256, nHead: 8, nCtx: 256, vocabSize: 256)),
                   batch: 32, defaultSteps: 6),
        BenchShape(name: "large", model: .transformer(GPTConfig(nLayer: 8, dModel: 512, nHead: 8, nCtx: 256, vocabSize: 512)),
                   batch: 32, defaultSteps: 3),
        // The paper's image shape: MLP d_model, attention d_model/4, max(2, d_model/64) heads.
        BenchShape(name: "image", model: .transformer(GPTConfig(nLayer: 4, dModel: 128, nHead: 2, nCtx: 3072, vocabSize: 256,
                                                   mlpWidth: 128, attnWidth: 32)),
                   batch: 2, defaultSteps: 6),
        // An LSTM of about the small transformer's N (1.05M against 0.79M), same tokens per step.
        BenchShape(name: "lstm", model: .lstm(LSTMConfig(nLayer: 2, width: 256, nCtx: 256, vocabSize: 256)),
                   batch: 32, defaultSteps: 6),
    ]

    static func named(_ name: String) -> BenchShape? { all.first { $0.name == name } }
}

/// Trains one shape for a fixed number of steps on random tokens and times it.
struct BenchRunner {
    let shape: BenchShape
    let steps: Int
    let warmup: Int
    var microBatchRows: Int?
    /// Timed steps come on request from stdin (`step K` … `done`) instead of `steps` in one go.
    var serve = false

    func run() -> BenchResult {
        let cfg = shape.model
        let model = LanguageModels.make(cfg, seed: 1)
        if let microBatchRows, let gpt = model as? GPT { gpt.microBatchRows = microBatchRows }
        let optimizer = AdamW(tensors: model.parameterTensors, total: model.parameters.count, beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1,
                              noDecay: [.layerNorm, .bias, .embedding])
        var rng = SeededRNG(seed: 7)
        let batches = (0..<4).map { _ -> TokenBatch in
            let n = shape.tokensPerStep
            let seq = (0...n).map { _ in Int32(rng.nextInt(below: cfg.vocabSize)) }
            return TokenBatch(b: shape.batch, t: cfg.nCtx, inputs: Array(seq[0..<n]), targets: Array(seq[1...n]))
        }
        var lastLoss: Float = 0
        func step(_ i: Int) {
            model.zeroGradients()
            lastLoss = model.forward(batches[i % batches.count], needsGradient: true)
            model.backward()
            GradientClipping.clip(model.gradients, maxNorm: 1.0)
            optimizer.update(params: model.parameters, grads: model.gradients, lr: 1e-4)
        }
        for i in 0..<warmup { step(i) }
        let clock = ContinuousClock()
        var trainSeconds = 0.0, timedSteps = 0, trainCPUSeconds = 0.0, evalPasses = 0
        if serve {
            print("ready"); fflush(stdout)
            while let line = readLine(), line != "done" {
                let words = line.split(separator: " ")
                let k = max(1, Int(words.last ?? "") ?? 1)
                let t0 = clock.now, cpu0 = PeakMemory.cpuSeconds
                if words.first == "eval" {
                    // Forward-only passes, as evaluation runs them (no gradient, no saved activations).
                    for _ in 0..<k { model.forward(batches[evalPasses % batches.count]); evalPasses += 1 }
                } else {
                    for _ in 0..<k { step(timedSteps); timedSteps += 1 }
                    trainSeconds += (clock.now - t0).benchSeconds
                    trainCPUSeconds += PeakMemory.cpuSeconds - cpu0
                }
                let seconds = (clock.now - t0).benchSeconds
                print(String(format: "{\"seconds\": %.6f, \"steps\": %d}", seconds, k)); fflush(stdout)
            }
        } else {
            let t0 = clock.now, cpu0 = PeakMemory.cpuSeconds
            for i in 0..<steps { step(i) }
            trainSeconds = (clock.now - t0).benchSeconds
            trainCPUSeconds = PeakMemory.cpuSeconds - cpu0
            timedSteps = steps
        }
        let steps = max(timedSteps, 1)
        let cpuPerStep = trainCPUSeconds / Double(steps)
        let evalSteps = max(2, steps)
        model.forward(batches[0])
        let t1 = clock.now
        for i in 0..<evalSteps { model.forward(batches[i % batches.count]) }
        let evalSeconds = (clock.now - t1).benchSeconds
        return BenchResult(name: shape.name, params: cfg.nonEmbeddingParameters, flopsPerToken: shape.flopsPerToken,
                           trainTokensPerSecond: Double(steps * shape.tokensPerStep) / trainSeconds,
                           evalTokensPerSecond: Double(evalSteps * shape.tokensPerStep) / evalSeconds,
                           peakMemoryMB: PeakMemory.megabytes, finalLossNats: Double(lastLoss),
                           cpuSecondsPerStep: cpuPerStep)
    }
}

/// What one config measured.
struct BenchResult {
    var name: String
    var params: Int
    var flopsPerToken: Double
    var trainTokensPerSecond: Double
    var evalTokensPerSecond: Double
    var peakMemoryMB: Double
    var finalLossNats: Double
    /// CPU time (user + system, all threads) per training step: less sensitive to a busy machine.
    var cpuSecondsPerStep: Double = 0

    var trainGFLOPs: Double { trainTokensPerSecond * flopsPerToken / 1e9 }

    func jsonLine(sgemmGFLOPs: Double?) -> String {
        var s = String(format: "{\"config\": \"%@\", \"tool\": \"workbench\", \"params\": %d, \"flops_per_token\": %.0f, "
                       + "\"train_tokens_per_s\": %.1f, \"eval_tokens_per_s\": %.1f, \"train_gflops\": %.2f, "
                       + "\"peak_mb\": %.1f, \"final_loss_nats\": %.5f, \"cpu_s_per_step\": %.4f",
                       name, params, flopsPerToken, trainTokensPerSecond, evalTokensPerSecond, trainGFLOPs,
                       peakMemoryMB, finalLossNats, cpuSecondsPerStep)
        if let sgemmGFLOPs { s += String(format: ", \"sgemm_gflops\": %.1f", sgemmGFLOPs) }
        return s + "}"
    }

    init(name: String, params: Int, flopsPerToken: Double, trainTokensPerSecond: Double, evalTokensPerSecond: Double,
         peakMemoryMB: Double, finalLossNats: Double, cpuSecondsPerStep: Double = 0) {
        self.name = name; self.params = params; self.flopsPerToken = flopsPerToken
        self.trainTokensPerSecond = trainTokensPerSecond; self.evalTokensPerSecond = evalTokensPerSecond
        self.peakMemoryMB = peakMemoryMB; self.finalLossNats = finalLossNats
        self.cpuSecondsPerStep = cpuSecondsPerStep
    }

    init?(jsonLine: String) {
        guard let obj = try? JSONSerialization.jsonObject(with: Data(jsonLine.utf8)) as? [String: Any],
              let name = obj["config"] as? String, let params = obj["params"] as? Int,
              let fpt = obj["flops_per_token"] as? Double, let train = obj["train_tokens_per_s"] as? Double,
              let eval = obj["eval_tokens_per_s"] as? Double, let peak = obj["peak_mb"] as? Double,
              let loss = obj["final_loss_nats"] as? Double else { return nil }
        self.init(name: name, params: params, flopsPerToken: fpt, trainTokensPerSecond: train,
                  evalTokensPerSecond: eval, peakMemoryMB: peak, finalLossNats: loss,
                  cpuSecondsPerStep: obj["cpu_s_per_step"] as? Double ?? 0)
    }
}

/// The table `workbench bench` prints.
enum BenchTable {
    static func print(_ results: [BenchResult], sgemmGFLOPs: Double, threads: Int) {
        Swift.print("CPU: \(CPUFeatures.modelName) (\(CPUFeatures.current.summary))")
        Swift.print(String(format: "cblas_sgemm (best of 1024³ and 2048³) on %d thread(s): %.1f GFLOP/s (OpenBLAS %@ kernels)", threads,
                           sgemmGFLOPs, OpenBLASKernels.description))
        if let warning = OpenBLASKernels.shortfall { Swift.print("warning: \(warning)") }
        Swift.print("config     N params   train tok/s   GFLOP/s   % sgemm   eval tok/s   peak MB")
        for r in results {
            Swift.print(String(format: "%-8@ %10d %13.0f %9.1f %8.0f%% %12.0f %9.0f", r.name, r.params,
                               r.trainTokensPerSecond, r.trainGFLOPs, 100 * r.trainGFLOPs / sgemmGFLOPs,
                               r.evalTokensPerSecond, r.peakMemoryMB))
        }
    }
}

/// The machine's `cblas_sgemm` rate: the limit fp32 work can reach here, which the model GFLOP/s
/// are compared with. The best of 9 timed calls (after 2 untimed) on square matrices of 1024 and
/// of 2048: a median, or one size alone, reads low when the machine is shared or the CPU's clock
/// moves (compare.py once read 130–138 GFLOP/s as a median of 1024³ where `--sgemm-only` read 162–166).
enum SGEMMRate {
    static let sizes = [1024, 2048]

    static func measure() -> Double { sizes.map(measure(size:)).max()! }

    static func measure(size n: Int) -> Double {
        var rng = SeededRNG(seed: 3)
        let a = FloatBuffer((0..<(n * n)).map { _ in rng.nextFloat() - 0.5 })
        let b = FloatBuffer((0..<(n * n)).map { _ in rng.nextFloat() - 0.5 })
        let c = FloatBuffer(count: n * n)
        let clock = ContinuousClock()
        var best = Double.infinity
        for i in 0..<11 {
            let t0 = clock.now
            BLAS.sgemm(m: n, n: n, k: n, a: a.base, b: b.base, c: c.base)
            if i >= 2 { best = min(best, (clock.now - t0).benchSeconds) }
        }
        return 2 * Double(n * n * n) / best / 1e9
    }
}

/// This process's peak resident memory (`ru_maxrss`) and CPU time.
enum PeakMemory {
    static var cpuSeconds: Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func s(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) * 1e-6 }
        return s(usage.ru_utime) + s(usage.ru_stime)
    }

    static var megabytes: Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_maxrss) / 1024   // kilobytes on Linux
    }
}

extension Duration {
    var benchSeconds: Double { Double(components.seconds) + Double(components.attoseconds) * 1e-18 }
}
