//! Configuration: the raw environment and the resolved, validated settings.
//!
//! [`RawConfig`] is what the environment says, as strings; [`Config`] is what the node runs
//! with, every default applied and every value checked. Only [`Config`] travels past start-up.
//! A bad value stops the node with a [`ConfigError`] naming the variable and what it expected.

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

use thiserror::Error;

use crate::secrets::Secret;

/// A variable that could not be used, and why.
#[derive(Debug, Error, PartialEq, Eq)]
#[error("{variable}={value:?}: {problem}")]
pub struct ConfigError {
    /// The environment variable at fault.
    pub variable: &'static str,
    /// Its value as given (secrets are elided).
    pub value: String,
    /// What was expected instead.
    pub problem: String,
}

/// The environment, as read: variable name → value. Built from the process environment
/// by [`RawConfig::from_env`], or from any map in tests.
#[derive(Debug, Clone, Default)]
pub struct RawConfig(BTreeMap<String, String>);

impl RawConfig {
    /// Reads the process environment.
    pub fn from_env() -> Self {
        RawConfig(std::env::vars().collect())
    }

    /// Builds a raw configuration from explicit pairs.
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        RawConfig(
            pairs
                .into_iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }

    /// A variable's value; empty values count as unset.
    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    fn parse<T: std::str::FromStr>(
        &self,
        name: &'static str,
        default: T,
        expected: &str,
    ) -> Result<T, ConfigError> {
        match self.get(name) {
            None => Ok(default),
            Some(v) => v
                .trim()
                .parse()
                .map_err(|_| invalid(name, v, format!("expected {expected}"))),
        }
    }

    fn flag(&self, name: &'static str) -> Result<bool, ConfigError> {
        match self.get(name).map(|v| v.trim().to_ascii_lowercase()) {
            None => Ok(false),
            Some(v) if matches!(v.as_str(), "1" | "true" | "yes" | "on") => Ok(true),
            Some(v) if matches!(v.as_str(), "0" | "false" | "no" | "off") => Ok(false),
            Some(v) => Err(invalid(
                name,
                &v,
                "expected 1/0, true/false, yes/no or on/off",
            )),
        }
    }

    fn file(&self, name: &'static str) -> Result<Option<PathBuf>, ConfigError> {
        match self.get(name) {
            None => Ok(None),
            Some(v) if std::path::Path::new(v).is_file() => Ok(Some(PathBuf::from(v))),
            Some(v) => Err(invalid(name, v, "no readable file at that path")),
        }
    }
}

fn invalid(variable: &'static str, value: &str, problem: impl Into<String>) -> ConfigError {
    ConfigError {
        variable,
        value: value.to_string(),
        problem: problem.into(),
    }
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// Human-readable lines (the default).
    Human,
    /// One JSON object per line.
    Json,
}

/// Which signing scheme tokens use; pinned by configuration, never taken from a token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JwtKeySource {
    /// HS256 with a secret from `JWT_SECRET`.
    Secret(Secret),
    /// HS256 with the secret kept in the data dir (embedded default, created once).
    DataDirSecret,
    /// RS256 or ES256 with a public key file (and optionally a private one for minting).
    PublicKey {
        /// `RS256` or `ES256`.
        algorithm: String,
        /// PEM public key used to verify.
        public_key_file: PathBuf,
        /// PEM private key used by `armoricore token` to mint.
        private_key_file: Option<PathBuf>,
    },
}

/// Token settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JwtConfig {
    /// Where keys come from and which algorithm is pinned.
    pub keys: JwtKeySource,
    /// Required `iss`, when set.
    pub issuer: Option<String>,
    /// Required `aud`, when set.
    pub audience: Option<String>,
}

/// Provider settings for the notification worker; checked for shape here, used by the worker.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProviderSettings {
    /// `SMTP_URL` in lettre's URL form.
    pub smtp_url: Option<String>,
    /// `SMTP_FROM` address.
    pub smtp_from: Option<String>,
    /// `FCM_SERVICE_ACCOUNT_FILE`.
    pub fcm_service_account_file: Option<PathBuf>,
    /// `FCM_ENDPOINT` base URL.
    pub fcm_endpoint: Option<String>,
    /// `APNS_KEY_FILE`.
    pub apns_key_file: Option<PathBuf>,
    /// `APNS_KEY_ID`.
    pub apns_key_id: Option<String>,
    /// `APNS_TEAM_ID`.
    pub apns_team_id: Option<String>,
    /// `APNS_TOPIC`.
    pub apns_topic: Option<String>,
    /// `APNS_ENDPOINT` base URL.
    pub apns_endpoint: Option<String>,
    /// `SSL_CERT_FILE`: a PEM file of extra trust roots for provider endpoints.
    pub extra_roots_file: Option<PathBuf>,
}

