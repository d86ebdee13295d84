import Foundation

/// Number formatting, in one place: significant digits and sizes for reports and plot labels,
/// short counts and durations for tables and progress lines.
///
///     NumberFormat.sig(0.000123456, 3)   // "1.23e-4"
///     NumberFormat.sig(2.2049, 3)        // "2.2"
///     NumberFormat.count(1_234_567)      // "1.23M"
///     NumberFormat.duration(302)         // "5m02s"
public enum NumberFormat {
    /// `digits` significant digits, scientific outside [1e-3, 1e5).
    public static func sig(_ v: Double, _ digits: Int = 3) -> String {
        if !v.isFinite { return v.isNaN ? "nan" : (v > 0 ? "inf" : "-inf") }
        if v == 0 { return "0" }
        let a = abs(v)
        if a >= 1e-3 && a < 1e5 {
            let decimals = max(0, digits - 1 - Int(Foundation.floor(Foundation.log10(a))))
            var s = String(format: "%.\(decimals)f", v)
            if s.contains(".") {
                while s.hasSuffix("0") { s.removeLast() }
                if s.hasSuffix(".") { s.removeLast() }
            }
            return s
        }
        var e = Int(Foundation.floor(Foundation.log10(a)))
        var m = v / Foundation.pow(10, Double(e))
        let rounded = Double(String(format: "%.\(max(0, digits - 1))f", m)) ?? m
        if abs(rounded) >= 10 { m = rounded / 10; e += 1 } else { m = rounded }
        var ms = String(format: "%.\(max(0, digits - 1))f", m)
        if ms.contains(".") {
            while ms.hasSuffix("0") { ms.removeLast() }
            if ms.hasSuffix(".") { ms.removeLast() }
        }
        return "\(ms)e\(e)"
    }

    /// Scientific from 1000 up (`3e4`), for model and data sizes in labels.
    public static func size(_ v: Double, _ digits: Int = 2) -> String {
        if abs(v) < 1000 { return sig(v, digits) }
        let s = sig(v * (1 + 1e-12), digits)
        if s.contains("e") { return s }
        let e = Int(Foundation.floor(Foundation.log10(abs(v))))
        return sig(v / Foundation.pow(10, Double(e)), digits) + "e\(e)"
    }

    /// A full-precision decimal for JSON and tables (no rounding).
    public static func exact(_ v: Double) -> String { "\(v)" }

    /// A count with a k, M or G suffix from 1000 up (`1.2k`, `3.40M`), whole below.
    public static func count(_ x: Double) -> String {
        switch abs(x) {
        case 1e9...: return String(format: "%.2fG", x / 1e9)
        case 1e6...: return String(format: "%.2fM", x / 1e6)
        case 1e3...: return String(format: "%.1fk", x / 1e3)
        default: return String(format: "%.0f", x)
        }
    }

    /// Seconds as `45s`, `5m02s` or `2h03m`.
    public static func duration(_ s: Double) -> String {
        let t = Int(s.rounded())
        if t >= 3600 { return String(format: "%dh%02dm", t / 3600, t % 3600 / 60) }
        if t >= 60 { return String(format: "%dm%02ds", t / 60, t % 60) }
        return "\(t)s"
    }

    /// Seconds as a clock that always shows minutes: `0m45s`, `5m02s`, `2h03m` (progress lines).
    public static func clock(_ s: Double) -> String {
        let t = Int(s.rounded())
        return t >= 3600 ? String(format: "%dh%02dm", t / 3600, t % 3600 / 60) : String(format: "%dm%02ds", t / 60, t % 60)
    }
}
