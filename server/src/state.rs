//! What every request handler and the background Shopify import share:
//! the storage, the secrets, the counters and the limits on work done at
//! once. Built once at start (`crate::state_with`).
use crate::metrics::Metrics;

pub struct AppState<S> {
    pub storage: S,
    pub jwt_secret: String,
    /// The log's epoch (`crate::epoch`), answered with every pull.
    pub epoch: String,
    pub metrics: Metrics,
    pub logins: LoginLimiter,
    /// The Shopify app's client secret, which signs its webhooks; none: webhooks are off.
    pub shopify_webhook_secret: Option<Vec<u8>>,
    /// Webhooks are recorded one at a time (one device, one sequence).
    pub shopify_lock: tokio::sync::Mutex<()>,
    /// Wakes the server's Shopify import before its next tick (a refund
    /// webhook carries no order, so the order is read at once instead).
    pub shopify_wake: tokio::sync::Notify,
    /// The server's Mail device records one outcome at a time.
    pub mail_lock: tokio::sync::Mutex<()>,
    /// Wakes the receipt sender when a push brings an email request.
    pub mail_wake: tokio::sync::Notify,
    /// How long one request may take, its body included: a client that
    /// trickles a body (or stalls half-way) is answered 408 and let go.
    pub request_timeout: std::time::Duration,
    /// Password hashes computed at once. Each argon2 run takes ~19 MiB and
    /// a core for a moment: 50 booths logging in together otherwise ran 50
    /// at a time and left the server holding close to 1 GiB (load bench).
    pub password_work: tokio::sync::Semaphore,
}

/// The default size of [`AppState::password_work`].
pub fn password_workers() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get()).clamp(2, 4)
}

/// The default of [`AppState::request_timeout`]: a 1,000-operation push
/// over a poor market-day connection fits well inside it.
pub const REQUEST_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(120);

/// Failed logins allowed per email within [`LOGIN_WINDOW_MS`].
pub const MAX_FAILED_LOGINS: u32 = 10;
pub const LOGIN_WINDOW_MS: i64 = 15 * 60 * 1000;

/// Slows password guessing: after [`MAX_FAILED_LOGINS`] wrong passwords for
/// an email, its logins are refused until the window passes, even with the
/// right password. Kept in memory: a restart forgets, which is acceptable
/// for a limiter.
#[derive(Default)]
pub struct LoginLimiter {
    failures: std::sync::Mutex<std::collections::HashMap<String, (u32, i64)>>,
}

impl LoginLimiter {
    /// Minutes to wait if `email` is locked out now.
    pub fn locked(&self, email: &str, now: i64) -> Option<i64> {
        let map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        match map.get(email) {
            Some((n, since)) if *n >= MAX_FAILED_LOGINS && now - since < LOGIN_WINDOW_MS => {
                Some((LOGIN_WINDOW_MS - (now - since)) / 60_000 + 1)
            }
            _ => None,
        }
    }

    pub fn failed(&self, email: &str, now: i64) {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() > 100_000 {
            // Bound the memory an attacker can make us use.
            map.retain(|_, (_, since)| now - *since < LOGIN_WINDOW_MS);
        }
        let entry = map.entry(email.to_string()).or_insert((0, now));
        if now - entry.1 >= LOGIN_WINDOW_MS {
            *entry = (0, now);
        }
        entry.0 += 1;
    }

    pub fn succeeded(&self, email: &str) {
        self.failures.lock().unwrap_or_else(|p| p.into_inner()).remove(email);
    }
}
