import CBLAS
#if canImport(Glibc)
import Glibc
#endif

/// Which of OpenBLAS's per-CPU kernel sets this process uses, chosen once before the first product
/// from the CPU's features, not from OpenBLAS's recognition of the CPU model.
///
/// Debian's OpenBLAS 0.3.21 (DYNAMIC_ARCH) picks its kernels from the CPU models it knows. On a
/// model it does not know it falls back to a weak set: on an Intel Xeon of family 6, model 207
/// (AVX-512 with BF16) it served the SSE3 "Prescott" kernels, 20–28 GFLOP/s on a 1024³ SGEMM
/// against 140–267 with its "Cooperlake" ones; on AMD Zen 4/5 it served the AVX2 "Haswell" or
/// "Zen" kernels (~210 GFLOP/s on a 2-core Zen 5, ~420 with "SkylakeX"). Some machine images also
/// pin `OPENBLAS_CORETYPE` for every process.
///
/// With `WORKBENCH_BLAS_CORE=auto` (the default), whenever the set in use ranks below the best set
/// the CPU's features allow (`CPUFeatures.bestKernelSet`: Cooperlake with AVX-512 + BF16, SkylakeX
/// with AVX-512 F/CD/BW/DQ/VL, Haswell with AVX2 + FMA), this re-runs OpenBLAS's own dynamic
/// selection (`gotoblas_dynamic_init`) with `OPENBLAS_CORETYPE` set to the best set this library
/// has, times a short SGEMM with the old and the new set, and keeps the faster one. `inherit` keeps
/// whatever OpenBLAS chose; any other value is an OpenBLAS core name used as given (no timing).
/// The choice is printed by `workbench bench`, recorded in each run's `summary.json` and shown by
/// the study report; `shortfall` says when the CPU offers more than the set in use. If the library
/// cannot switch (no DYNAMIC_ARCH) or the switch does not take, the original kernels stay and a
/// warning on standard error says so.
public enum OpenBLASKernels {
    /// The kernel set in use (OpenBLAS's core name, e.g. "Haswell", "Cooperlake"), after selection.
    public static var coreName: String { selection.coreName }
    /// The kernel set OpenBLAS chose by itself, before this type looked at the CPU.
    public static var detectedCoreName: String { selection.detected }
    /// The SGEMM rates (GFLOP/s, `confirmationSize`³) of the detected and the chosen set, when a
    /// switch was timed.
    public static var confirmation: (detectedGFLOPs: Double, chosenGFLOPs: Double)? { selection.confirmation }
    /// The side of the square SGEMM that confirms a switch.
    public static let confirmationSize = 384

    /// Whether the kernel set in use is one of OpenBLAS's AVX-512 ones.
    public static var usesAVX512: Bool { CPUFeatures.rank(of: coreName) >= CPUFeatures.rank(of: "SkylakeX") }

    /// A warning when this CPU offers a better kernel set than the one in use (nil when it does not).
    public static var shortfall: String? {
        shortfall(inUse: coreName, features: CPUFeatures.current,
                  setting: getenv("WORKBENCH_BLAS_CORE").map { String(cString: $0) } ?? "auto")
    }

    /// One line for benchmarks and reports: "Cooperlake (chosen over Prescott: 21 → 152 GFLOP/s on a 384³ SGEMM)".
    public static var description: String {
        var text = coreName
        if coreName.lowercased() != detectedCoreName.lowercased() {
            text += " (chosen over \(detectedCoreName)"
            if let c = confirmation {
                text += String(format: ": %.0f → %.0f GFLOP/s on a %d³ SGEMM", c.detectedGFLOPs, c.chosenGFLOPs, confirmationSize)
            }
            text += ")"
        }
        return text
    }

    /// Runs the selection once (thread-safe: Swift's lazy global initialisation); cheap afterwards.
    @inlinable public static func prepare() { _ = selection }

    @usableFromInline struct Selection {
        var detected: String
        var coreName: String
        var confirmation: (detectedGFLOPs: Double, chosenGFLOPs: Double)? = nil
    }

    @usableFromInline static let selection: Selection = select()

    /// What to try for a `WORKBENCH_BLAS_CORE` setting: kernel sets best first, and whether a switch
    /// must prove faster on a timed SGEMM. Empty: keep `detected`.
    static func plan(setting: String, detected: String, features: CPUFeatures) -> (candidates: [String], timed: Bool) {
        switch setting.lowercased() {
        case "inherit": return ([], false)
        case "auto", "": return (features.upgrades(from: detected), true)
        default: return (setting.lowercased() == detected.lowercased() ? [] : [setting], false)
        }
    }

