//! Receipts (#25): a sale as the customer gets it (`model::receipt`), the
//! shop's details printed on it (synced settings), and this device's
//! receipt printer (its own settings, never synced).
//!
//! The rule: printing never changes the books. A receipt is read from the
//! recorded sale, and a printer that is off or missing is an error the
//! vendor sees while the sale stands, reprintable at any time.
use crate::error::{invalid, optional_text, CoreError, Result};
use crate::settings::{self, get, set_in};
use crate::store::Store;
use rusqlite::{Connection, OptionalExtension};
use std::io::Write;
use std::time::Duration;
use wildroot_model::op::PayMethod;
use wildroot_model::receipt::{Paper, PrinterView, Receipt, ReceiptLine, ReceiptPayment, ReceiptRefund, ReceiptTax};
use wildroot_model::tax::SHOP_PLACE;

/// The shop's address, printed under its name (synced).
pub const BUSINESS_ADDRESS: &str = "business_address";
/// The refund policy printed at the foot of every receipt (synced).
pub const REFUND_POLICY: &str = "refund_policy";
/// This device's printer (`device_settings`): `tcp:HOST:PORT` or `device:PATH`.
const PRINTER: &str = "printer";
/// This device's paper: "58" or "80".
const PAPER: &str = "paper";
/// "true": print a receipt after each sale on this device.
const AUTO_PRINT: &str = "auto_print";

/// A receipt printer this device prints to.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Printer {
    /// A network thermal printer's raw port (usually 9100).
    Tcp(String),
    /// A local device file: USB (`/dev/usb/lp0`) or Bluetooth serial (`/dev/rfcomm0`).
    Device(String),
}

impl Printer {
    /// `HOST:PORT` of a network printer, checked.
    pub fn tcp(address: &str) -> Result<Printer> {
        let a = address.trim();
        let Some((host, port)) = a.rsplit_once(':') else {
            return invalid(format!("'{a}' is not a printer's address: give HOST:PORT, like 192.168.1.50:9100"));
        };
        if host.is_empty() || host.chars().any(|c| c.is_whitespace() || c.is_control()) || port.parse::<u16>().map_or(true, |p| p == 0) {
            return invalid(format!("'{a}' is not a printer's address: give HOST:PORT, like 192.168.1.50:9100"));
        }
        Ok(Printer::Tcp(a.to_string()))
    }

    /// The path of a printer's device file, checked.
    pub fn device(path: &str) -> Result<Printer> {
        let p = path.trim();
        if !p.starts_with('/') || p.chars().any(char::is_control) || p.len() > 255 {
            return invalid(format!("'{p}' is not a device path: give the printer's full path, like /dev/usb/lp0 or /dev/rfcomm0"));
        }
        Ok(Printer::Device(p.to_string()))
    }

    fn stored(&self) -> String {
        match self {
            Printer::Tcp(a) => format!("tcp:{a}"),
            Printer::Device(p) => format!("device:{p}"),
        }
    }

    fn read(value: &str) -> Option<Printer> {
        match value.split_once(':')? {
            ("tcp", a) => Printer::tcp(a).ok(),
            ("device", p) => Printer::device(p).ok(),
            _ => None,
        }
    }

    /// Sends `bytes` to the printer, whole, or says why not. A network
    /// printer gets 3 s to answer and 10 s to take the receipt, so a
    /// printer that is off never holds up the booth for long.
    pub fn send(&self, bytes: &[u8]) -> Result<()> {
        let fail = |e: std::io::Error| CoreError::Printer(format!("{self}: {e}"));
        match self {
            Printer::Tcp(address) => {
                use std::net::ToSocketAddrs;
                let addrs: Vec<_> = address.to_socket_addrs().map_err(fail)?.collect();
                let mut last = std::io::Error::new(std::io::ErrorKind::NotFound, "no address");
                for addr in addrs {
                    match std::net::TcpStream::connect_timeout(&addr, Duration::from_secs(3)) {
                        Ok(mut s) => {
                            s.set_write_timeout(Some(Duration::from_secs(10))).map_err(fail)?;
                            s.write_all(bytes).map_err(fail)?;
                            s.flush().map_err(fail)?;
                            s.shutdown(std::net::Shutdown::Write).map_err(fail)?;
                            return Ok(());
                        }
                        Err(e) => last = e,
                    }
                }
                Err(fail(last))
            }
            Printer::Device(path) => {
                let mut f = std::fs::OpenOptions::new().write(true).open(path).map_err(fail)?;
                f.write_all(bytes).map_err(fail)?;
                f.flush().map_err(fail)
            }
        }
    }
}

