//! Owns the check of a stored HLS output as a player and ffprobe see it: the master and
//! every media playlist parse (m3u8-rs) and are complete VOD playlists, every segment fits
//! the target duration and (video) starts with a keyframe, BANDWIDTH and
//! AVERAGE-BANDWIDTH match the stored bytes (the average never above the peak), CODECS
//! names H.264 High profile and AAC-LC as the streams hold, each rendition decodes
//! (ffprobe) with the expected size, codecs and duration, and the thumbnails are JPEGs
//! of the expected size.
//!
//! Objects come through [`Fetch`]: [`LocalDir`] reads a local store, [`Snapshot`] holds
//! objects a test has already read (from S3 through `objstore`, say), so this module
//! stays synchronous and free of any storage client. Paths are relative to the media's
//! root (`master.m3u8`, `720p/index.m3u8`, `thumbs/poster.jpg`).
//!
//! Every check panics with a message naming the object at fault: this is test support,
//! and the panic is the failure report. ffprobe reads from a temp file, because it cannot
//! give an MPEG-TS duration from a pipe.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

/// Largest gap allowed between a duration and the source's, in seconds.
pub const DURATION_TOLERANCE: f64 = 0.5;

/// Where the verifier reads objects from.
pub trait Fetch {
    /// The bytes at `path` (relative to the media's root), or `None` when absent.
    fn fetch(&self, path: &str) -> Option<Vec<u8>>;
}

/// A media's root in a local object store (`<root>/media/<media_id>`).
#[derive(Debug, Clone)]
pub struct LocalDir(pub PathBuf);

impl Fetch for LocalDir {
    fn fetch(&self, path: &str) -> Option<Vec<u8>> {
        std::fs::read(self.0.join(path)).ok()
    }
}

/// Objects already read, by path relative to the media's root.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Snapshot(pub BTreeMap<String, Vec<u8>>);

impl Snapshot {
    /// The paths held.
    pub fn keys(&self) -> BTreeSet<String> {
        self.0.keys().cloned().collect()
    }
}

impl Fetch for Snapshot {
    fn fetch(&self, path: &str) -> Option<Vec<u8>> {
        self.0.get(path).cloned()
    }
}

/// What the output of one source must be.
#[derive(Debug, Clone)]
pub struct Expect {
    /// (name, width, height) of every rendition in master order, largest first;
    /// `(name, 0, 0)` for an audio-only rendition.
    pub renditions: Vec<(&'static str, u32, u32)>,
    /// Whether the renditions carry video.
    pub video: bool,
    /// Whether the renditions carry audio.
    pub audio: bool,
    /// The source's duration in seconds.
    pub duration: f64,
    /// The video frame rate the master must announce.
    pub frame_rate: Option<f64>,
    /// The segment length asked of the packager: every segment but the last lasts it.
    pub segment_duration: f64,
    /// Paths of the JPEGs (poster first); empty for audio.
    pub thumbnails: Vec<String>,
    /// Width and height of every JPEG.
    pub thumbnail_size: (u32, u32),
}

/// What one rendition turned out to be.
#[derive(Debug, Clone, PartialEq)]
pub struct RenditionFound {
    /// Its name (the folder of its playlist).
    pub name: String,
    /// Its playlist's path.
    pub playlist: String,
    /// BANDWIDTH in the master.
    pub bandwidth: u64,
    /// CODECS in the master.
    pub codecs: String,
    /// Width and height of its video according to ffprobe.
    pub size: Option<(u64, u64)>,
    /// Its streams' codec names according to ffprobe (`h264`, `aac`).
    pub stream_codecs: Vec<String>,
    /// Its duration according to ffprobe, in seconds.
    pub duration: f64,
}

/// What a verified output holds.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    /// The renditions, in master order.
    pub renditions: Vec<RenditionFound>,
    /// Every path the output consists of: master, playlists, segments, thumbnails.
    pub paths: BTreeSet<String>,
}

fn get(objects: &dyn Fetch, path: &str) -> Vec<u8> {
    objects
        .fetch(path)
        .unwrap_or_else(|| panic!("{path} is not stored"))
}

