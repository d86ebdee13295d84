import Foundation
import WorkbenchCore
import Tokenizers

/// `workbench data import images`: every PNG under a folder to an image dataset laid out like
/// `fashion-mnist` (records of `[256] + 3·R²` tokens, `ImageTokenizer`), optionally with labels.
///
/// PNGs are found recursively (hidden files and folders skipped), sorted by relative path,
/// decoded with libpng (alpha on white), squared up on white and area-averaged to R×R.
/// A seeded `testFraction` of them form the test split; each split keeps the sorted order, and
/// `train.files` / `test.files` list the relative path of each record, one per line.
///
/// With a labels CSV (relative path, label), `train.labels` / `test.labels` hold one `UInt8`
/// class id per record in record order, as for Fashion-MNIST, and the manifest's `extra` holds
/// `classes` (comma-separated, the Fashion-MNIST key) and `classes_json` (exact, a JSON array).
/// Labels that are all integers 0–255 are the class ids; otherwise the sorted distinct names
/// are numbered from 0.
///
///     let r = try ImageImport.run(dir: pets, labelsCSV: pets.appendingPathComponent("labels.csv"),
///                                 resolution: 16, options: ImportOptions(name: "pets", outDir: data))
public enum ImageImport {
    public static let resolutions = [8, 16, 32]

    /// Class ids of the labelled images and the names of the classes (index = id).
    public struct Labels: Equatable, Sendable {
        public var classNames: [String]
        public var idOfPath: [String: UInt8]
    }

