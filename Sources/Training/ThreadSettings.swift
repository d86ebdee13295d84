import Tensors
import WorkbenchCore

/// The process-wide thread counts: our parallel loops (`Parallel.workers`) and OpenBLAS's.
/// Commands set them once from the run's config (`train.threads`, 0 = every core) before they
/// build a trainer or open a run; nothing below the command line changes them as a side effect.
///
///     ThreadSettings.apply(threads: cfg.train.threads)
public enum ThreadSettings {
    public static func apply(threads: Int) {
        let n = threads > 0 ? threads : ProcessInfoCores.count
        Parallel.workers = n
        BLAS.threads = n
    }
}
