//! Wiring of the media worker (crate `media`, module `worker`) into the node: the resolved
//! configuration → [`media::worker::WorkerConfig`], and starting it in the roles that run
//! it (`node` and `media-processor`).
//!
//! Jobs run on this process's tokio runtime, bounded by `MEDIA_MAX_JOBS`; GStreamer's own
//! streaming threads do the decoding and encoding, so the runtime only moves bytes.

use std::time::Duration;

use anyhow::Context;
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
    let config = WorkerConfig {
        max_jobs: services.config.media_max_jobs,
        source: "armoricore".to_string(),
        ..WorkerConfig::default()
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

/// Stops the worker, waiting up to `grace` for jobs in flight (unfinished ones are
/// redelivered).
pub async fn stop(handle: Option<WorkerHandle>, grace: Duration) {
    if let Some(handle) = handle {
        handle.stop(grace).await;
    }
}
