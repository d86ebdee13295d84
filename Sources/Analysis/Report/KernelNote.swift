/// The report's sentence on which OpenBLAS kernels the runs used (their speed, and so the study's
/// wall time, depends on it), with every run's warning when the CPU offered better kernels.
enum KernelNote {
    static func text(_ summaries: [RunSummary]) -> String? {
        var counts: [String: Int] = [:]
        for s in summaries { if let k = s.blasKernels { counts[k, default: 0] += 1 } }
        guard !counts.isEmpty else { return nil }
        let sets = counts.sorted { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) }
            .map { "\($0.key) (\($0.value) run\($0.value == 1 ? "" : "s"))" }
        var text = "OpenBLAS kernels: " + sets.joined(separator: ", ") + "."
        let warnings = Set(summaries.compactMap(\.blasKernelWarning)).sorted()
        let warned = summaries.filter { $0.blasKernelWarning != nil }.count
        if !warnings.isEmpty {
            text += " Warning, \(warned) run\(warned == 1 ? "" : "s"): " + warnings.joined(separator: "; ")
                + ". Their tokens/s and wall times understate this machine."
        }
        return text
    }
}
