import Foundation
import RunFiles
import Tensors
import Transformer
import WorkbenchCore

extension SavedModelShape {
    /// The shape a checkpoint records for `config`.
    public init(_ config: GPTConfig) {
        self.init(nLayer: config.nLayer, dModel: config.dModel, nHead: config.nHead, nCtx: config.nCtx,
                  vocabSize: config.vocabSize, mlpWidth: config.mlpWidth, attnWidth: config.attnWidth)
    }

    /// The model config of this shape.
    public var gptConfig: GPTConfig {
        GPTConfig(nLayer: nLayer, dModel: dModel, nHead: nHead, nCtx: nCtx, vocabSize: vocabSize,
                  mlpWidth: mlpWidth, attnWidth: attnWidth)
    }
}

extension SavedLSTMShape {
    /// The shape a checkpoint records for `config`.
    public init(_ config: LSTMConfig) {
        self.init(nLayer: config.nLayer, width: config.width, nCtx: config.nCtx, vocabSize: config.vocabSize)
    }

    /// The model config of this shape.
    public var lstmConfig: LSTMConfig { LSTMConfig(nLayer: nLayer, width: width, nCtx: nCtx, vocabSize: vocabSize) }
}

extension SavedModel {
    /// What a checkpoint records for `config` (a transformer exactly as before there were kinds).
    public init(_ config: ModelConfig) {
        switch config {
        case .transformer(let c): self = .transformer(SavedModelShape(c))
        case .lstm(let c): self = .lstm(SavedLSTMShape(c))
        }
    }

    /// The model config of this shape.
    public var modelConfig: ModelConfig {
        switch self {
        case .transformer(let s): return .transformer(s.gptConfig)
        case .lstm(let s): return .lstm(s.lstmConfig)
        }
    }
}

/// Saves and restores `checkpoint.safetensors` (weights, nanoGPT's names for the transformer,
/// `nn.LSTM`'s for the LSTM, readable by Python's `safetensors`), `optimizer.safetensors` (AdamW moments `exp_avg.*`, `exp_avg_sq.*`) and
/// `checkpoint.json` (the loop's position). A checkpoint is written as a set: all three files are
/// first staged as `<file>.next` (each written to a temporary name and renamed), the JSON last,
/// then renamed into place in the same order. A process killed at any moment (SIGTERM from
/// Slurm's scancel or preemption, SIGKILL) therefore leaves either the previous checkpoint plus
/// an incomplete stage, or a complete stage: `recoverStaged` (called by the trainer under the
/// run's lock) discards the first and finishes the second. Every file records its step, so a
/// mixed set is still detected on load instead of being trusted.
public enum Checkpoint {
    public static let weightsFile = "checkpoint.safetensors"
    public static let optimizerFile = "optimizer.safetensors"
    public static let stateFile = CheckpointState.fileName
    /// Suffix of a staged (not yet committed) checkpoint file.
    public static let stagedSuffix = ".next"
    static var setFiles: [String] { [optimizerFile, weightsFile, stateFile] }   // stage and commit order

    public static func exists(in dir: URL) -> Bool {
        FileManager.default.fileExists(atPath: dir.appendingPathComponent(stateFile).path)
    }

    /// A classification head and its optimiser, saved beside the model's tensors under their own
    /// names (`classifier.weight`, `exp_avg.classifier.weight`, …).
    public typealias HeadState = (head: ClassificationHead, optimizer: AdamW)

    public static func save(model: any LanguageModel, optimizer: AdamW, head: HeadState? = nil, state: CheckpointState,
                            to dir: URL) throws {
        let meta = ["step": String(state.step), "format": model is GPT ? "workbench-gpt" : "workbench-\(model.modelConfig.kind)"]
        let body = model.parameterTensors, headTensors = head?.head.tensors ?? []
        var moments: [TensorGroup] = [(body, "exp_avg.", optimizer.m), (body, "exp_avg_sq.", optimizer.v)]
        var weights: [TensorGroup] = [(body, "", model.parameters)]
        if let head {
            moments += [(headTensors, "exp_avg.", head.optimizer.m), (headTensors, "exp_avg_sq.", head.optimizer.v)]
            weights.append((headTensors, "", head.head.parameters))
        }
        do {
            try writeTensors(moments, metadata: meta, to: staged(optimizerFile, in: dir))
            try writeTensors(weights, metadata: meta, to: staged(weightsFile, in: dir))
            let enc = JSONEncoder()
            enc.outputFormatting = [.prettyPrinted, .sortedKeys]
            try AtomicFile.write(try enc.encode(state), to: staged(stateFile, in: dir))   // the stage is complete once this exists
        } catch {
            // A failed stage (full disk, read-only folder) is removed, so the folder holds the
            // previous checkpoint alone and no half-set waits for the next run.
            for f in setFiles { unlink(staged(f, in: dir).path) }
            throw error
        }
        try commitStaged(in: dir)
    }

    static func staged(_ file: String, in dir: URL) -> URL { dir.appendingPathComponent(file + stagedSuffix) }

