//! Sales, voids and refunds. A completed sale is a fact: it is never edited;
//! voids and refunds are new operations that reference it (DESIGN rule 4).
use crate::error::{text, CoreError, Result};
use crate::store::{Store, Tx};
use crate::{customer, event, product};
use rusqlite::OptionalExtension;
use std::collections::HashMap;
use wildroot_model::bounds;
use wildroot_model::money::div_round;
use wildroot_model::op::*;
use wildroot_model::pricing::{self, CartLine, Discount};
use wildroot_model::views::{RefundReceipt, SaleReceipt, SaleSummary, SoldLine as SoldLineView};
use wildroot_model::{EventId, Money, ProductId, RefundId, SaleId};

/// One line as rung up: a SKU or barcode, a quantity, optionally a price
/// other than the shelf price and a line discount.
#[derive(Clone, Debug)]
pub struct LineRequest {
    pub key: String,
    pub qty: i64,
    pub unit_price: Option<Money>,
    pub discount: Option<Discount>,
    /// The lot code on the jar, when it matters which; otherwise the sale
    /// takes from the earliest-expiring lots.
    pub lot: Option<String>,
    /// Rung up as a custom-amount item: something not in the catalogue.
    /// `key` then says what it was and `unit_price` is required.
    pub custom: Option<CustomItem>,
}

/// A custom-amount item's tax: it is taxed in its category like a product
/// of that category, and takes no stock.
#[derive(Clone, Debug)]
pub struct CustomItem {
    pub tax_category: String,
}

/// What a line sells: a product from the catalogue, or a custom item.
enum Sold {
    Product(product::ProductRef),
    Custom { description: String, tax_category: String },
}

#[derive(Clone, Debug, Default)]
pub struct SaleRequest {
    pub lines: Vec<LineRequest>,
    pub discount: Option<Discount>,
    /// Email, phone or id of a known customer.
    pub customer: Option<String>,
    /// An email or phone no customer has adds one, with the sale and in its
    /// transaction (`customer::find_or_add`): a refused sale leaves none.
    /// Without it, an unknown customer refuses the sale.
    pub add_customer: bool,
    pub payments: Vec<(PayMethod, Money)>,
    /// Payments by tender name ("cash", "card", "SNAP"…), in the order
    /// handed over, after `payments`.
    pub tenders: Vec<(String, Money)>,
    /// A tip on top of the sale: not taxed, not revenue.
    pub tip: Option<TipRequest>,
}

/// A tip as given: an amount, or a rate of the sale's total.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TipRequest {
    Amount(Money),
    PercentBp(i64),
}

impl Store {
    /// Rings up a sale: prices it, checks the payments cover it, takes the
    /// stock, numbers the receipt and attaches the open event, in one operation.
    pub fn sell(&mut self, req: SaleRequest) -> Result<SaleReceipt> {
        self.write(|tx| sell_in(tx, &req))
    }

    /// Voids a sale rung up in error: it leaves the reports and its stock comes back.
    pub fn void_sale(&mut self, sale_key: &str, reason: &str) -> Result<SaleId> {
        let reason = text("reason", reason, 200)?;
        self.write(|tx| {
            let (sale_id, voided) = find_sale(tx, sale_key)?;
            let receipt = receipt_of(tx, sale_id)?;
            if voided {
                return Err(CoreError::Invalid(format!("sale {receipt} is already voided")));
            }
            let refunded: bool =
                tx.query_row("SELECT EXISTS (SELECT 1 FROM refunds WHERE sale_id = ?1)", [sale_id.to_string()], |r| r.get(0))?;
            if refunded {
                return Err(CoreError::Invalid(format!("sale {receipt} has refunds: refund the rest of it instead of voiding")));
            }
            void_allowed(tx, sale_id, &receipt)?;
            tx.record(OpKind::SaleVoided(SaleVoided { sale_id, reason, at_ms: tx.now_ms(), restock: true }))?;
            Ok(sale_id)
        })
    }

