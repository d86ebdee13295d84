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
/// The choice is printed by `workbench bench` and recorded in each run's log header. If the library
/// has no such entry points (a build without DYNAMIC_ARCH) or the switch does not take, the
/// original kernels stay.
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

    static func select() -> Selection {
        let detected = currentCoreName()
        let setting = getenv("WORKBENCH_BLAS_CORE").map { String(cString: $0) } ?? "auto"
        let wanted: String
        switch setting.lowercased() {
        case "inherit": return Selection(detected: detected, coreName: detected)
        case "auto", "":
            guard avx2CoreNames.contains(detected.lowercased()), cpuHasAVX512() else {
                return Selection(detected: detected, coreName: detected)
            }
            wanted = "SkylakeX"
        default:
            wanted = setting
        }
        guard wanted.lowercased() != detected.lowercased(),
              let handle = dlopen(nil, RTLD_NOW),
              dlsym(handle, "gotoblas_" + wanted.uppercased()) != nil,
              let initSymbol = dlsym(handle, "gotoblas_dynamic_init"),
              let quitSymbol = dlsym(handle, "gotoblas_dynamic_quit")
        else { return Selection(detected: detected, coreName: detected) }
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
        if currentCoreName().lowercased() != wanted.lowercased() { use(detected) }
        // Child processes (sweep workers) make the same choice themselves from the same environment.
        if let inherited { setenv("OPENBLAS_CORETYPE", inherited, 1) } else { unsetenv("OPENBLAS_CORETYPE") }
        return Selection(detected: detected, coreName: currentCoreName())
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
