//! Drives the real Wildroot app (the `wildroot-app` binary in its WebKitGTK
//! webview) over WebDriver: `tauri-driver` in front of `WebKitWebDriver`,
//! spoken to with fantoccini. Each [`App`] gets its own driver on free
//! loopback ports and its own database file, so tests cannot see each
//! other's sales. [`TestServer`] is a real sync server on 127.0.0.1.
//!
//! Needs a display: run under `xvfb-run -a` (scripts/test does).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use anyhow::{anyhow, bail, Context, Result};
use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use std::net::{Ipv4Addr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};
use wildroot_core::Store;
use wildroot_model::sync::Role;
use wildroot_server::any::AnyStorage;
use wildroot_server::storage::Storage;

/// How long any one expected change on screen may take before a test fails.
pub const PATIENCE: Duration = Duration::from_secs(15);

/// The app binary: `WILDROOT_APP_BIN`, else the app built beside this test
/// (a test runs from `<target>/<profile>/deps/`, the app is in `<target>/<profile>/`).
pub fn app_binary() -> Result<PathBuf> {
    let path = match std::env::var_os("WILDROOT_APP_BIN") {
        Some(p) => PathBuf::from(p),
        None => {
            let exe = std::env::current_exe().context("cannot tell where this test runs from")?;
            let profile_dir = exe.parent().and_then(Path::parent).ok_or_else(|| anyhow!("{} has no profile folder", exe.display()))?;
            profile_dir.join("wildroot-app")
        }
    };
    if !path.exists() {
        bail!("{} does not exist: build the app first (`scripts/build-ui && cargo build -p wildroot-app`)", path.display());
    }
    Ok(path)
}

/// A port nobody listens on right now.
pub fn free_port() -> Result<u16> {
    Ok(TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?.local_addr()?.port())
}

fn tracing_or_note(css: &str, e: &fantoccini::error::CmdError) {
    if std::env::var_os("WILDROOT_E2E_VERBOSE").is_some() {
        eprintln!("retrying `{css}`: {e}");
    }
}

