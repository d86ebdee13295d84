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
        /// How the frontier, L(C) and N_opt(C) count compute (total when every run recorded it).
        public var computeMeasure: ComputeFrontier.Measure
        public init(resamples: Int = 1000, frontierResamples: Int? = nil, seed: UInt64 = 1, delta: Double = 1e-3, holdOut: Int = 2,
                    computeMeasure: ComputeFrontier.Measure = .total) {
            self.computeMeasure = computeMeasure
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
    /// 95 % interval of β from the transitions (`OptimalSizeLaw.exponentInterval`).
    public var optimalSizeExponent: Interval?
    /// Crossover compute in PF-days (a point estimate: no interval whose coverage was tested).
    public var crossover: Interval?
    public var joint: [JointLaw.Fit] = []
    public var extrapolation: [String: ExtrapolationCheck] = [:]
    /// Seed-to-seed spread of log-loss over configurations run with several seeds (nil: none).
    public var noise: NoiseLevel?
    /// 95 % profile interval of the joint additive law's L∞.
    public var jointLossInfinity: Interval?
    public var problems: [String] = []
    /// Which runs went into which fit and why the others did not (`SeriesPlacement`).
    public var placement: [String] = []

    // The converged-law design (annealed ends of runs and cooldown branches; IsoFLOP grids).
    /// Every annealed run and branch, with its convergence check.
    public var annealedPoints: [AnnealedPoint] = []
    /// L(N) on converged points only (`ConvergenceCheck.convergedParams`), and the sizes left out.
    public var convergedParamsSeries: ScalingSeries
    public var lossVersusParamsConverged: PowerLawEstimate?
    public var convergenceLeftOut: [String] = []
    /// L(D) from cooldown branches (nil: the runs have none).
    public var branchDataSeries: ScalingSeries?
    public var lossVersusDataBranches: PowerLawEstimate?
    /// Hoffmann's approach 2 on runs planned by an IsoFLOP grid (nil: none).
    public var isoFLOP: IsoFLOPProfiles?
    /// The compute measure the frontier, L(C) and N_opt(C) used.
    public var computeMeasure: ComputeFrontier.Measure = .sixNE
    /// Points of the joint fit: annealed points, D = effective tokens seen.
    public var jointPoints: Int = 0

    public init(runs allRuns: [RunRecord], modality: String, options: Options = .init()) throws {
        self.modality = modality
        runs = allRuns.filter { $0.summary.modality == modality }
        let o = options
        lossVersusParamsSeries = ScalingSeries.lossVersusParams(runs, name: "L(N) \(modality)")
        lossVersusDataSeries = ScalingSeries.lossVersusData(runs, name: "L(D) \(modality)")
        placement = SeriesPlacement.explain(runs: runs, params: lossVersusParamsSeries, data: lossVersusDataSeries)
        noise = SeedReplicates.noise(runs)
        var problems: [String] = []
        let fitter = ProfileFitter(noise: noise)
        lossVersusParams = Self.fitSeries(lossVersusParamsSeries, fitter, &problems)
        lossVersusData = Self.fitSeries(lossVersusDataSeries, fitter, &problems)
        for s in [lossVersusParamsSeries, lossVersusDataSeries] where !s.x.isEmpty {
            do { extrapolation[s.name] = try fitter.extrapolationCheck(x: s.x, y: s.lossNats, counts: s.counts, holdOut: o.holdOut, series: s.name) }
            catch { problems.append("held-out check: \(error)") }
        }
        // Converged points: annealed ends of runs and cooldown branches.
        annealedPoints = ConvergenceCheck.points(runs, noise: noise)
        (convergedParamsSeries, convergenceLeftOut) = ConvergenceCheck.convergedParams(annealedPoints, name: "L(N) \(modality), converged", noise: noise)
        lossVersusParamsConverged = convergedParamsSeries.x.count >= 3 ? Self.fitSeries(convergedParamsSeries, fitter, &problems) : nil
        branchDataSeries = ConvergenceCheck.dataFromBranches(annealedPoints, name: "L(D) \(modality), cooldown branches")
        if let b = branchDataSeries { lossVersusDataBranches = Self.fitSeries(b, fitter, &problems) }
        let budgeted = runs.filter { $0.summary.computeBudgetFLOPs != nil && $0.summary.annealed && !$0.name.contains("@") }
        if !budgeted.isEmpty {
            isoFLOP = IsoFLOPProfiles(points: budgeted.map {
                IsoFLOPProfiles.Point(budgetFLOPs: $0.summary.computeBudgetFLOPs!, params: $0.summary.params, lossNats: $0.summary.finalTestLossNats)
            }, resamples: o.resamples, seed: o.seed)
        }

        let sweep = runs.filter { !ScalingSeries.isDataLimited($0.summary) && $0.summary.branchOf == nil && !$0.name.contains("@") }
        computeMeasure = ComputeFrontier.Measure.available(o.computeMeasure, runs: sweep)
        frontier = ComputeFrontier(runs: sweep, measure: computeMeasure)
        let lcName = "L(C) \(modality)"
        do {
            let e = try Self.fitFrontier(frontier, fitter, name: lcName)
            lossVersusCompute = e
            Self.noteBounds(e.profile, &problems)
        } catch { problems.append("\(error)") }
        do { optimalSize = try OptimalSizeLaw.fit(frontier, delta: o.delta) } catch { problems.append("N_opt(C) \(modality): \(error)") }
        if optimalSize != nil {
            optimalSizeExponent = OptimalSizeLaw.exponentInterval(frontier)
            if optimalSizeExponent == nil { problems.append("N_opt(C) \(modality): fewer than 3 transitions, so β has no interval") }
        }
        if let lc = lossVersusCompute?.fit.law, let nOpt = optimalSize, let ld = lossVersusData?.fit.law {
            if let c = Crossover.solve(lossVersusCompute: lc, lossVersusData: ld, optimalSize: nOpt) {
                crossover = Interval(estimate: c, lower: .nan, upper: .nan)
            } else { problems.append("crossover \(modality): extrapolated L(C) never falls below L(D) in 1e-30…1e30 PF-days") }
        }
        // Joint L(N, D) over every annealed point, D = tokens seen (effective tokens when the
        // data was repeated), never the dataset size of a run that did not see it all.
        let jp = annealedPoints
        jointPoints = jp.count
        for form in JointLaw.Form.allCases {
            do {
                joint.append(try JointLaw.fit(params: jp.map(\.params), dataTokens: jp.map(\.effectiveTokens),
                                              lossNats: jp.map(\.lossNats), form: form, delta: o.delta,
                                              series: "L(N, D) \(modality) \(form.rawValue)"))
            } catch { problems.append("\(error)") }
        }
        if let j = joint.first(where: { $0.law.form == .additive }) {
            jointLossInfinity = JointLossInfinityProfile.interval(params: jp.map(\.params), dataTokens: jp.map(\.effectiveTokens),
                                                                  lossNats: jp.map(\.lossNats),
                                                                  estimate: j.law.parameters["lossInfinity"] ?? .nan, noise: noise)
        }
        self.problems = problems
    }

    /// L(C) on the frontier's interior points. Each run's stretch of the frontier counts as one
    /// measurement: its points share the weight 1, and the residual degrees of freedom are the runs' − 3.
    static func fitFrontier(_ f: ComputeFrontier, _ fitter: ProfileFitter, name: String) throws -> PowerLawEstimate {
        // At most 8 points per run, evenly spread over its stretch (the rest add no information).
        var byRun: [String: [ComputeFrontier.Point]] = [:]
        for q in f.interior { byRun[q.run, default: []].append(q) }
        let p = byRun.keys.sorted().flatMap { name -> [ComputeFrontier.Point] in
            let all = byRun[name]!
            guard all.count > 8 else { return all }
            return (0..<8).map { all[$0 * (all.count - 1) / 7] }
        }
        var perRun: [String: Int] = [:]
        for q in p { perRun[q.run, default: 0] += 1 }
        return try fitter.fit(x: p.map(\.computePFDays), y: p.map(\.lossNats), counts: p.map { 1 / Double(perRun[$0.run]!) },
                              independentPoints: perRun.count, series: name).estimate()
    }

    /// The profiled fit of one series, with a caveat when L∞ is not determined or a bound is hit.
    static func fitSeries(_ s: ScalingSeries, _ fitter: ProfileFitter, _ problems: inout [String]) -> PowerLawEstimate? {
        guard !s.x.isEmpty else { return nil }
        do {
            let p = try fitter.fit(x: s.x, y: s.lossNats, counts: s.counts, series: s.name)
            noteBounds(p, &problems)
            return p.estimate()
        } catch {
            problems.append("\(error)")
            return nil
        }
    }

    static func noteBounds(_ p: LossProfile?, _ problems: inout [String]) {
        guard let p else { return }
        if !p.lossInfinityDetermined {
            problems.append("\(p.series): L∞ is not determined by these points; any L∞ in \(p.lossInfinityRangeText) fits within the 95 % profile")
        }
        if !p.onBound.isEmpty { problems.append("\(p.series): the best fit lies on a bound (\(p.onBound.joined(separator: ", ")))") }
        if p.degreesOfFreedom == 0 { problems.append("\(p.series): \(p.points) points and no measured seed noise: the 3-parameter law is not determined") }
    }
}
