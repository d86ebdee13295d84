import Foundation

/// The joint law of loss in model size N and dataset size D, in one of two forms:
/// - Kaplan et al. 2020: L = [(N_c/N)^(α_N/α_D) + D_c/D]^α_D
/// - additive (Hoffmann et al. 2022 style): L = L∞ + A/N^α + B/D^β
///
/// Fitted by `JointProfile` (additive) and `KaplanJointProfile` (Kaplan's), each with intervals.
///
///     let law = try JointProfile.fit(params: n, dataTokens: d, lossNats: l, noise: nil).law
///     law(params: 1e7, dataTokens: 1e9)
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
}