/// Polls without blocking the runtime: a test's server may share its thread.
async fn wait_for_port(port: u16, within: Duration) -> Result<()> {
    let start = Instant::now();
    while start.elapsed() < within {
        if tokio::net::TcpStream::connect((Ipv4Addr::LOCALHOST, port)).await.is_ok() {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    bail!("nothing listened on 127.0.0.1:{port} within {within:?}")
}

/// How to start the app.
#[derive(Debug, Clone)]
pub struct Launch {
    pub db: PathBuf,
    /// Seconds between background syncs (the app's default is 30).
    pub sync_interval_secs: u64,
}

/// One running app and the WebDriver session that drives it.
pub struct App {
    pub client: Client,
    /// When the WebDriver session (which launches the app) was asked for.
    pub launched_at: Instant,
    driver: Child,
}

const SESSION_FAILED: &str = "WebDriver session did not start";

impl App {
    /// Starts tauri-driver with the app's environment, opens a session
    /// (which starts the app) and waits until the POS screen is interactive.
    pub async fn launch(launch: &Launch) -> Result<App> {
        let app = Self::start(launch).await?;
        if let Err(e) = app.find(".tile").await {
            let shown = app.client.execute("return document.body.innerText", vec![]).await.unwrap_or_default();
            bail!("the POS screen never showed its product tiles ({e}); the window showed: {shown}");
        }
        Ok(app)
    }

    /// Like [`App::launch`] without waiting for anything on screen.
    ///
    /// The driver's ports are picked free and bound a moment later by
    /// WebKitWebDriver; in between, the system may hand one to another
    /// process's outgoing connection ("Unable to listen for HTTP server",
    /// seen once in a full run). Such a start is retried on new ports.
    pub async fn start(launch: &Launch) -> Result<App> {
        let mut attempt = 1;
        loop {
            match Self::start_once(launch).await {
                Err(e) if attempt < 3 && e.to_string().starts_with(SESSION_FAILED) => {
                    eprintln!("starting the app again on new ports: {e}");
                    attempt += 1;
                }
                other => return other,
            }
        }
    }

    async fn start_once(launch: &Launch) -> Result<App> {
        let binary = app_binary()?;
        let port = free_port()?;
        let native = free_port()?;
        let driver = Command::new(std::env::var_os("TAURI_DRIVER").unwrap_or_else(|| "tauri-driver".into()))
            .args(["--port", &port.to_string(), "--native-port", &native.to_string()])
            .env("WILDROOT_APP_DB", &launch.db)
            .env("WILDROOT_SYNC_INTERVAL_SECS", launch.sync_interval_secs.to_string())
            // Exports land beside the test's database, never in the real Downloads.
            .env("WILDROOT_EXPORT_DIR", launch.db.with_file_name("exports"))
            // WebKitGTK's DMA-BUF renderer draws nothing under Xvfb.
            .env("WEBKIT_DISABLE_DMABUF_RENDERER", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .context("could not start tauri-driver (is it installed? scripts/setup-app installs it)")?;
        let mut guard = DriverGuard(Some(driver));
        wait_for_port(port, PATIENCE).await?;
        let mut caps = serde_json::Map::new();
        caps.insert("browserName".into(), "wry".into());
        caps.insert("tauri:options".into(), serde_json::json!({ "application": binary }));
        // Installing twice is harmless: the second call is refused.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let launched_at = Instant::now();
        // tauri-driver listens before the WebKitWebDriver it forwards to
        // does: a session asked for in between is dropped unanswered (seen
        // on a first launch after a clean build). Asking again is safe, as
        // no app was started for a request that never reached the driver.
        let client = loop {
            match ClientBuilder::rustls()?.capabilities(caps.clone()).connect(&format!("http://127.0.0.1:{port}")).await {
                Ok(client) => break client,
                Err(
                    e @ (fantoccini::error::NewSessionError::Failed(_)
                    | fantoccini::error::NewSessionError::FailedC(_)
                    | fantoccini::error::NewSessionError::Lost(_)
                    | fantoccini::error::NewSessionError::NotW3C(_)),
                ) if launched_at.elapsed() < PATIENCE => {
                    if std::env::var_os("WILDROOT_E2E_VERBOSE").is_some() {
                        eprintln!("asking for the WebDriver session again: {e}");
                    }
                    tokio::time::sleep(Duration::from_millis(250)).await;
                }
                Err(e) => bail!("{SESSION_FAILED}: {e}"),
            }
        };
        let driver = guard.0.take().ok_or_else(|| anyhow!("driver vanished"))?;
        Ok(App { client, launched_at, driver })
    }

    /// Waits for an element matching `css`.
    pub async fn find(&self, css: &str) -> Result<Element> {
        if std::env::var_os("WILDROOT_E2E_VERBOSE").is_some() {
            eprintln!("find `{css}`");
        }
        self.client
            .wait()
            .at_most(PATIENCE)
            .every(Duration::from_millis(20))
            .for_element(Locator::Css(css))
            .await
            .with_context(|| format!("no element matches `{css}`"))
    }

    /// Clicks the element at `css`. A list that re-renders (its data arrived)
    /// replaces the element between finding and clicking it, so a stale
    /// element is looked up again until [`PATIENCE`] runs out.
    /// Clicks as a person taps: the element scrolled to the middle of its
    /// scrolling box first. WebKitWebDriver scrolls only an element whose
    /// centre is outside the window, so one half hidden at the bottom of a
    /// screen, under the phone's tab bar, would be refused as covered.
    pub async fn click(&self, css: &str) -> Result<()> {
        let client = self.client.clone();
        self.retry(css, move |el| {
            let client = client.clone();
            async move {
                let arg = serde_json::to_value(&el).map_err(|e| fantoccini::error::CmdError::NotJson(e.to_string()))?;
                client.execute("arguments[0].scrollIntoView({ block: 'center', inline: 'nearest' });", vec![arg]).await?;
                el.click().await.map(|_| ())
            }
        })
        .await
        .with_context(|| format!("could not click `{css}`"))
    }

    /// Replaces the text of an input.
    pub async fn fill(&self, css: &str, text: &str) -> Result<()> {
        self.retry(css, |el| async move {
            el.clear().await?;
            el.send_keys(text).await
        })
        .await
        .with_context(|| format!("could not type into `{css}`"))
    }

    /// Picks `value` in the `<select>` at `css` the way a person's choice
    /// arrives (a `change` event). Clicking an `<option>` opens GTK's native
    /// menu under WebKitWebDriver, so the choice is made in the page.
    pub async fn select(&self, css: &str, value: &str) -> Result<()> {
        self.find(css).await?;
        let script = "const el = document.querySelector(arguments[0]); \
            if (!el || ![...el.options].some(o => o.value === arguments[1])) return false; \
            el.value = arguments[1]; el.dispatchEvent(new Event('change', { bubbles: true })); return el.value === arguments[1];";
        let start = Instant::now();
        while start.elapsed() < PATIENCE {
            let done = self.client.execute(script, vec![css.into(), value.into()]).await?;
            if done.as_bool() == Some(true) {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        bail!("`{css}` never offered `{value}`")
    }

    async fn retry<F, Fut>(&self, css: &str, act: F) -> Result<()>
    where
        F: Fn(Element) -> Fut,
        Fut: std::future::Future<Output = Result<(), fantoccini::error::CmdError>>,
    {
        let start = Instant::now();
        loop {
            let el = self.find(css).await?;
            match act(el).await {
                Ok(()) => return Ok(()),
                Err(e) if start.elapsed() < PATIENCE => {
                    tracing_or_note(css, &e);
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                Err(e) => return Err(e.into()),
            }
        }
    }

    pub async fn text(&self, css: &str) -> Result<String> {
        Ok(self.find(css).await?.text().await?.trim().to_string())
    }

    pub async fn attr(&self, css: &str, name: &str) -> Result<Option<String>> {
        Ok(self.find(css).await?.attr(name).await?)
    }

    /// Waits until `read` (the text, or an attribute with `@name`) of the
    /// element at `css` satisfies `ok`; returns the last value read.
    pub async fn wait_until(&self, css: &str, what: &str, ok: impl Fn(&str) -> bool) -> Result<String> {
        let start = Instant::now();
        let mut last = String::new();
        while start.elapsed() < PATIENCE {
            if let Ok(el) = self.client.find(Locator::Css(css)).await {
                let value = match what.strip_prefix('@') {
                    Some(attr) => el.attr(attr).await.ok().flatten(),
                    None => el.text().await.ok(),
                };
                if let Some(v) = value {
                    last = v.trim().to_string();
                    if ok(&last) {
                        return Ok(last);
                    }
                }
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        bail!("`{css}` {what} never became what the test waited for (last seen: {last:?})")
    }

    /// Waits until the text of `css` equals `expected`.
    pub async fn wait_text(&self, css: &str, expected: &str) -> Result<String> {
        self.wait_until(css, "text", |t| t == expected).await
    }

    /// Waits until nothing matches `css`.
    pub async fn wait_gone(&self, css: &str) -> Result<()> {
        let start = Instant::now();
        while start.elapsed() < PATIENCE {
            if self.client.find(Locator::Css(css)).await.is_err() {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        bail!("`{css}` is still on screen")
    }

    /// Saves a screenshot of the app window to `target/screenshots/<name>.png`.
    ///
    /// WebKitWebDriver answers a screenshot after the page's next paint; a
    /// page with nothing moving (no caret, no animation) may never paint
    /// again, so a one-pixel nudge repaints every frame while it is taken.
    pub async fn screenshot(&self, name: &str) -> Result<PathBuf> {
        const NUDGE: &str = "if (!window.__wdNudge) { window.__wdNudge = true; const d = document.createElement('div'); \
            d.style.cssText = 'position:fixed;right:0;bottom:0;width:1px;height:1px;pointer-events:none;z-index:2147483647'; \
            document.body.appendChild(d); let on = false; \
            const tick = () => { if (!window.__wdNudge) { d.remove(); return; } on = !on; \
              d.style.background = on ? 'rgba(0,0,0,0.01)' : 'rgba(0,0,0,0.02)'; requestAnimationFrame(tick); }; \
            requestAnimationFrame(tick); }";
        self.client.execute(NUDGE, vec![]).await?;
        let shot = tokio::time::timeout(PATIENCE, self.client.screenshot()).await;
        self.client.execute("window.__wdNudge = false", vec![]).await?;
        let png = shot.map_err(|_| anyhow!("the screenshot `{name}` did not come within {PATIENCE:?}"))??;
        let dir = screenshots_dir();
        std::fs::create_dir_all(&dir)?;
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, png)?;
        Ok(path)
    }

    pub async fn quit(mut self) -> Result<()> {
        let result = self.client.clone().close().await;
        stop_tree(&mut self.driver);
        result.map_err(|e| anyhow!("closing the session: {e}"))
    }

    /// The process id of the app itself (the driver's grandchild).
    pub fn app_pid(&self) -> Option<u32> {
        // By the binary it runs, not by name: a copy of the app under
        // another name (two builds benched side by side) is still the app.
        let binary = app_binary().ok().and_then(|b| b.canonicalize().ok())?;
        descendants(self.driver.id()).into_iter().find(|pid| std::fs::read_link(format!("/proc/{pid}/exe")).is_ok_and(|exe| exe == binary))
    }

    /// The app's processes: the shell and WebKit's web and network processes
    /// it starts, with their names.
    pub fn app_processes(&self) -> Vec<(u32, String)> {
        let Some(app) = self.app_pid() else { return Vec::new() };
        std::iter::once(app).chain(descendants(app)).filter_map(|pid| Some((pid, process_name(pid)?))).collect()
    }
}

impl Drop for App {
    fn drop(&mut self) {
        stop_tree(&mut self.driver);
    }
}

/// Stops tauri-driver and what it started: killing the driver alone left
/// its WebKitWebDriver (and, after a failed test, the app) running.
fn stop_tree(driver: &mut Child) {
    let below = descendants(driver.id());
    let _ = driver.kill();
    let _ = driver.wait();
    for pid in below {
        let _ = Command::new("kill").arg("-9").arg(pid.to_string()).stdout(Stdio::null()).stderr(Stdio::null()).status();
    }
}

struct DriverGuard(Option<Child>);

impl Drop for DriverGuard {
    fn drop(&mut self) {
        if let Some(mut c) = self.0.take() {
            stop_tree(&mut c);
        }
    }
}

pub fn screenshots_dir() -> PathBuf {
    let target =
        std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"));
    target.join("screenshots")
}

fn process_name(pid: u32) -> Option<String> {
    Some(std::fs::read_to_string(format!("/proc/{pid}/comm")).ok()?.trim().to_string())
}

fn descendants(root: u32) -> Vec<u32> {
    let mut out = Vec::new();
    let mut frontier = vec![root];
    while let Some(parent) = frontier.pop() {
        let Ok(children) = std::fs::read_to_string(format!("/proc/{parent}/task/{parent}/children")) else { continue };
        for pid in children.split_whitespace().filter_map(|p| p.parse().ok()) {
            out.push(pid);
            frontier.push(pid);
        }
    }
    out
}

/// Resident memory of a process in KiB (VmRSS).
pub fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// A sync server on 127.0.0.1 backed by a SQLite file, that can be stopped
/// and started again on the same port.
pub struct TestServer {
    pub url: String,
    port: u16,
    path: PathBuf,
    storage: AnyStorage,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl TestServer {
    pub async fn start(path: &Path) -> Result<TestServer> {
        Self::start_on(path, 0).await
    }

    async fn start_on(path: &Path, port: u16) -> Result<TestServer> {
        let storage = AnyStorage::open(path, None).await?;
        let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, port)).await?;
        let port = listener.local_addr()?.port();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let s = storage.clone();
        // The server's receipt sender, as `wildroot serve` runs it (a tick a second).
        let mail = wildroot_server::mail::MailOptions {
            key: std::sync::Arc::new(wildroot_core::shopify::link::DeviceKey::load_or_create(&path.with_extension("key"))?),
            replica: path.with_extension("mail-replica.db"),
            every: std::time::Duration::from_secs(1),
        };
        let options = wildroot_server::Options { mail: Some(mail), ..Default::default() };
        let task = tokio::spawn(async move {
            if let Err(e) = wildroot_server::serve_with(
                s,
                listener,
                async {
                    let _ = stopped.await;
                },
                options,
            )
            .await
            {
                eprintln!("test server: {e}");
            }
        });
        Ok(TestServer {
            url: format!("http://127.0.0.1:{port}"),
            port,
            path: path.to_path_buf(),
            storage,
            stop: Some(stop),
            task: Some(task),
        })
    }

    pub async fn add_user(&self, email: &str, password: &str, role: Role) -> Result<()> {
        let hash = wildroot_server::auth::hash_password(password).map_err(|e| anyhow!(e))?;
        Ok(self.storage.add_user(email, &hash, role).await?)
    }

    /// Links the server's own Shopify import to `shop`, as `wildroot server
    /// shopify connect` does (the token is tried on one page of orders).
    /// The import loop is not started: what the app reads is the link.
    pub async fn connect_shopify(&self, shop: &str, token: &str) -> Result<()> {
        let key = wildroot_core::shopify::link::DeviceKey::load_or_create(&self.path.with_extension("key"))?;
        let policy = wildroot_core::shopify::client::RetryPolicy::default();
        wildroot_server::shopify::import::connect(&self.storage, &key, shop, token, None, None, policy).await?;
        Ok(())
    }

    /// Sets the server's mail server, as `wildroot server mail` does.
    pub async fn set_mail(&self, server: &wildroot_model::mail::MailServer, password: &str) -> Result<()> {
        let key = wildroot_core::shopify::link::DeviceKey::load_or_create(&self.path.with_extension("key"))?;
        Ok(wildroot_server::mail::configure(&self.storage, &key, server, password).await?)
    }

    pub async fn disconnect_shopify(&self) -> Result<()> {
        Ok(wildroot_server::shopify::import::disconnect(&self.storage).await?)
    }

    /// Stops serving and waits until the port is free.
    pub async fn stop(&mut self) -> Result<()> {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.task.take() {
            t.await?;
        }
        Ok(())
    }

    /// Serves again on the same port, from the same file.
    pub async fn restart(&mut self) -> Result<()> {
        self.stop().await?;
        *self = Self::start_on(&self.path.clone(), self.port).await?;
        Ok(())
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
    }
}

/// Creates the app's database at `db` (with the demo catalogue, as a first
/// start would) and connects it to `server` as `email`, the way the
/// Settings screen does.
pub async fn connected_db(db: &Path, server: &TestServer, email: &str, password: &str) -> Result<()> {
    let mut store = Store::open(db)?;
    store.seed_demo()?;
    let store = Mutex::new(store);
    wildroot_core::sync::login(&store, &server.url, email, password, "e2e booth").await?;
    Ok(())
}