/// A provider's rate limit: sustained per second and burst (`NOTIFY_RATE_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProviderRate {
    /// Requests per second.
    pub per_second: std::num::NonZeroU32,
    /// Requests at once.
    pub burst: std::num::NonZeroU32,
}

/// Notification worker tunables (`NOTIFY_*`); `None` limits are off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotifySettings {
    /// `NOTIFY_RATE_FCM` (default 1000/s, burst 1000).
    pub fcm_rate: Option<ProviderRate>,
    /// `NOTIFY_RATE_APNS` (default 1000/s, burst 1000).
    pub apns_rate: Option<ProviderRate>,
    /// `NOTIFY_RATE_SMTP` (default 20/s, burst 20).
    pub smtp_rate: Option<ProviderRate>,
    /// `NOTIFY_USER_PER_MINUTE` (default 60).
    pub user_per_minute: Option<std::num::NonZeroU32>,
    /// `NOTIFY_RETRY_ATTEMPTS`: provider calls per target per delivery (default 4, 1-20).
    pub retry_attempts: u32,
    /// `NOTIFY_CONCURRENCY`: notifications handled at once (default 64, 1-10000).
    pub concurrency: usize,
}

/// Redelivery of `media.uploaded` deliveries; `None` keeps the media worker's default
/// (the bus's work-queue defaults: 30 s, 5 deliveries, 1 s/5 s/30 s/60 s).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MediaRedelivery {
    /// `MEDIA_ACK_WAIT_MS`: a job silent for this long (a crashed node) is redelivered;
    /// a running job extends it every third of it. At least 300 ms.
    pub ack_wait: Option<Duration>,
    /// `MEDIA_MAX_DELIVER`: deliveries per upload, the first included (1-100).
    pub max_deliver: Option<u32>,
    /// `MEDIA_RETRY_BACKOFF_MS`: comma-separated delays before each redelivery after a
    /// retryable failure, the last one repeating.
    pub backoff: Option<Vec<Duration>>,
}

/// How media sources are fetched (beyond `MEDIA_SOURCE_ALLOW_PRIVATE`); defaults are
/// the media worker's ([`media::source::SourceConfig`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaSourceSettings {
    /// `MEDIA_SOURCE_ALLOW_HOSTS`: comma-separated hosts (names or IPs, as written in
    /// URLs) that may resolve to private addresses.
    pub allow_hosts: Vec<String>,
    /// `MEDIA_SOURCE_MAX_BYTES`: the largest source (default 10 GiB); larger fails for good.
    pub max_bytes: u64,
    /// `MEDIA_SOURCE_CONNECT_TIMEOUT_MS` (default 10000, 100-600000).
    pub connect_timeout: Duration,
    /// `MEDIA_SOURCE_READ_TIMEOUT_MS`: longest silence of a source connection (default
    /// 30000, 100-600000).
    pub read_timeout: Duration,
}

