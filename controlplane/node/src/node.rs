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
use dataplane::{DataPlane, DataPlaneConfig};
use tokio::task::JoinHandle;

use crate::auth::TokenKeys;
use crate::bridge;
use crate::cli::Role;
use crate::config::Config;
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
    /// This process's name among the nodes on the bus (random per start).
    pub node_id: String,
    /// Which sockets recovering room joins replayed which messages to (see `chat`).
    pub replays: crate::chat::ReplayBook,
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
            node_id: uuid::Uuid::new_v4().simple().to_string()[..12].to_string(),
            replays: crate::chat::ReplayBook::default(),
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

/// A node serving HTTP on its data-plane shards.
pub struct RunningNode {
    services: Arc<Services>,
    plane: DataPlane,
    bridge: Vec<JoinHandle<()>>,
    shards: bridge::Shards,
    bus_to_channels: JoinHandle<()>,
    gateway: Arc<crate::gateway::Gateway>,
    gateway_tasks: Vec<JoinHandle<()>>,
    // Notification worker (issue 6): running in the `node` and `notification-worker` roles.
    notifier: Option<notifier::NotifierHandle>,
    // Media worker (issue 5): running in the `node` and `media-processor` roles.
    media: Option<media::worker::WorkerHandle>,
}

impl RunningNode {
    /// Opens the parts, starts the bridge and the shards listening on `config.bind:config.port`.
    pub async fn start(config: Config, role: Role) -> anyhow::Result<RunningNode> {
        let mut plane_config = DataPlaneConfig::new(
            SocketAddr::new(config.bind, config.port),
            config.dataplane_cores,
        );
        plane_config.shutdown_grace = config.shutdown_grace;
        plane_config.http.echo_endpoint = config.ws_echo;
        plane_config.http.max_streamed_body_bytes = config.media_upload_max_bytes;
        let services = Arc::new(Services::open(config, role).await?);
        let (shard_links, control_links) =
            dataplane::links(plane_config.shards, dataplane::RING_CAPACITY);
        let (bridge, shards, gateway) = bridge::start(control_links, services.clone());
        let bus_to_channels = crate::channels::start(services.clone(), shards.clone())
            .await
            .context("cannot subscribe to the bus for the channels")?;
        let gateway_tasks = gateway
            .start()
            .await
            .context("cannot listen to the other nodes on the bus")?;
        // Notification worker (issue 6).
        let notifier = crate::notifications::start(&services).await?;
        // Media worker (issue 5).
        let media = crate::media_worker::start(&services).await?;
        let plane =
            tokio::task::spawn_blocking(move || DataPlane::start(plane_config, shard_links))
                .await?
                .context("cannot start the data plane (PORT, DATAPLANE_CORES)")?;
        tracing::info!(
            node = %services.node_id,
            local_addr = %plane.local_addr(),
            shards = plane.shards(),
            role = role.as_str(),
            bus = services.bus.kind(),
            store = services.store.kind(),
            objects = %services.objects.describe(),
            "armoricore is up"
        );
        Ok(RunningNode {
            services,
            plane,
            bridge,
            shards,
            bus_to_channels,
            gateway,
            gateway_tasks,
            notifier,
            media,
        })
    }

    /// The address the shards listen on.
    pub fn local_addr(&self) -> SocketAddr {
        self.plane.local_addr()
    }

    /// The parts this node runs on.
    pub fn services(&self) -> &Arc<Services> {
        &self.services
    }

    /// The control plane's way to every shard (broadcasts).
    pub fn shards(&self) -> &bridge::Shards {
        &self.shards
    }

    /// The running data plane (shard restarts, fault drills).
    pub fn data_plane(&self) -> &DataPlane {
        &self.plane
    }

    /// Stops accepting, waits for requests in flight (up to the grace period), returns.
    pub async fn stop(self) {
        let plane = self.plane;
        if tokio::task::spawn_blocking(move || plane.stop())
            .await
            .is_err()
        {
            tracing::error!("the data plane panicked while stopping");
        }
        // Notification worker (issue 6): stop pulling, let sends in flight finish.
        let grace = self.services.config.shutdown_grace;
        crate::notifications::stop(self.notifier, grace).await;
        // Media worker (issue 5): stop pulling, let jobs in flight finish within the grace.
        crate::media_worker::stop(self.media, grace).await;
        self.bus_to_channels.abort();
        for task in &self.gateway_tasks {
            task.abort();
        }
        // The other nodes drop this one's presences now rather than after the timeout.
        self.gateway.presence.announce_down().await;
        drop(self.gateway);
        drop(self.shards);
        for task in self.bridge {
            let _ = task.await;
        }
    }
}
