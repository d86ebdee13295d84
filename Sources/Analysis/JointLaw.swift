import Foundation

/// The joint law of loss in model size N and dataset size D, in one of two forms:
/// - Kaplan et al. 2020: L = [(N_c/N)^(α_N/α_D) + D_c/D]^α_D
/// - additive (Hoffmann et al. 2022 style): L = L∞ + A/N^α + B/D^β
///
///     let fit = try JointLaw.fit(params: n, dataTokens: d, lossNats: l, form: .additive)
///     fit.law(params: 1e7, dataTokens: 1e9)
public struct JointLaw: Codable, Sendable, Equatable {
    public enum Form: String, Codable, Sendable, CaseIterable { case kaplan, additive }

    public var form: Form
    /// kaplan: nc, dc, alphaN, alphaD. additive: lossInfinity, a, alpha, b, beta.
    public var parameters: [String: Double]

    public init(form: Form, parameters: [String: Double]) { self.form = form; self.parameters = parameters }

    public func callAsFunction(params n: Double, dataTokens d: Double) -> Double {
        let p = parameters
        switch form {
        case .kaplan:
            let aN = p["alphaN"]!, aD = p["alphaD"]!
            return Foundation.pow(Foundation.pow(p["nc"]! / n, aN / aD) + p["dc"]! / d, aD)
        case .additive:
            return p["lossInfinity"]! + p["a"]! * Foundation.pow(n, -p["alpha"]!) + p["b"]! * Foundation.pow(d, -p["beta"]!)
        }
    }

    public var formula: String {
        let p = parameters
        func s(_ k: String) -> String { Format.sig(p[k] ?? .nan) }
        switch form {
        case .kaplan: return "[(\(s("nc"))/N)^(\(s("alphaN"))/\(s("alphaD"))) + \(s("dc"))/D]^\(s("alphaD"))"
        case .additive: return "\(s("lossInfinity")) + \(s("a"))/N^\(s("alpha")) + \(s("b"))/D^\(s("beta"))"
        }
    }

    /// A fitted joint law with its RMS log residual.
    public struct Fit: Codable, Sendable {
        public var law: JointLaw
        public var points: Int
        public var rmsLogResidual: Double
    }

    public static func fit(params n: [Double], dataTokens d: [Double], lossNats y: [Double], form: Form,
                           delta: Double = 1e-3, series: String = "L(N, D)") throws -> Fit {
        let count = y.count
        let needed = form == .kaplan ? 5 : 6
        guard count >= needed else { throw FitError.tooFewPoints(series: series, needed: needed, got: count) }
        for i in 0..<count where !(n[i] > 0 && d[i] > 0 && y[i] > 0) {
            throw FitError.nonPositive(series: series, index: i, x: n[i], y: y[i])
        }
        let ln = n.map { Foundation.log($0) }, ld = d.map { Foundation.log($0) }, ly = y.map { Foundation.log($0) }
        let mN = ln.reduce(0, +) / Double(count), mD = ld.reduce(0, +) / Double(count)
        let lm = HuberLM(delta: delta, maxIterations: 400)
        var best: HuberLM.Result? = nil
        let evaluate: HuberLM.Evaluate
        var starts: [[Double]] = []
        switch form {
        case .kaplan:
            // θ = [u = log N_c − mean log N, v = log D_c − mean log D, α_N, α_D]
            evaluate = { th, r, jac in
                func res(_ t: [Double], _ i: Int) -> Double {
                    let a = Foundation.exp((t[2] / t[3]) * (t[0] + mN - ln[i])), b = Foundation.exp(t[1] + mD - ld[i])
                    return t[3] * Foundation.log(a + b) - ly[i]
                }
                for i in 0..<count { r[i] = res(th, i) }
                if jac != nil {
                    for j in 0..<4 {
                        var up = th, dn = th
                        let h = 1e-6 * max(1, abs(th[j]))
                        up[j] += h; dn[j] -= h
                        for i in 0..<count { jac![4 * i + j] = (res(up, i) - res(dn, i)) / (2 * h) }
                    }
                }
            }
            for u in [1.0, 5, 12] { for v in [1.0, 5, 12] { for aN in [0.05, 0.15, 0.4] { for aD in [0.05, 0.15, 0.4] {
                starts.append([u, v, aN, aD])
            } } } }
        case .additive:
            // θ = [e, a, α, b, β]: exp(e) + exp(a − α(log N − mN)) + exp(b − β(log D − mD))
            evaluate = { th, r, jac in
                let le = Foundation.exp(th[0])
                for i in 0..<count {
                    let q = Foundation.exp(th[1] - th[2] * (ln[i] - mN)), s = Foundation.exp(th[3] - th[4] * (ld[i] - mD))
                    let p = le + q + s
                    r[i] = Foundation.log(p) - ly[i]
                    if jac != nil {
                        jac![5 * i] = le / p; jac![5 * i + 1] = q / p; jac![5 * i + 2] = -(ln[i] - mN) * q / p
                        jac![5 * i + 3] = s / p; jac![5 * i + 4] = -(ld[i] - mD) * s / p
                    }
                }
            }
            let ymin = y.min()!, ymean = y.reduce(0, +) / Double(count)
            for frac in [0.3, 0.6, 0.9] { for al in [0.1, 0.3, 0.7] { for be in [0.1, 0.3, 0.7] {
                let linf = frac * ymin, rest = Foundation.log(max((ymean - linf) / 2, 1e-3 * ymin))
                starts.append([Foundation.log(linf), rest, al, rest, be])
            } } }
        }
        for s in starts {
            let r = lm.minimize(start: s, count: count, evaluate: evaluate)
            let okExponents = form == .kaplan ? (r.parameters[2] > 0 && r.parameters[3] > 0) : (r.parameters[2] > 0 && r.parameters[4] > 0)
            if r.objective.isFinite && okExponents && r.parameters.allSatisfy({ $0.isFinite })
                && r.objective < (best?.objective ?? .infinity) { best = r }
        }
        guard let b = best else { throw FitError.didNotConverge(series: series) }
        let th = b.parameters
        let law: JointLaw
        switch form {
        case .kaplan:
            law = JointLaw(form: .kaplan, parameters: ["nc": Foundation.exp(th[0] + mN), "dc": Foundation.exp(th[1] + mD),
                                                       "alphaN": th[2], "alphaD": th[3]])
        case .additive:
            // exp(a − α(log N − mN)) = A·N^−α with A = exp(a + α·mN)
            law = JointLaw(form: .additive, parameters: ["lossInfinity": Foundation.exp(th[0]),
                                                         "a": Foundation.exp(th[1] + th[2] * mN), "alpha": th[2],
                                                         "b": Foundation.exp(th[3] + th[4] * mD), "beta": th[4]])
        }
        var r = [Double](repeating: 0, count: count), none: [Double]? = nil
        evaluate(th, &r, &none)
        let rms = (r.reduce(0) { $0 + $1 * $1 } / Double(count)).squareRoot()
        return Fit(law: law, points: count, rmsLogResidual: rms)
    }
}