/// The resolved configuration the node runs with.
#[derive(Debug, Clone)]
pub struct Config {
    /// Address the HTTP listener binds (`ARMORICORE_BIND`, default `0.0.0.0`).
    pub bind: IpAddr,
    /// Port of HTTP and WebSocket (`PORT`, default 4000; 0 picks a free port).
    pub port: u16,
    /// Where embedded parts keep their files (`ARMORICORE_DATA_DIR`, default `./data`).
    pub data_dir: PathBuf,
    /// `MESSAGE_BUS_URL`: unset for the in-process bus.
    pub bus_url: Option<String>,
    /// `MESSAGE_BUS_PREFIX`: prepended to every subject.
    pub bus_subject_prefix: String,
    /// `DATABASE_URL`: unset for SQLite in the data dir.
    pub database_url: Option<String>,
    /// Object storage: local directory or S3, resolved by `objstore` from `OBJECT_STORE_URL`,
    /// `S3_ENDPOINT` and `AWS_*`.
    pub object_store: objstore::ObjectStoreConfig,
    /// Token settings.
    pub jwt: JwtConfig,
    /// `ARMORICORE_API_KEY`: unset means a key kept in the data dir.
    pub api_key: Option<Secret>,
    /// `DATAPLANE_CORES`: shards to run (default: every core).
    pub dataplane_cores: usize,
    /// `MEDIA_MAX_JOBS`: concurrent media jobs per node.
    pub media_max_jobs: usize,
    /// `MEDIA_THREAD_NICE`: nice value (0-19) of media jobs' threads, so they yield the
    /// cores to the data plane's shards (default 10; 0 leaves them at the process's).
    pub media_thread_nice: i32,
    /// `MEDIA_SOURCE_ALLOW_PRIVATE`: let media sources resolve to private addresses.
    pub media_source_allow_private: bool,
    /// `MEDIA_SOURCE_ALLOW_HOSTS`, `MEDIA_SOURCE_MAX_BYTES` and the source timeouts.
    pub media_sources: MediaSourceSettings,
    /// `MEDIA_UPLOAD_MAX_BYTES`: largest `POST /api/v1/media` body (default 2 GiB; 413 beyond).
    pub media_upload_max_bytes: u64,
    /// Redelivery of `media.uploaded` (`MEDIA_ACK_WAIT_MS`, `MEDIA_MAX_DELIVER`,
    /// `MEDIA_RETRY_BACKOFF_MS`).
    pub media_redelivery: MediaRedelivery,
    /// `ARMORICORE_WS_ECHO`: serve the token-less echo WebSocket at `/ws/echo`, for the
    /// Autobahn conformance run only (default off).
    pub ws_echo: bool,
    /// Notification providers.
    pub providers: ProviderSettings,
    /// Notification worker tunables.
    pub notify: NotifySettings,
    /// `LOG_FORMAT`: `human` (default) or `json`.
    pub log_format: LogFormat,
    /// `SHUTDOWN_GRACE_SECS`: how long a stop waits for requests in flight (default 10 s).
    pub shutdown_grace: Duration,
    /// `PRESENCE_NODE_TIMEOUT_MS`: a node not heard from for this long has its presences
    /// removed on the others (default 15 s; nodes announce themselves three times as often).
    pub presence_node_timeout: Duration,
}

impl Config {
    /// Whether every part runs embedded (no external bus or database).
    pub fn is_embedded(&self) -> bool {
        self.bus_url.is_none() && self.database_url.is_none()
    }

    /// Resolves and validates `raw`.
    pub fn resolve(raw: &RawConfig) -> Result<Config, ConfigError> {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let dataplane_cores = raw.parse("DATAPLANE_CORES", cores, "a whole number of cores")?;
        if dataplane_cores == 0 || dataplane_cores > cores {
            return Err(invalid(
                "DATAPLANE_CORES",
                &dataplane_cores.to_string(),
                format!("expected 1 to {cores} (the cores of this machine)"),
            ));
        }
        let media_max_jobs = raw.parse("MEDIA_MAX_JOBS", cores.max(1), "a whole number")?;
        if media_max_jobs == 0 {
            return Err(invalid("MEDIA_MAX_JOBS", "0", "expected at least 1"));
        }
        let nice_range = format!("a nice value from 0 to {}", media::MAX_NICE);
        let media_thread_nice = raw.parse(
            "MEDIA_THREAD_NICE",
            media::worker::DEFAULT_THREAD_NICE,
            &nice_range,
        )?;
        if !(0..=media::MAX_NICE).contains(&media_thread_nice) {
            return Err(invalid(
                "MEDIA_THREAD_NICE",
                &media_thread_nice.to_string(),
                format!("expected {nice_range}"),
            ));
        }

        let bus_url = raw.get("MESSAGE_BUS_URL").map(str::to_string);
        if let Some(url) = &bus_url
            && !(url.starts_with("nats://")
                || url.starts_with("tls://")
                || url.starts_with("kafka://"))
        {
            return Err(invalid(
                "MESSAGE_BUS_URL",
                url,
                "expected nats://host:port (or kafka://…), or unset for the in-process bus",
            ));
        }
        let bus_subject_prefix = raw.get("MESSAGE_BUS_PREFIX").unwrap_or("").to_string();
        if bus_subject_prefix
            .chars()
            .any(|c| c.is_whitespace() || c == '*' || c == '>')
            || (!bus_subject_prefix.is_empty() && !bus_subject_prefix.ends_with('.'))
        {
            return Err(invalid(
                "MESSAGE_BUS_PREFIX",
                &bus_subject_prefix,
                "expected tokens ending in `.` (like `prod.`), without spaces or wildcards",
            ));
        }

        let database_url = raw.get("DATABASE_URL").map(str::to_string);
        if let Some(url) = &database_url
            && !["postgres://", "postgresql://", "sqlite:"]
                .iter()
                .any(|s| url.starts_with(s))
        {
            return Err(invalid(
                "DATABASE_URL",
                &elide_password(url),
                "expected postgres://user:pass@host/db or sqlite:path, or unset for SQLite in the data dir",
            ));
        }

        let data_dir = PathBuf::from(raw.get("ARMORICORE_DATA_DIR").unwrap_or("./data"));
        let object_store_env =
            objstore::ObjectStoreEnv::from_lookup(|name| raw.get(name).map(str::to_string));
        let object_store =
            objstore::ObjectStoreConfig::from_env_values(&object_store_env, &data_dir).map_err(
                |e| {
                    let variable = e.variable().unwrap_or("OBJECT_STORE_URL");
                    let value = match variable {
                        "AWS_SECRET_ACCESS_KEY" | "AWS_SESSION_TOKEN" => "<secret>",
                        other => raw.get(other).unwrap_or(""),
                    };
                    invalid(variable, value, e.to_string())
                },
            )?;

        let bind = raw.parse(
            "ARMORICORE_BIND",
            IpAddr::from([0, 0, 0, 0]),
            "an IP address",
        )?;
        let log_format = match raw
            .get("LOG_FORMAT")
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            None | Some("human") | Some("text") => LogFormat::Human,
            Some("json") => LogFormat::Json,
            Some(other) => return Err(invalid("LOG_FORMAT", other, "expected human or json")),
        };

