import Dispatch

/// Work splitting across the machine's cores.
///
/// `Parallel.forEach(count:)` runs `body(i)` for every `i` in `0..<count` on up to
/// `Parallel.workers` threads. Each index is processed exactly once and results written to
/// disjoint memory are deterministic whatever the thread count.
public enum Parallel {
    /// Threads our own parallel loops use (set from the run config; defaults to the core count).
    nonisolated(unsafe) public static var workers: Int = max(1, ProcessInfoCores.count)

    public static func forEach(count: Int, _ body: (Int) -> Void) {
        perform(count: count, concurrently: workers > 1, body)
    }

    /// `body(i)` for every `i` in `0..<count`, on the calling thread or spread over GCD's threads.
    package static func perform(count: Int, concurrently: Bool, _ body: (Int) -> Void) {
        if count <= 0 { return }
        if !concurrently || count == 1 {
            for i in 0..<count { body(i) }
            return
        }
        withoutActuallyEscaping(body) { body in
            DispatchQueue.concurrentPerform(iterations: count) { i in body(i) }
        }
    }

    /// Splits `0..<count` into at most `workers` contiguous chunks and runs `body(range)` on each.
    public static func forEachChunk(count: Int, minChunk: Int = 1, _ body: (Range<Int>) -> Void) {
        forEachChunk(count: count, minChunk: minChunk) { _, range in body(range) }
    }

    /// Like `forEachChunk(count:minChunk:_:)`, also passing the chunk's index `0..<workers`,
    /// so each chunk can use its own slot of a scratch buffer.
    public static func forEachChunk(count: Int, minChunk: Int = 1, _ body: (Int, Range<Int>) -> Void) {
        if count <= 0 { return }
        let chunks = max(1, min(workers, count / max(1, minChunk)))
        if chunks == 1 { body(0, 0..<count); return }
        forEach(count: chunks) { c in
            let lo = count * c / chunks, hi = count * (c + 1) / chunks
            if lo < hi { body(c, lo..<hi) }
        }
    }
}

/// Number of online cores.
public enum ProcessInfoCores {
    public static var count: Int {
        #if canImport(Glibc)
        return Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        #else
        return 2
        #endif
    }
}

#if canImport(Glibc)
import Glibc
#endif
