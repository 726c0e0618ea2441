//! The Shopify catalogue beside Wildroot's: which product each variant is,
//! where the two disagree on title, price or barcode, linking variants (for
//! stock push-back), creating the products Wildroot lacks, and settling a
//! difference either way. Nothing is overwritten on either side unless the
//! owner asks for a product by SKU.
use super::client::ShopifyClient;
use crate::apply::shopify::match_sku;
use crate::error::{CoreError, Result};
use crate::product::{NewProduct, ProductEdit};
use crate::store::Store;
use rusqlite::OptionalExtension;
use serde_json::{json, Value};
use std::sync::Mutex;
use wildroot_model::op::ShopifyVariantLinked;
use wildroot_model::shopify::ShopifyVariant;
use wildroot_model::views::{CataloguePush, CatalogueRow};
use wildroot_model::{Money, OpKind, ProductId};

#[derive(Clone)]
struct Found {
    id: String,
    sku: String,
    name: String,
    price_cents: i64,
    barcode: Option<String>,
    linked_to: Option<String>,
}

fn find(conn: &rusqlite::Connection, v: &ShopifyVariant) -> Result<Option<Found>> {
    let linked: Option<String> = conn
        .query_row("SELECT product_id FROM shopify_links WHERE variant_gid = ?1 ORDER BY product_id LIMIT 1", [&v.variant_gid], |r| {
            r.get(0)
        })
        .optional()?;
    let id = match linked {
        Some(id) => Some(id),
        None => match v.sku.as_deref() {
            Some(sku) => match_sku(conn, sku)?,
            None => None,
        },
    };
    let Some(id) = id else { return Ok(None) };
    Ok(conn
        .query_row(
            "SELECT p.id, p.sku, p.name, p.price_cents, p.barcode, l.variant_gid
             FROM products p LEFT JOIN shopify_links l ON l.product_id = p.id WHERE p.id = ?1",
            [&id],
            |r| {
                Ok(Found {
                    id: r.get(0)?,
                    sku: r.get(1)?,
                    name: r.get(2)?,
                    price_cents: r.get(3)?,
                    barcode: r.get(4)?,
                    linked_to: r.get(5)?,
                })
            },
        )
        .optional()?)
}

fn differences(v: &ShopifyVariant, p: &Found) -> Vec<String> {
    let mut out = Vec::new();
    if v.title.trim() != p.name.trim() {
        out.push("title".to_string());
    }
    if v.price_cents != p.price_cents {
        out.push("price".to_string());
    }
    if v.barcode.as_deref().unwrap_or("") != p.barcode.as_deref().unwrap_or("") {
        out.push("barcode".to_string());
    }
    out
}

impl Store {
    /// Every variant beside the product it is, with what differs.
    pub fn shopify_catalogue(&self, variants: &[ShopifyVariant]) -> Result<Vec<CatalogueRow>> {
        variants
            .iter()
            .map(|v| {
                let found = find(self.conn(), v)?;
                let state = match (&found, &v.sku) {
                    (Some(p), _) if p.linked_to.as_deref() == Some(v.variant_gid.as_str()) => "linked",
                    (Some(_), _) => "matches",
                    (None, Some(_)) => "missing",
                    (None, None) => "no_sku",
                };
                Ok(CatalogueRow {
                    variant_gid: v.variant_gid.clone(),
                    shopify_sku: v.sku.clone(),
                    shopify_title: v.title.clone(),
                    shopify_price_cents: v.price_cents,
                    shopify_barcode: v.barcode.clone(),
                    status: v.status.clone(),
                    state: state.to_string(),
                    differences: found.as_ref().map(|p| differences(v, p)).unwrap_or_default(),
                    product_sku: found.as_ref().map(|p| p.sku.clone()),
                    product_name: found.as_ref().map(|p| p.name.clone()),
                    product_price_cents: found.as_ref().map(|p| p.price_cents),
                    product_barcode: found.and_then(|p| p.barcode),
                })
            })
            .collect()
    }

