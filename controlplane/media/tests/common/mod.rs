//! Test support: sources generated at test time by GStreamer itself into memory, a local
//! object store in a temp dir, and ffprobe over stdin (no media file is committed).
#![allow(dead_code, clippy::unwrap_used)] // test support may unwrap: a panic is the failure report

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;

use bytes::Bytes;
use futures::stream::{self, BoxStream, StreamExt};
use gio::prelude::*;
use gstreamer as gst;
use gstreamer::prelude::*;
use gstreamer_app as gst_app;

/// Runs `desc` (which must end in `appsink name=out`) and returns everything the appsink got.
pub fn generate(desc: &str) -> Vec<u8> {
    gst::init().unwrap();
    let pipeline = gst::parse::launch(desc)
        .unwrap()
        .downcast::<gst::Pipeline>()
        .unwrap();
    let sink = pipeline
        .by_name("out")
        .unwrap()
        .downcast::<gst_app::AppSink>()
        .unwrap();
    sink.set_property("sync", false);
    pipeline.set_state(gst::State::Playing).unwrap();
    let mut out = Vec::new();
    while let Ok(sample) = sink.pull_sample() {
        let buf = sample.buffer().unwrap();
        out.extend_from_slice(&buf.map_readable().unwrap());
    }
    let bus = pipeline.bus().unwrap();
    if let Some(msg) = bus.pop_filtered(&[gst::MessageType::Error]) {
        panic!("generating a source failed: {msg:?}");
    }
    pipeline.set_state(gst::State::Null).unwrap();
    assert!(!out.is_empty(), "generator produced nothing: {desc}");
    out
}

/// 1280x720 30 fps H.264 + stereo AAC 48 kHz, ~6.0 s, fragmented MP4.
pub fn av_720p_mp4() -> Vec<u8> {
    generate(
        "mp4mux name=m fragment-duration=1000 ! appsink name=out \
         videotestsrc num-buffers=180 pattern=ball ! video/x-raw,width=1280,height=720,framerate=30/1 \
           ! x264enc speed-preset=ultrafast ! h264parse ! queue ! m. \
         audiotestsrc num-buffers=282 samplesperbuffer=1024 ! audio/x-raw,rate=48000,channels=2 \
           ! avenc_aac ! aacparse ! queue ! m.",
    )
}

/// The same content as a regular (non-fragmented) MP4, written by mp4mux into a
/// seekable in-memory gio stream: `moov` at the end, or first with `faststart` (mp4mux
/// then stages the media data in a temp file, which only this generator does).
pub fn av_720p_regular_mp4(faststart: bool) -> Vec<u8> {
    gst::init().unwrap();
    let desc = format!(
        "mp4mux name=m faststart={faststart} ! giostreamsink name=out \
         videotestsrc num-buffers=180 pattern=ball ! video/x-raw,width=1280,height=720,framerate=30/1 \
           ! x264enc speed-preset=ultrafast ! h264parse ! queue ! m. \
         audiotestsrc num-buffers=282 samplesperbuffer=1024 ! audio/x-raw,rate=48000,channels=2 \
           ! avenc_aac ! aacparse ! queue ! m."
    );
    let pipeline = gst::parse::launch(&desc)
        .unwrap()
        .downcast::<gst::Pipeline>()
        .unwrap();
    let memory = gio::MemoryOutputStream::new_resizable();
    pipeline
        .by_name("out")
        .unwrap()
        .set_property("stream", memory.clone().upcast::<gio::OutputStream>());
    pipeline.set_state(gst::State::Playing).unwrap();
    let bus = pipeline.bus().unwrap();
    let msg = bus
        .timed_pop_filtered(
            gst::ClockTime::from_seconds(60),
            &[gst::MessageType::Eos, gst::MessageType::Error],
        )
        .expect("generator finished");
    assert!(matches!(msg.view(), gst::MessageView::Eos(_)), "{msg:?}");
    pipeline.set_state(gst::State::Null).unwrap();
    memory.close(gio::Cancellable::NONE).unwrap();
    memory.steal_as_bytes().to_vec()
}

