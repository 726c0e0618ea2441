//! The sync server: serving, its users, devices, backups and Shopify import.
use super::*;

/// Where the server keeps its data: declared once for `serve` and once for
/// every `server …` command (global, so it may follow any subcommand).
#[derive(clap::Args, Clone, Default)]
pub(crate) struct ServerStorage {
    /// PostgreSQL instead of the SQLite file (--db).
    #[arg(long, env = "WILDROOT_DATABASE_URL", global = true)]
    pub(crate) database_url: Option<String>,
}

#[derive(Subcommand)]
pub(crate) enum ServerBackupCmd {
    /// With the server stopped: put a backup back (SQLite: a `server backup`
    /// copy; PostgreSQL: a `pg_dump -Fc` file, with pg_restore) and give the
    /// log a new epoch, so every device sends again what the backup lacks.
    Restore { file: PathBuf },
}

#[derive(Subcommand)]
pub(crate) enum ServerCmd {
    /// Users who may log in.
    #[command(subcommand)]
    User(UserCmd),
    /// Devices registered with the server.
    Devices,
    /// Copy the server's SQLite database while it runs (PostgreSQL: use
    /// pg_dump); `backup restore FILE` puts a copy back.
    #[command(args_conflicts_with_subcommands = true)]
    Backup {
        path: Option<PathBuf>,
        #[command(subcommand)]
        cmd: Option<ServerBackupCmd>,
    },
    /// Store a device's exported changes (`wildroot sync export`) as if it
    /// had synced them; importing the same file again stores nothing new.
    ImportOps { path: PathBuf },
    /// Revoke a device (id or a unique prefix): it can no longer sync.
    Revoke { device: String },
    /// The server's own Shopify import: the token is kept on the server,
    /// sealed, and no device needs it.
    #[command(subcommand)]
    Shopify(ServerShopifyCmd),
    /// The server emails the shop's receipts: --smtp HOST:PORT --user U
    /// --password-file F [--starttls|--tls|--plain] [--from ADDRESS], or
    /// --off; with neither, where sending stands. The password is sealed
    /// with the key file; `wildroot serve` sends from then on.
    Mail {
        #[command(flatten)]
        mail: super::receipt::MailArgs,
        #[arg(long, env = "WILDROOT_SERVER_KEY_FILE")]
        key_file: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
pub(crate) enum ServerShopifyCmd {
    /// Link the server to a store. The token is read from a file (never the
    /// command line), tried once, then sealed; `wildroot serve` imports from then on.
    Connect {
        /// The store: my-shop, my-shop.myshopify.com or a full https:// address.
        #[arg(long)]
        shop: String,
        /// A file holding the Admin API access token (`-` reads stdin).
        #[arg(long)]
        token_file: PathBuf,
        /// The Admin API version, like 2026-10.
        #[arg(long)]
        api_version: Option<String>,
        /// Where the first import starts (YYYY-MM-DD, UTC; default: 60 days ago).
        #[arg(long)]
        since: Option<String>,
        #[arg(long, env = "WILDROOT_SERVER_KEY_FILE")]
        key_file: Option<PathBuf>,
    },
    /// Where the server's import stands.
    Status,
    /// Import now, once (the running server also does, on its own schedule).
    Import {
        #[arg(long, env = "WILDROOT_SERVER_KEY_FILE")]
        key_file: Option<PathBuf>,
    },
    /// Stop importing and forget the token.
    Disconnect,
}

#[derive(Subcommand)]
pub(crate) enum UserCmd {
    /// Add a user; the password is read from stdin or a prompt.
    Add {
        #[arg(long)]
        email: String,
        /// owner or vendor
        #[arg(long)]
        role: String,
    },
}

pub(crate) fn server_db(db: Option<PathBuf>) -> Result<PathBuf> {
    match db {
        Some(p) => Ok(p),
        None => Ok(dirs::data_dir()
            .ok_or_else(|| anyhow!("no data directory on this system: give --db PATH"))?
            .join("wildroot")
            .join("server.db")),
    }
}

/// The server's storage: PostgreSQL at `database_url`, or the SQLite file.
/// `wildroot server backup restore FILE`: the backup put back with a new
/// epoch. The server must be stopped (its database must not be open).
pub(crate) fn server_restore(db: Option<PathBuf>, file: &std::path::Path, database_url: Option<String>, format: Format) -> Result<String> {
    let rt = runtime()?;
    if !file.is_file() {
        bail!("there is no backup file at {}", file.display());
    }
    let (storage, kept) = match &database_url {
        Some(url) => {
            wildroot_server::postgres::restore_dump(url, file)?;
            (rt.block_on(server_storage(db, database_url.clone(), false))?, None)
        }
        None => {
            let kept = wildroot_server::sqlite::restore_file(&server_db(db.clone())?, file)?;
            (rt.block_on(server_storage(db, None, true))?, kept)
        }
    };
    let epoch = rt.block_on(wildroot_server::new_epoch(&storage))?;
    Ok(if format == Format::Json {
        json(&serde_json::json!({ "restored": file, "epoch": epoch, "kept": kept }))?
    } else {
        let kept = kept.map(|k| format!(" The database it replaced is kept as {}.", k.display())).unwrap_or_default();
        format!(
            "Restored the server from {}.{kept} Start it: each device sends again what the backup lacks when it next syncs.\n",
            file.display()
        )
    })
}

pub(crate) async fn server_storage(
    db: Option<PathBuf>,
    database_url: Option<String>,
    must_exist: bool,
) -> Result<wildroot_server::any::AnyStorage> {
    let path = server_db(db)?;
    if database_url.is_none() && must_exist && !path.exists() {
        bail!("there is no server database at {}: start the server once with `wildroot serve --db {}`", path.display(), path.display());
    }
    Ok(wildroot_server::any::AnyStorage::open(&path, database_url.as_deref()).await?)
}

/// The key file that seals the server's secrets: as given, else beside the
/// SQLite database, else (PostgreSQL) in the data directory.
pub(crate) fn server_key_file(db: Option<PathBuf>, uses_postgres: bool, given: Option<PathBuf>) -> Result<PathBuf> {
    if let Some(p) = given {
        return Ok(p);
    }
    if uses_postgres {
        return Ok(dirs::data_dir()
            .ok_or_else(|| anyhow!("no data directory on this system: give --key-file PATH"))?
            .join("wildroot")
            .join("server.key"));
    }
    Ok(server_db(db)?.with_extension("key"))
}

pub(crate) fn read_token(token_file: &std::path::Path) -> Result<String> {
    read_secret(token_file, "token file", "the Admin API access token")
}

/// A secret from a file, or stdin for `-`: never from the command line,
/// where other users and the shell history see it.
pub(crate) fn read_secret(file: &std::path::Path, kind: &str, what: &str) -> Result<String> {
    if file.as_os_str() == "-" {
        let mut t = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut t).with_context(|| format!("reading {what} from stdin"))?;
        Ok(t)
    } else {
        std::fs::read_to_string(file).with_context(|| format!("reading the {kind} {} (put {what} in it)", file.display()))
    }
}

pub(crate) fn server_shopify(
    rt: &tokio::runtime::Runtime,
    storage: wildroot_server::any::AnyStorage,
    default_key: PathBuf,
    cmd: ServerShopifyCmd,
    format: Format,
) -> Result<String> {
    use wildroot_server::shopify::import;
    let key_at = |given: Option<PathBuf>| -> Result<DeviceKey> {
        let path = given.unwrap_or(default_key.clone());
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        Ok(DeviceKey::load_or_create(&path)?)
    };
    let intro = match cmd {
        ServerShopifyCmd::Connect { shop, token_file, api_version, since, key_file, .. } => {
            let token = read_token(&token_file)?;
            let since = opt_date(&since, "--since")?.map(day_start_ms);
            let key = key_at(key_file)?;
            let shop = rt
                .block_on(import::connect(&storage, &key, &shop, &token, api_version.as_deref(), since, RetryPolicy::default()))
                .context("nothing was kept")?;
            format!("The server imports from {shop}; the token is sealed. `wildroot serve` imports on its own from now on.\n")
        }
        ServerShopifyCmd::Import { key_file } => {
            let key = key_at(key_file)?;
            let state = rt.block_on(wildroot_server::state(storage.clone()))?;
            match rt.block_on(import::import_once(&state, &key, RetryPolicy::default()))? {
                Some(r) => {
                    if format == Format::Json {
                        return json(&r);
                    }
                    let mut out = format!("Read {} order(s) in {} page(s).\n", r.orders, r.pages);
                    if let Some(w) = r.version_warning {
                        out.push_str(&format!("warning: {w}\n"));
                    }
                    out
                }
                None => bail!("the server is not connected to Shopify: run `wildroot server shopify connect --shop NAME --token-file F`"),
            }
        }
        ServerShopifyCmd::Disconnect => {
            rt.block_on(import::disconnect(&storage))?;
            "The server no longer imports from Shopify; its token is forgotten.\n".to_string()
        }
        ServerShopifyCmd::Status => String::new(),
    };
    let v = rt.block_on(import::status(&storage))?;
    if format == Format::Json {
        return json(&v);
    }
    let mut t = Table::new(&["server shopify", ""]);
    t.row(vec![
        "store".into(),
        v.shop.clone().unwrap_or_else(|| "none: wildroot server shopify connect --shop NAME --token-file F".into()),
    ]);
    t.row(vec!["api version".into(), v.api_version.clone().unwrap_or_default()]);
    t.row(vec!["first import from".into(), v.since_ms.map(when).unwrap_or_default()]);
    t.row(vec!["orders in up to".into(), v.watermark_ms.map(when).unwrap_or_else(|| "none yet".into())]);
    t.row(vec!["last run".into(), v.last_run_ms.map(when).unwrap_or_else(|| "never".into())]);
    t.row(vec!["last error".into(), v.last_error.clone().unwrap_or_default()]);
    Ok(intro + &t.render(format))
}

pub(crate) fn serve_cmd(
    db: Option<PathBuf>,
    listen: &str,
    database_url: Option<String>,
    shopify_webhook_secret: Option<String>,
    key_file: Option<PathBuf>,
    shopify_poll_seconds: u64,
    mail_poll_seconds: u64,
) -> Result<String> {
    use wildroot_server::storage::Storage;
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .init();
    let addr: std::net::SocketAddr =
        listen.parse().map_err(|_| anyhow!("--listen '{listen}' is not an address: type it like 127.0.0.1:8080"))?;
    let where_ = match &database_url {
        Some(_) => "--database-url URL".to_string(),
        None => format!("--db {}", server_db(db.clone())?.display()),
    };
    if shopify_poll_seconds == 0 {
        bail!("--shopify-poll-seconds must be at least 1");
    }
    if mail_poll_seconds == 0 {
        bail!("--mail-poll-seconds must be at least 1");
    }
    let key_path = server_key_file(db.clone(), database_url.is_some(), key_file)?;
    if let Some(dir) = key_path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let key = std::sync::Arc::new(DeviceKey::load_or_create(&key_path)?);
    // The mail sender's copy of the log, beside the key (rebuilt if deleted).
    let mail = wildroot_server::mail::MailOptions {
        key: key.clone(),
        replica: key_path.with_extension("mail-replica.db"),
        every: std::time::Duration::from_secs(mail_poll_seconds),
    };
    let shopify_import = wildroot_server::shopify::import::ImportOptions {
        key,
        every: std::time::Duration::from_secs(shopify_poll_seconds),
        policy: RetryPolicy::default(),
    };
    server_runtime()?.block_on(async move {
        let storage = server_storage(db, database_url, false).await?;
        let listener = tokio::net::TcpListener::bind(addr).await.with_context(|| format!("cannot listen on {addr}"))?;
        let url = format!("http://{}", listener.local_addr()?);
        eprintln!("Wildroot server on {url} ({} storage, {where_})", storage.describe());
        if storage.user_count().await? == 0 {
            eprintln!("No users yet. Create the owner:\n  wildroot server user add {where_} --email you@example.com --role owner");
        }
        let shutdown = async {
            let ctrl_c = tokio::signal::ctrl_c();
            #[cfg(unix)]
            {
                let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                    Ok(t) => t,
                    Err(_) => return std::future::pending::<()>().await,
                };
                tokio::select! { _ = ctrl_c => {}, _ = term.recv() => {} }
            }
            #[cfg(not(unix))]
            let _ = ctrl_c.await;
            eprintln!("Stopping: finishing requests in flight…");
        };
        if shopify_webhook_secret.is_some() {
            eprintln!("Shopify webhooks: {url}/api/v1/shopify/webhooks (orders/create, orders/updated, orders/cancelled, refunds/create)");
        }
        if let Some(shop) = wildroot_server::shopify::import::status(&storage).await?.shop {
            eprintln!("Importing Shopify orders from {shop} every {shopify_poll_seconds} s");
        }
        if let Some(m) = wildroot_server::mail::status(&storage).await?.server {
            eprintln!("Emailing receipts from {} through {}", m.from, m.address());
        }
        let options = wildroot_server::Options {
            shopify_webhook_secret,
            shopify_import: Some(shopify_import),
            mail: Some(mail),
            ..Default::default()
        };
        wildroot_server::serve_with(storage, listener, shutdown, options).await?;
        Ok::<_, anyhow::Error>(())
    })?;
    Ok(String::new())
}

