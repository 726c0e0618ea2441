//! The HTTP API under `/api/v1`, plus `/health` and `/metrics`. Handlers
//! parse and check; storage stores. Every failure is an [`ApiError`] with a
//! status, in words that say what to do.
use crate::auth;
use crate::metrics::Metrics;
use crate::storage::{DeviceAuth, Judged, Storage, StorageError};
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::Arc;
use std::time::Instant;
use tower_http::compression::CompressionLayer;
use tower_http::decompression::RequestDecompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;
use wildroot_model::sync::*;

/// How far ahead of the server's clock a stamp may be (DESIGN rule 7).
pub const MAX_CLOCK_AHEAD_MS: i64 = wildroot_model::sync::MAX_CLOCK_AHEAD_MS;
/// Largest request body accepted, compressed or not.
pub const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

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

/// An error on the wire.
#[derive(Debug)]
pub struct Fail(pub StatusCode, pub ApiError);

impl Fail {
    pub(crate) fn new(status: StatusCode, code: &str, message: impl Into<String>) -> Fail {
        Fail(status, ApiError { code: code.into(), message: message.into(), retryable: status.is_server_error() })
    }
}

impl IntoResponse for Fail {
    fn into_response(self) -> Response {
        (self.0, Json(self.1)).into_response()
    }
}

impl From<StorageError> for Fail {
    fn from(e: StorageError) -> Fail {
        match e {
            StorageError::Conflict(m) => Fail::new(StatusCode::CONFLICT, "conflict", m),
            StorageError::NotFound(m) => Fail::new(StatusCode::NOT_FOUND, "not_found", m),
            StorageError::Backend(m) | StorageError::Config(m) => {
                tracing::error!("storage: {m}");
                Fail::new(StatusCode::INTERNAL_SERVER_ERROR, "storage", "the server's database failed; try again shortly")
            }
        }
    }
}

pub type ApiResult<T> = Result<T, Fail>;

fn parse<T: DeserializeOwned>(body: &Bytes, what: &str) -> ApiResult<T> {
    serde_json::from_slice(body).map_err(|e| Fail::new(StatusCode::BAD_REQUEST, "bad_request", format!("the {what} is not valid: {e}")))
}

fn bearer(headers: &HeaderMap) -> ApiResult<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| Fail::new(StatusCode::UNAUTHORIZED, "unauthorized", "sign in first: this call needs an Authorization: Bearer token"))
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

async fn device<S: Storage>(state: &AppState<S>, headers: &HeaderMap) -> ApiResult<DeviceAuth> {
    device_for_token(state, bearer(headers)?).await
}

/// The live device behind a sync token.
pub async fn device_for_token<S: Storage>(state: &AppState<S>, token: &str) -> ApiResult<DeviceAuth> {
    let found = state.storage.device_by_token(&auth::token_hash(token), now_ms()).await?;
    match found {
        Some(d) if !d.revoked => Ok(d),
        Some(_) => {
            state.metrics.auth_failures.fetch_add(1, Relaxed);
            Err(Fail::new(StatusCode::UNAUTHORIZED, "revoked", "this device was revoked by the owner: it can no longer sync"))
        }
        None => {
            state.metrics.auth_failures.fetch_add(1, Relaxed);
            Err(Fail::new(StatusCode::UNAUTHORIZED, "unauthorized", "this device token is not known: log in again"))
        }
    }
}

fn user(state: &AppState<impl Storage>, headers: &HeaderMap) -> ApiResult<auth::Claims> {
    let token = bearer(headers)?;
    auth::check_jwt(&state.jwt_secret, token).ok_or_else(|| {
        state.metrics.auth_failures.fetch_add(1, Relaxed);
        Fail::new(StatusCode::UNAUTHORIZED, "unauthorized", "the login token is wrong or expired: log in again")
    })
}

fn owner(state: &AppState<impl Storage>, headers: &HeaderMap) -> ApiResult<auth::Claims> {
    let claims = user(state, headers)?;
    if claims.role != Role::Owner {
        return Err(Fail::new(StatusCode::FORBIDDEN, "forbidden", "only the owner may manage devices"));
    }
    Ok(claims)
}

