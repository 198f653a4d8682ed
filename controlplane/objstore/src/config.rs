//! Owns the configuration of the object store: the raw environment values
//! ([`ObjectStoreEnv`]), the resolved configuration ([`ObjectStoreConfig`]) and the
//! step from one to the other, which names the variable at fault when it fails.
//!
//! Raw and resolved are different types on purpose: only the resolved one reaches
//! [`Objects::open`](crate::Objects::open). An empty variable counts as unset
//! (so `OBJECT_STORE_URL=` in an env file means "embedded default").

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::key::{InvalidKey, ObjectKey};

/// Default size of one multipart part, and the largest object sent with a single PUT.
pub const DEFAULT_PART_SIZE: usize = 8 * 1024 * 1024;
/// Default number of parts uploaded at once by one writer.
pub const DEFAULT_MAX_CONCURRENT_PARTS: usize = 4;
/// Smallest part S3 accepts (every part but the last).
pub const MIN_PART_SIZE: usize = 5 * 1024 * 1024;
/// Largest part size we accept (S3 allows 5 GiB; more than this is a memory mistake).
pub const MAX_PART_SIZE: usize = 512 * 1024 * 1024;
/// Most parts one multipart upload may have (S3's limit).
pub const MAX_PARTS: u64 = 10_000;
/// Part size of the local directory store. It has no minimum part size and no part count
/// limit (parts are written in place into one staged file), so a streaming write holds
/// 256 KiB pieces instead of whole media segments: a media ladder keeps one segment per
/// rendition open at a time, ~5 MB on the 1080p ladder that would otherwise sit in memory
/// until each segment ends. 1 MiB parts took 2 MiB off that ladder's peak RSS, 256 KiB
/// parts (with 64 KiB media chunks) 2.3 MiB more on the 720p ladder; a part is one write
/// into the staged file, so smaller parts cost no extra copy (docs/benchmarks/media.md).
pub const LOCAL_PART_SIZE: usize = 256 * 1024;
/// Region used when neither `AWS_REGION` nor `AWS_DEFAULT_REGION` is set.
pub const DEFAULT_REGION: &str = "us-east-1";

/// Names of the environment variables this crate reads, as the operator sees them.
pub mod vars {
    /// `s3://bucket[/prefix]`, `file:///path` or a plain path; unset = `<data_dir>/objects`.
    pub const OBJECT_STORE_URL: &str = "OBJECT_STORE_URL";
    /// Base URL of an S3-compatible server (`http://` allowed); selects path-style requests.
    pub const S3_ENDPOINT: &str = "S3_ENDPOINT";
    /// Static access key id.
    pub const AWS_ACCESS_KEY_ID: &str = "AWS_ACCESS_KEY_ID";
    /// Static secret key.
    pub const AWS_SECRET_ACCESS_KEY: &str = "AWS_SECRET_ACCESS_KEY";
    /// Session token for temporary credentials.
    pub const AWS_SESSION_TOKEN: &str = "AWS_SESSION_TOKEN";
    /// Region (wins over `AWS_DEFAULT_REGION`).
    pub const AWS_REGION: &str = "AWS_REGION";
    /// Region when `AWS_REGION` is unset.
    pub const AWS_DEFAULT_REGION: &str = "AWS_DEFAULT_REGION";
}

/// A configuration value that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// An environment variable has a value we cannot use.
    #[error("{variable}: {reason}")]
    Variable {
        /// The variable at fault, e.g. `OBJECT_STORE_URL`.
        variable: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// Part size or concurrency out of range.
    #[error("upload limits: {0}")]
    UploadLimits(String),
}

impl ConfigError {
    /// The environment variable at fault, if the error came from one.
    pub fn variable(&self) -> Option<&'static str> {
        match self {
            Self::Variable { variable, .. } => Some(variable),
            Self::UploadLimits(_) => None,
        }
    }

    fn var(variable: &'static str, reason: impl Into<String>) -> Self {
        Self::Variable {
            variable,
            reason: reason.into(),
        }
    }
}

/// How much one streaming write may hold in memory.
///
/// A writer holds at most `part_size × (max_concurrent_parts + 1)` bytes: up to
/// `max_concurrent_parts` parts in flight plus the part being filled. Objects of at most
/// `part_size` bytes are sent with one PUT. Overflow policy: a writer that has
/// `max_concurrent_parts` parts in flight stops accepting bytes (backpressure) until one
/// completes; nothing is dropped or spilled to disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UploadLimits {
    part_size: usize,
    max_concurrent_parts: usize,
    max_parts: u64,
}

