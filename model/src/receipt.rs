//! A receipt as the customer gets it, and its formats: plain text, HTML
//! (screen and the system print dialog), PDF (to share or print) and
//! ESC/POS (58 and 80 mm thermal printers).
//!
//! Every format is drawn from one layout (`layout`): the same rows, in the
//! same order, with the same figures, so a printed and a mailed receipt
//! never disagree. The figures are the sale's as recorded: its lines, its
//! tax per place and rate as it was taxed when sold, what each tender
//! handed over, the change and the tip. Times are UTC, said so.
use crate::money::{percent, Money};
use crate::SaleId;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Receipt {
    pub sale_id: SaleId,
    pub receipt_no: String,
    pub at_ms: i64,
    pub business_name: String,
    pub business_address: Option<String>,
    /// The market day's name and where it was.
    pub market: Option<String>,
    pub lines: Vec<ReceiptLine>,
    /// Before any discount.
    pub subtotal_cents: i64,
    pub discount_cents: i64,
    /// Tax per place and rate, as the sale was taxed.
    pub taxes: Vec<ReceiptTax>,
    /// Shelf prices included the tax.
    pub tax_inclusive: bool,
    pub total_cents: i64,
    /// What each tender handed over, in order, a tip included with its
    /// tender: handed − change = total + tip.
    pub payments: Vec<ReceiptPayment>,
    pub change_cents: i64,
    pub tip_cents: i64,
    /// The tender the tip came in.
    pub tip_tender: Option<String>,
    /// Refunds made of this sale since.
    pub refunds: Vec<ReceiptRefund>,
    pub voided: bool,
    pub customer: Option<String>,
    /// The shop's refund policy, as the owner wrote it.
    pub policy: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReceiptLine {
    pub name: String,
    pub qty: i64,
    pub unit_price_cents: i64,
    /// qty × unit price.
    pub gross_cents: i64,
    /// The line's discount and its share of the sale's.
    pub discount_cents: i64,
    pub tax_bp: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReceiptTax {
    pub place: String,
    pub rate_bp: i64,
    /// What the rate was applied to (without tax).
    pub on_cents: i64,
    pub tax_cents: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReceiptPayment {
    /// The tender as a person reads it: "Cash", "Card", "SNAP".
    pub name: String,
    /// What was handed over (change comes back out of cash).
    pub tendered_cents: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReceiptRefund {
    pub at_ms: i64,
    pub total_cents: i64,
    pub tender: String,
}

/// The paper a thermal printer takes: its width in characters of its
/// standard font (font A: 32 on 58 mm, 48 on 80 mm).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Paper {
    Mm58,
    Mm80,
}

impl Paper {
    pub fn parse(input: &str) -> Result<Paper, String> {
        match input.trim().trim_end_matches("mm") {
            "58" => Ok(Paper::Mm58),
            "80" => Ok(Paper::Mm80),
            other => Err(format!("'{other}' is not a receipt paper width: give 58 or 80 (mm)")),
        }
    }

    pub fn columns(self) -> usize {
        match self {
            Paper::Mm58 => 32,
            Paper::Mm80 => 48,
        }
    }

    pub fn mm(self) -> u32 {
        match self {
            Paper::Mm58 => 58,
            Paper::Mm80 => 80,
        }
    }
}

/// A device's receipt printer as a settings screen shows and saves it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrinterView {
    /// "tcp" (a network printer's HOST:PORT), "device" (a device file's path) or none.
    pub kind: Option<String>,
    pub address: Option<String>,
    pub width_mm: u32,
    /// Print a receipt after each sale on this device.
    pub auto_print: bool,
}

/// One row of the layout.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Row {
    /// Centred; `strong` is bold.
    Centre {
        text: String,
        strong: bool,
    },
    /// A label on the left and a figure on the right; `big` is the total.
    Pair {
        left: String,
        right: String,
        big: bool,
    },
    Text(String),
    Rule,
    /// The receipt number as a barcode (ESC/POS) or in words (elsewhere).
    Code(String),
}

/// `YYYY-MM-DD HH:MM UTC`.
pub fn utc(at_ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(at_ms).map(|d| d.format("%Y-%m-%d %H:%M UTC").to_string()).unwrap_or_default()
}

/// `text` in lines of at most `cols` characters, by words; a word longer
/// than a line is cut. Receipts and labels wrap alike.
pub(crate) fn wrap(text: &str, cols: usize) -> Vec<String> {
    let mut out = Vec::new();
    for para in text.lines() {
        let mut line = String::new();
        for word in para.split_whitespace() {
            let mut word = word.to_string();
            while word.chars().count() > cols {
                if !line.is_empty() {
                    out.push(std::mem::take(&mut line));
                }
                let head: String = word.chars().take(cols).collect();
                word = word.chars().skip(cols).collect();
                out.push(head);
            }
            if line.is_empty() {
                line = word;
            } else if line.chars().count() + 1 + word.chars().count() <= cols {
                line.push(' ');
                line.push_str(&word);
            } else {
                out.push(std::mem::replace(&mut line, word));
            }
        }
        if !line.is_empty() {
            out.push(line);
        }
    }
    out
}

/// The receipt's rows, for `cols` characters a line.
pub fn layout(r: &Receipt, cols: usize) -> Vec<Row> {
    let money = |c: i64| Money(c).to_string();
    let centre = |rows: &mut Vec<Row>, text: &str, strong: bool| {
        for l in wrap(text, cols) {
            rows.push(Row::Centre { text: l, strong });
        }
    };
    let mut rows = Vec::new();
    centre(&mut rows, &r.business_name, true);
    if let Some(a) = &r.business_address {
        centre(&mut rows, a, false);
    }
    if let Some(m) = &r.market {
        centre(&mut rows, m, false);
    }
    centre(&mut rows, &utc(r.at_ms), false);
    centre(&mut rows, &format!("Receipt {}", r.receipt_no), true);
    if r.voided {
        centre(&mut rows, "VOIDED", true);
    }
    rows.push(Row::Rule);
    for l in &r.lines {
        for t in wrap(&l.name, cols) {
            rows.push(Row::Text(t));
        }
        rows.push(Row::Pair { left: format!("  {} x {}", l.qty, money(l.unit_price_cents)), right: money(l.gross_cents), big: false });
        if l.discount_cents != 0 {
            rows.push(Row::Pair { left: "  Discount".into(), right: money(-l.discount_cents), big: false });
        }
    }
    rows.push(Row::Rule);
    rows.push(Row::Pair { left: "Subtotal".into(), right: money(r.subtotal_cents), big: false });
    if r.discount_cents != 0 {
        rows.push(Row::Pair { left: "Discounts".into(), right: money(-r.discount_cents), big: false });
    }
    for t in &r.taxes {
        let what = if r.tax_inclusive { "incl. tax" } else { "Tax" };
        let (rate, on, tax) = (format!("{what} {} {}", percent(t.rate_bp), t.place), money(t.on_cents), money(t.tax_cents));
        if rate.chars().count() + on.chars().count() + tax.chars().count() + 5 <= cols {
            rows.push(Row::Pair { left: format!("{rate} on {on}"), right: tax, big: false });
        } else {
            // Narrow paper: the rate and place on a line, what it was on below.
            rows.push(Row::Text(rate));
            rows.push(Row::Pair { left: format!("  on {on}"), right: tax, big: false });
        }
    }
    rows.push(Row::Pair { left: "TOTAL".into(), right: money(r.total_cents), big: true });
    for p in &r.payments {
        rows.push(Row::Pair { left: p.name.clone(), right: money(p.tendered_cents), big: false });
    }
    if r.change_cents != 0 {
        rows.push(Row::Pair { left: "Change".into(), right: money(r.change_cents), big: false });
    }
    if r.tip_cents != 0 {
        let left = match &r.tip_tender {
            Some(t) => format!("Tip ({t}), thank you"),
            None => "Tip, thank you".into(),
        };
        rows.push(Row::Pair { left, right: money(r.tip_cents), big: false });
    }
    for f in &r.refunds {
        rows.push(Row::Pair { left: format!("Refunded {} ({})", &utc(f.at_ms)[..10], f.tender), right: money(-f.total_cents), big: false });
    }
    if let Some(c) = &r.customer {
        rows.push(Row::Text(format!("Customer: {c}")));
    }
    if let Some(p) = r.policy.as_deref().filter(|p| !p.trim().is_empty()) {
        rows.push(Row::Rule);
        for l in wrap(p, cols) {
            rows.push(Row::Text(l));
        }
    }
    rows.push(Row::Code(r.receipt_no.clone()));
    rows
}

fn pair(left: &str, right: &str, cols: usize) -> String {
    let (l, r) = (left.chars().count(), right.chars().count());
    if l + 1 + r <= cols {
        format!("{left}{}{right}", " ".repeat(cols - l - r))
    } else {
        // Too long for one line: the label is cut, the figure never.
        let keep = cols.saturating_sub(r + 1);
        let cut: String = left.chars().take(keep).collect();
        format!("{cut} {right}")
    }
}

fn centred(text: &str, cols: usize) -> String {
    let n = text.chars().count();
    format!("{}{text}", " ".repeat(cols.saturating_sub(n) / 2))
}

/// The receipt as plain text, `cols` wide (what the PDF shows, too).
pub fn text(r: &Receipt, cols: usize) -> String {
    let mut out = String::new();
    for row in layout(r, cols) {
        let line = match row {
            Row::Centre { text, .. } => centred(&text, cols),
            Row::Pair { left, right, .. } => pair(&left, &right, cols),
            Row::Text(t) => t,
            Row::Rule => "-".repeat(cols),
            Row::Code(no) => centred(&format!("[{no}]"), cols),
        };
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The receipt as a page of its own, for the screen and the print dialog.
pub fn html(r: &Receipt) -> String {
    let mut body = String::new();
    for row in layout(r, 40) {
        let line = match row {
            Row::Centre { text, strong: true } => format!("<p class=\"c\"><strong>{}</strong></p>", escape(&text)),
            Row::Centre { text, strong: false } => format!("<p class=\"c\">{}</p>", escape(&text)),
            Row::Pair { left, right, big } => format!(
                "<p class=\"pair{}\"><span>{}</span><span>{}</span></p>",
                if big { " big" } else { "" },
                escape(&left),
                escape(&right)
            ),
            Row::Text(t) => format!("<p>{}</p>", escape(&t)),
            Row::Rule => "<hr>".into(),
            Row::Code(no) => format!("<p class=\"c code\">{}</p>", escape(&no)),
        };
        body.push_str(&line);
        body.push('\n');
    }
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Receipt {}</title>\n<style>\
body{{font:14px/1.4 ui-monospace,Menlo,Consolas,monospace;color:#111;background:#fff;margin:0}}\
main{{max-width:24rem;margin:1rem auto;padding:1rem}}p{{margin:.1rem 0}}.c{{text-align:center}}\
.pair{{display:flex;justify-content:space-between;gap:1rem}}.big{{font-size:1.4em;font-weight:bold}}\
hr{{border:0;border-top:1px dashed #555}}.code{{letter-spacing:.2em}}\
@media print{{main{{margin:0;max-width:none}}}}</style></head>\n<body><main class=\"receipt\" id=\"receipt\">\n{body}</main></body></html>\n",
        escape(&r.receipt_no)
    )
}

/// What a thermal printer's built-in code page prints of `text`: ASCII;
/// a letter with an accent loses it, anything else becomes '?'.
fn ascii(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| match c {
            c if c.is_ascii() && !c.is_ascii_control() => c as u8,
            'à' | 'á' | 'â' | 'ä' | 'ã' | 'å' => b'a',
            'è' | 'é' | 'ê' | 'ë' => b'e',
            'ì' | 'í' | 'î' | 'ï' => b'i',
            'ò' | 'ó' | 'ô' | 'ö' | 'õ' => b'o',
            'ù' | 'ú' | 'û' | 'ü' => b'u',
            'ç' => b'c',
            'ñ' => b'n',
            'À' | 'Á' | 'Â' | 'Ä' => b'A',
            'É' | 'È' | 'Ê' => b'E',
            'Ö' | 'Ó' => b'O',
            'Ü' | 'Ú' => b'U',
            '×' => b'x',
            '–' | '—' => b'-',
            '’' | '‘' => b'\'',
            '“' | '”' => b'"',
            _ => b'?',
        })
        .collect()
}

/// ESC/POS commands used (Epson's, which thermal printers share).
pub mod escpos {
    pub const INIT: [u8; 2] = [0x1b, b'@'];
    pub const ALIGN_LEFT: [u8; 3] = [0x1b, b'a', 0];
    pub const ALIGN_CENTRE: [u8; 3] = [0x1b, b'a', 1];
    pub const BOLD_ON: [u8; 3] = [0x1b, b'E', 1];
    pub const BOLD_OFF: [u8; 3] = [0x1b, b'E', 0];
    /// GS ! n: double width and height, and back.
    pub const BIG_ON: [u8; 3] = [0x1d, b'!', 0x11];
    pub const BIG_OFF: [u8; 3] = [0x1d, b'!', 0];
    /// GS h (height 64 dots), GS w (module 2), GS H (human-readable text below).
    pub const BARCODE_SETUP: [u8; 9] = [0x1d, b'h', 64, 0x1d, b'w', 2, 0x1d, b'H', 2];
    /// GS k m=73: CODE128, followed by its length and data (`{B` selects set B).
    pub const CODE128: [u8; 3] = [0x1d, b'k', 73];
    /// ESC d 4: feed four lines, so the cut falls below the text.
    pub const FEED: [u8; 3] = [0x1b, b'd', 4];
    /// GS V 66 0: feed to the cutter and cut, leaving a tab.
    pub const CUT: [u8; 4] = [0x1d, b'V', 66, 0];
}

/// The receipt as an ESC/POS stream for a thermal printer of `paper`.
pub fn escpos(r: &Receipt, paper: Paper) -> Vec<u8> {
    let cols = paper.columns();
    let mut out = Vec::with_capacity(2048);
    out.extend(escpos::INIT);
    for row in layout(r, cols) {
        match row {
            Row::Centre { text, strong } => {
                out.extend(escpos::ALIGN_CENTRE);
                if strong {
                    out.extend(escpos::BOLD_ON);
                }
                out.extend(ascii(&text));
                if strong {
                    out.extend(escpos::BOLD_OFF);
                }
                out.extend(escpos::ALIGN_LEFT);
            }
            Row::Pair { left, right, big: true } => {
                // Double width: half the columns.
                out.extend(escpos::BOLD_ON);
                out.extend(escpos::BIG_ON);
                out.extend(ascii(&pair(&left, &right, cols / 2)));
                out.extend(escpos::BIG_OFF);
                out.extend(escpos::BOLD_OFF);
            }
            Row::Pair { left, right, big: false } => out.extend(ascii(&pair(&left, &right, cols))),
            Row::Text(t) => out.extend(ascii(&t)),
            Row::Rule => out.extend(std::iter::repeat_n(b'-', cols)),
            Row::Code(no) => {
                let data: Vec<u8> = [b'{', b'B'].into_iter().chain(ascii(&no)).collect();
                out.extend(escpos::ALIGN_CENTRE);
                out.extend(escpos::BARCODE_SETUP);
                out.extend(escpos::CODE128);
                out.push(u8::try_from(data.len()).unwrap_or(u8::MAX));
                out.extend(data.iter().take(255));
                out.extend(escpos::ALIGN_LEFT);
            }
        }
        out.push(b'\n');
    }
    out.extend(escpos::FEED);
    out.extend(escpos::CUT);
    out
}

/// The receipt as a one-page PDF as wide as an 80 mm roll's text, in the
/// PDF's own Courier (no font to embed): what `text` shows, line for line.
pub fn pdf(r: &Receipt) -> Vec<u8> {
    let cols = Paper::Mm80.columns();
    let size = 9.0_f32;
    let leading = 11.0_f32;
    let margin = 18.0_f32;
    let rows = layout(r, cols);
    let width = cols as f32 * size * 0.6 + 2.0 * margin;
    let height = rows.len() as f32 * leading + 2.0 * margin;
    let mut content = String::new();
    let mut y = height - margin - size;
    for row in &rows {
        let (line, font, pt) = match row {
            Row::Centre { text, strong } => (centred(text, cols), if *strong { "F2" } else { "F1" }, size),
            Row::Pair { left, right, big: true } => (pair(left, right, cols), "F2", size),
            Row::Pair { left, right, .. } => (pair(left, right, cols), "F1", size),
            Row::Text(t) => (t.clone(), "F1", size),
            Row::Rule => ("-".repeat(cols), "F1", size),
            Row::Code(no) => (centred(&format!("[{no}]"), cols), "F1", size),
        };
        content.push_str(&format!("BT /{font} {pt} Tf {margin:.1} {y:.1} Td ({}) Tj ET\n", crate::pdf::string(&line)));
        y -= leading;
    }
    crate::pdf::document(width, height, &[content])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Receipt {
        Receipt {
            sale_id: SaleId::new(),
            receipt_no: "A-0007".into(),
            at_ms: 1_798_880_000_000,
            business_name: "Wildroot Apothecary".into(),
            business_address: Some("12 Mill St, Bristol VA 24201".into()),
            market: Some("Saturday Market, Riverside Park".into()),
            lines: vec![
                ReceiptLine {
                    name: "Lavender Salve (Crème)".into(),
                    qty: 2,
                    unit_price_cents: 1400,
                    gross_cents: 2800,
                    discount_cents: 280,
                    tax_bp: 530,
                },
                ReceiptLine { name: "Nettle tea".into(), qty: 1, unit_price_cents: 850, gross_cents: 850, discount_cents: 0, tax_bp: 250 },
            ],
            subtotal_cents: 3650,
            discount_cents: 280,
            taxes: vec![
                ReceiptTax { place: "Bristol VA".into(), rate_bp: 250, on_cents: 850, tax_cents: 21 },
                ReceiptTax { place: "Bristol VA".into(), rate_bp: 530, on_cents: 2520, tax_cents: 134 },
            ],
            tax_inclusive: false,
            total_cents: 3525,
            payments: vec![
                ReceiptPayment { name: "SNAP".into(), tendered_cents: 850 },
                ReceiptPayment { name: "Cash".into(), tendered_cents: 3000 },
            ],
            change_cents: 125,
            tip_cents: 200,
            tip_tender: Some("Cash".into()),
            refunds: vec![],
            voided: false,
            customer: None,
            policy: Some("Returns within 30 days with this receipt.".into()),
        }
    }

    #[test]
    fn every_format_has_the_same_figures_in_the_same_order() {
        let r = sample();
        let t = text(&r, 32);
        let want = [
            "Wildroot Apothecary",
            "Receipt A-0007",
            "2 x 14.00",
            "-2.80",
            "Tax 2.50% Bristol VA",
            "0.21",
            "TOTAL",
            "35.25",
            "SNAP",
            "Change",
            "1.25",
            "Tip (Cash)",
            "2.00",
            "Returns within",
        ];
        let mut at = 0;
        for w in want {
            let found = t[at..].find(w).map(|i| i + at);
            assert!(found.is_some(), "'{w}' after byte {at} in\n{t}");
            at = found.unwrap_or(at);
        }
        assert!(t.lines().all(|l| l.chars().count() <= 32), "{t}");
        let h = html(&r);
        assert!(h.contains("<strong>Wildroot Apothecary</strong>") && h.contains("35.25") && h.contains("Tax 5.30% Bristol VA on 25.20"));
        let p = pdf(&r);
        assert!(p.starts_with(b"%PDF-1.4") && p.ends_with(b"%%EOF\n"));
        // Latin-1 letters in WinAnsi octal; nothing unescaped.
        assert!(String::from_utf8_lossy(&p).contains("Cr\\350me"));
    }

    #[test]
    fn escpos_starts_initialised_prints_the_code_and_cuts() {
        let r = sample();
        for paper in [Paper::Mm58, Paper::Mm80] {
            let b = escpos(&r, paper);
            assert_eq!(&b[..2], &escpos::INIT);
            assert!(b.ends_with(&escpos::CUT));
            let code = b.windows(3).position(|w| w == escpos::CODE128).map(|i| i + 3);
            let Some(i) = code else { panic!("no barcode") };
            assert_eq!(&b[i + 1..i + 1 + b[i] as usize], b"{BA-0007");
            assert!(b.iter().all(|c| *c < 0x80), "ASCII only");
            // Every printed line fits the paper.
            let text: Vec<u8> = b.iter().copied().filter(|c| *c == b'\n' || (0x20..0x7f).contains(c)).collect();
            assert!(String::from_utf8_lossy(&text).lines().all(|l| l.len() <= paper.columns() + 12));
        }
        assert_eq!(Paper::parse("58"), Ok(Paper::Mm58));
        assert!(Paper::parse("76").is_err_and(|e| e.contains("58 or 80")));
    }

    #[test]
    fn long_words_and_labels_never_hide_a_figure() {
        assert_eq!(pair("A very long label that does not fit", "123.45", 20), "A very long l 123.45");
        assert_eq!(wrap("Supercalifragilistic", 8), ["Supercal", "ifragili", "stic"]);
        let h = html(&Receipt { business_name: "<b>&".into(), ..sample() });
        assert!(h.contains("&lt;b&gt;&amp;"));
    }
}
