//! A lot's label (#25): the product's identity, net content and warnings,
//! its ingredients from what the lot's batch consumed, heaviest first, the
//! shop's name and address, the lot and its best-before date, and the
//! GS1 code that sells a scanned jar from this lot (`model::label`).
use crate::error::{invalid, CoreError, Result};
use crate::store::Store;
use wildroot_model::label::{self, Label, LabelIngredient};
use wildroot_model::Unit;

impl Store {
    /// The label of a product lot (its lot code).
    pub fn label(&self, lot_code: &str) -> Result<Label> {
        let conn = self.conn();
        let code = lot_code.trim();
        let mut stmt = conn.prepare_cached(
            "SELECT b.id, p.sku, p.name, p.label_name, p.barcode, p.net_qty, p.net_unit, p.warnings, b.expires_on
             FROM batches b JOIN products p ON p.id = b.product_id WHERE b.lot_code = ?1",
        )?;
        type Row = (String, String, String, Option<String>, Option<String>, Option<i64>, Option<String>, Option<String>, Option<String>);
        let rows: Vec<Row> = stmt
            .query_map([code], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?, r.get(8)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let (batch, sku, name, label_name, barcode, net_qty, net_unit, warnings, expires) = match rows.len() {
            0 => {
                return Err(CoreError::NotFound {
                    what: "product lot",
                    key: code.to_string(),
                    hint: "give the lot code of a batch made here",
                })
            }
            1 => rows.into_iter().next().ok_or_else(|| CoreError::Corrupt("lot vanished".into()))?,
            _ => return invalid(format!("the lot code {code} is on batches of several products: give each batch its own lot code")),
        };
        let mut notes = Vec::new();
        let net = match (net_qty, net_unit.as_deref().and_then(|u| u.parse::<Unit>().ok())) {
            (Some(q), Some(u)) => label::net_text(q, u),
            _ => {
                notes.push(format!("no net content is set: set it with the product's net content (like 56 g) for {sku}"));
                None
            }
        };
        // What the batch consumed, by weight: grams as they are, millilitres
        // by the supply's density (1 g/ml when none is set, said so), and
        // things counted (jars, tins) are packaging, not ingredients.
        let mut stmt = conn.prepare_cached(
            "SELECT s.name, s.inci, s.unit, s.density_mg_per_ml, i.qty FROM batch_inputs i JOIN supplies s ON s.id = i.supply_id
             WHERE i.batch_id = ?1",
        )?;
        let inputs = stmt
            .query_map([&batch], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, Option<String>>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, Option<i64>>(3)?,
                    r.get::<_, i64>(4)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let mut ingredients = Vec::new();
        for (supply, inci, unit, density, qty) in inputs {
            let weight_mg = match unit.as_str() {
                "g" => qty.saturating_mul(1000),
                "ml" => {
                    if density.is_none() {
                        notes.push(format!("{supply} has no density: it is weighed as 1 g per ml; set its density to order it exactly"));
                    }
                    qty.saturating_mul(density.unwrap_or(1000))
                }
                _ => continue,
            };
            if inci.is_none() {
                notes.push(format!("{supply} has no INCI name: the label uses its own name"));
            }
            ingredients.push(LabelIngredient { name: inci.unwrap_or(supply), weight_mg, share_bp: 0 });
        }
        let total: i64 = ingredients.iter().map(|i| i.weight_mg).sum();
        for i in &mut ingredients {
            i.share_bp =
                if total > 0 { wildroot_model::money::div_round(i128::from(i.weight_mg) * 10_000, i128::from(total)) as i64 } else { 0 };
        }
        // Descending order of predominance by weight (ties by name, so every device prints the same label).
        ingredients.sort_by(|a, b| b.weight_mg.cmp(&a.weight_mg).then_with(|| a.name.cmp(&b.name)));
        if ingredients.is_empty() {
            notes.push(format!("the batch of lot {code} consumed no weighed supplies: the label lists no ingredients"));
        }
        let best_before = expires.and_then(|d| d.parse().ok());
        // Only a real GTIN goes in (01): one with a wrong check digit would not scan back.
        let gtin = barcode.filter(|b| wildroot_model::gs1::valid_gtin14(b).is_some());
        Ok(Label {
            name: label_name.unwrap_or(name),
            code: label::code(gtin.as_deref(), &sku, code, best_before),
            sku,
            gtin,
            net,
            ingredients,
            warnings,
            business_name: self.business_name()?,
            business_address: self.business_address()?,
            lot_code: code.to_string(),
            best_before,
            notes,
        })
    }
}
