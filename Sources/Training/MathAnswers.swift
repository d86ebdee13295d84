import Datasets
import Tokenizers
import RunFiles

/// One problem of a packed math split, located in its record: the question's characters run
/// from `questionStart` to the separator, the answer's from `separator + 1` to `end` (the
/// end token), all indices within the record.
public struct MathAnswerProblem: Sendable, Equatable {
    /// Position of the problem in the split's packing order.
    public let index: Int
    public let module: String
    public let record: Int
    public let questionStart: Int, separator: Int, end: Int
    public let question: String, answer: String

    /// The problems of `split`, records of `recordLength` tokens; `modules` names each problem's
    /// module in order (see `MathProblemModules`), or nil: every problem is module `all`.
    public static func extract(from split: TokenSplit, recordLength: Int, modules: [String]?) -> [MathAnswerProblem] {
        let tok = MathTokenizer()
        var out: [MathAnswerProblem] = []
        let records = split.tokens.count / recordLength
        for r in 0..<records {
            let rec = split.tokens[(r * recordLength)..<((r + 1) * recordLength)]
            var start = rec.startIndex, sep: Int? = nil
            for i in rec.indices {
                switch rec[i] {
                case MathTokenizer.separator: sep = i
                case MathTokenizer.end:
                    if let s = sep {
                        let base = rec.startIndex
                        out.append(MathAnswerProblem(index: out.count, module: "", record: r,
                                                     questionStart: start - base, separator: s - base, end: i - base,
                                                     question: tok.decode(Array(rec[start..<s])),
                                                     answer: tok.decode(Array(rec[(s + 1)..<i]))))
                    }
                    start = i + 1; sep = nil
                case MathTokenizer.pad: start = i + 1
                default: break
                }
            }
        }
        let named = modules.flatMap { $0.count == out.count ? $0 : nil }
        return out.map { p in
            MathAnswerProblem(index: p.index, module: named?[p.index] ?? "all", record: p.record,
                              questionStart: p.questionStart, separator: p.separator, end: p.end,
                              question: p.question, answer: p.answer)
        }
    }
}

/// Counts exact matches of answers, per module: `answer` gives the model's answer string
/// (characters before its end token) for each problem; a problem is correct when it equals the
/// true answer exactly.
public enum MathAnswerEvaluation {
    public static let decodingNote = "greedy; each question after the problems packed before it in its record (as in training); "
        + "answer = characters before the first end token; exact string match"

    public static func evaluate(_ problems: [MathAnswerProblem], split: String, examples: Int = 8,
                                answer: (MathAnswerProblem) throws -> String) rethrows -> MathAnswerSplitResult {
        var total = MathAnswerCount(), modules: [String: MathAnswerCount] = [:], kept: [MathAnswerExample] = []
        for p in problems {
            let predicted = try answer(p)
            let ok = predicted == p.answer
            total.problems += 1; modules[p.module, default: .init()].problems += 1
            if ok { total.correct += 1; modules[p.module, default: .init()].correct += 1 }
            if kept.count < examples {
                kept.append(MathAnswerExample(module: p.module, question: p.question, answer: p.answer, predicted: predicted))
            }
        }
        return MathAnswerSplitResult(split: split, total: total, modules: modules, examples: kept)
    }
}