    /// Settles a checkpoint that a killed process left half-saved: a complete stage (its
    /// `checkpoint.json.next` exists) is renamed into place, an incomplete one is removed, so the
    /// directory holds one consistent checkpoint. Returns what it did, or nil when there was
    /// nothing staged. Only the process holding the run's lock may call it.
    @discardableResult
    public static func recoverStaged(in dir: URL) throws -> String? {
        let fm = FileManager.default
        let present = setFiles.filter { fm.fileExists(atPath: staged($0, in: dir).path) }
        guard !present.isEmpty else { return nil }
        if present.contains(stateFile) {
            let step = (try? JSONDecoder().decode(CheckpointState.self, from: Data(contentsOf: staged(stateFile, in: dir))))?.step
            try commitStaged(in: dir)
            return "finished saving the checkpoint of step \(step.map(String.init) ?? "?") that an interrupted process had staged"
        }
        for f in present { try fm.removeItem(at: staged(f, in: dir)) }
        return "discarded an incompletely staged checkpoint (\(present.map { $0 + stagedSuffix }.joined(separator: ", ")))"
    }

    /// Renames the staged files into place, the JSON last.
    static func commitStaged(in dir: URL) throws {
        for f in setFiles {
            let from = staged(f, in: dir), to = dir.appendingPathComponent(f)
            guard FileManager.default.fileExists(atPath: from.path) else { continue }
            if rename(from.path, to.path) != 0 {
                throw WorkbenchIOError.writeFailed(path: to.path, reason: "cannot rename the staged checkpoint file into place: \(String(cString: strerror(errno)))")
            }
        }
    }

    /// Named tensors of one flat buffer, each saved as `prefix + name`.
    typealias TensorGroup = (tensors: [ParameterLayout.Tensor], prefix: String, buffer: FloatBuffer)

    static func writeTensors(_ groups: [TensorGroup], metadata: [String: String], to url: URL) throws {
        var list: [(name: String, shape: [Int], values: UnsafeBufferPointer<Float>)] = []
        for (tensors, p, buf) in groups {
            for t in tensors {
                list.append((p + t.name, t.shape, UnsafeBufferPointer(start: buf.pointer(at: t.offset), count: t.count)))
            }
        }
        try Safetensors.write(list, metadata: metadata, to: url)
    }

    /// Reads the loop state only (to decide whether and where to resume).
    public static func loadState(from dir: URL) throws -> CheckpointState {
        let url = dir.appendingPathComponent(stateFile)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw WorkbenchIOError.missingFile(path: url.path, what: "checkpoint state")
        }
        do { return try JSONDecoder().decode(CheckpointState.self, from: Data(contentsOf: url)) } catch {
            throw WorkbenchIOError.corrupt(path: url.path, reason: "not a valid checkpoint state (\(error))")
        }
    }

    /// Loads weights (and moments when `optimizer` is given) into existing objects, checking that
    /// every tensor is present with the model's shape and that all files are of the same step.
    /// With `head`, also the head's weights (and its optimiser's moments when the optimiser is
    /// given: the head's optimiser steps with the model's).
    public static func load(into model: any LanguageModel, optimizer: AdamW?, head: (head: ClassificationHead, optimizer: AdamW?)? = nil,
                            from dir: URL) throws -> CheckpointState {
        let state = try loadState(from: dir)
        let expected = SavedModel(model.modelConfig)
        guard state.model == expected else {
            throw CheckpointError.mismatch(path: dir.appendingPathComponent(stateFile).path,
                                           reason: "it was saved for model \(state.model.description), the config asks for \(expected.description)")
        }
        let body = model.parameterTensors
        var weights: [TensorGroup] = [(body, "", model.parameters)]
        if let head { weights.append((head.head.tensors, "", head.head.parameters)) }
        try fill(weights, file: dir.appendingPathComponent(weightsFile), step: state.step)
        if let optimizer {
            var moments: [TensorGroup] = [(body, "exp_avg.", optimizer.m), (body, "exp_avg_sq.", optimizer.v)]
            if let head, let o = head.optimizer {
                moments += [(head.head.tensors, "exp_avg.", o.m), (head.head.tensors, "exp_avg_sq.", o.v)]
                o.step = state.adamStep
            }
            try fill(moments, file: dir.appendingPathComponent(optimizerFile), step: state.step)
            optimizer.step = state.adamStep
        }
        return state
    }

    static func fill(_ groups: [TensorGroup], file: URL, step: Int) throws {
        let f = try Safetensors.read(file)
        if let s = f.metadata["step"], s != String(step) {
            throw CheckpointError.mismatch(path: file.path,
                                           reason: "it holds step \(s) but checkpoint.json says step \(step) (a checkpoint write was interrupted)")
        }
        for (tensors, prefix, buffer) in groups {
            for t in tensors { try fill(buffer, t, prefix: prefix, from: f, file: file) }
        }
    }

    static func fill(_ buffer: FloatBuffer, _ t: ParameterLayout.Tensor, prefix: String, from f: Safetensors.File,
                     file: URL) throws {
        guard let e = f.tensors[prefix + t.name] else {
            throw CheckpointError.mismatch(path: file.path, reason: "tensor '\(prefix + t.name)' is missing")
        }
        guard e.shape == t.shape else {
            throw CheckpointError.mismatch(path: file.path,
                                           reason: "tensor '\(prefix + t.name)' has shape \(e.shape), the model expects \(t.shape)")
        }
        e.values.withUnsafeBufferPointer { buffer.pointer(at: t.offset).update(from: $0.baseAddress!, count: t.count) }
    }
}

/// A checkpoint that does not fit the model or is inconsistent, with the file and the reason.
public enum CheckpointError: Error, CustomStringConvertible, Equatable {
    case mismatch(path: String, reason: String)
    public var description: String {
        switch self { case let .mismatch(path, reason): return "checkpoint '\(path)' does not match: \(reason)" }
    }
}
