//! Stock push-back: Shopify's `available` quantity at the owner's location
//! set from Wildroot's stock, for every linked product, with a compare
//! quantity so a change made in Shopify meanwhile (an online sale) is not
//! overwritten: that item is reported and left for the next push, after the
//! import has brought the sale in. Off unless asked for.
use super::client::ShopifyClient;
use crate::error::{CoreError, Result};
use crate::store::Store;
use serde::Serialize;
use serde_json::{json, Value};

/// Items asked about per query.
const BATCH: usize = 50;

/// What push-back did (or, in a dry run, would do) for one product.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PushLine {
    pub sku: String,
    pub name: String,
    pub wildroot: i64,
    /// Shopify's available quantity before, if the item is stocked at the location.
    pub shopify: Option<i64>,
    /// `set`, `would_set`, `unchanged`, `not_stocked`, `changed_in_shopify` or `refused`.
    pub outcome: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

struct Linked {
    sku: String,
    name: String,
    item: String,
    on_hand: i64,
}

fn lock(store: &std::sync::Mutex<Store>) -> Result<std::sync::MutexGuard<'_, Store>> {
    store.lock().map_err(|_| CoreError::Invalid("the store is unusable after an earlier failure: restart the app".into()))
}

fn linked(store: &Store) -> Result<(String, Vec<Linked>)> {
    let location: Option<String> = store.shopify_import_view()?.location_gid;
    let Some(location) = location else {
        return crate::error::needs(
            crate::error::Fix::ShopifyLocation,
            "no Shopify location is set: give the location whose stock Wildroot keeps",
        );
    };
    let mut stmt = store.conn().prepare(
        "SELECT p.sku, p.name, l.inventory_item_gid, COALESCE((SELECT on_hand FROM stock_levels s WHERE s.item_id = p.id), 0)
         FROM shopify_links l JOIN products p ON p.id = l.product_id
         WHERE l.inventory_item_gid IS NOT NULL AND p.archived = 0 ORDER BY p.sku",
    )?;
    let rows = stmt
        .query_map([], |r| Ok(Linked { sku: r.get(0)?, name: r.get(1)?, item: r.get(2)?, on_hand: r.get(3)? }))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok((location, rows))
}

/// Shopify's available quantity of each item at `location` (None: not stocked there).
async fn current(client: &mut ShopifyClient, items: &[&str], location: &str) -> Result<Vec<Option<i64>>> {
    let query = "query Levels($ids: [ID!]!, $location: ID!) {
  nodes(ids: $ids) { ... on InventoryItem { id inventoryLevel(locationId: $location) { quantities(names: [\"available\"]) { name quantity } } } }
}";
    let data = client.query(query, json!({ "ids": items, "location": location })).await?;
    let nodes =
        data.get("nodes").and_then(Value::as_array).ok_or_else(|| CoreError::Shopify("Shopify's answer has no inventory items".into()))?;
    if nodes.len() != items.len() {
        return Err(CoreError::Shopify(format!("asked Shopify for {} inventory items and got {}", items.len(), nodes.len())));
    }
    Ok(nodes
        .iter()
        .map(|n| {
            n.pointer("/inventoryLevel/quantities")
                .and_then(Value::as_array)
                .and_then(|q| q.iter().find(|x| x.get("name").and_then(Value::as_str) == Some("available")))
                .and_then(|x| x.get("quantity"))
                .and_then(Value::as_i64)
        })
        .collect())
}

/// Sets Shopify's available quantities from Wildroot's stock (below zero
/// counts as zero), or in a dry run says what it would set.
pub async fn push_stock(store: &std::sync::Mutex<Store>, client: &mut ShopifyClient, dry_run: bool) -> Result<Vec<PushLine>> {
    let (location, items) = linked(&*lock(store)?)?;
    let mut out = Vec::with_capacity(items.len());
    for chunk in items.chunks(BATCH) {
        let ids: Vec<&str> = chunk.iter().map(|l| l.item.as_str()).collect();
        let levels = current(client, &ids, &location).await?;
        for (l, shopify) in chunk.iter().zip(levels) {
            let want = l.on_hand.max(0);
            let line = |outcome: &str, message: Option<String>| PushLine {
                sku: l.sku.clone(),
                name: l.name.clone(),
                wildroot: want,
                shopify,
                outcome: outcome.to_string(),
                message,
            };
            let Some(have) = shopify else {
                out.push(line("not_stocked", Some("the item is not stocked at that location in Shopify".into())));
                continue;
            };
            if have == want {
                out.push(line("unchanged", None));
                continue;
            }
            if dry_run {
                out.push(line("would_set", None));
                continue;
            }
            let errors = set(client, &l.item, &location, want, have).await?;
            out.push(match errors.first() {
                None => line("set", None),
                Some((code, msg)) if code == "COMPARE_QUANTITY_STALE" || code == "CHANGE_FROM_QUANTITY_STALE" => {
                    line("changed_in_shopify", Some(format!("{msg} Import orders, then push again.")))
                }
                Some((_, msg)) => line("refused", Some(msg.clone())),
            });
        }
    }
    Ok(out)
}

async fn set(client: &mut ShopifyClient, item: &str, location: &str, quantity: i64, from: i64) -> Result<Vec<(String, String)>> {
    let query = "mutation Set($input: InventorySetQuantitiesInput!) {
  inventorySetQuantities(input: $input) { inventoryAdjustmentGroup { id } userErrors { field message code } }
}";
    // 2026-01 renamed the compare field; 2026-04 made it mandatory.
    let compare = if client.api_version() >= "2026-01" { "changeFromQuantity" } else { "compareQuantity" };
    let mut q = json!({ "inventoryItemId": item, "locationId": location, "quantity": quantity });
    q[compare] = json!(from);
    let input = json!({ "name": "available", "reason": "correction", "referenceDocumentUri": "wildroot://stock-push", "quantities": [q] });
    let data = client.query(query, json!({ "input": input })).await?;
    let errors = data.pointer("/inventorySetQuantities/userErrors").and_then(Value::as_array).cloned().unwrap_or_default();
    Ok(errors
        .iter()
        .map(|e| {
            (
                e.get("code").and_then(Value::as_str).unwrap_or_default().to_string(),
                e.get("message").and_then(Value::as_str).unwrap_or("Shopify refused the change").to_string(),
            )
        })
        .collect())
}
