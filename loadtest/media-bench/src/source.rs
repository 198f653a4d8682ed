//! Owns the source side: the file as a stream of bounded chunks ([`chunks`]), the way an
//! upload or an object-store read hands it to a job (no mmap, no whole-file read), and the
//! facts the driver needs before either contender runs ([`SourceInfo`], from `ffprobe`).

use std::path::Path;
use std::process::Command;

use anyhow::{Context, bail};
use bytes::Bytes;
use futures::Stream;
use serde::Deserialize;
use tokio_util::io::ReaderStream;

/// Default chunk size: what one read of an HTTP body or object-store stream typically
/// yields is 8–64 KiB; the upper end keeps the feeder's own cost out of the figures.
pub const DEFAULT_CHUNK: usize = 64 * 1024;

/// The file at `path` as a stream of chunks of at most `chunk` bytes, read as they are
/// consumed.
pub async fn chunks(
    path: &Path,
    chunk: usize,
) -> anyhow::Result<impl Stream<Item = Result<Bytes, std::io::Error>> + Send + 'static> {
    let file = tokio::fs::File::open(path)
        .await
        .with_context(|| format!("opening the source {}", path.display()))?;
    Ok(ReaderStream::with_capacity(file, chunk.max(1)))
}

/// What ffprobe says about the source, as both contenders will see it.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceInfo {
    /// Display width after rotation and pixel aspect ratio (what the ladder is planned on).
    pub width: u32,
    /// Display height after rotation.
    pub height: u32,
    /// Frames per second.
    pub fps: f64,
    /// Container duration, seconds.
    pub duration: f64,
    /// Whether there is an audio stream.
    pub has_audio: bool,
}

#[derive(Deserialize)]
struct Probe {
    #[serde(default)]
    streams: Vec<ProbeStream>,
    format: Option<ProbeFormat>,
}

#[derive(Deserialize)]
struct ProbeStream {
    codec_type: Option<String>,
    width: Option<u32>,
    height: Option<u32>,
    sample_aspect_ratio: Option<String>,
    avg_frame_rate: Option<String>,
    r_frame_rate: Option<String>,
    #[serde(default)]
    side_data_list: Vec<serde_json::Value>,
}

#[derive(Deserialize)]
struct ProbeFormat {
    duration: Option<String>,
}

/// Runs `ffprobe` on `path`.
pub fn probe(path: &Path) -> anyhow::Result<SourceInfo> {
    let out = crate::measure::tool_output(
        Command::new("ffprobe")
            .args([
                "-v",
                "error",
                "-print_format",
                "json",
                "-show_format",
                "-show_streams",
            ])
            .arg(path),
    )
    .with_context(|| format!("probing {}", path.display()))?;
    parse_probe(&out).with_context(|| format!("ffprobe's view of {}", path.display()))
}

/// Reads ffprobe's `-print_format json -show_format -show_streams` output.
pub fn parse_probe(json: &[u8]) -> anyhow::Result<SourceInfo> {
    let p: Probe = serde_json::from_slice(json).context("ffprobe JSON")?;
    let video = p
        .streams
        .iter()
        .find(|s| s.codec_type.as_deref() == Some("video"))
        .context("the source has no video stream (the benchmark needs one)")?;
    let (w, h) = match (video.width, video.height) {
        (Some(w), Some(h)) if w > 0 && h > 0 => (w, h),
        _ => bail!("the video stream has no picture size"),
    };
    let display_w = match video.sample_aspect_ratio.as_deref().and_then(ratio) {
        Some(par) if par > 0.0 => (f64::from(w) * par) as u32,
        _ => w,
    };
    let rotation = video
        .side_data_list
        .iter()
        .find_map(|d| d.get("rotation").and_then(serde_json::Value::as_i64))
        .unwrap_or(0);
    let (width, height) = if rotation.rem_euclid(180) == 90 {
        (h, display_w)
    } else {
        (display_w, h)
    };
    let fps = [&video.avg_frame_rate, &video.r_frame_rate]
        .into_iter()
        .filter_map(|r| r.as_deref().and_then(ratio))
        .find(|f| f.is_finite() && *f > 0.0)
        .context("the video stream has no frame rate")?;
    let duration = p
        .format
        .and_then(|f| f.duration)
        .and_then(|d| d.parse::<f64>().ok())
        .filter(|d| d.is_finite() && *d > 0.0)
        .context("the container declares no duration")?;
    Ok(SourceInfo {
        width,
        height,
        fps,
        duration,
        has_audio: p
            .streams
            .iter()
            .any(|s| s.codec_type.as_deref() == Some("audio")),
    })
}

/// `"30000/1001"` or `"16:9"` → the quotient; `None` for `0/0` and the like.
fn ratio(text: &str) -> Option<f64> {
    let (n, d) = text.split_once(['/', ':'])?;
    let (n, d): (f64, f64) = (n.parse().ok()?, d.parse().ok()?);
    (d != 0.0).then(|| n / d)
}

#[cfg(test)]
mod tests {
    use futures::StreamExt;

    use super::*;

    #[test]
    fn a_landscape_source_with_audio() {
        let json = br#"{"streams":[
            {"codec_type":"video","width":1920,"height":1080,"sample_aspect_ratio":"1:1",
             "avg_frame_rate":"30/1","r_frame_rate":"30/1"},
            {"codec_type":"audio"}],
            "format":{"duration":"60.000000"}}"#;
        let info = parse_probe(json).unwrap();
        assert_eq!(
            info,
            SourceInfo {
                width: 1920,
                height: 1080,
                fps: 30.0,
                duration: 60.0,
                has_audio: true
            }
        );
    }

    #[test]
    fn rotation_and_pixel_aspect_give_the_upright_display_size() {
        let json = br#"{"streams":[
            {"codec_type":"video","width":1440,"height":1080,"sample_aspect_ratio":"4:3",
             "avg_frame_rate":"0/0","r_frame_rate":"30000/1001",
             "side_data_list":[{"side_data_type":"Display Matrix","rotation":-90}]}],
            "format":{"duration":"10.5"}}"#;
        let info = parse_probe(json).unwrap();
        assert_eq!((info.width, info.height), (1080, 1920));
        assert!((info.fps - 29.97).abs() < 0.01);
        assert!(!info.has_audio);
    }

    #[test]
    fn a_source_without_video_or_duration_is_refused() {
        assert!(
            parse_probe(br#"{"streams":[{"codec_type":"audio"}],"format":{"duration":"1"}}"#)
                .is_err()
        );
        assert!(
            parse_probe(
                br#"{"streams":[{"codec_type":"video","width":2,"height":2,"avg_frame_rate":"1/1"}],"format":{}}"#
            )
            .is_err()
        );
    }

    #[tokio::test]
    async fn the_file_arrives_whole_in_bounded_chunks() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("src.bin");
        let data: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        std::fs::write(&path, &data).unwrap();
        let mut got = Vec::new();
        let mut stream = std::pin::pin!(chunks(&path, 4096).await.unwrap());
        while let Some(c) = stream.next().await {
            let c = c.unwrap();
            assert!(!c.is_empty() && c.len() <= 4096);
            got.extend_from_slice(&c);
        }
        assert_eq!(got, data);
    }
}
