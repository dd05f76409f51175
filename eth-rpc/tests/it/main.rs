//! End-to-end tests of the gateway, one test binary (one link) for all of them:
//!
//! * [`transport`]: HTTP, WebSocket, batches, limits and CORS over a stub method set;
//! * [`chain_view`]: blocks, transactions, receipts, logs, filters and subscriptions;
//! * [`state_and_send`]: state, calls, sends, fees, dev signing and the `Filecoin.*` helpers.
//!
//! The last two run a real devnet and gateway per test ([`support::TestNet`]). The per-request
//! log line is tested in its own binary (`tests/logging.rs`): it installs a global `tracing`
//! subscriber, which would capture every other test's logs here.

mod chain_view;
mod state_and_send;
mod support;
mod transport;