impl UploadLimits {
    /// Checks `part_size` against [`MIN_PART_SIZE`]..=[`MAX_PART_SIZE`] and
    /// `max_concurrent_parts` against 1..=64.
    pub fn new(part_size: usize, max_concurrent_parts: usize) -> Result<Self, ConfigError> {
        if !(MIN_PART_SIZE..=MAX_PART_SIZE).contains(&part_size) {
            return Err(ConfigError::UploadLimits(format!(
                "part size {part_size} is outside {MIN_PART_SIZE}..={MAX_PART_SIZE}"
            )));
        }
        if !(1..=64).contains(&max_concurrent_parts) {
            return Err(ConfigError::UploadLimits(format!(
                "max concurrent parts {max_concurrent_parts} is outside 1..=64"
            )));
        }
        Ok(Self {
            part_size,
            max_concurrent_parts,
            max_parts: MAX_PARTS,
        })
    }

    /// The local directory store's limits: [`LOCAL_PART_SIZE`] parts, as many as needed.
    pub fn local() -> Self {
        Self {
            part_size: LOCAL_PART_SIZE,
            max_concurrent_parts: DEFAULT_MAX_CONCURRENT_PARTS,
            max_parts: u64::MAX,
        }
    }

    /// Bytes per part.
    pub fn part_size(&self) -> usize {
        self.part_size
    }

    /// Parts in flight at most, per writer.
    pub fn max_concurrent_parts(&self) -> usize {
        self.max_concurrent_parts
    }

    /// The most bytes one writer holds in memory.
    pub fn memory_bound(&self) -> usize {
        self.part_size * (self.max_concurrent_parts + 1)
    }

    /// The largest object one writer can store ([`MAX_PARTS`] parts on S3; no limit on
    /// the local store).
    pub fn max_object_size(&self) -> u64 {
        (self.part_size as u64).saturating_mul(self.max_parts)
    }
}

impl Default for UploadLimits {
    fn default() -> Self {
        Self {
            part_size: DEFAULT_PART_SIZE,
            max_concurrent_parts: DEFAULT_MAX_CONCURRENT_PARTS,
            max_parts: MAX_PARTS,
        }
    }
}

/// Static S3 credentials. `Debug` never prints the secret or the token.
#[derive(Clone, PartialEq, Eq)]
pub struct S3Credentials {
    /// Access key id.
    pub access_key_id: String,
    /// Secret access key.
    pub secret_access_key: String,
    /// Session token, for temporary credentials.
    pub session_token: Option<String>,
}

impl fmt::Debug for S3Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("S3Credentials")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"<redacted>")
            .field(
                "session_token",
                &self.session_token.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

/// Where and how to reach an S3-compatible bucket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Config {
    /// Bucket name.
    pub bucket: String,
    /// Every key is stored under `prefix/` when set.
    pub prefix: Option<ObjectKey>,
    /// Base URL of an S3-compatible server; `None` = AWS. When set, requests are
    /// path-style (`endpoint/bucket/key`) and `http://` is allowed.
    pub endpoint: Option<String>,
    /// Signing region.
    pub region: String,
    /// `None` = object_store's ambient provider (EC2 instance metadata).
    pub credentials: Option<S3Credentials>,
    /// Time allowed to open a connection.
    pub connect_timeout: Duration,
    /// Time a response may stall between two reads. There is no whole-request timeout,
    /// so a long streaming read served to a slow client is not cut off.
    pub read_timeout: Duration,
    /// Retries of one request (transport errors and 5xx).
    pub max_retries: usize,
    /// No retry starts later than this after the first attempt.
    pub retry_timeout: Duration,
}

impl S3Config {
    /// A config for `bucket` on AWS in [`DEFAULT_REGION`], ambient credentials,
    /// 5 s connect timeout, 30 s read stall timeout, 3 retries within 30 s.
    pub fn new(bucket: impl Into<String>) -> Self {
        Self {
            bucket: bucket.into(),
            prefix: None,
            endpoint: None,
            region: DEFAULT_REGION.to_owned(),
            credentials: None,
            connect_timeout: Duration::from_secs(5),
            read_timeout: Duration::from_secs(30),
            max_retries: 3,
            retry_timeout: Duration::from_secs(30),
        }
    }
}

