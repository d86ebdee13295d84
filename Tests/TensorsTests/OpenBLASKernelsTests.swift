import XCTest
@testable import Tensors

/// The OpenBLAS kernel set chosen at start-up from the CPU's features (tested on fake feature sets),
/// and products that still agree with a plain double-precision loop under whichever set is in use.
final class OpenBLASKernelsTests: XCTestCase {
    func testAutoSelectionNeverLeavesAWeakerSetThanTheCPUAllowsUnlessTimedSlower() throws {
        OpenBLASKernels.prepare()
        let setting = ProcessInfo.processInfo.environment["WORKBENCH_BLAS_CORE"] ?? "auto"
        guard setting == "auto" else { throw XCTSkip("WORKBENCH_BLAS_CORE=\(setting) is set") }
        let upgrades = CPUFeatures.current.upgrades(from: OpenBLASKernels.detectedCoreName)
        if upgrades.isEmpty {
            XCTAssertEqual(OpenBLASKernels.coreName, OpenBLASKernels.detectedCoreName, "nothing better to switch to")
            XCTAssertNil(OpenBLASKernels.confirmation)
        } else if OpenBLASKernels.coreName != OpenBLASKernels.detectedCoreName {
            // A switch happened: to one of the upgrades, and only because it was faster.
            XCTAssertTrue(upgrades.map { $0.lowercased() }.contains(OpenBLASKernels.coreName.lowercased()))
            let c = try XCTUnwrap(OpenBLASKernels.confirmation)
            XCTAssertGreaterThan(c.chosenGFLOPs, c.detectedGFLOPs)
        } else {
            XCTAssertNotNil(OpenBLASKernels.shortfall, "kept a weaker set: the warning must say so")
        }
        XCTAssertNil(ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"].flatMap { env in
            upgrades.contains(env) ? env : nil }, "the switch must not leak into child processes' environment")
    }

    /// Feature sets of real CPUs, as /proc/cpuinfo lists them (abridged to what matters).
    static let sapphireRapidsLike = CPUFeatures(flags: ["sse3", "avx", "avx2", "fma", "avx512f", "avx512cd",
                                                        "avx512bw", "avx512dq", "avx512vl", "avx512_bf16", "avx512_fp16"])
    static let skylakeServerLike = CPUFeatures(flags: ["sse3", "avx", "avx2", "fma", "avx512f", "avx512cd",
                                                       "avx512bw", "avx512dq", "avx512vl"])
    static let zen3Like = CPUFeatures(flags: ["sse3", "avx", "avx2", "fma"])
    static let avxOnly = CPUFeatures(flags: ["sse3", "avx"])
    /// AVX-512 F without BW/DQ/VL (Knights Landing): not enough for the SkylakeX kernels.
    static let knightsLandingLike = CPUFeatures(flags: ["avx2", "fma", "avx512f", "avx512cd", "avx512er", "avx512pf"])

    func testBestKernelSetFollowsTheFeatures() {
        XCTAssertEqual(Self.sapphireRapidsLike.bestKernelSet, "Cooperlake")
        XCTAssertEqual(Self.skylakeServerLike.bestKernelSet, "SkylakeX")
        XCTAssertEqual(Self.zen3Like.bestKernelSet, "Haswell")
        XCTAssertEqual(Self.knightsLandingLike.bestKernelSet, "Haswell")
        XCTAssertNil(Self.avxOnly.bestKernelSet)
        XCTAssertEqual(CPUFeatures(flags: ["AVX512F", "AVX512CD", "AVX512BW", "AVX512DQ", "AVX512VL"]).bestKernelSet,
                       "SkylakeX", "flags compare case-insensitively")
    }

    func testAutoPlanUpgradesEveryWeakerSetToTheBestTheFeaturesAllow() {
        func plan(_ detected: String, _ features: CPUFeatures, _ setting: String = "auto") -> [String] {
            OpenBLASKernels.plan(setting: setting, detected: detected, features: features).candidates
        }
        // The Xeon of issue 29: model 207 unknown to OpenBLAS 0.3.21, served Prescott.
        XCTAssertEqual(plan("Prescott", Self.sapphireRapidsLike), ["Cooperlake", "SkylakeX", "Haswell"])
        for weaker in ["Core2", "Nehalem", "Sandybridge", "Haswell", "Zen", "SomeFutureName"] {
            XCTAssertEqual(plan(weaker, Self.sapphireRapidsLike).first, "Cooperlake", weaker)
            XCTAssertEqual(plan(weaker, Self.skylakeServerLike).first, "SkylakeX", weaker)
        }
        XCTAssertEqual(plan("Zen", Self.skylakeServerLike), ["SkylakeX"], "never down to a set no better than the one in use")
        XCTAssertEqual(plan("Prescott", Self.zen3Like), ["Haswell"])
        XCTAssertEqual(plan("Sandybridge", Self.zen3Like), ["Haswell"])
        XCTAssertEqual(plan("Zen", Self.zen3Like), [], "Zen is as good as Haswell")
        XCTAssertEqual(plan("Cooperlake", Self.sapphireRapidsLike), [])
        XCTAssertEqual(plan("SapphireRapids", Self.sapphireRapidsLike), [], "a better set than ours is kept")
        XCTAssertEqual(plan("SkylakeX", Self.skylakeServerLike), [])
        XCTAssertEqual(plan("Prescott", Self.avxOnly), [], "no AVX2: nothing this type chooses can run")
        XCTAssertTrue(OpenBLASKernels.plan(setting: "auto", detected: "Prescott", features: Self.zen3Like).timed,
                      "automatic switches are confirmed by a timed SGEMM")
    }

    func testExplicitSettingsAreUsedAsGivenWithoutTiming() {
        let named = OpenBLASKernels.plan(setting: "Zen", detected: "Haswell", features: Self.avxOnly)
        XCTAssertEqual(named.candidates, ["Zen"])
        XCTAssertFalse(named.timed)
        XCTAssertEqual(OpenBLASKernels.plan(setting: "haswell", detected: "Haswell", features: Self.zen3Like).candidates, [])
        XCTAssertEqual(OpenBLASKernels.plan(setting: "inherit", detected: "Prescott", features: Self.sapphireRapidsLike).candidates, [])
    }

    func testShortfallWarnsWhenTheCPUOffersMore() throws {
        let warning = try XCTUnwrap(OpenBLASKernels.shortfall(inUse: "Prescott", features: Self.sapphireRapidsLike,
                                                              setting: "inherit"))
        XCTAssertTrue(warning.contains("AVX-512 with BF16") && warning.contains("Cooperlake")
                      && warning.contains("Prescott") && warning.contains("WORKBENCH_BLAS_CORE=inherit"), warning)
        XCTAssertNil(OpenBLASKernels.shortfall(inUse: "Cooperlake", features: Self.sapphireRapidsLike, setting: "auto"))
        XCTAssertNil(OpenBLASKernels.shortfall(inUse: "Zen", features: Self.zen3Like, setting: "auto"))
        XCTAssertNotNil(OpenBLASKernels.shortfall(inUse: "Haswell", features: Self.skylakeServerLike, setting: "auto"))
    }

    func testProductsMatchAPlainLoopWithEveryTransposeUnderTheChosenKernels() {
        let (m, n, k) = (131, 97, 75)
        var rng = SeededRNG(seed: 41)
        let a = (0..<(m * k)).map { _ in rng.nextFloat() - 0.5 }
        let b = (0..<(k * n)).map { _ in rng.nextFloat() - 0.5 }
        for (transA, transB) in [(false, false), (true, false), (false, true), (true, true)] {
            // a is stored as [m, k] or, transposed, [k, m]; likewise b.
            func aAt(_ i: Int, _ p: Int) -> Double { Double(transA ? a[p * m + i] : a[i * k + p]) }
            func bAt(_ p: Int, _ j: Int) -> Double { Double(transB ? b[j * k + p] : b[p * n + j]) }
            var c = [Float](repeating: 7, count: m * n)
            a.withUnsafeBufferPointer { pa in
                b.withUnsafeBufferPointer { pb in
                    c.withUnsafeMutableBufferPointer { pc in
                        BLAS.sgemm(transA: transA, transB: transB, m: m, n: n, k: k,
                                   a: pa.baseAddress!, b: pb.baseAddress!, c: pc.baseAddress!)
                    }
                }
            }
            var worst = 0.0
            for i in 0..<m {
                for j in 0..<n {
                    var want = 0.0
                    for p in 0..<k { want += aAt(i, p) * bAt(p, j) }
                    worst = max(worst, abs(want - Double(c[i * n + j])))
                }
            }
            XCTAssertLessThan(worst, 1e-5, "transA \(transA) transB \(transB) on \(OpenBLASKernels.coreName)")
        }
    }
}
