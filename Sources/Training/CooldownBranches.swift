import Foundation

/// The cooldown branches of a warmup–stable–decay run (`train.cooldown_at`; Hägele et al. 2024):
/// for each fraction f < 1 of the run's steps, a child run of `round(f · steps)` steps with the
/// same config. Its `wsd` schedule equals the parent's until its own cooldown starts, so the
/// parent hands it its state there (`forkStep`) and the child trains only its cooldown: one run
/// gives an annealed point (N, D = tokens seen, loss) per fraction for about 1 + Σ 0.2·f of its
/// cost. Since resuming is exact, a branch ends bit for bit where a separate run of its length
/// would. Branches live in `<run>/branches/cooldown-<f>/`, complete run directories of their own.
///
///     let branches = try CooldownBranches.plan(for: config)   // [] without train.cooldown_at
///     branches.map(\.forkStep)
public struct CooldownBranch: Equatable, Sendable {
    /// The fraction of the parent's steps at which this branch ends.
    public var fraction: Double
    /// The parent's step whose state the branch starts from (where its cooldown begins).
    public var forkStep: Int
    /// The branch's full config: the parent's, with its own steps, run folder and no branches.
    public var config: TrainConfig

    public var directory: URL { URL(fileURLWithPath: config.train.runDir) }
}

public enum CooldownBranches {
    /// The folder name of the branch ending at `fraction` of the run: `cooldown-0.50`.
    public static func folderName(_ fraction: Double) -> String { String(format: "cooldown-%.2f", fraction) }

    /// The steps of the branch ending at `fraction` of a run of `parentSteps` steps.
    public static func steps(fraction: Double, parentSteps: Int) -> Int { Int((fraction * Double(parentSteps)).rounded()) }

    /// The branches a config asks for (fractions below 1; 1.0 is the run's own end), in the order
    /// the parent reaches their fork steps. Errors name a fraction that cannot branch.
    public static func plan(for config: TrainConfig) throws -> [CooldownBranch] {
        let parent = config.train
        var branches: [CooldownBranch] = []
        for f in Set(parent.cooldownAt).sorted() where f < 1 {
            var child = config
            child.train.cooldownAt = []
            child.train.steps = steps(fraction: f, parentSteps: parent.steps)
            child.train.runDir = URL(fileURLWithPath: parent.runDir).appendingPathComponent("branches")
                .appendingPathComponent(folderName(f)).path
            let fork = schedule(child).decayStart
            guard child.train.steps > fork, fork > config.schedule.warmupSteps || config.schedule.warmupSteps == 0 else {
                throw ConfigError.invalidValue(key: "train.cooldown_at", reason:
                    "the branch at \(f) would end at step \(child.train.steps) and cool down from step \(fork), "
                    + "inside the \(config.schedule.warmupSteps) warm-up steps; use a later fraction or more train.steps", file: nil)
            }
            branches.append(CooldownBranch(fraction: f, forkStep: fork, config: child))
        }
        return branches
    }

    /// The learning-rate schedule a config describes.
    public static func schedule(_ config: TrainConfig) -> LearningRateSchedule {
        LearningRateSchedule(peak: config.optimizer.lr, warmupSteps: config.schedule.warmupSteps,
                             totalSteps: config.train.steps,
                             decay: LearningRateSchedule.Decay(rawValue: config.schedule.decay) ?? .cosine,
                             minRatio: config.schedule.minLRRatio, cooldownFraction: config.schedule.cooldownFraction,
                             cooldownShape: LearningRateSchedule.CooldownShape(rawValue: config.schedule.cooldownShape) ?? .linear)
    }

    /// Whether a branch still needs the parent's state: it has no checkpoint at or past its fork.
    static func needsSeed(_ branch: CooldownBranch) -> Bool {
        guard Checkpoint.exists(in: branch.directory), let saved = try? Checkpoint.loadState(from: branch.directory)
        else { return true }
        return saved.step < branch.forkStep
    }
}
