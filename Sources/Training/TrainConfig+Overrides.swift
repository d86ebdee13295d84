import Foundation

extension TrainConfig {
    /// Applies `section.key=value` overrides in order (as `--set` gives them on the command line,
    /// and a sweep's `[set]` table), each checked like a key of a config file.
    ///
    ///     try cfg.apply(overrides: ["train.steps=500", "optimizer.lr=2e-3"])
    public mutating func apply(overrides: [String]) throws {
        for o in overrides {
            guard let eq = o.firstIndex(of: "=") else {
                throw ConfigError.invalidValue(key: o, reason: "an override must be section.key=value, got '\(o)'", file: nil)
            }
            try set(String(o[..<eq]), to: String(o[o.index(after: eq)...]))
        }
    }
}
