//! Supplies: raw materials bought by weight, volume or piece, received as
//! lots with their cost, consumed by batches, corrected by adjustments.
use crate::error::{optional_text, text, CoreError, Result};
use crate::store::{Store, Tx};
use rusqlite::{Connection, OptionalExtension, Row};
use wildroot_model::op::*;
use wildroot_model::views::SupplyView;
use wildroot_model::{money::div_round, LotId, Money, Quantity, SupplyId, Unit};

/// A new supply as typed by a person.
#[derive(Clone, Debug, Default)]
pub struct NewSupply {
    pub name: String,
    pub unit: Option<Unit>,
    /// e.g. `500g`, in the supply's unit.
    pub reorder_at: Option<String>,
    pub supplier: Option<String>,
    pub notes: Option<String>,
}

/// Changes to a supply; `None` leaves a field alone.
#[derive(Clone, Debug, Default)]
pub struct SupplyEdit {
    pub name: Option<String>,
    pub reorder_at: Option<String>,
    pub supplier: Option<String>,
    pub notes: Option<String>,
    /// Its INCI name, for labels; empty clears it.
    pub inci: Option<String>,
    /// Grams per ml ("0.92"), for a supply measured in ml.
    pub density: Option<String>,
}

/// A supply found by name or id.
#[derive(Clone, Debug)]
pub struct SupplyRef {
    pub id: SupplyId,
    pub name: String,
    pub unit: Unit,
}

/// Weighted-average cost of a supply over every purchase: total cents over
/// total quantity, kept as a fraction so it is rounded only at a total.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AvgCost {
    pub cents: i64,
    pub qty: i64,
}

impl AvgCost {
    /// Cost of `qty` base units in millionths of a cent.
    pub fn microcents(self, qty: i64) -> i64 {
        if self.qty <= 0 {
            return 0;
        }
        div_round(i128::from(qty) * i128::from(self.cents) * 1_000_000, i128::from(self.qty)) as i64
    }
}

pub(crate) fn find(conn: &Connection, key: &str) -> Result<SupplyRef> {
    let key = key.trim();
    let row = |r: &Row<'_>| -> rusqlite::Result<(String, String, String)> { Ok((r.get(0)?, r.get(1)?, r.get(2)?)) };
    let found = conn.query_row("SELECT id, name, unit FROM supplies WHERE name = ?1 AND archived = 0 LIMIT 1", [key], row).optional()?;
    let found = match found {
        Some(f) => Some(f),
        None => conn.query_row("SELECT id, name, unit FROM supplies WHERE id = ?1", [key], row).optional()?,
    };
    let (id, name, unit) =
        found.ok_or_else(|| CoreError::NotFound { what: "supply", key: key.to_string(), hint: "check the name in the supplies list" })?;
    Ok(SupplyRef { id: id.parse().map_err(|_| CoreError::Corrupt(format!("supply id '{id}'")))?, name, unit: unit.parse()? })
}

pub(crate) fn on_hand(conn: &Connection, id: SupplyId) -> Result<i64> {
    Ok(conn.query_row("SELECT COALESCE((SELECT on_hand FROM stock_levels WHERE item_id = ?1), 0)", [id.to_string()], |r| r.get(0))?)
}

fn parse_level(input: &Option<String>, unit: Unit, what: &str) -> Result<Option<i64>> {
    match input {
        None => Ok(None),
        Some(s) => {
            let q = Quantity::parse(s, unit)?;
            if q.0 < 0 {
                return Err(CoreError::Invalid(format!("the {what} '{s}' is negative: give 0 or more")));
            }
            Ok(Some(q.0))
        }
    }
}

impl Store {
    pub fn add_supply(&mut self, new: NewSupply) -> Result<SupplyView> {
        let name = text("supply name", &new.name, 120)?;
        let unit = new.unit.ok_or_else(|| CoreError::Invalid("a supply needs a unit: g, ml or each".into()))?;
        let reorder_at = parse_level(&new.reorder_at, unit, "reorder point")?.unwrap_or(0);
        let supplier = optional_text("supplier", new.supplier.as_deref().unwrap_or(""), 200)?;
        let notes = optional_text("notes", new.notes.as_deref().unwrap_or(""), 2000)?;
        let id = self.write(|tx| {
            if find(tx, &name).is_ok() {
                return Err(CoreError::Duplicate { what: "supply", key: name.clone(), hint: "pick another name or edit the existing one" });
            }
            let id = SupplyId::new();
            tx.record(OpKind::SupplyCreated(SupplyCreated {
                supply_id: id,
                unit,
                fields: SupplyFields {
                    name: Some(name.clone()),
                    reorder_at: Some(reorder_at),
                    supplier: Some(supplier),
                    notes: Some(notes),
                    archived: Some(false),
                    ..Default::default()
                },
            }))?;
            Ok(id)
        })?;
        self.supply(&id.to_string())
    }

