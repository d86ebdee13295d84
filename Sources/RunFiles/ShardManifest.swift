import Foundation

/// The `manifest.json` of a token-shard folder: what the tokens are and how they are laid out.
///
/// A shard folder `<data-dir>/<dataset>/` holds this manifest, one `<split>.bin` of
/// little-endian `UInt16` tokens per split (`train`, `test`, and for math `interpolate`,
/// `extrapolate`), and for masked modalities a `<split>.mask` of `UInt8` (1 = the token at
/// that position counts in the loss).
///
/// Layouts:
/// - `stream`: one long token stream (text); the trainer cuts windows of `n_ctx + 1` tokens.
/// - `records`: fixed-length records of `recordLength` tokens each (an image with its start
///   token, a packed math context, a caption–image pair); each record is one training example.
public struct ShardManifest: Codable, Equatable, Sendable {
    public enum Layout: String, Codable, Sendable { case stream, records }

    /// One split's files and sizes.
    public struct Split: Codable, Equatable, Sendable {
        public var tokens: Int
        public var sequences: Int
        public var sha256: String?
        public var hasMask: Bool
        public init(tokens: Int, sequences: Int, sha256: String? = nil, hasMask: Bool = false) {
            self.tokens = tokens; self.sequences = sequences; self.sha256 = sha256; self.hasMask = hasMask
        }
        enum CodingKeys: String, CodingKey { case tokens, sequences, sha256, hasMask = "has_mask" }
    }

    public var name: String
    /// `text`, `image`, `math`, `pair`, … (free text, used in reports).
    public var modality: String
    /// Tokenizer name, e.g. `bytes`, `byte-bpe`, `image-rgb-32`, `math-chars`.
    public var tokenizer: String
    /// Tokenizer file beside the manifest (e.g. `tokenizer.json`), if any.
    public var tokenizerFile: String?
    public var vocabSize: Int
    public var layout: Layout
    /// Tokens per record (records layout only).
    public var recordLength: Int?
    public var splits: [String: Split]
    /// Where the data came from (package names, generator and seed, …).
    public var source: String
    /// Known exact entropy (nats per counted token) for synthetic sources, if any.
    public var trueEntropyNatsPerToken: Double?
    /// Anything else a preparer wants to record (per-item entropy, class names, …).
    public var extra: [String: String]?

    public init(name: String, modality: String, tokenizer: String, tokenizerFile: String? = nil,
                vocabSize: Int, layout: Layout, recordLength: Int? = nil,
                splits: [String: Split], source: String,
                trueEntropyNatsPerToken: Double? = nil, extra: [String: String]? = nil) {
        self.name = name; self.modality = modality; self.tokenizer = tokenizer
        self.tokenizerFile = tokenizerFile; self.vocabSize = vocabSize; self.layout = layout
        self.recordLength = recordLength; self.splits = splits; self.source = source
        self.trueEntropyNatsPerToken = trueEntropyNatsPerToken; self.extra = extra
    }

    enum CodingKeys: String, CodingKey {
        case name, modality, tokenizer, tokenizerFile = "tokenizer_file", vocabSize = "vocab_size"
        case layout, recordLength = "record_length", splits, source
        case trueEntropyNatsPerToken = "true_entropy_nats_per_token", extra
    }
}

extension ShardManifest {
    public static let fileName = "manifest.json"

    /// The facts about a dataset that reports use, read leniently from its `manifest.json`
    /// (hand-written or partial manifests still give what they have): the modality and, for
    /// synthetic sources, the exact entropy and image–caption mutual information.
    public struct DatasetFacts: Decodable, Equatable, Sendable {
        public var modality: String?
        public var trueEntropyNatsPerToken: Double?
        /// `extra.true_mi_nats_per_pair`, written as a string (as `extra` holds strings) or a number.
        public var trueMutualInformationNats: Double?
        /// `extra.predicted_data_exponent`: the L(D) exponent theory predicts (`zipf-memory`).
        public var predictedDataExponent: Double?

        public init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            modality = c.text(.modality)
            trueEntropyNatsPerToken = c.number(.trueEntropyNatsPerToken)
            let extra = try? c.nestedContainer(keyedBy: AnyCodingKey.self, forKey: .extra)
            let mi = AnyCodingKey("true_mi_nats_per_pair")
            trueMutualInformationNats = extra.flatMap { $0.number(mi) ?? $0.text(mi).flatMap(Double.init) }
            let exponent = AnyCodingKey("predicted_data_exponent")
            predictedDataExponent = extra.flatMap { $0.number(exponent) ?? $0.text(exponent).flatMap(Double.init) }
        }
    }

    /// The facts in `folder/manifest.json`, nil when it is missing or not a JSON object.
    public static func facts(in folder: URL) -> DatasetFacts? {
        guard let data = try? Data(contentsOf: folder.appendingPathComponent(fileName)) else { return nil }
        return try? JSONDecoder().decode(DatasetFacts.self, from: data)
    }
}
