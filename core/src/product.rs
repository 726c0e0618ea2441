//! Products: what the maker sells, with a unique SKU, a price and stock that
//! is the sum of its movements.
use crate::error::{optional_text, text, CoreError, Result};
use crate::store::Store;
use rusqlite::{Connection, OptionalExtension};
use wildroot_model::op::*;
use wildroot_model::views::ProductView;
use wildroot_model::{Money, ProductId};

/// A new product as typed by a person.
#[derive(Clone, Debug, Default)]
pub struct NewProduct {
    pub sku: String,
    pub name: String,
    pub price: Money,
    pub category: Option<String>,
    pub barcode: Option<String>,
    pub low_stock_at: Option<i64>,
    pub favorite: bool,
    pub no_oversell: bool,
    /// "standard" when not given.
    pub tax_category: Option<String>,
    /// The label's net content ("56 g"), name and warnings, when given.
    pub net: Option<String>,
    pub label_name: Option<String>,
    pub warnings: Option<String>,
}

/// Changes to a product; `None` leaves a field alone, an empty text clears it.
#[derive(Clone, Debug, Default)]
pub struct ProductEdit {
    pub sku: Option<String>,
    pub name: Option<String>,
    pub price: Option<Money>,
    pub category: Option<String>,
    pub barcode: Option<String>,
    pub low_stock_at: Option<i64>,
    pub favorite: Option<bool>,
    pub no_oversell: Option<bool>,
    /// How the product is taxed at each place ("standard", "exempt", "food"…).
    pub tax_category: Option<String>,
    /// Net content on the label: "56 g", "30 ml".
    pub net: Option<String>,
    /// The product's identity on its label; empty clears it.
    pub label_name: Option<String>,
    /// Warnings on the label; empty clears them.
    pub warnings: Option<String>,
}

/// The essentials of a product found by SKU, barcode or id.
#[derive(Clone, Debug)]
pub struct ProductRef {
    pub id: ProductId,
    pub sku: String,
    pub name: String,
    pub price_cents: i64,
    pub no_oversell: bool,
    pub tax_category: String,
}

pub(crate) fn find(conn: &Connection, key: &str) -> Result<ProductRef> {
    let key = key.trim();
    let mut stmt = conn.prepare_cached(
        "SELECT id, sku, name, price_cents, no_oversell, tax_category FROM products
         WHERE archived = 0 AND (sku = ?1 OR barcode = ?1 OR id = ?1) ORDER BY sku = ?1 DESC LIMIT 1",
    )?;
    let found: Option<(String, String, String, i64, bool, String)> =
        stmt.query_row([key], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?))).optional()?;
    let (id, sku, name, price_cents, no_oversell, tax_category) =
        found.ok_or_else(|| CoreError::NotFound { what: "product", key: key.to_string(), hint: "check the SKU in the product list" })?;
    Ok(ProductRef {
        id: id.parse().map_err(|_| CoreError::Corrupt(format!("product id '{id}'")))?,
        sku,
        name,
        price_cents,
        no_oversell,
        tax_category,
    })
}

/// A product by what was scanned or typed: a label's GS1 code (its GTIN or
/// SKU, and the lot on the jar), else a SKU, barcode or id as [`find`].
pub(crate) fn find_scanned(conn: &Connection, key: &str) -> Result<(ProductRef, Option<String>)> {
    use wildroot_model::gs1::{self, Item};
    let scan = match gs1::parse(key) {
        None => return Ok((find(conn, key)?, None)),
        Some(scan) => scan.map_err(CoreError::Invalid)?,
    };
    let product = match &scan.item {
        Item::Sku(sku) => find(conn, sku)?,
        Item::Gtin(g) => {
            // A barcode is kept as printed (8, 12, 13 or 14 digits): each form of this GTIN.
            let forms: Vec<String> =
                [14usize, 13, 12, 8].iter().filter(|n| g[..14 - **n].bytes().all(|b| b == b'0')).map(|n| g[14 - n..].to_string()).collect();
            let mut stmt = conn.prepare_cached("SELECT sku FROM products WHERE archived = 0 AND barcode = ?1 LIMIT 1")?;
            let mut sku = None;
            for f in &forms {
                if let Some(s) = stmt.query_row([f], |r| r.get::<_, String>(0)).optional()? {
                    sku = Some(s);
                    break;
                }
            }
            let sku = sku.ok_or_else(|| CoreError::NotFound {
                what: "product",
                key: g.clone(),
                hint: "no product has this GTIN as its barcode: give it to the product, or sell it by SKU",
            })?;
            find(conn, &sku)?
        }
    };
    Ok((product, scan.lot))
}