/// Checks the output read through `objects` against `expect`; see the module doc.
pub fn verify(objects: &dyn Fetch, expect: &Expect) -> Found {
    let mut paths = BTreeSet::from(["master.m3u8".to_string()]);
    let master = m3u8_rs::parse_master_playlist_res(&get(objects, "master.m3u8"))
        .unwrap_or_else(|e| panic!("master.m3u8 does not parse: {e:?}"));
    let names: Vec<&str> = master
        .variants
        .iter()
        .map(|v| v.uri.trim_end_matches("/index.m3u8"))
        .collect();
    let wanted: Vec<&str> = expect.renditions.iter().map(|r| r.0).collect();
    assert_eq!(names, wanted, "renditions in master.m3u8");

    let mut renditions = Vec::new();
    for (variant, &(name, width, height)) in master.variants.iter().zip(&expect.renditions) {
        let (segments, found) = verify_rendition(objects, variant, expect);
        paths.insert(variant.uri.clone());
        paths.extend(segments);
        if expect.video {
            let res = variant
                .resolution
                .unwrap_or_else(|| panic!("{name}: no RESOLUTION"));
            let size = (u64::from(width), u64::from(height));
            assert_eq!((res.width, res.height), size, "{name}: RESOLUTION");
            assert_eq!(found.size, Some(size), "{name}: decoded size");
            let fps = variant.frame_rate.unwrap_or(0.0);
            let want = expect.frame_rate.unwrap_or(0.0);
            assert!(
                (fps - want).abs() < 0.01,
                "{name}: FRAME-RATE {fps} vs {want}"
            );
        } else {
            assert!(variant.resolution.is_none(), "{name}: RESOLUTION on audio");
        }
        renditions.push(found);
    }

    for path in &expect.thumbnails {
        verify_jpeg(&get(objects, path), path, expect.thumbnail_size);
        paths.insert(path.clone());
    }
    Found { renditions, paths }
}

/// Checks one media playlist and its segments; returns the segment paths.
fn verify_rendition(
    objects: &dyn Fetch,
    variant: &m3u8_rs::VariantStream,
    expect: &Expect,
) -> (Vec<String>, RenditionFound) {
    let uri = variant.uri.as_str();
    let name = uri.trim_end_matches("/index.m3u8");
    let dir = uri.rsplit_once('/').map_or("", |(d, _)| d);
    let playlist = m3u8_rs::parse_media_playlist_res(&get(objects, uri))
        .unwrap_or_else(|e| panic!("{uri} does not parse: {e:?}"));
    assert!(playlist.end_list, "{uri}: no #EXT-X-ENDLIST");
    assert_eq!(
        playlist.playlist_type,
        Some(m3u8_rs::MediaPlaylistType::Vod),
        "{uri}: playlist type"
    );
    assert!(!playlist.segments.is_empty(), "{uri}: no segments");

    let target = playlist.target_duration as f64;
    let (mut peak, mut total_bytes, mut listed) = (0u64, 0usize, 0f64);
    let (mut all, mut segment_paths) = (Vec::new(), Vec::new());
    let last = playlist.segments.len() - 1;
    for (i, seg) in playlist.segments.iter().enumerate() {
        let path = format!("{dir}/{}", seg.uri);
        let bytes = get(objects, &path);
        let dur = f64::from(seg.duration);
        // RFC 8216 4.3.3.1: EXTINF rounded to the nearest integer is at most the target.
        assert!(dur.round() <= target, "{path}: {dur} s > target {target} s");
        if i < last {
            assert!(
                (dur - expect.segment_duration).abs() <= 0.1,
                "{path}: {dur} s, segments should last {} s",
                expect.segment_duration
            );
        }
        if expect.video {
            assert!(starts_with_keyframe(&bytes), "{path}: no keyframe first");
        }
        peak = peak.max((bytes.len() as f64 * 8.0 / dur).ceil() as u64);
        total_bytes += bytes.len();
        listed += dur;
        all.extend_from_slice(&bytes);
        segment_paths.push(path);
    }
    assert!(
        (listed - expect.duration).abs() <= DURATION_TOLERANCE,
        "{uri}: EXTINFs add up to {listed} s, the source lasts {} s",
        expect.duration
    );

    // m3u8-rs keeps EXTINF as f32: allow 0.1 % for that rounding.
    let close = |a: u64, b: u64| (a as f64 - b as f64).abs() <= b as f64 * 0.001 + 1.0;
    assert!(
        close(variant.bandwidth, peak),
        "{name}: BANDWIDTH {} vs peak segment rate {peak}",
        variant.bandwidth
    );
    let average = (total_bytes as f64 * 8.0 / listed).ceil() as u64;
    let announced = variant
        .average_bandwidth
        .unwrap_or_else(|| panic!("{name}: no AVERAGE-BANDWIDTH"));
    assert!(
        close(announced, average),
        "{name}: AVERAGE-BANDWIDTH {announced} vs {average}"
    );
    assert!(
        announced <= variant.bandwidth,
        "{name}: AVERAGE-BANDWIDTH {announced} above BANDWIDTH {}",
        variant.bandwidth
    );

    let codecs = variant
        .codecs
        .clone()
        .unwrap_or_else(|| panic!("{name}: no CODECS"));
    assert_eq!(
        codecs.contains("avc1."),
        expect.video,
        "{name}: CODECS {codecs}"
    );
    // The ladder encodes H.264 High profile (profile_idc 100 = 0x64) only.
    assert!(
        codecs
            .split(',')
            .filter(|c| c.starts_with("avc1."))
            .all(|c| c.starts_with("avc1.64")),
        "{name}: CODECS {codecs}, not High profile"
    );
    assert_eq!(
        codecs.contains("mp4a.40.2"),
        expect.audio,
        "{name}: CODECS {codecs}"
    );

    let (stream_codecs, width, height, duration) = probe_streams(&all);
    let has = |c: &str| stream_codecs.iter().any(|s| s == c);
    assert_eq!(
        has("h264"),
        expect.video,
        "{name}: streams {stream_codecs:?}"
    );
    assert_eq!(
        has("aac"),
        expect.audio,
        "{name}: streams {stream_codecs:?}"
    );
    assert!(
        (duration - expect.duration).abs() <= DURATION_TOLERANCE,
        "{name}: ffprobe duration {duration} s, the source lasts {} s",
        expect.duration
    );
    let found = RenditionFound {
        name: name.to_string(),
        playlist: uri.to_string(),
        bandwidth: variant.bandwidth,
        codecs,
        size: width.zip(height),
        stream_codecs,
        duration,
    };
    (segment_paths, found)
}

