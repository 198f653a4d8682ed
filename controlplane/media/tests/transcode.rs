//! Proves the transcode end to end with real GStreamer and ffprobe: generated sources go
//! through `media::transcode` into a local object store, and every output is checked by
//! the verifier the node's tests share (`testkit::hls`: renditions without upscaling,
//! playlists parsed with m3u8-rs, master attributes against the real segment sizes,
//! segments decodable with the right size/codecs/duration and starting on a keyframe,
//! thumbnails being JPEGs of the right size), then the report against it: renditions,
//! metadata (codec and container names are the source's, whatever we encode to) and
//! progress.
#![allow(clippy::unwrap_used)] // tests may unwrap

mod common;

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use common::*;
use media::{JobOptions, MediaReport, Progress, Stage};

/// What a job with the default ladder must store: `renditions` as (name, width, height),
/// largest first, `(name, 0, 0)` for audio only; thumbnails (for video) of
/// `thumbnail_size`, their paths taken from the report.
fn expect(
    renditions: Vec<(&'static str, u32, u32)>,
    (video, audio): (bool, bool),
    duration: f64,
    frame_rate: Option<f64>,
    thumbnail_size: (u32, u32),
) -> hls::Expect {
    hls::Expect {
        renditions,
        video,
        audio,
        duration,
        frame_rate,
        segment_duration: media::Ladder::default().segment_duration.as_secs_f64(),
        thumbnails: Vec::new(),
        thumbnail_size,
    }
}

async fn run(id: &str, data: Vec<u8>, options: &JobOptions) -> (tempfile::TempDir, MediaReport) {
    let (dir, sink) = local_sink(id);
    let t = Instant::now();
    let report = media::transcode(chunks(data), options, sink)
        .await
        .unwrap_or_else(|e| panic!("{id}: {e}"));
    eprintln!(
        "{id}: transcoded in {:?}, first segment stored after {:?}",
        t.elapsed(),
        report.first_segment_after
    );
    (dir, report)
}

/// Transcodes `data` with the default options and checks the outcome with [`verify`].
async fn transcoded(id: &str, data: Vec<u8>, expect: hls::Expect) -> MediaReport {
    let (dir, report) = run(id, data, &JobOptions::default()).await;
    verify(dir.path(), id, &report, &expect);
    report
}

/// Every file stored for `id` in the local store at `root`, by path below its folder.
fn stored_paths(root: &Path, id: &str) -> BTreeSet<String> {
    let base = stored(root, id, "");
    let mut found = BTreeSet::new();
    let mut dirs = vec![base.clone()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else {
                let rel = path.strip_prefix(&base).unwrap().to_string_lossy();
                found.insert(rel.into_owned());
            }
        }
    }
    found
}

/// Checks the stored output with `testkit::hls`, that nothing else was stored, and the
/// report against what the verifier found.
fn verify(root: &Path, id: &str, report: &MediaReport, expect: &hls::Expect) {
    let mut expect = expect.clone();
    if expect.video {
        assert_eq!(report.poster.as_deref(), Some("thumbs/poster.jpg"), "{id}");
        assert_eq!(report.thumbnails.len(), 5, "{id}: thumbnails");
        expect.thumbnails = report
            .poster
            .iter()
            .chain(&report.thumbnails)
            .cloned()
            .collect();
    } else {
        assert!(
            report.poster.is_none() && report.thumbnails.is_empty(),
            "{id}"
        );
    }
    let found = verify_output(root, id, &expect);
    assert_eq!(stored_paths(root, id), found.paths, "{id}: stored objects");
    for path in found.paths.iter().filter(|p| p.ends_with(".ts")) {
        assert_tables_first(&std::fs::read(stored(root, id, path)).unwrap(), path);
    }

    let got: Vec<(&str, u32, u32)> = report
        .renditions
        .iter()
        .map(|r| (r.name.as_str(), r.width.unwrap_or(0), r.height.unwrap_or(0)))
        .collect();
    assert_eq!(got, expect.renditions, "{id}: renditions in the report");
    for (r, f) in report.renditions.iter().zip(&found.renditions) {
        assert_eq!(r.playlist, f.playlist, "{id}");
        assert_eq!(r.codecs, f.codecs, "{id}: {}", r.name);
        assert_eq!(r.bandwidth, f.bandwidth, "{id}: {}", r.name);
    }

    let meta = &report.metadata;
    assert!(
        (meta.duration.as_secs_f64() - expect.duration).abs() <= hls::DURATION_TOLERANCE,
        "{id}: metadata duration {:?}",
        meta.duration
    );
    assert!(meta.container.is_some(), "{id}");
    assert!(meta.bitrate.unwrap_or(0) > 0, "{id}");
    if let Some((_, w, h)) = expect.renditions.first().filter(|_| expect.video) {
        assert_eq!((meta.width, meta.height), (Some(*w), Some(*h)), "{id}");
    }
    assert!(report.first_segment_after.is_some(), "{id}");
}

