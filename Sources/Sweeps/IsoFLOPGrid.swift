import Foundation
import Training

/// The sizes of an IsoFLOP grid (Hoffmann et al. 2022, approach 2; `isoflop = { … }` in a sweep
/// grid): at each compute budget, `sizes` models a factor `spread` apart, centred on the size
/// whose compute-optimal data would be `tokens_per_param` tokens per parameter, each trained
/// until it has spent the budget. The budget counts compute as `compute` says: "total" (as
/// spent: `GPTConfig.trainingFLOPsPerToken`, output layer and attention included) or "6ne"
/// (Kaplan's 6·N·E).
///
///     isoflop = { budgets = [1e13, 3e13, 1e14], sizes = 5, spread = 2, tokens_per_param = 20, compute = "total" }
///
/// Shapes come from `ModelShape.nearest` (d_model / n_layer within a factor 2 of the grid's
/// `aspect_ratio`); targets that round to one shape give one run.
public struct IsoFLOPGrid: Equatable, Sendable {
    public var budgetsFLOPs: [Double]
    public var sizes = 5
    public var spread = 2.0
    public var tokensPerParam = 20.0
    /// "total" or "6ne".
    public var compute = "total"

    public static let keys = ["budgets", "sizes", "spread", "tokens_per_param", "compute"]

    public init(budgetsFLOPs: [Double], sizes: Int = 5, spread: Double = 2, tokensPerParam: Double = 20, compute: String = "total") {
        self.budgetsFLOPs = budgetsFLOPs; self.sizes = sizes; self.spread = spread
        self.tokensPerParam = tokensPerParam; self.compute = compute
    }

    /// Target non-embedding sizes at one budget: the centre N_c solves C = 6·N·(ratio·N), i.e.
    /// N_c = √(C / 6·ratio); the others are N_c·spread^k for k = −(sizes−1)/2 … (sizes−1)/2.
    public func targetParams(budgetFLOPs c: Double) -> [Double] {
        let centre = (c / (6 * tokensPerParam)).squareRoot()
        let middle = Double(sizes - 1) / 2
        return (0..<sizes).map { centre * pow(spread, Double($0) - middle) }
    }

    /// Training FLOPs per token of a model, in the budget's measure.
    public func flopsPerToken(_ model: GPTConfigShape) -> Double {
        compute == "6ne" ? 6 * Double(model.params) : model.trainingFLOPsPerToken
    }
}

/// What an IsoFLOP budget needs of a planned model: N and the FLOPs per token as spent.
public struct GPTConfigShape: Sendable {
    public var params: Int
    public var trainingFLOPsPerToken: Double
}