    /// Links every variant to the product with its SKU, keeping the
    /// inventory item for stock push-back. Returns how many links changed.
    pub fn link_shopify_variants(&mut self, variants: &[ShopifyVariant]) -> Result<usize> {
        self.write(|tx| {
            let mut changed = 0;
            for v in variants {
                let Some(p) = find(tx, v)? else { continue };
                let current: Option<(String, Option<String>)> = tx
                    .query_row("SELECT variant_gid, inventory_item_gid FROM shopify_links WHERE product_id = ?1", [&p.id], |r| {
                        Ok((r.get(0)?, r.get(1)?))
                    })
                    .optional()?;
                if current.as_ref() == Some(&(v.variant_gid.clone(), v.inventory_item_gid.clone())) {
                    continue;
                }
                let product_id: ProductId = p.id.parse().map_err(|_| crate::CoreError::Corrupt(format!("product id '{}'", p.id)))?;
                tx.record(OpKind::ShopifyVariantLinked(ShopifyVariantLinked {
                    product_id,
                    variant_gid: v.variant_gid.clone(),
                    inventory_item_gid: v.inventory_item_gid.clone(),
                }))?;
                changed += 1;
            }
            Ok(changed)
        })
    }

    /// Creates a product for every variant whose SKU no product has (named,
    /// priced and barcoded as in Shopify), then links them. Returns the SKUs made.
    pub fn create_missing_from_shopify(&mut self, variants: &[ShopifyVariant]) -> Result<Vec<String>> {
        let mut made = Vec::new();
        for v in variants {
            let Some(sku) = v.sku.clone() else { continue };
            if find(self.conn(), v)?.is_some() {
                continue;
            }
            let title: String = v.title.chars().take(120).collect();
            self.add_product(NewProduct {
                sku: sku.clone(),
                name: title,
                price: Money(v.price_cents),
                barcode: v.barcode.clone(),
                ..Default::default()
            })?;
            made.push(sku);
        }
        self.link_shopify_variants(variants)?;
        Ok(made)
    }

    /// The variant a product SKU the owner named is, and that product.
    fn named(&self, variants: &[ShopifyVariant], key: &str) -> Result<(ShopifyVariant, Found)> {
        for v in variants {
            if let Some(p) = find(self.conn(), v)? {
                if p.sku.eq_ignore_ascii_case(key.trim()) {
                    return Ok((v.clone(), p));
                }
            }
        }
        crate::error::needs(crate::error::Fix::ShopifyCatalogue, format!("no product with SKU {key} is in the Shopify catalogue"))
    }

    /// Shopify wins for these products: their title, price and barcode are
    /// taken from the variant with their SKU. Returns how many changed.
    pub fn take_shopify_fields(&mut self, variants: &[ShopifyVariant], skus: &[String]) -> Result<usize> {
        let mut changed = 0;
        for key in skus {
            let (v, p) = self.named(variants, key)?;
            if differences(&v, &p).is_empty() {
                continue;
            }
            self.edit_product(
                &p.id,
                ProductEdit {
                    name: Some(v.title.chars().take(120).collect()),
                    price: Some(Money(v.price_cents)),
                    barcode: Some(v.barcode.clone().unwrap_or_default()),
                    ..Default::default()
                },
            )?;
            changed += 1;
        }
        Ok(changed)
    }
}

fn lock(store: &Mutex<Store>) -> Result<std::sync::MutexGuard<'_, Store>> {
    store.lock().map_err(|_| CoreError::Invalid("the store is unusable after an earlier failure: restart the app".into()))
}

