import CBLAS
#if canImport(Glibc)
import Glibc
#endif

/// Which of OpenBLAS's per-CPU kernel sets this process uses, chosen once before the first product.
///
/// Debian's OpenBLAS 0.3.21 (DYNAMIC_ARCH) picks its kernels from the CPU model it recognises.
/// It predates AMD Zen 4 and Zen 5, so on those it serves the AVX2 "Haswell" kernels although the
/// CPU has AVX-512; some machine images also pin `OPENBLAS_CORETYPE=Haswell` for every process.
/// Measured on a 2-core Zen 5: 1024³ SGEMM at ~210 GFLOP/s with the Haswell kernels, ~420 with
/// the SkylakeX ones. Later OpenBLAS releases map these CPUs to the AVX-512 kernels themselves;
/// this does the same for the release we link: when the kernel set in use is an AVX2 one and the
/// CPU (and OS, through /proc/cpuinfo) offers AVX-512 F/CD/BW/DQ/VL, it re-runs OpenBLAS's own
/// dynamic selection (`gotoblas_dynamic_init`) with `OPENBLAS_CORETYPE=SkylakeX`.
///
/// `WORKBENCH_BLAS_CORE` controls it: `auto` (default) as above; `inherit` keeps whatever OpenBLAS
/// chose (including from `OPENBLAS_CORETYPE`); any other value is an OpenBLAS core name to use.
/// The choice is printed by `workbench bench` and recorded in each run's `summary.json`. If the
/// library has no such kernels or entry points (a build without DYNAMIC_ARCH), or the switch does
/// not take, the original kernels stay and a warning on standard error says so.
public enum OpenBLASKernels {
    /// The kernel set in use (OpenBLAS's core name, e.g. "Haswell", "SkylakeX"), after selection.
    public static var coreName: String { selection.coreName }
    /// The kernel set OpenBLAS chose by itself, before this type looked at the CPU.
    public static var detectedCoreName: String { selection.detected }

    /// Whether the kernel set in use is one of OpenBLAS's AVX-512 ones.
    public static var usesAVX512: Bool { avx512CoreNames.contains(coreName.lowercased()) }

    /// Runs the selection once (thread-safe: Swift's lazy global initialisation); cheap afterwards.
    @inlinable public static func prepare() { _ = selection }

    @usableFromInline struct Selection { var detected: String; var coreName: String }

    @usableFromInline static let selection: Selection = select()

    /// OpenBLAS's AVX2 kernel sets that AVX-512 kernels beat on the same CPU.
    static let avx2CoreNames: Set<String> = ["haswell", "zen"]
    /// OpenBLAS's AVX-512 kernel sets.
    static let avx512CoreNames: Set<String> = ["skylakex", "cooperlake", "sapphirerapids"]
    /// The AVX-512 features OpenBLAS's SkylakeX kernels use.
    static let avx512Flags = ["avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"]

    static func currentCoreName() -> String {
        guard let name = openblas_get_corename() else { return "unknown" }
        return String(cString: name)
    }

    /// The kernel set to switch to for a `WORKBENCH_BLAS_CORE` setting, or nil to keep `detected`.
    static func wantedCore(setting: String, detected: String, cpuHasAVX512: () -> Bool) -> String? {
        let wanted: String
        switch setting.lowercased() {
        case "inherit": return nil
        case "auto", "":
            guard avx2CoreNames.contains(detected.lowercased()), cpuHasAVX512() else { return nil }
            wanted = "SkylakeX"
        default:
            wanted = setting
        }
        return wanted.lowercased() == detected.lowercased() ? nil : wanted
    }

    static func select() -> Selection {
        let detected = currentCoreName()
        let setting = getenv("WORKBENCH_BLAS_CORE").map { String(cString: $0) } ?? "auto"
        guard let wanted = wantedCore(setting: setting, detected: detected, cpuHasAVX512: cpuHasAVX512)
        else { return Selection(detected: detected, coreName: detected) }
        func keep(_ why: String) -> Selection {
            fputs("workbench: \(why); keeping OpenBLAS's \(detected) kernels\n", stderr)
            return Selection(detected: detected, coreName: currentCoreName())
        }
        guard let handle = dlopen(nil, RTLD_NOW),
              let initSymbol = dlsym(handle, "gotoblas_dynamic_init"),
              let quitSymbol = dlsym(handle, "gotoblas_dynamic_quit")
        else { return keep("this OpenBLAS cannot change kernels at run time (no DYNAMIC_ARCH)") }
        guard dlsym(handle, "gotoblas_" + wanted.uppercased()) != nil else {
            return keep("WORKBENCH_BLAS_CORE=\(setting): this OpenBLAS has no '\(wanted)' kernels")
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
        use(wanted)
        let took = currentCoreName().lowercased() == wanted.lowercased()
        if !took { use(detected) }
        // Child processes (sweep workers) make the same choice themselves from the same environment.
        if let inherited { setenv("OPENBLAS_CORETYPE", inherited, 1) } else { unsetenv("OPENBLAS_CORETYPE") }
        return took ? Selection(detected: detected, coreName: currentCoreName())
                    : keep("OpenBLAS did not switch to its \(wanted) kernels")
    }

    /// Whether /proc/cpuinfo lists every AVX-512 feature the SkylakeX kernels need (Linux lists
    /// a feature only when the kernel also saves its registers).
    static func cpuHasAVX512() -> Bool {
        guard let file = fopen("/proc/cpuinfo", "r") else { return false }
        defer { fclose(file) }
        var line: UnsafeMutablePointer<CChar>? = nil
        var capacity = 0
        defer { free(line) }
        while getline(&line, &capacity, file) > 0 {
            let text = String(cString: line!)
            guard text.hasPrefix("flags") else { continue }
            let flags = Set(text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" })
                .map(String.init))
            return avx512Flags.allSatisfy(flags.contains)
        }
        return false
    }
}
