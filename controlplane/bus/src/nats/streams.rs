//! The three JetStream streams of a prefix and their idempotent creation at connect.
//!
//! - events (`armoricore-events[-<prefix>]`): every event subject under the prefix; file
//!   storage, limits retention with `stream_max_age`, discard old, `duplicate_window` from
//!   the config. Not work-queue retention: fan-out subscribers and several durables read
//!   the same subjects, and a work-queue stream allows only one consumer per subject.
//! - dead letters (`armoricore-dlq[-<prefix>]`): `<prefix>dlq.>`, file storage, kept for
//!   `dead_letter_max_age`, de-duplicated on `dlq:<durable>:<sequence>`.
//! - advisories (`armoricore-advisories[-<prefix>]`): captures the server's
//!   `$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.<events stream>.*` advisories so that one
//!   emitted while no worker listens is still handled later (see [`super::dead_letter`]).
//!
//! Create-or-update is an update first, a create when the stream is missing, and an update
//! again when a concurrent node created it in between, so nodes starting together all
//! succeed.

use std::time::Duration;

use async_nats::jetstream::ErrorCode;
use async_nats::jetstream::context::CreateStreamErrorKind;
use async_nats::jetstream::stream::{Config, DiscardPolicy, RetentionPolicy, StorageType};

use super::NatsShared;
use crate::BusError;
use crate::subject::dead_letter_filter;

/// Subject prefix of the max-deliveries advisories of a stream.
pub(super) fn advisory_subject(events_stream: &str, consumer: &str) -> String {
    format!("$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.{events_stream}.{consumer}")
}

fn configs(shared: &NatsShared) -> [Config; 3] {
    let c = &shared.config;
    let names = &shared.names;
    let base = Config {
        retention: RetentionPolicy::Limits,
        storage: StorageType::File,
        discard: DiscardPolicy::Old,
        num_replicas: c.replicas,
        duplicate_window: c.duplicate_window,
        ..Config::default()
    };
    [
        Config {
            name: names.events.clone(),
            description: Some("Armoricore events (subjects = event types)".into()),
            subjects: shared.subjects.clone(),
            max_age: c.stream_max_age,
            ..base.clone()
        },
        Config {
            name: names.dead_letters.clone(),
            description: Some("Armoricore dead letters".into()),
            subjects: vec![dead_letter_filter(&c.subject_prefix)],
            max_age: c.dead_letter_max_age,
            ..base.clone()
        },
        Config {
            name: names.advisories.clone(),
            description: Some("Max-deliveries advisories of the events stream".into()),
            subjects: vec![advisory_subject(&names.events, "*")],
            max_age: c.stream_max_age,
            duplicate_window: Duration::from_secs(60).min(c.stream_max_age),
            ..base
        },
    ]
}

/// Creates or updates the prefix's streams.
pub(super) async fn ensure_all(shared: &NatsShared) -> Result<(), BusError> {
    for config in configs(shared) {
        ensure(shared, config).await?;
    }
    Ok(())
}

async fn ensure(shared: &NatsShared, config: Config) -> Result<(), BusError> {
    let name = config.name.clone();
    let mut attempt = 0;
    loop {
        attempt += 1;
        let err = match shared.js.create_or_update_stream(config.clone()).await {
            Ok(_) => return Ok(()),
            Err(err) => err,
        };
        let raced = matches!(err.kind(), CreateStreamErrorKind::JetStream(ref e)
            if e.error_code() == ErrorCode::STREAM_NAME_EXIST);
        if raced && attempt < 5 {
            tokio::time::sleep(Duration::from_millis(20 * attempt)).await;
            continue;
        }
        return Err(match err.kind() {
            CreateStreamErrorKind::JetStream(e) => {
                BusError::Rejected(format!("stream {name}: {e}"))
            }
            CreateStreamErrorKind::JetStreamUnavailable => BusError::Connect(format!(
                "stream {name}: JetStream is not enabled on the server"
            )),
            _ => BusError::Connect(format!("stream {name}: {err}")),
        });
    }
}