        Ok(Config {
            bind,
            port: raw.parse("PORT", 4000, "a port number 0-65535")?,
            data_dir,
            bus_url,
            bus_subject_prefix,
            database_url,
            object_store,
            jwt: resolve_jwt(raw)?,
            api_key: resolve_api_key(raw)?,
            dataplane_cores,
            media_max_jobs,
            media_thread_nice,
            media_source_allow_private: raw.flag("MEDIA_SOURCE_ALLOW_PRIVATE")?,
            media_sources: resolve_media_sources(raw)?,
            media_upload_max_bytes: raw.parse(
                "MEDIA_UPLOAD_MAX_BYTES",
                2 << 30,
                "a whole number of bytes",
            )?,
            media_redelivery: resolve_media_redelivery(raw)?,
            ws_echo: raw.flag("ARMORICORE_WS_ECHO")?,
            providers: resolve_providers(raw)?,
            notify: resolve_notify(raw)?,
            log_format,
            shutdown_grace: Duration::from_secs(raw.parse(
                "SHUTDOWN_GRACE_SECS",
                10,
                "a whole number of seconds",
            )?),
            presence_node_timeout: presence_node_timeout(raw)?,
        })
    }
}

fn presence_node_timeout(raw: &RawConfig) -> Result<Duration, ConfigError> {
    const EXPECTED: &str = "a whole number of milliseconds, at least 300";
    let ms: u64 = raw.parse("PRESENCE_NODE_TIMEOUT_MS", 15_000, EXPECTED)?;
    if ms < 300 {
        let value = raw.get("PRESENCE_NODE_TIMEOUT_MS").unwrap_or_default();
        return Err(invalid("PRESENCE_NODE_TIMEOUT_MS", value, EXPECTED));
    }
    Ok(Duration::from_millis(ms))
}

fn resolve_jwt(raw: &RawConfig) -> Result<JwtConfig, ConfigError> {
    let algorithm = raw
        .get("JWT_ALGORITHM")
        .map(str::to_ascii_uppercase)
        .unwrap_or_else(|| "HS256".into());
    let public_key_file = raw.file("JWT_PUBLIC_KEY_FILE")?;
    let private_key_file = raw.file("JWT_PRIVATE_KEY_FILE")?;
    let keys = match (algorithm.as_str(), raw.get("JWT_SECRET"), public_key_file) {
        ("HS256", Some(secret), _) => {
            if secret.len() < 32 {
                return Err(invalid(
                    "JWT_SECRET",
                    "<secret>",
                    "expected at least 32 bytes for HS256",
                ));
            }
            JwtKeySource::Secret(Secret::new(secret))
        }
        ("HS256", None, _) => JwtKeySource::DataDirSecret,
        ("RS256" | "ES256", _, Some(public_key_file)) => JwtKeySource::PublicKey {
            algorithm,
            public_key_file,
            private_key_file,
        },
        ("RS256" | "ES256", _, None) => {
            return Err(invalid(
                "JWT_PUBLIC_KEY_FILE",
                "",
                format!("JWT_ALGORITHM={algorithm} needs a PEM public key file"),
            ));
        }
        (other, _, _) => {
            return Err(invalid(
                "JWT_ALGORITHM",
                other,
                "expected HS256, RS256 or ES256",
            ));
        }
    };
    Ok(JwtConfig {
        keys,
        issuer: raw.get("JWT_ISSUER").map(str::to_string),
        audience: raw.get("JWT_AUDIENCE").map(str::to_string),
    })
}

