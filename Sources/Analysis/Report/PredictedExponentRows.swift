import Foundation

extension ScalingReport {
    /// The fitted exponent of L(D) beside the one theory predicts, for sources whose manifest
    /// states it (`zipf-memory`: α/(1+α), Hutter 2021); none for other sources. The fitted
    /// value carries its interval, so the row says whether the prediction lies inside it.
    static func predictedExponentRows(_ study: ScalingStudy) -> [GroundTruthRow] {
        guard let predicted = study.runs.lazy.compactMap(\.summary.predictedDataExponent).first,
              let fit = study.lossVersusData else { return [] }
        return [GroundTruthRow(group: study.modality, quantity: "α_D, exponent of L(D) (predicted by Hutter 2021's Zipf memorisation model)",
                               fitted: fit.exponent, truth: predicted)]
    }
}