/// Our segmenter's promise: a segment opens with a PAT (PID 0, table 0) and the PMT it
/// points to (table 2), so it can be decoded on its own.
fn assert_tables_first(segment: &[u8], path: &str) {
    assert!(
        segment.len() >= 2 * 188 && segment.len().is_multiple_of(188),
        "{path}: size"
    );
    let pid = |p: &[u8]| (u16::from(p[1] & 0x1f) << 8) | u16::from(p[2]);
    // The section after the adaptation field (mpegtsmux pads tables with one) and the
    // pointer field.
    let section = |p: &[u8]| {
        let start = if p[3] & 0x20 != 0 {
            5 + usize::from(p[4])
        } else {
            4
        };
        p[start + 1 + usize::from(p[start])..].to_vec()
    };
    let (pat, pmt) = (&segment[..188], &segment[188..376]);
    let pat_section = section(pat);
    assert_eq!((pid(pat), pat_section[0]), (0, 0x00), "{path}: PAT first");
    // The first program's PMT PID, after the 8-byte header and the program number.
    let pmt_pid = (u16::from(pat_section[10] & 0x1f) << 8) | u16::from(pat_section[11]);
    assert_eq!(
        (pid(pmt), section(pmt)[0]),
        (pmt_pid, 0x02),
        "{path}: PMT second"
    );
}

