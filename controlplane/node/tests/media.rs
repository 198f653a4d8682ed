//! Proves the embedded node runs the media worker end to end: a source stored in the node's
//! object store and announced with `media.uploaded` over `POST /api/v1/events` ends in a
//! `media.ready` with the HLS ladder, a `ready` asset row and the master playlist stored;
//! a source that is not media ends in `media.failed` and a `failed` row.
//! The source is made at test time by `gst-launch-1.0` (deploy/bootstrap.sh test-deps).
#![allow(clippy::unwrap_used)] // tests may unwrap

mod support;

use std::time::Duration;

use armoricore::cli::Role;
use armoricore::node::RunningNode;
use codecs::{Event, Payload, ResourceId};
use futures::StreamExt;
use serde_json::json;
use store::MediaStatus;
use support::{config, request};

/// 2 s of 320x240 H.264 in MPEG-TS, written by gst-launch to its stdout.
fn source() -> Vec<u8> {
    let out = std::process::Command::new("gst-launch-1.0")
        .args(
            "-q videotestsrc num-buffers=50 ! video/x-raw,width=320,height=240,framerate=25/1 \
             ! x264enc speed-preset=ultrafast ! h264parse ! mpegtsmux ! fdsink fd=1"
                .split_whitespace(),
        )
        .output()
        .expect("gst-launch-1.0 is installed (deploy/bootstrap.sh test-deps)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

async fn outcome(sub: &mut bus::Subscription, media_id: &str) -> Event {
    tokio::time::timeout(Duration::from_secs(120), async {
        while let Some(msg) = sub.next().await {
            let event = Event::decode(&msg.payload).unwrap();
            match &event.payload {
                Payload::MediaReady(r) if r.media_id.as_str() == media_id => return event,
                Payload::MediaFailed(f) if f.media_id.as_str() == media_id => return event,
                _ => {}
            }
        }
        panic!("the bus closed")
    })
    .await
    .expect("an outcome within 120 s")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_embedded_node_transcodes_an_upload() {
    let dir = tempfile::tempdir().unwrap();
    let node = RunningNode::start(config(dir.path(), &[]), Role::All)
        .await
        .unwrap();
    let services = node.services().clone();
    let mut sub = services.bus.subscribe("media.>").await.unwrap();
    let key = services.api_key.expose().to_string();
    let headers = [("x-api-key", key.as_str())];

    let data = source();
    let size = data.len();
    services
        .objects
        .put_bytes(
            &objstore::ObjectKey::new("uploads/clip.ts").unwrap(),
            data.into(),
        )
        .await
        .unwrap();
    services
        .objects
        .put_bytes(
            &objstore::ObjectKey::new("uploads/notes.txt").unwrap(),
            "not a video at all, just text".repeat(100).into(),
        )
        .await
        .unwrap();
    for (id, source, size) in [
        ("m-good", "uploads/clip.ts", size),
        ("m-text", "uploads/notes.txt", 2900),
    ] {
        let body = json!({"event_type": "media.uploaded", "payload": {
            "media_id": id, "user_id": "u-1", "source": source,
            "content_type": "video/mp2t", "file_size": size
        }});
        let answer = request(
            node.local_addr(),
            "POST",
            "/api/v1/events",
            &headers,
            body.to_string(),
        )
        .await;
        assert_eq!(answer.status, 202, "{}", answer.body);
    }

    let ready = outcome(&mut sub, "m-good").await;
    let Payload::MediaReady(ready) = ready.payload else {
        panic!("{ready:?}")
    };
    assert_eq!(ready.playback.hls, "/media/m-good/master.m3u8");
    assert_eq!(ready.renditions.len(), 1);
    assert_eq!(
        (ready.renditions[0].width, ready.renditions[0].height),
        (320, 240)
    );
    let master = objstore::ObjectKey::new("media/m-good/master.m3u8").unwrap();
    assert!(services.objects.head(&master).await.unwrap().is_some());
    let asset = services
        .store
        .get_media_asset(&ResourceId::new("m-good").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(asset.status, MediaStatus::Ready);

    let mut sub = services.bus.subscribe("media.>").await.unwrap();
    let asset = services
        .store
        .get_media_asset(&ResourceId::new("m-text").unwrap())
        .await
        .unwrap();
    if asset.as_ref().map(|a| a.status) != Some(MediaStatus::Failed) {
        let failed = outcome(&mut sub, "m-text").await;
        assert!(
            matches!(failed.payload, Payload::MediaFailed(_)),
            "{failed:?}"
        );
    }
    let asset = services
        .store
        .get_media_asset(&ResourceId::new("m-text").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(asset.status, MediaStatus::Failed);
    assert!(asset.error.unwrap().contains("unsupported input"));
    node.stop().await;
}
