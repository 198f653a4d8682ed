//! Proves that both backends (a local directory and a real S3 server) keep the same
//! contract: byte-exact round trips small and multi-part, ranged reads, all-or-nothing
//! writes (failed, aborted or dropped writes leave nothing visible and no unfinished
//! upload), listing by prefix, idempotent delete, not-found and invalid-key errors.
//!
//! Each behaviour is written once, as an `async fn(&TestStore)`, and run by
//! `local::<name>` and `s3::<name>`; the S3 ones need `ARMORICORE_TEST_S3_ENDPOINT`.

#![allow(clippy::unwrap_used)] // tests may unwrap

mod support;

use bytes::Bytes;
use futures::StreamExt;
use objstore::{ByteRange, InvalidKey, MAX_KEY_BYTES, ObjectKey, ObjectStoreError};
use support::{TestStore, digest, key, pattern, pattern_bytes};
use tokio::io::AsyncWriteExt;

const MIB: usize = 1024 * 1024;

macro_rules! contract {
    ($($name:ident),* $(,)?) => {
        mod local {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name(&super::support::local()).await;
                }
            )*
        }
        mod s3 {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let Some(store) = super::support::s3().await else { return };
                    super::$name(&store).await;
                }
            )*
        }
    };
}

contract!(
    small_object_round_trips_with_metadata,
    large_object_streams_in_parts_and_round_trips,
    async_writer_round_trips_and_matches_put_stream,
    empty_object_round_trips,
    overwrite_replaces_the_whole_object,
    ranged_reads_return_exact_bytes_and_clamp,
    unsatisfiable_range_reports_the_size,
    failing_source_leaves_no_object_and_no_upload,
    dropped_writer_leaves_no_object_and_no_upload,
    aborted_writer_leaves_no_object_and_no_upload,
    writer_is_closed_after_finish,
    list_returns_only_whole_segment_prefix_matches,
    unusual_but_valid_keys_round_trip_through_list,
    delete_removes_and_is_idempotent,
    missing_objects_are_not_found,
    health_passes_on_a_live_store,
    longest_valid_key_round_trips_and_invalid_keys_never_reach_it,
);

async fn small_object_round_trips_with_metadata(s: &TestStore) {
    let k = key("media/m-1/hls/master.m3u8");
    let body = Bytes::from_static(b"#EXTM3U\n#EXT-X-VERSION:7\n");
    let put = s.objects.put_bytes(&k, body.clone()).await.unwrap();
    assert_eq!(put.size, body.len() as u64);

    assert_eq!(s.objects.get_bytes(&k).await.unwrap(), body);
    let meta = s.objects.head(&k).await.unwrap().unwrap();
    assert_eq!(meta.key, k);
    assert_eq!(meta.size, body.len() as u64);
    assert!(meta.e_tag.is_some());
    let age = std::time::SystemTime::now()
        .duration_since(meta.last_modified)
        .unwrap_or_default();
    assert!(age.as_secs() < 60, "last_modified is {age:?} old");

    let read = s.objects.get_stream(&k).await.unwrap();
    assert_eq!(read.range, 0..body.len() as u64);
    assert_eq!(read.meta.size, body.len() as u64);
}

async fn large_object_streams_in_parts_and_round_trips(s: &TestStore) {
    let k = key("media/m-2/source.mp4");
    let len = 25 * MIB;
    let put = s
        .objects
        .put_stream(&k, pattern(7, len, 100_003))
        .await
        .unwrap();
    assert_eq!(put.size, len as u64);
    if let support::Kind::S3 { .. } = s.kind {
        // A multipart ETag ends in "-<parts>": 25 MiB in 8 MiB parts is 4 parts.
        let tag = put.e_tag.clone().unwrap();
        assert!(tag.trim_matches('"').ends_with("-4"), "ETag {tag}");
    }

    let read = s.objects.get_stream(&k).await.unwrap();
    assert_eq!(read.meta.size, len as u64);
    assert_eq!(digest(read.body).await, digest(pattern(7, len, 4096)).await);
    assert_eq!(s.unfinished_uploads().await, 0);
}

