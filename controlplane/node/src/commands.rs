//! What each subcommand does.

use std::time::Duration;

use anyhow::{Context, bail};
use bytes::Bytes;
use codecs::{Completion, Event, ResourceId};
use http_body_util::{BodyExt, Full};
use hyper::Request;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

use crate::auth::TokenKeys;
use crate::cli::{Cli, Command, Role};
use crate::config::{Config, RawConfig};
use crate::node::{self, RunningNode};
use crate::secrets::{self, DataDirSecret};

/// Runs the command `cli` names.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let config = Config::resolve(&RawConfig::from_env()).context("invalid configuration")?;
    crate::logging::init(config.log_format);
    match cli.command.unwrap_or(Command::Node) {
        Command::Node => serve(config, Role::All).await,
        Command::Realtime => serve(config, Role::Realtime).await,
        Command::MediaProcessor => serve(config, Role::MediaProcessor).await,
        Command::NotificationWorker => serve(config, Role::NotificationWorker).await,
        Command::Migrate => migrate(config).await,
        Command::Token { user, ttl } => token(config, &user, ttl),
        Command::Publish {
            event_type,
            json,
            event_id,
            source,
        } => publish(config, &event_type, &json, event_id, &source).await,
    }
}

async fn serve(config: Config, role: Role) -> anyhow::Result<()> {
    if !config.is_embedded()
        && matches!(config.jwt.keys, crate::config::JwtKeySource::DataDirSecret)
    {
        tracing::warn!(
            "JWT_SECRET is not set: using the secret in the data dir; nodes sharing a bus must share JWT_SECRET"
        );
    }
    let node = RunningNode::start(config, role).await?;
    wait_for_signal().await?;
    tracing::info!("stopping");
    node.stop().await;
    tracing::info!("stopped");
    Ok(())
}

async fn wait_for_signal() -> anyhow::Result<()> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate()).context("cannot watch SIGTERM")?;
    tokio::select! {
        r = tokio::signal::ctrl_c() => r.context("cannot watch SIGINT")?,
        _ = term.recv() => {}
    }
    Ok(())
}

async fn migrate(config: Config) -> anyhow::Result<()> {
    std::fs::create_dir_all(&config.data_dir)
        .with_context(|| format!("cannot create data dir {}", config.data_dir.display()))?;
    let store = node::open_store(&config).await?;
    // open_store already migrated; a second call reports an up-to-date schema.
    let pending = store.migrate().await?;
    println!(
        "{} schema is up to date{}",
        store.kind(),
        if pending.is_empty() {
            ""
        } else {
            " (applied late migrations)"
        }
    );
    Ok(())
}

fn token(config: Config, user: &str, ttl: u64) -> anyhow::Result<()> {
    let user = ResourceId::new(user).with_context(|| format!("--user {user:?}"))?;
    if ttl == 0 {
        bail!("--ttl must be at least 1 second");
    }
    let keys = TokenKeys::load(&config.jwt, &config.data_dir)?;
    println!("{}", keys.mint(&user, Duration::from_secs(ttl))?);
    Ok(())
}

/// Builds the event from the command line: `json` is the payload, or a whole envelope.
fn build_event(
    event_type: &str,
    json: &str,
    event_id: Option<uuid::Uuid>,
    source: &str,
) -> anyhow::Result<Event> {
    let value: serde_json::Value =
        serde_json::from_str(json).context("the JSON argument is not valid JSON")?;
    let mut envelope = match value {
        serde_json::Value::Object(map) if map.contains_key("payload") => map,
        payload => {
            let mut map = serde_json::Map::new();
            map.insert("payload".into(), payload);
            map
        }
    };
    match envelope.get("event_type").and_then(|t| t.as_str()) {
        Some(t) if t != event_type => {
            bail!("EVENT_TYPE {event_type} differs from the envelope's event_type {t}")
        }
        _ => {}
    }
    envelope.insert("event_type".into(), event_type.into());
    if let Some(id) = event_id {
        envelope.insert("event_id".into(), id.to_string().into());
    }
    let bytes = serde_json::to_vec(&envelope)?;
    Ok(Event::decode_with(&bytes, Completion::FillWith { source })?)
}

async fn publish(
    config: Config,
    event_type: &str,
    json: &str,
    event_id: Option<uuid::Uuid>,
    source: &str,
) -> anyhow::Result<()> {
    let event = build_event(event_type, json, event_id, source)?;
    let answer = match &config.bus_url {
        Some(_) => {
            let bus = node::connect_bus(&config).await?;
            let ack = bus::publish_event(bus.as_ref(), &event).await?;
            serde_json::json!({
                "event_id": event.event_id, "event_type": event.event_type,
                "sequence": ack.sequence, "duplicate": ack.duplicate,
            })
        }
        // The in-process bus lives inside the running node: hand the event to it.
        None => publish_via_node(&config, &event).await?,
    };
    println!("{answer}");
    Ok(())
}

async fn publish_via_node(config: &Config, event: &Event) -> anyhow::Result<serde_json::Value> {
    let api_key = match &config.api_key {
        Some(key) => key.clone(),
        None => secrets::read_existing(&DataDirSecret::ApiKey.path(&config.data_dir))?
            .context("no API key: start the node once (make run) or set ARMORICORE_API_KEY")?,
    };
    let port = if config.port == 0 { 4000 } else { config.port };
    let url = format!("http://127.0.0.1:{port}/api/v1/events");
    let request = Request::post(&url)
        .header("content-type", "application/json")
        .header("x-api-key", api_key.expose())
        .body(Full::new(Bytes::from(event.encode())))?;
    let client = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
    let response = client.request(request).await.with_context(|| {
        format!("no node answering at {url}: start one with `make run` (the in-process bus lives in the node)")
    })?;
    let status = response.status();
    let body = response.into_body().collect().await?.to_bytes();
    let value: serde_json::Value = serde_json::from_slice(&body)
        .unwrap_or_else(|_| serde_json::json!({ "error": String::from_utf8_lossy(&body) }));
    if !status.is_success() {
        bail!("the node refused the event ({status}): {value}");
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_payload_or_a_whole_envelope_builds_the_same_event() {
        let payload = r#"{"media_id":"m","user_id":"u","reason":"r","retryable":false}"#;
        let id = uuid::Uuid::new_v4();
        let a = build_event("media.failed", payload, Some(id), "cli").unwrap();
        let envelope = format!(r#"{{"event_type":"media.failed","payload":{payload}}}"#);
        let b = build_event("media.failed", &envelope, Some(id), "cli").unwrap();
        assert_eq!(a.payload, b.payload);
        assert_eq!(a.event_id, id);
        assert_eq!(b.event_id, id);
    }

    #[test]
    fn mismatched_types_and_bad_payloads_are_refused_with_the_field() {
        let envelope = r#"{"event_type":"media.ready","payload":{}}"#;
        assert!(build_event("media.failed", envelope, None, "cli").is_err());
        let err = build_event("media.failed", r#"{"media_id":"m"}"#, None, "cli").unwrap_err();
        assert!(format!("{err:#}").contains("payload.user_id"), "{err:#}");
        assert!(build_event("media.failed", "not json", None, "cli").is_err());
    }
}