pub(crate) fn on_hand(conn: &Connection, id: ProductId) -> Result<i64> {
    let mut stmt = conn.prepare_cached("SELECT COALESCE((SELECT on_hand FROM stock_levels WHERE item_id = ?1), 0)")?;
    Ok(stmt.query_row([id.to_string()], |r| r.get(0))?)
}

fn sku_taken(conn: &Connection, sku: &str, except: Option<ProductId>) -> Result<bool> {
    let other: Option<String> =
        conn.query_row("SELECT id FROM products WHERE sku = ?1 AND archived = 0 LIMIT 1", [sku], |r| r.get(0)).optional()?;
    Ok(other.is_some_and(|o| Some(o) != except.map(|e| e.to_string())))
}

fn check_sku(sku: &str) -> Result<String> {
    let sku = text("SKU", sku, 64)?;
    if sku.chars().any(|c| c.is_whitespace() || c == '=') {
        return Err(CoreError::Invalid(format!("the SKU '{sku}' contains spaces or '=': use letters, digits and dashes")));
    }
    Ok(sku)
}

fn check_price(price: Money) -> Result<i64> {
    if price.0 < 0 {
        return Err(CoreError::Invalid(format!("a price of {price} is negative: give 0 or more")));
    }
    Ok(price.0)
}

fn check_threshold(n: i64) -> Result<i64> {
    if n < 0 {
        return Err(CoreError::Invalid(format!("a low-stock threshold of {n} is negative: give 0 or more")));
    }
    Ok(n)
}

impl Store {
    pub fn add_product(&mut self, new: NewProduct) -> Result<ProductView> {
        let sku = check_sku(&new.sku)?;
        let fields = ProductFields {
            sku: Some(sku.clone()),
            name: Some(text("product name", &new.name, 120)?),
            category: Some(optional_text("category", new.category.as_deref().unwrap_or(""), 60)?),
            price_cents: Some(check_price(new.price)?),
            barcode: Some(optional_text("barcode", new.barcode.as_deref().unwrap_or(""), 64)?),
            low_stock_at: Some(check_threshold(new.low_stock_at.unwrap_or(0))?),
            favorite: Some(new.favorite),
            no_oversell: Some(new.no_oversell),
            archived: Some(false),
            tax_category: new
                .tax_category
                .as_deref()
                .map(|c| wildroot_model::bounds::tax_category(c.trim()).map(str::to_string).map_err(CoreError::Invalid))
                .transpose()?,
            net_qty: None,
            net_unit: None,
            label_name: new.label_name.as_deref().map(|v| optional_text("label name", v, 120)).transpose()?,
            warnings: new.warnings.as_deref().map(|v| optional_text("warnings", v, 500)).transpose()?,
        };
        let mut fields = fields;
        if let Some(net) = new.net.as_deref().filter(|n| !n.trim().is_empty()) {
            let (qty, unit) = wildroot_model::field::net_content("net content", net).map_err(CoreError::Invalid)?;
            fields.net_qty = Some(qty);
            fields.net_unit = Some(unit);
        }
        let id = self.write(|tx| {
            if sku_taken(tx, &sku, None)? {
                return Err(CoreError::Duplicate { what: "SKU", key: sku.clone(), hint: "every product needs its own SKU" });
            }
            let id = ProductId::new();
            tx.record(OpKind::ProductCreated(ProductCreated { product_id: id, fields }))?;
            Ok(id)
        })?;
        self.product(&id.to_string())
    }

