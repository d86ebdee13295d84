#if canImport(Glibc)
import Glibc
#endif

/// The SIMD features of this CPU that decide which OpenBLAS kernel set can run, as the Linux
/// kernel lists them in `/proc/cpuinfo` (a feature is listed only when the OS also saves its
/// registers), and the OpenBLAS kernel sets ranked by what they need.
///
///     let features = CPUFeatures.current
///     features.bestKernelSet          // "Cooperlake" on a CPU with AVX-512 + BF16
///     CPUFeatures.rank(of: "Prescott") < CPUFeatures.rank(of: "Haswell")   // true
public struct CPUFeatures: Equatable, Sendable {
    /// Lower-case feature flags (`avx2`, `fma`, `avx512f`, `avx512_bf16`, …).
    public var flags: Set<String>

    public init(flags: Set<String>) { self.flags = Set(flags.map { $0.lowercased() }) }

    /// The AVX-512 features OpenBLAS's SkylakeX kernels use.
    public static let avx512Flags: Set<String> = ["avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"]

    public var hasAVX512: Bool { Self.avx512Flags.isSubset(of: flags) }
    public var hasAVX512BF16: Bool { hasAVX512 && flags.contains("avx512_bf16") }
    public var hasAVX2FMA: Bool { flags.contains("avx2") && flags.contains("fma") }

    /// The best OpenBLAS kernel set for these features, or nil when none of the sets this type
    /// chooses between (Cooperlake, SkylakeX, Haswell) can run: then OpenBLAS's own choice stands.
    public var bestKernelSet: String? {
        if hasAVX512BF16 { return "Cooperlake" }
        if hasAVX512 { return "SkylakeX" }
        if hasAVX2FMA { return "Haswell" }
        return nil
    }

    /// The kernel sets to try, best first, for a CPU whose OpenBLAS chose `inUse`: those better
    /// than `inUse` that these features can run. Empty when `inUse` is already as good.
    public func upgrades(from inUse: String) -> [String] {
        guard let best = bestKernelSet else { return [] }
        let ladder = ["Cooperlake", "SkylakeX", "Haswell"]
        let current = Self.rank(of: inUse)
        return ladder.drop(while: { $0 != best }).filter { Self.rank(of: $0) > current }
    }

    /// A description of the features for messages: "AVX-512 with BF16", "AVX2 + FMA", …
    public var summary: String {
        if hasAVX512BF16 { return "AVX-512 with BF16" }
        if hasAVX512 { return "AVX-512" }
        if hasAVX2FMA { return "AVX2 + FMA" }
        return flags.contains("avx") ? "AVX" : "SSE"
    }

    /// How capable an OpenBLAS x86-64 kernel set is: 0 for a set this table does not know (so any
    /// unknown set counts as weaker than one the features allow), then by the widest SIMD it uses.
    public static func rank(of kernelSet: String) -> Int {
        switch kernelSet.lowercased() {
        case "prescott", "atom", "katmai", "coppermine", "northwood", "banias", "athlon", "opteron",
             "opteron_sse3", "barcelona", "bobcat", "nano": return 1
        case "core2", "penryn", "dunnington": return 2
        case "nehalem": return 3
        case "sandybridge", "bulldozer", "piledriver", "steamroller", "excavator": return 4
        case "haswell", "zen": return 5
        case "skylakex": return 6
        case "cooperlake": return 7
        case "sapphirerapids": return 8
        default: return 0
        }
    }

    /// This machine's features, read once from `/proc/cpuinfo` (empty where it cannot be read).
    public static let current = CPUFeatures(flags: Set((firstCPUInfo["flags"] ?? "")
        .split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)))

    /// This machine's CPU for benchmark tables: "AMD EPYC (family 25, model 17)".
    public static let modelName: String = {
        let info = firstCPUInfo
        let name = info["model name"] ?? "unknown CPU"
        guard let family = info["cpu family"], let model = info["model"] else { return name }
        return "\(name) (family \(family), model \(model))"
    }()

    /// The fields of the first processor's block of `/proc/cpuinfo` ("flags", "model name", …).
    static let firstCPUInfo: [String: String] = {
        guard let file = fopen("/proc/cpuinfo", "r") else { return [:] }
        defer { fclose(file) }
        var line: UnsafeMutablePointer<CChar>? = nil
        var capacity = 0
        defer { free(line) }
        var fields: [String: String] = [:]
        while getline(&line, &capacity, file) > 0 {
            let text = String(cString: line!).trimmingCharacters(in: "\n")
            if text.isEmpty { break }   // end of the first processor's block
            guard let colon = text.firstIndex(of: ":") else { continue }
            let key = text[..<colon].trimmingCharacters(in: " \t")
            fields[key] = text[text.index(after: colon)...].trimmingCharacters(in: " \t")
        }
        return fields
    }()
}

private extension StringProtocol {
    /// The text without the given characters at either end (Foundation-free).
    func trimmingCharacters(in set: String) -> String {
        let chars = Set(set)
        guard let first = firstIndex(where: { !chars.contains($0) }),
              let last = lastIndex(where: { !chars.contains($0) }) else { return "" }
        return String(self[first...last])
    }
}