impl std::fmt::Display for Printer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Printer::Tcp(a) => write!(f, "the printer at {a}"),
            Printer::Device(p) => write!(f, "the printer at {p}"),
        }
    }
}

/// This device's receipt printer settings.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PrinterSettings {
    pub printer: Option<Printer>,
    pub paper: Paper,
    pub auto_print: bool,
}

pub(crate) fn device_get(conn: &Connection, key: &str) -> Result<Option<String>> {
    Ok(conn.query_row("SELECT value FROM device_settings WHERE key = ?1", [key], |r| r.get(0)).optional()?)
}

/// A setting as printed: one line, control characters dropped, at most
/// `max` characters (what arrives by sync was checked by no form here).
fn printable(value: Option<String>, max: usize) -> Option<String> {
    let v: String = value?.chars().filter(|c| !c.is_control()).take(max).collect();
    let v = v.trim().to_string();
    (!v.is_empty()).then_some(v)
}

/// A tender's name as a person reads it.
fn tender_name(method: &str, tender: Option<String>) -> String {
    tender.unwrap_or_else(|| PayMethod::parse(method).unwrap_or(PayMethod::Other).label().to_string())
}

impl Store {
    /// The shop's address and refund policy, printed on every receipt.
    /// An empty value clears it.
    pub fn set_business_details(&mut self, address: Option<&str>, policy: Option<&str>) -> Result<()> {
        let address = address.map(|a| optional_text("business address", a, 200)).transpose()?;
        let policy = policy.map(|p| optional_text("refund policy", p, 500)).transpose()?;
        self.write(|tx| {
            if let Some(a) = address {
                set_in(tx, BUSINESS_ADDRESS, a)?;
            }
            if let Some(p) = policy {
                set_in(tx, REFUND_POLICY, p)?;
            }
            Ok(())
        })
    }

    /// The shop's address, if set.
    pub fn business_address(&self) -> Result<Option<String>> {
        Ok(printable(get(self.conn(), BUSINESS_ADDRESS)?, 200))
    }

    /// The refund policy printed on receipts, if set.
    pub fn refund_policy(&self) -> Result<Option<String>> {
        Ok(printable(get(self.conn(), REFUND_POLICY)?, 500))
    }

