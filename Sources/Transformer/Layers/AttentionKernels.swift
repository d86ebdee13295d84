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

    /// Whether models should use these kernels rather than OpenBLAS for attention products. They are
    /// 8-lane (AVX2) kernels: with OpenBLAS's AVX2 kernels they win (stop-8 measurements on Zen 3),
    /// but against its AVX-512 kernels OpenBLAS is 20–45 % faster on every bench shape
    /// (`workbench bench --attention`, Zen 5), so there attention goes through OpenBLAS.
    /// Depends only on the machine, so a given machine always computes the same way.
    public static var preferredOverBLAS: Bool { !OpenBLASKernels.usesAVX512 }

    /// Whether the SIMD kernels cover a head dimension.
    public static func supports(headDim: Int) -> Bool { headDim == 16 || headDim == 32 || headDim == 64 }

    @inline(__always) static func load(_ p: UnsafePointer<Float>) -> V8 { UnsafeRawPointer(p).loadUnaligned(as: V8.self) }
    @inline(__always) static func store(_ v: V8, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: V8.self)
    }

    /// `dst[d·ldd + j] = src[j·lds + d]` for `j < n`, `d < hd`; columns `n..<nPad` of `dst` are zero.
    /// Eight source rows at a time, so each destination row gets eight adjacent floats per pass.
    public static func transpose(_ dst: UnsafeMutablePointer<Float>, ldd: Int, _ src: UnsafePointer<Float>, lds: Int,
                                 n: Int, nPad: Int, hd: Int) {
        var j = 0
        while j + 8 <= n {
            let r0 = src + j * lds, r1 = r0 + lds, r2 = r1 + lds, r3 = r2 + lds
            let r4 = r3 + lds, r5 = r4 + lds, r6 = r5 + lds, r7 = r6 + lds
            for d in 0..<hd {
                store(V8(r0[d], r1[d], r2[d], r3[d], r4[d], r5[d], r6[d], r7[d]), dst + d * ldd + j)
            }
            j += 8
        }
        while j < n {
            let row = src + j * lds
            for d in 0..<hd { dst[d * ldd + j] = row[d] }
            j += 1
        }
        if nPad > n { for d in 0..<hd { (dst + d * ldd + n).update(repeating: 0, count: nPad - n) } }
    }

    /// `dst[j·hd + d] = src[j·lds + d]`: one head's rows gathered contiguously.
    public static func gather(_ dst: UnsafeMutablePointer<Float>, _ src: UnsafePointer<Float>, lds: Int,
                              rows: Int, hd: Int) {
        for j in 0..<rows { (dst + j * hd).update(from: src + j * lds, count: hd) }
    }

    /// `dst[j·ldd + d] = src[j·hd + d]`: contiguous rows written back into a strided layout.
    public static func scatter(_ dst: UnsafeMutablePointer<Float>, ldd: Int, _ src: UnsafePointer<Float>,
                               rows: Int, hd: Int) {
        for j in 0..<rows { (dst + j * ldd).update(from: src + j * hd, count: hd) }
    }

    /// Causal scores `C[i, j] = alpha · Σ_d A[i, d] · Bt[d, j]` for `i < rows`, `j < visible(i)`
    /// rounded up to whole key blocks, where `visible(i) = min(n, firstKeyRow + i + 1)`.
    /// `Bt` is `[hd, ≥ nPad]` (keys transposed, zero past the last key); `ldc ≥` the padded width.
    /// Entries past each row's computed blocks are left as they were. The same register groups
    /// as `accumulate`, with the head dimension as the summed index and one key block as columns.
    public static func causalScores(c: UnsafeMutablePointer<Float>, ldc: Int, a: UnsafePointer<Float>, lda: Int,
                                    bt: UnsafePointer<Float>, ldbt: Int, rows: Int, hd: Int, alpha: Float,
                                    n: Int, firstKeyRow: Int) {
        // Every row sums over all of 0..<hd: kRange(i, _) = max(0, i − rows − 1) ..< min(hd, …) = 0..<hd.
        let p = Product(c: c, ldc: ldc, a: a, aRow: lda, aK: 1, b: bt, ldb: ldbt, kCount: hd, kFrom: -rows - 1,
                        kTo: hd, alpha: V8(repeating: alpha), overwrite: true)
        var i = 0
        while i < rows {
            let size = i + 6 <= rows ? 6 : i + 4 <= rows ? 4 : 1
            let visible = min(n, firstKeyRow + i + size)          // the group's last row sees the most keys
            for j in stride(from: 0, to: visible, by: keyBlock) {
                let q = p.columns(from: j)
                switch size {
                case 6: q.rows6x16(i)
                case 4: q.rows4x16(i)
                default: q.row1(i)
                }
            }
            i += size
        }
    }

    /// `C[i, :] (+)= alpha · Σ_k A(i, k) · B[k, :]` over `k` in `max(0, i + kFrom) ..< min(kCount, i + kTo)`,
    /// where `A(i, k) = a[i·aRow + k·aK]` and rows of `B` and `C` are `hd` (16, 32 or 64) wide.
    /// The columns run as 16-wide slabs, and rows in groups of six (twelve accumulator vectors;
    /// a 3 × 32 group needs seventeen registers and spills) that share a `k` range, the group's
    /// union: entries of `A` inside that range but outside a row's own must be zero. With `overwrite`, `C` is
    /// written instead of added to.
    public static func accumulate(hd: Int, c: UnsafeMutablePointer<Float>, ldc: Int, rows: Int,
                                  a: UnsafePointer<Float>, aRow: Int, aK: Int,
                                  b: UnsafePointer<Float>, ldb: Int, kCount: Int, kFrom: Int, kTo: Int,
                                  alpha: Float, overwrite: Bool) {
        precondition(supports(headDim: hd), "AttentionKernels: head dimension \(hd) is not supported")
        let p = Product(c: c, ldc: ldc, a: a, aRow: aRow, aK: aK, b: b, ldb: ldb, kCount: kCount, kFrom: kFrom,
                        kTo: kTo, alpha: V8(repeating: alpha), overwrite: overwrite)
        for slab in stride(from: 0, to: hd, by: 16) {
            let q = p.columns(from: slab)
            var i = 0
            while i + 6 <= rows { q.rows6x16(i); i += 6 }
            if i + 4 <= rows { q.rows4x16(i); i += 4 }
            while i < rows { q.row1(i); i += 1 }
        }
    }

    /// The operands of one `accumulate` call; the methods compute groups of rows of `C`.
    struct Product {
        var c: UnsafeMutablePointer<Float>
        let ldc: Int
        let a: UnsafePointer<Float>
        let aRow: Int, aK: Int
        var b: UnsafePointer<Float>
        let ldb: Int, kCount: Int, kFrom: Int, kTo: Int
        let alpha: V8
        let overwrite: Bool

        /// The same product restricted to the columns from `offset` on.
        func columns(from offset: Int) -> Product {
            var q = self
            q.c += offset; q.b += offset
            return q
        }

        /// The union of the `k` ranges of rows `i ..< i + count`.
        @inline(__always) func kRange(_ i: Int, _ count: Int) -> Range<Int> {
            let k0 = max(0, i + kFrom), k1 = min(kCount, i + count - 1 + kTo)
            return k0 < k1 ? k0..<k1 : 0..<0
        }

        @inline(__always) func finish(_ acc: V8, _ o: UnsafeMutablePointer<Float>) {
            if overwrite { store(acc * alpha, o) } else { store(load(o) + acc * alpha, o) }
        }

        /// Rows `i ..< i + 6`, 16 columns: twelve accumulators, two B vectors per `k`.
        @inline(__always) func rows6x16(_ i: Int) {
            var v00 = V8(), v01 = V8(), v10 = V8(), v11 = V8(), v20 = V8(), v21 = V8()
            var v30 = V8(), v31 = V8(), v40 = V8(), v41 = V8(), v50 = V8(), v51 = V8()
            let ks = kRange(i, 6)
            var ap = a + i * aRow + ks.lowerBound * aK, bp = b + ks.lowerBound * ldb
            for _ in ks {
                let b0 = load(bp), b1 = load(bp + 8)
                let x0 = V8(repeating: ap[0]), x1 = V8(repeating: ap[aRow]), x2 = V8(repeating: ap[2 * aRow])
                v00.addProduct(x0, b0); v01.addProduct(x0, b1)
                v10.addProduct(x1, b0); v11.addProduct(x1, b1)
                v20.addProduct(x2, b0); v21.addProduct(x2, b1)
                let x3 = V8(repeating: ap[3 * aRow]), x4 = V8(repeating: ap[4 * aRow]), x5 = V8(repeating: ap[5 * aRow])
                v30.addProduct(x3, b0); v31.addProduct(x3, b1)
                v40.addProduct(x4, b0); v41.addProduct(x4, b1)
                v50.addProduct(x5, b0); v51.addProduct(x5, b1)
                ap += aK; bp += ldb
            }
            let o = c + i * ldc
            finish(v00, o); finish(v01, o + 8)
            finish(v10, o + ldc); finish(v11, o + ldc + 8)
            finish(v20, o + 2 * ldc); finish(v21, o + 2 * ldc + 8)
            finish(v30, o + 3 * ldc); finish(v31, o + 3 * ldc + 8)
            finish(v40, o + 4 * ldc); finish(v41, o + 4 * ldc + 8)
            finish(v50, o + 5 * ldc); finish(v51, o + 5 * ldc + 8)
        }

        /// Rows `i ..< i + 4`, 16 columns: eight accumulators (what is left after groups of six).
        @inline(__always) func rows4x16(_ i: Int) {
            var v00 = V8(), v01 = V8(), v10 = V8(), v11 = V8(), v20 = V8(), v21 = V8(), v30 = V8(), v31 = V8()
            let ks = kRange(i, 4)
            var ap = a + i * aRow + ks.lowerBound * aK, bp = b + ks.lowerBound * ldb
            for _ in ks {
                let b0 = load(bp), b1 = load(bp + 8)
                let x0 = V8(repeating: ap[0]), x1 = V8(repeating: ap[aRow])
                let x2 = V8(repeating: ap[2 * aRow]), x3 = V8(repeating: ap[3 * aRow])
                v00.addProduct(x0, b0); v01.addProduct(x0, b1)
                v10.addProduct(x1, b0); v11.addProduct(x1, b1)
                v20.addProduct(x2, b0); v21.addProduct(x2, b1)
                v30.addProduct(x3, b0); v31.addProduct(x3, b1)
                ap += aK; bp += ldb
            }
            let o = c + i * ldc
            finish(v00, o); finish(v01, o + 8)
            finish(v10, o + ldc); finish(v11, o + ldc + 8)
            finish(v20, o + 2 * ldc); finish(v21, o + 2 * ldc + 8)
            finish(v30, o + 3 * ldc); finish(v31, o + 3 * ldc + 8)
        }

        /// Row `i` alone, 16 columns; for the rows left after the groups.
        @inline(__always) func row1(_ i: Int) {
            var v0 = V8(), v1 = V8()
            let ks = kRange(i, 1)
            var ap = a + i * aRow + ks.lowerBound * aK, bp = b + ks.lowerBound * ldb
            for _ in ks {
                let x = V8(repeating: ap[0])
                v0.addProduct(x, load(bp)); v1.addProduct(x, load(bp + 8))
                ap += aK; bp += ldb
            }
            finish(v0, c + i * ldc); finish(v1, c + i * ldc + 8)
        }
    }
}
