import Foundation
import Training

/// Opens a finished or running run directory for evaluation and sampling: its saved config,
/// its dataset and its last checkpoint's weights, with the thread counts its config asks for.
/// No optimiser or batch sampler is built.
enum RunLoading {
    static func open(_ dir: String) throws -> RunModel {
        let url = URL(fileURLWithPath: dir)
        let cfg = try TrainConfig.load(from: url.appendingPathComponent("config.toml"))
        ThreadSettings.apply(threads: cfg.train.threads)
        let loaded = try RunModel(config: cfg, runDirectory: url)
        _ = try Checkpoint.load(into: loaded.model, optimizer: nil, from: url)
        return loaded
    }
}
