import ArgumentParser
import Foundation
import Tensors
import Tokenizers
import Training
import Transformer
import WorkbenchCore

/// `workbench sample`: text continued by a trained run's model; on image runs, pictures of
/// samples and completions; on caption–image runs, also images drawn from a caption.
struct SampleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sample",
        abstract: "Continue a prompt with a trained run's model; on image runs write samples.png and completions.png.",
        discussion: """
        Text runs print the prompt's continuation. Image runs (and caption–image runs) write PNG files \
        into the run directory (or --out): samples.png, a grid of --count unconditional samples; \
        completions.png, one row per test image: its top half as given, --completions completions of \
        the bottom half, and the original. On caption–image runs --caption TEXT writes caption_samples.png, \
        images drawn from that caption (without it, samples are drawn after a blanked caption). \
        Sampling uses a key–value cache.
        """)

    @Option(help: "Run directory with config.toml and a checkpoint.") var runDir: String
    @Option(help: "Prompt text (text runs; default: a newline).") var prompt: String?
    @Option(help: "New tokens to draw (text runs).") var newTokens = 200
    /// The old spelling of --new-tokens, kept hidden for a while.
    @Option(name: .customLong("tokens"), help: .hidden) var legacyTokens: Int?
    @Option(help: "Sampling temperature, 0 = greedy (default: 0.8 for text, 1 for images).") var temperature: Float?
    @Option(help: "Keep only the k most likely tokens, 0 = all (default: 40 for text, 0 for images).") var topK: Int?
    @Option(help: "Seed of the sampler.") var seed: UInt64 = 1
    @Option(help: "Image runs: unconditional samples (or samples from --caption) in the grid (default: 16).") var count: Int?
    @Option(help: "Image runs: test images to complete, one row each (default: 6).") var completionRows: Int?
    @Option(help: "Image runs: completions per test image (default: 5).") var completions: Int?
    @Option(help: "Image runs: pixels per image pixel in the PNGs (default: images at least 64 pixels wide).") var scale: Int?
    @Option(help: "Caption–image runs: draw images from this caption.") var caption: String?
    @Option(help: "Folder for the PNG files (default: the run directory).") var out: String?

    func run() throws {
        let trainer = try RunLoading.open(runDir)
        let spec = trainer.config.data.dataset
        let folder = spec.hasPrefix("builtin:") ? nil : URL(fileURLWithPath: spec)
        let modality = trainer.dataset.manifest.modality
        if ["image", "pair"].contains(modality) {
            ignored(["--prompt": prompt != nil, "--new-tokens": newTokens != 200 || legacyTokens != nil], modality: modality, use: "text runs")
            return try sampleImages(trainer, format: try ImageRecordFormat(dataset: trainer.dataset, folder: folder))
        }
        ignored(["--count": count != nil, "--completion-rows": completionRows != nil, "--completions": completions != nil,
                 "--scale": scale != nil, "--caption": caption != nil, "--out": out != nil], modality: modality, use: "image runs")
        let text = prompt ?? "\n"
        let codec = try TextCodec.forDataset(trainer.dataset, folder: folder)
        var sampler = Sampler(temperature: temperature ?? 0.8, topK: topK ?? 40, seed: seed)
        let drawn = try sampler.generate(model: trainer.model, prompt: codec.encode(text), count: legacyTokens ?? newTokens)
        print(text + codec.decode(drawn))
    }

    /// Says which given options this run's modality does not use (instead of ignoring them silently).
    func ignored(_ given: [String: Bool], modality: String, use: String) {
        let names = given.filter(\.value).map(\.key).sorted()
        guard !names.isEmpty else { return }
        FileHandle.standardError.write(Data("note: \(names.joined(separator: ", ")) \(names.count == 1 ? "applies" : "apply") to \(use) only; ignored for this \(modality) run\n".utf8))
    }

    func sampleImages(_ trainer: RunModel, format: ImageRecordFormat) throws {
        let count = self.count ?? 16, completionRows = self.completionRows ?? 6, completions = self.completions ?? 5
        guard count >= 1, completionRows >= 0, completions >= 1 else {
            throw ValidationError("--count and --completions must be at least 1, --completion-rows at least 0")
        }
        if caption != nil && !format.hasCaption {
            throw ValidationError("--caption needs a caption–image run; '\(trainer.config.data.dataset)' holds images only")
        }
        let dir = URL(fileURLWithPath: out ?? runDir)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let factor = scale ?? max(1, 64 / format.resolution)
        guard factor >= 1 else { throw ValidationError("--scale must be at least 1") }
        let sampling = try ImageSampling(model: trainer.model, format: format)
        var sampler = Sampler(temperature: temperature ?? 1, topK: topK ?? 0, seed: seed)
        let columns = Int(Double(count).squareRoot().rounded(.up))
        let clock = ContinuousClock(), t0 = clock.now
        let drawn = try sampling.samples(count: count, caption: caption, sampler: &sampler)
        let name = caption == nil ? "samples.png" : "caption_samples.png"
        try write(RGBImage.grid(RGBImage.rows(drawn, columns: columns), scale: factor), to: dir.appendingPathComponent(name))
        if let caption { print("caption: \(caption)") }
        if completionRows > 0 {
            var rows: [[RGBImage]] = []
            for (prefix, tokens) in try format.testImages(trainer.dataset, count: completionRows) {
                let original = try format.image(tokens)
                let done = try sampling.completions(prefix: prefix, image: tokens, count: completions, sampler: &sampler)
                rows.append([sampling.topHalf(original)] + done + [original])
            }
            try write(RGBImage.grid(rows, scale: factor), to: dir.appendingPathComponent("completions.png"))
        }
        let images = count + completionRows * completions
        let seconds = (clock.now - t0).benchSeconds
        print(String(format: "drew %d images of %dx%d in %.1f s (%.0f tokens/s)", images, format.resolution, format.resolution,
                     seconds, Double(count * format.imageTokens + completionRows * completions * (format.imageTokens / 2)) / seconds))
    }

    func write(_ image: RGBImage, to url: URL) throws {
        try AtomicFile.write(try PNGImage.encode(image), to: url)
        print("wrote \(url.path) (\(image.width)x\(image.height))")
    }
}
