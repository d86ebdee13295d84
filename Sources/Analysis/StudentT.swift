import Foundation

/// Two-sided 95 % quantiles of Student's t distribution, for intervals whose noise level is
/// estimated from few degrees of freedom (seed replicates, fit residuals).
///
///     StudentT.quantile975(degreesOfFreedom: 5)   // 2.571
public enum StudentT {
    /// t₀.₉₇₅ for ν = 1…30 (standard tables, 3 decimals).
    static let table: [Double] = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
                                  2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
                                  2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042]

    /// The 97.5 % quantile for ν degrees of freedom (rounded down to an integer, at least 1);
    /// above 30 the Cornish–Fisher expansion around the normal quantile 1.95996 (error < 1e-3).
    /// `.infinity` degrees of freedom (a known noise level) gives the normal quantile.
    public static func quantile975(degreesOfFreedom nu: Double) -> Double {
        let z = 1.959964
        guard nu.isFinite else { return z }
        let v = max(1, Int(nu.rounded(.down)))
        if v <= table.count { return table[v - 1] }
        let n = Double(v)
        return z + (z * z * z + z) / (4 * n) + (5 * pow(z, 5) + 16 * z * z * z + 3 * z) / (96 * n * n)
    }
}
