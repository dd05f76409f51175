//! The HTTP + WebSocket transport: an axum router with jsonrpsee mounted inside it.
//!
//! One port serves:
//!
//! * JSON-RPC over HTTP `POST` on [`RPC_PATHS`] (`/` and `/rpc/v1`, the Lotus path), single
//!   requests and batches of at most [`ServerConfig::max_batch_len`] entries (run in order);
//! * WebSocket upgrades on the same paths, with subscriptions (ids are `0x` hex strings, as
//!   Geth and Lotus give them, not jsonrpsee's default JSON numbers);
//! * `GET /health` → `200 {"status":"ok"}`;
//! * permissive CORS (any origin, method and header; preflights answered) for browser dapps.
//!
//! jsonrpsee does the JSON-RPC framing. Its [`TowerService`](jsonrpsee::server::TowerService) is
//! built per request inside an axum handler, so every WebSocket session gets its own connection
//! id (subscriptions are keyed by it) and the router can carry more routes. The handler first
//! reads the HTTP body itself (private module `server::http`): an oversized body is drained and
//! answered with `413` and a JSON-RPC error (code −32007) rather than a connection reset,
//! whatever its framing.
//!
//! Shutdown: [`RunningServer::stop`] stops accepting connections, lets in-flight HTTP requests
//! finish, closes WebSocket sessions once their pending calls are answered, and then resolves
//! [`RunningServer::stopped`].

mod http;

use std::{
    hash::{BuildHasher, RandomState},
    net::{IpAddr, Ipv4Addr, SocketAddr},
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};

use anyhow::Context as _;
use axum::{
    Json, Router,
    body::Body,
    extract::{Request, State},
    http::{Method, StatusCode},
    response::Response,
    routing::{any, get},
    serve::ListenerExt,
};
use jsonrpsee::{
    Methods,
    core::middleware::RpcServiceBuilder,
    server::{
        BatchRequestConfig, IdProvider, ServerHandle, StopHandle, TowerServiceBuilder,
        stop_channel, ws::is_upgrade_request,
    },
    types::{SubscriptionId, error::ErrorCode},
};
use tokio::{
    net::TcpListener,
    sync::{mpsc, watch},
};
use tower::{
    Service,
    layer::util::{Identity, Stack},
};
use tower_http::cors::CorsLayer;

use crate::logging::RpcLoggerLayer;

/// The default port, as anvil, Hardhat and Geth use.
pub const DEFAULT_PORT: u16 = 8545;
/// Default request cap: 32 MiB, enough for the deployment of a very large contract.
pub const DEFAULT_MAX_REQUEST_BYTES: u32 = 32 * 1024 * 1024;
/// Default response cap: 256 MiB (logs and traces of a busy devnet can be large).
pub const DEFAULT_MAX_RESPONSE_BYTES: u32 = 256 * 1024 * 1024;
/// Default batch cap: 1000 entries. ethers v6 batches up to 100 calls; Lotus has no cap.
pub const DEFAULT_MAX_BATCH_LEN: u32 = 1000;
/// Default cap on concurrent connections (in-flight HTTP requests plus WebSocket sessions).
pub const DEFAULT_MAX_CONNECTIONS: u32 = 1000;
/// Default cap on subscriptions per WebSocket connection.
pub const DEFAULT_MAX_SUBSCRIPTIONS_PER_CONNECTION: u32 = 1024;
/// The paths that serve JSON-RPC (HTTP and WebSocket).
pub const RPC_PATHS: [&str; 2] = ["/", "/rpc/v1"];
/// The liveness path.
pub const HEALTH_PATH: &str = "/health";

/// How long browsers may cache a CORS preflight answer.
const CORS_MAX_AGE: Duration = Duration::from_secs(24 * 60 * 60);

