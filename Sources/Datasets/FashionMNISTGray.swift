import Foundation
import WorkbenchCore
import RunFiles

/// `fashion-mnist-gray`: Fashion-MNIST as gray tokens, one token per pixel (0–255) of the
/// original 28×28 image, no padding: records `[256] + 784` tokens, vocabulary 257, tokenizer
/// `image-gray-28`. Labels are written beside the shards as for `fashion-mnist`.
///
///     let m = try FashionMNISTGray.recipe.prepare(opts)
public enum FashionMNISTGray {
    public static let startToken: UInt16 = 256

    /// Records of `[startToken] + pixels` for each gray image.
    public static func records(_ images: [[UInt8]]) -> [UInt16] {
        var out: [UInt16] = []
        out.reserveCapacity(images.reduce(0) { $0 + $1.count + 1 })
        for img in images { out.append(startToken); out += img.map(UInt16.init) }
        return out
    }

    public static let recipe = DatasetRecipe(
        name: "fashion-mnist-gray", summary: "Fashion-MNIST 70k images as 28x28 gray tokens (one per pixel, no padding), labels kept") { opts in
        let root = try DebianPackageFetch.unpacked(FashionMNIST.package, cacheDir: opts.cacheDir, log: opts.log)
        let dir = root.appendingPathComponent("usr/share/datasets/fashion-mnist")
        func load(_ prefix: String) throws -> (tokens: [UInt16], labels: [UInt8], count: Int, side: Int) {
            let imgs = try IDXFile.read(dir.appendingPathComponent("\(prefix)-images-idx3-ubyte.gz"))
            let labs = try IDXFile.read(dir.appendingPathComponent("\(prefix)-labels-idx1-ubyte.gz"))
            let gray = try imgs.grayImages()
            guard imgs.dimensions.count == 3, imgs.dimensions[1] == imgs.dimensions[2], labs.dimensions == [gray.count] else {
                throw WorkbenchIOError.corrupt(path: prefix, reason: "images \(imgs.dimensions), labels \(labs.dimensions): not square images with one label each")
            }
            return (records(gray), labs.values, gray.count, imgs.dimensions[1])
        }
        let train = try load("train"), test = try load("t10k")
        let side = train.side
        let manifest = ShardManifest(
            name: "fashion-mnist-gray", modality: "image", tokenizer: "image-gray-\(side)", vocabSize: 257,
            layout: .records, recordLength: side * side + 1,
            splits: ["train": .init(tokens: train.tokens.count, sequences: train.count),
                     "test": .init(tokens: test.tokens.count, sequences: test.count)],
            source: "Debian \(FashionMNIST.package) (train + t10k IDX files)",
            extra: ["labels_train": "train.labels", "labels_test": "test.labels",
                    "label_format": "one uint8 class id (0-9) per record, same order as the records",
                    "classes": FashionMNIST.classNames.joined(separator: ","),
                    "record": "start token 256, then the \(side)x\(side) gray values (0-255) in raster order, no padding"])
        opts.log("fashion-mnist-gray: \(train.count) train, \(test.count) test images of \(side)x\(side)")
        let ds = TokenDataset(manifest: manifest, splits: ["train": TokenSplit(tokens: train.tokens), "test": TokenSplit(tokens: test.tokens)])
        return try StagingFolder.write(ds, to: opts.outputDir(for: "fashion-mnist-gray"),
                                       files: ["train.labels": Data(train.labels), "test.labels": Data(test.labels)])
    }
}