async fn async_writer_round_trips_and_matches_put_stream(s: &TestStore) {
    let k = key("media/m-3/720p/seg_00001.ts");
    let len = 11 * MIB + 17;
    let data = pattern_bytes(3, len).await;
    let mut w = s.objects.writer(&k).unwrap();
    for piece in data.chunks(777_777) {
        w.write_all(piece).await.unwrap();
    }
    assert_eq!(w.bytes_written(), len as u64);
    // Not visible before commit.
    assert!(s.objects.head(&k).await.unwrap().is_none());
    let put = w.finish().await.unwrap();
    assert_eq!(put.size, len as u64);
    assert_eq!(s.objects.get_bytes(&k).await.unwrap(), data);

    // AsyncWriteExt::shutdown commits too.
    let k2 = key("media/m-3/720p/seg_00002.ts");
    let mut w = s.objects.writer(&k2).unwrap();
    w.write_all(b"short").await.unwrap();
    w.shutdown().await.unwrap();
    assert_eq!(s.objects.get_bytes(&k2).await.unwrap(), "short");
}

async fn empty_object_round_trips(s: &TestStore) {
    let k = key("empty/marker");
    let put = s
        .objects
        .put_stream(
            &k,
            futures::stream::empty::<Result<Bytes, std::io::Error>>(),
        )
        .await
        .unwrap();
    assert_eq!(put.size, 0);
    assert_eq!(s.objects.head(&k).await.unwrap().unwrap().size, 0);
    assert!(s.objects.get_bytes(&k).await.unwrap().is_empty());
}

async fn overwrite_replaces_the_whole_object(s: &TestStore) {
    let k = key("playlist.m3u8");
    s.objects
        .put_bytes(&k, Bytes::from(vec![b'a'; 1000]))
        .await
        .unwrap();
    s.objects
        .put_bytes(&k, Bytes::from_static(b"new"))
        .await
        .unwrap();
    assert_eq!(s.objects.get_bytes(&k).await.unwrap(), "new");
}

async fn ranged_reads_return_exact_bytes_and_clamp(s: &TestStore) {
    let k = key("media/m-4/progressive.mp4");
    let len = MIB + 333;
    let data = pattern_bytes(4, len).await;
    s.objects
        .put_bytes(&k, Bytes::from(data.clone()))
        .await
        .unwrap();
    let total = len as u64;

    let cases: Vec<(ByteRange, std::ops::Range<u64>)> = vec![
        ((0..1).into(), 0..1),
        ((1000..300_000).into(), 1000..300_000), // crosses local read chunks
        ((total - 10..total + 5000).into(), total - 10..total), // end clamped
        ((total - 1..).into(), total - 1..total),
        ((500_000..).into(), 500_000..total),
        (ByteRange::Suffix(4096), total - 4096..total),
        (ByteRange::Suffix(total + 10), 0..total), // longer than the object
    ];
    for (asked, want) in cases {
        let read = s.objects.get_range_stream(&k, asked.clone()).await.unwrap();
        assert_eq!(read.range, want, "{asked}");
        assert_eq!(read.meta.size, total, "{asked}");
        let body: Vec<u8> = read
            .body
            .map(|c| c.unwrap())
            .collect::<Vec<_>>()
            .await
            .concat();
        let (a, b) = (want.start as usize, want.end as usize);
        assert!(body == data[a..b], "{asked}: bytes differ");
    }
}

async fn unsatisfiable_range_reports_the_size(s: &TestStore) {
    let k = key("small.bin");
    s.objects
        .put_bytes(&k, Bytes::from_static(b"0123456789"))
        .await
        .unwrap();
    for asked in [ByteRange::Bounded(10..20), ByteRange::From(11)] {
        match s.objects.get_range_stream(&k, asked.clone()).await {
            Err(ObjectStoreError::RangeNotSatisfiable { size, .. }) => assert_eq!(size, 10),
            other => panic!("{asked}: {other:?}"),
        }
    }
    for asked in [ByteRange::Bounded(5..5), ByteRange::Suffix(0)] {
        match s.objects.get_range_stream(&k, asked.clone()).await {
            Err(ObjectStoreError::InvalidRange { .. }) => {}
            other => panic!("{asked}: {other:?}"),
        }
    }
    // A range on a missing object is still "not found".
    let missing = s.objects.get_range_stream(&key("nope"), 0..1).await;
    assert!(
        matches!(missing, Err(ObjectStoreError::NotFound { .. })),
        "{missing:?}"
    );
}

