import Foundation

/// Every scaling fit of one modality, from its run directories: L(N), L(D), the compute
/// frontier with L(C) and N_opt(C), the L(C)/L(D) crossover, the joint L(N, D) and held-out
/// checks. A fit the data cannot support is left nil and its reason kept in `problems`.
///
///     let study = try ScalingStudy(runs: runs, modality: "image32", options: .init(holdOut: 2))
///     study.lossVersusParams?.exponent.text()
public struct ScalingStudy: Sendable {
    /// Settings of the fits: the residual-bootstrap resamples and seed of the IsoFLOP profiles
    /// (every other interval is a profile or t interval, with nothing to resample), the Huber
    /// threshold of the N_opt(C) point fit, how many of the largest sizes the held-out checks
    /// leave out, and how compute is counted.
    public struct Options: Sendable {
        public var resamples: Int
        public var seed: UInt64
        public var delta: Double
        public var holdOut: Int
        /// How the frontier, L(C) and N_opt(C) count compute (total when every run recorded it).
        public var computeMeasure: ComputeFrontier.Measure
        public init(resamples: Int = 1000, seed: UInt64 = 1, delta: Double = 1e-3, holdOut: Int = 2,
                    computeMeasure: ComputeFrontier.Measure = .total) {
            self.computeMeasure = computeMeasure
            self.resamples = resamples
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
    /// The joint additive law with 95 % profile intervals of L∞, α and β.
    public var jointProfile: JointProfile?
    /// Kaplan's form of the joint law on the same points, with intervals for α_N and α_D.
    public var kaplanJoint: KaplanJointProfile?
    /// 95 % profile interval of the joint additive law's L∞.
    public var jointLossInfinity: Interval? { jointProfile?.lossInfinity }
    /// Exponents of the pure form (x₀/x)^α (L∞ = 0) with 95 % intervals, keyed "L(N)", "L(D)",
    /// "L(C)": only for comparison with papers that fit that form (Kaplan et al. 2020).
    public var pureExponents: [String: Interval] = [:]
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
        // The learning-curve design (the table of laws and the frontier): whole runs that are not
        // part of an IsoFLOP grid (those end where a budget is spent, short for their size by
        // design, and enter only the IsoFLOP profiles and the joint law) and not cooldown branches.
        let curveRuns = Self.curveRuns(runs)
        lossVersusParamsSeries = ScalingSeries.lossVersusParams(curveRuns, name: "L(N) \(modality)")
        lossVersusDataSeries = ScalingSeries.lossVersusData(curveRuns, name: "L(D) \(modality)")
        placement = SeriesPlacement.explain(runs: curveRuns, params: lossVersusParamsSeries, data: lossVersusDataSeries)
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
        let budgeted = Set(runs.filter { $0.summary.computeBudgetFLOPs != nil }.map(\.name))
        (convergedParamsSeries, convergenceLeftOut) = ConvergenceCheck.convergedParams(annealedPoints.filter { !budgeted.contains($0.family) },
                                                                                        name: "L(N) \(modality), converged", noise: noise)
        lossVersusParamsConverged = convergedParamsSeries.x.count >= 3 ? Self.fitSeries(convergedParamsSeries, fitter, &problems) : nil
        branchDataSeries = ConvergenceCheck.dataFromBranches(annealedPoints, name: "L(D) \(modality), cooldown branches")
        if let b = branchDataSeries { lossVersusDataBranches = Self.fitSeries(b, fitter, &problems) }
        let isoRuns = runs.filter { $0.summary.computeBudgetFLOPs != nil && $0.summary.annealed && !$0.name.contains("@") }
        if !isoRuns.isEmpty {
            isoFLOP = IsoFLOPProfiles(points: isoRuns.map {
                IsoFLOPProfiles.Point(budgetFLOPs: $0.summary.computeBudgetFLOPs!, params: $0.summary.params, lossNats: $0.summary.finalTestLossNats)
            }, resamples: o.resamples, seed: o.seed)
        }

        (frontier, computeMeasure) = Self.frontier(of: runs, measure: o.computeMeasure)
        for (key, s) in [("L(N)", lossVersusParamsSeries), ("L(D)", lossVersusDataSeries)] where Set(s.x).count >= 3 {
            pureExponents[key] = try? PureFormFit.exponent(x: s.x, y: s.lossNats, counts: s.counts, noise: noise, series: s.name)
        }
        if Set(convergedParamsSeries.x).count >= 3 {
            let s = convergedParamsSeries
            pureExponents["L(N), converged"] = try? PureFormFit.exponent(x: s.x, y: s.lossNats, counts: s.counts, noise: noise, series: s.name)
        }
        let fp = Self.frontierPoints(frontier)
        if fp.runs >= 3 {
            pureExponents["L(C)"] = try? PureFormFit.exponent(x: fp.x, y: fp.y, counts: fp.counts, independentPoints: fp.runs, noise: noise)
        }
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
        // data was repeated), never the dataset size of a run that did not see it all. Kaplan's
        // form by least squares (a point estimate), the additive form with profile intervals.
        let jp = annealedPoints
        jointPoints = jp.count
        do {
            let k = try KaplanJointProfile.fit(params: jp.map(\.params), dataTokens: jp.map(\.effectiveTokens), lossNats: jp.map(\.lossNats),
                                               tokens: jp.map(\.tokensSeen), noise: noise, series: "L(N, D) \(modality) kaplan")
            kaplanJoint = k
            joint.append(k.jointFit)
        } catch { problems.append("\(error)") }
        do {
            let j = try JointProfile.fit(params: jp.map(\.params), dataTokens: jp.map(\.effectiveTokens), lossNats: jp.map(\.lossNats),
                                         tokens: jp.map(\.tokensSeen), noise: noise, series: "L(N, D) \(modality) additive")
            jointProfile = j
            joint.append(j.jointFit)
        } catch { problems.append("\(error)") }
        self.problems = problems
    }

