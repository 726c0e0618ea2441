//! State every screen shares: which screen is up, the POS's view of the
//! shop, the sync status, the theme, and the last error to show.
use crate::api::call;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wildroot_model::app::{AlertCount, AppSync, GetSync, Home, HomeView};
use wildroot_model::sync::Role;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Screen {
    Pos,
    Sales,
    Market,
    Inventory,
    Recipes,
    Customers,
    Reports,
    Alerts,
    Settings,
}

impl Screen {
    pub const ALL: [Screen; 9] = [
        Screen::Pos,
        Screen::Sales,
        Screen::Market,
        Screen::Inventory,
        Screen::Recipes,
        Screen::Customers,
        Screen::Reports,
        Screen::Alerts,
        Screen::Settings,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Screen::Pos => "Sell",
            Screen::Sales => "Sales",
            Screen::Market => "Market day",
            Screen::Inventory => "Inventory",
            Screen::Recipes => "Recipes & batches",
            Screen::Customers => "Customers",
            Screen::Reports => "Reports",
            Screen::Alerts => "Alerts",
            Screen::Settings => "Settings",
        }
    }

    pub fn id(self) -> &'static str {
        match self {
            Screen::Pos => "pos",
            Screen::Sales => "sales",
            Screen::Market => "market",
            Screen::Inventory => "inventory",
            Screen::Recipes => "recipes",
            Screen::Customers => "customers",
            Screen::Reports => "reports",
            Screen::Alerts => "alerts",
            Screen::Settings => "settings",
        }
    }

    /// Costs, margins, prices and settings: not for a vendor's session.
    pub fn owner_only(self) -> bool {
        matches!(self, Screen::Inventory | Screen::Recipes | Screen::Reports | Screen::Settings)
    }

    /// On a phone the booth's three screens stay in the tab bar; the rest sit behind "More".
    pub fn on_phone_bar(self) -> bool {
        matches!(self, Screen::Pos | Screen::Sales | Screen::Market)
    }

    pub fn may_open(self, role: Role) -> bool {
        role == Role::Owner || !self.owner_only()
    }
}

/// Something an alert or a link points at, opened by the screen that shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Focus {
    Product(String),
    Supply(String),
    Lot(String),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Theme {
    System,
    Sunlight,
    Dark,
}

impl Theme {
    const KEY: &'static str = "wildroot.theme";

    pub fn as_str(self) -> &'static str {
        match self {
            Theme::System => "system",
            Theme::Sunlight => "sunlight",
            Theme::Dark => "dark",
        }
    }

    pub fn parse(s: &str) -> Theme {
        match s {
            "sunlight" => Theme::Sunlight,
            "dark" => Theme::Dark,
            _ => Theme::System,
        }
    }

    pub fn icon(self) -> &'static str {
        match self {
            Theme::System => "◐",
            Theme::Sunlight => "☀",
            Theme::Dark => "☾",
        }
    }

    pub fn next(self) -> Theme {
        match self {
            Theme::System => Theme::Sunlight,
            Theme::Sunlight => Theme::Dark,
            Theme::Dark => Theme::System,
        }
    }
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// What this device remembers for the person using it (not business data:
/// nothing here is synced or counted), by key.
pub fn recall(key: &str) -> Option<String> {
    storage()?.get_item(key).ok().flatten()
}

pub fn remember(key: &str, value: &str) {
    if let Some(s) = storage() {
        let _ = s.set_item(key, value);
    }
}

/// How long an error stays on screen: long enough to read twice at a
/// busy booth, short enough that nobody has to dismiss it.
pub const TOAST_MS: u64 = 10_000;

#[derive(Clone, Copy)]
pub struct AppState {
    pub screen: RwSignal<Screen>,
    pub home: RwSignal<Option<HomeView>>,
    pub sync: RwSignal<Option<AppSync>>,
    pub toast: RwSignal<Option<String>>,
    pub theme: RwSignal<Theme>,
    /// The clock for "2 min ago", moved on by the status poll.
    pub now_ms: RwSignal<i64>,
    /// What the next screen should open at (an alert's item).
    pub focus: RwSignal<Option<Focus>>,
    /// The phone's "More" sheet of screens.
    pub more_open: RwSignal<bool>,
    /// Alerts waiting, for the badge: asked after the booth is up.
    pub alerts: RwSignal<usize>,
}

