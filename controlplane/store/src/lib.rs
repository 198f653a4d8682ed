//! Durable state of the Armoricore control plane behind one async trait, [`Store`], with two
//! implementations: embedded SQLite (the default, a file in the node's data dir) and
//! PostgreSQL (when `DATABASE_URL` says `postgres://…`). Who should depend on it: the
//! control-plane crates that keep users, token revocations, device tokens, media jobs, room
//! history, call parties, audit records and analytics. The data plane never does.
//!
//! ```no_run
//! # async fn demo() -> Result<(), store::StoreError> {
//! let store = store::open(None, std::path::Path::new("./data")).await?;
//! store.migrate().await?;
//! store.health().await?;
//! # Ok(()) }
//! ```
//!
//! # Layout
//! - [`api`]: the [`Store`] trait and the semantics each method guarantees.
//! - [`model`]: the row types ([`User`], [`DeviceTokenRecord`], [`MediaAsset`],
//!   [`StoredChatMessage`], [`StoredCall`], [`AuditLogEntry`], [`NotificationSend`], …).
//! - [`error`]: [`StoreError`], classifying failures (not found, conflict, invalid input,
//!   bad URL, unavailable, migration, backend).
//! - [`location`]: `DATABASE_URL` → [`Location`] (which backend, where), without ever
//!   echoing a password.
//! - [`migrations`]: the versioned schema of each dialect (SQL files in `migrations/`) and
//!   the planning rule both runners share.
//! - [`validate`]: input checks shared by both backends, and their limits.
//! - [`sqlite`]: [`SqliteStore`], one writer connection and a few WAL readers on the
//!   blocking pool.
//! - [`postgres`]: [`PostgresStore`], a deadpool of tokio-postgres connections.
//! - [`open`] / [`open_with`]: build the store a URL names.
//!
//! # Invariants
//! - Both backends pass the same contract suite (`tests/contract.rs`): what the trait docs
//!   promise holds for either, including refusing the same inputs.
//! - Chat offsets of a room are 1, 2, 3, … with no gap and no duplicate, even with
//!   concurrent appenders in several processes; appending a stored `message_id` again
//!   returns the stored row and uses no offset.
//! - A call's parties are fixed by its first open, even with concurrent openers in several
//!   processes: every open of a stored `call_id` returns the stored row unchanged.
//! - Each migration is applied once, in version order, in its own transaction, and
//!   recorded in `schema_migrations(version, name, applied_at)`; concurrent migrators
//!   serialise (SQLite: `BEGIN IMMEDIATE`; PostgreSQL: `pg_advisory_xact_lock`).
//! - A notification send outcome is recorded once per (notification, channel, target): the
//!   first record wins, even with concurrent recorders in several processes.
//! - Times go in and come out as UTC `OffsetDateTime` at microsecond precision.
//! - No call blocks the async runtime: SQLite work runs on the blocking pool.
//! - Nothing here logs or returns a database password.

pub mod api;
pub mod error;
pub mod location;
pub mod migrations;
pub mod model;
pub mod postgres;
pub mod sqlite;
pub mod validate;

use std::path::Path;
use std::sync::Arc;

pub use api::Store;
pub use error::StoreError;
pub use location::Location;
pub use model::{
    AuditLogEntry, ChatAppend, DeviceTokenRecord, MediaAsset, MediaStatus, NewMediaAsset,
    NewNotificationSend, NotificationSend, SendOutcome, StoredCall, StoredChatMessage, User,
};
pub use postgres::{PostgresOptions, PostgresStore};
pub use sqlite::SqliteStore;

/// Tunables of [`open_with`]; [`open`] uses the defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenOptions {
    /// Reader connections of a SQLite file database (at least 1; the writer is extra).
    pub sqlite_readers: usize,
    /// PostgreSQL pool settings.
    pub postgres: PostgresOptions,
}

impl Default for OpenOptions {
    fn default() -> Self {
        OpenOptions {
            sqlite_readers: sqlite::DEFAULT_READERS,
            postgres: PostgresOptions::default(),
        }
    }
}

/// Opens the store `url` names (the `DATABASE_URL`; `None` when unset) with default options.
///
/// `None` → SQLite file `<data_dir>/armoricore.db` (created with its directory);
/// `sqlite://path` or `sqlite::memory:` → SQLite; `postgres://…`/`postgresql://…` →
/// PostgreSQL, checked with one round trip so a wrong host or password fails here with
/// [`StoreError::Unavailable`]. Any other scheme is a [`StoreError::BadUrl`] naming it.
/// Migrations are not run: call [`Store::migrate`].
pub async fn open(url: Option<&str>, data_dir: &Path) -> Result<Arc<dyn Store>, StoreError> {
    open_with(url, data_dir, &OpenOptions::default()).await
}

/// [`open`] with explicit options.
pub async fn open_with(
    url: Option<&str>,
    data_dir: &Path,
    options: &OpenOptions,
) -> Result<Arc<dyn Store>, StoreError> {
    let location = Location::parse(url, data_dir)?;
    tracing::debug!(store = %location.describe(), "opening store");
    Ok(match location {
        Location::SqliteFile(path) => {
            Arc::new(SqliteStore::open_file(&path, options.sqlite_readers).await?)
        }
        Location::SqliteMemory => Arc::new(SqliteStore::open_in_memory().await?),
        Location::Postgres(config) => {
            let store = PostgresStore::connect(*config, &options.postgres)?;
            store.health().await?;
            Arc::new(store)
        }
    })
}
