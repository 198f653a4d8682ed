//! Shared harness of the store tests: one isolated database per test on either backend, and
//! the one rule for tests that need an external service (skip loudly, or fail in CI).
//!
//! Isolation: SQLite gets a fresh temp dir per test; PostgreSQL gets a fresh schema per test
//! (`armoricore_t_<uuid>`) in the database named by `ARMORICORE_TEST_DATABASE_URL`, selected
//! through the URL's `options=-csearch_path%3D…`, so tests run in parallel (cargo test or
//! nextest) against one database. A passing test drops its schema; a failing one leaves it
//! for inspection.
#![allow(dead_code, clippy::unwrap_used)] // each test binary uses a different subset; tests may unwrap

use std::path::PathBuf;
use std::sync::Arc;

use store::{OpenOptions, PostgresOptions, Store};

/// Environment variable naming the PostgreSQL test database.
pub const PG_URL_VAR: &str = "ARMORICORE_TEST_DATABASE_URL";

/// The URL in `var`, or `None` after printing `SKIPPED: <why>` — unless
/// `ARMORICORE_REQUIRE_SERVICES=1`, where a missing service fails the test so CI can never
/// skip silently.
pub fn service_url(var: &str, why: &str) -> Option<String> {
    match std::env::var(var) {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ => {
            if std::env::var("ARMORICORE_REQUIRE_SERVICES").as_deref() == Ok("1") {
                panic!("{var} is not set and ARMORICORE_REQUIRE_SERVICES=1: {why}");
            }
            eprintln!("SKIPPED: {var} is not set: {why}");
            None
        }
    }
}

/// Which engine a harness runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// SQLite file in a temp dir.
    Sqlite,
    /// A fresh schema in the test PostgreSQL database.
    Postgres,
}

/// One isolated database, and the means to open stores on it.
pub struct Harness {
    pub backend: Backend,
    /// The URL `store::open` is given (a schema-scoped URL for PostgreSQL).
    pub url: String,
    dir: tempfile::TempDir,
    /// PostgreSQL: the base URL (for administration) and the test's schema.
    pg: Option<(String, String)>,
}

impl Harness {
    /// A SQLite database file in a fresh temp dir.
    pub async fn sqlite() -> Harness {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("contract.db").display());
        Harness {
            backend: Backend::Sqlite,
            url,
            dir,
            pg: None,
        }
    }

    /// A fresh schema in the test PostgreSQL database; `None` (skipped) when unset.
    pub async fn postgres() -> Option<Harness> {
        let base = service_url(PG_URL_VAR, "PostgreSQL contract tests need a database")?;
        let schema = format!("armoricore_t_{}", uuid::Uuid::new_v4().simple());
        admin(&base, &format!("CREATE SCHEMA {schema}")).await;
        let sep = if base.contains('?') { '&' } else { '?' };
        let url = format!("{base}{sep}options=-csearch_path%3D{schema}");
        Some(Harness {
            backend: Backend::Postgres,
            url,
            dir: tempfile::tempdir().unwrap(),
            pg: Some((base, schema)),
        })
    }

    /// The harness's data dir (SQLite's parent directory; unused by PostgreSQL).
    pub fn data_dir(&self) -> PathBuf {
        self.dir.path().to_path_buf()
    }

    /// `"sqlite"` or `"postgres"`: the kind a store on this harness reports.
    pub fn kind(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }

    /// A new store on this harness's database, not migrated. Each call is a separate
    /// connection pool, like another process would have.
    pub async fn open(&self) -> Arc<dyn Store> {
        let options = OpenOptions {
            sqlite_readers: 2,
            postgres: PostgresOptions {
                pool_size: 8,
                ..PostgresOptions::default()
            },
        };
        store::open_with(Some(&self.url), self.dir.path(), &options)
            .await
            .unwrap_or_else(|e| panic!("open {:?} store: {e}", self.backend))
    }

    /// A new store on this harness's database, migrated.
    pub async fn ready(&self) -> Arc<dyn Store> {
        let store = self.open().await;
        store.migrate().await.unwrap();
        store
    }

    /// Runs raw SQL on the test database, outside the store (to set up states the API
    /// cannot produce).
    pub async fn execute_raw(&self, sql: &str) {
        match &self.pg {
            None => {
                let path = self.dir.path().join("contract.db");
                let sql = sql.to_string();
                tokio::task::spawn_blocking(move || {
                    let conn = rusqlite::Connection::open(path).unwrap();
                    conn.busy_timeout(std::time::Duration::from_secs(5))
                        .unwrap();
                    conn.execute_batch(&sql).unwrap();
                })
                .await
                .unwrap();
            }
            Some(_) => admin(&self.url, sql).await,
        }
    }

    /// Drops the PostgreSQL schema (the temp dir goes with `self`). Called only when the
    /// test passed, so a failure leaves its data for inspection.
    pub async fn finish(self) {
        if let Some((base, schema)) = &self.pg {
            admin(base, &format!("DROP SCHEMA {schema} CASCADE")).await;
        }
    }
}

/// Runs `sql` on a one-off connection to `url`.
async fn admin(url: &str, sql: &str) {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .unwrap_or_else(|e| panic!("connect to {PG_URL_VAR}: {e:?}"));
    let task = tokio::spawn(connection);
    client
        .batch_execute(sql)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e:?}"));
    drop(client);
    let _ = task.await;
}

/// A valid id from text (tests only use valid literals).
pub fn id(text: &str) -> codecs::ResourceId {
    codecs::ResourceId::new(text).unwrap()
}
