//! What a jar's label code says (#25): the product, its lot and its expiry,
//! in GS1's element strings, the way a scanner types them.
//!
//! Read here, once, for the POS scanner, the CLI's `--line` and the core:
//! - GS1-128 in the printed form `(01)00860001010010(10)L-7(17)271231`;
//! - the raw form a scanner sends, `]C1` (or `]d2`, `]Q3`) then the AIs,
//!   a variable field ended by GS (0x1D) or the end;
//! - a GS1 Digital Link URI: `https://…/01/00860001010010/10/L-7?17=271231`.
//!
//! The AIs read: (01) GTIN-14 (its check digit verified), (240) the maker's
//! own item number (our SKU, for a product with no GTIN), (10) lot,
//! (17) expiry YYMMDD (day 00: the month's last day, GS1's rule), and the
//! fixed-length dates (11) (13) (15) and serial (21), which are read past.
use chrono::NaiveDate;

/// GS1's group separator, which ends a variable-length field.
pub const GS: char = '\u{1d}';

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scan {
    /// A GTIN-14, or the maker's item number (SKU) from AI 240.
    pub item: Item,
    pub lot: Option<String>,
    pub expires: Option<NaiveDate>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Item {
    Gtin(String),
    Sku(String),
}

/// A GTIN-8/12/13/14 as the 14 digits GS1 compares (zeros in front), if it is one.
pub fn gtin14(code: &str) -> Option<String> {
    let c = code.trim();
    if matches!(c.len(), 8 | 12 | 13 | 14) && c.bytes().all(|b| b.is_ascii_digit()) {
        Some(format!("{c:0>14}"))
    } else {
        None
    }
}

/// A GTIN as 14 digits if it is one a scanner accepts: the right length,
/// digits only, and its check digit right. A barcode typed with a wrong
/// check digit is not a GTIN (a label carries the SKU instead).
pub fn valid_gtin14(code: &str) -> Option<String> {
    gtin14(code).filter(|g| check_digit_ok(g))
}

/// GS1's mod-10 check digit over every digit but the last.
fn check_digit_ok(digits: &str) -> bool {
    let d: Vec<u32> = digits.chars().filter_map(|c| c.to_digit(10)).collect();
    let Some((last, body)) = d.split_last() else { return false };
    let sum: u32 = body.iter().rev().enumerate().map(|(i, v)| if i % 2 == 0 { v * 3 } else { *v }).sum();
    (10 - sum % 10) % 10 == *last
}

/// YYMMDD as GS1 writes it: day 00 is the month's last day; years 20YY.
fn date(v: &str) -> Result<NaiveDate, String> {
    let bad = || format!("'{v}' is not a date in the code (YYMMDD)");
    if v.len() != 6 || !v.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let n = |r: std::ops::Range<usize>| v[r].parse::<u32>().map_err(|_| bad());
    let (y, m, d) = (2000 + n(0..2)? as i32, n(2..4)?, n(4..6)?);
    if d == 0 {
        let next = if m == 12 { NaiveDate::from_ymd_opt(y + 1, 1, 1) } else { NaiveDate::from_ymd_opt(y, m + 1, 1) };
        return next.and_then(|x| x.pred_opt()).filter(|_| (1..=12).contains(&m)).ok_or_else(bad);
    }
    NaiveDate::from_ymd_opt(y, m, d).ok_or_else(bad)
}

/// The length of an AI's value when it is fixed (a variable one is ended by
/// FNC1 or GS when another follows).
pub(crate) fn fixed(ai: &str) -> Option<usize> {
    match ai {
        "01" | "02" => Some(14),
        "11" | "13" | "15" | "17" => Some(6),
        _ => None,
    }
}

const VARIABLE: [&str; 3] = ["10", "21", "240"];
const MAX_VARIABLE: usize = 30;

#[derive(Default)]
struct Fields {
    gtin: Option<String>,
    sku: Option<String>,
    lot: Option<String>,
    expires: Option<NaiveDate>,
}

impl Fields {
    fn put(&mut self, ai: &str, value: &str) -> Result<(), String> {
        if value.is_empty() || value.chars().count() > MAX_VARIABLE || value.chars().any(|c| c.is_control()) {
            return Err(format!("the code's ({ai}) is empty, too long or not printable"));
        }
        match ai {
            "01" => {
                if value.len() != 14 || !value.bytes().all(|b| b.is_ascii_digit()) || !check_digit_ok(value) {
                    return Err(format!("'{value}' is not a GTIN: its check digit does not match"));
                }
                self.gtin = Some(value.to_string());
            }
            "240" => self.sku = Some(value.to_string()),
            "10" => self.lot = Some(value.to_string()),
            "17" => self.expires = Some(date(value)?),
            "11" | "13" | "15" => {
                date(value)?;
            }
            _ => {}
        }
        Ok(())
    }

    fn scan(self) -> Result<Scan, String> {
        let item = match (self.gtin, self.sku) {
            (Some(g), _) => Item::Gtin(g),
            (None, Some(s)) => Item::Sku(s),
            (None, None) => return Err("the code names no product: it has no (01) GTIN or (240) item number".into()),
        };
        Ok(Scan { item, lot: self.lot, expires: self.expires })
    }
}

/// The element string after any symbology prefix: AIs back to back,
/// variable fields ended by GS.
fn element_string(s: &str) -> Result<Scan, String> {
    let mut f = Fields::default();
    let mut rest = s.trim_start_matches(GS);
    while !rest.is_empty() {
        let ai = ["240", "01", "02", "10", "11", "13", "15", "17", "21"].into_iter().find(|ai| rest.starts_with(ai)).ok_or_else(|| {
            format!("the code has an application identifier this app does not read at '{}'", rest.chars().take(4).collect::<String>())
        })?;
        rest = &rest[ai.len()..];
        let (value, next) = match fixed(ai) {
            Some(n) => {
                let cut = rest.char_indices().nth(n).map_or(rest.len(), |(i, _)| i);
                let (v, r) = rest.split_at(cut);
                if v.chars().count() != n {
                    return Err(format!("the code's ({ai}) is shorter than its {n} digits"));
                }
                (v, r)
            }
            None => match rest.find(GS) {
                Some(i) => (&rest[..i], &rest[i..]),
                None => (rest, ""),
            },
        };
        f.put(ai, value)?;
        rest = next.trim_start_matches(GS);
    }
    f.scan()
}

/// `(01)…(10)…(17)…` as printed under a barcode.
fn printed(s: &str) -> Result<Scan, String> {
    let mut f = Fields::default();
    let mut rest = s;
    while let Some(r) = rest.strip_prefix('(') {
        let (ai, r) = r.split_once(')').ok_or_else(|| "a '(' in the code is not closed".to_string())?;
        let end = r.find('(').unwrap_or(r.len());
        let value = &r[..end];
        if fixed(ai).is_some_and(|n| value.len() != n) {
            return Err(format!("the code's ({ai}) '{value}' is not {} characters", fixed(ai).unwrap_or(0)));
        }
        if fixed(ai).is_none() && !VARIABLE.contains(&ai) {
            return Err(format!("the code has an application identifier ({ai}) this app does not read"));
        }
        f.put(ai, value)?;
        rest = &r[end..];
    }
    if !rest.is_empty() {
        return Err(format!("the code has '{rest}' after its last field"));
    }
    f.scan()
}

/// A GS1 Digital Link: path pairs `/AI/value` after the host, `?17=…` too.
fn digital_link(s: &str) -> Result<Scan, String> {
    let after_scheme = s.split_once("://").map_or(s, |(_, r)| r);
    let (path, query) = after_scheme.split_once('?').unwrap_or((after_scheme, ""));
    let parts: Vec<&str> = path.split('/').skip(1).collect();
    let start = parts.iter().position(|p| *p == "01" || *p == "240").ok_or_else(|| "the link names no product (01)".to_string())?;
    let mut f = Fields::default();
    for pair in parts[start..].chunks(2) {
        let [ai, value] = pair else { return Err("the link ends with an identifier that has no value".into()) };
        f.put(ai, &percent_decode(value))?;
    }
    for kv in query.split('&').filter(|kv| !kv.is_empty()) {
        if let Some((ai, value)) = kv.split_once('=') {
            if ai.bytes().all(|b| b.is_ascii_digit()) {
                f.put(ai, &percent_decode(value))?;
            }
        }
    }
    f.scan()
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            if let Ok(v) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// What was scanned or typed: `None` when it is not a GS1 code at all (a
/// plain barcode or SKU, read as before); otherwise the code, or a sentence
/// saying what is wrong with it.
pub fn parse(input: &str) -> Option<Result<Scan, String>> {
    let s = input.trim();
    if s.starts_with('(') {
        return Some(printed(s));
    }
    for prefix in ["]C1", "]e0", "]d2", "]Q3", "]J1"] {
        if let Some(rest) = s.strip_prefix(prefix) {
            return Some(element_string(rest));
        }
    }
    let lower = s.to_ascii_lowercase();
    if (lower.starts_with("https://") || lower.starts_with("http://")) && (s.contains("/01/") || s.contains("/240/")) {
        return Some(digital_link(s));
    }
    // Raw, with no prefix: a scanner set to send none. Only a string that is
    // plainly GS1 (an (01) GTIN then more), never a plain barcode.
    if s.len() > 16 && s.starts_with("01") && s[..16].bytes().all(|b| b.is_ascii_digit()) {
        return Some(element_string(s));
    }
    None
}

/// The GS1 element string a label's barcode carries: (01) the GTIN when the
/// product has one, else (240) its SKU; (17) expiry; (10) lot last, as it
/// is variable. In the printed form `(01)…(17)…(10)…`.
pub fn printed_code(gtin: Option<&str>, sku: &str, lot: Option<&str>, expires: Option<NaiveDate>) -> String {
    let mut s = match gtin.and_then(valid_gtin14) {
        Some(g) => format!("(01){g}"),
        None => format!("(240){sku}"),
    };
    if let Some(d) = expires {
        s.push_str(&format!("(17){}", d.format("%y%m%d")));
    }
    if let Some(l) = lot {
        s.push_str(&format!("(10){l}"));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn day(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, d)
    }

    #[test]
    fn every_form_a_scanner_sends_reads_the_same() {
        let want = Scan { item: Item::Gtin("00860001010015".into()), lot: Some("L-7".into()), expires: day(2027, 12, 31) };
        for s in [
            "(01)00860001010015(10)L-7(17)271231",
            "(01)00860001010015(17)271231(10)L-7",
            "]C10100860001010015\u{1d}10L-7\u{1d}17271231",
            "]C1010086000101001517271231\u{1d}10L-7",
            "]C101008600010100151727123110L-7",
            "01008600010100151727123110L-7",
            "https://id.wildroot.example/01/00860001010015/10/L-7?17=271231",
            "https://id.wildroot.example/01/00860001010015/10/L%2D7?17=271231",
        ] {
            assert_eq!(parse(s), Some(Ok(want.clone())), "{s:?}");
        }
        // Day 00 is the month's last day.
        assert_eq!(parse("(01)00860001010015(17)270200").and_then(|r| r.ok()).and_then(|s| s.expires), day(2027, 2, 28));
        // A SKU for a product with no GTIN.
        let sku = parse("(240)SALVE-LAV(10)B12").and_then(|r| r.ok());
        assert_eq!(sku.map(|s| (s.item, s.lot)), Some((Item::Sku("SALVE-LAV".into()), Some("B12".into()))));
    }

    #[test]
    fn what_is_not_gs1_is_left_alone_and_a_bad_code_says_why() {
        for plain in ["086000101007", "0860001010010", "SALVE-LAV", "lavender", "https://example.com/shop"] {
            assert_eq!(parse(plain), None, "{plain}");
        }
        for (bad, says) in [
            ("(01)00860001010010(10)L", "check digit"),
            ("(01)0086000101001", "is not 14"),
            ("(01)00860001010015(17)271340", "not a date"),
            ("(99)x", "does not read"),
            ("(10)L-7", "names no product"),
            ("(01)00860001010015(10", "not closed"),
        ] {
            let err = parse(bad).and_then(|r| r.err()).unwrap_or_default();
            assert!(err.contains(says), "{bad}: {err}");
        }
    }

    #[test]
    fn gtins_compare_as_fourteen_digits() {
        assert_eq!(gtin14("086000101007").as_deref(), Some("00086000101007"));
        assert_eq!(gtin14("0860001010010").as_deref(), Some("00860001010010"));
        assert_eq!(gtin14("SALVE"), None);
        // A barcode whose check digit is wrong is no GTIN: the label carries the SKU.
        assert_eq!(valid_gtin14("086000101001"), None);
        assert!(printed_code(Some("086000101001"), "SALVE", Some("L1"), None).starts_with("(240)SALVE"));
        assert!(check_digit_ok("00860001010015") && !check_digit_ok("00860001010010"));
    }

    proptest! {
        /// What a label prints, a scanner reads back: product, lot and expiry.
        #[test]
        fn a_label_s_code_reads_back(body in "[0-9]{12}", lot in "[A-Z0-9-]{1,20}", days in 0u32..3650, sku in "[A-Z][A-Z0-9-]{0,15}") {
            let digits: Vec<u32> = body.chars().filter_map(|c| c.to_digit(10)).collect();
            let sum: u32 = digits.iter().rev().enumerate().map(|(i, v)| if i % 2 == 0 { v * 3 } else { *v }).sum();
            let gtin13 = format!("{body}{}", (10 - sum % 10) % 10);
            let expires = NaiveDate::from_ymd_opt(2026, 1, 1).and_then(|d| d.checked_add_days(chrono::Days::new(u64::from(days))));
            let code = printed_code(Some(&gtin13), &sku, Some(&lot), expires);
            let want = Scan { item: Item::Gtin(format!("0{gtin13}")), lot: Some(lot.clone()), expires };
            prop_assert_eq!(parse(&code), Some(Ok(want.clone())));
            // The raw form a scanner sends for the same label.
            let raw = format!("]C1010{gtin13}17{}10{}", expires.map(|d| d.format("%y%m%d").to_string()).unwrap_or_default(), lot);
            prop_assert_eq!(parse(&raw), Some(Ok(want)));
            let by_sku = printed_code(None, &sku, Some(&lot), None);
            prop_assert_eq!(parse(&by_sku), Some(Ok(Scan { item: Item::Sku(sku), lot: Some(lot), expires: None })));
        }
    }
}
