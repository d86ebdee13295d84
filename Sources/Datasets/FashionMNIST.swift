import Foundation
import WorkbenchCore
import Tokenizers
import RunFiles

/// Fashion-MNIST as images for the scaling studies: 60,000 + 10,000 gray 28×28 images, padded
/// to 32×32 with 0 (the black background of every Fashion-MNIST image, so the pad is invisible),
/// gray copied to R, G and B; 16×16 and 8×8 variants are the 32×32 images area-averaged
/// (exact 2×2 / 4×4 block means). Labels (0–9) are written beside the shards as
/// `train.labels` / `test.labels`, one `UInt8` per image, for fine-tuning.
///
///     let m = try FashionMNIST.recipe(resolution: 32).prepare(opts)
public enum FashionMNIST {
    public static let classNames = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
    static let package = "dataset-fashion-mnist"

    public static func recipe(resolution: Int) -> DatasetRecipe {
        let name = resolution == 32 ? "fashion-mnist" : "fashion-mnist-\(resolution)"
        return DatasetRecipe(name: name,
                             summary: "Fashion-MNIST 70k gray images padded to 32x32, as RGB \(resolution)x\(resolution) tokens, labels kept") { opts in
            let root = try DebianPackageFetch.unpacked(package, cacheDir: opts.cacheDir, log: opts.log)
            let dir = root.appendingPathComponent("usr/share/datasets/fashion-mnist")
            func load(_ prefix: String) throws -> (images: [RGBImage], labels: [UInt8]) {
                let imgs = try IDXFile.read(dir.appendingPathComponent("\(prefix)-images-idx3-ubyte.gz"))
                let labs = try IDXFile.read(dir.appendingPathComponent("\(prefix)-labels-idx1-ubyte.gz"))
                return try convert(images: imgs, labels: labs, resolution: resolution, name: prefix)
            }
            let train = try load("train"), test = try load("t10k")
            opts.log("\(name): \(train.images.count) train, \(test.images.count) test images")
            return try write(name: name, resolution: resolution, train: train, test: test, to: opts.outputDir(for: name))
        }
    }

    /// IDX images + labels to R×R RGB images and labels, checking that they agree.
    public static func convert(images: IDXFile, labels: IDXFile, resolution: Int,
                               name: String) throws -> (images: [RGBImage], labels: [UInt8]) {
        let gray = try images.grayImages()
        guard labels.dimensions == [gray.count] else {
            throw WorkbenchIOError.corrupt(path: name, reason: "labels have dimensions \(labels.dimensions), images \(images.dimensions)")
        }
        let rows = images.dimensions[1], cols = images.dimensions[2]
        guard rows <= 32, cols <= 32 else {
            throw WorkbenchIOError.corrupt(path: name, reason: "images are \(rows)x\(cols), at most 32x32 expected")
        }
        let out = gray.map { g -> RGBImage in
            let padded = RGBImage(width: cols, height: rows, gray: g).paddedToSquare(side: 32, fill: (0, 0, 0))
            return AreaResize.resize(padded, width: resolution, height: resolution)
        }
        return (out, labels.values)
    }

    /// Writes shards, then the label files, then the manifest (last, through `TokenDataset.write`).
    public static func write(name: String, resolution: Int, train: (images: [RGBImage], labels: [UInt8]),
                             test: (images: [RGBImage], labels: [UInt8]), to dir: URL) throws -> ShardManifest {
        try AtomicFile.write(Data(train.labels), to: dir.appendingPathComponent("train.labels"))
        try AtomicFile.write(Data(test.labels), to: dir.appendingPathComponent("test.labels"))
        let extra = ["labels_train": "train.labels", "labels_test": "test.labels",
                     "label_format": "one uint8 class id (0-9) per record, same order as the records",
                     "classes": classNames.joined(separator: ","),
                     "padding": "28x28 centred in 32x32 with 0 (black background)",
                     "resize": resolution == 32 ? "none" : "area average of the padded 32x32 image"]
        let ds = ImageShards.dataset(name: name, tokenizer: ImageTokenizer(resolution: resolution),
                                     train: train.images, test: test.images,
                                     source: "Debian \(package) (train + t10k IDX files)", extra: extra)
        try ds.write(to: dir)
        return ds.manifest
    }
}