pub fn router<S: Storage>(state: Arc<AppState<S>>) -> Router {
    let timeout = state.request_timeout;
    Router::new()
        .route("/health", get(|| async { Json(serde_json::json!({ "status": "ok", "time_ms": now_ms() })) }))
        .route("/metrics", get(metrics::<S>))
        .route("/api/v1/openapi.json", get(|| async { ([(header::CONTENT_TYPE, "application/json")], include_str!("openapi.json")) }))
        .route("/api/v1/auth/login", post(login::<S>))
        .route("/api/v1/devices", post(register_device::<S>).get(list_devices::<S>))
        .route("/api/v1/devices/{id}/revoke", post(revoke_device::<S>))
        .route("/api/v1/users", get(list_users::<S>).post(add_user::<S>))
        .route("/api/v1/sync/push", post(push::<S>))
        .route("/api/v1/sync/pull", get(pull::<S>))
        .route("/api/v1/shopify/webhooks", post(crate::shopify::webhook::webhook::<S>))
        .route("/api/v1/shopify/status", get(shopify_status::<S>))
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        .layer(RequestDecompressionLayer::new())
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, timeout))
        // Inside the compression: it reads and rewrites bodies as they are made.
        .layer(axum::middleware::map_response(explain_refusal))
        .layer(CompressionLayer::new())
        .with_state(state)
}

/// The body limit, the request timeout and axum's own extractors (a query
/// string that does not parse, a wrong method) answer with a bare status or
/// plain text; a device (and a person reading its log) gets the same JSON
/// error as every other refusal, saying what to do.
async fn explain_refusal(resp: Response) -> Response {
    let json = resp.headers().get(header::CONTENT_TYPE).is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    match resp.status() {
        StatusCode::REQUEST_TIMEOUT if !json => {
            Fail::new(StatusCode::REQUEST_TIMEOUT, "timeout", "the request did not arrive in time: try again when the connection is better")
                .into_response()
        }
        StatusCode::PAYLOAD_TOO_LARGE if !json => Fail::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            format!("the request is larger than {} MB (unpacked): send fewer operations at a time", MAX_BODY_BYTES / (1024 * 1024)),
        )
        .into_response(),
        status if status.is_client_error() && !json => {
            let (parts, body) = resp.into_parts();
            let text = axum::body::to_bytes(body, 4096).await.map(|b| String::from_utf8_lossy(&b).trim().to_string()).unwrap_or_default();
            let message = if text.is_empty() { parts.status.canonical_reason().unwrap_or("refused").to_lowercase() } else { text };
            let code = match parts.status {
                StatusCode::NOT_FOUND => "not_found",
                StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
                StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
                _ => "bad_request",
            };
            let mut fail = Fail::new(parts.status, code, message).into_response();
            // Keep what the status needs (Allow on a 405, for one).
            for (name, value) in
                parts.headers.iter().filter(|(n, _)| ![header::CONTENT_TYPE, header::CONTENT_LENGTH, header::CONTENT_ENCODING].contains(n))
            {
                fail.headers_mut().insert(name.clone(), value.clone());
            }
            fail
        }
        _ => resp,
    }
}

/// argon2 is deliberately slow and large (~19 MiB a run): it runs off the
/// async workers and only [`AppState::password_work`] runs at a time.
async fn password_work<S, T: Send + 'static>(state: &AppState<S>, work: impl FnOnce() -> T + Send + 'static) -> ApiResult<T> {
    let _turn = state
        .password_work
        .acquire()
        .await
        .map_err(|_| Fail::new(StatusCode::SERVICE_UNAVAILABLE, "stopping", "the server is stopping"))?;
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| Fail::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", format!("password hashing failed: {e}")))
}

async fn metrics<S: Storage>(State(state): State<Arc<AppState<S>>>) -> ApiResult<String> {
    let devices = state.storage.list_devices().await?.iter().filter(|d| d.last_seen_ms.is_some()).count();
    Ok(state.metrics.render(devices, state.storage.op_count().await?))
}

async fn login<S: Storage>(State(state): State<Arc<AppState<S>>>, body: Bytes) -> ApiResult<Json<LoginResponse>> {
    let req: LoginRequest = parse(&body, "login request")?;
    let now = now_ms();
    // One spelling per account, for the lookup and the lockout alike.
    let email = wildroot_model::email::normalize(&req.email).map_err(|m| Fail::new(StatusCode::BAD_REQUEST, "invalid", m))?;
    if let Some(minutes) = state.logins.locked(&email, now) {
        let mut fail = Fail::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_logins",
            format!("too many wrong passwords for this email: try again in {minutes} minutes"),
        );
        fail.1.retryable = true;
        return Err(fail);
    }
    let wrong = || {
        state.logins.failed(&email, now);
        Fail::new(StatusCode::UNAUTHORIZED, "wrong_login", "wrong email or password")
    };
    let Some(user) = state.storage.user_by_email(&email).await? else {
        state.metrics.auth_failures.fetch_add(1, Relaxed);
        return Err(wrong());
    };
    let hash = user.password_hash.clone();
    let password = req.password.clone();
    let ok = password_work(&state, move || auth::verify_password(&password, &hash)).await?;
    if !ok {
        state.metrics.auth_failures.fetch_add(1, Relaxed);
        return Err(wrong());
    }
    state.logins.succeeded(&user.email);
    let (token, expires_at_ms) = auth::issue_jwt(&state.jwt_secret, &user.email, user.role, now_ms())
        .map_err(|m| Fail::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", m))?;
    Ok(Json(LoginResponse { token, expires_at_ms, role: user.role }))
}