/// Listening address and limits of the JSON-RPC server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerConfig {
    /// Interface to bind; loopback (`127.0.0.1`) by default so the devnet is not exposed.
    pub host: IpAddr,
    /// TCP port; `0` picks any free port (read it back with [`RunningServer::local_addr`]).
    pub port: u16,
    /// Largest accepted request body (HTTP) or message (WebSocket), in bytes.
    pub max_request_bytes: u32,
    /// Largest response, in bytes; a bigger result becomes a JSON-RPC error (−32008).
    pub max_response_bytes: u32,
    /// Most entries in one batch; a longer batch is answered with one error (−32010).
    pub max_batch_len: u32,
    /// Most concurrent connections (in-flight HTTP requests plus open WebSocket sessions);
    /// beyond it HTTP requests get `429`.
    pub max_connections: u32,
    /// Most active subscriptions on one WebSocket connection.
    pub max_subscriptions_per_connection: u32,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            host: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: DEFAULT_PORT,
            max_request_bytes: DEFAULT_MAX_REQUEST_BYTES,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            max_batch_len: DEFAULT_MAX_BATCH_LEN,
            max_connections: DEFAULT_MAX_CONNECTIONS,
            max_subscriptions_per_connection: DEFAULT_MAX_SUBSCRIPTIONS_PER_CONNECTION,
        }
    }
}

impl ServerConfig {
    /// The socket address to bind.
    pub const fn socket_addr(&self) -> SocketAddr {
        SocketAddr::new(self.host, self.port)
    }

    fn jsonrpsee_config(&self) -> jsonrpsee::server::ServerConfig {
        jsonrpsee::server::ServerConfig::builder()
            .max_request_body_size(self.max_request_bytes)
            .max_response_body_size(self.max_response_bytes)
            .max_connections(self.max_connections)
            .max_subscriptions_per_connection(self.max_subscriptions_per_connection)
            .set_batch_request_config(BatchRequestConfig::Limit(self.max_batch_len))
            .set_id_provider(HexIdProvider::default())
            .build()
    }
}

/// Subscription ids as Geth and Lotus give them: a `0x`-prefixed 128-bit hex string.
/// jsonrpsee's default is a JSON number, which clients that keep subscriptions by a string id
/// (viem drops every `eth_subscription` whose id is not the string it got back) never match.
#[derive(Debug, Default)]
struct HexIdProvider {
    keys: RandomState,
    counter: AtomicU64,
}

impl IdProvider for HexIdProvider {
    fn next_id(&self) -> SubscriptionId<'static> {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        let id = format!("0x{:016x}{:016x}", self.keys.hash_one(n), self.keys.hash_one(!n));
        SubscriptionId::Str(id.into())
    }
}

/// Handle to a started server. Dropping it stops the server (as jsonrpsee's `ServerHandle`).
#[derive(Debug)]
pub struct RunningServer {
    local_addr: SocketAddr,
    handle: ServerHandle,
    done: watch::Receiver<bool>,
}

impl RunningServer {
    /// The address the server listens on (with the real port when `port` was `0`).
    pub const fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// `http://<addr>`, the JSON-RPC endpoint for HTTP clients.
    pub fn http_url(&self) -> String {
        format!("http://{}", self.local_addr)
    }

    /// `ws://<addr>`, the JSON-RPC endpoint for WebSocket clients.
    pub fn ws_url(&self) -> String {
        format!("ws://{}", self.local_addr)
    }

    /// Begin a graceful shutdown; idempotent. Await [`stopped`](Self::stopped) for its end.
    pub fn stop(&self) {
        // `Err` only means it was already stopped.
        let _ = self.handle.stop();
    }

    /// Resolve once the server has shut down: the port is closed, in-flight HTTP requests are
    /// answered and WebSocket sessions are closed. Does not itself stop the server.
    pub async fn stopped(&self) {
        let mut done = self.done.clone();
        // `Err` means the serving task is gone, which is also "stopped".
        let _ = done.wait_for(|done| *done).await;
    }

