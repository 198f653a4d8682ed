//! Proves the transcode end to end with real GStreamer and ffprobe: generated sources go
//! through `media::transcode` into a local object store, and every output is checked —
//! renditions (no upscaling), playlists (parsed with m3u8-rs), master attributes against
//! the real segment sizes, segments decodable with the right size/codecs/duration and
//! starting on a keyframe, thumbnails being JPEGs, metadata and progress.
#![allow(clippy::unwrap_used)] // tests may unwrap

mod common;

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use common::*;
use media::{JobOptions, MediaReport, Progress, Stage};

struct Expect {
    /// (name, width, height) of every rendition, largest first; width 0 = audio only.
    renditions: Vec<(&'static str, u32, u32)>,
    audio: bool,
    video: bool,
    duration: f64,
    fps: Option<f64>,
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

fn read(root: &Path, id: &str, path: &str) -> Vec<u8> {
    std::fs::read(stored(root, id, path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn verify(root: &Path, id: &str, report: &MediaReport, expect: &Expect) {
    let got: Vec<(String, u32, u32)> = report
        .renditions
        .iter()
        .map(|r| (r.name.clone(), r.width.unwrap_or(0), r.height.unwrap_or(0)))
        .collect();
    let want: Vec<(String, u32, u32)> = expect
        .renditions
        .iter()
        .map(|(n, w, h)| (n.to_string(), *w, *h))
        .collect();
    assert_eq!(got, want, "renditions");

    let master_bytes = read(root, id, "master.m3u8");
    let master = m3u8_rs::parse_master_playlist_res(&master_bytes)
        .unwrap_or_else(|e| panic!("master does not parse: {e:?}"));
    assert_eq!(master.variants.len(), expect.renditions.len());
    for (variant, (name, w, h)) in master.variants.iter().zip(&expect.renditions) {
        assert_eq!(variant.uri, format!("{name}/index.m3u8"));
        let playlist_bytes = read(root, id, &variant.uri);
        let playlist = m3u8_rs::parse_media_playlist_res(&playlist_bytes)
            .unwrap_or_else(|e| panic!("{name} playlist does not parse: {e:?}"));
        assert!(playlist.end_list, "{name}: VOD playlist ends");
        assert_eq!(
            playlist.playlist_type,
            Some(m3u8_rs::MediaPlaylistType::Vod)
        );
        assert!(!playlist.segments.is_empty());

        // BANDWIDTH / AVERAGE-BANDWIDTH from the stored sizes and listed durations.
        let mut peak = 0u64;
        let (mut total_bytes, mut total_dur) = (0u64, 0f64);
        let mut all = Vec::new();
        for seg in &playlist.segments {
            let bytes = read(root, id, &format!("{name}/{}", seg.uri));
            let dur = f64::from(seg.duration);
            peak = peak.max((bytes.len() as f64 * 8.0 / dur).ceil() as u64);
            total_bytes += bytes.len() as u64;
            total_dur += dur;
            assert!(
                dur <= playlist.target_duration as f64 + 0.5,
                "{name}: segment longer than the target"
            );
            if expect.video {
                assert!(
                    starts_with_keyframe(&bytes),
                    "{name}/{} starts with a keyframe",
                    seg.uri
                );
            }
            all.extend_from_slice(&bytes);
        }
        let avg = (total_bytes as f64 * 8.0 / total_dur).ceil() as u64;
        // m3u8-rs keeps EXTINF as f32; allow 0.1% for that rounding.
        let close = |a: u64, b: u64| (a as f64 - b as f64).abs() <= b as f64 * 0.001 + 1.0;
        assert!(
            close(variant.bandwidth, peak),
            "{name}: BANDWIDTH {} vs {peak}",
            variant.bandwidth
        );
        let average = variant.average_bandwidth.expect("AVERAGE-BANDWIDTH");
        assert!(
            close(average, avg),
            "{name}: AVERAGE-BANDWIDTH {average} vs {avg}"
        );
        assert!(average <= variant.bandwidth);

        let codecs = variant.codecs.clone().expect("CODECS");
        if expect.video {
            let res = variant.resolution.expect("RESOLUTION");
            assert_eq!((res.width, res.height), (u64::from(*w), u64::from(*h)));
            assert!(codecs.starts_with("avc1.64"), "{name}: {codecs}");
            let fps = variant.frame_rate.expect("FRAME-RATE");
            assert!((fps - expect.fps.unwrap_or(0.0)).abs() < 0.01);
        } else {
            assert!(variant.resolution.is_none());
        }
        assert_eq!(
            codecs.contains("mp4a.40.2"),
            expect.audio,
            "{name}: {codecs}"
        );

        // The whole rendition decodes with the planned size, codecs and duration.
        let (names, pw, ph, dur) = probe_streams(&all);
        assert_eq!(
            names.iter().any(|c| c == "h264"),
            expect.video,
            "{name}: {names:?}"
        );
        assert_eq!(
            names.iter().any(|c| c == "aac"),
            expect.audio,
            "{name}: {names:?}"
        );
        if expect.video {
            assert_eq!((pw, ph), (Some(u64::from(*w)), Some(u64::from(*h))));
        }
        assert!(
            (dur - expect.duration).abs() <= 0.5,
            "{name}: ffprobe duration {dur} vs source {}",
            expect.duration
        );
    }

    // Thumbnails.
    if expect.video {
        let poster = report.poster.as_deref().expect("a poster");
        let mut jpegs = vec![poster.to_string()];
        jpegs.extend(report.thumbnails.iter().cloned());
        assert_eq!(report.thumbnails.len(), 5);
        for path in jpegs {
            let jpeg = read(root, id, &path);
            assert_eq!(&jpeg[..3], &[0xff, 0xd8, 0xff], "{path} is a JPEG");
            let (codecs, ..) = probe_streams(&jpeg);
            assert_eq!(codecs, vec!["mjpeg".to_string()]);
        }
    } else {
        assert!(report.poster.is_none() && report.thumbnails.is_empty());
    }

    let meta = &report.metadata;
    assert!(
        (meta.duration.as_secs_f64() - expect.duration).abs() <= 0.5,
        "metadata duration {:?}",
        meta.duration
    );
    assert!(meta.container.is_some());
    assert!(meta.bitrate.unwrap_or(0) > 0);
    if let Some((_, w, h)) = expect.renditions.first().filter(|_| expect.video) {
        assert_eq!((meta.width, meta.height), (Some(*w), Some(*h)));
    }
    assert!(report.first_segment_after.is_some());
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
        &Expect {
            renditions: vec![("720p", 1280, 720), ("480p", 854, 480), ("360p", 640, 360)],
            audio: true,
            video: true,
            duration: 6.0,
            fps: Some(30.0),
        },
    );
    let meta = &report.metadata;
    assert_eq!(meta.container.as_deref(), Some("video/quicktime"));
    assert!(
        meta.video_codec.as_deref().unwrap_or("").contains("264"),
        "{meta:?}"
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
async fn video_without_audio_works() {
    let (dir, report) = run(
        "vonly",
        video_only_ts(640, 360, 100),
        &JobOptions::default(),
    )
    .await;
    verify(
        dir.path(),
        "vonly",
        &report,
        &Expect {
            renditions: vec![("360p", 640, 360)],
            audio: false,
            video: true,
            duration: 4.0,
            fps: Some(25.0),
        },
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audio_only_gets_an_audio_ladder() {
    let (dir, report) = run("aonly", audio_only_ts(), &JobOptions::default()).await;
    verify(
        dir.path(),
        "aonly",
        &report,
        &Expect {
            renditions: vec![("audio", 0, 0)],
            audio: true,
            video: false,
            duration: 5.0,
            fps: None,
        },
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_source_below_the_lowest_rung_keeps_its_own_size() {
    let (dir, report) = run("tiny", video_only_ts(160, 120, 75), &JobOptions::default()).await;
    verify(
        dir.path(),
        "tiny",
        &report,
        &Expect {
            renditions: vec![("120p", 160, 120)],
            audio: false,
            video: true,
            duration: 3.0,
            fps: Some(25.0),
        },
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_mp4_with_its_moov_at_the_end_streams_through() {
    // The usual camera layout: qtdemux cannot seek a stream, so it holds the media data
    // until the moov arrives; the job still succeeds.
    let (dir, report) = run(
        "moovend",
        av_720p_regular_mp4(false),
        &JobOptions::default(),
    )
    .await;
    verify(
        dir.path(),
        "moovend",
        &report,
        &Expect {
            renditions: vec![("720p", 1280, 720), ("480p", 854, 480), ("360p", 640, 360)],
            audio: true,
            video: true,
            duration: 6.0,
            fps: Some(30.0),
        },
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rotated_phone_video_is_made_upright_before_planning() {
    let (dir, report) = run("rotated", rotated_mp4(), &JobOptions::default()).await;
    assert_eq!(report.metadata.rotation, 90);
    verify(
        dir.path(),
        "rotated",
        &report,
        &Expect {
            renditions: vec![("360p", 360, 640)],
            audio: false,
            video: true,
            duration: 3.0,
            fps: Some(25.0),
        },
    );
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
        &Expect {
            renditions: vec![("360p", 640, 360)],
            audio: false,
            video: true,
            duration: 12.0,
            fps: Some(25.0),
        },
    );
}
