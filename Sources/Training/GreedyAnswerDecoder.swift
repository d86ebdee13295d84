import Datasets
import Tokenizers
import Transformer

/// Answers packed math problems by greedy decoding with a key–value cache, each question in the
/// context it had in training: after the problems packed before it in its record.
///
/// Problems of one record are asked in order: the cache holds the record's true tokens up to
/// the last question asked; each answer is decoded after the separator, then the cache is
/// rewound to it, and the true answer is fed with the next question. Decoding stops at the end
/// token, after `answer.count + 1` tokens (a longer answer cannot match), or at `nCtx`.
///
///     let decoder = GreedyAnswerDecoder(model: gpt, split: ds.splits["interpolate"]!, recordLength: 513)
///     let text = try decoder.answer(problem)
public final class GreedyAnswerDecoder {
    let model: any LanguageModel
    let split: TokenSplit
    let recordLength: Int
    let cache: any TokenDecoder
    var record = -1
    let tokenizer = MathTokenizer()

    public init(model: any LanguageModel, split: TokenSplit, recordLength: Int) {
        self.model = model; self.split = split; self.recordLength = recordLength
        cache = model.makeDecoder()
    }

    /// The model's answer to `p` (a problem of `split`), as text.
    public func answer(_ p: MathAnswerProblem) throws -> String {
        let base = p.record * recordLength
        if p.record != record || cache.count > p.separator { cache.rewind(to: 0); record = p.record }
        guard p.separator < model.nCtx else { return "" }
        let feed = split.tokens[(base + cache.count)...(base + p.separator)].map(Int32.init)
        var logits = try cache.decode(tokens: feed) ?? []
        let fed = cache.count
        var out: [UInt16] = []
        let limit = (p.end - p.separator - 1) + 1
        while out.count < limit, !logits.isEmpty {
            let next = logits.indices.max { logits[$0] < logits[$1] }!
            if next == Int(MathTokenizer.end) { break }
            out.append(UInt16(next))
            if cache.isFull || out.count == limit { break }
            logits = try cache.decode(token: Int32(next))
        }
        cache.rewind(to: fed)
        return tokenizer.decode(out)
    }
}