    /// The receipt of a sale (by receipt number or sale id), as recorded.
    pub fn receipt(&self, key: &str) -> Result<Receipt> {
        let conn = self.conn();
        let key = key.trim();
        type Row =
            (String, String, i64, Option<String>, Option<String>, bool, i64, i64, i64, i64, bool, Option<String>, i64, Option<String>);
        let row: Option<Row> = conn
            .query_row(
                "SELECT s.id, s.receipt_no, s.at_ms, s.event_id, c.name, s.tax_inclusive, s.gross_cents, s.discount_cents,
                        s.total_cents, s.change_cents, s.voided, s.tax_place, s.tip_cents, s.tip_method
                 FROM sales s LEFT JOIN customers c ON c.id = s.customer_id
                 WHERE s.id = ?1 OR s.receipt_no = ?1 LIMIT 1",
                [key],
                |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                        r.get(6)?,
                        r.get(7)?,
                        r.get(8)?,
                        r.get(9)?,
                        r.get(10)?,
                        r.get(11)?,
                        r.get(12)?,
                        r.get(13)?,
                    ))
                },
            )
            .optional()?;
        let Some((id, receipt_no, at_ms, event, customer, inclusive, gross, discount, total, change, voided, place, tip, tip_method)) = row
        else {
            return Err(CoreError::NotFound {
                what: "sale",
                key: key.to_string(),
                hint: "give its receipt number (like A-000123) or sale id",
            });
        };
        let device: String = conn.query_row("SELECT device FROM sales WHERE id = ?1", [&id], |r| r.get(0))?;
        let online = device == crate::apply::shopify::ONLINE;
        let place = if online { "Shopify".to_string() } else { place.unwrap_or_else(|| SHOP_PLACE.to_string()) };
        let market = match event {
            Some(e) => conn
                .query_row("SELECT name, location FROM events WHERE id = ?1", [&e], |r| {
                    Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
                })
                .optional()?
                .map(|(n, l)| if l.trim().is_empty() { n } else { format!("{n}, {l}") }),
            None => None,
        };
        let mut stmt = conn.prepare_cached(
            "SELECT COALESCE(p.name, l.description, ''), l.qty, l.unit_price_cents, l.gross_cents, l.discount_cents,
                    COALESCE(l.tax_bp, s.tax_bp), l.net_cents, l.tax_cents
             FROM sale_lines l JOIN sales s ON s.id = l.sale_id LEFT JOIN products p ON p.id = l.product_id
             WHERE l.sale_id = ?1 ORDER BY l.line_no",
        )?;
        let mut lines = Vec::new();
        let mut taxes: Vec<ReceiptTax> = Vec::new();
        for row in stmt.query_map([&id], |r| {
            Ok((
                ReceiptLine {
                    name: r.get(0)?,
                    qty: r.get(1)?,
                    unit_price_cents: r.get(2)?,
                    gross_cents: r.get(3)?,
                    discount_cents: r.get(4)?,
                    tax_bp: r.get(5)?,
                },
                r.get::<_, i64>(6)?,
                r.get::<_, i64>(7)?,
            ))
        })? {
            let (line, net, tax) = row?;
            match taxes.iter_mut().find(|t| t.rate_bp == line.tax_bp) {
                Some(t) => {
                    t.on_cents += net;
                    t.tax_cents += tax;
                }
                None => taxes.push(ReceiptTax { place: place.clone(), rate_bp: line.tax_bp, on_cents: net, tax_cents: tax }),
            }
            lines.push(line);
        }
        // An exempt rate collects nothing: it is not a tax line.
        taxes.retain(|t| t.rate_bp != 0);
        taxes.sort_by_key(|t| t.rate_bp);
        let mut stmt = conn.prepare_cached("SELECT method, tender, tendered_cents FROM sale_payments WHERE sale_id = ?1 ORDER BY n")?;
        let payments = stmt
            .query_map([&id], |r| Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?, r.get::<_, i64>(2)?)))?
            .map(|row| row.map(|(m, t, c)| ReceiptPayment { name: tender_name(&m, t), tendered_cents: c }))
            .collect::<rusqlite::Result<Vec<_>>>()?;
        // A tip was handed over with its tender: the receipt shows what the
        // customer handed (the sale's part and the tip), as they saw it.
        let mut payments = payments;
        let tip_name = tip_method.as_deref().filter(|_| tip != 0).map(|m| {
            if PayMethod::parse(m).is_some() {
                tender_name(m, None)
            } else {
                m.to_string()
            }
        });
        if let Some(name) = &tip_name {
            match payments.iter_mut().rev().find(|p| &p.name == name) {
                Some(p) => p.tendered_cents += tip,
                // A payment that was all tip paid nothing towards the sale and is not among its payments.
                None => payments.push(ReceiptPayment { name: name.clone(), tendered_cents: tip }),
            }
        }
        let mut stmt =
            conn.prepare_cached("SELECT at_ms, total_cents, method, tender FROM refunds WHERE sale_id = ?1 ORDER BY at_ms, id")?;
        let refunds = stmt
            .query_map([&id], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?, r.get::<_, String>(2)?, r.get::<_, Option<String>>(3)?)))?
            .map(|row| row.map(|(at_ms, total_cents, m, t)| ReceiptRefund { at_ms, total_cents, tender: tender_name(&m, t) }))
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(Receipt {
            sale_id: id.parse().map_err(|_| CoreError::Corrupt(format!("sale id '{id}'")))?,
            receipt_no,
            at_ms,
            business_name: printable(Some(self.business_name()?), 120).unwrap_or_else(|| settings::DEFAULT_BUSINESS_NAME.into()),
            business_address: self.business_address()?,
            market,
            lines,
            subtotal_cents: gross,
            discount_cents: discount,
            taxes,
            tax_inclusive: inclusive,
            total_cents: total,
            payments,
            change_cents: change,
            tip_cents: tip,
            // The tip's tender: a method's name ("cash") or a configured tender's ("SNAP").
            tip_tender: tip_name,
            refunds,
            voided,
            customer,
            policy: self.refund_policy()?,
        })
    }

    /// This device's printer, paper and whether it prints after each sale.
    pub fn printer_settings(&self) -> Result<PrinterSettings> {
        let conn = self.conn();
        Ok(PrinterSettings {
            printer: device_get(conn, PRINTER)?.and_then(|v| Printer::read(&v)),
            paper: device_get(conn, PAPER)?.and_then(|v| Paper::parse(&v).ok()).unwrap_or(Paper::Mm80),
            auto_print: device_get(conn, AUTO_PRINT)?.is_some_and(|v| v == "true"),
        })
    }

    /// Sets this device's printer settings (`None` leaves one as it is).
    pub fn set_printer(&mut self, printer: Option<Printer>, paper: Option<Paper>, auto_print: Option<bool>) -> Result<PrinterSettings> {
        let now = self.printer_settings()?;
        self.save_printer(PrinterSettings {
            printer: printer.or(now.printer),
            paper: paper.unwrap_or(now.paper),
            auto_print: auto_print.unwrap_or(now.auto_print),
        })
    }

    /// Replaces this device's printer settings, checked first: printing
    /// after each sale needs a printer.
    pub fn save_printer(&mut self, s: PrinterSettings) -> Result<PrinterSettings> {
        if s.auto_print && s.printer.is_none() {
            return invalid("printing after each sale needs a printer: give its network address or device path");
        }
        let tx = self.conn().unchecked_transaction()?;
        let put = |k: &str, v: String| tx.execute("INSERT OR REPLACE INTO device_settings (key, value) VALUES (?1, ?2)", (k, v));
        match &s.printer {
            Some(p) => put(PRINTER, p.stored())?,
            None => tx.execute("DELETE FROM device_settings WHERE key = ?1", [PRINTER])?,
        };
        put(PAPER, s.paper.mm().to_string())?;
        put(AUTO_PRINT, s.auto_print.to_string())?;
        tx.commit()?;
        self.printer_settings()
    }

    /// What printing a sale's receipt takes: the printer and the bytes, so
    /// a caller can send them without holding the store (a printer that is
    /// off takes seconds to say so). `after_sale`: none unless this device
    /// prints after each sale.
    pub fn print_job(&self, key: &str, after_sale: bool) -> Result<Option<(Printer, Vec<u8>)>> {
        let settings = self.printer_settings()?;
        if after_sale && !settings.auto_print {
            return Ok(None);
        }
        let receipt = self.receipt(key)?;
        let Some(printer) = settings.printer else {
            return Err(CoreError::Printer("no receipt printer is set on this device: set one in the printer settings".into()));
        };
        Ok(Some((printer, wildroot_model::receipt::escpos(&receipt, settings.paper))))
    }

    /// Prints a sale's receipt on this device's printer. The sale is
    /// recorded whatever happens here; an error says why it did not print.
    pub fn print_receipt(&self, key: &str) -> Result<()> {
        if let Some((printer, bytes)) = self.print_job(key, false)? {
            printer.send(&bytes)?;
        }
        Ok(())
    }
}

impl PrinterSettings {
    /// As a settings screen shows it.
    pub fn view(&self) -> PrinterView {
        let (kind, address) = match &self.printer {
            Some(Printer::Tcp(a)) => (Some("tcp".to_string()), Some(a.clone())),
            Some(Printer::Device(p)) => (Some("device".to_string()), Some(p.clone())),
            None => (None, None),
        };
        PrinterView { kind, address, width_mm: self.paper.mm(), auto_print: self.auto_print }
    }

    /// What a settings screen saved, checked by the same rules as the CLI's flags.
    pub fn from_view(v: &PrinterView) -> Result<PrinterSettings> {
        let address = v.address.as_deref().unwrap_or("");
        let printer = match v.kind.as_deref() {
            None | Some("") | Some("none") => None,
            Some("tcp") => Some(Printer::tcp(address)?),
            Some("device") => Some(Printer::device(address)?),
            Some(other) => return invalid(format!("'{other}' is not a kind of printer: choose a network printer or a device")),
        };
        let paper = Paper::parse(&v.width_mm.to_string()).map_err(CoreError::Invalid)?;
        Ok(PrinterSettings { printer, paper, auto_print: v.auto_print })
    }
}
