//! Media end-to-end support: sources made at test time by `gst-launch-1.0`
//! (deploy/bootstrap.sh test-deps), the matrix of sources and what each must become,
//! reading a media's stored objects from any object store, and checking a `media.ready`
//! payload and its asset row against what m3u8-rs and ffprobe find in the store.

pub mod jetstream;
pub mod node_process;
pub mod world;

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::time::Duration;

use codecs::events::{MediaFailed, MediaReady};
use codecs::{Event, Payload, ResourceId};
use futures::StreamExt;
use objstore::{ObjectKey, Objects};
use serde_json::json;
use store::{MediaAsset, MediaStatus};
use testkit::hls::{self, Expect, Snapshot};

/// Runs a gst-launch pipeline ending in `fdsink fd=1` and returns what it wrote.
pub fn gst(pipeline: &str) -> Vec<u8> {
    let out = std::process::Command::new("gst-launch-1.0")
        .arg("-q")
        .args(pipeline.split_whitespace())
        .output()
        .expect("gst-launch-1.0 is installed (deploy/bootstrap.sh test-deps)");
    assert!(
        out.status.success() && !out.stdout.is_empty(),
        "{pipeline}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// `secs` of `width`x`height` 30 fps H.264 and stereo AAC in a fragmented MP4.
pub fn av_mp4(width: u32, height: u32, secs: u32) -> Vec<u8> {
    let frames = secs * 30;
    let audio_buffers = (secs * 48_000).div_ceil(1024);
    gst(&format!(
        "mp4mux name=m fragment-duration=1000 ! fdsink fd=1 \
         videotestsrc num-buffers={frames} pattern=ball ! video/x-raw,width={width},height={height},framerate=30/1 \
           ! x264enc speed-preset=ultrafast ! h264parse ! queue ! m. \
         audiotestsrc num-buffers={audio_buffers} samplesperbuffer=1024 ! audio/x-raw,rate=48000,channels=2 \
           ! avenc_aac ! aacparse ! queue ! m."
    ))
}

/// `secs` of `width`x`height` 25 fps H.264 without audio, in MPEG-TS.
pub fn video_ts(width: u32, height: u32, secs: u32) -> Vec<u8> {
    let frames = secs * 25;
    gst(&format!(
        "videotestsrc num-buffers={frames} pattern=smpte ! video/x-raw,width={width},height={height},framerate=25/1 \
         ! x264enc speed-preset=ultrafast ! h264parse ! mpegtsmux ! fdsink fd=1"
    ))
}

/// `secs` of stereo AAC 48 kHz in MPEG-TS.
pub fn audio_ts(secs: u32) -> Vec<u8> {
    let buffers = (secs * 48_000).div_ceil(1024);
    gst(&format!(
        "audiotestsrc num-buffers={buffers} samplesperbuffer=1024 ! audio/x-raw,rate=48000,channels=2 \
         ! avenc_aac ! aacparse ! mpegtsmux ! fdsink fd=1"
    ))
}

/// The first 2 KiB of a real MP4 (its boxes say "MP4 with H.264 and AAC") over
/// deterministic noise: recognised, then undecodable.
pub fn corrupt_mp4() -> Vec<u8> {
    let mut data = av_mp4(320, 240, 2);
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    for byte in data.iter_mut().skip(2048) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        *byte = x as u8;
    }
    data
}

/// What a job must end in.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// `media.ready` with these outputs; `source` is the source's (width, height).
    Ready { expect: Expect, source: (u32, u32) },
    /// `media.failed`, not retryable, with a reason containing this.
    Failed(&'static str),
}

/// One source of the matrix.
pub struct Case {
    /// Short name, also the start of the media id.
    pub name: &'static str,
    /// The source bytes.
    pub source: Vec<u8>,
    /// Declared MIME type.
    pub content_type: &'static str,
    /// What the job must produce.
    pub outcome: Outcome,
}

/// The default ladder's segment length (`media::Ladder::default()`).
const SEGMENT: f64 = 4.0;

fn ready(
    renditions: Vec<(&'static str, u32, u32)>,
    (video, audio): (bool, bool),
    duration: f64,
    frame_rate: Option<f64>,
    thumbnail_size: (u32, u32),
    source: (u32, u32),
) -> Outcome {
    Outcome::Ready {
        expect: Expect {
            renditions,
            video,
            audio,
            duration,
            frame_rate,
            segment_duration: SEGMENT,
            thumbnails: Vec::new(),
            thumbnail_size,
        },
        source,
    }
}

/// The issue #5 matrix: video+audio (a two-rung ladder, 5 s so a rendition has two
/// segments), video only, [`audio_case`], a tiny source below the lowest rung, a corrupt
/// file and a file that is not media. Short sources keep the matrix to seconds of CPU.
pub fn matrix() -> Vec<Case> {
    vec![
        Case {
            name: "av",
            source: av_mp4(854, 480, 5),
            content_type: "video/mp4",
            outcome: ready(
                vec![("480p", 854, 480), ("360p", 640, 360)],
                (true, true),
                5.0,
                Some(30.0),
                // 640 wide; 480 × 640 / 854 = 359.7, rounded to the nearest even number
                // like the 360p rendition.
                (640, 360),
                (854, 480),
            ),
        },
        Case {
            name: "video",
            source: video_ts(640, 360, 3),
            content_type: "video/mp2t",
            outcome: ready(
                vec![("360p", 640, 360)],
                (true, false),
                3.0,
                Some(25.0),
                (640, 360),
                (640, 360),
            ),
        },
        audio_case(),
        Case {
            name: "tiny",
            source: video_ts(160, 120, 2),
            content_type: "video/mp2t",
            outcome: ready(
                vec![("120p", 160, 120)],
                (true, false),
                2.0,
                Some(25.0),
                (160, 120),
                (160, 120),
            ),
        },
        Case {
            name: "corrupt",
            source: corrupt_mp4(),
            content_type: "video/mp4",
            outcome: Outcome::Failed("input"),
        },
        Case {
            name: "text",
            source: "not a video at all, just text".repeat(100).into_bytes(),
            content_type: "video/mp4",
            outcome: Outcome::Failed("unsupported input"),
        },
    ]
}

/// 3 s of AAC in MPEG-TS: one `audio` rendition, no thumbnails.
pub fn audio_case() -> Case {
    Case {
        name: "audio",
        source: audio_ts(3),
        content_type: "audio/aac",
        outcome: ready(
            vec![("audio", 0, 0)],
            (false, true),
            3.0,
            None,
            (0, 0),
            (0, 0),
        ),
    }
}

/// A media id for `name` that no earlier run used (the PostgreSQL database is shared).
pub fn media_id(name: &str) -> String {
    format!(
        "{name}-{}",
        &uuid::Uuid::new_v4().simple().to_string()[..12]
    )
}

/// Where a test stores the source of `media_id`.
pub fn source_key(media_id: &str) -> ObjectKey {
    ObjectKey::new(format!("uploads/{media_id}")).unwrap()
}

/// The `media.uploaded` payload for `media_id` (the case name travels in its metadata).
pub fn uploaded(media_id: &str, case: &Case) -> serde_json::Value {
    json!({
        "media_id": media_id, "user_id": "u-media", "source": source_key(media_id).as_str(),
        "content_type": case.content_type, "file_size": case.source.len(),
        "metadata": {"case": case.name}
    })
}

/// Publishes `media.uploaded` through `POST /api/v1/events` of the node at `addr`.
pub async fn publish_over_http(addr: SocketAddr, api_key: &str, payload: serde_json::Value) {
    let body = json!({"event_type": "media.uploaded", "payload": payload});
    let answer = super::request(
        addr,
        "POST",
        "/api/v1/events",
        &[("x-api-key", api_key)],
        body.to_string(),
    )
    .await;
    assert_eq!(answer.status, 202, "{}", answer.body);
}

/// Reads the first `media.ready` or `media.failed` of each id in `ids` from `sub`.
pub async fn outcomes(sub: &mut bus::Subscription, ids: &[String]) -> HashMap<String, Event> {
    let mut found = HashMap::new();
    let wait = async {
        while found.len() < ids.len() {
            let Some(msg) = sub.next().await else {
                panic!("the bus closed")
            };
            let event = Event::decode(&msg.payload).unwrap();
            let id = match &event.payload {
                Payload::MediaReady(r) => r.media_id.as_str().to_string(),
                Payload::MediaFailed(f) => f.media_id.as_str().to_string(),
                _ => continue,
            };
            if ids.contains(&id) {
                found.entry(id).or_insert(event);
            }
        }
    };
    if tokio::time::timeout(Duration::from_secs(180), wait)
        .await
        .is_err()
    {
        let missing: Vec<&String> = ids.iter().filter(|i| !found.contains_key(*i)).collect();
        panic!("no outcome within 180 s for {missing:?}");
    }
    found
}

/// The payload of the first `media.ready` or `media.failed` of `media_id` on `sub`.
pub async fn outcome(sub: &mut bus::Subscription, media_id: &str) -> Payload {
    let ids = [media_id.to_string()];
    let mut found = outcomes(sub, &ids).await;
    found.remove(media_id).unwrap().payload
}

/// Runs blocking checks (ffprobe) off the runtime, re-raising their panic as it was.
pub async fn off_runtime<T: Send + 'static>(checks: impl FnOnce() -> T + Send + 'static) -> T {
    tokio::task::spawn_blocking(checks)
        .await
        .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()))
}

