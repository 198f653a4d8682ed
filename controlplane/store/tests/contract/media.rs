//! Media assets: idempotent creation and status updates.

use serde_json::json;
use store::{MediaStatus, NewMediaAsset, StoreError};

use crate::support::{Harness, id};

fn asset(media: &str, source: &str) -> NewMediaAsset {
    NewMediaAsset {
        id: id(media),
        user_id: id("owner"),
        source: source.to_string(),
        content_type: "video/mp4".to_string(),
        file_size: 1_234_567,
    }
}

pub async fn creating_a_media_asset_is_idempotent_on_its_id(h: &Harness) {
    let store = h.ready().await;
    assert_eq!(store.get_media_asset(&id("m1")).await.unwrap(), None);
    assert!(
        store
            .create_media_asset(&asset("m1", "s3://b/one.mp4"))
            .await
            .unwrap()
    );
    assert!(
        !store
            .create_media_asset(&asset("m1", "s3://b/other.mp4"))
            .await
            .unwrap()
    );

    let stored = store.get_media_asset(&id("m1")).await.unwrap().unwrap();
    assert_eq!(stored.id, id("m1"));
    assert_eq!(stored.user_id, id("owner"));
    assert_eq!(stored.status, MediaStatus::Uploaded);
    assert_eq!(stored.source, "s3://b/one.mp4", "the first record is kept");
    assert_eq!(stored.content_type, "video/mp4");
    assert_eq!(stored.file_size, 1_234_567);
    assert_eq!(
        (stored.outputs, stored.duration_ms, stored.error),
        (None, None, None)
    );
    assert_eq!(stored.created_at, stored.updated_at);
}

pub async fn status_updates_keep_outputs_and_replace_the_error(h: &Harness) {
    let store = h.ready().await;
    store
        .create_media_asset(&asset("m1", "s3://b/k"))
        .await
        .unwrap();
    let created = store.get_media_asset(&id("m1")).await.unwrap().unwrap();

    store
        .set_media_status(&id("m1"), MediaStatus::Processing, None, None, None)
        .await
        .unwrap();
    let outputs =
        json!({"playback": {"hls": "/media/m1/master.m3u8"}, "renditions": [{"name": "720p"}]});
    store
        .set_media_status(
            &id("m1"),
            MediaStatus::Ready,
            Some(outputs.clone()),
            Some(61_000),
            None,
        )
        .await
        .unwrap();
    let ready = store.get_media_asset(&id("m1")).await.unwrap().unwrap();
    assert_eq!(ready.status, MediaStatus::Ready);
    assert_eq!(ready.outputs.as_ref(), Some(&outputs));
    assert_eq!(ready.duration_ms, Some(61_000));
    assert!(ready.updated_at >= created.updated_at);
    assert_eq!(ready.created_at, created.created_at);

    store
        .set_media_status(
            &id("m1"),
            MediaStatus::Failed,
            None,
            None,
            Some("decoder crashed"),
        )
        .await
        .unwrap();
    let failed = store.get_media_asset(&id("m1")).await.unwrap().unwrap();
    assert_eq!(failed.status, MediaStatus::Failed);
    assert_eq!(failed.error.as_deref(), Some("decoder crashed"));
    assert_eq!(
        failed.outputs.as_ref(),
        Some(&outputs),
        "None keeps outputs"
    );
    assert_eq!(failed.duration_ms, Some(61_000), "None keeps duration");

    store
        .set_media_status(&id("m1"), MediaStatus::Processing, None, None, None)
        .await
        .unwrap();
    let retried = store.get_media_asset(&id("m1")).await.unwrap().unwrap();
    assert_eq!(retried.status, MediaStatus::Processing);
    assert_eq!(
        retried.error, None,
        "error is replaced, so a retry clears it"
    );
}

pub async fn updating_an_unknown_asset_is_not_found(h: &Harness) {
    let store = h.ready().await;
    let result = store
        .set_media_status(&id("ghost"), MediaStatus::Ready, None, None, None)
        .await;
    match result {
        Err(StoreError::NotFound(what)) => assert!(what.contains("ghost"), "{what}"),
        other => panic!("expected NotFound, got {other:?}"),
    }
}

pub async fn media_input_out_of_range_is_invalid(h: &Harness) {
    let store = h.ready().await;
    let huge = NewMediaAsset {
        file_size: u64::MAX,
        ..asset("m-huge", "s3://b/k")
    };
    assert!(matches!(
        store.create_media_asset(&huge).await,
        Err(StoreError::Invalid(_))
    ));
    let empty_source = asset("m-empty", "");
    assert!(matches!(
        store.create_media_asset(&empty_source).await,
        Err(StoreError::Invalid(_))
    ));
    assert_eq!(store.get_media_asset(&id("m-huge")).await.unwrap(), None);

    store
        .create_media_asset(&asset("m1", "s3://b/k"))
        .await
        .unwrap();
    let result = store
        .set_media_status(&id("m1"), MediaStatus::Ready, None, Some(u64::MAX), None)
        .await;
    assert!(matches!(result, Err(StoreError::Invalid(_))), "{result:?}");
    let result = store
        .set_media_status(&id("m1"), MediaStatus::Failed, None, None, Some("bad\0"))
        .await;
    assert!(matches!(result, Err(StoreError::Invalid(_))), "{result:?}");
    let unchanged = store.get_media_asset(&id("m1")).await.unwrap().unwrap();
    assert_eq!(unchanged.status, MediaStatus::Uploaded);
}
