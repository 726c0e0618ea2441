//! Production batches: K batches of a recipe consume supplies and add a lot
//! of product, in one operation, with the cost of what was consumed.
use crate::error::{text, CoreError, Result};
use crate::store::Store;
use crate::{product, recipe, supply};
use chrono::NaiveDate;
use wildroot_model::money::div_round;
use wildroot_model::op::*;
use wildroot_model::views::BatchView;
use wildroot_model::{LotId, Quantity};

/// A request to produce.
#[derive(Clone, Debug, Default)]
pub struct ProduceRequest {
    pub sku: String,
    pub batches: i64,
    pub lot_code: Option<String>,
    pub expires_on: Option<NaiveDate>,
    /// Make it even when supplies would go below zero (the books were behind).
    pub allow_short: bool,
}

impl Store {
    pub fn produce(&mut self, req: ProduceRequest) -> Result<BatchView> {
        if req.batches <= 0 {
            return Err(CoreError::Invalid(format!("{} batches makes nothing: give 1 or more", req.batches)));
        }
        let lot_id = self.write(|tx| {
            let p = product::find(tx, &req.sku)?;
            let (yield_qty, lines) = recipe::load(tx, p.id)?.ok_or_else(|| CoreError::NotFound {
                what: "recipe for",
                key: p.sku.clone(),
                hint: "set one first with `wildroot recipe set`",
            })?;
            let output_qty =
                yield_qty.checked_mul(req.batches).ok_or_else(|| CoreError::Invalid(format!("{} batches is too many", req.batches)))?;
            let mut inputs = Vec::new();
            let mut shortages = Vec::new();
            let mut total_micro: i128 = 0;
            for line in &lines {
                let need =
                    line.qty.checked_mul(req.batches).ok_or_else(|| CoreError::Invalid(format!("{} batches is too many", req.batches)))?;
                let have = supply::on_hand(tx, line.supply_id)?;
                if have < need {
                    shortages.push(format!(
                        "{} needs {} but {} on hand (short {})",
                        line.supply,
                        Quantity(need).display(line.unit),
                        Quantity(have).display(line.unit),
                        Quantity(need - have).display(line.unit)
                    ));
                }
                let cost = supply::avg_cost(tx, line.supply_id)?.microcents(need);
                total_micro += i128::from(cost);
                inputs.push(BatchInput { supply_id: line.supply_id, qty: need, cost_microcents: cost });
            }
            if !shortages.is_empty() && !req.allow_short {
                return Err(CoreError::Short(shortages));
            }
            let made_at_ms = tx.now_ms();
            let lot_code = match &req.lot_code {
                Some(c) => {
                    let c = text("lot code", c, 60)?;
                    let taken: bool = tx.query_row("SELECT EXISTS (SELECT 1 FROM batches WHERE lot_code = ?1)", [&c], |r| r.get(0))?;
                    if taken {
                        return Err(CoreError::Duplicate { what: "lot code", key: c, hint: "give another lot code or leave it out" });
                    }
                    c
                }
                None => {
                    let day =
                        chrono::DateTime::from_timestamp_millis(made_at_ms).map(|d| d.format("%Y%m%d").to_string()).unwrap_or_default();
                    let stem = format!("{}-{day}-", p.sku);
                    let n: i64 = tx.query_row("SELECT COUNT(*) FROM batches WHERE lot_code LIKE ?1 || '%'", [&stem], |r| r.get(0))?;
                    format!("{stem}{}", n + 1)
                }
            };
            let lot_id = LotId::new();
            tx.record(OpKind::BatchProduced(BatchProduced {
                lot_id,
                product_id: p.id,
                lot_code,
                batches: req.batches,
                output_qty,
                made_at_ms,
                expires_on: req.expires_on.map(|d| d.format("%Y-%m-%d").to_string()),
                inputs,
                // Rounded once, here, at the batch total (DESIGN rule 8).
                cost_cents: div_round(total_micro, 1_000_000) as i64,
            }))?;
            Ok(lot_id)
        })?;
        self.list_batches(Some(lot_id))?.pop().ok_or_else(|| CoreError::Corrupt("batch vanished".into()))
    }

    /// Production history, newest first (or one batch).
    pub fn list_batches(&self, only: Option<LotId>) -> Result<Vec<BatchView>> {
        let filter = if only.is_some() { "WHERE b.id = ?1" } else { "" };
        let sql = format!(
            "SELECT b.id, b.lot_code, p.sku, b.batches, b.output_qty, b.cost_cents, b.made_at_ms, b.expires_on
             FROM batches b JOIN products p ON p.id = b.product_id {filter} ORDER BY b.made_at_ms DESC, b.lot_code"
        );
        let mut stmt = self.conn().prepare(&sql)?;
        let params: Vec<String> = only.map(|l| vec![l.to_string()]).unwrap_or_default();
        let rows = stmt.query_map(rusqlite::params_from_iter(params), |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, i64>(4)?,
                r.get::<_, i64>(5)?,
                r.get::<_, i64>(6)?,
                r.get::<_, Option<String>>(7)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, lot_code, sku, batches, output_qty, cost_cents, made_at_ms, expires_on) = row?;
            out.push(BatchView {
                lot_id: id.parse().map_err(|_| CoreError::Corrupt(format!("lot id '{id}'")))?,
                lot_code,
                sku,
                batches,
                output_qty,
                cost_cents,
                unit_cost_cents: if output_qty > 0 { div_round(i128::from(cost_cents), i128::from(output_qty)) as i64 } else { 0 },
                made_at_ms,
                expires_on,
            });
        }
        Ok(out)
    }
}
