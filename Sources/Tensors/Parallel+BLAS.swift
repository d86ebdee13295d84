import WorkbenchCore

extension Parallel {
    /// Runs `body(i)` for every `i` in `0..<count`, up to `workers` of them at once, each
    /// entirely on one thread: inside `body`, `workers` reads 1 and OpenBLAS runs on one thread,
    /// so nested parallel loops and BLAS calls run inline. Used for data parallelism (one
    /// micro-batch per thread), where forking inside every layer would cost more than it gives.
    /// Both settings are restored afterwards; do not call it from inside another parallel loop.
    public static func forEachExclusive(count: Int, _ body: (Int) -> Void) {
        if count <= 0 { return }
        let saved = workers, savedBLAS = BLAS.threads
        workers = 1
        if savedBLAS != 1 { BLAS.threads = 1 }
        defer { workers = saved; if savedBLAS != 1 { BLAS.threads = savedBLAS } }
        perform(count: count, concurrently: saved > 1, body)
    }
}
