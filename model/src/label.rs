//! A jar's label (#25), from its recipe and lot: what US rules ask of a
//! small cosmetic maker (FPLA/FDA: identity, net quantity in metric and US
//! units, name and place of business, ingredients in descending order of
//! predominance by weight by their INCI names, warnings) and what the EU
//! asks (batch number, best-before), and a GS1-128 barcode carrying the
//! product, lot and expiry, so scanning the jar sells from that lot.
//!
//! PDF sheets for common label stock (by name: `rect`, `square`, `round`)
//! and a single label for a label printer (`single`).
use crate::gs1;
use crate::quantity::Unit;
use crate::receipt::wrap;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Label {
    /// The identity: the label name, else the product's name.
    pub name: String,
    pub sku: String,
    pub gtin: Option<String>,
    /// "Net wt 1.97 oz (56 g)", when the product's net content is set.
    pub net: Option<String>,
    /// By weight, heaviest first.
    pub ingredients: Vec<LabelIngredient>,
    pub warnings: Option<String>,
    pub business_name: String,
    pub business_address: Option<String>,
    pub lot_code: String,
    pub best_before: Option<NaiveDate>,
    /// The barcode's element string, printed under it: `(01)…(17)…(10)…`.
    pub code: String,
    /// What the preview must say: a density taken as 1 g/ml, no net content…
    pub notes: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LabelIngredient {
    /// The INCI name, else the supply's name.
    pub name: String,
    /// In the batch, in milligrams (volumes by their density).
    pub weight_mg: i64,
    /// Its share of the batch's weight, in basis points.
    pub share_bp: i64,
}

/// Grams in a US avoirdupois ounce, ×10⁹ (28.349523125 g).
const OZ_NANOGRAMS_PER_G: i128 = 28_349_523_125;
/// Millilitres in a US fluid ounce, ×10¹⁰ (29.5735295625 ml).
const FLOZ_PER_ML_E10: i128 = 295_735_295_625;

/// Hundredths, written without trailing zeros: 197 → "1.97", 100 → "1".
fn hundredths(h: i64) -> String {
    let s = format!("{}.{:02}", h / 100, h % 100);
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// The net quantity as a US label states it: US units first, metric in
/// brackets. Rounded down to the hundredth, so it never claims more than
/// is in the jar.
pub fn net_text(qty: i64, unit: Unit) -> Option<String> {
    let q = i128::from(qty);
    match unit {
        Unit::G => Some(format!("Net wt {} oz ({qty} g)", hundredths((q * 100 * 1_000_000_000 / OZ_NANOGRAMS_PER_G) as i64))),
        Unit::Ml => Some(format!("Net {} fl oz ({qty} mL)", hundredths((q * 100 * 10_000_000_000 / FLOZ_PER_ML_E10) as i64))),
        Unit::Each => None,
    }
}

/// Label stock, by name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Stock {
    /// 4 × 2 in rectangles, 2 across and 5 down a US Letter sheet.
    Rect,
    /// 2 × 2 in squares, 3 across and 4 down.
    Square,
    /// 2.5 in circles, 3 across and 4 down.
    Round,
    /// One 4 × 2 in label a page, for a label printer.
    Single,
}

struct Sheet {
    page: (f32, f32),
    label: (f32, f32),
    across: usize,
    down: usize,
    /// Top-left of the first label, from the page's top-left.
    origin: (f32, f32),
    gap: (f32, f32),
    round: bool,
}

impl Stock {
    pub const NAMES: [&'static str; 4] = ["rect", "square", "round", "single"];

    pub fn parse(input: &str) -> Result<Stock, String> {
        match input.trim().to_ascii_lowercase().as_str() {
            "rect" | "rectangle" => Ok(Stock::Rect),
            "square" => Ok(Stock::Square),
            "round" | "circle" => Ok(Stock::Round),
            "single" => Ok(Stock::Single),
            other => Err(format!("'{other}' is not a label stock: give {}", Stock::NAMES.join(", "))),
        }
    }

    fn sheet(self) -> Sheet {
        let letter = (612.0, 792.0);
        match self {
            Stock::Rect => {
                Sheet { page: letter, label: (288.0, 144.0), across: 2, down: 5, origin: (11.0, 36.0), gap: (14.0, 0.0), round: false }
            }
            Stock::Square => {
                Sheet { page: letter, label: (144.0, 144.0), across: 3, down: 4, origin: (54.0, 54.0), gap: (45.0, 36.0), round: false }
            }
            Stock::Round => {
                Sheet { page: letter, label: (180.0, 180.0), across: 3, down: 4, origin: (18.0, 18.0), gap: (18.0, 9.0), round: true }
            }
            Stock::Single => {
                Sheet { page: (288.0, 144.0), label: (288.0, 144.0), across: 1, down: 1, origin: (0.0, 0.0), gap: (0.0, 0.0), round: false }
            }
        }
    }

    /// Labels on one page.
    pub fn per_page(self) -> usize {
        let s = self.sheet();
        s.across * s.down
    }
}

/// Code 128's symbols: bar and space widths in modules, values 0–106
/// (103–105 the starts, 106 the stop), as the symbology defines them.
const CODE128: [&str; 107] = [
    "212222", "222122", "222221", "121223", "121322", "131222", "122213", "122312", "132212", "221213", "221312", "231212", "112232",
    "122132", "122231", "113222", "123122", "123221", "223211", "221132", "221231", "213212", "223112", "312131", "311222", "321122",
    "321221", "312212", "322112", "322211", "212123", "212321", "232121", "111323", "131123", "131321", "112313", "132113", "132311",
    "211313", "231113", "231311", "112133", "112331", "132131", "113123", "113321", "133121", "313121", "211331", "231131", "213113",
    "213311", "213131", "311123", "311321", "331121", "312113", "312311", "332111", "314111", "221411", "431111", "111224", "111422",
    "121124", "121421", "141122", "141221", "112214", "112412", "122114", "122411", "142112", "142211", "241211", "221114", "413111",
    "241112", "134111", "111242", "121142", "121241", "114212", "124112", "124211", "411212", "421112", "421211", "212141", "214121",
    "412121", "111143", "111341", "131141", "114113", "114311", "411113", "411311", "113141", "114131", "311141", "411131", "211412",
    "211214", "211232", "2331112",
];
const FNC1: usize = 102;
const START_B: usize = 104;
const START_C: usize = 105;
const TO_B: usize = 100;
const TO_C: usize = 99;
const STOP: usize = 106;

/// A GS1 element string in its printed form, `(01)…(10)…`, as GS1-128:
/// FNC1 first, the AIs and values, FNC1 after a variable field that is not
/// last; digits in pairs (set C), anything else in set B. The symbol values
/// with the check symbol and stop.
pub fn gs1_128(printed: &str) -> Result<Vec<usize>, String> {
    // The data as symbols to encode: `None` is FNC1.
    let mut data: Vec<Option<char>> = vec![None];
    let mut rest = printed;
    while let Some(r) = rest.strip_prefix('(') {
        let (ai, r) = r.split_once(')').ok_or("a '(' in the code is not closed")?;
        let end = r.find('(').unwrap_or(r.len());
        data.extend(ai.chars().chain(r[..end].chars()).map(Some));
        rest = &r[end..];
        if gs1::fixed(ai).is_none() && !rest.is_empty() {
            data.push(None);
        }
    }
    if !rest.is_empty() || data.len() < 2 {
        return Err(format!("'{printed}' is not a GS1 element string"));
    }
    if let Some(c) = data.iter().flatten().find(|c| !(' '..='~').contains(*c)) {
        return Err(format!("'{c}' cannot be in a barcode: use letters, digits and - . / only"));
    }
    let digits_at = |i: usize| data[i..].iter().take_while(|c| c.is_some_and(|c| c.is_ascii_digit())).count();
    let mut out = Vec::new();
    let mut set_c = digits_at(1) >= 2;
    out.push(if set_c { START_C } else { START_B });
    let mut i = 0;
    while i < data.len() {
        match data[i] {
            None => {
                out.push(FNC1);
                i += 1;
            }
            Some(_) if set_c => {
                if digits_at(i) >= 2 {
                    let pair: String = data[i..i + 2].iter().flatten().collect();
                    out.push(pair.parse::<usize>().map_err(|e| e.to_string())?);
                    i += 2;
                } else {
                    out.push(TO_B);
                    set_c = false;
                }
            }
            Some(c) => {
                // Four digits or more (an even run) are shorter in pairs.
                let run = digits_at(i);
                if run >= 4 && run % 2 == 0 {
                    out.push(TO_C);
                    set_c = true;
                } else {
                    out.push(c as usize - 32);
                    i += 1;
                }
            }
        }
    }
    let check = out.iter().enumerate().map(|(k, v)| if k == 0 { *v } else { k * v }).sum::<usize>() % 103;
    out.push(check);
    out.push(STOP);
    Ok(out)
}

/// The bars of a label's code: (offset, width) in modules, and the code's
/// width in modules, for a screen to draw what the PDF draws.
pub fn barcode(printed: &str) -> Result<(Vec<(u32, u32)>, u32), String> {
    let symbols = gs1_128(printed)?;
    let width = symbols.iter().map(|v| CODE128[*v].bytes().map(|b| u32::from(b - b'0')).sum::<u32>()).sum();
    Ok((bars(&symbols), width))
}

/// The bars of `symbols`: (offset, width) in modules, from the first bar.
fn bars(symbols: &[usize]) -> Vec<(u32, u32)> {
    let mut out = Vec::new();
    let mut x = 0u32;
    for s in symbols {
        for (k, w) in CODE128[*s].bytes().map(|b| u32::from(b - b'0')).enumerate() {
            if k % 2 == 0 {
                out.push((x, w));
            }
            x += w;
        }
    }
    out
}

/// The lines of a label's text, as (size, bold, text), to fit `width` points.
fn lines(l: &Label, width: f32) -> Vec<(f32, bool, String)> {
    // Courier is 0.6 em a character.
    let cols = |size: f32| ((width / (size * 0.6)) as usize).max(8);
    let mut out = Vec::new();
    for t in wrap(&l.name, cols(9.0)) {
        out.push((9.0, true, t));
    }
    let small = 5.0;
    if let Some(n) = &l.net {
        out.push((6.0, true, n.clone()));
    }
    if !l.ingredients.is_empty() {
        let list: Vec<&str> = l.ingredients.iter().map(|i| i.name.as_str()).collect();
        for t in wrap(&format!("Ingredients: {}.", list.join(", ")), cols(small)) {
            out.push((small, false, t));
        }
    }
    if let Some(w) = &l.warnings {
        for t in wrap(&format!("Warning: {w}"), cols(small)) {
            out.push((small, false, t));
        }
    }
    let place = match &l.business_address {
        Some(a) => format!("Made by {}, {a}", l.business_name),
        None => format!("Made by {}", l.business_name),
    };
    for t in wrap(&place, cols(small)) {
        out.push((small, false, t));
    }
    let mut batch = format!("Lot {}", l.lot_code);
    if let Some(d) = l.best_before {
        batch.push_str(&format!("  Best before {d}"));
    }
    out.push((6.0, true, batch));
    out
}

/// One label drawn in the box at (`x`, `y`) (bottom-left), `w` × `h` points.
fn draw(l: &Label, x: f32, y: f32, w: f32, h: f32, symbols: &[usize]) -> String {
    let pad = 6.0;
    let mut s = String::new();
    // The barcode at the bottom: modules as wide as the box allows (at most
    // 1 pt, at least 0.5 pt), 10 modules of quiet zone each side.
    let modules: u32 = symbols.iter().map(|v| CODE128[*v].bytes().map(|b| u32::from(b - b'0')).sum::<u32>()).sum::<u32>() + 20;
    let module = ((w - 2.0 * pad) / modules as f32).clamp(0.5, 1.0);
    let bar_h = (h * 0.22).clamp(18.0, 36.0);
    let code_w = modules as f32 * module;
    let bx = x + (w - code_w) / 2.0 + 10.0 * module;
    let by = y + pad + 7.0;
    for (off, width) in bars(symbols) {
        s.push_str(&format!("{:.3} {by:.2} {:.3} {bar_h:.2} re f\n", bx + off as f32 * module, width as f32 * module));
    }
    s.push_str(&crate::pdf::text(x + (w - l.code.chars().count() as f32 * 3.0) / 2.0, y + pad, 5.0, false, &l.code));
    // The text from the top down.
    let mut ty = y + h - pad;
    for (size, bold, t) in lines(l, w - 2.0 * pad) {
        ty -= size + 1.5;
        if ty < by + bar_h + 2.0 {
            break; // the stock is too small for the rest: the preview says so
        }
        s.push_str(&crate::pdf::text(x + pad, ty, size, bold, &t));
    }
    s
}

/// Whether every line of the label fits `stock` above its barcode.
pub fn fits(l: &Label, stock: Stock) -> bool {
    let sheet = stock.sheet();
    let (w, h) = inner(&sheet);
    let text: f32 = lines(l, w - 12.0).iter().map(|(size, _, _)| size + 1.5).sum();
    text + 6.0 + 7.0 + (h * 0.22).clamp(18.0, 36.0) + 2.0 + 6.0 <= h
}

/// The box text and code are drawn in: a round label's inscribed square.
fn inner(sheet: &Sheet) -> (f32, f32) {
    if sheet.round {
        let side = sheet.label.0 / std::f32::consts::SQRT_2;
        (side, side)
    } else {
        sheet.label
    }
}

/// `count` labels on `stock`, as a PDF of as many sheets as they take.
pub fn pdf(l: &Label, stock: Stock, count: usize) -> Result<Vec<u8>, String> {
    let symbols = gs1_128(&l.code)?;
    let sheet = stock.sheet();
    let (w, h) = inner(&sheet);
    let per_page = stock.per_page();
    let mut pages = Vec::new();
    for first in (0..count.max(1)).step_by(per_page) {
        let mut content = String::new();
        for k in 0..per_page.min(count.max(1) - first) {
            let (col, row) = (k % sheet.across, k / sheet.across);
            let left = sheet.origin.0 + col as f32 * (sheet.label.0 + sheet.gap.0);
            let top = sheet.page.1 - sheet.origin.1 - row as f32 * (sheet.label.1 + sheet.gap.1);
            let (x, y) = (left + (sheet.label.0 - w) / 2.0, top - sheet.label.1 + (sheet.label.1 - h) / 2.0);
            content.push_str(&draw(l, x, y, w, h, &symbols));
        }
        pages.push(content);
    }
    Ok(crate::pdf::document(sheet.page.0, sheet.page.1, &pages))
}

/// The element string for a product's label (`gs1::printed_code`).
pub fn code(gtin: Option<&str>, sku: &str, lot: &str, best_before: Option<NaiveDate>) -> String {
    gs1::printed_code(gtin, sku, Some(lot), best_before)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_symbol_table_is_code_128_s() {
        for (v, p) in CODE128.iter().enumerate() {
            let sum: u32 = p.bytes().map(|b| u32::from(b - b'0')).sum();
            assert_eq!(sum, if v == STOP { 13 } else { 11 }, "symbol {v}");
        }
        let mut all = CODE128.to_vec();
        all.sort_unstable();
        all.dedup();
        assert_eq!(all.len(), 107, "every symbol is its own pattern");
    }

    #[test]
    fn a_gs1_code_starts_in_pairs_with_fnc1_and_checks() {
        // Start C, FNC1, then the digits in pairs.
        let s = gs1_128("(01)00860001010015(17)270901(10)LATE").unwrap_or_default();
        assert_eq!(&s[..3], &[START_C, FNC1, 1]);
        assert_eq!(s[s.len() - 1], STOP);
        let body = &s[..s.len() - 2];
        let check = body.iter().enumerate().map(|(k, v)| if k == 0 { *v } else { k * v }).sum::<usize>() % 103;
        assert_eq!(s[s.len() - 2], check);
        // A variable field before another is ended by FNC1.
        let sku = gs1_128("(240)SALVE(17)270901(10)L1").unwrap_or_default();
        assert_eq!(sku.iter().filter(|v| **v == FNC1).count(), 2, "first, and after the SKU: {sku:?}");
        assert!(gs1_128("(10)Crème").is_err());
    }

    #[test]
    fn net_quantity_is_stated_in_us_and_metric_units_never_overstated() {
        assert_eq!(net_text(56, Unit::G).as_deref(), Some("Net wt 1.97 oz (56 g)"));
        assert_eq!(net_text(30, Unit::Ml).as_deref(), Some("Net 1.01 fl oz (30 mL)"));
        assert_eq!(net_text(454, Unit::G).as_deref(), Some("Net wt 16.01 oz (454 g)"));
        assert_eq!(net_text(28, Unit::G).as_deref(), Some("Net wt 0.98 oz (28 g)"));
        assert_eq!(net_text(3, Unit::Each), None);
    }

    proptest! {
        /// The check symbol makes the weighted sum a multiple of 103, and
        /// the bars alternate: every code drawn is one a scanner can read.
        #[test]
        fn every_code_is_well_formed(lot in "[A-Z0-9-]{1,20}", sku in "[A-Z][A-Z0-9-]{0,12}", gtin in proptest::option::of("[0-9]{12}")) {
            let gtin = gtin.map(|b| {
                let d: Vec<u32> = b.chars().filter_map(|c| c.to_digit(10)).collect();
                let sum: u32 = d.iter().rev().enumerate().map(|(i, v)| if i % 2 == 0 { v * 3 } else { *v }).sum();
                format!("{b}{}", (10 - sum % 10) % 10)
            });
            let printed = code(gtin.as_deref(), &sku, &lot, NaiveDate::from_ymd_opt(2028, 2, 29));
            let s = gs1_128(&printed).map_err(TestCaseError::fail)?;
            let body = &s[..s.len() - 2];
            let sum = body.iter().enumerate().map(|(k, v)| if k == 0 { *v } else { k * v }).sum::<usize>();
            prop_assert_eq!((sum + 103 - s[s.len() - 2]) % 103, 0);
            prop_assert!(s.iter().all(|v| *v <= STOP));
            prop_assert_eq!(gs1::parse(&printed).and_then(|r| r.ok()).and_then(|x| x.lot), Some(lot));
        }
    }
}
