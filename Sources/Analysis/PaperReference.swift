import Foundation

/// The papers' fitted exponents and irreducible losses, per domain, for comparison with a
/// study's own fits (Henighan et al. 2020, Table 1; Kaplan et al. 2020 for language's L(D)).
///
///     PaperReference.match(modality: "image", tokensPerItem: 192)?.name   // "Image 8x8"
public struct PaperReference: Codable, Sendable, Equatable {
    public var name: String
    /// Exponent of L(N), L(C) and N_opt(C); nil where the paper gives none.
    public var alphaN: Double
    public var alphaC: Double
    public var alphaD: Double?
    public var beta: Double?
    /// L∞ of L(N) (nats per token); nil for a pure power law (language).
    public var lossInfinity: Double?
    public var source: String

    public static let all: [PaperReference] = [
        .init(name: "Language", alphaN: 0.070, alphaC: 0.048, alphaD: 0.095, beta: 0.73, lossInfinity: nil,
              source: "Henighan et al. 2020 Table 1 (α_D: Kaplan et al. 2020)"),
        .init(name: "Image 8x8", alphaN: 0.24, alphaC: 0.19, alphaD: nil, beta: 0.64, lossInfinity: 3.12, source: "Henighan et al. 2020 Table 1"),
        .init(name: "Image 16x16", alphaN: 0.22, alphaC: 0.16, alphaD: nil, beta: 0.75, lossInfinity: 2.64, source: "Henighan et al. 2020 Table 1"),
        .init(name: "Image 32x32", alphaN: 0.13, alphaC: 0.10, alphaD: nil, beta: 0.65, lossInfinity: 2.20, source: "Henighan et al. 2020 Table 1"),
        .init(name: "Text-to-image", alphaN: 0.16, alphaC: 0.15, alphaD: nil, beta: 0.70, lossInfinity: 2.0, source: "Henighan et al. 2020 Table 1"),
        .init(name: "Math (extrapolate)", alphaN: 0.16, alphaC: 0.17, alphaD: nil, beta: 0.69, lossInfinity: 0.28, source: "Henighan et al. 2020 Table 1"),
    ]

    /// The paper's domain for a modality (and, for images, the resolution its tokens per image
    /// imply: 192, 768, 3072); nil for modalities the paper has no row for.
    public static func match(modality: String, tokensPerItem: Double?) -> PaperReference? {
        func named(_ n: String) -> PaperReference? { all.first { $0.name == n } }
        let m = modality.lowercased()
        if StudyGroups.isLSTM(group: modality) { return nil }   // the papers' fits are of transformers
        if m.hasPrefix("text") { return named("Language") }
        if m.hasPrefix("math") { return named("Math (extrapolate)") }
        if m.hasPrefix("pair") || m.contains("caption") { return named("Text-to-image") }
        if m.hasPrefix("image") {
            if m.contains("8x8") || m.hasSuffix("8)") { return named("Image 8x8") }
            if m.contains("16") { return named("Image 16x16") }
            if m.contains("32") { return named("Image 32x32") }
            guard let t = tokensPerItem else { return nil }
            let side = (t / 3).squareRoot()
            return side < 12 ? named("Image 8x8") : side < 24 ? named("Image 16x16") : named("Image 32x32")
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
