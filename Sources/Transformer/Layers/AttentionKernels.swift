import Tensors

/// The small dense products inside causal attention, written by hand with 8-lane SIMD for head
/// dimensions 16, 32 and 64.
///
/// Through OpenBLAS these products (inner dimension = head dimension, or one tile of at most 64
/// query rows) pay for packing both operands and for a zeroing pass on every call, and compute
/// whole blocks above the causal diagonal. Here each (sequence, head) is gathered once into
/// contiguous rows (keys and values also transposed), every row stops at its last visible key,
/// and results go straight to the destination. Every output element is a sum in a fixed order: results are
/// deterministic, and equal the BLAS path's up to rounding.
public enum AttentionKernels {
    typealias V8 = SIMD8<Float>
    /// Keys are processed in blocks of this many columns; score rows are padded to a multiple.
    public static let keyBlock = 16

    /// Whether the SIMD kernels cover a head dimension.
    public static func supports(headDim: Int) -> Bool { headDim == 16 || headDim == 32 || headDim == 64 }

    @inline(__always) static func load(_ p: UnsafePointer<Float>) -> V8 { UnsafeRawPointer(p).loadUnaligned(as: V8.self) }
    @inline(__always) static func store(_ v: V8, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: V8.self)
    }

    /// `dst[d·ldd + j] = src[j·lds + d]` for `j < n`, `d < hd`; columns `n..<nPad` of `dst` are zero.
    public static func transpose(_ dst: UnsafeMutablePointer<Float>, ldd: Int, _ src: UnsafePointer<Float>, lds: Int,
                                 n: Int, nPad: Int, hd: Int) {
        for j in 0..<n {
            let row = src + j * lds
            for d in 0..<hd { dst[d * ldd + j] = row[d] }
        }
        if nPad > n { for d in 0..<hd { (dst + d * ldd + n).update(repeating: 0, count: nPad - n) } }
    }

    /// `dst[j·hd + d] = src[j·lds + d]`: one head's rows gathered contiguously.
    public static func gather(_ dst: UnsafeMutablePointer<Float>, _ src: UnsafePointer<Float>, lds: Int,
                              rows: Int, hd: Int) {
        for j in 0..<rows { (dst + j * hd).update(from: src + j * lds, count: hd) }
    }

    /// `dst[j·ldd + d] += src[j·hd + d]`: contiguous rows added back into a strided layout.
    public static func scatterAdd(_ dst: UnsafeMutablePointer<Float>, ldd: Int, _ src: UnsafePointer<Float>,
                                  rows: Int, hd: Int) {
        for j in 0..<rows {
            let d = dst + j * ldd, s = src + j * hd
            for e in 0..<hd { d[e] += s[e] }
        }
    }

    /// Causal scores `C[i, j] = alpha · Σ_d A[i, d] · Bt[d, j]` for `i < rows`, `j < visible(i)`
    /// rounded up to whole key blocks, where `visible(i) = min(n, firstKeyRow + i + 1)`.
    /// `Bt` is `[hd, ≥ nPad]` (keys transposed, zero past the last key); `ldc ≥` the padded width.
    /// Entries past each row's computed blocks are left as they were.
    public static func causalScores(c: UnsafeMutablePointer<Float>, ldc: Int, a: UnsafePointer<Float>, lda: Int,
                                    bt: UnsafePointer<Float>, ldbt: Int, rows: Int, hd: Int, alpha: Float,
                                    n: Int, firstKeyRow: Int) {
        let kb = keyBlock
        let alphaV = V8(repeating: alpha)
        var i = 0
        while i + 4 <= rows {
            let visible = min(n, firstKeyRow + i + 4)          // the group's last row sees the most keys
            let a0 = a + i * lda, a1 = a0 + lda, a2 = a1 + lda, a3 = a2 + lda
            var j = 0
            while j < visible {
                var c00 = V8(), c01 = V8(), c10 = V8(), c11 = V8()
                var c20 = V8(), c21 = V8(), c30 = V8(), c31 = V8()
                var bp = bt + j
                for d in 0..<hd {
                    let b0 = load(bp), b1 = load(bp + 8)
                    let x0 = V8(repeating: a0[d]), x1 = V8(repeating: a1[d])
                    c00.addProduct(x0, b0); c01.addProduct(x0, b1)
                    c10.addProduct(x1, b0); c11.addProduct(x1, b1)
                    let x2 = V8(repeating: a2[d]), x3 = V8(repeating: a3[d])
                    c20.addProduct(x2, b0); c21.addProduct(x2, b1)
                    c30.addProduct(x3, b0); c31.addProduct(x3, b1)
                    bp += ldbt
                }
                let o = c + i * ldc + j
                store(c00 * alphaV, o); store(c01 * alphaV, o + 8)
                store(c10 * alphaV, o + ldc); store(c11 * alphaV, o + ldc + 8)
                store(c20 * alphaV, o + 2 * ldc); store(c21 * alphaV, o + 2 * ldc + 8)
                store(c30 * alphaV, o + 3 * ldc); store(c31 * alphaV, o + 3 * ldc + 8)
                j += kb
            }
            i += 4
        }
        while i < rows {
            let visible = min(n, firstKeyRow + i + 1)
            let a0 = a + i * lda
            var j = 0
            while j < visible {
                var c00 = V8(), c01 = V8()
                var bp = bt + j
                for d in 0..<hd {
                    let x0 = V8(repeating: a0[d])
                    c00.addProduct(x0, load(bp)); c01.addProduct(x0, load(bp + 8))
                    bp += ldbt
                }
                let o = c + i * ldc + j
                store(c00 * alphaV, o); store(c01 * alphaV, o + 8)
                j += kb
            }
            i += 1
        }
    }

    /// `C[i, :] (+)= alpha · Σ_k A(i, k) · B[k, :]` over `k` in `max(0, i + kFrom) ..< min(kCount, i + kTo)`,
    /// where `A(i, k) = a[i·aRow + k·aK]` and rows of `B` and `C` are `hd` (16, 32 or 64) wide.
    /// Rows go in groups (4 rows of 16 or 2 of 32 columns: eight accumulator vectors; 64 columns
    /// run as two 32-column halves) that share a `k` range, the group's union: entries of `A`
    /// inside that range but outside a row's own must be zero. With `overwrite`, `C` is written
    /// instead of added to.
    public static func accumulate(hd: Int, c: UnsafeMutablePointer<Float>, ldc: Int, rows: Int,
                                  a: UnsafePointer<Float>, aRow: Int, aK: Int,
                                  b: UnsafePointer<Float>, ldb: Int, kCount: Int, kFrom: Int, kTo: Int,
                                  alpha: Float, overwrite: Bool) {
        precondition(supports(headDim: hd), "AttentionKernels: head dimension \(hd) is not supported")
        if hd == 64 {
            // Two passes over 32-column halves: 2 rows × 4 vectors reuse each loaded B vector twice.
            for half in 0..<2 {
                accumulate(hd: 32, c: c + 32 * half, ldc: ldc, rows: rows, a: a, aRow: aRow, aK: aK, b: b + 32 * half,
                           ldb: ldb, kCount: kCount, kFrom: kFrom, kTo: kTo, alpha: alpha, overwrite: overwrite)
            }
            return
        }
        let alphaV = V8(repeating: alpha)
        @inline(__always) func finish(_ acc: V8, _ o: UnsafeMutablePointer<Float>) {
            if overwrite { store(acc * alphaV, o) } else { store(load(o) + acc * alphaV, o) }
        }
        let group = hd == 16 ? 4 : 2                           // rows per group
        var i = 0
        while i + group <= rows {
            let k0 = max(0, i + kFrom), k1 = min(kCount, i + group - 1 + kTo)
            var v0 = V8(), v1 = V8(), v2 = V8(), v3 = V8(), v4 = V8(), v5 = V8(), v6 = V8(), v7 = V8()
            if k0 < k1 {
                var ap = a + i * aRow + k0 * aK, bp = b + k0 * ldb
                switch hd {
                case 16:    // 4 rows × 2 vectors
                    for _ in k0..<k1 {
                        let b0 = load(bp), b1 = load(bp + 8)
                        let x0 = V8(repeating: ap[0]), x1 = V8(repeating: ap[aRow])
                        let x2 = V8(repeating: ap[2 * aRow]), x3 = V8(repeating: ap[3 * aRow])
                        v0.addProduct(x0, b0); v1.addProduct(x0, b1)
                        v2.addProduct(x1, b0); v3.addProduct(x1, b1)
                        v4.addProduct(x2, b0); v5.addProduct(x2, b1)
                        v6.addProduct(x3, b0); v7.addProduct(x3, b1)
                        ap += aK; bp += ldb
                    }
                default:    // 32: 2 rows × 4 vectors
                    for _ in k0..<k1 {
                        let b0 = load(bp), b1 = load(bp + 8)
                        let b2 = load(bp + 16), b3 = load(bp + 24)
                        let x0 = V8(repeating: ap[0]), x1 = V8(repeating: ap[aRow])
                        v0.addProduct(x0, b0); v1.addProduct(x0, b1); v2.addProduct(x0, b2); v3.addProduct(x0, b3)
                        v4.addProduct(x1, b0); v5.addProduct(x1, b1); v6.addProduct(x1, b2); v7.addProduct(x1, b3)
                        ap += aK; bp += ldb
                    }
                }
            }
            // The eight vectors in row-major order of the group: row = index / (hd / 8).
            let perRow = hd / 8
            let o = c + i * ldc
            @inline(__always) func put(_ v: V8, _ index: Int) { finish(v, o + (index / perRow) * ldc + (index % perRow) * 8) }
            put(v0, 0); put(v1, 1); put(v2, 2); put(v3, 3); put(v4, 4); put(v5, 5); put(v6, 6); put(v7, 7)
            i += group
        }
        // Leftover rows (fewer than a group), one at a time with the accumulator in memory.
        while i < rows {
            let k0 = max(0, i + kFrom), k1 = min(kCount, i + kTo)
            withUnsafeTemporaryAllocation(of: V8.self, capacity: 8) { acc in
                let w = hd / 8
                for x in 0..<w { acc[x] = V8() }
                if k0 < k1 {
                    var ap = a + i * aRow + k0 * aK, bp = b + k0 * ldb
                    for _ in k0..<k1 {
                        let x0 = V8(repeating: ap[0])
                        for x in 0..<w { acc[x].addProduct(x0, load(bp + 8 * x)) }
                        ap += aK; bp += ldb
                    }
                }
                for x in 0..<w { finish(acc[x], c + i * ldc + 8 * x) }
            }
            i += 1
        }
    }
}
