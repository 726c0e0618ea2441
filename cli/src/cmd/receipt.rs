//! `wildroot receipt` and the receipt settings: a sale's receipt as text,
//! HTML, PDF or ESC/POS, printed on this device's printer.
use super::*;
use wildroot_core::receipt::{Printer, PrinterSettings};
use wildroot_model::receipt::{self as fmt, Paper};

#[derive(Args)]
pub(crate) struct ReceiptArgs {
    /// Receipt number (A-000123) or sale id.
    pub(crate) sale: String,
    /// text (default), html, pdf or escpos.
    #[arg(long, default_value = "text")]
    pub(crate) format: String,
    /// Paper width for text and escpos: 58 or 80 (mm); default this device's printer's.
    #[arg(long)]
    pub(crate) width: Option<String>,
    /// Write it to FILE instead of standard output.
    #[arg(long)]
    pub(crate) out: Option<PathBuf>,
    /// Print it on this device's receipt printer (`settings printer`).
    #[arg(long, conflicts_with_all = ["out", "format"])]
    pub(crate) print: bool,
}

#[derive(Args)]
pub(crate) struct PrinterArgs {
    /// A network thermal printer's raw port: HOST:PORT (usually port 9100).
    #[arg(long, conflicts_with = "device")]
    pub(crate) tcp: Option<String>,
    /// A local printer device: /dev/usb/lp0, /dev/rfcomm0 (Bluetooth serial).
    #[arg(long)]
    pub(crate) device: Option<String>,
    /// The paper's width: 58 or 80 (mm).
    #[arg(long)]
    pub(crate) width: Option<String>,
    /// Print a receipt after each sale on this device.
    #[arg(long, conflicts_with = "no_auto")]
    pub(crate) auto: bool,
    /// Do not print after each sale (print with `receipt SALE --print`).
    #[arg(long)]
    pub(crate) no_auto: bool,
}

fn paper(width: &Option<String>, flag: &str) -> Result<Option<Paper>> {
    width.as_deref().map(|w| Paper::parse(w).map_err(|e| anyhow!("{flag}: {e}"))).transpose()
}

/// Bytes to FILE, or to standard output when it is not a terminal.
fn write_out(bytes: &[u8], out: &Option<PathBuf>, what: &str) -> Result<String> {
    use std::io::{IsTerminal, Write};
    match out {
        Some(path) => {
            std::fs::write(path, bytes).with_context(|| format!("writing {}", path.display()))?;
            Ok(format!("Wrote the {what} to {}.\n", path.display()))
        }
        None if std::io::stdout().is_terminal() => bail!("a {what} is not for the terminal: give --out FILE"),
        None => {
            std::io::stdout().write_all(bytes)?;
            Ok(String::new())
        }
    }
}

pub(crate) fn receipt(store: &mut Store, args: ReceiptArgs, format: Format) -> Result<String> {
    if args.print {
        store.print_receipt(&args.sale)?;
        let r = store.receipt(&args.sale)?;
        return if format == Format::Json {
            json(&serde_json::json!({ "receipt_no": r.receipt_no, "printed": true }))
        } else {
            Ok(format!("Printed receipt {}.\n", r.receipt_no))
        };
    }
    let r = store.receipt(&args.sale)?;
    let width = paper(&args.width, "--width")?.unwrap_or(store.printer_settings()?.paper);
    match args.format.trim() {
        _ if format == Format::Json && args.out.is_none() => json(&r),
        "text" => write_text(&fmt::text(&r, width.columns()), &args.out, "receipt"),
        "html" => write_text(&fmt::html(&r), &args.out, "receipt page"),
        "pdf" => write_out(&fmt::pdf(&r), &args.out, "PDF receipt"),
        "escpos" => write_out(&fmt::escpos(&r, width), &args.out, "ESC/POS receipt"),
        other => bail!("--format {other} is not a receipt format: give text, html, pdf or escpos"),
    }
}

fn write_text(text: &str, out: &Option<PathBuf>, what: &str) -> Result<String> {
    match out {
        Some(_) => write_out(text.as_bytes(), out, what),
        None => Ok(text.to_string()),
    }
}

/// After a sale: print its receipt when this device prints after each
/// sale. A printer that fails never undoes the sale: it says so on
/// stderr and the receipt can be printed again.
pub(crate) fn auto_print(store: &Store, receipt_no: &str) -> Option<String> {
    match store.print_job(receipt_no, true).and_then(|job| job.map_or(Ok(()), |(printer, bytes)| printer.send(&bytes))) {
        Ok(_) => None,
        Err(e) => Some(format!("{e}. The sale is recorded: print it again with `wildroot receipt {receipt_no} --print`.")),
    }
}