    pub fn edit_product(&mut self, key: &str, edit: ProductEdit) -> Result<ProductView> {
        let id = self.write(|tx| {
            let p = find(tx, key)?;
            let mut fields = ProductFields::default();
            if let Some(s) = &edit.sku {
                let s = check_sku(s)?;
                if sku_taken(tx, &s, Some(p.id))? {
                    return Err(CoreError::Duplicate { what: "SKU", key: s, hint: "every product needs its own SKU" });
                }
                fields.sku = Some(s);
            }
            fields.name = edit.name.as_deref().map(|v| text("product name", v, 120)).transpose()?;
            fields.category = edit.category.as_deref().map(|v| optional_text("category", v, 60)).transpose()?;
            fields.price_cents = edit.price.map(check_price).transpose()?;
            fields.barcode = edit.barcode.as_deref().map(|v| optional_text("barcode", v, 64)).transpose()?;
            fields.low_stock_at = edit.low_stock_at.map(check_threshold).transpose()?;
            fields.favorite = edit.favorite;
            fields.no_oversell = edit.no_oversell;
            fields.tax_category = edit
                .tax_category
                .as_deref()
                .map(|c| wildroot_model::bounds::tax_category(c.trim()).map(str::to_string).map_err(CoreError::Invalid))
                .transpose()?;
            if let Some(net) = edit.net.as_deref().filter(|n| !n.trim().is_empty()) {
                let (qty, unit) = wildroot_model::field::net_content("net content", net).map_err(CoreError::Invalid)?;
                fields.net_qty = Some(qty);
                fields.net_unit = Some(unit);
            }
            fields.label_name = edit.label_name.as_deref().map(|v| optional_text("label name", v, 120)).transpose()?;
            fields.warnings = edit.warnings.as_deref().map(|v| optional_text("warnings", v, 500)).transpose()?;
            if fields == ProductFields::default() {
                return Err(CoreError::Invalid("nothing to change: give at least one field to edit".into()));
            }
            tx.record(OpKind::ProductEdited(ProductEdited { product_id: p.id, fields }))?;
            Ok(p.id)
        })?;
        self.product(&id.to_string())
    }

    /// Archives a product: it leaves the catalogue and the POS; its history stays.
    pub fn archive_product(&mut self, key: &str) -> Result<()> {
        self.write(|tx| {
            let p = find(tx, key)?;
            tx.record(OpKind::ProductEdited(ProductEdited {
                product_id: p.id,
                fields: ProductFields { archived: Some(true), ..Default::default() },
            }))?;
            Ok(())
        })
    }

    /// Corrects a product's stock by a signed number of units, with a reason.
    pub fn adjust_product(&mut self, key: &str, qty: i64, reason: &str) -> Result<ProductView> {
        let reason = text("reason", reason, 200)?;
        if qty == 0 {
            return Err(CoreError::Invalid("an adjustment of 0 changes nothing: give a non-zero amount like -2 or +5".into()));
        }
        let id = self.write(|tx| {
            let p = find(tx, key)?;
            tx.record(OpKind::StockAdjusted(crate::lot::adjustment(tx, Item::Product(p.id), qty, reason)?))?;
            Ok(p.id)
        })?;
        self.product(&id.to_string())
    }

    /// Records a shelf count. Stored as the difference from what this
    /// device knew was on hand, never as a new total, so sales made on other
    /// devices meanwhile still count when they sync in.
    pub fn count_product(&mut self, key: &str, counted: i64) -> Result<ProductView> {
        if counted < 0 {
            return Err(CoreError::Invalid(format!("a count of {counted} is negative: count what is on the shelf, 0 or more")));
        }
        wildroot_model::bounds::qty_in("a count", counted, 0, wildroot_model::bounds::MAX_QTY).map_err(CoreError::Invalid)?;
        let id = self.write(|tx| {
            let p = find(tx, key)?;
            let known = on_hand(tx, p.id)?;
            if counted != known {
                let reason = format!("count: {counted} on the shelf, {known} on the books");
                tx.record(OpKind::StockAdjusted(crate::lot::adjustment(tx, Item::Product(p.id), counted.saturating_sub(known), reason)?))?;
            }
            Ok(p.id)
        })?;
        self.product(&id.to_string())
    }