async fn failing_source_leaves_no_object_and_no_upload(s: &TestStore) {
    for (name, good_bytes) in [("multipart", 12 * MIB), ("single", 1000)] {
        let k = key(&format!("uploads/{name}.mp4"));
        let source = pattern(9, good_bytes, 65_536).chain(futures::stream::once(async {
            Err(std::io::Error::new(
                std::io::ErrorKind::ConnectionReset,
                "client went away",
            ))
        }));
        match s.objects.put_stream(&k, source).await {
            Err(ObjectStoreError::Source { key, .. }) => assert_eq!(key, k),
            other => panic!("{name}: {other:?}"),
        }
        assert!(s.objects.head(&k).await.unwrap().is_none(), "{name}");
        assert!(s.objects.list(None).await.unwrap().is_empty(), "{name}");
        assert_eq!(s.unfinished_uploads().await, 0, "{name}");
    }
}

async fn dropped_writer_leaves_no_object_and_no_upload(s: &TestStore) {
    for (name, len) in [("multipart", 10 * MIB), ("buffered", 4096)] {
        let k = key(&format!("dropped/{name}.ts"));
        let mut w = s.objects.writer(&k).unwrap();
        w.write_all(&pattern_bytes(5, len).await).await.unwrap();
        drop(w);
        assert_eq!(s.settle_unfinished_uploads().await, 0, "{name}");
        assert!(s.objects.head(&k).await.unwrap().is_none(), "{name}");
        assert!(s.objects.list(None).await.unwrap().is_empty(), "{name}");
    }

    // Dropped while the multipart upload is (on S3, always in practice) still being
    // created: one full part is buffered, the next byte starts the upload, and that write
    // is cancelled at its first poll. A fast local backend may already have finished.
    let k = key("dropped/starting.ts");
    let mut w = s.objects.writer(&k).unwrap();
    let part = s.objects.upload_limits().part_size();
    w.write_all(&vec![7_u8; part]).await.unwrap();
    let _ = tokio::time::timeout(std::time::Duration::ZERO, w.write_all(b"!")).await;
    drop(w);
    assert_eq!(s.settle_unfinished_uploads().await, 0, "starting");
    assert!(s.objects.head(&k).await.unwrap().is_none(), "starting");
}

async fn aborted_writer_leaves_no_object_and_no_upload(s: &TestStore) {
    let k = key("aborted/big.ts");
    let mut w = s.objects.writer(&k).unwrap();
    for chunk in pattern_bytes(6, 17 * MIB).await.chunks(MIB) {
        w.write_bytes(Bytes::copy_from_slice(chunk)).await.unwrap();
    }
    // Let the two full parts land first (the dropped-writer test aborts them in flight).
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    assert_eq!(s.unfinished_uploads().await, 1, "the upload is in progress");
    w.abort().await.unwrap();
    assert_eq!(s.unfinished_uploads().await, 0);
    assert!(s.objects.head(&k).await.unwrap().is_none());
}

async fn writer_is_closed_after_finish(s: &TestStore) {
    let k = key("closed.txt");
    let mut w = s.objects.writer(&k).unwrap();
    w.write_all(b"x").await.unwrap();
    w.shutdown().await.unwrap();
    let err = w.write_all(b"more").await.unwrap_err();
    assert!(err.to_string().contains("closed"), "{err}");
    assert_eq!(w.finish().await.unwrap().size, 1);
    assert_eq!(s.objects.get_bytes(&k).await.unwrap(), "x");
}

