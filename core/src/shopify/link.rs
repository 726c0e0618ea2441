//! This device's link to a Shopify store: the shop and its Admin API access
//! token. The token is sealed with ChaCha20-Poly1305 under a device key kept
//! in its own file (owner-only permissions) beside the database, so the
//! database and its backups never hold it in the clear, and it is never
//! shown back: the app only learns whether one is set.
use crate::error::{invalid, CoreError, Result};
use crate::store::Store;
use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, CHACHA20_POLY1305, NONCE_LEN};
use ring::rand::{SecureRandom, SystemRandom};
use rusqlite::OptionalExtension;
use std::path::Path;

const KEY_LEN: usize = 32;

/// The key that seals this device's secrets.
pub struct DeviceKey(LessSafeKey);

impl DeviceKey {
    /// Reads the key at `path`, creating it (random, mode 0600) the first time.
    pub fn load_or_create(path: &Path) -> Result<DeviceKey> {
        let io =
            |e: std::io::Error| CoreError::Invalid(format!("cannot use the key file {}: {}", path.display(), crate::error::io_words(&e)));
        let bytes = match std::fs::read(path) {
            Ok(b) if !b.is_empty() => b,
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(io(e)),
            // Absent, or left empty by an older build cut short while
            // making it (a full disk): no key was ever read from an empty
            // file, so nothing is sealed with it, and a new one is safe.
            found => {
                if found.is_ok() {
                    match std::fs::remove_file(path) {
                        // Another process replaced it first.
                        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(io(e)),
                        _ => {}
                    }
                }
                let mut fresh = [0u8; KEY_LEN];
                SystemRandom::new().fill(&mut fresh).map_err(|_| CoreError::Invalid("the system gave no random bytes for a key".into()))?;
                match create_private(path, &fresh) {
                    Ok(()) => fresh.to_vec(),
                    // Another process made it first: use that one.
                    Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => std::fs::read(path).map_err(io)?,
                    Err(e) => return Err(io(e)),
                }
            }
        };
        Self::from_bytes(&bytes).map_err(|_| {
            CoreError::Corrupt(format!(
                "the key file {} is not a {KEY_LEN}-byte key: move it aside and enter the token again",
                path.display()
            ))
        })
    }

    /// Seals `plain` bound to `context` (which must be given again to
    /// open it): a fresh random nonce, and the ciphertext with its tag.
    pub fn seal(&self, plain: &[u8], context: &[u8]) -> Result<(Vec<u8>, Vec<u8>)> {
        let mut nonce = [0u8; NONCE_LEN];
        SystemRandom::new().fill(&mut nonce).map_err(|_| CoreError::Invalid("the system gave no random bytes for a nonce".into()))?;
        let mut sealed = plain.to_vec();
        self.0
            .seal_in_place_append_tag(Nonce::assume_unique_for_key(nonce), Aad::from(context), &mut sealed)
            .map_err(|_| CoreError::Invalid("the secret could not be sealed".into()))?;
        Ok((nonce.to_vec(), sealed))
    }

    /// Opens what [`DeviceKey::seal`] sealed under the same context; `None`
    /// when this key, the context or the bytes are not the ones it was sealed with.
    pub fn open(&self, nonce: &[u8], sealed: &[u8], context: &[u8]) -> Option<Vec<u8>> {
        let nonce = Nonce::try_assume_unique_for_key(nonce).ok()?;
        let mut buf = sealed.to_vec();
        self.0.open_in_place(nonce, Aad::from(context), &mut buf).ok().map(|plain| plain.to_vec())
    }

    /// [`DeviceKey::seal`] as one line of text (`sealed1:NONCE:SEALED`, in
    /// hex), for a secret kept in a text column.
    pub fn seal_text(&self, plain: &str, context: &[u8]) -> Result<String> {
        let (nonce, sealed) = self.seal(plain.as_bytes(), context)?;
        Ok(format!("{SEALED_TEXT}{}:{}", to_hex(&nonce), to_hex(&sealed)))
    }

    /// Opens what [`DeviceKey::seal_text`] wrote; `None` when it is not
    /// sealed text, or not sealed with this key and context.
    pub fn open_text(&self, text: &str, context: &[u8]) -> Option<String> {
        let (nonce, sealed) = text.strip_prefix(SEALED_TEXT)?.split_once(':')?;
        let plain = self.open(&from_hex(nonce)?, &from_hex(sealed)?, context)?;
        String::from_utf8(plain).ok()
    }

    fn from_bytes(bytes: &[u8]) -> std::result::Result<DeviceKey, ()> {
        if bytes.len() != KEY_LEN {
            return Err(());
        }
        let key = UnboundKey::new(&CHACHA20_POLY1305, bytes).map_err(|_| ())?;
        Ok(DeviceKey(LessSafeKey::new(key)))
    }
}