    pub fn product(&self, key: &str) -> Result<ProductView> {
        let p = find(self.conn(), key)?;
        let mut list = self.query_products("WHERE p.id = ?1", &[&p.id.to_string()], "")?;
        list.pop().ok_or_else(|| CoreError::Corrupt("product vanished".into()))
    }

    /// Products not archived, optionally those whose SKU, name or barcode
    /// starts with `search` (case-insensitive). At most `limit`.
    pub fn list_products(&self, search: Option<&str>, limit: Option<usize>) -> Result<Vec<ProductView>> {
        let lim = limit.map(|l| format!("LIMIT {l}")).unwrap_or_default();
        match search.map(str::trim).filter(|s| !s.is_empty()) {
            None => self.query_products("WHERE p.archived = 0", &[], &lim),
            // A label's code finds its one product (none when no product has it).
            Some(s) if wildroot_model::gs1::parse(s).is_some() => match find_scanned(self.conn(), s) {
                Ok((p, _)) => self.query_products("WHERE p.id = ?1", &[&p.id.to_string()], ""),
                Err(CoreError::NotFound { .. }) => Ok(Vec::new()),
                Err(e) => Err(e),
            },
            Some(s) => {
                let escaped: String = s.chars().flat_map(|c| if matches!(c, '%' | '_' | '\\') { vec!['\\', c] } else { vec![c] }).collect();
                let pattern = format!("{escaped}%");
                self.query_products(
                    "WHERE p.archived = 0 AND (p.sku LIKE ?1 ESCAPE '\\' OR p.name LIKE ?1 ESCAPE '\\' OR p.barcode LIKE ?1 ESCAPE '\\')",
                    &[&pattern],
                    &lim,
                )
            }
        }
    }

    fn query_products(&self, filter: &str, params: &[&dyn rusqlite::ToSql], limit: &str) -> Result<Vec<ProductView>> {
        let sql = format!(
            "SELECT p.id, p.sku, p.name, p.category, p.price_cents, p.barcode, p.low_stock_at, p.favorite, p.no_oversell, p.archived,
                    COALESCE((SELECT on_hand FROM stock_levels sl WHERE sl.item_id = p.id), 0), p.tax_category,
                    p.net_qty, p.net_unit, p.label_name, p.warnings
             FROM products p {filter} ORDER BY p.sku {limit}"
        );
        let mut stmt = self.conn().prepare_cached(&sql)?;
        let rows = stmt.query_map(params, |r| {
            Ok((
                r.get::<_, String>(0)?,
                ProductView {
                    // Set from column 0 by the caller; nil until then.
                    id: ProductId(uuid::Uuid::nil()),
                    sku: r.get(1)?,
                    name: r.get(2)?,
                    category: r.get(3)?,
                    price_cents: r.get(4)?,
                    barcode: r.get(5)?,
                    low_stock_at: r.get(6)?,
                    favorite: r.get(7)?,
                    no_oversell: r.get(8)?,
                    archived: r.get(9)?,
                    on_hand: r.get(10)?,
                    tax_category: r.get(11)?,
                    label: wildroot_model::views::ProductLabel {
                        net: match (r.get::<_, Option<i64>>(12)?, r.get::<_, Option<String>>(13)?) {
                            (Some(q), Some(u)) => Some(format!("{q} {u}")),
                            _ => None,
                        },
                        label_name: r.get(14)?,
                        warnings: r.get(15)?,
                    },
                },
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, mut view) = row?;
            view.id = id.parse().map_err(|_| CoreError::Corrupt(format!("product id '{id}'")))?;
            out.push(view);
        }
        Ok(out)
    }
}
