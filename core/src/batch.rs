//! Production batches: K batches of a recipe consume supplies and add a lot
//! of product, in one operation, with the cost of what was consumed.
use crate::error::{CoreError, Result};
use crate::store::Store;
use crate::{lot, product, recipe, supply};
use chrono::NaiveDate;
use rusqlite::Connection;
use wildroot_model::money::div_round;
use wildroot_model::op::*;
use wildroot_model::views::{BatchPlan, BatchView, LotUse, PlanLine};
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
    /// Units actually made, when not what the recipe promises (made 38 of
    /// an expected 40): the unit cost is over what was made.
    pub made: Option<i64>,
}

/// What `batches` batches of `sku` need, priced at the supply lots they
/// would consume, oldest received first (FIFO).
struct Plan {
    view: BatchPlan,
    inputs: Vec<BatchInput>,
}

fn plan_in(conn: &Connection, sku: &str, batches: i64) -> Result<(product::ProductRef, Plan)> {
    if batches <= 0 {
        return Err(CoreError::Invalid(format!("{batches} batches makes nothing: give 1 or more")));
    }
    let too_many = || CoreError::Invalid(format!("{batches} batches is too many"));
    let p = product::find(conn, sku)?;
    let (yield_qty, recipe) = recipe::load(conn, p.id)?.ok_or_else(|| CoreError::NotFound {
        what: "recipe for",
        key: p.sku.clone(),
        hint: "set its recipe first",
    })?;
    let output_qty = yield_qty.checked_mul(batches).ok_or_else(too_many)?;
    let mut inputs = Vec::new();
    let mut lines = Vec::new();
    let mut total_micro: i128 = 0;
    let mut taken = std::collections::HashMap::new();
    for line in recipe {
        let need = line.qty.checked_mul(batches).ok_or_else(too_many)?;
        let on_hand = supply::on_hand(conn, line.supply_id)?;
        let from_lots = lot::fifo(conn, line.supply_id, need, &mut taken)?;
        // A batch costs what its supply lots cost, each part priced by the
        // lot's running total (`bounds::take_cost`). What no lot covers (the
        // books were behind) has no purchase on record and costs nothing, so
        // what was paid for supplies = what is left of them + every batch +
        // every write-off, to the cent.
        let cost_cents: i64 = from_lots.iter().map(|t| t.take.cost_cents).sum();
        let cost = cost_cents.checked_mul(1_000_000).ok_or_else(too_many)?;
        total_micro += i128::from(cost);
        let uses =
            from_lots.iter().map(|t| LotUse { lot_code: t.lot_code.clone(), qty: t.take.qty, cost_cents: t.take.cost_cents }).collect();
        inputs.push(BatchInput {
            supply_id: line.supply_id,
            qty: need,
            cost_microcents: cost,
            lots: from_lots.into_iter().map(|t| t.take).collect(),
        });
        lines.push(PlanLine {
            supply_id: line.supply_id,
            supply: line.supply,
            unit: line.unit,
            need,
            on_hand,
            short: (need - on_hand).max(0),
            cost_cents: div_round(i128::from(cost), 1_000_000) as i64,
            lots: uses,
        });
    }
    // Rounded once, at the batch total (DESIGN rule 8).
    let cost_cents = div_round(total_micro, 1_000_000) as i64;
    let view = BatchPlan {
        sku: p.sku.clone(),
        name: p.name.clone(),
        batches,
        output_qty,
        enough: lines.iter().all(|l| l.short == 0),
        lines,
        cost_cents,
        unit_cost_cents: div_round(total_micro, 1_000_000 * i128::from(output_qty)) as i64,
    };
    Ok((p, Plan { view, inputs }))
}

impl Store {
    /// What making `batches` batches of `sku` would consume, what is short
    /// and what a unit would cost, without making anything.
    pub fn plan_batch(&self, sku: &str, batches: i64) -> Result<BatchPlan> {
        Ok(plan_in(self.conn(), sku, batches)?.1.view)
    }

    pub fn produce(&mut self, req: ProduceRequest) -> Result<BatchView> {
        // What was typed is checked before what the shelf holds.
        if let Some(n) = req.made.filter(|n| *n < 0) {
            return Err(CoreError::Invalid(format!("{n} units made is not a count: give 0 or more")));
        }
        let lot_id = self.write(|tx| {
            let (p, plan) = plan_in(tx, &req.sku, req.batches)?;
            let shortages: Vec<String> = plan
                .view
                .lines
                .iter()
                .filter(|l| l.short > 0)
                .map(|l| {
                    format!(
                        "{} needs {} but {} on hand (short {})",
                        l.supply,
                        Quantity(l.need).display(l.unit),
                        Quantity(l.on_hand).display(l.unit),
                        Quantity(l.short).display(l.unit)
                    )
                })
                .collect();
            if !shortages.is_empty() && !req.allow_short {
                return Err(CoreError::Short(shortages));
            }
            let expected = plan.view.output_qty;
            let made = match req.made {
                None => expected,
                Some(n) if n < 0 => return Err(CoreError::Invalid(format!("{n} units made is not a count: give 0 or more"))),
                Some(n) if n > expected.saturating_mul(10).max(1000) => {
                    return Err(CoreError::Invalid(format!("{n} units made from a recipe that yields {expected}: check the count")))
                }
                Some(n) => n,
            };
            let made_at_ms = tx.now_ms();
            let lot_code = match &req.lot_code {
                Some(c) => lot::typed_code(tx, c)?,
                None => lot::generated_code(tx, &p.sku, made_at_ms)?,
            };
            let lot_id = LotId::new();
            tx.record(OpKind::BatchProduced(BatchProduced {
                lot_id,
                product_id: p.id,
                lot_code,
                batches: req.batches,
                output_qty: made,
                made_at_ms,
                expires_on: req.expires_on.map(|d| d.format("%Y-%m-%d").to_string()),
                inputs: plan.inputs,
                cost_cents: plan.view.cost_cents,
                expected_qty: (made != expected).then_some(expected),
            }))?;
            Ok(lot_id)
        })?;
        self.list_batches(Some(lot_id))?.pop().ok_or_else(|| CoreError::Corrupt("batch vanished".into()))
    }

    /// Production history, newest first (or one batch).
    pub fn list_batches(&self, only: Option<LotId>) -> Result<Vec<BatchView>> {
        let filter = if only.is_some() { "WHERE b.id = ?1" } else { "" };
        let sql = format!(
            "SELECT b.id, b.lot_code, p.sku, b.batches, b.output_qty, b.cost_cents, b.made_at_ms, b.expires_on, b.expected_qty
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
                r.get::<_, Option<i64>>(8)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, lot_code, sku, batches, output_qty, cost_cents, made_at_ms, expires_on, expected_qty) = row?;
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
                expected_qty,
            });
        }
        Ok(out)
    }
}