    pub fn edit_supply(&mut self, key: &str, edit: SupplyEdit) -> Result<SupplyView> {
        let id = self.write(|tx| {
            let s = find(tx, key)?;
            let mut fields = SupplyFields::default();
            if let Some(n) = &edit.name {
                let n = text("supply name", n, 120)?;
                if let Ok(other) = find(tx, &n) {
                    if other.id != s.id {
                        return Err(CoreError::Duplicate { what: "supply", key: n, hint: "pick another name" });
                    }
                }
                fields.name = Some(n);
            }
            fields.reorder_at = parse_level(&edit.reorder_at, s.unit, "reorder point")?;
            fields.supplier = edit.supplier.as_deref().map(|v| optional_text("supplier", v, 200)).transpose()?;
            fields.notes = edit.notes.as_deref().map(|v| optional_text("notes", v, 2000)).transpose()?;
            fields.inci = edit.inci.as_deref().map(|v| optional_text("INCI name", v, 200)).transpose()?;
            if let Some(d) = &edit.density {
                if s.unit != Unit::Ml {
                    return Err(CoreError::Invalid(format!(
                        "{} is measured in {}, not ml: a density is for a supply measured by volume",
                        s.name,
                        s.unit.as_str()
                    )));
                }
                fields.density_mg_per_ml = Some(wildroot_model::field::density_mg_per_ml("density", d).map_err(CoreError::Invalid)?);
            }
            if fields == SupplyFields::default() {
                return Err(CoreError::Invalid("nothing to change: give at least one field to edit".into()));
            }
            tx.record(OpKind::SupplyEdited(SupplyEdited { supply_id: s.id, fields }))?;
            Ok(s.id)
        })?;
        self.supply(&id.to_string())
    }

    pub fn archive_supply(&mut self, key: &str) -> Result<()> {
        self.write(|tx| {
            let s = find(tx, key)?;
            tx.record(OpKind::SupplyEdited(SupplyEdited {
                supply_id: s.id,
                fields: SupplyFields { archived: Some(true), ..Default::default() },
            }))?;
            Ok(())
        })
    }

    /// Receives a purchase: `qty` (typed with units, e.g. `2kg`) for `cost` in total.
    pub fn receive_supply(&mut self, key: &str, qty: &str, cost: Money, lot_code: Option<&str>) -> Result<(LotId, String)> {
        self.write(|tx| receive_in(tx, key, qty, cost, lot_code))
    }

    /// Corrects a supply's stock by a signed amount, with a reason.
    pub fn adjust_supply(&mut self, key: &str, qty: &str, reason: &str) -> Result<SupplyView> {
        let reason = text("reason", reason, 200)?;
        let id = self.write(|tx| {
            let s = find(tx, key)?;
            let q = Quantity::parse(qty, s.unit)?;
            if q.0 == 0 {
                return Err(CoreError::Invalid(format!("'{qty}' changes nothing: give a non-zero amount like -50g or +1kg")));
            }
            tx.record(OpKind::StockAdjusted(crate::lot::adjustment(tx, Item::Supply(s.id), q.0, reason)?))?;
            Ok(s.id)
        })?;
        self.supply(&id.to_string())
    }

    /// Records a count of a supply (typed with units) as the difference from
    /// what this device knew, like [`Store::count_product`].
    pub fn count_supply(&mut self, key: &str, counted: &str) -> Result<SupplyView> {
        let id = self.write(|tx| {
            let s = find(tx, key)?;
            let q = Quantity::parse(counted, s.unit)?;
            if q.0 < 0 {
                return Err(CoreError::Invalid(format!("a count of '{counted}' is negative: count what is there, 0 or more")));
            }
            let known = on_hand(tx, s.id)?;
            if q.0 != known {
                let reason = format!("count: {} there, {} on the books", q.display(s.unit), Quantity(known).display(s.unit));
                tx.record(OpKind::StockAdjusted(crate::lot::adjustment(tx, Item::Supply(s.id), q.0.saturating_sub(known), reason)?))?;
            }
            Ok(s.id)
        })?;
        self.supply(&id.to_string())
    }