    /// Records a card or other payment taken off a sale before it was
    /// finished, with the answer to "was it charged?", at the open event.
    pub fn withdraw_payment(&mut self, method: PayMethod, amount: Money, charged: bool) -> Result<()> {
        self.write(|tx| {
            let event_id = event::open_event(tx)?.map(|e| e.id);
            tx.record(OpKind::PaymentWithdrawn(PaymentWithdrawn {
                at_ms: tx.now_ms(),
                event_id,
                method,
                amount_cents: amount.0,
                charged,
            }))?;
            Ok(())
        })
    }

    /// Refunds a whole sale (`lines` = None) or some of its lines by SKU and
    /// quantity; the goods go back on the shelf unless `restock` is false.
    pub fn refund(&mut self, sale_key: &str, lines: Option<&[(String, i64)]>, restock: bool) -> Result<RefundReceipt> {
        self.write(|tx| refund_in(tx, sale_key, lines, restock))
    }
}

/// Finds a sale to void or refund by id or receipt number. Returns its id
/// and whether it is voided. Online orders are refused: Shopify owns them,
/// and a refund made there comes in with the next import.
pub(crate) fn find_sale(tx: &rusqlite::Connection, key: &str) -> Result<(SaleId, bool)> {
    let key = key.trim();
    let found: Option<(String, bool, String)> = tx
        .query_row("SELECT id, voided, device FROM sales WHERE id = ?1 OR receipt_no = ?1 LIMIT 1", [key], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .optional()?;
    let (id, voided, device) = found.ok_or_else(|| CoreError::NotFound {
        what: "sale",
        key: key.to_string(),
        hint: "give its receipt number (like A-000123) or sale id",
    })?;
    if device == crate::apply::shopify::ONLINE {
        return Err(CoreError::Invalid(format!(
            "sale {key} is a Shopify order: refund or cancel it in Shopify, and the next import brings the change here"
        )));
    }
    Ok((id.parse().map_err(|_| CoreError::Corrupt(format!("sale id '{id}'")))?, voided))
}

/// The void rule, as at any till: a void takes back a sale rung up in error
/// while the drawer it went into is still open on this device. A sale of a
/// market day whose drawer is counted, or of another device's drawer, is
/// refunded instead, so its cash goes out of the drawer open now and the
/// counted Z report never changes. Sales outside a market day (no drawer)
/// may be voided. The same rule holds for voids that arrive by sync
/// (`apply::late_void`).
/// A sale as people know it: its receipt number (never its internal id).
fn receipt_of(conn: &rusqlite::Connection, sale_id: SaleId) -> Result<String> {
    Ok(conn.query_row("SELECT receipt_no FROM sales WHERE id = ?1", [sale_id.to_string()], |r| r.get(0))?)
}

fn void_allowed(tx: &Tx<'_>, sale_id: SaleId, receipt: &str) -> Result<()> {
    let (event, device): (Option<String>, String) =
        tx.query_row("SELECT event_id, device FROM sales WHERE id = ?1", [sale_id.to_string()], |r| Ok((r.get(0)?, r.get(1)?)))?;
    let Some(event) = event else { return Ok(()) };
    let name: String = tx.query_row("SELECT name FROM events WHERE id = ?1", [&event], |r| r.get(0)).optional()?.unwrap_or_default();
    if device != tx.device().to_string() {
        return Err(CoreError::Invalid(format!(
            "sale {receipt} went into another device's drawer at '{name}': refund it here (the cash comes out of this drawer), or void it on that device while its drawer is open"
        )));
    }
    let open: bool = tx
        .query_row("SELECT closed_at_ms IS NULL FROM event_drawers WHERE event_id = ?1 AND device = ?2", (&event, &device), |r| r.get(0))
        .optional()?
        .unwrap_or(false);
    if !open {
        return Err(CoreError::Invalid(format!(
            "sale {receipt} is in the drawer of '{name}', which is counted and closed: refund it instead, and the cash comes out of the drawer open now"
        )));
    }
    Ok(())
}

fn sell_in(tx: &Tx<'_>, req: &SaleRequest) -> Result<SaleReceipt> {
    if req.lines.is_empty() {
        return crate::error::needs(crate::error::Fix::GiveLines, "a sale needs at least one line: a product and a quantity");
    }
    if req.payments.iter().any(|p| p.0 == PayMethod::Shopify) {
        return Err(CoreError::Invalid("Shopify payments come only with imported online orders: pay by cash, card or other".into()));
    }
    // Taxed by where the sale happens: each line at its category's rate there.
    let (place_name, place) = crate::tax::place_now(tx)?;
    let mut found = Vec::with_capacity(req.lines.len());
    let mut cart = Vec::with_capacity(req.lines.len());
    // The lot each line takes from when the jar's lot is known (typed or scanned).
    let mut picked: Vec<Option<String>> = Vec::with_capacity(req.lines.len());
    for l in &req.lines {
        if l.qty <= 0 {
            return Err(CoreError::Invalid(format!("{}={} sells nothing: give a quantity of 1 or more", l.key, l.qty)));
        }
        bounds::positive_qty(&format!("a quantity of {}", l.key), l.qty).map_err(CoreError::Invalid)?;
        if let Some(price) = l.unit_price {
            bounds::cents(&format!("a price for {}", l.key), price.0).map_err(CoreError::Invalid)?;
        }
        match &l.custom {
            Some(custom) => {
                let description = bounds::custom_description(l.key.trim()).map_err(CoreError::Invalid)?.to_string();
                let tax_category = bounds::tax_category(custom.tax_category.trim()).map_err(CoreError::Invalid)?.to_string();
                let price = l.unit_price.ok_or_else(|| {
                    CoreError::Invalid(format!("the custom item '{description}' has no price: give the amount it sells for"))
                })?;
                if l.lot.is_some() {
                    return Err(CoreError::Invalid(format!("the custom item '{description}' takes no stock, so it has no lot")));
                }
                if !place.knows(&tax_category) {
                    return Err(CoreError::Invalid(format!(
                        "{} has no tax category '{tax_category}': use {}",
                        place.name,
                        place.category_names().join(", ")
                    )));
                }
                let rate = place.rate_of(&tax_category);
                picked.push(None);
                cart.push(CartLine { qty: l.qty, unit_price: price, discount: l.discount, tax_bp: Some(rate) });
                found.push(Sold::Custom { description, tax_category });
            }
            None => {
                // A label's code names the lot on the jar too (a lot typed as well wins).
                let (p, scanned_lot) = product::find_scanned(tx, &l.key)?;
                picked.push(l.lot.clone().or(scanned_lot));
                cart.push(CartLine {
                    qty: l.qty,
                    unit_price: l.unit_price.unwrap_or(Money(p.price_cents)),
                    discount: l.discount,
                    tax_bp: Some(place.rate_of(&p.tax_category)),
                });
                found.push(Sold::Product(p));
            }
        }
    }
    let mut tendered: Vec<pricing::Tendered> = req.payments.iter().map(|(m, a)| pricing::Tendered::of(*m, *a)).collect();
    for (name, amount) in &req.tenders {
        tendered.push(crate::tender::tendered(tx, name, *amount)?);
    }
    for t in &tendered {
        bounds::cents("a payment", t.amount.0).map_err(CoreError::Invalid)?;
    }
    let priced = pricing::price(&cart, req.discount, place.rate_bp, place.inclusive)?;
    bounds::cents("a sale's total", priced.total_cents).map_err(CoreError::Invalid)?;
    let tip = match req.tip {
        None => 0,
        Some(TipRequest::Amount(m)) => m.0,
        Some(TipRequest::PercentBp(bp)) => Money(priced.total_cents).percent_bp(bp).0,
    };
    if tip < 0 || (req.tip.is_some() && tip == 0 && !matches!(req.tip, Some(TipRequest::PercentBp(0)))) {
        return Err(CoreError::Invalid(format!("a tip of {} is not one: give an amount above 0 or a percentage", Money(tip))));
    }
    bounds::cents("a tip", tip).map_err(CoreError::Invalid)?;
    let (payments, change, tip) = pricing::settle_with_tip(priced.total_cents, tip, &tendered)?;

    // Overselling is allowed (the jar is already in the customer's hand) and
    // reported, unless the product was set to refuse it.
    let mut wanted: HashMap<ProductId, (i64, &product::ProductRef)> = HashMap::new();
    for (sold, l) in found.iter().zip(&req.lines) {
        if let Sold::Product(p) = sold {
            wanted.entry(p.id).or_insert((0, p)).0 += l.qty;
        }
    }
    let mut oversold = Vec::new();
    for (id, (qty, p)) in &wanted {
        let have = product::on_hand(tx, *id)?;
        if have < *qty {
            if p.no_oversell {
                return Err(CoreError::Invalid(format!(
                    "{} has {have} on hand and is set to refuse overselling: sell at most {}",
                    p.sku,
                    have.max(0)
                )));
            }
            oversold.push(p.sku.clone());
        }
    }
    oversold.sort();
    let event = event::open_event(tx)?;
    let over_allotment = match &event {
        Some(e) => {
            let wanted: Vec<_> = wanted.values().map(|(qty, p)| (p.sku.clone(), *qty)).collect();
            event::over_allotment(tx, e.id, &wanted)?
        }
        None => Vec::new(),
    };

    let customer_id = match req.customer.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        Some(c) if req.add_customer => Some(customer::find_or_add(tx, c)?),
        Some(c) => Some(customer::find(tx, c)?.0),
        None => None,
    };
    let (prefix, n): (String, i64) =
        tx.query_row("SELECT receipt_prefix, next_receipt FROM local_device", [], |r| Ok((r.get(0)?, r.get(1)?)))?;
    tx.execute("UPDATE local_device SET next_receipt = next_receipt + 1", [])?;
    let receipt_no = format!("{prefix}-{n:06}");
    let sale_id = SaleId::new();
    let at_ms = tx.now_ms();
    let today = crate::apply::day(at_ms);
    let mut taken = HashMap::new();
    let mut lots = Vec::with_capacity(found.len());
    for ((sold, l), lot) in found.iter().zip(&req.lines).zip(&picked) {
        let Sold::Product(p) = sold else {
            lots.push(Vec::new());
            continue;
        };
        lots.push(match lot {
            // Picked by hand: the jar is from that lot, whatever the books say is left.
            Some(code) => {
                let lot_id = crate::lot::product_lot(tx, p.id, &p.sku, code)?;
                *taken.entry(lot_id).or_insert(0) += l.qty;
                vec![LotTake { lot_id, qty: l.qty, cost_cents: 0 }]
            }
            None => crate::lot::fefo(tx, p.id, l.qty, &today, &mut taken)?,
        });
    }
    let lines = found
        .iter()
        .zip(&cart)
        .zip(&priced.lines)
        .zip(lots)
        .map(|(((sold, c), pl), lots)| SaleLine {
            product_id: match sold {
                Sold::Product(p) => Some(p.id),
                Sold::Custom { .. } => None,
            },
            description: match sold {
                Sold::Product(_) => None,
                Sold::Custom { description, .. } => Some(description.clone()),
            },
            // "standard" is the default a line does not repeat.
            tax_category: match sold {
                Sold::Product(p) => Some(p.tax_category.clone()),
                Sold::Custom { tax_category, .. } => Some(tax_category.clone()),
            }
            .filter(|c| c != bounds::STANDARD_CATEGORY),
            tax_bp: c.tax_bp.filter(|bp| *bp != place.rate_bp),
            qty: c.qty,
            unit_price_cents: c.unit_price.0,
            gross_cents: pl.gross_cents,
            discount_cents: pl.discount_cents,
            tax_cents: pl.tax_cents,
            net_cents: pl.net_cents,
            total_cents: pl.total_cents,
            lots,
        })
        .collect();
    tx.record(OpKind::SaleCompleted(SaleCompleted {
        sale_id,
        receipt_no: receipt_no.clone(),
        at_ms,
        event_id: event.map(|e| e.id),
        customer_id,
        lines,
        tax_place: place_name,
        tax_bp: place.rate_bp,
        tax_inclusive: place.inclusive,
        gross_cents: priced.gross_cents,
        discount_cents: priced.discount_cents,
        tax_cents: priced.tax_cents,
        total_cents: priced.total_cents,
        change_cents: change,
        payments,
        tip,
    }))?;
    Ok(SaleReceipt {
        sale_id,
        receipt_no,
        gross_cents: priced.gross_cents,
        discount_cents: priced.discount_cents,
        tax_cents: priced.tax_cents,
        total_cents: priced.total_cents,
        change_cents: change,
        oversold,
        over_allotment,
    })
}

