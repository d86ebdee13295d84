/// Training compute in the papers' units: C = 6·N·E FLOPs (N non-embedding parameters, E tokens
/// processed), and PF-days (1 PF-day = 10¹⁵ FLOP/s × 86 400 s = 8.64·10¹⁹ FLOP).
///
///     ComputeCost.flops(params: 1e6, tokens: 1e9)   // 6e15
///     ComputeCost.pfDays(flops: 8.64e19)            // 1
public enum ComputeCost {
    /// FLOPs in one PF-day.
    public static let flopsPerPFDay = 8.64e19

    /// C = 6·N·E.
    public static func flops(params: Double, tokens: Double) -> Double { 6 * params * tokens }

    /// FLOPs in PF-days.
    public static func pfDays(flops: Double) -> Double { flops / flopsPerPFDay }
}

extension ComputeCost {
    /// E = C / (6·N): the tokens a budget of `flops` buys a model of `params`.
    public static func tokens(flops: Double, params: Double) -> Double { flops / (6 * params) }

    /// C in PF-days for N parameters and E tokens.
    public static func pfDays(params: Double, tokens: Double) -> Double { pfDays(flops: flops(params: params, tokens: tokens)) }
}