/// Checks that `bytes` is a JPEG that decodes at `size`.
pub fn verify_jpeg(bytes: &[u8], path: &str, size: (u32, u32)) {
    assert!(
        bytes.starts_with(&[0xff, 0xd8, 0xff]),
        "{path} is not a JPEG"
    );
    let (codecs, width, height, _) = probe_streams(bytes);
    assert_eq!(codecs, ["mjpeg"], "{path}: streams");
    let want = (Some(u64::from(size.0)), Some(u64::from(size.1)));
    assert_eq!((width, height), want, "{path}: size");
}

/// ffprobe's JSON for `bytes` with `-v error -of json` and `extra` arguments.
pub fn ffprobe(bytes: &[u8], extra: &[&str]) -> serde_json::Value {
    let mut file = tempfile::NamedTempFile::new().unwrap_or_else(|e| panic!("temp file: {e}"));
    file.write_all(bytes)
        .unwrap_or_else(|e| panic!("temp file: {e}"));
    let out = Command::new("ffprobe")
        .args(["-v", "error", "-of", "json"])
        .args(extra)
        .arg(file.path())
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("ffprobe (deploy/bootstrap.sh test-deps): {e}"));
    assert!(
        out.status.success(),
        "ffprobe failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("ffprobe's JSON: {e}"))
}

/// (codec names, width, height, duration in seconds) of `bytes`.
pub fn probe_streams(bytes: &[u8]) -> (Vec<String>, Option<u64>, Option<u64>, f64) {
    let v = ffprobe(
        bytes,
        &[
            "-show_entries",
            "stream=codec_name,width,height:format=duration",
        ],
    );
    let streams = v["streams"].as_array().cloned().unwrap_or_default();
    let codecs = streams
        .iter()
        .filter_map(|s| s["codec_name"].as_str().map(String::from))
        .collect();
    let width = streams.iter().find_map(|s| s["width"].as_u64());
    let height = streams.iter().find_map(|s| s["height"].as_u64());
    let duration = v["format"]["duration"]
        .as_str()
        .and_then(|d| d.parse().ok())
        .unwrap_or(0.0);
    (codecs, width, height, duration)
}