fn printer_out(s: &PrinterSettings, format: Format) -> Result<String> {
    if format == Format::Json {
        let v = s.view();
        return json(&serde_json::json!({ "printer": v.kind, "address": v.address, "width_mm": v.width_mm, "auto_print": v.auto_print }));
    }
    let at = match &s.printer {
        Some(p) => p.to_string(),
        None => "no printer".into(),
    };
    Ok(format!(
        "Receipts: {at}, {} mm paper, {}.\n",
        s.paper.mm(),
        if s.auto_print { "printed after each sale" } else { "printed when asked" }
    ))
}

pub(crate) fn printer(store: &mut Store, args: PrinterArgs, format: Format) -> Result<String> {
    let printer = match (&args.tcp, &args.device) {
        (Some(a), _) => Some(Printer::tcp(a)?),
        (None, Some(p)) => Some(Printer::device(p)?),
        (None, None) => None,
    };
    let auto = if args.auto {
        Some(true)
    } else if args.no_auto {
        Some(false)
    } else {
        None
    };
    let s = store.set_printer(printer, paper(&args.width, "--width")?, auto)?;
    printer_out(&s, format)
}

#[derive(Args)]
pub(crate) struct LabelArgs {
    /// The product lot's code (as its batch was made).
    pub(crate) lot: String,
    /// Label stock: rect (4×2 in, 10 a sheet), square (2×2 in, 12), round (2.5 in, 12), single (one 4×2 in label a page).
    #[arg(long, default_value = "rect")]
    pub(crate) stock: String,
    /// How many labels (default: a sheet's worth).
    #[arg(long)]
    pub(crate) count: Option<String>,
    /// Write the PDF to FILE.
    #[arg(long)]
    pub(crate) out: Option<PathBuf>,
}

pub(crate) fn label(store: &Store, args: LabelArgs, format: Format) -> Result<String> {
    use wildroot_model::label::{self as lbl, Stock};
    let l = store.label(&args.lot)?;
    let stock = Stock::parse(&args.stock).map_err(|e| anyhow!("--stock: {e}"))?;
    let count = match &args.count {
        Some(c) => usize::try_from(count(c, "--count")?)
            .ok()
            .filter(|n| (1..=1000).contains(n))
            .ok_or_else(|| anyhow!("--count {c}: give 1 to 1000 labels"))?,
        None => stock.per_page(),
    };
    if format == Format::Json && args.out.is_none() {
        return json(&serde_json::json!({ "label": l, "fits": lbl::fits(&l, stock), "stock": args.stock.trim(), "count": count }));
    }
    let warn = |l: &wildroot_model::label::Label| {
        for n in &l.notes {
            eprintln!("note: {n}");
        }
        if !lbl::fits(l, stock) {
            eprintln!("note: not all of the label fits {} stock: try rect or single", args.stock.trim());
        }
    };
    use std::io::IsTerminal;
    if args.out.is_none() && std::io::stdout().is_terminal() {
        // A preview: what the label says, and what to fix before printing it.
        let mut s = format!("{}\n", l.name);
        if let Some(n) = &l.net {
            s.push_str(&format!("{n}\n"));
        }
        let names: Vec<String> = l.ingredients.iter().map(|i| format!("{} ({})", i.name, percent(i.share_bp))).collect();
        s.push_str(&format!("Ingredients: {}\n", names.join(", ")));
        if let Some(w) = &l.warnings {
            s.push_str(&format!("Warning: {w}\n"));
        }
        s.push_str(&format!(
            "Made by {}{}\n",
            l.business_name,
            l.business_address.as_deref().map(|a| format!(", {a}")).unwrap_or_default()
        ));
        s.push_str(&format!("Lot {}{}\n{}\n", l.lot_code, l.best_before.map(|d| format!("  Best before {d}")).unwrap_or_default(), l.code));
        for n in &l.notes {
            s.push_str(&format!("note: {n}\n"));
        }
        s.push_str("Give --out FILE for a PDF to print.\n");
        return Ok(s);
    }
    warn(&l);
    write_out(&lbl::pdf(&l, stock, count).map_err(|e| anyhow!(e))?, &args.out, "PDF of labels")
}
