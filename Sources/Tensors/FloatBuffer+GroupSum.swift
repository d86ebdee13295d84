import WorkbenchCore

extension FloatBuffer {
    /// Adds the first `groups` buffers of `pending` into the first `elements` floats of this one,
    /// one buffer after another: a fixed summation order, so the thread count never changes the
    /// result. The models' per-thread-group gradients are summed this way in `backward()`.
    public func add(_ pending: [FloatBuffer], groups: Int, elements n: Int) {
        let target = base
        for g in 0..<groups {
            let p = pending[g].base
            Parallel.forEachChunk(count: n, minChunk: 1 << 16) { range in
                for i in range { target[i] += p[i] }
            }
        }
    }
}