/// Which backend holds the objects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Backend {
    /// A directory on this machine (created if missing).
    Local {
        /// The directory; keys are paths below it.
        root: PathBuf,
    },
    /// An S3-compatible bucket.
    S3(S3Config),
}

/// Resolved object store configuration: what [`Objects::open`](crate::Objects::open) takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectStoreConfig {
    /// Where objects live.
    pub backend: Backend,
    /// Memory bound of streaming writes.
    pub upload: UploadLimits,
}

impl ObjectStoreConfig {
    /// A local directory store with its upload limits ([`UploadLimits::local`]).
    pub fn local(root: impl Into<PathBuf>) -> Self {
        Self {
            backend: Backend::Local { root: root.into() },
            upload: UploadLimits::local(),
        }
    }

    /// An S3 store with default upload limits.
    pub fn s3(s3: S3Config) -> Self {
        Self {
            backend: Backend::S3(s3),
            upload: UploadLimits::default(),
        }
    }

    /// Resolves the raw environment values; `data_dir` is `ARMORICORE_DATA_DIR`, whose
    /// `objects` folder is the default store. The error names the variable at fault.
    pub fn from_env_values(env: &ObjectStoreEnv, data_dir: &Path) -> Result<Self, ConfigError> {
        let Some(url) = set(&env.object_store_url) else {
            return Ok(Self::local(data_dir.join("objects")));
        };
        if let Some(rest) = url.strip_prefix("s3://") {
            return Ok(Self::s3(s3_from_env(rest, env)?));
        }
        if url.starts_with("file:") {
            let parsed = url::Url::parse(url)
                .map_err(|e| ConfigError::var(vars::OBJECT_STORE_URL, format!("{e}")))?;
            let root = parsed.to_file_path().map_err(|()| {
                ConfigError::var(
                    vars::OBJECT_STORE_URL,
                    "a file URL must be absolute and local: file:///path",
                )
            })?;
            return Ok(Self::local(root));
        }
        if let Some((scheme, _)) = url.split_once("://") {
            return Err(ConfigError::var(
                vars::OBJECT_STORE_URL,
                format!(
                    "unsupported scheme {scheme:?}: use s3://bucket[/prefix], file:///path or a path"
                ),
            ));
        }
        Ok(Self::local(url))
    }
}

/// The raw values of the variables in [`vars`], exactly as found.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct ObjectStoreEnv {
    /// `OBJECT_STORE_URL`
    pub object_store_url: Option<String>,
    /// `S3_ENDPOINT`
    pub s3_endpoint: Option<String>,
    /// `AWS_ACCESS_KEY_ID`
    pub aws_access_key_id: Option<String>,
    /// `AWS_SECRET_ACCESS_KEY`
    pub aws_secret_access_key: Option<String>,
    /// `AWS_SESSION_TOKEN`
    pub aws_session_token: Option<String>,
    /// `AWS_REGION`
    pub aws_region: Option<String>,
    /// `AWS_DEFAULT_REGION`
    pub aws_default_region: Option<String>,
}

impl ObjectStoreEnv {
    /// Reads the variables through `lookup` (e.g. `|k| std::env::var(k).ok()`).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Self {
        Self {
            object_store_url: lookup(vars::OBJECT_STORE_URL),
            s3_endpoint: lookup(vars::S3_ENDPOINT),
            aws_access_key_id: lookup(vars::AWS_ACCESS_KEY_ID),
            aws_secret_access_key: lookup(vars::AWS_SECRET_ACCESS_KEY),
            aws_session_token: lookup(vars::AWS_SESSION_TOKEN),
            aws_region: lookup(vars::AWS_REGION),
            aws_default_region: lookup(vars::AWS_DEFAULT_REGION),
        }
    }

    /// Reads the variables from this process's environment.
    pub fn from_process_env() -> Self {
        Self::from_lookup(|k| std::env::var(k).ok())
    }
}

impl fmt::Debug for ObjectStoreEnv {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let redacted = |v: &Option<String>| v.as_ref().map(|_| "<redacted>");
        f.debug_struct("ObjectStoreEnv")
            .field("object_store_url", &self.object_store_url)
            .field("s3_endpoint", &self.s3_endpoint)
            .field("aws_access_key_id", &self.aws_access_key_id)
            .field(
                "aws_secret_access_key",
                &redacted(&self.aws_secret_access_key),
            )
            .field("aws_session_token", &redacted(&self.aws_session_token))
            .field("aws_region", &self.aws_region)
            .field("aws_default_region", &self.aws_default_region)
            .finish()
    }
}

