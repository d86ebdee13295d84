import Foundation

/// Problems answered and answered exactly right.
public struct MathAnswerCount: Codable, Equatable, Sendable {
    public var problems = 0
    public var correct = 0
    public var accuracy: Double { problems == 0 ? 0 : Double(correct) / Double(problems) }

    public init(problems: Int = 0, correct: Int = 0) { self.problems = problems; self.correct = correct }

    enum CodingKeys: String, CodingKey { case problems, correct, accuracy }
    public init(from d: Decoder) throws {
        let c = try d.container(keyedBy: CodingKeys.self)
        problems = try c.decode(Int.self, forKey: .problems); correct = try c.decode(Int.self, forKey: .correct)
    }
    public func encode(to e: Encoder) throws {
        var c = e.container(keyedBy: CodingKeys.self)
        try c.encode(problems, forKey: .problems); try c.encode(correct, forKey: .correct)
        try c.encode(accuracy, forKey: .accuracy)
    }
}

/// One answered problem, kept as an example.
public struct MathAnswerExample: Codable, Equatable, Sendable {
    public var module: String, question: String, answer: String, predicted: String
    public init(module: String, question: String, answer: String, predicted: String) {
        self.module = module; self.question = question; self.answer = answer; self.predicted = predicted
    }
}

/// Exact-match accuracy of one split, overall and per module, with the first few answers.
public struct MathAnswerSplitResult: Codable, Equatable, Sendable {
    public var split: String
    public var total: MathAnswerCount
    public var modules: [String: MathAnswerCount]
    public var examples: [MathAnswerExample]
    public init(split: String, total: MathAnswerCount, modules: [String: MathAnswerCount], examples: [MathAnswerExample]) {
        self.split = split; self.total = total; self.modules = modules; self.examples = examples
    }
}

/// `eval_answers.json`: a math run's answers by greedy decoding, every split evaluated.
///
///     {"dataset": "data/math", "checkpoint_step": 2000, "module_source": "problem_modules.json",
///      "decoding": "greedy; …", "splits": {"interpolate": {"split": "interpolate", "examples": [...],
///        "total": {"problems": 10, "correct": 4, "accuracy": 0.4}, "modules": {"add": {...}}}}}
public struct MathAnswerResults: Codable, Equatable, Sendable {
    public static let fileName = "eval_answers.json"
    public var dataset: String
    public var checkpointStep: Int?
    /// Where the module names came from: `problem_modules.json`, or `none` (all as `all`).
    public var moduleSource: String
    public var decoding: String
    public var splits: [String: MathAnswerSplitResult]

    public init(dataset: String, checkpointStep: Int?, moduleSource: String, decoding: String,
                splits: [String: MathAnswerSplitResult]) {
        self.dataset = dataset; self.checkpointStep = checkpointStep; self.moduleSource = moduleSource
        self.decoding = decoding; self.splits = splits
    }

    enum CodingKeys: String, CodingKey {
        case dataset, checkpointStep = "checkpoint_step", moduleSource = "module_source", decoding, splits
    }
}

