import Foundation

/// Learning rate by step: linear warm-up from 0 to `peak` over `warmupSteps`, then cosine or
/// linear decay to `minRatio · peak` at `totalSteps`, constant, or warmup–stable–decay (`wsd`:
/// constant at the peak, then a cooldown over the last `cooldownFraction` of the steps, linear or
/// 1−sqrt, to `minRatio · peak`; Hägele et al. 2024).
///
///     let s = LearningRateSchedule(peak: 1e-3, warmupSteps: 100, totalSteps: 1000, decay: .cosine, minRatio: 0.1)
///     s.rate(at: 0)   // 1e-5 (step 0 trains at 1/warmup of the peak)
///
/// A `wsd` schedule of `n` steps equals, up to its `decayStart`, a `wsd` schedule of any other
/// length with the same warm-up: that is what lets a cooldown branch fork from a longer run.
public struct LearningRateSchedule: Sendable, Equatable {
    public enum Decay: String, Sendable, CaseIterable { case cosine, linear, constant, wsd }
    /// How a `wsd` cooldown falls: linearly, or as 1 − sqrt(progress) (Hägele et al.'s best).
    public enum CooldownShape: String, Sendable, CaseIterable {
        case linear
        case oneMinusSqrt = "1-sqrt"
    }
    public var peak: Double, warmupSteps: Int, totalSteps: Int, decay: Decay, minRatio: Double
    /// `wsd` only: the share of `totalSteps` spent cooling down, and its shape.
    public var cooldownFraction: Double
    public var cooldownShape: CooldownShape

    public init(peak: Double, warmupSteps: Int, totalSteps: Int, decay: Decay, minRatio: Double,
                cooldownFraction: Double = 0.2, cooldownShape: CooldownShape = .linear) {
        self.peak = peak; self.warmupSteps = warmupSteps; self.totalSteps = totalSteps
        self.decay = decay; self.minRatio = minRatio
        self.cooldownFraction = cooldownFraction; self.cooldownShape = cooldownShape
    }

    /// `wsd`: the first step of the cooldown, `totalSteps − round(cooldownFraction · totalSteps)`,
    /// never inside the warm-up. Other decays: the end of the warm-up.
    public var decayStart: Int {
        guard decay == .wsd else { return warmupSteps }
        return max(warmupSteps, totalSteps - Int((cooldownFraction * Double(totalSteps)).rounded()))
    }

    /// Rate used for the update of step `step` (0-based).
    public func rate(at step: Int) -> Double {
        if step < warmupSteps { return peak * Double(step + 1) / Double(warmupSteps) }
        let floor = peak * minRatio
        if decay == .wsd {
            let start = decayStart
            guard step >= start else { return peak }
            // Steps start..<total fall from the peak; the last update runs at the floor.
            let span = max(1, totalSteps - 1 - start)
            let progress = min(1, Double(step - start) / Double(span))
            switch cooldownShape {
            case .linear: return peak - (peak - floor) * progress
            case .oneMinusSqrt: return floor + (peak - floor) * (1 - progress.squareRoot())
            }
        }
        let span = max(1, totalSteps - warmupSteps)
        let progress = min(1, Double(step - warmupSteps) / Double(span))
        switch decay {
        case .constant, .wsd: return peak
        case .linear: return peak - (peak - floor) * progress
        case .cosine: return floor + (peak - floor) * 0.5 * (1 + cos(Double.pi * progress))
        }
    }
}
