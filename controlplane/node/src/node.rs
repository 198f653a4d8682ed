//! A running node: the parts it opened and the HTTP listener serving them.
//!
//! Start-up order: data dir → store (and migrations) → bus → object storage → secrets →
//! HTTP listener. A part that cannot be opened stops start-up with an error naming it.
//! Stopping stops accepting, lets requests in flight finish within the grace period, then
//! closes the parts.

use std::net::SocketAddr;
use std::sync::Arc;

use std::time::Duration;

use anyhow::Context;
use backon::{ExponentialBuilder, Retryable};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::auth::TokenKeys;
use crate::cli::Role;
use crate::config::Config;
use crate::http;
use crate::secrets::{self, DataDirSecret, Secret};

/// How long start-up keeps retrying a dependency that does not answer yet.
pub const STARTUP_RETRY_FOR: Duration = Duration::from_secs(30);

fn startup_backoff() -> ExponentialBuilder {
    ExponentialBuilder::default()
        .with_min_delay(Duration::from_millis(200))
        .with_max_delay(Duration::from_secs(5))
        .with_jitter()
        .with_total_delay(Some(STARTUP_RETRY_FOR))
        .without_max_times()
}

/// Connects to the configured bus, retrying while it is unreachable.
pub async fn connect_bus(config: &Config) -> anyhow::Result<Arc<dyn bus::Bus>> {
    let url = config.bus_url.as_deref();
    (|| bus::connect(url, bus_config(config)))
        .retry(startup_backoff())
        .when(|e| matches!(e, bus::BusError::Connect(_) | bus::BusError::Unavailable(_)))
        .notify(
            |e, wait| tracing::warn!(error = %e, ?wait, "message bus not reachable yet; retrying"),
        )
        .await
        .context("cannot connect to the message bus (MESSAGE_BUS_URL)")
}

/// The parts a node runs on, shared by every request handler and worker.
pub struct Services {
    /// The resolved configuration.
    pub config: Config,
    /// Which roles this process runs.
    pub role: Role,
    /// The message bus.
    pub bus: Arc<dyn bus::Bus>,
    /// Durable state.
    pub store: Arc<dyn store::Store>,
    /// Object storage.
    pub objects: objstore::Objects,
    /// The key `POST /api/v1/events` requires.
    pub api_key: Secret,
    /// JWT keys.
    pub tokens: TokenKeys,
}

impl Services {
    /// Opens every part the configuration names.
    pub async fn open(config: Config, role: Role) -> anyhow::Result<Services> {
        std::fs::create_dir_all(&config.data_dir)
            .with_context(|| format!("cannot create data dir {}", config.data_dir.display()))?;
        let store = open_store(&config).await?;
        let bus = connect_bus(&config).await?;
        let objects = objstore::Objects::open(&config.object_store)
            .context("cannot open object storage (OBJECT_STORE_URL)")?;
        let api_key = match &config.api_key {
            Some(key) => key.clone(),
            None => secrets::load_or_create(&config.data_dir, DataDirSecret::ApiKey)
                .context("cannot create the API key in the data dir")?,
        };
        let tokens = TokenKeys::load(&config.jwt, &config.data_dir)?;
        Ok(Services {
            config,
            role,
            bus,
            store,
            objects,
            api_key,
            tokens,
        })
    }
}

/// Opens the store and applies pending migrations.
pub async fn open_store(config: &Config) -> anyhow::Result<Arc<dyn store::Store>> {
    let url = config.database_url.as_deref();
    let store = (|| store::open(url, &config.data_dir))
        .retry(startup_backoff())
        .when(store::StoreError::is_retryable)
        .notify(|e, wait| tracing::warn!(error = %e, ?wait, "database not reachable yet; retrying"))
        .await
        .context("cannot open the database (DATABASE_URL)")?;
    let applied = store
        .migrate()
        .await
        .context("cannot apply database migrations")?;
    if !applied.is_empty() {
        tracing::info!(versions = ?applied, store = store.kind(), "applied migrations");
    }
    Ok(store)
}

/// The bus settings of `config`.
pub fn bus_config(config: &Config) -> bus::BusConfig {
    bus::BusConfig {
        subject_prefix: config.bus_subject_prefix.clone(),
        ..bus::BusConfig::default()
    }
}

/// A node serving HTTP.
pub struct RunningNode {
    services: Arc<Services>,
    local_addr: SocketAddr,
    stop_tx: watch::Sender<bool>,
    server: JoinHandle<()>,
}

impl RunningNode {
    /// Opens the parts and starts serving on `config.bind:config.port`.
    pub async fn start(config: Config, role: Role) -> anyhow::Result<RunningNode> {
        let addr = SocketAddr::new(config.bind, config.port);
        let services = Arc::new(Services::open(config, role).await?);
        let listener = TcpListener::bind(addr)
            .await
            .with_context(|| format!("cannot listen on {addr} (PORT)"))?;
        let local_addr = listener.local_addr()?;
        let (stop_tx, stop_rx) = watch::channel(false);
        let server = tokio::spawn(http::serve(listener, services.clone(), stop_rx));
        tracing::info!(
            %local_addr,
            role = role.as_str(),
            bus = services.bus.kind(),
            store = services.store.kind(),
            objects = %services.objects.describe(),
            "armoricore is up"
        );
        Ok(RunningNode {
            services,
            local_addr,
            stop_tx,
            server,
        })
    }

    /// The address the HTTP listener is bound to.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The parts this node runs on.
    pub fn services(&self) -> &Arc<Services> {
        &self.services
    }

    /// Stops accepting, waits for requests in flight (up to the grace period), returns.
    pub async fn stop(self) {
        let _ = self.stop_tx.send(true);
        let grace = self.services.config.shutdown_grace;
        if tokio::time::timeout(grace + std::time::Duration::from_secs(1), self.server)
            .await
            .is_err()
        {
            tracing::warn!("HTTP server did not stop within the grace period");
        }
    }
}
