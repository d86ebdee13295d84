import WorkbenchCore
import CBLAS

/// Thin wrappers over OpenBLAS's `cblas_sgemm` in row-major layout.
///
/// `c = alpha · op(a) · op(b) + beta · c` where `op` transposes when the flag says so.
/// Shapes are given as in NumPy: `op(a)` is `[m, k]`, `op(b)` is `[k, n]`, `c` is `[m, n]`.
/// Leading dimensions default to dense row-major storage.
public enum BLAS {
    @inlinable
    public static func sgemm(transA: Bool = false, transB: Bool = false,
                             m: Int, n: Int, k: Int,
                             alpha: Float = 1,
                             a: UnsafePointer<Float>, lda: Int? = nil,
                             b: UnsafePointer<Float>, ldb: Int? = nil,
                             beta: Float = 0,
                             c: UnsafeMutablePointer<Float>, ldc: Int? = nil) {
        let lda = lda ?? (transA ? m : k)
        let ldb = ldb ?? (transB ? k : n)
        let ldc = ldc ?? n
        OpenBLASKernels.prepare()
        // OpenBLAS serves beta = 0 with a separate zeroing pass (`sgemm_beta`) that is several
        // times slower than memset: on 512×512 outputs with k = 64…128 it costs 10–20 % of the
        // product. Zeroing C here and accumulating (beta = 1) gives the same result faster.
        var beta = beta
        if beta == 0 && m > 0 && n > 0 {
            if ldc == n {
                c.update(repeating: 0, count: m * n)
            } else {
                for r in 0..<m { (c + r * ldc).update(repeating: 0, count: n) }
            }
            beta = 1
        }
        cblas_sgemm(CblasRowMajor,
                    transA ? CblasTrans : CblasNoTrans,
                    transB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha,
                    a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// The same product as `sgemm`, split by us across `Parallel.workers` threads along the
    /// larger of `m` and `n` (each thread one contiguous block of `c`, OpenBLAS on one thread
    /// inside), so OpenBLAS's spinning worker threads never compete with ours. Every element of
    /// `c` is computed by one call in the same order for a given thread count: deterministic.
    /// Small products (below `splitFLOPs`) run as one call.
    public static func sgemmSplit(transA: Bool = false, transB: Bool = false,
                                  m: Int, n: Int, k: Int,
                                  alpha: Float = 1,
                                  a: UnsafePointer<Float>, lda: Int? = nil,
                                  b: UnsafePointer<Float>, ldb: Int? = nil,
                                  beta: Float = 0,
                                  c: UnsafeMutablePointer<Float>, ldc: Int? = nil) {
        let lda = lda ?? (transA ? m : k)
        let ldb = ldb ?? (transB ? k : n)
        let ldc = ldc ?? n
        let workers = Parallel.workers
        if !splitEnabled || workers <= 1 || 2 * m * n * k < splitFLOPs || max(m, n) < 2 * splitGrain {
            sgemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
                  b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
            return
        }
        let saved = threads
        if saved != 1 { threads = 1 }
        let alongM = m >= n
        let total = alongM ? m : n
        let chunks = min(workers, total / splitGrain)
        Parallel.forEach(count: chunks) { ci in
            // Block edges on multiples of the grain, so kernels see aligned panels.
            let lo = (total / splitGrain) * ci / chunks * splitGrain
            let hi = ci == chunks - 1 ? total : (total / splitGrain) * (ci + 1) / chunks * splitGrain
            if alongM {
                sgemm(transA: transA, transB: transB, m: hi - lo, n: n, k: k, alpha: alpha,
                      a: transA ? a + lo : a + lo * lda, lda: lda, b: b, ldb: ldb,
                      beta: beta, c: c + lo * ldc, ldc: ldc)
            } else {
                sgemm(transA: transA, transB: transB, m: m, n: hi - lo, k: k, alpha: alpha,
                      a: a, lda: lda, b: transB ? b + lo * ldb : b + lo, ldb: ldb,
                      beta: beta, c: c + lo, ldc: ldc)
            }
        }
        if saved != 1 { threads = saved }
    }

    /// Off: `sgemmSplit` makes one OpenBLAS call with OpenBLAS's own threads (for comparisons).
    nonisolated(unsafe) public static var splitEnabled = true
    /// Products below this many FLOPs are not split (thread hand-off costs a few microseconds).
    public static let splitFLOPs = 1 << 22
    /// Split blocks are multiples of this many rows or columns.
    public static let splitGrain = 16

    /// Number of threads OpenBLAS uses for one call.
    public static var threads: Int {
        get { OpenBLASKernels.prepare(); return Int(openblas_get_num_threads()) }
        set { OpenBLASKernels.prepare(); openblas_set_num_threads(Int32(max(1, newValue))) }
    }
}