/// Same as [`av_720p_mp4`] but a plain MP4 with the `moov` box at the end is not
/// possible into an appsink; this is the MPEG-TS variant of it.
pub fn video_only_ts(width: u32, height: u32, frames: u32) -> Vec<u8> {
    generate(&format!(
        "videotestsrc num-buffers={frames} pattern=smpte ! video/x-raw,width={width},height={height},framerate=25/1 \
         ! x264enc speed-preset=ultrafast ! h264parse ! mpegtsmux ! appsink name=out"
    ))
}

/// A 640x360 25 fps video-only fragmented MP4 whose track matrix says "rotate 90°
/// clockwise", as a phone held upright records it. mp4mux 1.22 does not write the
/// rotation tag, so the matrix in `tkhd` is patched (version 0 box: the matrix starts
/// 40 bytes after the box type).
pub fn rotated_mp4() -> Vec<u8> {
    let mut data = generate(
        "videotestsrc num-buffers=75 pattern=smpte ! video/x-raw,width=640,height=360,framerate=25/1 \
         ! x264enc speed-preset=ultrafast ! h264parse ! mp4mux fragment-duration=1000 ! appsink name=out",
    );
    let at = data.windows(4).position(|w| w == b"tkhd").unwrap();
    assert_eq!(data[at + 4], 0, "tkhd version 0");
    let matrix: [u32; 9] = [0, 0x0001_0000, 0, 0xffff_0000, 0, 0, 0, 0, 0x4000_0000];
    for (i, v) in matrix.iter().enumerate() {
        let o = at + 44 + i * 4;
        data[o..o + 4].copy_from_slice(&v.to_be_bytes());
    }
    data
}

/// Stereo AAC 48 kHz, ~5.0 s, MPEG-TS.
pub fn audio_only_ts() -> Vec<u8> {
    generate(
        "audiotestsrc num-buffers=235 samplesperbuffer=1024 ! audio/x-raw,rate=48000,channels=2 \
         ! avenc_aac ! aacparse ! mpegtsmux ! appsink name=out",
    )
}

/// A source stream that yields `data` in 64 KiB chunks, as an upload would arrive.
pub fn chunks(data: Vec<u8>) -> BoxStream<'static, Result<Bytes, std::io::Error>> {
    let data = Bytes::from(data);
    let pieces: Vec<Result<Bytes, std::io::Error>> = (0..data.len())
        .step_by(64 * 1024)
        .map(|i| Ok(data.slice(i..(i + 64 * 1024).min(data.len()))))
        .collect();
    stream::iter(pieces).boxed()
}

/// A local object store in a fresh temp dir, and the sink for `media_id` over it.
pub fn local_sink(media_id: &str) -> (tempfile::TempDir, Arc<media::ObjectStoreSink>) {
    let dir = tempfile::tempdir().unwrap();
    let sink = sink_at(dir.path(), media_id);
    (dir, sink)
}

/// The sink for `media_id` in a local store rooted at `root`.
pub fn sink_at(root: &Path, media_id: &str) -> Arc<media::ObjectStoreSink> {
    let objects = objstore::Objects::open(&objstore::ObjectStoreConfig::local(root)).unwrap();
    Arc::new(media::ObjectStoreSink::new(objects, media_id).unwrap())
}

/// Where `path` of `media_id` lands in a local store rooted at `root`.
pub fn stored(root: &Path, media_id: &str, path: &str) -> PathBuf {
    root.join("media").join(media_id).join(path)
}

/// ffprobe's JSON for `bytes`. They go through a file in the test's own temp dir:
/// ffprobe cannot give an MPEG-TS duration from a pipe.
pub fn ffprobe(bytes: &[u8], extra: &[&str]) -> serde_json::Value {
    let mut file = tempfile::NamedTempFile::new().unwrap();
    file.write_all(bytes).unwrap();
    let out = Command::new("ffprobe")
        .args(["-v", "error", "-of", "json"])
        .args(extra)
        .arg(file.path())
        .stdin(Stdio::null())
        .output()
        .expect("ffprobe is installed (deploy/bootstrap.sh test-deps)");
    assert!(
        out.status.success(),
        "ffprobe failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// (codec names, width, height, duration seconds) of a stream of bytes.
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

/// Whether the first video frame of a TS segment is a keyframe.
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
