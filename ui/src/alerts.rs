//! Alerts: low stock, reorder, oversold, expiring lots and sync problems,
//! each with a link to the thing it is about.
use crate::api::call;
use crate::state::{AppState, Focus, Screen};
use leptos::prelude::*;
use leptos::task::spawn_local;
use wildroot_model::app::ListAlerts;
use wildroot_model::sync::Role;
use wildroot_model::views::{Alert, AlertKind};

pub fn kind_label(kind: AlertKind) -> &'static str {
    match kind {
        AlertKind::LowStock => "Low stock",
        AlertKind::Reorder => "Reorder",
        AlertKind::Oversold => "Oversold",
        AlertKind::Expiring => "Expiring",
        AlertKind::Sync => "Sync",
        AlertKind::UnmatchedSku => "Unmatched SKU",
        AlertKind::LotNegative => "Lot below zero",
        AlertKind::RefundedTwice => "Refunded twice",
    }
}

fn kind_id(kind: AlertKind) -> &'static str {
    match kind {
        AlertKind::LowStock => "low_stock",
        AlertKind::Reorder => "reorder",
        AlertKind::Oversold => "oversold",
        AlertKind::Expiring => "expiring",
        AlertKind::Sync => "sync",
        AlertKind::UnmatchedSku => "unmatched_sku",
        AlertKind::LotNegative => "lot_negative",
        AlertKind::RefundedTwice => "refunded_twice",
    }
}

/// Where an alert's link goes. An oversold product has no threshold; an
/// oversold supply carries its reorder level.
pub fn target(alert: &Alert) -> (Screen, Option<Focus>) {
    match alert.kind {
        AlertKind::LowStock => (Screen::Inventory, Some(Focus::Product(alert.item.clone()))),
        AlertKind::Reorder => (Screen::Inventory, Some(Focus::Supply(alert.item.clone()))),
        AlertKind::Oversold if alert.threshold.is_some() => (Screen::Inventory, Some(Focus::Supply(alert.item.clone()))),
        AlertKind::Oversold => (Screen::Inventory, Some(Focus::Product(alert.item.clone()))),
        AlertKind::Expiring | AlertKind::LotNegative => (Screen::Recipes, Some(Focus::Lot(alert.item.clone()))),
        AlertKind::Sync => (Screen::Settings, None),
        AlertKind::RefundedTwice => (Screen::Sales, None),
        AlertKind::UnmatchedSku => (Screen::Settings, None),
    }
}

#[component]
pub fn Alerts() -> impl IntoView {
    let app = expect_context::<AppState>();
    let alerts = RwSignal::new(None::<Vec<Alert>>);
    spawn_local(async move {
        match call(&ListAlerts {}).await {
            Ok(a) => alerts.set(Some(a)),
            Err(e) => app.fail(e),
        }
    });
    let row = move |a: Alert| {
        let (screen, focus) = target(&a);
        // A vendor cannot open the owner's screens: the alert is still worth reading.
        let link = (app.role() == Role::Owner || !screen.owner_only()).then(|| {
            view! {
                <button class="link open-alert" on:click=move |_| match focus.clone() {
                    Some(f) => app.open(screen, f),
                    None => app.go(screen),
                }>{format!("Open in {}", screen.label())}</button>
            }
        });
        view! {
            <li class="alert" data-kind=kind_id(a.kind) data-item=a.item.clone()>
                <span class="alert-kind">{kind_label(a.kind)}</span>
                <span class="alert-message">{a.message.clone()}</span>
                {link}
            </li>
        }
    };
    view! {
        <section class="owner alerts-screen" id="alerts">
            <div class="card">
                <h2>"Alerts"</h2>
                {move || match alerts.get() {
                    None => view! { <p class="muted">"Checking…"</p> }.into_any(),
                    Some(list) if list.is_empty() => view! { <p class="muted" id="no-alerts">"Nothing needs you right now."</p> }.into_any(),
                    Some(list) => view! { <ul class="alert-list" id="alert-list">{list.into_iter().map(row).collect_view()}</ul> }.into_any(),
                }}
            </div>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alert(kind: AlertKind, item: &str, threshold: Option<i64>) -> Alert {
        Alert { kind, item: item.into(), message: String::new(), on_hand: None, threshold }
    }

    #[test]
    fn each_alert_links_to_its_item() {
        assert_eq!(target(&alert(AlertKind::LowStock, "SALVE", Some(5))), (Screen::Inventory, Some(Focus::Product("SALVE".into()))));
        assert_eq!(target(&alert(AlertKind::Reorder, "Beeswax", Some(500))), (Screen::Inventory, Some(Focus::Supply("Beeswax".into()))));
        assert_eq!(target(&alert(AlertKind::Oversold, "Tin", Some(0))), (Screen::Inventory, Some(Focus::Supply("Tin".into()))));
        assert_eq!(target(&alert(AlertKind::Oversold, "SALVE", None)), (Screen::Inventory, Some(Focus::Product("SALVE".into()))));
        assert_eq!(target(&alert(AlertKind::Expiring, "L-1", None)), (Screen::Recipes, Some(Focus::Lot("L-1".into()))));
        assert_eq!(target(&alert(AlertKind::Sync, "sync", None)).0, Screen::Settings);
    }
}