/// Wildroot wins for these products: Shopify's variant gets Wildroot's price
/// and barcode (`productVariantsBulkUpdate`) and, when it is the product's
/// only variant, the product gets Wildroot's name as its title
/// (`productUpdate`). A product with several variants is titled by its
/// options in Shopify, so its title is left there and said so. Every SKU is
/// checked before anything is written. Read `variants` just before: Shopify
/// has no compare-and-set for these fields, so this is the owner's
/// deliberate choice over what they were just shown.
pub async fn push_wildroot_fields(
    store: &Mutex<Store>,
    client: &mut ShopifyClient,
    variants: &[ShopifyVariant],
    skus: &[String],
) -> Result<Vec<CataloguePush>> {
    let chosen = {
        let store = lock(store)?;
        skus.iter().map(|k| store.named(variants, k)).collect::<Result<Vec<_>>>()?
    };
    let mut out = Vec::with_capacity(chosen.len());
    for (v, p) in chosen {
        let differ = differences(&v, &p);
        let mut line =
            CataloguePush { sku: p.sku.clone(), name: p.name.clone(), written: Vec::new(), outcome: String::new(), message: None };
        let mut refusals = Vec::new();
        let mut input = json!({ "id": v.variant_gid });
        if differ.iter().any(|d| d == "price") {
            input["price"] = json!(Money(p.price_cents).to_string());
        }
        if differ.iter().any(|d| d == "barcode") {
            input["barcode"] = json!(p.barcode.clone().unwrap_or_default());
        }
        let variant_fields: Vec<String> = differ.iter().filter(|d| *d != "title").cloned().collect();
        if !variant_fields.is_empty() {
            match user_errors(update_variant(client, &v.product_gid, input).await?) {
                None => line.written.extend(variant_fields),
                Some(m) => refusals.push(m),
            }
        }
        if differ.iter().any(|d| d == "title") {
            let siblings = variants.iter().filter(|x| x.product_gid == v.product_gid).count();
            if siblings > 1 {
                refusals.push(format!(
                    "the title was left: the Shopify product has {siblings} variants, each named by its options; rename it in Shopify"
                ));
            } else {
                match user_errors(update_title(client, &v.product_gid, p.name.trim()).await?) {
                    None => line.written.push("title".into()),
                    Some(m) => refusals.push(m),
                }
            }
        }
        line.outcome = match (differ.is_empty(), line.written.is_empty(), refusals.is_empty()) {
            (true, _, _) => "unchanged",
            (false, _, true) => "written",
            (false, true, false) => "refused",
            (false, false, false) => "partly",
        }
        .into();
        if !refusals.is_empty() {
            line.message = Some(refusals.join("; "));
        }
        out.push(line);
    }
    Ok(out)
}

async fn update_variant(client: &mut ShopifyClient, product: &str, input: Value) -> Result<Value> {
    let query = "mutation Variants($productId: ID!, $variants: [ProductVariantsBulkInput!]!) {
  productVariantsBulkUpdate(productId: $productId, variants: $variants) { productVariants { id price barcode } userErrors { field message code } }
}";
    let data = client.query(query, json!({ "productId": product, "variants": [input] })).await?;
    Ok(data.pointer("/productVariantsBulkUpdate/userErrors").cloned().unwrap_or(Value::Null))
}

async fn update_title(client: &mut ShopifyClient, product: &str, title: &str) -> Result<Value> {
    // 2024-10 renamed the argument from `input` to `product`.
    let (arg, ty) = if client.api_version() >= "2024-10" { ("product", "ProductUpdateInput") } else { ("input", "ProductInput") };
    let query =
        format!("mutation Title($p: {ty}!) {{ productUpdate({arg}: $p) {{ product {{ id title }} userErrors {{ field message }} }} }}");
    let data = client.query(&query, json!({ "p": { "id": product, "title": title } })).await?;
    Ok(data.pointer("/productUpdate/userErrors").cloned().unwrap_or(Value::Null))
}

/// Shopify's refusal, if it gave one.
fn user_errors(errors: Value) -> Option<String> {
    let list = errors.as_array().filter(|l| !l.is_empty())?;
    Some(
        list.iter()
            .map(|e| e.get("message").and_then(Value::as_str).unwrap_or("Shopify refused the change"))
            .collect::<Vec<_>>()
            .join("; "),
    )
}