struct SoldLine {
    line_no: i64,
    /// None for a custom-amount item, whose `sku` is its description.
    product_id: Option<ProductId>,
    sku: String,
    qty: i64,
    total_cents: i64,
    tax_cents: i64,
    refunded_qty: i64,
    refunded_cents: i64,
    refunded_tax: i64,
}

fn refund_in(tx: &Tx<'_>, sale_key: &str, lines: Option<&[(String, i64)]>, restock: bool) -> Result<RefundReceipt> {
    let (sale_id, voided) = find_sale(tx, sale_key)?;
    let sid = sale_id.to_string();
    let receipt = receipt_of(tx, sale_id)?;
    if voided {
        return Err(CoreError::Invalid(format!("sale {receipt} was voided: there is nothing to refund")));
    }
    let mut stmt = tx.prepare(
        "SELECT l.line_no, l.product_id, COALESCE(p.sku, l.description, ''), l.qty, l.total_cents, l.tax_cents,
                COALESCE(r.qty, 0), COALESCE(r.amount, 0), COALESCE(r.tax, 0)
         FROM sale_lines l LEFT JOIN products p ON p.id = l.product_id
         LEFT JOIN (SELECT rl.line_no, SUM(rl.qty) AS qty, SUM(rl.amount_cents) AS amount, SUM(rl.tax_cents) AS tax
                    FROM refund_lines rl JOIN refunds f ON f.id = rl.refund_id WHERE f.sale_id = ?1 GROUP BY rl.line_no) r
                ON r.line_no = l.line_no
         WHERE l.sale_id = ?1 ORDER BY l.line_no",
    )?;
    let sold: Vec<SoldLine> = stmt
        .query_map([&sid], |r| {
            let pid: String = r.get(1)?;
            Ok((pid, r.get(0)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?, r.get(8)?))
        })?
        .map(|row| {
            let (pid, line_no, sku, qty, total_cents, tax_cents, refunded_qty, refunded_cents, refunded_tax) = row?;
            Ok(SoldLine {
                line_no,
                product_id: crate::apply::product_of_key(&pid)?,
                sku,
                qty,
                total_cents,
                tax_cents,
                refunded_qty,
                refunded_cents,
                refunded_tax,
            })
        })
        .collect::<Result<_>>()?;

    // (line index, qty to refund)
    let mut take: Vec<(usize, i64)> = Vec::new();
    match lines {
        None => {
            for (i, l) in sold.iter().enumerate() {
                if l.qty > l.refunded_qty {
                    take.push((i, l.qty - l.refunded_qty));
                }
            }
            if take.is_empty() {
                return Err(CoreError::Invalid(format!("sale {receipt} is already fully refunded")));
            }
        }
        Some(wanted) => {
            if wanted.is_empty() {
                return crate::error::needs(
                    crate::error::Fix::GiveLines,
                    "give the products and quantities to refund, or none for the whole sale",
                );
            }
            let mut left: Vec<i64> = sold.iter().map(|l| l.qty - l.refunded_qty).collect();
            for (key, qty) in wanted {
                if *qty <= 0 {
                    return Err(CoreError::Invalid(format!("{key}={qty} refunds nothing: give a quantity of 1 or more")));
                }
                // A product by SKU or barcode (or a SKU sold then, renamed
                // since); a custom-amount item by what it was called.
                let p = product::find(tx, key)
                    .ok()
                    .map(|p| p.id)
                    .or_else(|| sold.iter().find(|l| l.product_id.is_some() && l.sku.eq_ignore_ascii_case(key)).and_then(|l| l.product_id));
                let matches = |l: &SoldLine| match l.product_id {
                    Some(id) => Some(id) == p,
                    None => l.sku.eq_ignore_ascii_case(key.trim()),
                };
                let mut need = *qty;
                for (i, l) in sold.iter().enumerate() {
                    if matches(l) && left[i] > 0 && need > 0 {
                        let n = need.min(left[i]);
                        left[i] -= n;
                        need -= n;
                        take.push((i, n));
                    }
                }
                if need > 0 {
                    let could = qty - need;
                    return Err(CoreError::Invalid(format!("sale {receipt} has only {could} of {key} left to refund, not {qty}")));
                }
            }
        }
    }

    let mut refund_lines = Vec::new();
    let mut queued: HashMap<usize, (i64, i64, i64)> = HashMap::new();
    for (i, n) in take {
        let l = &sold[i];
        let q = queued.entry(i).or_insert((0, 0, 0));
        let done_qty = l.refunded_qty + q.0;
        let amount = refund_share(l.total_cents, l.refunded_cents + q.1, done_qty + n, l.qty);
        let tax = refund_share(l.tax_cents, l.refunded_tax + q.2, done_qty + n, l.qty);
        q.0 += n;
        q.1 += amount;
        q.2 += tax;
        refund_lines.push(RefundLine {
            line_no: l.line_no,
            product_id: l.product_id,
            qty: n,
            amount_cents: amount,
            tax_cents: tax,
            lots: Vec::new(),
        });
    }
    // Two requests for the same line become one refund line.
    let mut merged: Vec<RefundLine> = Vec::new();
    for l in refund_lines {
        match merged.iter_mut().find(|m| m.line_no == l.line_no) {
            Some(m) => {
                m.qty += l.qty;
                m.amount_cents += l.amount_cents;
                m.tax_cents += l.tax_cents;
            }
            None => merged.push(l),
        }
    }
    if restock {
        for l in merged.iter_mut().filter(|l| l.product_id.is_some()) {
            l.lots = crate::lot::refund_lots(tx, &sid, l.line_no, l.qty)?;
        }
    }
    let total: i64 = merged.iter().map(|l| l.amount_cents).sum();
    // Money goes back in cash if any was taken, else the way it came.
    let (method, tender): (PayMethod, Option<String>) = tx
        .query_row("SELECT method, tender FROM sale_payments WHERE sale_id = ?1 ORDER BY method = 'cash' DESC, n LIMIT 1", [&sid], |r| {
            Ok((PayMethod::parse(&r.get::<_, String>(0)?).unwrap_or(PayMethod::Other), r.get(1)?))
        })
        .optional()?
        .unwrap_or((PayMethod::Cash, None));
    let refund_id = RefundId::new();
    tx.record(OpKind::SaleRefunded(SaleRefunded {
        refund_id,
        sale_id,
        at_ms: tx.now_ms(),
        event_id: event::open_event(tx)?.map(|e| e.id),
        restock,
        method,
        tender,
        lines: merged,
        total_cents: total,
    }))?;
    Ok(RefundReceipt { refund_id, sale_id, total_cents: total, method })
}

