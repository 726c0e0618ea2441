//! Recipes (bills of materials): what one batch of a product takes and yields.
//! A recipe is replaced whole; past batches keep what they actually consumed.
use crate::error::{CoreError, Result};
use crate::store::Store;
use crate::{product, supply};
use rusqlite::{Connection, OptionalExtension};
use wildroot_model::money::div_round;
use wildroot_model::op::*;
use wildroot_model::views::{RecipeLineView, RecipeSummary, RecipeView};
use wildroot_model::{ProductId, Quantity};

pub(crate) fn load(conn: &Connection, product_id: ProductId) -> Result<Option<(i64, Vec<RecipeLineView>)>> {
    let pid = product_id.to_string();
    let yield_qty: Option<i64> = conn.query_row("SELECT yield_qty FROM recipes WHERE product_id = ?1", [&pid], |r| r.get(0)).optional()?;
    let Some(yield_qty) = yield_qty else { return Ok(None) };
    let mut stmt = conn.prepare(
        "SELECT l.supply_id, s.name, s.unit, l.qty FROM recipe_lines l JOIN supplies s ON s.id = l.supply_id
         WHERE l.product_id = ?1 ORDER BY s.name",
    )?;
    let rows =
        stmt.query_map([&pid], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, i64>(3)?)))?;
    let mut lines = Vec::new();
    for row in rows {
        let (id, name, unit, qty) = row?;
        lines.push(RecipeLineView {
            supply_id: id.parse().map_err(|_| CoreError::Corrupt(format!("supply id '{id}'")))?,
            supply: name,
            unit: unit.parse()?,
            qty,
        });
    }
    Ok(Some((yield_qty, lines)))
}

impl Store {
    /// Sets the recipe of `sku`: `yield_qty` units per batch from `lines` of
    /// (supply name, quantity typed with units).
    pub fn set_recipe(&mut self, sku: &str, yield_qty: i64, lines: &[(String, String)]) -> Result<RecipeView> {
        if yield_qty <= 0 {
            return Err(CoreError::Invalid(format!("a yield of {yield_qty} makes nothing: give the units one batch makes, 1 or more")));
        }
        if lines.is_empty() {
            return crate::error::needs(crate::error::Fix::GiveLines, "a recipe needs at least one supply and quantity");
        }
        self.write(|tx| {
            let p = product::find(tx, sku)?;
            let mut out: Vec<RecipeLine> = Vec::new();
            for (name, qty) in lines {
                let s = supply::find(tx, name)?;
                let q = Quantity::parse(qty, s.unit)?;
                if q.0 <= 0 {
                    return Err(CoreError::Invalid(format!("the recipe line {name}={qty} uses nothing: give more than zero")));
                }
                if out.iter().any(|l| l.supply_id == s.id) {
                    return Err(CoreError::Invalid(format!("{} appears twice in the recipe: give each supply once", s.name)));
                }
                out.push(RecipeLine { supply_id: s.id, qty: q.0 });
            }
            tx.record(OpKind::RecipeSet(RecipeSet { product_id: p.id, yield_qty, lines: out }))?;
            Ok(())
        })?;
        self.recipe(sku)
    }

    pub fn recipe(&self, sku: &str) -> Result<RecipeView> {
        let p = product::find(self.conn(), sku)?;
        let (yield_qty, lines) = load(self.conn(), p.id)?.ok_or_else(|| CoreError::NotFound {
            what: "recipe for",
            key: p.sku.clone(),
            hint: "set one: its yield and the supplies one batch takes",
        })?;
        // The same plan a batch shows before it is made: one costing rule.
        let plan = self.plan_batch(&p.sku, 1)?;
        let lots = plan.lines.into_iter().flat_map(|l| l.lots).collect();
        Ok(RecipeView { product_id: p.id, sku: p.sku, yield_qty, lines, batch_cost_cents: plan.cost_cents, lots })
    }

    /// Every recipe with its cost and how many batches the supplies on hand
    /// make now, by product name.
    pub fn list_recipes(&self) -> Result<Vec<RecipeSummary>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT p.id, p.sku, p.name FROM recipes r JOIN products p ON p.id = r.product_id
             WHERE p.archived = 0 ORDER BY p.name, p.sku",
        )?;
        let products = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let mut out = Vec::new();
        for (id, sku, name) in products {
            let pid: ProductId = id.parse().map_err(|_| CoreError::Corrupt(format!("product id '{id}'")))?;
            let Some((yield_qty, lines)) = load(conn, pid)? else { continue };
            let batch_cost_cents = self.plan_batch(&sku, 1)?.cost_cents;
            let mut makeable: Option<(i64, String)> = None;
            for l in &lines {
                let can = (supply::on_hand(conn, l.supply_id)? / l.qty).max(0);
                if makeable.as_ref().is_none_or(|(m, _)| can < *m) {
                    makeable = Some((can, l.supply.clone()));
                }
            }
            let (makeable_batches, limited_by) = match makeable {
                Some((n, supply)) => (n, Some(supply)),
                None => (0, None),
            };
            out.push(RecipeSummary {
                sku,
                name,
                yield_qty,
                lines: lines.len(),
                batch_cost_cents,
                unit_cost_cents: div_round(i128::from(batch_cost_cents), i128::from(yield_qty.max(1))) as i64,
                makeable_batches,
                limited_by,
            });
        }
        Ok(out)
    }
}