/// The metadata names the source's codecs (each containing the wanted text, or absent)
/// and its container exactly.
fn assert_names(
    report: &MediaReport,
    (video, audio): (Option<&str>, Option<&str>),
    container: &str,
    container_format: Option<&str>,
) {
    let meta = &report.metadata;
    let names = |got: &Option<String>, want: Option<&str>| match (got, want) {
        (Some(got), Some(want)) => got.contains(want),
        (got, want) => got.is_none() && want.is_none(),
    };
    assert!(names(&meta.video_codec, video), "video codec: {meta:?}");
    assert!(names(&meta.audio_codec, audio), "audio codec: {meta:?}");
    assert_eq!(meta.container.as_deref(), Some(container), "{meta:?}");
    assert_eq!(
        meta.container_format.as_deref(),
        container_format,
        "{meta:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn video_and_audio_720p_gets_720p_and_below_with_aligned_keyframes() {
    let seen: Arc<Mutex<Vec<Progress>>> = Arc::default();
    let s = Arc::clone(&seen);
    let options = JobOptions {
        progress: Some(Arc::new(move |p| s.lock().unwrap().push(p))),
        ..JobOptions::default()
    };
    let (dir, report) = run("av720", av_720p_mp4(), &options).await;
    verify(
        dir.path(),
        "av720",
        &report,
        &expect(
            vec![("720p", 1280, 720), ("480p", 854, 480), ("360p", 640, 360)],
            (true, true),
            6.0,
            Some(30.0),
            (640, 360),
        ),
    );
    assert_names(
        &report,
        (Some("H.264"), Some("MPEG-4 AAC")),
        "video/quicktime",
        // qtdemux read the brands: a fragmented MP4 (typefind alone says `Quicktime`).
        Some("ISO fMP4"),
    );
    let seen = seen.lock().unwrap();
    assert_eq!(
        seen.last().map(|p| (p.stage, p.percent)),
        Some((Stage::Done, 100))
    );
    assert!(
        seen.windows(2).all(|w| w[0].percent <= w[1].percent),
        "{seen:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_854x480_source_gets_640x360_everywhere() {
    // 480 × 640 / 854 = 359.7: the 360p rung and the thumbnails both round it to 360.
    transcoded(
        "wide480",
        video_only_ts(854, 480, 50),
        expect(
            vec![("480p", 854, 480), ("360p", 640, 360)],
            (true, false),
            2.0,
            Some(25.0),
            (640, 360),
        ),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn video_without_audio_works() {
    let report = transcoded(
        "vonly",
        video_only_ts(640, 360, 100),
        expect(
            vec![("360p", 640, 360)],
            (true, false),
            4.0,
            Some(25.0),
            (640, 360),
        ),
    )
    .await;
    assert_names(
        &report,
        (Some("H.264"), None),
        "video/mpegts",
        Some("MPEG-2 Transport Stream"),
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audio_only_gets_an_audio_ladder() {
    let report = transcoded(
        "aonly",
        audio_only_ts(),
        expect(vec![("audio", 0, 0)], (false, true), 5.0, None, (0, 0)),
    )
    .await;
    assert_names(
        &report,
        (None, Some("MPEG-4 AAC")),
        "video/mpegts",
        Some("MPEG-2 Transport Stream"),
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vp8_and_opus_are_named_as_the_source_has_them() {
    // We encode H.264 and AAC: names from our own encoders would say so.
    let report = transcoded(
        "webm",
        vp8_opus_webm(),
        expect(
            vec![("240p", 320, 240)],
            (true, true),
            2.0,
            Some(25.0),
            (320, 240),
        ),
    )
    .await;
    // matroskademux names WebM's family; the media type says WebM.
    assert_names(
        &report,
        (Some("VP8"), Some("Opus")),
        "video/webm",
        Some("Matroska"),
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_mp3_file_is_named_mp3_without_a_container() {
    let report = transcoded(
        "mp3",
        mp3(),
        expect(vec![("audio", 0, 0)], (false, true), 3.0, None, (0, 0)),
    )
    .await;
    assert_names(&report, (None, Some("MP3")), "audio/mpeg", None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_source_below_the_lowest_rung_keeps_its_own_size() {
    transcoded(
        "tiny",
        video_only_ts(160, 120, 75),
        expect(
            vec![("120p", 160, 120)],
            (true, false),
            3.0,
            Some(25.0),
            (160, 120),
        ),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_mp4_with_its_moov_at_the_end_streams_through() {
    // The usual camera layout: qtdemux cannot seek a stream, so it holds the media data
    // until the moov arrives; the job still succeeds.
    transcoded(
        "moovend",
        av_720p_regular_mp4(false),
        expect(
            vec![("720p", 1280, 720), ("480p", 854, 480), ("360p", 640, 360)],
            (true, true),
            6.0,
            Some(30.0),
            (640, 360),
        ),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rotated_phone_video_is_made_upright_before_planning() {
    let report = transcoded(
        "rotated",
        rotated_mp4(),
        expect(
            vec![("360p", 360, 640)],
            (true, false),
            3.0,
            Some(25.0),
            (360, 640),
        ),
    )
    .await;
    assert_eq!(report.metadata.rotation, 90);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn segments_are_stored_while_the_source_is_still_arriving() {
    // 12 s of video in 2 s segments, delivered slowly (as an upload or a remote read
    // would): the first segment must be in the store before the last source byte arrives.
    use futures::StreamExt;
    let data = bytes::Bytes::from(video_only_ts(640, 360, 300));
    let chunk = data.len().div_ceil(50);
    let last_chunk_at: Arc<Mutex<Option<Instant>>> = Arc::default();
    let mark = Arc::clone(&last_chunk_at);
    let total = data.len();
    let source = futures::stream::iter((0..total).step_by(chunk))
        .then(move |i| {
            let data = data.clone();
            let mark = Arc::clone(&mark);
            async move {
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                let end = (i + chunk).min(total);
                if end == total {
                    *mark.lock().unwrap() = Some(Instant::now());
                }
                Ok::<_, std::io::Error>(data.slice(i..end))
            }
        })
        .boxed();
    let options = JobOptions {
        ladder: media::Ladder {
            segment_duration: std::time::Duration::from_secs(2),
            rungs: vec![media::Rung::new(360, 600_000)],
            ..media::Ladder::default()
        },
        ..JobOptions::default()
    };
    let (dir, sink) = local_sink("early");
    let started = Instant::now();
    let report = media::transcode(source, &options, sink).await.unwrap();
    let first = started + report.first_segment_after.expect("a stored segment");
    let last_byte = last_chunk_at.lock().unwrap().expect("source consumed");
    assert!(
        first < last_byte,
        "first segment stored {:?} after the source ended",
        first - last_byte
    );
    eprintln!(
        "early: first segment stored {:?} before the last source byte arrived",
        last_byte - first
    );
    let segments = &report.renditions[0].segments;
    assert_eq!(segments.len(), 6, "{segments:?}");
    assert!(segments.iter().all(|s| (s.duration - 2.0).abs() < 0.05));
    verify(
        dir.path(),
        "early",
        &report,
        &hls::Expect {
            segment_duration: 2.0,
            ..expect(
                vec![("360p", 640, 360)],
                (true, false),
                12.0,
                Some(25.0),
                (640, 360),
            )
        },
    );
}
