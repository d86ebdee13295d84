import Tensors

/// The small products of the streamed attention (`CausalSelfAttention+Streaming.swift`) written
/// by hand with 16-lane SIMD, for head dimensions that are multiples of 16 (the image models'
/// 16 above all): one 16-float row of a head is one vector (an AVX-512 register).
///
/// Through OpenBLAS each key block costs five or six calls whose inner or outer dimension is the
/// head dimension (k = 16 or n = 16), where its kernels run far below their peak and pay for packing
/// both operands. Here the operands are one head's rows gathered contiguously (keys and values also
/// transposed), score rows stop at the last visible key (rounded up to a group of 32), and the
/// products on the diagonal block skip the keys no row of a group sees. Every output element is a
/// sum in a fixed order: deterministic, and equal to the BLAS path up to rounding.
public enum StreamingKernels {
    typealias V = SIMD16<Float>
    /// Keys per register group of the score kernel; score rows are computed in whole groups.
    static let keyGroup = 32

    /// Whether models should stream through these kernels rather than OpenBLAS: on CPUs with
    /// AVX-512, where a 16-lane vector is one register. With AVX2 only, the sixteen accumulators
    /// of a register group would need thirty-two 8-lane registers (there are sixteen) and spill;
    /// that case is unmeasured, so it keeps the OpenBLAS path. Depends only on the machine.
    public static var preferredOverBLAS: Bool { CPUFeatures.current.hasAVX512 }

    /// Whether the kernels cover a head dimension.
    public static func supports(headDim: Int) -> Bool { headDim > 0 && headDim % 16 == 0 && headDim <= 64 }

    /// Columns of transposed keys and values for `t` keys: whole key groups plus one spare group,
    /// since a block's groups start at any key (zero past the last key).
    public static func paddedKeys(_ t: Int) -> Int { (t + keyGroup - 1) / keyGroup * keyGroup + keyGroup }

    /// Row stride of a score block `width` keys wide: whole key groups.
    public static func blockStride(_ width: Int) -> Int { (width + keyGroup - 1) / keyGroup * keyGroup }