fn resolve_api_key(raw: &RawConfig) -> Result<Option<Secret>, ConfigError> {
    match raw.get("ARMORICORE_API_KEY") {
        Some(key) if key.len() < 16 => Err(invalid(
            "ARMORICORE_API_KEY",
            "<secret>",
            "expected at least 16 characters",
        )),
        other => Ok(other.map(Secret::new)),
    }
}

fn resolve_providers(raw: &RawConfig) -> Result<ProviderSettings, ConfigError> {
    let url = |name: &'static str| -> Result<Option<String>, ConfigError> {
        match raw.get(name) {
            Some(v) if !(v.starts_with("http://") || v.starts_with("https://")) => {
                Err(invalid(name, v, "expected an http(s):// base URL"))
            }
            other => Ok(other.map(str::to_string)),
        }
    };
    let smtp_url = raw.get("SMTP_URL").map(str::to_string);
    if let Some(v) = &smtp_url
        && !(v.starts_with("smtp://") || v.starts_with("smtps://"))
    {
        return Err(invalid(
            "SMTP_URL",
            &elide_password(v),
            "expected smtp://… or smtps://… (lettre's URL form)",
        ));
    }
    Ok(ProviderSettings {
        smtp_url,
        smtp_from: raw.get("SMTP_FROM").map(str::to_string),
        fcm_service_account_file: raw.file("FCM_SERVICE_ACCOUNT_FILE")?,
        fcm_endpoint: url("FCM_ENDPOINT")?,
        apns_key_file: raw.file("APNS_KEY_FILE")?,
        apns_key_id: raw.get("APNS_KEY_ID").map(str::to_string),
        apns_team_id: raw.get("APNS_TEAM_ID").map(str::to_string),
        apns_topic: raw.get("APNS_TOPIC").map(str::to_string),
        apns_endpoint: url("APNS_ENDPOINT")?,
        extra_roots_file: raw.file("SSL_CERT_FILE")?,
    })
}

fn resolve_notify(raw: &RawConfig) -> Result<NotifySettings, ConfigError> {
    use std::num::NonZeroU32;
    const RATE: &str = "expected RATE or RATE:BURST (per second, each 1-1000000), or off";
    let rate = |name: &'static str, default: u32| -> Result<Option<ProviderRate>, ConfigError> {
        let value = raw.get(name).map(str::trim);
        if value.is_some_and(|v| v.eq_ignore_ascii_case("off")) {
            return Ok(None);
        }
        let text = value.map_or_else(|| default.to_string(), str::to_string);
        let (rate, burst) = text.split_once(':').unwrap_or((&text, &text));
        let number = |t: &str| {
            t.trim()
                .parse::<u32>()
                .ok()
                .filter(|n| (1..=1_000_000).contains(n))
                .and_then(NonZeroU32::new)
        };
        match (number(rate), number(burst)) {
            (Some(per_second), Some(burst)) => Ok(Some(ProviderRate { per_second, burst })),
            _ => Err(invalid(name, &text, RATE)),
        }
    };
    const PER_USER: &str = "expected notifications per user per minute (1-1000000), or off";
    let user_per_minute = match raw.get("NOTIFY_USER_PER_MINUTE").map(str::trim) {
        Some(v) if v.eq_ignore_ascii_case("off") => None,
        Some(v) => Some(
            v.parse::<u32>()
                .ok()
                .filter(|n| (1..=1_000_000).contains(n))
                .and_then(NonZeroU32::new)
                .ok_or_else(|| invalid("NOTIFY_USER_PER_MINUTE", v, PER_USER))?,
        ),
        None => NonZeroU32::new(60),
    };
    const ATTEMPTS: &str = "expected a whole number from 1 to 20";
    let retry_attempts: u32 = raw.parse("NOTIFY_RETRY_ATTEMPTS", 4, ATTEMPTS)?;
    if !(1..=20).contains(&retry_attempts) {
        return Err(invalid(
            "NOTIFY_RETRY_ATTEMPTS",
            &retry_attempts.to_string(),
            ATTEMPTS,
        ));
    }
    const CONCURRENCY: &str = "expected a whole number from 1 to 10000";
    let concurrency: usize = raw.parse("NOTIFY_CONCURRENCY", 64, CONCURRENCY)?;
    if !(1..=10_000).contains(&concurrency) {
        return Err(invalid(
            "NOTIFY_CONCURRENCY",
            &concurrency.to_string(),
            CONCURRENCY,
        ));
    }
    Ok(NotifySettings {
        fcm_rate: rate("NOTIFY_RATE_FCM", 1000)?,
        apns_rate: rate("NOTIFY_RATE_APNS", 1000)?,
        smtp_rate: rate("NOTIFY_RATE_SMTP", 20)?,
        user_per_minute,
        retry_attempts,
        concurrency,
    })
}

