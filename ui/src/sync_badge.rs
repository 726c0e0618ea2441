//! The sync status in the header: always visible, in words, with details and
//! a "Sync now" button a tap away.
use crate::api::call;
use crate::cart::ago;
use crate::state::{AppState, Screen};
use leptos::prelude::*;
use leptos::task::spawn_local;
use wildroot_model::app::{AppSync, ExportUnsynced, SaveUnsyncedAs, SyncNow};

/// The state shown: `local`, `syncing`, `synced`, `pending` or `offline`.
pub fn state_of(s: &AppSync) -> &'static str {
    if s.syncing {
        return "syncing";
    }
    match s.status.state.as_str() {
        "not_configured" => "local",
        "synced" => "synced",
        "pending" => "pending",
        _ => "offline",
    }
}

/// The badge's words: short enough for a phone's header.
pub fn label(s: &AppSync) -> String {
    let waiting = s.status.pending;
    match state_of(s) {
        "local" => "Not syncing".into(),
        "syncing" => "Syncing…".into(),
        "synced" => "Synced".into(),
        "pending" => format!("{waiting} to sync"),
        _ if waiting > 0 => format!("Offline · {waiting} waiting"),
        _ => "Offline".into(),
    }
}

/// A server's error as words for the person at the booth.
pub fn plain_error(error: &str) -> String {
    if error.starts_with("cannot reach the server") {
        "The server cannot be reached (no network, or the server is down). Sales are kept on this device and will sync when it is back."
            .into()
    } else {
        format!("The last sync failed: {error}")
    }
}

#[component]
pub fn SyncBadge() -> impl IntoView {
    let app = expect_context::<AppState>();
    let open = RwSignal::new(false);
    let sync_now = move |_| {
        spawn_local(async move {
            match call(&SyncNow {}).await {
                Ok(s) => app.sync.set(Some(s)),
                Err(e) => app.fail(e),
            }
        });
    };
    let exported = RwSignal::new(None::<String>);
    let export = move |_| {
        spawn_local(async move {
            match call(&ExportUnsynced {}).await {
                Ok(path) => exported.set(Some(path)),
                Err(e) => app.fail(e),
            }
        });
    };
    // The platform's save dialog; the button above writes beside reports.
    let export_as = move |_| {
        spawn_local(async move {
            match call(&SaveUnsyncedAs {}).await {
                Ok(Some(path)) => exported.set(Some(path)),
                Ok(None) => {}
                Err(e) => app.fail(e),
            }
        });
    };
    let state = move || app.sync.with(|s| s.as_ref().map(state_of).unwrap_or("local"));
    view! {
        <div class="sync">
            <button class="sync-badge" id="sync-badge" data-state=state on:click=move |_| open.update(|o| *o = !*o)>
                <span class="dot"></span>
                <span id="sync-state">{move || app.sync.with(|s| s.as_ref().map(label).unwrap_or_else(|| "…".into()))}</span>
            </button>
            <Show when=move || open.get()>
                <div class="sync-panel" id="sync-panel">
                    {move || {
                        app.sync
                            .get()
                            .map(|s| {
                                let now = app.now_ms.get();
                                let st = s.status;
                                view! {
                                    <p id="sync-server">
                                        {st.server_url.clone().map(|u| format!("Server: {u}")).unwrap_or_else(|| "This device keeps its shop to itself.".into())}
                                    </p>
                                    <p id="sync-pending">{format!("{} change(s) waiting to sync", st.pending)}</p>
                                    <p id="sync-last">
                                        {st.last_success_ms.map(|t| format!("Last synced {}", ago(t, now))).unwrap_or_else(|| "Never synced".into())}
                                    </p>
                                    {st.last_error.as_deref().map(|e| view! { <p class="error" id="sync-error">{plain_error(e)}</p> })}
                                    {(!st.refused.is_empty())
                                        .then(|| {
                                            view! {
                                                <p class="error">
                                                    {format!("{} change(s) refused by the server: ", st.refused.len())}
                                                    {st.refused.iter().map(|r| r.reason.clone()).collect::<Vec<_>>().join("; ")}
                                                </p>
                                            }
                                        })}
                                }
                            })
                    }}
                    <Show
                        when=move || app.sync.with(|s| s.as_ref().is_some_and(|s| s.status.server_url.is_some()))
                        fallback=move || {
                            view! {
                                <button class="secondary" on:click=move |_| {
                                    open.set(false);
                                    app.go(Screen::Settings);
                                }>"Connect to a server"</button>
                            }
                        }
                    >
                        <button class="primary" id="sync-now" on:click=sync_now>"Sync now"</button>
                        <Show when=move || app.sync.with(|s| s.as_ref().is_some_and(|s| s.status.pending > 0))>
                            <p class="muted">"No network before the battery runs out? Save the waiting changes to a file and give it to the owner."</p>
                            <button class="secondary" id="sync-export" on:click=export>"Save unsynced changes to a file"</button>
                            <button class="secondary" id="sync-export-as" on:click=export_as>"Save to…"</button>
                        </Show>
                        {move || exported.get().map(|p| view! { <p class="done" id="sync-exported">{format!("Saved {p}")}</p> })}
                    </Show>
                </div>
            </Show>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wildroot_model::views::SyncStatus;

    fn status(state: &str, pending: i64, error: Option<&str>) -> AppSync {
        AppSync {
            status: SyncStatus {
                state: state.into(),
                server_url: Some("https://example.test".into()),
                device_name: None,
                user_email: None,
                pending,
                refused: vec![],
                last_attempt_ms: None,
                last_success_ms: None,
                last_error: error.map(String::from),
                pulled_through: 0,
            },
            syncing: false,
        }
    }

    #[test]
    fn the_badge_says_where_sync_stands() {
        assert_eq!(label(&status("synced", 0, None)), "Synced");
        assert_eq!(label(&status("pending", 3, None)), "3 to sync");
        assert_eq!(label(&status("offline", 2, Some("cannot reach the server: refused"))), "Offline · 2 waiting");
        assert_eq!(label(&status("not_configured", 5, None)), "Not syncing");
        let mut busy = status("pending", 1, None);
        busy.syncing = true;
        assert_eq!((state_of(&busy), label(&busy).as_str()), ("syncing", "Syncing…"));
        assert!(plain_error("cannot reach the server: connection refused").contains("kept on this device"));
        assert!(plain_error("the server said: token revoked").contains("token revoked"));
    }
}