    /// The warning for a kernel set that ranks below what `features` allow, naming how to fix it.
    static func shortfall(inUse: String, features: CPUFeatures, setting: String) -> String? {
        guard let best = features.bestKernelSet, CPUFeatures.rank(of: inUse) < CPUFeatures.rank(of: best) else { return nil }
        let why = setting.lowercased() == "auto" || setting.isEmpty
            ? "the switch was not faster or not possible"
            : "WORKBENCH_BLAS_CORE=\(setting)"
        return "this CPU offers \(features.summary) (OpenBLAS's \(best) kernels) but \(inUse) kernels are in use (\(why))"
    }

    static func currentCoreName() -> String {
        guard let name = openblas_get_corename() else { return "unknown" }
        return String(cString: name)
    }

    static func select() -> Selection {
        let detected = currentCoreName()
        let setting = getenv("WORKBENCH_BLAS_CORE").map { String(cString: $0) } ?? "auto"
        let (candidates, timed) = plan(setting: setting, detected: detected, features: .current)
        guard !candidates.isEmpty else { return Selection(detected: detected, coreName: detected) }
        func keep(_ why: String) -> Selection {
            fputs("workbench: \(why); keeping OpenBLAS's \(detected) kernels\n", stderr)
            return Selection(detected: detected, coreName: currentCoreName())
        }
        guard let handle = dlopen(nil, RTLD_NOW),
              let initSymbol = dlsym(handle, "gotoblas_dynamic_init"),
              let quitSymbol = dlsym(handle, "gotoblas_dynamic_quit")
        else { return keep("this OpenBLAS cannot change kernels at run time (no DYNAMIC_ARCH)") }
        let available = candidates.filter { dlsym(handle, "gotoblas_" + $0.uppercased()) != nil }
        guard let wanted = available.first else {
            return keep("WORKBENCH_BLAS_CORE=\(setting): this OpenBLAS has none of the kernel sets \(candidates.joined(separator: ", "))")
        }
        typealias Entry = @convention(c) () -> Void
        let dynamicInit = unsafeBitCast(initSymbol, to: Entry.self)
        let dynamicQuit = unsafeBitCast(quitSymbol, to: Entry.self)
        let inherited = getenv("OPENBLAS_CORETYPE").map { String(cString: $0) }
        func use(_ core: String) {
            setenv("OPENBLAS_CORETYPE", core, 1)
            dynamicQuit()
            dynamicInit()
        }
        // Child processes (sweep workers) make the same choice themselves from the same environment.
        defer { if let inherited { setenv("OPENBLAS_CORETYPE", inherited, 1) } else { unsetenv("OPENBLAS_CORETYPE") } }
        let detectedRate = timed ? confirmationGFLOPs() : 0
        for core in (timed ? available : [wanted]) {
            use(core)
            guard currentCoreName().lowercased() == core.lowercased() else { continue }
            guard timed else { return Selection(detected: detected, coreName: currentCoreName()) }
            let rate = confirmationGFLOPs()
            if rate > detectedRate {
                return Selection(detected: detected, coreName: currentCoreName(), confirmation: (detectedRate, rate))
            }
        }
        use(detected)
        return keep(timed ? "no better kernel set (\(available.joined(separator: ", "))) beat \(detected) on a \(confirmationSize)³ SGEMM"
                          : "OpenBLAS did not switch to its \(wanted) kernels")
    }

    /// The SGEMM rate of the kernels in use on a `confirmationSize`³ product: the best of 5 calls
    /// after one warm-up (a few milliseconds even with SSE3 kernels).
    static func confirmationGFLOPs() -> Double {
        let n = confirmationSize
        let a = [Float](repeating: 0.5, count: n * n), b = [Float](repeating: 0.25, count: n * n)
        var c = [Float](repeating: 0, count: n * n)
        var best = Double.infinity
        for i in 0..<6 {
            var start = timespec(), end = timespec()
            clock_gettime(CLOCK_MONOTONIC, &start)
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(n), Int32(n), Int32(n), 1,
                        a, Int32(n), b, Int32(n), 0, &c, Int32(n))
            clock_gettime(CLOCK_MONOTONIC, &end)
            let seconds = Double(end.tv_sec - start.tv_sec) + Double(end.tv_nsec - start.tv_nsec) * 1e-9
            if i > 0 { best = min(best, seconds) }
        }
        return 2 * Double(n * n * n) / best / 1e9
    }
}