fn resolve_media_redelivery(raw: &RawConfig) -> Result<MediaRedelivery, ConfigError> {
    let bounded = |name: &'static str, range: std::ops::RangeInclusive<u64>, expected: &str| {
        raw.get(name)
            .map(|v| {
                v.trim()
                    .parse::<u64>()
                    .ok()
                    .filter(|n| range.contains(n))
                    .ok_or_else(|| invalid(name, v, expected))
            })
            .transpose()
    };
    let ack_wait = bounded(
        "MEDIA_ACK_WAIT_MS",
        300..=3_600_000,
        "expected milliseconds from 300 to 3600000",
    )?;
    let max_deliver = bounded("MEDIA_MAX_DELIVER", 1..=100, "expected 1 to 100")?;
    let backoff = raw
        .get("MEDIA_RETRY_BACKOFF_MS")
        .map(|v| {
            v.split(',')
                .map(|ms| ms.trim().parse().map(Duration::from_millis))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|_| {
                    invalid(
                        "MEDIA_RETRY_BACKOFF_MS",
                        v,
                        "expected comma-separated milliseconds, like 1000,5000",
                    )
                })
        })
        .transpose()?;
    Ok(MediaRedelivery {
        ack_wait: ack_wait.map(Duration::from_millis),
        max_deliver: max_deliver.and_then(|n| u32::try_from(n).ok()),
        backoff,
    })
}

fn resolve_media_sources(raw: &RawConfig) -> Result<MediaSourceSettings, ConfigError> {
    let defaults = media::source::SourceConfig::default();
    let allow_hosts: Vec<String> = raw
        .get("MEDIA_SOURCE_ALLOW_HOSTS")
        .map(|v| v.split(',').map(str::trim).filter(|h| !h.is_empty()))
        .into_iter()
        .flatten()
        .map(str::to_string)
        .collect();
    if let Err(e) = media::source::AddressPolicy::new(false, &allow_hosts) {
        let value = raw.get("MEDIA_SOURCE_ALLOW_HOSTS").unwrap_or_default();
        return Err(invalid("MEDIA_SOURCE_ALLOW_HOSTS", value, e.to_string()));
    }
    let max_bytes = raw.parse(
        "MEDIA_SOURCE_MAX_BYTES",
        defaults.max_bytes,
        "a whole number of bytes",
    )?;
    if max_bytes == 0 {
        return Err(invalid(
            "MEDIA_SOURCE_MAX_BYTES",
            "0",
            "expected at least 1",
        ));
    }
    let millis = |name: &'static str, default: Duration| -> Result<Duration, ConfigError> {
        let default_ms = u64::try_from(default.as_millis()).unwrap_or(u64::MAX);
        let ms = raw.parse(name, default_ms, "milliseconds from 100 to 600000")?;
        if !(100..=600_000).contains(&ms) {
            return Err(invalid(name, &ms.to_string(), "expected 100 to 600000"));
        }
        Ok(Duration::from_millis(ms))
    };
    Ok(MediaSourceSettings {
        allow_hosts,
        max_bytes,
        connect_timeout: millis("MEDIA_SOURCE_CONNECT_TIMEOUT_MS", defaults.connect_timeout)?,
        read_timeout: millis("MEDIA_SOURCE_READ_TIMEOUT_MS", defaults.read_timeout)?,
    })
}

