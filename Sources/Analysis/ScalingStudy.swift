import Foundation

/// Every scaling fit of one modality, from its run directories: L(N), L(D), the compute
/// frontier with L(C) and N_opt(C), the L(C)/L(D) crossover, the joint L(N, D) and held-out
/// checks. A fit the data cannot support is left nil and its reason kept in `problems`.
///
///     let study = try ScalingStudy(runs: runs, modality: "image32", options: .init(resamples: 1000))
///     study.lossVersusParams?.exponent.text()
public struct ScalingStudy: Sendable {
    /// Settings of the fits and the bootstrap.
    public struct Options: Sendable {
        public var resamples: Int
        /// Resamples of the run-level bootstrap that rebuilds the frontier (costlier).
        public var frontierResamples: Int
        public var seed: UInt64
        public var delta: Double
        public var holdOut: Int
        public init(resamples: Int = 1000, frontierResamples: Int? = nil, seed: UInt64 = 1, delta: Double = 1e-3, holdOut: Int = 1) {
            self.resamples = resamples
            self.frontierResamples = frontierResamples ?? min(resamples, 200)
            self.seed = seed; self.delta = delta; self.holdOut = holdOut
        }
    }

    public var modality: String
    public var runs: [RunRecord]
    public var lossVersusParamsSeries: ScalingSeries
    public var lossVersusDataSeries: ScalingSeries
    public var lossVersusParams: PowerLawEstimate?
    public var lossVersusData: PowerLawEstimate?
    public var frontier: ComputeFrontier
    public var lossVersusCompute: PowerLawEstimate?
    public var optimalSize: OptimalSizeLaw?
    /// 95 % interval of β over the run bootstrap.
    public var optimalSizeExponent: Interval?
    /// Crossover compute in PF-days with its 95 % interval over the run bootstrap.
    public var crossover: Interval?
    public var joint: [JointLaw.Fit] = []
    public var extrapolation: [String: ExtrapolationCheck] = [:]
    public var problems: [String] = []
    /// Which runs went into which fit and why the others did not (`SeriesPlacement`).
    public var placement: [String] = []

