//! Proves how raw environment values resolve, and that every rejection names its variable.

use super::*;

fn env(pairs: &[(&str, &str)]) -> ObjectStoreEnv {
    ObjectStoreEnv::from_lookup(|k| {
        pairs
            .iter()
            .find(|(name, _)| *name == k)
            .map(|(_, v)| (*v).to_owned())
    })
}

fn resolve(pairs: &[(&str, &str)]) -> Result<ObjectStoreConfig, ConfigError> {
    ObjectStoreConfig::from_env_values(&env(pairs), Path::new("/data"))
}

fn s3(pairs: &[(&str, &str)]) -> S3Config {
    match resolve(pairs).unwrap().backend {
        Backend::S3(s3) => s3,
        other => panic!("expected S3, got {other:?}"),
    }
}

#[test]
fn unset_or_empty_url_selects_the_data_dir() {
    for pairs in [&[][..], &[("OBJECT_STORE_URL", "")][..]] {
        assert_eq!(
            resolve(pairs).unwrap().backend,
            Backend::Local {
                root: PathBuf::from("/data/objects")
            }
        );
    }
}

#[test]
fn file_url_and_plain_path_select_local() {
    assert_eq!(
        resolve(&[("OBJECT_STORE_URL", "file:///srv/media")])
            .unwrap()
            .backend,
        Backend::Local {
            root: PathBuf::from("/srv/media")
        }
    );
    assert_eq!(
        resolve(&[("OBJECT_STORE_URL", "rel/dir")]).unwrap().backend,
        Backend::Local {
            root: PathBuf::from("rel/dir")
        }
    );
}

#[test]
fn s3_url_with_prefix_endpoint_region_and_credentials() {
    let got = s3(&[
        ("OBJECT_STORE_URL", "s3://media-bucket/tenant/a/"),
        ("S3_ENDPOINT", "http://127.0.0.1:5000/"),
        ("AWS_ACCESS_KEY_ID", "id"),
        ("AWS_SECRET_ACCESS_KEY", "s3cr3t-value"),
        ("AWS_SESSION_TOKEN", "t0k3n-value"),
        ("AWS_DEFAULT_REGION", "eu-west-3"),
    ]);
    assert_eq!(got.bucket, "media-bucket");
    assert_eq!(got.prefix.unwrap().as_str(), "tenant/a");
    assert_eq!(got.endpoint.as_deref(), Some("http://127.0.0.1:5000"));
    assert_eq!(got.region, "eu-west-3");
    let creds = got.credentials.unwrap();
    assert_eq!(creds.session_token.as_deref(), Some("t0k3n-value"));
    assert!(!format!("{creds:?}").contains("s3cr3t-value"));
    assert!(!format!("{creds:?}").contains("t0k3n-value"));
}

#[test]
fn aws_region_wins_and_default_is_us_east_1() {
    assert_eq!(s3(&[("OBJECT_STORE_URL", "s3://bkt")]).region, "us-east-1");
    let got = s3(&[
        ("OBJECT_STORE_URL", "s3://bkt"),
        ("AWS_REGION", "ap-south-1"),
        ("AWS_DEFAULT_REGION", "eu-west-3"),
    ]);
    assert_eq!(got.region, "ap-south-1");
    assert!(got.credentials.is_none());
}

#[test]
fn each_bad_value_names_its_variable() {
    let cases: &[(&[(&str, &str)], &str)] = &[
        (&[("OBJECT_STORE_URL", "gs://x")], "OBJECT_STORE_URL"),
        (
            &[("OBJECT_STORE_URL", "s3://Bad_Bucket")],
            "OBJECT_STORE_URL",
        ),
        (&[("OBJECT_STORE_URL", "s3://bkt/a//b")], "OBJECT_STORE_URL"),
        (&[("OBJECT_STORE_URL", "s3://bkt?x=1")], "OBJECT_STORE_URL"),
        (&[("OBJECT_STORE_URL", "file://host/x")], "OBJECT_STORE_URL"),
        (
            &[("OBJECT_STORE_URL", "s3://bkt"), ("S3_ENDPOINT", "ftp://h")],
            "S3_ENDPOINT",
        ),
        (
            &[("OBJECT_STORE_URL", "s3://bkt"), ("S3_ENDPOINT", "nope")],
            "S3_ENDPOINT",
        ),
        (
            &[
                ("OBJECT_STORE_URL", "s3://bkt"),
                ("AWS_ACCESS_KEY_ID", "id"),
            ],
            "AWS_SECRET_ACCESS_KEY",
        ),
        (
            &[
                ("OBJECT_STORE_URL", "s3://bkt"),
                ("AWS_SECRET_ACCESS_KEY", "s"),
            ],
            "AWS_ACCESS_KEY_ID",
        ),
        (
            &[("OBJECT_STORE_URL", "s3://bkt"), ("AWS_SESSION_TOKEN", "t")],
            "AWS_SESSION_TOKEN",
        ),
        (
            &[("OBJECT_STORE_URL", "s3://bkt"), ("AWS_REGION", "eu west")],
            "AWS_REGION",
        ),
    ];
    for (pairs, variable) in cases {
        let err = resolve(pairs).unwrap_err();
        assert_eq!(err.variable(), Some(*variable), "{pairs:?}: {err}");
        assert!(err.to_string().starts_with(variable), "{err}");
    }
}

#[test]
fn upload_limits_are_bounded_and_state_their_memory() {
    assert!(UploadLimits::new(MIN_PART_SIZE - 1, 4).is_err());
    assert!(UploadLimits::new(MIN_PART_SIZE, 0).is_err());
    let limits = UploadLimits::new(MIN_PART_SIZE, 2).unwrap();
    assert_eq!(limits.memory_bound(), 3 * MIN_PART_SIZE);
    assert_eq!(
        UploadLimits::default().memory_bound(),
        DEFAULT_PART_SIZE * (DEFAULT_MAX_CONCURRENT_PARTS + 1)
    );
    assert_eq!(limits.max_object_size(), MIN_PART_SIZE as u64 * MAX_PARTS);
    let local = UploadLimits::local();
    assert_eq!(local.part_size(), LOCAL_PART_SIZE);
    assert_eq!(
        local.max_object_size(),
        u64::MAX,
        "the local store has no part limit"
    );
    assert_eq!(
        resolve(&[]).unwrap().upload,
        local,
        "the embedded default store streams in small parts"
    );
}