    /// Whether shutdown has completed.
    pub fn is_stopped(&self) -> bool {
        *self.done.borrow()
    }
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Bind `config.host:config.port` and serve `methods` until [`RunningServer::stop`].
///
/// Merge method modules into one [`Methods`] first, e.g.
/// `let mut m = RpcModule::new(()); m.merge(web3::module()?)?; start(config, m).await?`.
pub async fn start(
    config: ServerConfig,
    methods: impl Into<Methods>,
) -> anyhow::Result<RunningServer> {
    let addr = config.socket_addr();
    let listener =
        TcpListener::bind(addr).await.with_context(|| format!("cannot listen on {addr}"))?;
    let local_addr = listener.local_addr().context("listening socket has no local address")?;

    let (stop, handle) = stop_channel();
    let (ws_sessions, mut ws_sessions_closed) = mpsc::channel::<()>(1);
    let state = Arc::new(RpcState {
        service: jsonrpsee::server::Server::builder()
            .set_config(config.jsonrpsee_config())
            .set_rpc_middleware(RpcServiceBuilder::new().layer(RpcLoggerLayer))
            .to_service_builder(),
        methods: methods.into(),
        stop: stop.clone(),
        ws_sessions,
        max_request_bytes: usize::try_from(config.max_request_bytes).unwrap_or(usize::MAX),
        parse_error_len: http::parse_error_len(),
    });
    let app = router(state);

    let listener = listener.tap_io(|tcp| {
        if let Err(err) = tcp.set_nodelay(true) {
            tracing::debug!(target: "fevm::server", %err, "cannot set TCP_NODELAY");
        }
    });
    let (done_tx, done) = watch::channel(false);
    tokio::spawn(async move {
        let serving = axum::serve(listener, app).with_graceful_shutdown(stop.shutdown());
        if let Err(err) = serving.await {
            tracing::error!(target: "fevm::server", %err, "server error");
        }
        // Every WebSocket session holds a sender until it closes; `None` = all closed.
        while ws_sessions_closed.recv().await.is_some() {}
        tracing::debug!(target: "fevm::server", "server stopped");
        let _ = done_tx.send(true);
    });

    tracing::debug!(target: "fevm::server", "listening on {local_addr}"); // `fevm` prints the one `Listening on` line itself
    Ok(RunningServer { local_addr, handle, done })
}

/// Builds one jsonrpsee service per HTTP request / WebSocket session.
type RpcServiceFactory = TowerServiceBuilder<Stack<RpcLoggerLayer, Identity>, Identity>;

/// What the JSON-RPC handler shares across requests.
#[derive(Debug)]
struct RpcState {
    service: RpcServiceFactory,
    methods: Methods,
    stop: StopHandle,
    /// Cloned into every WebSocket session and dropped when it closes.
    ws_sessions: mpsc::Sender<()>,
    max_request_bytes: usize,
    /// Length of jsonrpsee's parse-error answer (see `http::fix_invalid_request`).
    parse_error_len: Option<u64>,
}

fn router(state: Arc<RpcState>) -> Router {
    let cors = CorsLayer::permissive().max_age(CORS_MAX_AGE);
    let mut router = Router::new().route(HEALTH_PATH, get(health));
    for path in RPC_PATHS {
        router = router.route(path, any(rpc));
    }
    router.with_state(state).layer(cors)
}

/// Handler for: `GET /health`.
async fn health() -> Json<serde_json::Value> {
    Json(serde_json::json!({ "status": "ok" }))
}

/// Handler for JSON-RPC over HTTP and WebSocket upgrades.
async fn rpc(State(state): State<Arc<RpcState>>, request: Request) -> Response {
    let upgrade = is_upgrade_request(&request);
    let (request, body) = if !upgrade && request.method() == Method::POST {
        match http::buffer_body(request, state.max_request_bytes).await {
            Ok(buffered) => (buffered.request, Some(buffered.body)),
            Err(response) => return response,
        }
    } else {
        (request, None)
    };

    let mut service = state.service.clone().build(state.methods.clone(), state.stop.clone());
    if upgrade {
        let closed = service.on_session_closed();
        let session = state.ws_sessions.clone();
        tokio::spawn(async move {
            closed.await;
            drop(session);
        });
    }
    let response = match service.call(request).await {
        Ok(response) => response.map(Body::new),
        Err(err) => {
            tracing::warn!(target: "fevm::server", %err, "JSON-RPC service failed");
            let err = ErrorCode::InternalError.into();
            return http::rpc_error_response(StatusCode::INTERNAL_SERVER_ERROR, err);
        }
    };
    match body {
        Some(body) => http::fix_invalid_request(response, &body, state.parse_error_len).await,
        None => response,
    }
}