    /// The runs whose learning curves L(N), L(D) and the frontier use: not planned by an IsoFLOP
    /// grid, not cooldown branches.
    public static func curveRuns(_ runs: [RunRecord]) -> [RunRecord] {
        runs.filter { $0.summary.computeBudgetFLOPs == nil && $0.summary.branchOf == nil && !$0.name.contains("@") }
    }

    /// The compute frontier of the runs that saw their data at most once (no cooldown branches),
    /// counting compute by `measure` when every run recorded it (else 6·N·E), and the measure used.
    public static func frontier(of runs: [RunRecord], measure: ComputeFrontier.Measure = .total) -> (ComputeFrontier, ComputeFrontier.Measure) {
        let sweep = curveRuns(runs).filter { !ScalingSeries.isDataLimited($0.summary) }
        let used = ComputeFrontier.Measure.available(measure, runs: sweep)
        return (ComputeFrontier(runs: sweep, measure: used), used)
    }

    /// L(C) on the frontier's interior points. Each run's stretch of the frontier counts as one
    /// measurement: its points share the weight 1, and the residual degrees of freedom are the runs' − 3.
    public static func fitFrontier(_ f: ComputeFrontier, _ fitter: ProfileFitter, name: String) throws -> PowerLawEstimate {
        let p = frontierPoints(f)
        return try fitter.fit(x: p.x, y: p.y, counts: p.counts, independentPoints: p.runs, series: name).estimate()
    }

    /// The frontier's interior points as L(C) fits them: at most 8 per run, evenly spread over its
    /// stretch (the rest add no information), sharing the run's weight 1; `runs` independent ones.
    public static func frontierPoints(_ f: ComputeFrontier) -> (x: [Double], y: [Double], counts: [Double], runs: Int) {
        var byRun: [String: [ComputeFrontier.Point]] = [:]
        for q in f.interior { byRun[q.run, default: []].append(q) }
        let p = byRun.keys.sorted().flatMap { name -> [ComputeFrontier.Point] in
            let all = byRun[name]!
            guard all.count > 8 else { return all }
            return (0..<8).map { all[$0 * (all.count - 1) / 7] }
        }
        var perRun: [String: Int] = [:]
        for q in p { perRun[q.run, default: 0] += 1 }
        return (p.map(\.computePFDays), p.map(\.lossNats), p.map { 1 / Double(perRun[$0.run]!) }, perRun.count)
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