/// How [`DeviceKey::seal_text`] marks its text, so a reader tells a sealed
/// secret from one an older build kept in the clear.
pub const SEALED_TEXT: &str = "sealed1:";

fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn from_hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok()).collect()
}

/// Creates the key file whole or not at all (mode 0600): written and
/// synced under a name of this call's own, then linked into place, so no
/// reader ever finds it half-written (a full disk, a kill), and of two
/// processes making it at once one wins and the other is told it exists.
fn create_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    static MADE: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = MADE.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let staged = std::path::PathBuf::from(format!("{}.new-{}-{n}", path.display(), std::process::id()));
    let _ = std::fs::remove_file(&staged);
    let made = (|| {
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        let mut f = opts.open(&staged)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        match std::fs::hard_link(&staged, path) {
            Err(e) if e.kind() != std::io::ErrorKind::AlreadyExists && !path.exists() => {
                // A file system without hard links: a rename is as whole.
                std::fs::rename(&staged, path)
            }
            linked => linked,
        }
    })();
    let _ = std::fs::remove_file(&staged);
    made
}

/// A shop as typed: `my-shop`, `my-shop.myshopify.com`, or a full
/// `https://` address (a proxy or test server). Kept as a base URL.
pub fn normalize_shop(input: &str) -> Result<String> {
    let s = input.trim().trim_end_matches('/');
    if s.is_empty() {
        return invalid("the Shopify store is empty: give its name, like my-shop or my-shop.myshopify.com");
    }
    if s.starts_with("https://") || s.starts_with("http://") {
        return match reqwest::Url::parse(s) {
            Ok(u) if u.host_str().is_some() => Ok(s.to_string()),
            _ => invalid(format!("'{s}' is not a web address: give the store like my-shop.myshopify.com")),
        };
    }
    let name = s.strip_suffix(".myshopify.com").unwrap_or(s);
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return invalid(format!("'{s}' is not a Shopify store name: use letters, digits and dashes, like my-shop.myshopify.com"));
    }
    Ok(format!("https://{}.myshopify.com", name.to_ascii_lowercase()))
}

/// The token as pasted, trimmed, or why it cannot be one.
pub fn check_token(token: &str) -> Result<&str> {
    let t = token.trim();
    if t.is_empty() {
        return invalid("the access token is empty: paste the Admin API access token from the store's custom app");
    }
    if t.len() > 256 || !t.chars().all(|c| c.is_ascii_graphic()) {
        return invalid("that does not look like an access token: paste it again, without spaces");
    }
    Ok(t)
}

impl Store {
    /// Links this device to a Shopify store, sealing the token.
    pub fn link_shopify(&mut self, shop: &str, token: &str, key: &DeviceKey) -> Result<String> {
        let shop = normalize_shop(shop)?;
        let token = check_token(token)?;
        let (nonce, sealed) = key.seal(token.as_bytes(), shop.as_bytes())?;
        self.conn().execute(
            "INSERT INTO shopify_link (singleton, shop, token_nonce, token_sealed, updated_at_ms) VALUES (1, ?1, ?2, ?3, ?4)
             ON CONFLICT (singleton) DO UPDATE SET shop = excluded.shop, token_nonce = excluded.token_nonce,
                 token_sealed = excluded.token_sealed, updated_at_ms = excluded.updated_at_ms",
            rusqlite::params![shop, nonce, sealed, self.now_ms()],
        )?;
        Ok(shop)
    }

    /// The linked shop, if any (never the token).
    pub fn shopify_shop(&self) -> Result<Option<String>> {
        Ok(self.conn().query_row("SELECT shop FROM shopify_link", [], |r| r.get(0)).optional()?)
    }