impl AppState {
    pub fn new() -> AppState {
        let theme = storage().and_then(|s| s.get_item(Theme::KEY).ok().flatten()).map(|t| Theme::parse(&t)).unwrap_or(Theme::System);
        AppState {
            screen: RwSignal::new(Screen::Pos),
            home: RwSignal::new(None),
            sync: RwSignal::new(None),
            toast: RwSignal::new(None),
            theme: RwSignal::new(theme),
            now_ms: RwSignal::new(js_sys::Date::now() as i64),
            focus: RwSignal::new(None),
            more_open: RwSignal::new(false),
            alerts: RwSignal::new(0),
        }
    }

    pub fn go(self, screen: Screen) {
        self.toast.set(None);
        self.more_open.set(false);
        self.screen.set(screen);
    }

    /// Opens `screen` at `focus`.
    pub fn open(self, screen: Screen, focus: Focus) {
        self.focus.set(Some(focus));
        self.go(screen);
    }

    /// Who this device is signed in as; the owner until the shop says otherwise.
    pub fn role(self) -> Role {
        self.home.with(|h| h.as_ref().map(|h| h.role)).unwrap_or(Role::Owner)
    }

    pub fn alert_count(self) -> usize {
        self.alerts.get()
    }

    /// Shows `message` for [`TOAST_MS`], or until tapped or replaced.
    pub fn fail(self, message: String) {
        self.toast.set(Some(message.clone()));
        let toast = self.toast;
        set_timeout(
            move || {
                // Only this message goes: a newer one keeps its own time.
                if toast.with_untracked(|t| t.as_deref() == Some(message.as_str())) {
                    toast.set(None);
                }
            },
            std::time::Duration::from_millis(TOAST_MS),
        );
    }

    /// The window's first requests. The booth's screen comes first: the
    /// shop (catalogue, market day) is read alone, and only once it is in
    /// are the sync status and the alert badge asked for, so the first
    /// screen never waits on them (#26).
    pub fn start(self) {
        spawn_local(async move {
            self.load_home(false).await;
            // A task of its own: the tiles are drawn (and the browser
            // paints) before anything else is asked of the shell.
            set_timeout(
                move || {
                    self.refresh_sync();
                    if self.role() == Role::Owner {
                        self.refresh_alerts();
                    }
                },
                std::time::Duration::ZERO,
            );
        });
    }

    /// Reads the shop again (stock, event totals) after anything changed it.
    pub fn refresh_home(self) {
        spawn_local(self.load_home(true));
    }

    async fn load_home(self, with_alerts: bool) {
        match call(&Home {}).await {
            Ok(h) => {
                crate::cart::set_currency(&h.currency);
                // A vendor's session never stays on an owner's screen.
                if !self.screen.get_untracked().may_open(h.role) {
                    self.screen.set(Screen::Pos);
                }
                let owner = h.role == Role::Owner;
                self.home.set(Some(h));
                // A sale or a stock change may have raised or cleared an alert.
                if !owner {
                    self.alerts.set(0);
                } else if with_alerts {
                    self.refresh_alerts();
                }
            }
            Err(e) => self.fail(e),
        }
    }

    pub fn refresh_alerts(self) {
        spawn_local(async move {
            // The badge is a hint: a failed count keeps the last one, and the next change asks again.
            if let Ok(n) = call(&AlertCount {}).await {
                self.alerts.set(n);
            }
        });
    }

    pub fn refresh_sync(self) {
        spawn_local(async move {
            // A failed status read is not worth a banner: the next poll tries again.
            if let Ok(s) = call(&GetSync {}).await {
                self.sync.set(Some(s));
            }
        });
    }

    pub fn tick(self) {
        self.now_ms.set(js_sys::Date::now() as i64);
        self.refresh_sync();
    }

    /// Sets `data-theme` on the page: absent follows the system.
    pub fn apply_theme(self) {
        let theme = self.theme.get_untracked();
        if let Some(root) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.document_element()) {
            let _ = match theme {
                Theme::System => root.remove_attribute("data-theme"),
                other => root.set_attribute("data-theme", other.as_str()),
            };
        }
        if let Some(s) = storage() {
            let _ = s.set_item(Theme::KEY, theme.as_str());
        }
    }

    pub fn set_theme(self, theme: Theme) {
        self.theme.set(theme);
        self.apply_theme();
    }

    pub fn next_theme(self) {
        self.set_theme(self.theme.get_untracked().next());
    }
}

impl Default for AppState {
    fn default() -> Self {
        AppState::new()
    }
}