    pub fn supply(&self, key: &str) -> Result<SupplyView> {
        let s = find(self.conn(), key)?;
        let mut list = self.query_supplies("WHERE s.id = ?1", &[&s.id.to_string()])?;
        list.pop().ok_or_else(|| CoreError::Corrupt("supply vanished".into()))
    }

    pub fn list_supplies(&self, include_archived: bool) -> Result<Vec<SupplyView>> {
        self.query_supplies(if include_archived { "" } else { "WHERE s.archived = 0" }, &[])
    }

    fn query_supplies(&self, filter: &str, params: &[&dyn rusqlite::ToSql]) -> Result<Vec<SupplyView>> {
        let sql = format!(
            "SELECT s.id, s.name, s.unit, s.reorder_at, s.supplier, s.notes, s.archived,
                    COALESCE((SELECT on_hand FROM stock_levels sl WHERE sl.item_id = s.id), 0),
                    (SELECT COALESCE(SUM(cost_cents), 0) FROM supply_lots l WHERE l.supply_id = s.id),
                    (SELECT COALESCE(SUM(qty), 0) FROM supply_lots l WHERE l.supply_id = s.id),
                    s.id, s.inci, s.density_mg_per_ml
             FROM supplies s {filter} ORDER BY s.name"
        );
        let mut stmt = self.conn().prepare(&sql)?;
        let rows = stmt.query_map(params, |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, Option<String>>(4)?,
                r.get::<_, Option<String>>(5)?,
                r.get::<_, bool>(6)?,
                r.get::<_, i64>(7)?,
                AvgCost { cents: r.get(8)?, qty: r.get(9)? },
                (r.get::<_, Option<String>>(11)?, r.get::<_, Option<i64>>(12)?),
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, name, unit, reorder_at, supplier, notes, archived, on_hand, avg, (inci, density_mg_per_ml)) = row?;
            let value_cents = crate::lot::lots_value(
                self.conn(),
                "SELECT s.cost_cents, s.qty, COALESCE(l.on_hand, 0) FROM supply_lots s LEFT JOIN lot_levels l ON l.lot_id = s.id
                 WHERE s.supply_id = ?1",
                [&id],
            )?;
            out.push(SupplyView {
                id: id.parse().map_err(|_| CoreError::Corrupt(format!("supply id '{id}'")))?,
                name,
                unit: unit.parse()?,
                reorder_at,
                supplier,
                notes,
                archived,
                on_hand,
                cost_per_1000_cents: div_round(i128::from(avg.microcents(1000)), 1_000_000) as i64,
                value_cents,
                inci,
                density_mg_per_ml,
            });
        }
        Ok(out)
    }
}

pub(crate) fn receive_in(tx: &Tx<'_>, key: &str, qty: &str, cost: Money, lot_code: Option<&str>) -> Result<(LotId, String)> {
    let s = find(tx, key)?;
    let q = Quantity::parse(qty, s.unit)?;
    if q.0 <= 0 {
        return Err(CoreError::Invalid(format!("'{qty}' is not a quantity received: give more than zero, like 2kg")));
    }
    if cost.0 < 0 {
        return Err(CoreError::Invalid(format!("a purchase cannot cost {cost}: give the total paid, 0 or more")));
    }
    let lot_id = LotId::new();
    let code = match lot_code {
        Some(c) => crate::lot::typed_code(tx, c)?,
        None => {
            let mut stem: String = s.name.chars().filter(|c| c.is_ascii_alphanumeric()).take(6).collect::<String>().to_ascii_uppercase();
            if stem.is_empty() {
                stem = "LOT".into();
            }
            crate::lot::generated_code(tx, &stem, tx.now_ms())?
        }
    };
    tx.record(OpKind::SupplyReceived(SupplyReceived {
        lot_id,
        supply_id: s.id,
        lot_code: code.clone(),
        qty: q.0,
        cost_cents: cost.0,
        received_at_ms: tx.now_ms(),
    }))?;
    Ok((lot_id, code))
}
