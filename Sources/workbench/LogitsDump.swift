import Foundation
import Tensors
import Training
import WorkbenchCore

/// `workbench eval --dump-logits FILE`: the model's logits on a fixed batch — the first
/// `sequences` evaluation windows of a split — written as a safetensors file, so that another
/// implementation (tools/reference/checkpoint_parity.py, PyTorch) can compare with its own.
///
/// Tensors: `inputs`, `targets`, `weights` `[b, t]` (token ids as F32), `logits` `[b, t, vocab]`,
/// `loss` `[1]` (mean over counted targets, nats); metadata: split, step, format.
enum LogitsDump {
    static func write(_ trainer: RunModel, split: String, sequences: Int, stepOfCheckpoint step: Int, to url: URL) throws {
        guard sequences >= 1 else { throw WorkbenchIOError.writeFailed(path: url.path, reason: "--dump-sequences must be at least 1") }
        let T = trainer.model.nCtx
        guard let batch = BatchSampler.evaluationBatches(try trainer.dataset.split(split), nCtx: T,
                                                         layout: trainer.dataset.manifest.layout,
                                                         batchSize: sequences, maxTokens: sequences * T).first else {
            throw WorkbenchIOError.corrupt(path: url.path, reason: "split '\(split)' has no full window of \(T) tokens")
        }
        let loss = trainer.model.forward(batch)
        let logits = trainer.model.lastLogits
        let shape = [batch.b, batch.t]
        let inputs = batch.inputs.map(Float.init), targets = batch.targets.map(Float.init), lossValues = [loss]
        try inputs.withUnsafeBufferPointer { i in
            try targets.withUnsafeBufferPointer { tg in
                try batch.weights.withUnsafeBufferPointer { w in
                    try logits.withUnsafeBufferPointer { l in
                        try lossValues.withUnsafeBufferPointer { lv in
                            try Safetensors.write([("inputs", shape, i), ("targets", shape, tg), ("weights", shape, w),
                                                   ("logits", shape + [trainer.model.vocabSize], l), ("loss", [1], lv)],
                                                  metadata: ["format": "workbench-logits", "split": split, "step": String(step)],
                                                  to: url)
                        }
                    }
                }
            }
        }
        print(String(format: "wrote %@: logits of %d×%d tokens of split '%@', loss %.6f nats/token", url.path, batch.b, batch.t, split, loss))
    }
}
