import Foundation

/// The papers' fitted exponents and irreducible losses, per domain, for comparison with a
/// study's own fits: language from Kaplan et al. 2020 (pure power laws, L∞ = 0), the other
/// domains from Henighan et al. 2020 Table 1 (L∞ + power law).
///
///     PaperReference.match(modality: "image", dataset: "fashion-mnist-8", tokensPerItem: 192)?.reference.name   // "Image 8x8"
public struct PaperReference: Codable, Sendable, Equatable {
    public var name: String
    /// Exponent of L(N), L(C) and N_opt(C); nil where the paper gives none.
    public var alphaN: Double
    public var alphaC: Double
    public var alphaD: Double?
    public var beta: Double?
    /// L∞ of L(N) (nats per token); nil for a pure power law (language).
    public var lossInfinity: Double?
    /// The functional form of the paper's fits: `.pure` exponents compare with this study's
    /// pure-form exponents (`ScalingStudy.pureExponents`), `.saturating` ones with its L∞ form.
    public var form: PowerLaw.Form
    /// Tokens per image of the paper's layout (one token per RGB channel value, 3·R²).
    public var tokensPerImage: Double?
    public var source: String

    public static let all: [PaperReference] = [
        .init(name: "Language", alphaN: 0.076, alphaC: 0.050, alphaD: 0.095, beta: 0.73, lossInfinity: nil, form: .pure, tokensPerImage: nil,
              source: "Kaplan et al. 2020, pure power laws on WebText2 (L(C_min); N_opt ∝ C^0.73)"),
        .init(name: "Image 8x8", alphaN: 0.24, alphaC: 0.19, alphaD: nil, beta: 0.64, lossInfinity: 3.12, form: .saturating, tokensPerImage: 192,
              source: "Henighan et al. 2020 Table 1 (ImageNet)"),
        .init(name: "Image 16x16", alphaN: 0.22, alphaC: 0.16, alphaD: nil, beta: 0.75, lossInfinity: 2.64, form: .saturating, tokensPerImage: 768,
              source: "Henighan et al. 2020 Table 1 (ImageNet)"),
        .init(name: "Image 32x32", alphaN: 0.13, alphaC: 0.10, alphaD: nil, beta: 0.65, lossInfinity: 2.20, form: .saturating, tokensPerImage: 3072,
              source: "Henighan et al. 2020 Table 1 (ImageNet)"),
        .init(name: "Text-to-image", alphaN: 0.16, alphaC: 0.15, alphaD: nil, beta: 0.70, lossInfinity: 2.0, form: .saturating, tokensPerImage: 3072,
              source: "Henighan et al. 2020 Table 1 (image part)"),
        .init(name: "Math (extrapolate)", alphaN: 0.16, alphaC: 0.17, alphaD: nil, beta: 0.69, lossInfinity: 0.28, form: .saturating, tokensPerImage: nil,
              source: "Henighan et al. 2020 Table 1"),
    ]

    /// A paper domain matched to a group of runs, and in which units L∞ compares.
    public struct Match: Sendable, Equatable {
        public var reference: PaperReference
        /// Whether the runs' tokens are the paper's tokens, so that L∞ per token compares.
        public var perTokenComparable: Bool
        /// Whether L∞ per image compares (images at the paper's resolution in another token layout).
        public var perImageComparable: Bool
        /// What differs from the paper's data, for the table's caption (nil: nothing known).
        public var note: String?
    }

    /// The paper's domain for a group of runs, only on matching data: English prose for
    /// language; the math generators for math; images at the paper's resolutions (192, 768,
    /// 3072 tokens) for images, where Fashion-MNIST's RGB tokens (grey repeated in R, G and B,
    /// padded to 32×32) compare per image only. Nil for synthetic sources, LSTMs, grey-token
    /// images (`fashion-mnist-gray`: no paper layout; its per-token L∞ is in the irreducible-loss
    /// table) and anything else the papers did not fit.
    public static func match(modality: String, dataset: String, tokensPerItem: Double?) -> Match? {
        func named(_ n: String) -> PaperReference { all.first { $0.name == n }! }
        let m = modality.lowercased()
        let data = URL(fileURLWithPath: dataset).lastPathComponent.lowercased()
        if StudyGroups.isLSTM(group: modality) { return nil }   // the papers' fits are of transformers
        if data.hasPrefix("synthetic") || data.hasPrefix("markov") { return nil }
        if m.hasPrefix("text") {
            guard data.hasPrefix("english") else { return nil }
            return Match(reference: named("Language"), perTokenComparable: false, perImageComparable: false,
                         note: "English prose (KJV, WEB, Shakespeare, Austen) against WebText2")
        }
        if m.hasPrefix("math") {
            guard data.hasPrefix("math") else { return nil }
            return Match(reference: named("Math (extrapolate)"), perTokenComparable: true, perImageComparable: false,
                         note: "our generator's problems, scored on answer characters as in the paper")
        }
        if m.hasPrefix("pair") || m.contains("caption") {
            // Caption and image tokens differ from the paper's (128 + 3072): exponents only.
            return Match(reference: named("Text-to-image"), perTokenComparable: false, perImageComparable: false,
                         note: "our image–caption pairs; token layouts differ, so L∞ is not compared")
        }
        if m.hasPrefix("image") {
            if data.contains("gray") || data.contains("grey") { return nil }
            guard let t = tokensPerItem, let r = all.first(where: { $0.name.hasPrefix("Image") && $0.tokensPerImage == t }) else { return nil }
            if data.hasPrefix("fashion-mnist") {
                return Match(reference: r, perTokenComparable: false, perImageComparable: true,
                             note: "Fashion-MNIST against ImageNet; its RGB tokens repeat the grey value in R, G and B (and 32×32 pads 28 → 32), so L∞ compares per image only")
            }
            return Match(reference: r, perTokenComparable: true, perImageComparable: true, note: nil)
        }
        return nil
    }
}

/// Names the groups a report fits separately: a run's modality, or "modality (dataset)" when
/// runs of one modality come from several datasets (English and a Markov source are both text,
/// 8×8 and 16×16 Fashion-MNIST are both images; one law cannot cover them), followed by ", LSTM"
/// for LSTM runs (one law per architecture).
public enum StudyGroups {
    static let lstmSuffix = ", LSTM"

    /// Whether a group label names LSTM runs.
    public static func isLSTM(group: String) -> Bool { group.hasSuffix(lstmSuffix) }

    /// The transformer group an LSTM group is compared with.
    public static func transformerGroup(of group: String) -> String {
        isLSTM(group: group) ? String(group.dropLast(lstmSuffix.count)) : group
    }

    public static func label(_ runs: [RunRecord]) -> [RunRecord] {
        byDataset(runs).map { r in
            var r = r
            if r.summary.modelKind == "lstm" { r.summary.modality += lstmSuffix }
            return r
        }
    }

    static func byDataset(_ runs: [RunRecord]) -> [RunRecord] {
        var datasets: [String: Set<String>] = [:]
        for r in runs { datasets[r.summary.modality, default: []].insert(r.summary.dataset) }
        return runs.map { r in
            var r = r
            if (datasets[r.summary.modality]?.count ?? 0) > 1 {
                r.summary.modality = "\(r.summary.modality) (\(URL(fileURLWithPath: r.summary.dataset).lastPathComponent))"
            }
            return r
        }
    }
}