/// Whether the first video frame of an MPEG-TS segment is a keyframe.
pub fn starts_with_keyframe(segment: &[u8]) -> bool {
    let v = ffprobe(
        segment,
        &[
            "-select_streams",
            "v:0",
            "-read_intervals",
            "%+#1",
            "-show_entries",
            "frame=key_frame",
        ],
    );
    v["frames"][0]["key_frame"].as_i64() == Some(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2 s of 160x120 25 fps H.264 in MPEG-TS, or `None` (skipped) without gst-launch.
    fn segment() -> Option<Vec<u8>> {
        let out = Command::new("gst-launch-1.0")
            .args(
                "-q videotestsrc num-buffers=50 ! video/x-raw,width=160,height=120,framerate=25/1 \
                 ! x264enc speed-preset=ultrafast ! h264parse ! mpegtsmux ! fdsink fd=1"
                    .split_whitespace(),
            )
            .output();
        match out {
            Ok(out) if out.status.success() => Some(out.stdout),
            _ => {
                crate::skip_or_fail(
                    "gst-launch-1.0 is not installed (deploy/bootstrap.sh test-deps)",
                );
                None
            }
        }
    }

    /// A one-rendition output as the worker writes it, around a real segment.
    fn output(segment: Vec<u8>) -> Snapshot {
        let rate = (segment.len() as f64 * 8.0 / 2.0).ceil() as u64;
        let master = format!(
            "#EXTM3U\n#EXT-X-VERSION:3\n\
             #EXT-X-STREAM-INF:BANDWIDTH={rate},AVERAGE-BANDWIDTH={rate},\
             CODECS=\"avc1.64000c\",RESOLUTION=160x120,FRAME-RATE=25.000\n\
             120p/index.m3u8\n"
        );
        let playlist = "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n\
             #EXT-X-PLAYLIST-TYPE:VOD\n#EXTINF:2.000,\nseg00000.ts\n#EXT-X-ENDLIST\n";
        Snapshot(BTreeMap::from([
            ("master.m3u8".to_string(), master.into_bytes()),
            ("120p/index.m3u8".to_string(), playlist.as_bytes().to_vec()),
            ("120p/seg00000.ts".to_string(), segment),
        ]))
    }

    fn expect() -> Expect {
        Expect {
            renditions: vec![("120p", 160, 120)],
            video: true,
            audio: false,
            duration: 2.0,
            frame_rate: Some(25.0),
            segment_duration: 2.0,
            thumbnails: Vec::new(),
            thumbnail_size: (0, 0),
        }
    }

    /// The panic message of `verify`, or `None` when it passed.
    fn failure(objects: &Snapshot, expect: &Expect) -> Option<String> {
        let run =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| verify(objects, expect)));
        run.err().map(|e| {
            e.downcast_ref::<String>()
                .cloned()
                .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default()
        })
    }

    #[test]
    fn a_complete_output_passes_and_lists_its_objects() {
        let Some(segment) = segment() else { return };
        let objects = output(segment);
        let found = verify(&objects, &expect());
        assert_eq!(found.paths, objects.keys());
        assert_eq!(found.renditions[0].size, Some((160, 120)));
        assert_eq!(found.renditions[0].stream_codecs, ["h264"]);
    }

    #[test]
    fn each_defect_is_named() {
        let Some(segment) = segment() else { return };
        let good = output(segment);
        let edit = |path: &str, from: &str, to: &str| {
            let mut objects = good.clone();
            let text = String::from_utf8(objects.0[path].clone()).unwrap_or_default();
            objects
                .0
                .insert(path.into(), text.replace(from, to).into_bytes());
            objects
        };
        let cases = [
            (
                edit("120p/index.m3u8", "#EXT-X-ENDLIST\n", ""),
                expect(),
                "ENDLIST",
            ),
            (
                edit("master.m3u8", "160x120", "320x240"),
                expect(),
                "RESOLUTION",
            ),
            (
                edit("master.m3u8", "BANDWIDTH=", "BANDWIDTH=9"),
                expect(),
                "BANDWIDTH",
            ),
            (
                edit("master.m3u8", "avc1.64000c", "avc1.42e00c"),
                expect(),
                "not High profile",
            ),
            (
                good.clone(),
                Expect {
                    duration: 3.0,
                    ..expect()
                },
                "source lasts 3",
            ),
            (
                good.clone(),
                Expect {
                    audio: true,
                    ..expect()
                },
                "CODECS",
            ),
            (
                good.clone(),
                Expect {
                    thumbnails: vec!["thumbs/poster.jpg".into()],
                    ..expect()
                },
                "thumbs/poster.jpg is not stored",
            ),
        ];
        for (objects, expect, why) in cases {
            let message = failure(&objects, &expect).unwrap_or_else(|| panic!("{why}: passed"));
            assert!(message.contains(why), "{why}: {message}");
        }
    }
}