async fn list_returns_only_whole_segment_prefix_matches(s: &TestStore) {
    let keys = ["a/1", "a/2", "a/b/3", "ab/4", "c"];
    for k in keys {
        s.objects.put_bytes(&key(k), Bytes::from(k)).await.unwrap();
    }
    let names = |v: Vec<objstore::ObjectMeta>| {
        v.into_iter()
            .map(|m| m.key.into_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        names(s.objects.list(Some(&key("a"))).await.unwrap()),
        ["a/1", "a/2", "a/b/3"]
    );
    assert_eq!(
        names(s.objects.list(Some(&key("a/b"))).await.unwrap()),
        ["a/b/3"]
    );
    assert_eq!(names(s.objects.list(None).await.unwrap()), keys);
    assert!(s.objects.list(Some(&key("zzz"))).await.unwrap().is_empty());
    let sizes: Vec<u64> = s
        .objects
        .list(None)
        .await
        .unwrap()
        .iter()
        .map(|m| m.size)
        .collect();
    assert_eq!(sizes, [3, 3, 5, 4, 1]);
}

async fn unusual_but_valid_keys_round_trip_through_list(s: &TestStore) {
    let odd = [
        "with space/file (1).ts",
        "ünï/çødé.m3u8",
        "a+b=c,d;e@f!g$h&i'j.txt",
    ];
    for k in odd {
        s.objects.put_bytes(&key(k), Bytes::from(k)).await.unwrap();
    }
    for k in odd {
        assert_eq!(s.objects.get_bytes(&key(k)).await.unwrap(), k);
    }
    let mut listed: Vec<String> = s
        .objects
        .list(None)
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.key.into_string())
        .collect();
    let mut want: Vec<String> = odd.iter().map(|k| k.to_string()).collect();
    listed.sort();
    want.sort();
    assert_eq!(listed, want);
}

async fn delete_removes_and_is_idempotent(s: &TestStore) {
    let k = key("media/m-5/thumb.jpg");
    s.objects
        .put_bytes(&k, Bytes::from_static(b"jpg"))
        .await
        .unwrap();
    s.objects.delete(&k).await.unwrap();
    assert!(s.objects.head(&k).await.unwrap().is_none());
    assert!(s.objects.get_bytes(&k).await.unwrap_err().is_not_found());
    s.objects.delete(&k).await.unwrap();
    assert!(s.objects.list(None).await.unwrap().is_empty());
}

async fn missing_objects_are_not_found(s: &TestStore) {
    let k = key("never/written");
    assert!(s.objects.head(&k).await.unwrap().is_none());
    for err in [
        s.objects.get_bytes(&k).await.unwrap_err(),
        s.objects.get_stream(&k).await.unwrap_err(),
        s.objects.get_range_stream(&k, 0..10).await.unwrap_err(),
    ] {
        match err {
            ObjectStoreError::NotFound { key } => assert_eq!(key, k),
            other => panic!("{other:?}"),
        }
    }
}

async fn health_passes_on_a_live_store(s: &TestStore) {
    s.objects.health().await.unwrap();
    assert!(!s.objects.describe().is_empty());
}

async fn longest_valid_key_round_trips_and_invalid_keys_never_reach_it(s: &TestStore) {
    // Four segments of the longest allowed length, joined: 4 × 240 + 3 = 963 bytes.
    let seg = "s".repeat(objstore::MAX_SEGMENT_BYTES);
    let long = key(&[seg.as_str(); 4].join("/"));
    s.objects
        .put_bytes(&long, Bytes::from_static(b"ok"))
        .await
        .unwrap();
    assert_eq!(s.objects.get_bytes(&long).await.unwrap(), "ok");
    let put = s
        .objects
        .put_stream(&long, pattern(1, 6 * MIB, MIB))
        .await
        .unwrap();
    assert_eq!(put.size, (6 * MIB) as u64);

    for bad in [
        "",
        "/etc/passwd",
        "../up",
        "a/../../b",
        "a//b",
        "a\\b",
        "a\u{0}b",
        "seg#1",
        "100%",
    ] {
        assert!(ObjectKey::new(bad).is_err(), "{bad:?} accepted");
    }
    assert!(matches!(
        ObjectKey::new("x".repeat(MAX_KEY_BYTES + 1)),
        Err(InvalidKey::TooLong { .. })
    ));
    assert!(
        s.objects
            .list(None)
            .await
            .unwrap()
            .iter()
            .all(|m| m.key == long)
    );
}