async fn register_device<S: Storage>(
    State(state): State<Arc<AppState<S>>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<RegisterDeviceResponse>> {
    let claims = user(&state, &headers)?;
    let req: RegisterDeviceRequest = parse(&body, "device registration")?;
    let name = req.name.trim();
    if name.is_empty() || req.name.chars().count() > 80 {
        return Err(Fail::new(StatusCode::BAD_REQUEST, "bad_request", "give the device a name of 1 to 80 characters, like 'Booth phone'"));
    }
    let user = state
        .storage
        .user_by_email(&claims.sub)
        .await?
        .ok_or_else(|| Fail::new(StatusCode::UNAUTHORIZED, "unauthorized", "this user no longer exists"))?;
    let token = auth::new_device_token().map_err(|m| Fail::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", m))?;
    state.storage.register_device(req.device_id, user.id, name, &auth::token_hash(&token)).await?;
    Ok(Json(RegisterDeviceResponse { device_token: token, role: user.role }))
}

async fn list_devices<S: Storage>(State(state): State<Arc<AppState<S>>>, headers: HeaderMap) -> ApiResult<Json<Vec<DeviceInfo>>> {
    owner(&state, &headers)?;
    Ok(Json(state.storage.list_devices().await?))
}

async fn revoke_device<S: Storage>(
    State(state): State<Arc<AppState<S>>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> ApiResult<Json<serde_json::Value>> {
    owner(&state, &headers)?;
    let id = state.storage.revoke_device(&id).await?;
    Ok(Json(serde_json::json!({ "device_id": id, "revoked": true })))
}

async fn list_users<S: Storage>(State(state): State<Arc<AppState<S>>>, headers: HeaderMap) -> ApiResult<Json<Vec<UserInfo>>> {
    owner(&state, &headers)?;
    Ok(Json(state.storage.list_users().await?))
}

/// The owner adds a user; answers with every user.
async fn add_user<S: Storage>(State(state): State<Arc<AppState<S>>>, headers: HeaderMap, body: Bytes) -> ApiResult<Json<Vec<UserInfo>>> {
    owner(&state, &headers)?;
    let req: NewUserRequest = parse(&body, "new user")?;
    // Checked first (a bad email or a short password is the caller's
    // mistake), then checked and hashed by the one rule, off the async threads.
    auth::check_new_user(&req.email, &req.password).map_err(|m| Fail::new(StatusCode::BAD_REQUEST, "invalid", m))?;
    let (email, password) = (req.email, req.password);
    let (email, hash) = password_work(&state, move || auth::new_user(&email, &password))
        .await?
        .map_err(|m| Fail::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", m))?;
    state.storage.add_user(&email, &hash, req.role).await?;
    Ok(Json(state.storage.list_users().await?))
}

async fn push<S: Storage>(State(state): State<Arc<AppState<S>>>, headers: HeaderMap, body: Bytes) -> ApiResult<Json<PushResponse>> {
    let started = Instant::now();
    let dev = device(&state, &headers).await?;
    let req: PushRequest = parse(&body, "push")?;
    let resp = push_ops(&state, &dev, req).await?;
    state.metrics.push_requests.fetch_add(1, Relaxed);
    state.metrics.push_micros.fetch_add(started.elapsed().as_micros() as u64, Relaxed);
    Ok(Json(resp))
}

/// Judges and stores a device's push: the whole of the push endpoint but
/// HTTP, so the simulation tests run the same code.
pub async fn push_ops<S: Storage>(state: &AppState<S>, dev: &DeviceAuth, req: PushRequest) -> ApiResult<PushResponse> {
    if req.protocol != PROTOCOL_VERSION {
        return Err(Fail::new(
            StatusCode::BAD_REQUEST,
            "protocol",
            format!("protocol {} is not spoken here (this server speaks {PROTOCOL_VERSION}): update the app", req.protocol),
        ));
    }
    if req.ops.len() > MAX_PAGE {
        return Err(Fail::new(StatusCode::PAYLOAD_TOO_LARGE, "too_many", format!("push at most {MAX_PAGE} operations at a time")));
    }
    let now = now_ms();
    let judged = check_and_judge(req.ops, dev.device_id, dev.role, now)?;
    let mut resp = state.storage.push(dev.device_id, judged, now).await?;
    state.metrics.ops_received.fetch_add(resp.acked.len() as u64, Relaxed);
    state.metrics.ops_refused.fetch_add(resp.refused.len() as u64, Relaxed);
    resp.epoch = Some(state.epoch.clone());
    Ok(resp)
}

/// What a push, or an imported file, must be before storage sees it: the
/// device's own operations, numbered from 1, not from a clock far ahead;
/// each then judged for the device's role.
fn check_and_judge(ops: Vec<WireOp>, device: wildroot_model::DeviceId, role: Role, now: i64) -> ApiResult<Vec<Judged>> {
    let mut judged = Vec::with_capacity(ops.len());
    for op in ops {
        if op.device != device {
            return Err(Fail::new(
                StatusCode::FORBIDDEN,
                "wrong_device",
                format!("operation {} belongs to device {}, not this one", op.id, op.device),
            ));
        }
        if op.device_seq < 1 {
            return Err(Fail::new(
                StatusCode::BAD_REQUEST,
                "bad_request",
                format!("operation {} has sequence number {}: they start at 1", op.id, op.device_seq),
            ));
        }
        if op.hlc.ms > now + MAX_CLOCK_AHEAD_MS {
            // Not refused for good: the operation (maybe a sale) must not be
            // lost. It goes through once the server's clock reaches it.
            let ahead = (op.hlc.ms - now) / 60_000;
            let mut fail = Fail::new(
                StatusCode::CONFLICT,
                "clock_ahead",
                format!("this device's clock is {ahead} minutes ahead of the server's: set the date and time on the device"),
            );
            fail.1.retryable = true;
            return Err(fail);
        }
        let verdict = judge(&op, role);
        judged.push(Judged { op, verdict });
    }
    Ok(judged)
}

/// Stores a device's exported operations (`wildroot sync export`) as if
/// that device had pushed them: judged by its user's role, each stored
/// once. For the server's operator, who has the file in hand.
pub async fn import_ops_file<S: Storage>(storage: &S, file: OpsFile) -> Result<PushResponse, StorageError> {
    let device = storage.list_devices().await?.into_iter().find(|d| d.device_id == file.device).ok_or_else(|| {
        StorageError::Config(format!("device {} never logged in to this server: its operations belong to another server", file.device))
    })?;
    let now = now_ms();
    let mut all = PushResponse { acked: Vec::new(), refused: Vec::new(), expected_seq: None, epoch: None };
    let mut ops = file.ops.into_iter().peekable();
    while ops.peek().is_some() {
        let page = ops.by_ref().take(MAX_PAGE).collect();
        // The same checks as a push from the device itself (a clock far ahead is refused until it is not).
        let judged = check_and_judge(page, device.device_id, device.role, now).map_err(|Fail(_, e)| StorageError::Config(e.message))?;
        let resp = storage.push(device.device_id, judged, now).await?;
        all.acked.extend(resp.acked);
        all.refused.extend(resp.refused);
        if let Some(expected) = resp.expected_seq {
            return Err(StorageError::Config(format!(
                "the server is missing operation {expected} of device '{}', which comes before this file: import that device's earlier export first, or let it sync",
                device.name
            )));
        }
    }
    Ok(all)
}

#[derive(Deserialize)]
struct PullQuery {
    after: Option<i64>,
    limit: Option<usize>,
}

async fn pull<S: Storage>(
    State(state): State<Arc<AppState<S>>>,
    headers: HeaderMap,
    Query(q): Query<PullQuery>,
) -> ApiResult<Json<PullResponse>> {
    let started = Instant::now();
    device(&state, &headers).await?;
    let resp = pull_ops(&state, q.after.unwrap_or(0), q.limit.unwrap_or(500)).await?;
    state.metrics.pull_requests.fetch_add(1, Relaxed);
    state.metrics.pull_micros.fetch_add(started.elapsed().as_micros() as u64, Relaxed);
    Ok(Json(resp))
}

/// Where the server's Shopify import stands, for any signed-in device: the
/// app shows it where the owner would otherwise look for a device's own.
async fn shopify_status<S: Storage>(
    State(state): State<Arc<AppState<S>>>,
    headers: HeaderMap,
) -> ApiResult<Json<crate::shopify::import::ImportStatus>> {
    device(&state, &headers).await?;
    Ok(Json(crate::shopify::import::status(&state.storage).await?))
}

/// A page of the log after `after`: the pull endpoint but HTTP.
pub async fn pull_ops<S: Storage>(state: &AppState<S>, after: i64, limit: usize) -> ApiResult<PullResponse> {
    if after < 0 {
        return Err(Fail::new(StatusCode::BAD_REQUEST, "bad_request", "after must be 0 or a server sequence number"));
    }
    if !(1..=MAX_PAGE).contains(&limit) {
        return Err(Fail::new(StatusCode::BAD_REQUEST, "bad_request", format!("limit must be 1 to {MAX_PAGE} operations per page")));
    }
    let mut page = state.storage.pull(after, limit).await?;
    page.epoch = Some(state.epoch.clone());
    Ok(page)
}
