import Tokenizers

/// Packs tokenized math problems into fixed-length records for training.
///
/// Each problem is `question <sep> answer <end>` (see `MathTokenizer`); problems are laid
/// end to end in their order, never split across records; when the next problem does not fit,
/// the rest of the record is filled with pad tokens (mask 0) and a new record starts. Records
/// are `nCtx + 1` tokens long (513 for a 512-token context): the trainer predicts tokens
/// `1...nCtx` of each record from the ones before, counting a token when its mask is 1, which
/// holds on answer characters and the end token only.
///
///     let packed = try MathPacking.pack(problems, recordLength: 513)
///     packed.split.tokens.count == packed.records * 513
public enum MathPacking {
    public static let defaultRecordLength = 513

    /// The packed split and what went into it.
    public struct Packed: Sendable {
        public var split: TokenSplit
        public var records: Int
        public var problems: Int
        /// Tokens whose mask is 1 (answer characters and end tokens).
        public var answerTokens: Int
        public var padTokens: Int
    }

    /// A problem longer than a record, named by module and question.
    public struct ProblemTooLong: Error, CustomStringConvertible {
        public let module: String
        public let question: String
        public let tokens: Int
        public let recordLength: Int
        public var description: String {
            "math problem from '\(module)' needs \(tokens) tokens, more than a record of \(recordLength): '\(question)'"
        }
    }

    public static func pack(_ problems: [MathProblem], recordLength: Int = defaultRecordLength,
                            tokenizer: MathTokenizer = MathTokenizer()) throws -> Packed {
        precondition(recordLength > 0)
        var tokens: [UInt16] = [], mask: [UInt8] = []
        var used = 0, answerTokens = 0, padTokens = 0
        func closeRecord() {
            let fill = recordLength - used
            tokens.append(contentsOf: repeatElement(MathTokenizer.pad, count: fill))
            mask.append(contentsOf: repeatElement(0, count: fill))
            padTokens += fill
            used = 0
        }
        for p in problems {
            let (t, m) = try tokenizer.encodeProblem(question: p.question, answer: p.answer)
            guard t.count <= recordLength else {
                throw ProblemTooLong(module: p.module, question: p.question, tokens: t.count, recordLength: recordLength)
            }
            if used + t.count > recordLength { closeRecord() }
            tokens += t; mask += m
            used += t.count
            answerTokens += m.reduce(0) { $0 + Int($1) }
        }
        if used > 0 { closeRecord() }
        return Packed(split: TokenSplit(tokens: tokens, mask: mask), records: tokens.count / recordLength,
                      problems: problems.count, answerTokens: answerTokens, padTokens: padTokens)
    }

    /// The problems of a packed split, read back from its tokens (pad tokens skipped); the
    /// inverse of `pack`, used to check shards.
    public static func unpack(_ tokens: [UInt16], tokenizer: MathTokenizer = MathTokenizer()) -> [(question: String, answer: String)] {
        var out: [(question: String, answer: String)] = []
        var current: [UInt16] = [], question: String? = nil
        for t in tokens {
            switch t {
            case MathTokenizer.pad: continue
            case MathTokenizer.separator:
                question = tokenizer.decode(current); current = []
            case MathTokenizer.end:
                out.append((question ?? "", tokenizer.decode(current))); current = []; question = nil
            default: current.append(t)
            }
        }
        return out
    }
}