    /// Relative paths of every `.png` (any case) under `dir`, sorted.
    public static func pngFiles(under dir: URL) throws -> [String] {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dir.path, isDirectory: &isDir), isDir.boolValue,
              let walker = FileManager.default.enumerator(atPath: dir.path) else {
            throw WorkbenchIOError.missingFile(path: dir.path, what: "image folder")
        }
        return walker.compactMap { $0 as? String }
            .filter { $0.lowercased().hasSuffix(".png") && !$0.split(separator: "/").contains { $0.hasPrefix(".") } }
            .sorted()
    }

    /// Reads a labels CSV; rows that cannot be used (too few columns, empty label, repeated
    /// path, image not among `images`) become problems naming the CSV line.
    public static func readLabels(_ csv: URL, images: Set<String>, imageDir: String) throws -> (labels: Labels, problems: [ImportProblem]) {
        var problems: [ImportProblem] = [], named: [String: String] = [:], firstLine: [String: Int] = [:]
        for row in try ImportCSV.rows(of: csv) {
            func bad(_ reason: String) { problems.append(ImportProblem(path: csv.path, line: row.line, reason: reason)) }
            guard row.fields.count >= 2 else { bad("expected 2 columns (path, label), found \(row.fields.count)"); continue }
            let path = ImportSupport.normalized(row.fields[0].trimmingCharacters(in: .whitespaces))
            let label = row.fields[1].trimmingCharacters(in: .whitespaces)
            if label.isEmpty { bad("empty label for '\(path)'"); continue }
            if let l = firstLine[path] { bad("second label for '\(path)' (first on line \(l))"); continue }
            guard images.contains(path) else { bad("image '\(path)' not found under \(imageDir)"); continue }
            named[path] = label; firstLine[path] = row.line
        }
        let ids = named.values.compactMap { UInt8($0) }
        if ids.count == named.count {
            let n = Int(ids.max() ?? 0) + 1
            return (Labels(classNames: (0..<n).map(String.init), idOfPath: named.mapValues { UInt8($0)! }), problems)
        }
        let names = Set(named.values).sorted()
        guard names.count <= 256 else {
            throw ImportError.invalidOption("\(csv.path): \(names.count) classes; labels are stored as one byte, at most 256")
        }
        let idOf = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, UInt8($0)) })
        return (Labels(classNames: names, idOfPath: named.mapValues { idOf[$0]! }), problems)
    }

    static var classNamesEncoder: JSONEncoder {
        let e = JSONEncoder(); e.outputFormatting = [.withoutEscapingSlashes]; return e
    }

    /// Decodes one PNG to R×R; a failure is a problem naming the file.
    static func image(_ url: URL, shownAs name: String, line: Int? = nil, resolution: Int) -> Result<RGBImage, ImportProblem> {
        switch ImportSupport.read(url, shownAs: name, line: line) {
        case let .failure(p): return .failure(p)
        case let .success(data):
            do {
                return .success(AreaResize.squareThumbnail(try PNGImage.decode(data, name: name), side: resolution))
            } catch let WorkbenchIOError.corrupt(_, reason) {
                return .failure(ImportProblem(path: name, line: line, reason: reason))
            } catch {
                return .failure(ImportProblem(path: name, line: line, reason: "\(error)"))
            }
        }
    }

    /// Reads, splits, tokenizes and writes the dataset (see the type's documentation).
    @discardableResult
    public static func run(dir: URL, labelsCSV: URL?, resolution: Int, options opts: ImportOptions) throws -> ImportResult {
        try opts.validate()
        guard resolutions.contains(resolution) else {
            throw ImportError.invalidOption("--size \(resolution) must be one of \(resolutions.map(String.init).joined(separator: ", "))")
        }
        try StagingFolder.refuseExisting(opts.target, force: opts.force)
        let files = try pngFiles(under: dir)
        guard !files.isEmpty else { throw ImportError.noData("no PNG files under '\(dir.path)'") }
        opts.log("\(opts.name): \(files.count) PNG files under \(dir.path)")
        var labels: Labels? = nil, problems: [ImportProblem] = []
        if let csv = labelsCSV {
            let (l, p) = try readLabels(csv, images: Set(files), imageDir: dir.path)
            labels = l; problems += p
        }
        var good: [(path: String, image: RGBImage)] = []
        for (k, rel) in files.enumerated() {
            opts.progress(k, files.count)
            // Decoded first, so that an unreadable PNG is reported as such even when it has no label.
            switch image(dir.appendingPathComponent(rel), shownAs: rel, resolution: resolution) {
            case let .success(img):
                if let l = labels, l.idOfPath[rel] == nil {
                    problems.append(ImportProblem(path: rel, reason: "no label in \(labelsCSV!.lastPathComponent)")); continue
                }
                good.append((rel, img))
            case let .failure(p): problems.append(p)
            }
        }
        opts.progress(files.count, files.count)
        try ImportSupport.check(problems, opts)
        let test = try ImportSupport.testIndices(count: good.count, fraction: opts.testFraction, seed: opts.seed)
        let trainItems = good.indices.filter { !test.contains($0) }.map { good[$0] }
        let testItems = good.indices.filter { test.contains($0) }.map { good[$0] }

        return try ImportSupport.finish(opts, problems: problems) { folder in
            var extra = ImportSupport.skippedExtra(problems)
            extra["resize"] = "squared up on white, area average to \(resolution)x\(resolution)"
            extra["test_selection"] = "seeded permutation (seed \(opts.seed)) of the usable images, first \(testItems.count) held out; each split in path order"
            extra["files_train"] = "train.files"; extra["files_test"] = "test.files"
            for (split, items) in [("train", trainItems), ("test", testItems)] {
                try AtomicFile.write(items.map(\.path).joined(separator: "\n") + "\n",
                                     to: folder.appendingPathComponent("\(split).files"))
            }
            if let l = labels {
                for (split, items) in [("train", trainItems), ("test", testItems)] {
                    let ids = Data(items.map { l.idOfPath[$0.path]! })
                    try AtomicFile.write(ids, to: folder.appendingPathComponent("\(split).labels"))
                    extra["labels_\(split)_sha256"] = SHA256.hex(of: ids)
                }
                extra["labels_train"] = "train.labels"; extra["labels_test"] = "test.labels"
                extra["label_format"] = "one uint8 class id (0-\(l.classNames.count - 1)) per record, same order as the records"
                extra["classes"] = l.classNames.joined(separator: ",")
                extra["classes_json"] = String(decoding: try classNamesEncoder.encode(l.classNames), as: UTF8.self)
            }
            return ImageShards.dataset(name: opts.name, tokenizer: ImageTokenizer(resolution: resolution),
                                       train: trainItems.map(\.image), test: testItems.map(\.image),
                                       source: "imported from \(good.count) PNG files under \(dir.path)", extra: extra)
        }
    }
}
