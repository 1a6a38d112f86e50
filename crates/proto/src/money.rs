//! Money on the wire is whole kopecks (`i64`), never floats.

/// Formats kopecks as the locale writes roubles: `1 234,56 ₽` (ru) or `₽1,234.56` (en).
pub fn format_rub(kop: i64, russian: bool) -> String {
    let neg = kop < 0;
    let abs = kop.unsigned_abs();
    let (rub, k) = (abs / 100, abs % 100);
    let digits = rub.to_string();
    let sep = if russian { '\u{a0}' } else { ',' };
    let mut grouped = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(sep);
        }
        grouped.push(ch);
    }
    let sign = if neg { "−" } else { "" };
    if russian {
        format!("{sign}{grouped},{k:02}\u{a0}₽")
    } else {
        format!("{sign}₽{grouped}.{k:02}")
    }
}

#[cfg(test)]
mod tests {
    use super::format_rub;

    #[test]
    fn formats_both_locales() {
        assert_eq!(format_rub(123_456, true), "1\u{a0}234,56\u{a0}₽");
        assert_eq!(format_rub(123_456, false), "₽1,234.56");
        assert_eq!(format_rub(-5_000, false), "−₽50.00");
        assert_eq!(format_rub(0, true), "0,00\u{a0}₽");
    }
}
