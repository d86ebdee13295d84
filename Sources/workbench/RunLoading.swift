import Foundation
import Training
import Transformer

/// Opens a finished or running run directory for evaluation and sampling: its saved config,
/// its dataset and its last checkpoint's weights.
enum RunLoading {
    static func open(_ dir: String) throws -> Trainer {
        let url = URL(fileURLWithPath: dir)
        let cfg = try TrainConfig.load(from: url.appendingPathComponent("config.toml"))
        let trainer = try Trainer(config: cfg, resume: true)
        _ = try Checkpoint.load(into: trainer.model, optimizer: nil, from: url)
        return trainer
    }
}
