//! Signing in, syncing and carrying changes by hand.
use super::*;

#[derive(Subcommand)]
pub(crate) enum SyncCmd {
    /// Online or not, pending changes, last success, refusals and errors.
    Status,
    /// Write this device's not-yet-synced changes to a file, to carry by
    /// hand to the server (`wildroot server import-ops`) or another device.
    Export { path: PathBuf },
    /// Apply another device's exported changes here (each once).
    Import { path: PathBuf },
}

/// A sync, with what it pushed and pulled so far shown to a person at a
/// terminal (a first sync of a long history takes a while).
pub(crate) async fn sync_with_progress(store: &std::sync::Mutex<Store>, format: Format) -> Result<wildroot_model::views::SyncReport> {
    let mut shown = crate::progress::Progress::new(format);
    let report = wildroot_core::sync::sync_once(store, &mut |p| match p {
        wildroot_core::sync::Progress::Pushed { total } => shown.say(&format!("Syncing: {total} operation(s) sent…")),
        wildroot_core::sync::Progress::Pulled { total, .. } => shown.say(&format!("Syncing: {total} operation(s) received…")),
    })
    .await?;
    Ok(report)
}

pub(crate) fn sync_out(r: &wildroot_model::views::SyncReport, j: bool, head: String) -> Result<String> {
    if j {
        return json(r);
    }
    let mut s = head;
    s.push_str(&format!("Synced: {} pushed, {} pulled ({} new here).\n", r.pushed, r.pulled, r.applied));
    for refused in &r.refused {
        s.push_str(&format!("Refused by the server, {}: {}\n", refused.kind, refused.reason));
    }
    Ok(s)
}

/// An exported operations file (`wildroot sync export`), checked.
pub(crate) fn read_ops_file(path: &std::path::Path) -> Result<wildroot_model::sync::OpsFile> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    wildroot_model::sync::OpsFile::parse(&bytes).map_err(|m| anyhow!(m))
}

pub(crate) fn login(store: Store, server: String, email: String, device: Option<String>, format: Format) -> Result<String> {
    let j = format == Format::Json;
    Ok({
        let password = read_password("Password: ")?;
        let name = device.unwrap_or_else(|| std::env::var("HOSTNAME").unwrap_or_else(|_| "This device".into()));
        let store = std::sync::Mutex::new(store);
        let rt = runtime()?;
        let role = rt.block_on(wildroot_core::sync::login(&store, &server, &email, &password, &name))?;
        crate::progress::Progress::new(format).say(&format!("Logged in as {email} ({}); syncing…", role.as_str()));
        let report = rt.block_on(sync_with_progress(&store, format))?;
        sync_out(&report, j, format!("Connected to {server} as {email} ({}).\n", role.as_str()))?
    })
}

pub(crate) fn sync_now(store: Store, format: Format) -> Result<String> {
    let j = format == Format::Json;
    Ok({
        let store = std::sync::Mutex::new(store);
        let report = runtime()?.block_on(sync_with_progress(&store, format))?;
        sync_out(&report, j, String::new())?
    })
}

pub(crate) fn export(store: &mut Store, to: PathBuf, format: Format) -> Result<String> {
    let j = format == Format::Json;
    Ok({
        if to.exists() {
            bail!("{} already exists: choose a new file name", to.display());
        }
        let file = store.export_unsynced()?;
        std::fs::write(&to, serde_json::to_vec(&file)?).with_context(|| format!("cannot write {}", to.display()))?;
        if j {
            json(&serde_json::json!({ "file": to, "operations": file.ops.len() }))?
        } else {
            format!(
                "Wrote {} unsynced change(s) to {}. Import it on the server with `wildroot server import-ops FILE`.\n",
                file.ops.len(),
                to.display()
            )
        }
    })
}

pub(crate) fn import_file(store: &mut Store, from: PathBuf, format: Format) -> Result<String> {
    let j = format == Format::Json;
    Ok({
        let file = read_ops_file(&from)?;
        let report = store.import_ops_file(&file)?;
        if j {
            json(&serde_json::json!({ "operations": file.ops.len(), "applied": report.applied, "refused": report.refused }))?
        } else {
            let mut out = format!("Applied {} new change(s) of {} in the file.\n", report.applied, file.ops.len());
            for r in &report.refused {
                out.push_str(&format!("Left out a {}: {}.\n", r.kind, r.reason));
            }
            out
        }
    })
}

pub(crate) fn status(store: &mut Store, format: Format) -> Result<String> {
    let j = format == Format::Json;
    Ok({
        let st = store.sync_status()?;
        if j {
            json(&st)?
        } else {
            let mut t = Table::new(&["sync", ""]);
            t.row(vec!["state".into(), st.state.clone()]);
            t.row(vec!["server".into(), st.server_url.clone().unwrap_or_else(|| "none: wildroot login --server URL --email E".into())]);
            t.row(vec!["signed in as".into(), st.user_email.clone().unwrap_or_default()]);
            t.row(vec!["pending changes".into(), st.pending.to_string()]);
            t.row(vec!["last success".into(), st.last_success_ms.map(when).unwrap_or_else(|| "never".into())]);
            t.row(vec!["last error".into(), st.last_error.clone().unwrap_or_default()]);
            let mut s = t.render(format);
            for r in &st.refused {
                s.push_str(&format!("refused {}: {}\n", r.kind, r.reason));
            }
            s
        }
    })
}
