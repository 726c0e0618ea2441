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
    /// Email it to ADDRESS: recorded now (offline too) and sent once by the
    /// shop's sender (its server, or the device set with `settings mail`).
    #[arg(long, conflicts_with_all = ["out", "format", "print"])]
    pub(crate) email: Option<String>,
}

#[derive(Args)]
pub(crate) struct MailArgs {
    /// The mail server: HOST:PORT (587 with --starttls, 465 with --tls).
    #[arg(long)]
    pub(crate) smtp: Option<String>,
    /// The login name at the mail server.
    #[arg(long, requires = "smtp")]
    pub(crate) user: Option<String>,
    /// A file whose first line is the password (`-` reads stdin); never the command line.
    #[arg(long, requires = "smtp")]
    pub(crate) password_file: Option<PathBuf>,
    /// The address receipts come from (default: the login, when it is one).
    #[arg(long, requires = "smtp")]
    pub(crate) from: Option<String>,
    /// Connect in plain text and upgrade with STARTTLS (the default).
    #[arg(long, conflicts_with_all = ["tls", "plain"])]
    pub(crate) starttls: bool,
    /// Connect with TLS from the start (port 465).
    #[arg(long, conflicts_with = "plain")]
    pub(crate) tls: bool,
    /// No encryption: only for a relay on this machine or network.
    #[arg(long)]
    pub(crate) plain: bool,
    /// Stop sending receipts from here and forget the password.
    #[arg(long, conflicts_with = "smtp")]
    pub(crate) off: bool,
}

impl MailArgs {
    /// The mail server and password as given, read by the model's parser;
    /// `None` when no --smtp was given.
    pub(crate) fn read(&self) -> Result<Option<(wildroot_model::mail::MailServer, String)>> {
        use wildroot_model::mail::{MailServer, Security};
        let Some(smtp) = &self.smtp else { return Ok(None) };
        let user = self.user.as_deref().ok_or_else(|| anyhow!("give --user: the login name at the mail server"))?;
        let file =
            self.password_file.as_ref().ok_or_else(|| anyhow!("give --password-file FILE: a file whose first line is the password"))?;
        let security = if self.tls {
            Security::Tls
        } else if self.plain {
            Security::Plain
        } else {
            Security::Starttls
        };
        let server = MailServer::parse(smtp, security, user, self.from.as_deref()).map_err(|e| anyhow!(e))?;
        let text = super::server::read_secret(file, "password file", "the mail password on its first line")?;
        let password = wildroot_model::mail::password(&text).map_err(|e| anyhow!(e))?;
        Ok(Some((server, password)))
    }
}

/// How the mail settings read back, for `settings mail` and `server mail`.
pub(crate) fn mail_out(server: Option<&wildroot_model::mail::MailServer>, format: Format) -> Result<String> {
    if format == Format::Json {
        return json(&serde_json::json!({ "mail": server.map(mail_json) }));
    }
    Ok(match server {
        Some(m) => format!("Receipts are emailed from {} through {} ({}, login {}).\n", m.from, m.address(), m.security.as_str(), m.user),
        None => "Receipts are not emailed from here.\n".to_string(),
    })
}

/// A mail server in `--json`, as typed (`smtp` is HOST:PORT); never its password.
pub(crate) fn mail_json(m: &wildroot_model::mail::MailServer) -> serde_json::Value {
    serde_json::json!({ "smtp": m.address(), "security": m.security.as_str(), "user": m.user, "from": m.from })
}

fn emails_out(emails: &[wildroot_model::mail::ReceiptEmailView], format: Format) -> Result<String> {
    if format == Format::Json {
        return json(&serde_json::json!({ "emails": emails }));
    }
    let mut t = Table::new(&["receipt", "to", "status", "asked", "reason"]);
    for e in emails {
        t.row(vec![
            e.receipt_no.clone(),
            e.to.clone(),
            e.status.as_str().to_string(),
            when(e.requested_at_ms),
            e.reason.clone().unwrap_or_default(),
        ]);
    }
    Ok(t.render(format))
}

/// Sends what is queued when this device is the shop's sender; a failure
/// to send is said, never an error: the request stays recorded.
fn send_now(store: &mut Store, db: &std::path::Path) -> Result<Option<wildroot_core::mail::SendRun>> {
    if store.mail_server()?.is_none() {
        return Ok(None);
    }
    let key = DeviceKey::load_or_create(&db.with_extension("key"))?;
    let cell = std::cell::RefCell::new(store);
    Ok(runtime()?.block_on(wildroot_core::mail::send_queued(&cell, &key))?)
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

pub(crate) fn receipt(store: &mut Store, db: &std::path::Path, args: ReceiptArgs, format: Format) -> Result<String> {
    // `receipt status` and `receipt send`: no receipt number is either word.
    match args.sale.trim() {
        "status" => return emails_out(&store.receipt_emails()?, format),
        "send" => {
            let Some(run) = send_now(store, db)? else {
                bail!("this device does not send receipts: the shop's server does, or set one with `wildroot settings mail --smtp HOST:PORT --user U --password-file F`");
            };
            if format == Format::Json {
                return json(&run);
            }
            return Ok(format!("Sent {} receipt(s); {} not sent (see `wildroot receipt status`).\n", run.sent, run.failed));
        }
        _ => {}
    }
    if let Some(to) = &args.email {
        let asked = store.request_receipt_email(&args.sale, to)?;
        let request = asked.request.parse().map_err(|_| anyhow!("the request id '{}' is not an id", asked.request))?;
        let ran = send_now(store, db)?;
        let now = store.receipt_email(request)?.unwrap_or(asked);
        if format == Format::Json {
            return json(&now);
        }
        return Ok(match (now.status, ran) {
            (wildroot_model::mail::EmailStatus::Sent, _) => format!("Emailed receipt {} to {}.\n", now.receipt_no, now.to),
            (wildroot_model::mail::EmailStatus::Failed, _) => format!(
                "Receipt {} to {} is recorded but was not sent: {}\n",
                now.receipt_no,
                now.to,
                now.reason.unwrap_or_default()
            ),
            (_, _) => format!(
                "Receipt {} to {} is queued: it is sent once the shop's sender has it (after the next sync). See `wildroot receipt status`.\n",
                now.receipt_no, now.to
            ),
        });
    }
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
