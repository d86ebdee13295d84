import Foundation

/// A report as a list of blocks, rendered to Markdown and to a standalone HTML page.
///
///     var doc = ReportDocument(title: "Scaling report")
///     doc.blocks.append(.heading(2, "Text"))
///     doc.blocks.append(.table(header: ["fit", "value"], rows: [["α", "0.076"]]))
///     let md = doc.markdown(), html = doc.html()
public struct ReportDocument: Sendable {
    public enum Block: Sendable {
        case heading(Int, String)
        case paragraph(String)
        case list([String])
        case table(header: [String], rows: [[String]])
        /// A plot: base path relative to the report (without extension), alt text.
        case figure(String, String)
        case code(String)
    }

    public var title: String
    public var blocks: [Block] = []

    public init(title: String) { self.title = title }

    public func markdown() -> String {
        var out = "# \(title)\n\n"
        for b in blocks {
            switch b {
            case let .heading(level, text): out += String(repeating: "#", count: level) + " \(text)\n\n"
            case let .paragraph(text): out += "\(text)\n\n"
            case let .list(items): out += items.map { "- \($0)" }.joined(separator: "\n") + "\n\n"
            case let .table(header, rows):
                func row(_ cells: [String]) -> String { "| " + cells.map { $0.replacingOccurrences(of: "|", with: "\\|") }.joined(separator: " | ") + " |" }
                out += row(header) + "\n" + row(header.map { _ in "---" }) + "\n" + rows.map(row).joined(separator: "\n") + "\n\n"
            case let .figure(path, alt): out += "![\(alt)](\(path).png)\n\n"
            case let .code(text): out += "```\n\(text)\n```\n\n"
            }
        }
        return out
    }

    public func html() -> String {
        func esc(_ s: String) -> String {
            s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
        }
        var out = """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>\(esc(title))</title>
        <style>
        body { font-family: Helvetica, Arial, sans-serif; max-width: 1000px; margin: 2em auto; padding: 0 1em; color: #222; }
        table { border-collapse: collapse; margin: 1em 0; } td, th { border: 1px solid #ccc; padding: 4px 8px; text-align: left; }
        th { background: #f4f4f4; } img { max-width: 100%; border: 1px solid #eee; } code, pre { background: #f7f7f7; }
        </style></head><body>
        <h1>\(esc(title))</h1>

        """
        for b in blocks {
            switch b {
            case let .heading(level, text): out += "<h\(level)>\(esc(text))</h\(level)>\n"
            case let .paragraph(text): out += "<p>\(esc(text))</p>\n"
            case let .list(items): out += "<ul>\n" + items.map { "<li>\(esc($0))</li>" }.joined(separator: "\n") + "\n</ul>\n"
            case let .table(header, rows):
                out += "<table>\n<tr>" + header.map { "<th>\(esc($0))</th>" }.joined() + "</tr>\n"
                for r in rows { out += "<tr>" + r.map { "<td>\(esc($0))</td>" }.joined() + "</tr>\n" }
                out += "</table>\n"
            case let .figure(path, alt): out += "<figure><img src=\"\(path).svg\" alt=\"\(esc(alt))\"><figcaption>\(esc(alt))</figcaption></figure>\n"
            case let .code(text): out += "<pre>\(esc(text))</pre>\n"
            }
        }
        return out + "</body></html>\n"
    }
}
