import Foundation

/// Learning rate by step: linear warm-up from 0 to `peak` over `warmupSteps`, then cosine or
/// linear decay to `minRatio · peak` at `totalSteps`, or constant.
///
///     let s = LearningRateSchedule(peak: 1e-3, warmupSteps: 100, totalSteps: 1000, decay: .cosine, minRatio: 0.1)
///     s.rate(at: 0)   // 1e-5 (step 0 trains at 1/warmup of the peak)
public struct LearningRateSchedule: Sendable, Equatable {
    public enum Decay: String, Sendable { case cosine, linear, constant }
    public var peak: Double, warmupSteps: Int, totalSteps: Int, decay: Decay, minRatio: Double

    public init(peak: Double, warmupSteps: Int, totalSteps: Int, decay: Decay, minRatio: Double) {
        self.peak = peak; self.warmupSteps = warmupSteps; self.totalSteps = totalSteps
        self.decay = decay; self.minRatio = minRatio
    }

    /// Rate used for the update of step `step` (0-based).
    public func rate(at step: Int) -> Double {
        if step < warmupSteps { return peak * Double(step + 1) / Double(warmupSteps) }
        let span = max(1, totalSteps - warmupSteps)
        let progress = min(1, Double(step - warmupSteps) / Double(span))
        let floor = peak * minRatio
        switch decay {
        case .constant: return peak
        case .linear: return peak - (peak - floor) * progress
        case .cosine: return floor + (peak - floor) * 0.5 * (1 + cos(Double.pi * progress))
        }
    }
}