fn set(v: &Option<String>) -> Option<&str> {
    v.as_deref().filter(|s| !s.is_empty())
}

fn s3_from_env(rest: &str, env: &ObjectStoreEnv) -> Result<S3Config, ConfigError> {
    let url_err = |reason: String| ConfigError::var(vars::OBJECT_STORE_URL, reason);
    if rest.contains(['?', '#']) {
        return Err(url_err("s3 URL takes no query or fragment".into()));
    }
    let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
    check_bucket(bucket).map_err(|r| url_err(format!("bucket {bucket:?}: {r}")))?;
    let prefix = prefix.trim_end_matches('/');
    let prefix = if prefix.is_empty() {
        None
    } else {
        Some(
            ObjectKey::new(prefix)
                .map_err(|e: InvalidKey| url_err(format!("prefix {prefix:?}: {e}")))?,
        )
    };

    let mut s3 = S3Config::new(bucket);
    s3.prefix = prefix;
    if let Some(endpoint) = set(&env.s3_endpoint) {
        s3.endpoint = Some(check_endpoint(endpoint)?);
    }
    if let Some((variable, region)) = set(&env.aws_region)
        .map(|r| (vars::AWS_REGION, r))
        .or_else(|| set(&env.aws_default_region).map(|r| (vars::AWS_DEFAULT_REGION, r)))
    {
        if !region
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Err(ConfigError::var(
                variable,
                format!("{region:?} is not a region name (letters, digits, '-', '_')"),
            ));
        }
        s3.region = region.to_owned();
    }
    s3.credentials = match (set(&env.aws_access_key_id), set(&env.aws_secret_access_key)) {
        (Some(id), Some(secret)) => Some(S3Credentials {
            access_key_id: id.to_owned(),
            secret_access_key: secret.to_owned(),
            session_token: set(&env.aws_session_token).map(str::to_owned),
        }),
        (Some(_), None) => {
            return Err(ConfigError::var(
                vars::AWS_SECRET_ACCESS_KEY,
                "must be set when AWS_ACCESS_KEY_ID is",
            ));
        }
        (None, Some(_)) => {
            return Err(ConfigError::var(
                vars::AWS_ACCESS_KEY_ID,
                "must be set when AWS_SECRET_ACCESS_KEY is",
            ));
        }
        (None, None) if set(&env.aws_session_token).is_some() => {
            return Err(ConfigError::var(
                vars::AWS_SESSION_TOKEN,
                "needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY",
            ));
        }
        (None, None) => None,
    };
    Ok(s3)
}

/// S3 bucket naming rules: 3-63 of `a-z 0-9 . -`, starting and ending with a letter or
/// digit, no `..`.
pub(crate) fn check_bucket(bucket: &str) -> Result<(), &'static str> {
    let bytes = bucket.as_bytes();
    if !(3..=63).contains(&bytes.len()) {
        return Err("must be 3 to 63 characters long");
    }
    if !bytes
        .iter()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'.' || *b == b'-')
    {
        return Err("may hold only lowercase letters, digits, '.' and '-'");
    }
    let edge_ok = |b: &u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    if !bytes.first().is_some_and(edge_ok) || !bytes.last().is_some_and(edge_ok) {
        return Err("must start and end with a letter or digit");
    }
    if bucket.contains("..") {
        return Err("must not contain '..'");
    }
    Ok(())
}

fn check_endpoint(endpoint: &str) -> Result<String, ConfigError> {
    let err = |reason: String| ConfigError::var(vars::S3_ENDPOINT, reason);
    let url = url::Url::parse(endpoint).map_err(|e| err(format!("{endpoint:?}: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(err(format!("{endpoint:?}: scheme must be http or https")));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(err(format!("{endpoint:?}: no host")));
    }
    if url.query().is_some() || url.fragment().is_some() || !url.username().is_empty() {
        return Err(err(format!(
            "{endpoint:?}: no query, fragment or credentials allowed"
        )));
    }
    Ok(endpoint.trim_end_matches('/').to_owned())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // tests may unwrap
mod tests;