/// Replaces the password of a `scheme://user:password@host` URL with `***`.
pub fn elide_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    match rest.split_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
            None => url.to_string(),
        },
        None => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        Config::resolve(&RawConfig::from_pairs(pairs.iter().copied()))
    }

    #[test]
    fn empty_environment_gives_the_embedded_defaults() {
        let config = resolve(&[]).unwrap();
        assert_eq!(config.port, 4000);
        assert_eq!(config.data_dir, PathBuf::from("./data"));
        assert!(config.is_embedded());
        assert_eq!(config.jwt.keys, JwtKeySource::DataDirSecret);
        assert_eq!(config.log_format, LogFormat::Human);
        assert!(!config.media_source_allow_private);
        assert!(!config.ws_echo);
    }

    #[test]
    fn the_echo_endpoint_is_switched_on_by_its_flag() {
        assert!(resolve(&[("ARMORICORE_WS_ECHO", "1")]).unwrap().ws_echo);
        assert!(resolve(&[("ARMORICORE_WS_ECHO", "on")]).unwrap().ws_echo);
        assert!(!resolve(&[("ARMORICORE_WS_ECHO", "0")]).unwrap().ws_echo);
    }

    #[test]
    fn each_bad_value_names_its_variable() {
        let cases: &[(&str, &str)] = &[
            ("PORT", "http"),
            ("PORT", "70000"),
            ("DATAPLANE_CORES", "0"),
            ("DATAPLANE_CORES", "9999"),
            ("MEDIA_MAX_JOBS", "0"),
            ("MEDIA_THREAD_NICE", "-5"),
            ("MEDIA_THREAD_NICE", "20"),
            ("MEDIA_THREAD_NICE", "low"),
            ("MEDIA_UPLOAD_MAX_BYTES", "2G"),
            ("MESSAGE_BUS_URL", "redis://x"),
            ("MESSAGE_BUS_PREFIX", "no-dot"),
            ("DATABASE_URL", "mysql://u:hunter2@h/db"),
            ("OBJECT_STORE_URL", "gs://b"),
            ("JWT_SECRET", "short"),
            ("JWT_ALGORITHM", "none"),
            ("JWT_PUBLIC_KEY_FILE", "/no/such/file.pem"),
            ("ARMORICORE_API_KEY", "abc"),
            ("MEDIA_SOURCE_ALLOW_PRIVATE", "maybe"),
            ("MEDIA_SOURCE_ALLOW_HOSTS", "ok.example, bad host"),
            ("MEDIA_SOURCE_MAX_BYTES", "0"),
            ("MEDIA_SOURCE_MAX_BYTES", "10G"),
            ("MEDIA_SOURCE_CONNECT_TIMEOUT_MS", "50"),
            ("MEDIA_SOURCE_READ_TIMEOUT_MS", "soon"),
            ("ARMORICORE_WS_ECHO", "2"),
            ("LOG_FORMAT", "xml"),
            ("FCM_ENDPOINT", "fcm.local"),
            ("SMTP_URL", "mail.local"),
            ("ARMORICORE_BIND", "everywhere"),
            ("PRESENCE_NODE_TIMEOUT_MS", "100"),
            ("PRESENCE_NODE_TIMEOUT_MS", "soon"),
            ("SSL_CERT_FILE", "/no/such/roots.pem"),
            ("NOTIFY_RATE_FCM", "fast"),
            ("NOTIFY_RATE_APNS", "0"),
            ("NOTIFY_RATE_SMTP", "10:0"),
            ("NOTIFY_USER_PER_MINUTE", "-1"),
            ("NOTIFY_RETRY_ATTEMPTS", "0"),
            ("NOTIFY_CONCURRENCY", "0"),
            ("MEDIA_ACK_WAIT_MS", "10"),
            ("MEDIA_MAX_DELIVER", "0"),
            ("MEDIA_RETRY_BACKOFF_MS", "1s,2s"),
        ];
        for (name, value) in cases {
            let err = resolve(&[(name, value)]).unwrap_err();
            assert_eq!(err.variable, *name, "{name}={value}: {err}");
        }
    }

    #[test]
    fn secrets_and_passwords_never_appear_in_errors() {
        let err = resolve(&[("DATABASE_URL", "mysql://u:hunter2@h/db")]).unwrap_err();
        assert!(!err.to_string().contains("hunter2"), "{err}");
        let err = resolve(&[("JWT_SECRET", "tiny-secret")]).unwrap_err();
        assert!(!err.to_string().contains("tiny-secret"), "{err}");
    }

    #[test]
    fn a_bad_s3_endpoint_is_named_when_s3_is_used() {
        let err = resolve(&[
            ("OBJECT_STORE_URL", "s3://media"),
            ("S3_ENDPOINT", "localhost:9000"),
        ])
        .unwrap_err();
        assert_eq!(err.variable, "S3_ENDPOINT", "{err}");
    }

    #[test]
    fn asymmetric_algorithms_need_a_key_file() {
        let err = resolve(&[("JWT_ALGORITHM", "RS256")]).unwrap_err();
        assert_eq!(err.variable, "JWT_PUBLIC_KEY_FILE");
    }

    #[test]
    fn distributed_settings_are_kept() {
        let config = resolve(&[
            ("MESSAGE_BUS_URL", "nats://127.0.0.1:4222"),
            ("DATABASE_URL", "postgres://a:b@127.0.0.1/db"),
            ("OBJECT_STORE_URL", "s3://media"),
            ("S3_ENDPOINT", "http://127.0.0.1:5000"),
            ("AWS_DEFAULT_REGION", "eu-west-3"),
            ("AWS_ACCESS_KEY_ID", "id"),
            ("AWS_SECRET_ACCESS_KEY", "key"),
            ("MESSAGE_BUS_PREFIX", "prod."),
            ("LOG_FORMAT", "json"),
            ("PORT", "0"),
        ])
        .unwrap();
        assert!(!config.is_embedded());
        assert!(matches!(
            config.object_store.backend,
            objstore::Backend::S3(_)
        ));
        assert_eq!(config.bus_subject_prefix, "prod.");
        assert_eq!(config.log_format, LogFormat::Json);
        assert_eq!(config.port, 0);
    }

    #[test]
    fn notify_limits_have_defaults_and_can_be_switched_off() {
        let n = |v: u32| std::num::NonZeroU32::new(v).unwrap();
        let config = resolve(&[]).unwrap();
        assert_eq!(
            config.notify.smtp_rate,
            Some(ProviderRate {
                per_second: n(20),
                burst: n(20)
            })
        );
        assert_eq!(config.notify.user_per_minute, Some(n(60)));
        let config = resolve(&[
            ("NOTIFY_RATE_FCM", "500:50"),
            ("NOTIFY_RATE_APNS", "off"),
            ("NOTIFY_USER_PER_MINUTE", "OFF"),
        ])
        .unwrap();
        assert_eq!(
            config.notify.fcm_rate,
            Some(ProviderRate {
                per_second: n(500),
                burst: n(50)
            })
        );
        assert_eq!(config.notify.apns_rate, None);
        assert_eq!(config.notify.user_per_minute, None);
    }

    #[test]
    fn media_redelivery_is_the_default_unless_set() {
        assert_eq!(
            resolve(&[]).unwrap().media_redelivery,
            MediaRedelivery::default()
        );
        let config = resolve(&[
            ("MEDIA_ACK_WAIT_MS", "3000"),
            ("MEDIA_MAX_DELIVER", "3"),
            ("MEDIA_RETRY_BACKOFF_MS", "200, 1000"),
        ])
        .unwrap();
        let ms = Duration::from_millis;
        assert_eq!(
            config.media_redelivery,
            MediaRedelivery {
                ack_wait: Some(ms(3000)),
                max_deliver: Some(3),
                backoff: Some(vec![ms(200), ms(1000)]),
            }
        );
    }

    #[test]
    fn media_threads_yield_by_default_and_can_be_left_alone() {
        let config = resolve(&[]).unwrap();
        assert_eq!(config.media_thread_nice, media::worker::DEFAULT_THREAD_NICE);
        assert_eq!(
            resolve(&[("MEDIA_THREAD_NICE", "0")])
                .unwrap()
                .media_thread_nice,
            0
        );
        assert_eq!(
            resolve(&[("MEDIA_THREAD_NICE", " 19 ")])
                .unwrap()
                .media_thread_nice,
            19
        );
    }

    #[test]
    fn media_source_settings_default_to_the_worker_and_parse_when_set() {
        let defaults = media::source::SourceConfig::default();
        let config = resolve(&[]).unwrap().media_sources;
        assert!(config.allow_hosts.is_empty());
        assert_eq!(config.max_bytes, defaults.max_bytes);
        assert_eq!(config.read_timeout, defaults.read_timeout);
        let config = resolve(&[
            ("MEDIA_SOURCE_ALLOW_HOSTS", " media.internal , 10.0.0.5,,"),
            ("MEDIA_SOURCE_MAX_BYTES", "1048576"),
            ("MEDIA_SOURCE_CONNECT_TIMEOUT_MS", "2500"),
            ("MEDIA_SOURCE_READ_TIMEOUT_MS", "100"),
        ])
        .unwrap()
        .media_sources;
        assert_eq!(
            config,
            MediaSourceSettings {
                allow_hosts: vec!["media.internal".into(), "10.0.0.5".into()],
                max_bytes: 1 << 20,
                connect_timeout: Duration::from_millis(2500),
                read_timeout: Duration::from_millis(100),
            }
        );
    }

    #[test]
    fn empty_values_count_as_unset() {
        let config = resolve(&[("MESSAGE_BUS_URL", ""), ("PORT", "")]).unwrap();
        assert!(config.bus_url.is_none());
        assert_eq!(config.port, 4000);
    }
}
