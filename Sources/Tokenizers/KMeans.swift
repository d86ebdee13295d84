import WorkbenchCore

/// k-means on 3-D points (k-means++ initialisation, Lloyd iterations), deterministic for a
/// given RNG state. Used to find image palettes.
///
///     var rng = SeededRNG(seed: 1)
///     let centres = KMeans.fit(points: rgbFloats, k: 16, iterations: 10, rng: &rng)  // 3·16 values
public enum KMeans {
    /// `points` holds x, y, z interleaved; returns `3·k` centre coordinates. An empty cluster
    /// keeps its previous centre. With fewer distinct points than `k`, some centres repeat.
    public static func fit(points: [Float], k: Int, iterations: Int, rng: inout SeededRNG) -> [Float] {
        let n = points.count / 3
        precondition(n > 0 && k > 0)
        var centres = plusPlusInit(points: points, k: k, rng: &rng)
        var assign = [Int](repeating: 0, count: n)
        for _ in 0..<iterations {
            assignNearest(points: points, centres: centres, k: k, into: &assign)
            var sums = [Double](repeating: 0, count: 3 * k), counts = [Int](repeating: 0, count: k)
            for i in 0..<n {
                let c = assign[i]; counts[c] += 1
                for d in 0..<3 { sums[3 * c + d] += Double(points[3 * i + d]) }
            }
            for c in 0..<k where counts[c] > 0 {
                for d in 0..<3 { centres[3 * c + d] = Float(sums[3 * c + d] / Double(counts[c])) }
            }
        }
        return centres
    }

    static func dist2(_ p: [Float], _ i: Int, _ c: [Float], _ j: Int) -> Float {
        let a = p[3 * i] - c[3 * j], b = p[3 * i + 1] - c[3 * j + 1], d = p[3 * i + 2] - c[3 * j + 2]
        return a * a + b * b + d * d
    }

    /// Index of the nearest centre for every point (ties: lower index).
    public static func assignNearest(points: [Float], centres: [Float], k: Int, into assign: inout [Int]) {
        let n = points.count / 3
        assign.withUnsafeMutableBufferPointer { out in
            let outPtr = out
            Parallel.forEachChunk(count: n, minChunk: 4096) { range in
                for i in range {
                    var best = 0, bestD = Float.infinity
                    for j in 0..<k {
                        let d = dist2(points, i, centres, j)
                        if d < bestD { bestD = d; best = j }
                    }
                    outPtr[i] = best
                }
            }
        }
    }

    /// k-means++: the first centre uniform, each next one drawn with probability ∝ D².
    static func plusPlusInit(points: [Float], k: Int, rng: inout SeededRNG) -> [Float] {
        let n = points.count / 3
        var centres = [Float](repeating: 0, count: 3 * k)
        var first = rng.nextInt(below: n)
        var d2 = [Float](repeating: .infinity, count: n)
        for c in 0..<k {
            for d in 0..<3 { centres[3 * c + d] = points[3 * first + d] }
            var total = 0.0
            for i in 0..<n { d2[i] = min(d2[i], dist2(points, i, centres, c)); total += Double(d2[i]) }
            if c == k - 1 { break }
            if total <= 0 { first = rng.nextInt(below: n); continue }
            var u = rng.nextDouble() * total
            first = n - 1
            for i in 0..<n { u -= Double(d2[i]); if u < 0 { first = i; break } }
        }
        return centres
    }
}