/// The server's runtime. Its blocking pool (SQLite calls, password hashes)
/// is bounded: tokio's default of 512 threads let 50 syncing booths start
/// dozens, each with its own glibc malloc arena, and the server's resident
/// memory followed them (#26). SQLite takes one writer at a time anyway.
fn server_runtime() -> Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread().worker_threads(2).max_blocking_threads(SERVER_BLOCKING_THREADS).enable_all().build()?)
}

/// Threads for blocking work in `wildroot serve`: the SQLite connection
/// (one at a time) and the password hashes (`password_workers`, at most 4).
const SERVER_BLOCKING_THREADS: usize = 6;

pub(crate) fn server_cmd(db: Option<PathBuf>, storage: ServerStorage, cmd: ServerCmd, format: Format) -> Result<String> {
    use wildroot_server::storage::Storage;
    let url = storage.database_url;
    if let ServerCmd::Backup { cmd: Some(ServerBackupCmd::Restore { file }), .. } = &cmd {
        return server_restore(db, file, url, format);
    }
    let uses_postgres = url.is_some();
    let rt = runtime()?;
    let storage = rt.block_on(server_storage(db.clone(), url, true))?;
    match cmd {
        ServerCmd::User(UserCmd::Add { email, role, .. }) => {
            let role =
                wildroot_model::sync::Role::parse(&role).ok_or_else(|| anyhow!("--role '{role}' is not a role: use owner or vendor"))?;
            let password = read_password("New password: ")?;
            let (email, hash) = wildroot_server::auth::new_user(&email, &password).map_err(|m| anyhow!(m))?;
            rt.block_on(storage.add_user(&email, &hash, role))?;
            Ok(if format == Format::Json {
                json(&serde_json::json!({ "email": email, "role": role }))?
            } else {
                format!("Added {email} ({}).\n", role.as_str())
            })
        }
        ServerCmd::Backup { path, .. } => {
            let wildroot_server::any::AnyStorage::Sqlite(sqlite) = &storage else {
                bail!("this server keeps its data in PostgreSQL: back it up with pg_dump (see the README)");
            };
            let to = match path {
                Some(p) => p,
                None => dirs::data_dir()
                    .ok_or_else(|| anyhow!("no data directory on this system: give a backup path"))?
                    .join("wildroot")
                    .join("server-backups")
                    .join(format!("server-{}.db", chrono::Utc::now().format("%Y%m%d-%H%M%S"))),
            };
            rt.block_on(sqlite.backup_to(&to))?;
            Ok(if format == Format::Json {
                json(&serde_json::json!({ "backup": to }))?
            } else {
                format!(
                    "Backed up the server to {}. To restore: stop the server, run `wildroot server backup restore {}`, start it.\n",
                    to.display(),
                    to.display()
                )
            })
        }
        ServerCmd::Devices => {
            let devices = rt.block_on(storage.list_devices())?;
            if format == Format::Json {
                return json(&serde_json::json!({ "devices": devices }));
            }
            let mut t = Table::new(&["device", "name", "user", "role", "last seen", "status"]);
            for d in devices {
                t.row(vec![
                    d.device_id.to_string(),
                    d.name,
                    d.user_email,
                    d.role.as_str().into(),
                    d.last_seen_ms.map(when).unwrap_or_else(|| "never".into()),
                    if d.revoked { "revoked".into() } else { "active".into() },
                ]);
            }
            Ok(t.render(format))
        }
        ServerCmd::Shopify(cmd) => server_shopify(&rt, storage, server_key_file(db, uses_postgres, None)?, cmd, format),
        ServerCmd::Mail { mail, key_file } => {
            use wildroot_server::mail;
            if mail.off {
                rt.block_on(mail::disconnect(&storage))?;
            } else if let Some((server, password)) = mail.read()? {
                let path = server_key_file(db, uses_postgres, key_file)?;
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
                }
                rt.block_on(mail::configure(&storage, &DeviceKey::load_or_create(&path)?, &server, &password))?;
            }
            let status = rt.block_on(mail::status(&storage))?;
            if format == Format::Json {
                return json(&serde_json::json!({
                    "mail": status.server.as_ref().map(super::receipt::mail_json),
                    "last_run_ms": status.last_run_ms,
                    "last_error": status.last_error,
                }));
            }
            let mut out = super::receipt::mail_out(status.server.as_ref(), format)?;
            if let Some(ms) = status.last_run_ms {
                out.push_str(&format!("Last run {}{}.\n", when(ms), status.last_error.map(|e| format!(": {e}")).unwrap_or_default()));
            }
            Ok(out)
        }
        ServerCmd::ImportOps { path, .. } => {
            let file = read_ops_file(&path)?;
            let total = file.ops.len();
            let resp = rt.block_on(wildroot_server::api::import_ops_file(&storage, file))?;
            Ok(if format == Format::Json {
                json(&serde_json::json!({ "operations": total, "stored": resp.acked.len(), "refused": resp.refused }))?
            } else {
                let mut s = format!(
                    "Stored {} of {total} operation(s) from {} (any already here are stored once).\n",
                    resp.acked.len(),
                    path.display()
                );
                for r in &resp.refused {
                    s.push_str(&format!("Refused {}: {}\n", r.id, r.reason));
                }
                s
            })
        }
        ServerCmd::Revoke { device, .. } => {
            let id = rt.block_on(storage.revoke_device(&device))?;
            Ok(if format == Format::Json {
                json(&serde_json::json!({ "device_id": id, "revoked": true }))?
            } else {
                format!("Revoked {id}: it can no longer sync.\n")
            })
        }
    }
}
