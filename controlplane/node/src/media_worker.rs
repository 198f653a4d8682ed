//! Wiring of the media worker (crate `media`, module `worker`) into the node: the resolved
//! configuration → [`media::worker::WorkerConfig`], and starting it in the roles that run
//! it (`node` and `media-processor`).
//!
//! Jobs run on this process's tokio runtime, bounded by `MEDIA_MAX_JOBS`; GStreamer's own
//! streaming threads do the decoding and encoding, so the runtime only moves bytes. Those
//! threads run at `MEDIA_THREAD_NICE` (default 10) so that the data plane's shards, on
//! the same cores, get the CPU first (docs/decisions.md, "Media: jobs beside the shards").

use std::time::Duration;

use anyhow::Context;
use media::source::SourceConfig;
use media::worker::{WorkerConfig, WorkerHandle};

use crate::cli::Role;
use crate::node::Services;

/// Whether `role` runs the media worker.
pub fn runs_worker(role: Role) -> bool {
    matches!(role, Role::All | Role::MediaProcessor)
}

/// Starts the worker when `services.role` runs it.
pub async fn start(services: &Services) -> anyhow::Result<Option<WorkerHandle>> {
    if !runs_worker(services.role) {
        return Ok(None);
    }
    let redelivery = &services.config.media_redelivery;
    let defaults = WorkerConfig::default();
    let config = WorkerConfig {
        max_jobs: services.config.media_max_jobs,
        thread_nice: services.config.media_thread_nice,
        source: "armoricore".to_string(),
        ack_wait: redelivery.ack_wait.unwrap_or(defaults.ack_wait),
        max_deliver: redelivery.max_deliver.unwrap_or(defaults.max_deliver),
        backoff: redelivery
            .backoff
            .clone()
            .unwrap_or_else(|| defaults.backoff.clone()),
        sources: source_config(&services.config),
        ..defaults
    };
    let handle = media::worker::start(
        config,
        services.bus.clone(),
        services.store.clone(),
        services.objects.clone(),
    )
    .await
    .context("cannot start the media worker")?;
    Ok(Some(handle))
}

/// The media worker's source settings from the node's: the `MEDIA_SOURCE_*` variables,
/// and the object store's S3 settings (endpoint, region, credentials), used for any
/// `s3://bucket/key` source; without an S3 object store, `s3://` sources are refused.
fn source_config(config: &crate::config::Config) -> SourceConfig {
    let settings = &config.media_sources;
    let s3 = match &config.object_store.backend {
        objstore::Backend::S3(s3) => Some(s3.clone()),
        objstore::Backend::Local { .. } => None,
    };
    SourceConfig {
        allow_private: config.media_source_allow_private,
        allow_hosts: settings.allow_hosts.clone(),
        max_bytes: settings.max_bytes,
        connect_timeout: settings.connect_timeout,
        read_timeout: settings.read_timeout,
        s3,
        ..SourceConfig::default()
    }
}

/// Stops the worker, waiting up to `grace` for jobs in flight (unfinished ones are
/// redelivered).
pub async fn stop(handle: Option<WorkerHandle>, grace: Duration) {
    if let Some(handle) = handle {
        handle.stop(grace).await;
    }
}