/// Every object stored under `media/{media_id}/`, by path below it.
pub async fn snapshot(objects: &Objects, media_id: &str) -> Snapshot {
    let root = format!("media/{media_id}/");
    let prefix = ObjectKey::new(format!("media/{media_id}")).unwrap();
    let mut held = BTreeMap::new();
    for meta in objects.list(Some(&prefix)).await.unwrap() {
        let bytes = objects.get_bytes(&meta.key).await.unwrap();
        let path = meta.key.as_str().strip_prefix(&root).unwrap().to_string();
        held.insert(path, bytes.to_vec());
    }
    Snapshot(held)
}

/// The asset row of `media_id`.
pub async fn asset(store: &dyn store::Store, media_id: &str) -> MediaAsset {
    store
        .get_media_asset(&ResourceId::new(media_id).unwrap())
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("{media_id}: no asset row"))
}

/// Checks a job's outcome against its case: the stored outputs (every playlist, segment
/// and thumbnail, and nothing else), the event's payload against them, and the row.
pub fn check(case: &Case, event: &Event, row: &MediaAsset, stored: &Snapshot) {
    match (&case.outcome, &event.payload) {
        (Outcome::Ready { expect, source }, Payload::MediaReady(ready)) => {
            check_ready(expect, *source, ready, row, stored);
            assert_eq!(ready.metadata["case"], case.name, "uploader metadata kept");
        }
        (Outcome::Failed(reason), Payload::MediaFailed(failed)) => {
            check_failed(reason, failed, row, stored);
        }
        (_, other) => panic!("{}: unexpected outcome {other:?}", case.name),
    }
}

