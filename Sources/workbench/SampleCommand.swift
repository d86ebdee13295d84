import ArgumentParser
import Foundation
import Training
import Transformer

/// `workbench sample`: text continued by a trained run's model.
struct SampleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sample",
        abstract: "Continue a prompt with a trained run's model (temperature, top-k).")

    @Option(help: "Run directory with config.toml and a checkpoint.") var runDir: String
    @Option(help: "Prompt text.") var prompt = "\n"
    @Option(help: "New tokens to draw.") var tokens = 200
    @Option(help: "Sampling temperature (0 = greedy).") var temperature: Float = 0.8
    @Option(help: "Keep only the k most likely tokens (0 = all).") var topK = 40
    @Option(help: "Seed of the sampler.") var seed: UInt64 = 1

    func run() throws {
        let trainer = try RunLoading.open(runDir)
        let spec = trainer.config.data.dataset
        let codec = try TextCodec.forDataset(trainer.dataset,
                                             folder: spec.hasPrefix("builtin:") ? nil : URL(fileURLWithPath: spec))
        var sampler = Sampler(temperature: temperature, topK: topK, seed: seed)
        let out = sampler.generate(model: trainer.model, prompt: codec.encode(prompt), count: tokens)
        print(prompt + codec.decode(out))
    }
}
