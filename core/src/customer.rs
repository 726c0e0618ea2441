//! Customers and what they bought.
use crate::error::{optional_text, text, CoreError, Result};
use crate::store::{Store, Tx};
use rusqlite::{Connection, OptionalExtension};
use wildroot_model::op::*;
use wildroot_model::views::{CustomerView, PurchaseView};
use wildroot_model::CustomerId;

/// A customer found by email, phone or id: (id, name).
pub(crate) fn find(conn: &Connection, key: &str) -> Result<(CustomerId, String)> {
    let key = key.trim();
    let found: Option<(String, String)> = conn
        .query_row("SELECT id, name FROM customers WHERE email = ?1 OR phone = ?1 OR id = ?1 ORDER BY created_at_ms LIMIT 1", [key], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?;
    let (id, name) =
        found.ok_or_else(|| CoreError::NotFound { what: "customer", key: key.to_string(), hint: "add them first, or with the sale" })?;
    Ok((id.parse().map_err(|_| CoreError::Corrupt(format!("customer id '{id}'")))?, name))
}

/// The customer a sale or a booth names by contact (email, phone or id),
/// added under that email or phone if no customer has it, in the caller's
/// transaction: a sale refused for another reason leaves no customer behind.
/// One rule for every front end.
pub(crate) fn find_or_add(tx: &Tx<'_>, contact: &str) -> Result<CustomerId> {
    let contact = contact.trim();
    if let Ok((id, _)) = find(tx, contact) {
        return Ok(id);
    }
    let (email, phone) = if contact.contains('@') {
        (check_email(contact)?, String::new())
    } else if contact.chars().filter(char::is_ascii_digit).count() >= 5 {
        (String::new(), check_phone(contact)?)
    } else {
        return Err(CoreError::Invalid(format!("'{contact}' is neither an email address nor a phone number: type one or the other")));
    };
    // The email as kept (lower case) may be a customer's already.
    if let Ok((id, _)) = find(tx, if email.is_empty() { &phone } else { &email }) {
        return Ok(id);
    }
    let name = text("customer name", contact, 120)?;
    let id = CustomerId::new();
    tx.record(OpKind::CustomerCreated(CustomerCreated {
        customer_id: id,
        created_at_ms: tx.now_ms(),
        fields: CustomerFields { name: Some(name), email: Some(email), phone: Some(phone), notes: Some(String::new()) },
    }))?;
    Ok(id)
}

fn check_email(email: &str) -> Result<String> {
    let e = optional_text("email", email, 200)?;
    if !e.is_empty() && (!e.contains('@') || e.contains(' ') || e.starts_with('@') || e.ends_with('@')) {
        return Err(CoreError::Invalid(format!("'{e}' is not an email address: type it like name@example.com")));
    }
    Ok(e.to_ascii_lowercase())
}

fn check_phone(phone: &str) -> Result<String> {
    let p = optional_text("phone", phone, 40)?;
    if !p.chars().all(|c| c.is_ascii_digit() || " +-().".contains(c)) {
        return Err(CoreError::Invalid(format!("'{p}' is not a phone number: use digits, spaces, + - ( and )")));
    }
    Ok(p)
}

/// A new customer, or changes to one (`None` leaves a field alone).
#[derive(Clone, Debug, Default)]
pub struct CustomerInput {
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub notes: Option<String>,
}

impl Store {
    pub fn add_customer(&mut self, input: CustomerInput) -> Result<CustomerView> {
        let name = text("customer name", input.name.as_deref().unwrap_or(""), 120)?;
        let email = check_email(input.email.as_deref().unwrap_or(""))?;
        let phone = check_phone(input.phone.as_deref().unwrap_or(""))?;
        let notes = optional_text("notes", input.notes.as_deref().unwrap_or(""), 2000)?;
        let id = self.write(|tx| {
            for key in [&email, &phone] {
                if !key.is_empty() && find(tx, key).is_ok() {
                    return Err(CoreError::Duplicate { what: "customer", key: key.clone(), hint: "edit the existing customer instead" });
                }
            }
            let id = CustomerId::new();
            tx.record(OpKind::CustomerCreated(CustomerCreated {
                customer_id: id,
                created_at_ms: tx.now_ms(),
                fields: CustomerFields { name: Some(name), email: Some(email), phone: Some(phone), notes: Some(notes) },
            }))?;
            Ok(id)
        })?;
        self.customer(&id.to_string())
    }

    /// The customer with this email or phone, added under it if new: a booth
    /// takes a contact for a receipt without a form to fill in.
    pub fn customer_by_contact(&mut self, contact: &str) -> Result<CustomerView> {
        let id = self.write(|tx| find_or_add(tx, contact))?;
        self.customer(&id.to_string())
    }

    pub fn edit_customer(&mut self, key: &str, input: CustomerInput) -> Result<CustomerView> {
        let id = self.write(|tx| {
            let (id, _) = find(tx, key)?;
            let fields = CustomerFields {
                name: input.name.as_deref().map(|v| text("customer name", v, 120)).transpose()?,
                email: input.email.as_deref().map(check_email).transpose()?,
                phone: input.phone.as_deref().map(check_phone).transpose()?,
                notes: input.notes.as_deref().map(|v| optional_text("notes", v, 2000)).transpose()?,
            };
            for key in [&fields.email, &fields.phone].into_iter().flatten() {
                if !key.is_empty() && find(tx, key).is_ok_and(|(other, _)| other != id) {
                    return Err(CoreError::Duplicate { what: "customer", key: key.clone(), hint: "another customer has it" });
                }
            }
            if fields == CustomerFields::default() {
                return Err(CoreError::Invalid("nothing to change: give at least one field to edit".into()));
            }
            tx.record(OpKind::CustomerEdited(CustomerEdited { customer_id: id, fields }))?;
            Ok(id)
        })?;
        self.customer(&id.to_string())
    }

    /// A customer with purchase history (newest first) and lifetime spend.
    pub fn customer(&self, key: &str) -> Result<CustomerView> {
        let conn = self.conn();
        let (id, _) = find(conn, key)?;
        let cid = id.to_string();
        let (name, email, phone, notes): (String, Option<String>, Option<String>, Option<String>) =
            conn.query_row("SELECT name, email, phone, notes FROM customers WHERE id = ?1", [&cid], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })?;
        let mut stmt = conn.prepare(
            "SELECT s.id, s.receipt_no, s.at_ms, s.total_cents, s.voided,
                    COALESCE((SELECT SUM(total_cents) FROM refunds r WHERE r.sale_id = s.id), 0)
             FROM sales s WHERE s.customer_id = ?1 ORDER BY s.at_ms DESC",
        )?;
        let purchases: Vec<PurchaseView> = stmt
            .query_map([&cid], |r| Ok((r.get::<_, String>(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)))?
            .map(|row| {
                let (sid, receipt_no, at_ms, total_cents, voided, refunded_cents) = row?;
                Ok(PurchaseView {
                    sale_id: sid.parse().map_err(|_| CoreError::Corrupt(format!("sale id '{sid}'")))?,
                    receipt_no,
                    at_ms,
                    total_cents,
                    refunded_cents,
                    voided,
                })
            })
            .collect::<Result<_>>()?;
        let lifetime = purchases.iter().filter(|p| !p.voided).map(|p| p.total_cents - p.refunded_cents).sum();
        Ok(CustomerView { id, name, email, phone, notes, lifetime_spend_cents: lifetime, purchases })
    }

    pub fn list_customers(&self, search: Option<&str>) -> Result<Vec<CustomerView>> {
        let pattern = format!("{}%", search.unwrap_or("").trim().replace(['%', '_'], ""));
        let mut stmt =
            self.conn().prepare("SELECT id FROM customers WHERE name LIKE ?1 OR email LIKE ?1 OR phone LIKE ?1 ORDER BY name")?;
        let ids: Vec<String> = stmt.query_map([&pattern], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
        ids.iter().map(|id| self.customer(id)).collect()
    }
}
