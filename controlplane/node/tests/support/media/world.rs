//! The distributed parts a media test runs a node on: its own nats-server, the shared
//! PostgreSQL, and a fresh bucket on an S3 server (the shared moto of `make test`, directly
//! or through a link the test may cut), as the node's environment variables.

use bytes::Bytes;
use testkit::NatsServer;

/// NATS + PostgreSQL + a bucket, ready for nodes.
pub struct Distributed {
    /// The test's own nats-server (with its monitoring endpoint).
    pub nats: NatsServer,
    env: Vec<(&'static str, String)>,
}

impl Distributed {
    /// Starts NATS and creates a bucket on `s3_endpoint` (default: the shared
    /// `ARMORICORE_TEST_S3_ENDPOINT`); `None` after skip-or-fail when a service is missing.
    pub async fn start(s3_endpoint: Option<String>) -> Option<Distributed> {
        let nats = NatsServer::start()?;
        let database_url = testkit::require_env("ARMORICORE_TEST_DATABASE_URL")?;
        let s3_endpoint = match s3_endpoint {
            Some(e) => e,
            None => testkit::require_env("ARMORICORE_TEST_S3_ENDPOINT")?,
        };
        let bucket = format!("media-{}", uuid::Uuid::new_v4().simple());
        create_bucket(&s3_endpoint, &bucket).await;
        let env = vec![
            ("MESSAGE_BUS_URL", nats.url()),
            ("DATABASE_URL", database_url),
            ("OBJECT_STORE_URL", format!("s3://{bucket}")),
            ("S3_ENDPOINT", s3_endpoint),
            ("AWS_ACCESS_KEY_ID", "testing".to_string()),
            ("AWS_SECRET_ACCESS_KEY", "testing".to_string()),
            ("AWS_REGION", "us-east-1".to_string()),
        ];
        Some(Distributed { nats, env })
    }

    /// The node's environment: the parts above, then `extra`.
    pub fn env<'a>(&'a self, extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
        let mut pairs: Vec<(&str, &str)> = self.env.iter().map(|(k, v)| (*k, v.as_str())).collect();
        pairs.extend_from_slice(extra);
        pairs
    }
}

/// Creates `bucket` on the S3 server at `endpoint` (path style, as moto takes it).
pub async fn create_bucket(endpoint: &str, bucket: &str) {
    let addr = super::super::addr_of(endpoint);
    let created =
        super::super::request(addr, "PUT", &format!("/{bucket}"), &[], Bytes::new()).await;
    assert_eq!(
        created.status, 200,
        "create bucket {bucket}: {}",
        created.body
    );
}