/// Checks a `media.ready` and its row against the outputs (see [`check`]); returns what
/// the verifier found.
pub fn check_ready(
    expect: &Expect,
    source: (u32, u32),
    ready: &MediaReady,
    row: &MediaAsset,
    stored: &Snapshot,
) -> hls::Found {
    let id = ready.media_id.as_str();
    let base = format!("/media/{id}/");
    let local = |url: &str| -> String {
        url.strip_prefix(&base)
            .unwrap_or_else(|| panic!("{id}: {url} is not under {base}"))
            .to_string()
    };
    let mut expect = expect.clone();
    expect.thumbnails = ready.thumbnails.iter().map(|t| local(t)).collect();
    if expect.video {
        assert_eq!(expect.thumbnails.len(), 6, "{id}: poster + 5 thumbnails");
        assert_eq!(expect.thumbnails[0], "thumbs/poster.jpg");
    } else {
        assert!(expect.thumbnails.is_empty(), "{id}: thumbnails of audio");
    }
    let found = hls::verify(stored, &expect);
    assert_eq!(
        stored.keys(),
        found.paths,
        "{id}: stored objects vs the outputs"
    );

    assert_eq!(ready.playback.hls, format!("{base}master.m3u8"));
    assert_eq!(ready.renditions.len(), found.renditions.len(), "{id}");
    for (r, f) in ready.renditions.iter().zip(&found.renditions) {
        assert_eq!(r.name, f.name, "{id}");
        let size = f.size.unwrap_or((0, 0));
        assert_eq!(
            (u64::from(r.width), u64::from(r.height)),
            size,
            "{id}: {}",
            r.name
        );
        assert_eq!(r.codecs, f.codecs, "{id}: {}", r.name);
        assert_eq!(r.bandwidth, f.bandwidth, "{id}: {}", r.name);
        assert_eq!(local(&r.playlist), f.playlist, "{id}");
        let gap = (ready.duration_ms as f64 / 1000.0 - f.duration).abs();
        assert!(
            gap <= hls::DURATION_TOLERANCE,
            "{id}: duration_ms {} vs ffprobe {} s of {}",
            ready.duration_ms,
            f.duration,
            f.name
        );
    }
    let meta = &ready.metadata;
    assert_eq!(
        meta["audio_codec"].is_string(),
        expect.audio,
        "{id}: {meta:?}"
    );
    let size = |k: &str| meta[k].as_u64().and_then(|v| u32::try_from(v).ok());
    if expect.video {
        assert_eq!(
            (size("width"), size("height")),
            (Some(source.0), Some(source.1))
        );
    }
    assert_eq!(
        meta["video_codec"].is_string(),
        expect.video,
        "{id}: {meta:?}"
    );

    assert_eq!(row.status, MediaStatus::Ready, "{id}");
    assert_eq!(
        row.outputs,
        Some(serde_json::to_value(ready).unwrap()),
        "{id}"
    );
    assert_eq!(row.duration_ms, Some(ready.duration_ms), "{id}");
    assert_eq!(row.error, None, "{id}");
    found
}

/// Checks a final `media.failed` and its row: the reason, the row saying `failed` with
/// it, and no master playlist stored.
pub fn check_failed(reason: &str, failed: &MediaFailed, row: &MediaAsset, stored: &Snapshot) {
    let id = failed.media_id.as_str();
    assert!(failed.reason.contains(reason), "{id}: {}", failed.reason);
    assert!(!failed.retryable, "{id}: bad input is final");
    assert_eq!(row.status, MediaStatus::Failed, "{id}");
    assert_eq!(row.error.as_deref(), Some(failed.reason.as_str()), "{id}");
    assert!(
        !stored.keys().contains("master.m3u8"),
        "{id}: a master playlist for a failed job"
    );
}
