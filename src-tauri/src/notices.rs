//! What the owner's device says through the platform's own notifications
//! (tauri-plugin-notification, #26): a product newly low on stock, and
//! sync newly in trouble. The rule is here, as plain data; the shell only
//! hands each notice to the plugin.
use std::collections::HashSet;
use std::sync::{Mutex, Weak};
use std::time::Duration;
use wildroot_core::Store;
use wildroot_model::sync::Role;
use wildroot_model::views::{Alert, AlertKind};

/// How often the owner's device looks for something to tell.
pub const EVERY: Duration = Duration::from_secs(30);

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    pub title: String,
    pub body: String,
}

/// The alerts already told (or already there when the app started, which
/// the badge in the window shows). An alert is told once when it appears;
/// one that goes away (stock received, sync working again) and comes back
/// is told again.
#[derive(Debug, Default)]
pub struct Notices {
    known: Option<HashSet<(AlertKind, String)>>,
}

impl Notices {
    /// The notices for the alerts now, given those seen before.
    pub fn observe(&mut self, alerts: &[Alert]) -> Vec<Notice> {
        let told: Vec<&Alert> =
            alerts.iter().filter(|a| matches!(a.kind, AlertKind::LowStock | AlertKind::Reorder | AlertKind::Sync)).collect();
        let now: HashSet<(AlertKind, String)> = told.iter().map(|a| key(a)).collect();
        let Some(known) = self.known.replace(now) else {
            return Vec::new();
        };
        told.into_iter()
            .filter(|a| !known.contains(&key(a)))
            .map(|a| Notice {
                title: match a.kind {
                    AlertKind::Sync => "Wildroot: sync needs attention".into(),
                    _ => format!("Wildroot: {} is running low", a.item),
                },
                body: a.message.clone(),
            })
            .collect()
    }
}

/// An alert is the same alert while its kind and item are.
fn key(a: &Alert) -> (AlertKind, String) {
    (a.kind, a.item.clone())
}

/// Looks every `every` while the store lives, on a thread of its own, and
/// hands each new notice to `send`. Only an owner's device tells: a booth
/// phone sells, and its vendor sees sync in the window's badge.
pub fn watch(store: Weak<Mutex<Store>>, every: Duration, send: impl Fn(Notice) + Send + 'static) -> std::io::Result<()> {
    std::thread::Builder::new().name("notices".into()).spawn(move || {
        let mut notices = Notices::default();
        // The first look waits a turn, so the booth's start never shares
        // the store with it.
        std::thread::sleep(every);
        while let Some(store) = store.upgrade() {
            let alerts = store.lock().ok().and_then(|s| match crate::owner::role(&s) {
                Ok(Role::Owner) => s.alerts().ok(),
                _ => None,
            });
            drop(store);
            if let Some(alerts) = alerts {
                for notice in notices.observe(&alerts) {
                    send(notice);
                }
            }
            std::thread::sleep(every);
        }
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alert(kind: AlertKind, item: &str) -> Alert {
        Alert { kind, item: item.into(), message: format!("{item}: look"), on_hand: None, threshold: None }
    }

    #[test]
    fn each_alert_is_told_once_when_it_appears_and_again_after_it_went_away() {
        let mut n = Notices::default();
        // What was there at start is in the window's badge already.
        assert_eq!(n.observe(&[alert(AlertKind::LowStock, "SALVE")]), vec![]);
        assert_eq!(n.observe(&[alert(AlertKind::LowStock, "SALVE")]), vec![]);
        let told = n.observe(&[alert(AlertKind::LowStock, "SALVE"), alert(AlertKind::LowStock, "SOAP"), alert(AlertKind::Expiring, "L1")]);
        assert_eq!(
            told,
            vec![Notice { title: "Wildroot: SOAP is running low".into(), body: "SOAP: look".into() }],
            "only the new low stock"
        );
        assert_eq!(n.observe(&[alert(AlertKind::LowStock, "SOAP")]), vec![], "SALVE restocked: nothing to tell");
        assert_eq!(n.observe(&[alert(AlertKind::LowStock, "SOAP"), alert(AlertKind::LowStock, "SALVE")]).len(), 1, "SALVE low again");
        let sync = n.observe(&[alert(AlertKind::Sync, "sync")]);
        assert_eq!(sync.len(), 1);
        assert_eq!(sync[0].title, "Wildroot: sync needs attention");
    }

    #[test]
    fn a_shop_running_low_tells_its_owner_and_not_its_booth() -> wildroot_core::Result<()> {
        use std::sync::Arc;
        let store = Arc::new(Mutex::new(Store::open_in_memory()?));
        store.lock().map_err(|_| wildroot_core::CoreError::Invalid("lock".into()))?.seed_demo()?;
        let (tx, rx) = std::sync::mpsc::channel();
        watch(Arc::downgrade(&store), Duration::from_millis(20), move |n| {
            let _ = tx.send(n);
        })
        .map_err(|e| wildroot_core::CoreError::Invalid(e.to_string()))?;
        std::thread::sleep(Duration::from_millis(120));
        let before: Vec<Notice> = rx.try_iter().collect();
        assert!(before.is_empty(), "alerts already there at start are not told: {before:?}");
        {
            let mut s = store.lock().map_err(|_| wildroot_core::CoreError::Invalid("lock".into()))?;
            let p = s
                .list_products(None, None)?
                .into_iter()
                .find(|p| p.on_hand > 0)
                .ok_or(wildroot_core::CoreError::Invalid("stock".into()))?;
            let edit = wildroot_core::product::ProductEdit { low_stock_at: Some(p.on_hand + 1), ..Default::default() };
            s.edit_product(&p.sku, edit)?;
        }
        let told = rx.recv_timeout(Duration::from_secs(5)).map_err(|e| wildroot_core::CoreError::Invalid(e.to_string()))?;
        assert!(told.title.ends_with("is running low"), "{told:?}");
        drop(store);
        Ok(())
    }
}