    @inline(__always) static func load(_ p: UnsafePointer<Float>) -> V { UnsafeRawPointer(p).loadUnaligned(as: V.self) }
    @inline(__always) static func store(_ v: V, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: V.self)
    }
    /// Lanes `0 ..< count` set (`count` may be below 0 or above 16).
    @inline(__always) static func lanes(below count: Int) -> SIMDMask<SIMD16<Int32>> {
        SIMD16<Int32>(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15) .< SIMD16<Int32>(repeating: Int32(clamping: count))
    }

    // MARK: Scores: C = alpha · A · Bt (inner dimension the head dimension)

    /// `C[r, j] = alpha · Σ_d A[r·lda + d] · Bt[d·ldbt + j]` for rows `r < rows` and keys `j` up to
    /// the visible keys of the row's group of eight, rounded up to 32, where row `r` sees keys
    /// `j < min(keys, diagonal + r + 1)`. `Bt` must be readable (zero-padded) that far and `ldc` at
    /// least `blockStride(keys)`. Entries past the computed groups are left as they were.
    static func scores(c: UnsafeMutablePointer<Float>, ldc: Int, a: UnsafePointer<Float>, lda: Int,
                       bt: UnsafePointer<Float>, ldbt: Int, rows: Int, hd: Int, alpha: Float,
                       keys: Int, diagonal: Int) {
        let al = V(repeating: alpha)
        var r = 0
        while r < rows {
            let size = r + 8 <= rows ? 8 : 1
            let visible = min(keys, diagonal + r + size)
            var j = 0
            while j < visible {
                if size == 8 {
                    scores8x32(c: c + r * ldc + j, ldc: ldc, a: a + r * lda, lda: lda, bt: bt + j, ldbt: ldbt, hd: hd, alpha: al)
                } else {
                    scores1x32(c: c + r * ldc + j, a: a + r * lda, bt: bt + j, ldbt: ldbt, hd: hd, alpha: al)
                }
                j += keyGroup
            }
            r += size
        }
    }

    /// Eight rows × 32 keys: sixteen accumulators, two key vectors and eight broadcasts per `d`.
    @inline(__always) static func scores8x32(c: UnsafeMutablePointer<Float>, ldc: Int, a: UnsafePointer<Float>, lda: Int,
                                             bt: UnsafePointer<Float>, ldbt: Int, hd: Int, alpha: V) {
        var c00 = V(), c01 = V(), c10 = V(), c11 = V(), c20 = V(), c21 = V(), c30 = V(), c31 = V()
        var c40 = V(), c41 = V(), c50 = V(), c51 = V(), c60 = V(), c61 = V(), c70 = V(), c71 = V()
        var bp = bt, ap = a
        for _ in 0..<hd {
            let b0 = load(bp), b1 = load(bp + 16)
            var x = V(repeating: ap[0]); c00.addProduct(x, b0); c01.addProduct(x, b1)
            x = V(repeating: ap[lda]); c10.addProduct(x, b0); c11.addProduct(x, b1)
            x = V(repeating: ap[2 * lda]); c20.addProduct(x, b0); c21.addProduct(x, b1)
            x = V(repeating: ap[3 * lda]); c30.addProduct(x, b0); c31.addProduct(x, b1)
            x = V(repeating: ap[4 * lda]); c40.addProduct(x, b0); c41.addProduct(x, b1)
            x = V(repeating: ap[5 * lda]); c50.addProduct(x, b0); c51.addProduct(x, b1)
            x = V(repeating: ap[6 * lda]); c60.addProduct(x, b0); c61.addProduct(x, b1)
            x = V(repeating: ap[7 * lda]); c70.addProduct(x, b0); c71.addProduct(x, b1)
            bp += ldbt; ap += 1
        }
        store(c00 * alpha, c); store(c01 * alpha, c + 16)
        store(c10 * alpha, c + ldc); store(c11 * alpha, c + ldc + 16)
        store(c20 * alpha, c + 2 * ldc); store(c21 * alpha, c + 2 * ldc + 16)
        store(c30 * alpha, c + 3 * ldc); store(c31 * alpha, c + 3 * ldc + 16)
        store(c40 * alpha, c + 4 * ldc); store(c41 * alpha, c + 4 * ldc + 16)
        store(c50 * alpha, c + 5 * ldc); store(c51 * alpha, c + 5 * ldc + 16)
        store(c60 * alpha, c + 6 * ldc); store(c61 * alpha, c + 6 * ldc + 16)
        store(c70 * alpha, c + 7 * ldc); store(c71 * alpha, c + 7 * ldc + 16)
    }

    /// One row × 32 keys, for the rows left after the groups of eight.
    @inline(__always) static func scores1x32(c: UnsafeMutablePointer<Float>, a: UnsafePointer<Float>,
                                             bt: UnsafePointer<Float>, ldbt: Int, hd: Int, alpha: V) {
        var c0 = V(), c1 = V()
        var bp = bt
        for d in 0..<hd {
            let x = V(repeating: a[d])
            c0.addProduct(x, load(bp)); c1.addProduct(x, load(bp + 16))
            bp += ldbt
        }
        store(c0 * alpha, c); store(c1 * alpha, c + 16)
    }

    // MARK: Rows times a block: O = O ∘ rescale + alpha · P · B (inner dimension the keys)

    /// `O[r, :] = O[r, :] · rescale[r] + alpha · Σ_j P[r·ldp + j] · B[j·hd + :]` (rescale 1 when nil)
    /// for rows `r < rows`, summing over the keys the row's group of eight sees:
    /// `j < min(keys, diagonal + last row + 1)`; P must be zero past each row's own visible keys.
    /// Rows of `O` and `B` are `hd` floats, contiguous.
    static func rowsTimesBlock(o: UnsafeMutablePointer<Float>, rescale: UnsafePointer<Float>?, alpha: Float,
                               p: UnsafePointer<Float>, ldp: Int, b: UnsafePointer<Float>, rows: Int, hd: Int,
                               keys: Int, diagonal: Int) {
        let al = V(repeating: alpha)
        for slab in stride(from: 0, to: hd, by: 16) {
            var r = 0
            while r < rows {
                let size = r + 8 <= rows ? 8 : 1
                let count = max(0, min(keys, diagonal + r + size))
                if size == 8 {
                    rows8(o: o + r * hd + slab, rescale: rescale.map { $0 + r }, alpha: al, p: p + r * ldp, ldp: ldp,
                          b: b + slab, hd: hd, count: count)
                } else {
                    var acc = V(), pp = p + r * ldp, bp = b + slab
                    for _ in 0..<count { acc.addProduct(V(repeating: pp[0]), load(bp)); pp += 1; bp += hd }
                    let out = o + r * hd + slab
                    store(load(out) * V(repeating: rescale?[r] ?? 1) + acc * al, out)
                }
                r += size
            }
        }
    }

    /// Eight rows of `rowsTimesBlock`, one 16-column slab: eight accumulators, one `B` row and
    /// eight broadcasts per key.
    @inline(__always) static func rows8(o: UnsafeMutablePointer<Float>, rescale: UnsafePointer<Float>?, alpha: V,
                                        p: UnsafePointer<Float>, ldp: Int, b: UnsafePointer<Float>, hd: Int, count: Int) {
        var a0 = V(), a1 = V(), a2 = V(), a3 = V(), a4 = V(), a5 = V(), a6 = V(), a7 = V()
        var pp = p, bp = b
        for _ in 0..<count {
            let x = load(bp)
            a0.addProduct(V(repeating: pp[0]), x); a1.addProduct(V(repeating: pp[ldp]), x)
            a2.addProduct(V(repeating: pp[2 * ldp]), x); a3.addProduct(V(repeating: pp[3 * ldp]), x)
            a4.addProduct(V(repeating: pp[4 * ldp]), x); a5.addProduct(V(repeating: pp[5 * ldp]), x)
            a6.addProduct(V(repeating: pp[6 * ldp]), x); a7.addProduct(V(repeating: pp[7 * ldp]), x)
            pp += 1; bp += hd
        }
        @inline(__always) func finish(_ acc: V, _ i: Int) {
            let out = o + i * hd
            store(load(out) * V(repeating: rescale?[i] ?? 1) + acc * alpha, out)
        }
        finish(a0, 0); finish(a1, 1); finish(a2, 2); finish(a3, 3)
        finish(a4, 4); finish(a5, 5); finish(a6, 6); finish(a7, 7)
    }

    // MARK: Keys times the tile: dV += Pᵀ · dO and dK += alpha · dSᵀ · Q in one pass

    /// For each key `j < keys` of the block: `dv[j, :] += Σ_r P[r·ldp + j] · dO[r, :]` and
    /// `dk[j, :] += alpha · Σ_r dS[r·ldp + j] · Q[r, :]`, over the rows that see any key of `j`'s
    /// group of eight (`r ≥ j − diagonal`, `r < rows`); P and dS must be zero where a row does not
    /// see a key. Rows of `dO`, `Q`, `dv`, `dk` are `hd` floats, contiguous.
    static func keysTimesTile(dv: UnsafeMutablePointer<Float>, dk: UnsafeMutablePointer<Float>, alpha: Float,
                              p: UnsafePointer<Float>, ds: UnsafePointer<Float>, ldp: Int,
                              dO: UnsafePointer<Float>, q: UnsafePointer<Float>, rows: Int, hd: Int,
                              keys: Int, diagonal: Int) {
        let al = V(repeating: alpha)
        for slab in stride(from: 0, to: hd, by: 16) {
            var j = 0
            while j < keys {
                let size = j + 8 <= keys ? 8 : 1
                let first = max(0, j - diagonal)
                if first < rows {
                    if size == 8 {
                        keys8(dv: dv + j * hd + slab, dk: dk + j * hd + slab, alpha: al, p: p + first * ldp + j,
                              ds: ds + first * ldp + j, ldp: ldp, dO: dO + first * hd + slab, q: q + first * hd + slab,
                              hd: hd, count: rows - first)
                    } else {
                        var av = V(), ak = V()
                        var pp = p + first * ldp + j, sp = ds + first * ldp + j
                        var gp = dO + first * hd + slab, qp = q + first * hd + slab
                        for _ in first..<rows {
                            av.addProduct(V(repeating: pp[0]), load(gp)); ak.addProduct(V(repeating: sp[0]), load(qp))
                            pp += ldp; sp += ldp; gp += hd; qp += hd
                        }
                        let ov = dv + j * hd + slab, ok = dk + j * hd + slab
                        store(load(ov) + av, ov); store(load(ok) + ak * al, ok)
                    }
                }
                j += size
            }
        }
    }

    /// Eight keys of `keysTimesTile`, one 16-column slab: sixteen accumulators.
    @inline(__always) static func keys8(dv: UnsafeMutablePointer<Float>, dk: UnsafeMutablePointer<Float>, alpha: V,
                                        p: UnsafePointer<Float>, ds: UnsafePointer<Float>, ldp: Int,
                                        dO: UnsafePointer<Float>, q: UnsafePointer<Float>, hd: Int, count: Int) {
        var v0 = V(), v1 = V(), v2 = V(), v3 = V(), v4 = V(), v5 = V(), v6 = V(), v7 = V()
        var k0 = V(), k1 = V(), k2 = V(), k3 = V(), k4 = V(), k5 = V(), k6 = V(), k7 = V()
        var pp = p, sp = ds, gp = dO, qp = q
        for _ in 0..<count {
            let g = load(gp), x = load(qp)
            v0.addProduct(V(repeating: pp[0]), g); v1.addProduct(V(repeating: pp[1]), g)
            v2.addProduct(V(repeating: pp[2]), g); v3.addProduct(V(repeating: pp[3]), g)
            v4.addProduct(V(repeating: pp[4]), g); v5.addProduct(V(repeating: pp[5]), g)
            v6.addProduct(V(repeating: pp[6]), g); v7.addProduct(V(repeating: pp[7]), g)
            k0.addProduct(V(repeating: sp[0]), x); k1.addProduct(V(repeating: sp[1]), x)
            k2.addProduct(V(repeating: sp[2]), x); k3.addProduct(V(repeating: sp[3]), x)
            k4.addProduct(V(repeating: sp[4]), x); k5.addProduct(V(repeating: sp[5]), x)
            k6.addProduct(V(repeating: sp[6]), x); k7.addProduct(V(repeating: sp[7]), x)
            pp += ldp; sp += ldp; gp += hd; qp += hd
        }
        @inline(__always) func finish(_ av: V, _ ak: V, _ i: Int) {
            let ov = dv + i * hd, ok = dk + i * hd
            store(load(ov) + av, ov); store(load(ok) + ak * alpha, ok)
        }
        finish(v0, k0, 0); finish(v1, k1, 1); finish(v2, k2, 2); finish(v3, k3, 3)
        finish(v4, k4, 4); finish(v5, k5, 5); finish(v6, k6, 6); finish(v7, k7, 7)
    }

    // MARK: Row passes: online softmax (forward), probabilities and their gradient (backward)

    /// Forward, one score row of a block: exponentiates the `visible` leading scores against the
    /// new running maximum `max(runningMax, row max)` in place, zeroes the rest up to `width`,
    /// and returns (new maximum, sum of the new values). `visible ≥ 1`.
    @inline(__always) static func softmaxRow(_ row: UnsafeMutablePointer<Float>, visible: Int, width: Int,
                                             runningMax: Float) -> (max: Float, sum: Float) {
        var mv = V(repeating: -.infinity), j = 0
        while j + 16 <= visible { let x = load(row + j); mv = mv.replacing(with: x, where: x .> mv); j += 16 }
        if j < visible {
            let x = load(row + j)
            mv = mv.replacing(with: x, where: lanes(below: visible - j) .& (x .> mv))
        }
        let m = Swift.max(runningMax, maxAcross(mv))
        let mvec = V(repeating: m)
        var acc = V()
        j = 0
        while j + 16 <= visible {
            let e = exp(load(row + j) - mvec)
            store(e, row + j); acc += e
            j += 16
        }
        while j < width {
            let e = exp(load(row + j) - mvec).replacing(with: 0, where: .!lanes(below: visible - j))
            store(e, row + j); acc += e
            j += 16
        }
        return (m, sumAcross(acc))
    }

    /// Backward, one row of a block: `P = exp(S − lse)` over the `visible` leading keys and
    /// `dS = P ∘ (dP − rowDot)`, written over `s` and `dp`; zero past `visible` up to `width`.
    @inline(__always) static func gradientRow(s: UnsafeMutablePointer<Float>, dp: UnsafeMutablePointer<Float>,
                                              visible: Int, width: Int, lse: Float, rowDot: Float) {
        let l = V(repeating: lse), d = V(repeating: rowDot)
        var j = 0
        while j + 16 <= visible {
            let p = exp(load(s + j) - l)
            store(p, s + j); store(p * (load(dp + j) - d), dp + j)
            j += 16
        }
        while j < width {
            let keep = lanes(below: visible - j)
            let p = exp(load(s + j) - l).replacing(with: 0, where: .!keep)
            store(p, s + j)
            store((p * (load(dp + j) - d)).replacing(with: 0, where: .!keep), dp + j)
            j += 16
        }
    }

    /// The largest lane, by halving (vector operations, a fixed order).
    @inline(__always) static func maxAcross(_ v: V) -> Float {
        let a = v.lowHalf, b = v.highHalf, m8 = a.replacing(with: b, where: b .> a)
        let c = m8.lowHalf, d = m8.highHalf, m4 = c.replacing(with: d, where: d .> c)
        let e = m4.lowHalf, f = m4.highHalf, m2 = e.replacing(with: f, where: f .> e)
        return Swift.max(m2[0], m2[1])
    }

    /// The sum of the lanes, by halving (vector operations, a fixed order).
    @inline(__always) static func sumAcross(_ v: V) -> Float {
        let s8 = v.lowHalf + v.highHalf, s4 = s8.lowHalf + s8.highHalf, s2 = s4.lowHalf + s4.highHalf
        return s2[0] + s2[1]
    }

    // MARK: Exponential

    /// `exp` on sixteen lanes: the same operations as the scalar `fastExp` (Cephes range reduction,
    /// degree-6 polynomial, 2ⁿ built in the exponent bits), lane by lane, so each lane equals
    /// `fastExp` of that lane bit for bit (relative error below 2e-7 against libm on [−87, 88]);
    /// except that inputs below −87 (where exp < 1.7e-38), −∞ included, give 0. Above 88 it gives
    /// exp(88); NaN stays NaN. Separate multiplies and adds: with `addingProduct` the compiler
    /// splits the sixteen lanes into scalar and half-width pieces. Transparent: with only
    /// `@inline(__always)` the optimiser still called it out of line from the row passes (passing
    /// the vector in four pieces), 7 % of the attention's time.
    @_transparent
    public static func exp(_ x: SIMD16<Float>) -> SIMD16<Float> {
        let lo = SIMD16<Float>(repeating: -87.0), hi = SIMD16<Float>(repeating: 88.0)
        var xc = x.replacing(with: lo, where: x .< lo)
        xc = xc.replacing(with: hi, where: xc .> hi)
        // Adding and subtracting 1.5·2²³ rounds x·log2(e) to the nearest integer n (ties to even).
        let magic = SIMD16<Float>(repeating: 12582912.0)
        let big = xc * 1.44269504088896341 + magic
        let n = big - magic
        let r = xc - n * 0.693359375 + n * 2.12194440e-4
        var p = SIMD16<Float>(repeating: 1.9875691500e-4)
        p = p * r + 1.3981999507e-3
        p = p * r + 8.3334519073e-3
        p = p * r + 4.1665795894e-2
        p = p * r + 1.6666665459e-1
        p = p * r + 5.0000001201e-1
        let y = p * r * r + r + 1
        // The low bits of `big` hold n: 2ⁿ is (n + 127) << 23 as a float's bits.
        let bits = (unsafeBitCast(big, to: SIMD16<UInt32>.self) &- 0x4B40_0000 &+ 127) &<< 23
        return (y * unsafeBitCast(bits, to: SIMD16<Float>.self)).replacing(with: 0, where: x .< lo)
    }

    // MARK: Operand layout

    /// `dst[d·ldd + j] = src[j·hd + d]` for `j < n`, `d < hd` (contiguous rows transposed); columns
    /// `n ..< ldd` of `dst` are zero.
    static func transpose(_ dst: UnsafeMutablePointer<Float>, ldd: Int, _ src: UnsafePointer<Float>, n: Int, hd: Int) {
        for j in 0..<n {
            let row = src + j * hd
            for d in 0..<hd { dst[d * ldd + j] = row[d] }
        }
        for d in 0..<hd { (dst + d * ldd + n).update(repeating: 0, count: ldd - n) }
    }
}