/// What refunding a line up to `units_after` of its `qty` units gives back
/// of one money part (`paid` for the whole line, `refunded` of it so far).
///
/// The rule: the running total of what has been refunded of a line is
/// rounded, not each refund, so the parts never go negative, never exceed
/// what was paid, and the last unit returns exactly what is left; refunding
/// one unit at a time adds up to refunding them all at once.
pub(crate) fn refund_share(paid: i64, refunded: i64, units_after: i64, qty: i64) -> i64 {
    if qty <= 0 || paid <= 0 {
        return 0;
    }
    let target =
        if units_after >= qty { paid } else { div_round(i128::from(paid) * i128::from(units_after.max(0)), i128::from(qty)) as i64 };
    (target - refunded).clamp(0, (paid - refunded).max(0))
}

impl Store {
    /// The newest sales first, with their lines and payments: those of one
    /// event, or of every event when `event` is None. For a booth's history list.
    pub fn recent_sales(&self, event: Option<EventId>, limit: usize) -> Result<Vec<SaleSummary>> {
        let conn = self.conn();
        let limit = i64::try_from(limit.min(1000)).unwrap_or(1000);
        let mut stmt = conn.prepare_cached(
            "SELECT s.id, s.receipt_no, s.at_ms, s.event_id, c.name, s.total_cents, s.change_cents, s.voided,
                    COALESCE((SELECT SUM(total_cents) FROM refunds r WHERE r.sale_id = s.id), 0)
             FROM sales s LEFT JOIN customers c ON c.id = s.customer_id
             WHERE ?1 IS NULL OR s.event_id = ?1
             ORDER BY s.at_ms DESC, s.receipt_no DESC LIMIT ?2",
        )?;
        let rows = stmt
            .query_map((event.map(|e| e.to_string()), limit), |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, Option<String>>(3)?,
                    r.get::<_, Option<String>>(4)?,
                    r.get::<_, i64>(5)?,
                    r.get::<_, i64>(6)?,
                    r.get::<_, bool>(7)?,
                    r.get::<_, i64>(8)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let mut lines_stmt = conn.prepare_cached(
            // A custom-amount item has no SKU; its name is what it was called.
            "SELECT COALESCE(p.sku, ''), COALESCE(p.name, l.description, ''), l.qty, l.total_cents
             FROM sale_lines l LEFT JOIN products p ON p.id = l.product_id
             WHERE l.sale_id = ?1 ORDER BY l.line_no",
        )?;
        let mut pay_stmt = conn.prepare_cached(
            "SELECT method, amount_cents, tendered_cents, tender, gives_change FROM sale_payments WHERE sale_id = ?1 ORDER BY n",
        )?;
        let corrupt = |what: &str, v: &str| CoreError::Corrupt(format!("{what} '{v}'"));
        rows.into_iter()
            .map(|(id, receipt_no, at_ms, event_id, customer, total_cents, change_cents, voided, refunded_cents)| {
                let lines = lines_stmt
                    .query_map([&id], |r| Ok(SoldLineView { sku: r.get(0)?, name: r.get(1)?, qty: r.get(2)?, total_cents: r.get(3)? }))?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                let payments = pay_stmt
                    .query_map([&id], |r| Ok((r.get::<_, String>(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))?
                    .map(|row| {
                        let (method, amount_cents, tendered_cents, tender, gives_change) = row?;
                        let method = PayMethod::parse(&method).ok_or_else(|| corrupt("payment method", &method))?;
                        Ok(Payment { method, amount_cents, tendered_cents, tender, gives_change })
                    })
                    .collect::<Result<Vec<_>>>()?;
                Ok(SaleSummary {
                    sale_id: id.parse().map_err(|_| corrupt("sale id", &id))?,
                    receipt_no,
                    at_ms,
                    event_id: event_id.map(|e| e.parse().map_err(|_| corrupt("event id", &e))).transpose()?,
                    customer,
                    total_cents,
                    change_cents,
                    refunded_cents,
                    voided,
                    lines,
                    payments,
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::refund_share;

    /// Defect: 4 pins whose line total is 0.02, refunded one at a time, gave 1, 1, 1, −1 cents.
    #[test]
    fn refunds_one_unit_at_a_time_round_the_running_total() {
        let mut refunded = 0;
        let mut parts = Vec::new();
        for k in 1..=4 {
            let part = refund_share(2, refunded, k, 4);
            refunded += part;
            parts.push(part);
        }
        assert_eq!(parts, vec![1, 0, 1, 0]);
        // 10 stickers at 0.10 with 5 % tax: 0.05 of tax refunded unit by unit.
        let mut refunded = 0;
        for k in 1..=10 {
            let part = refund_share(5, refunded, k, 10);
            assert!(part >= 0);
            refunded += part;
            assert!(refunded <= 5);
            if k < 10 {
                assert!(refunded <= 5);
            }
        }
        assert_eq!(refunded, 5);
    }

    #[test]
    fn a_share_is_never_negative_nor_more_than_was_left() {
        for paid in 0..40 {
            for qty in 1..9 {
                let mut refunded = 0;
                for k in 1..=qty {
                    let part = refund_share(paid, refunded, k, qty);
                    assert!(part >= 0 && refunded + part <= paid, "paid {paid} qty {qty} k {k}");
                    refunded += part;
                }
                assert_eq!(refunded, paid);
            }
        }
    }
}