    /// The shop and its token, opened with this device's key.
    pub fn shopify_credentials(&self, key: &DeviceKey) -> Result<Option<(String, String)>> {
        let row: Option<(String, Vec<u8>, Vec<u8>)> = self
            .conn()
            .query_row("SELECT shop, token_nonce, token_sealed FROM shopify_link", [], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .optional()?;
        let Some((shop, nonce, sealed)) = row else { return Ok(None) };
        let unreadable = || {
            CoreError::Invalid("the saved Shopify token cannot be opened with this device's key: enter the token again in Settings".into())
        };
        let plain = key.open(&nonce, &sealed, shop.as_bytes()).ok_or_else(unreadable)?;
        let token = String::from_utf8(plain).map_err(|_| unreadable())?;
        Ok(Some((shop, token)))
    }

    pub fn unlink_shopify(&mut self) -> Result<()> {
        self.conn().execute("DELETE FROM shopify_link", [])?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_file_is_made_whole_once_and_an_empty_one_is_replaced() -> Result<()> {
        let io = |e: std::io::Error| CoreError::Invalid(e.to_string());
        let dir = tempfile::tempdir().map_err(io)?;
        let path = dir.path().join("device.key");
        // Empty, as an older build cut short by a full disk left it.
        std::fs::write(&path, b"").map_err(io)?;
        let key = DeviceKey::load_or_create(&path)?;
        let made = std::fs::read(&path).map_err(io)?;
        assert_eq!(made.len(), KEY_LEN);
        let (nonce, sealed) = key.seal(b"a token", b"a server")?;
        assert_eq!(DeviceKey::load_or_create(&path)?.open(&nonce, &sealed, b"a server").as_deref(), Some(&b"a token"[..]));
        // One made by another process meanwhile is never replaced.
        assert_eq!(create_private(&path, &[7; KEY_LEN]).map_err(|e| e.kind()), Err(std::io::ErrorKind::AlreadyExists));
        assert_eq!(std::fs::read(&path).map_err(io)?, made);
        // Threads making one key at once all end with the same key.
        let fresh = dir.path().join("fresh.key");
        let sealed_by: Vec<(Vec<u8>, Vec<u8>)> = std::thread::scope(|s| {
            let made: Vec<_> = (0..8).map(|_| s.spawn(|| DeviceKey::load_or_create(&fresh).and_then(|k| k.seal(b"t", b"c")))).collect();
            made.into_iter().map(|h| h.join().unwrap_or_else(|_| Err(CoreError::Invalid("a thread panicked".into())))).collect::<Vec<_>>()
        })
        .into_iter()
        .collect::<Result<_>>()?;
        let shared = DeviceKey::load_or_create(&fresh)?;
        for (nonce, sealed) in &sealed_by {
            assert_eq!(shared.open(nonce, sealed, b"c").as_deref(), Some(&b"t"[..]));
        }
        // Nothing staged is left beside them.
        let mut names: Vec<String> = std::fs::read_dir(dir.path())
            .map_err(io)?
            .map(|e| e.map(|e| e.file_name().to_string_lossy().into_owned()))
            .collect::<Result<_, _>>()
            .map_err(io)?;
        names.sort();
        assert_eq!(names, ["device.key", "fresh.key"]);
        // One that cannot be made leaves nothing.
        assert!(DeviceKey::load_or_create(&dir.path().join("nowhere").join("device.key")).is_err());
        assert!(!dir.path().join("nowhere").exists());
        Ok(())
    }

    #[test]
    fn the_token_is_sealed_at_rest_and_opens_only_with_its_key() -> Result<()> {
        let dir = tempfile::tempdir().map_err(|e| CoreError::Invalid(e.to_string()))?;
        let key_path = dir.path().join("device.key");
        let key = DeviceKey::load_or_create(&key_path)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&key_path).map_err(|e| CoreError::Invalid(e.to_string()))?.permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let db = dir.path().join("shop.db");
        let mut store = Store::open(&db)?;
        let secret = "shpat_0123456789abcdef0123456789abcdef";
        assert_eq!(store.link_shopify(" My-Shop ", secret, &key)?, "https://my-shop.myshopify.com");
        assert_eq!(store.shopify_shop()?.as_deref(), Some("https://my-shop.myshopify.com"));
        let again = DeviceKey::load_or_create(&key_path)?;
        assert_eq!(store.shopify_credentials(&again)?.map(|(_, t)| t).as_deref(), Some(secret));
        drop(store);
        let raw = std::fs::read(&db).map_err(|e| CoreError::Invalid(e.to_string()))?;
        assert!(!raw.windows(secret.len()).any(|w| w == secret.as_bytes()), "the database holds the token in the clear");
        let store = Store::open(&db)?;
        let other = DeviceKey::load_or_create(&dir.path().join("other.key"))?;
        let err = store.shopify_credentials(&other).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err.contains("enter the token again"), "{err}");
        Ok(())
    }

    #[test]
    fn shops_and_tokens_are_checked() {
        assert_eq!(normalize_shop("shop-1.myshopify.com").ok().as_deref(), Some("https://shop-1.myshopify.com"));
        assert_eq!(normalize_shop("http://127.0.0.1:9000/").ok().as_deref(), Some("http://127.0.0.1:9000"));
        for bad in ["", "my shop", "https://", "shop/../x"] {
            assert!(normalize_shop(bad).is_err(), "{bad}");
        }
        assert!(check_token("  ").is_err());
        assert!(check_token("shpat_ab cd").is_err());
    }
}