    public init(runs allRuns: [RunRecord], modality: String, options: Options = .init()) throws {
        self.modality = modality
        runs = allRuns.filter { $0.summary.modality == modality }
        let o = options
        lossVersusParamsSeries = ScalingSeries.lossVersusParams(runs, name: "L(N) \(modality)")
        lossVersusDataSeries = ScalingSeries.lossVersusData(runs, name: "L(D) \(modality)")
        placement = SeriesPlacement.explain(runs: runs, params: lossVersusParamsSeries, data: lossVersusDataSeries)
        var problems: [String] = []
        lossVersusParams = Self.fitSeries(lossVersusParamsSeries, o, &problems)
        lossVersusData = Self.fitSeries(lossVersusDataSeries, o, &problems)
        for s in [lossVersusParamsSeries, lossVersusDataSeries] {
            let form: PowerLaw.Form = (s.variable == "N" ? lossVersusParams : lossVersusData)?.fit.law.form ?? .saturating
            do { extrapolation[s.name] = try PowerLawFitter(form: form, delta: o.delta).extrapolationCheck(x: s.x, y: s.lossNats, holdOut: o.holdOut, series: s.name) }
            catch { problems.append("held-out check: \(error)") }
        }
        let sweep = runs.filter { !ScalingSeries.isDataLimited($0.summary) }
        frontier = ComputeFrontier(runs: sweep)
        let interior = frontier.interior
        let lcName = "L(C) \(modality)"
        var lcFit: PowerLawFitter.Fit? = nil
        do { lcFit = try Self.fitFrontier(frontier, o.delta, name: lcName) } catch { problems.append("\(error)") }
        do { optimalSize = try OptimalSizeLaw.fit(frontier, delta: o.delta) } catch { problems.append("N_opt(C) \(modality): \(error)") }
        if let lc = lcFit, let nOpt = optimalSize, let ld = lossVersusData?.fit.law {
            if let c = Crossover.solve(lossVersusCompute: lc.law, lossVersusData: ld, optimalSize: nOpt) {
                crossover = Interval(estimate: c, lower: .nan, upper: .nan)
            } else { problems.append("crossover \(modality): extrapolated L(C) never falls below L(D) in 1e-30…1e30 PF-days") }
        }
        // Run-level bootstrap of the frontier, N_opt and the crossover.
        if let lc = lcFit {
            let dataRuns = runs.filter { ScalingSeries.isDataLimited($0.summary) }
            let all = sweep + dataRuns
            let nSweep = sweep.count
            let delta = o.delta, form = lc.law.form
            let draws = Bootstrap.run(resamples: o.frontierResamples, seed: o.seed ^ 0xF00D, count: all.count, groups: nil) { w in
                let pickedSweep = (0..<nSweep).filter { w[$0] > 0 }.map { all[$0] }
                let pickedData = (nSweep..<all.count).filter { w[$0] > 0 }.map { all[$0] }
                let f = ComputeFrontier(runs: pickedSweep)
                guard let law = try? Self.fitFrontier(f, delta, name: "", form: form).law else { return nil }
                let beta = (try? OptimalSizeLaw.fit(f, delta: delta))
                var cross = Double.nan
                let ldSeries = ScalingSeries.lossVersusData(pickedData)
                if let b = beta, let ld = try? PowerLawFitter(form: lossVersusData?.fit.law.form ?? .saturating, delta: delta)
                    .fit(x: ldSeries.x, y: ldSeries.lossNats).law {
                    cross = Crossover.solve(lossVersusCompute: law, lossVersusData: ld, optimalSize: b) ?? .nan
                }
                return [law.lossInfinity, law.scale, law.exponent, beta?.exponent ?? .nan, cross]
            }
            // L(C) itself: its frontier points resampled by the run each comes from.
            let names = Array(Set(interior.map(\.run))).sorted()
            let groups = interior.map { names.firstIndex(of: $0.run)! }
            lossVersusCompute = try? PowerLawFitter(form: form, delta: delta, requireCurvature: false)
                .bootstrap(x: interior.map(\.computePFDays), y: interior.map(\.lossNats), groups: groups,
                           resamples: o.resamples, seed: o.seed ^ 0xC0FFEE, series: lcName)
            if let nOpt = optimalSize {
                optimalSizeExponent = Bootstrap.interval(draws.map { $0[3] }, estimate: nOpt.exponent)
            }
            if var c = crossover {
                let v = draws.map { $0[4] }.filter { $0.isFinite }
                c.lower = Bootstrap.percentile(v, 0.025); c.upper = Bootstrap.percentile(v, 0.975)
                crossover = c
            }
        }
        // Joint L(N, D) over every run that knows its dataset size.
        let known = runs.filter { $0.summary.datasetTokens != nil }
        for form in JointLaw.Form.allCases {
            do {
                joint.append(try JointLaw.fit(params: known.map(\.summary.params), dataTokens: known.map { $0.summary.datasetTokens! },
                                              lossNats: known.map(\.summary.bestTestLossNats), form: form, delta: o.delta,
                                              series: "L(N, D) \(modality) \(form.rawValue)"))
            } catch { problems.append("\(error)") }
        }
        self.problems = problems
    }

    static func fitFrontier(_ f: ComputeFrontier, _ delta: Double, name: String, form: PowerLaw.Form? = nil) throws -> PowerLawFitter.Fit {
        let p = f.interior
        let x = p.map(\.computePFDays), y = p.map(\.lossNats)
        if let form = form { return try PowerLawFitter(form: form, delta: delta, requireCurvature: false).fit(x: x, y: y, series: name) }
        do { return try PowerLawFitter(delta: delta).fit(x: x, y: y, series: name) }
        catch FitError.noCurvature, FitError.lossInfinityCollapsed {
            return try PowerLawFitter(form: .pure, delta: delta).fit(x: x, y: y, series: name)
        }
    }

    /// Saturating fit with bootstrap; falls back to the pure power law when L∞ is not determined.
    static func fitSeries(_ s: ScalingSeries, _ o: Options, _ problems: inout [String]) -> PowerLawEstimate? {
        func warnIfFailures(_ e: PowerLawEstimate?) -> PowerLawEstimate? {
            if let e = e, e.failedResamples * 10 > e.resamples {
                problems.append("\(s.name): \(e.failedResamples) of \(e.resamples) bootstrap resamples drew too few distinct points to fit; "
                    + "the interval is conditional on the others and likely too narrow (more sizes would help)")
            }
            return e
        }
        do {
            return warnIfFailures(try PowerLawFitter(delta: o.delta).bootstrap(x: s.x, y: s.lossNats, resamples: o.resamples, seed: o.seed, series: s.name))
        } catch let e as FitError {
            switch e {
            case .noCurvature, .lossInfinityCollapsed:
                problems.append("\(e) (pure power law fitted)")
                return warnIfFailures(try? PowerLawFitter(form: .pure, delta: o.delta).bootstrap(x: s.x, y: s.lossNats, resamples: o.resamples, seed: o.seed, series: s.name))
            default:
                problems.append("\(e)")
                return nil
            }
        } catch {
            problems.append("\(error)")
            return nil
        }
    }
}
