//! The HTTP API under `/api/v1`, plus `/health` and `/metrics`. Handlers
//! parse and check; storage stores. Every failure is an [`ApiError`] with a
//! status, in words that say what to do.
use crate::auth;
pub use crate::error::{ApiResult, ServerError};
pub use crate::state::AppState;
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

fn parse<T: DeserializeOwned>(body: &Bytes, what: &str) -> ApiResult<T> {
    serde_json::from_slice(body).map_err(|e| ServerError::bad_request(format!("the {what} is not valid: {e}")))
}

fn bearer(headers: &HeaderMap) -> ApiResult<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| unauthorized("sign in first: this call needs an Authorization: Bearer token"))
}

fn unauthorized(message: &str) -> ServerError {
    ServerError::Unauthorized { code: "unauthorized", message: message.into() }
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
            Err(ServerError::Unauthorized {
                code: "revoked",
                message: "this device was revoked by the owner: it can no longer sync".into(),
            })
        }
        None => {
            state.metrics.auth_failures.fetch_add(1, Relaxed);
            Err(unauthorized("this device token is not known: log in again"))
        }
    }
}

fn user(state: &AppState<impl Storage>, headers: &HeaderMap) -> ApiResult<auth::Claims> {
    let token = bearer(headers)?;
    auth::check_jwt(&state.jwt_secret, token).ok_or_else(|| {
        state.metrics.auth_failures.fetch_add(1, Relaxed);
        unauthorized("the login token is wrong or expired: log in again")
    })
}

fn owner(state: &AppState<impl Storage>, headers: &HeaderMap) -> ApiResult<auth::Claims> {
    let claims = user(state, headers)?;
    if claims.role != Role::Owner {
        return Err(ServerError::Forbidden { code: "forbidden", message: "only the owner may manage devices".into() });
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
        .layer(CompressionLayer::new().quality(tower_http::CompressionLevel::Precise(wildroot_core::sync::GZIP_LEVEL as i32)))
        .with_state(state)
}

/// The body limit, the request timeout and axum's own extractors (a query
/// string that does not parse, a wrong method) answer with a bare status or
/// plain text; a device (and a person reading its log) gets the same JSON
/// error as every other refusal, saying what to do.
async fn explain_refusal(resp: Response) -> Response {
    let json = resp.headers().get(header::CONTENT_TYPE).is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    match resp.status() {
        StatusCode::REQUEST_TIMEOUT if !json => ServerError::Timeout.into_response(),
        StatusCode::PAYLOAD_TOO_LARGE if !json => ServerError::TooLarge {
            code: "too_large",
            message: format!(
                "the request is larger than {} MB (unpacked): send fewer operations at a time",
                MAX_BODY_BYTES / (1024 * 1024)
            ),
        }
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
            let mut fail = ServerError::Http { status: parts.status, code, message }.into_response();
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
        .map_err(|_| ServerError::Unavailable { code: "stopping", message: "the server is stopping".into() })?;
    tokio::task::spawn_blocking(work).await.map_err(|e| ServerError::Internal(format!("password hashing failed: {e}")))
}

async fn metrics<S: Storage>(State(state): State<Arc<AppState<S>>>) -> ApiResult<String> {
    let devices = state.storage.list_devices().await?.iter().filter(|d| d.last_seen_ms.is_some()).count();
    Ok(state.metrics.render(devices, state.storage.op_count().await?))
}

async fn login<S: Storage>(State(state): State<Arc<AppState<S>>>, body: Bytes) -> ApiResult<Json<LoginResponse>> {
    let req: LoginRequest = parse(&body, "login request")?;
    let now = now_ms();
    // One spelling per account, for the lookup and the lockout alike.
    let email = wildroot_model::email::normalize(&req.email).map_err(|message| ServerError::BadRequest { code: "invalid", message })?;
    if let Some(minutes) = state.logins.locked(&email, now) {
        return Err(ServerError::TooManyLogins { minutes });
    }
    let wrong = || {
        state.logins.failed(&email, now);
        ServerError::Unauthorized { code: "wrong_login", message: "wrong email or password".into() }
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
    let (token, expires_at_ms) = auth::issue_jwt(&state.jwt_secret, &user.email, user.role, now_ms()).map_err(ServerError::Internal)?;
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
        return Err(ServerError::bad_request("give the device a name of 1 to 80 characters, like 'Booth phone'"));
    }
    let user = state.storage.user_by_email(&claims.sub).await?.ok_or_else(|| unauthorized("this user no longer exists"))?;
    let token = auth::new_device_token().map_err(ServerError::Internal)?;
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
    auth::check_new_user(&req.email, &req.password).map_err(|message| ServerError::BadRequest { code: "invalid", message })?;
    let (email, password) = (req.email, req.password);
    let (email, hash) = password_work(&state, move || auth::new_user(&email, &password)).await?.map_err(ServerError::Internal)?;
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
        return Err(ServerError::BadRequest {
            code: "protocol",
            message: format!("protocol {} is not spoken here (this server speaks {PROTOCOL_VERSION}): update the app", req.protocol),
        });
    }
    if req.ops.len() > MAX_PAGE {
        return Err(ServerError::TooLarge { code: "too_many", message: format!("push at most {MAX_PAGE} operations at a time") });
    }
    let now = now_ms();
    let judged = check_and_judge(req.ops, dev.device_id, dev.role, now)?;
    let asks_mail = judged.iter().any(|j| j.op.kind == "receipt_email_requested" && j.verdict.is_ok());
    let mut resp = state.storage.push(dev.device_id, judged, now).await?;
    if asks_mail {
        state.mail_wake.notify_one();
    }
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
            return Err(ServerError::Forbidden {
                code: "wrong_device",
                message: format!("operation {} belongs to device {}, not this one", op.id, op.device),
            });
        }
        if op.device_seq < 1 {
            return Err(ServerError::bad_request(format!("operation {} has sequence number {}: they start at 1", op.id, op.device_seq)));
        }
        if op.hlc.ms > now + MAX_CLOCK_AHEAD_MS {
            return Err(ServerError::ClockAhead { minutes: (op.hlc.ms - now) / 60_000 });
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
        let judged = check_and_judge(page, device.device_id, device.role, now).map_err(|e| StorageError::Config(e.to_string()))?;
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
    /// `brief`: the asking device's own operations named, not carried.
    own: Option<wildroot_model::sync::OwnOps>,
}

async fn pull<S: Storage>(
    State(state): State<Arc<AppState<S>>>,
    headers: HeaderMap,
    Query(q): Query<PullQuery>,
) -> ApiResult<Json<PullResponse>> {
    let started = Instant::now();
    let dev = device(&state, &headers).await?;
    let mut resp = pull_ops(&state, q.after.unwrap_or(0), q.limit.unwrap_or(500)).await?;
    if q.own == Some(wildroot_model::sync::OwnOps::Brief) {
        resp = resp.brief_for(dev.device_id);
    }
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
        return Err(ServerError::bad_request("after must be 0 or a server sequence number"));
    }
    if !(1..=MAX_PAGE).contains(&limit) {
        return Err(ServerError::bad_request(format!("limit must be 1 to {MAX_PAGE} operations per page")));
    }
    let mut page = state.storage.pull(after, limit).await?;
    page.epoch = Some(state.epoch.clone());
    Ok(page)
}
