//! Proves that an `s3://bucket/prefix` store keeps every object under `prefix/`, hides the
//! prefix from callers, and counts it in the 1024-byte key limit.

#![allow(clippy::unwrap_used)] // tests may unwrap

mod support;

use bytes::Bytes;
use objstore::{
    InvalidKey, MAX_KEY_BYTES, MAX_SEGMENT_BYTES, ObjectStoreConfig, ObjectStoreError, Objects,
};
use support::key;

#[tokio::test]
async fn prefixed_store_writes_under_prefix_and_lists_without_it() {
    let Some(store) = support::s3_with_prefix(Some("tenant-a/media")).await else {
        return;
    };
    let support::Kind::S3 { endpoint, bucket } = &store.kind else {
        unreachable!("s3_with_prefix gives an S3 store")
    };
    assert!(
        store
            .objects
            .describe()
            .starts_with(&format!("s3://{bucket}/tenant-a/media ("))
    );

    store
        .objects
        .put_bytes(&key("m-1/master.m3u8"), Bytes::from_static(b"#EXTM3U"))
        .await
        .unwrap();
    let listed = store.objects.list(None).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].key.as_str(), "m-1/master.m3u8");

    // The same bucket seen without a prefix shows where the object really is.
    let bare = Objects::open(&ObjectStoreConfig::s3(support::s3_config(endpoint, bucket))).unwrap();
    let raw = bare.list(None).await.unwrap();
    assert_eq!(raw.len(), 1);
    assert_eq!(raw[0].key.as_str(), "tenant-a/media/m-1/master.m3u8");

    // And a neighbouring prefix is invisible to the prefixed store.
    bare.put_bytes(&key("tenant-b/x"), Bytes::from_static(b"x"))
        .await
        .unwrap();
    bare.put_bytes(&key("tenant-a/mediax/y"), Bytes::from_static(b"y"))
        .await
        .unwrap();
    assert_eq!(store.objects.list(None).await.unwrap().len(), 1);
}

#[tokio::test]
async fn prefix_counts_toward_the_key_length_limit() {
    let Some(store) = support::s3_with_prefix(Some("p")).await else {
        return;
    };
    // 5 segments: valid alone (1024 bytes) but 1026 bytes once under "p/".
    let seg = "k".repeat(MAX_SEGMENT_BYTES);
    let mut long = [seg.as_str(); 5].join("/");
    long.truncate(MAX_KEY_BYTES);
    let long = key(&long);
    match store.objects.put_bytes(&long, Bytes::new()).await {
        Err(ObjectStoreError::InvalidKey {
            reason: InvalidKey::TooLong { len, max },
            ..
        }) => assert_eq!((len, max), (MAX_KEY_BYTES + 2, MAX_KEY_BYTES)),
        other => panic!("{other:?}"),
    }
}
