//! Test support: sources generated at test time by GStreamer itself into memory, a local
//! object store in a temp dir, and ffprobe (from `testkit::hls`, which also checks whole
//! HLS outputs); no media file is committed.
// Each test binary uses a part of this; a panic is the failure report.
#![allow(dead_code, unused_imports, clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::sync::Arc;

use bytes::Bytes;
use futures::stream::{self, BoxStream, StreamExt};
use gio::prelude::*;
use gstreamer as gst;
use gstreamer::prelude::*;
use gstreamer_app as gst_app;
// ffprobe over a temp file, the streams of some bytes and the keyframe check are shared
// with the node's end-to-end tests.
pub use testkit::hls::{self, ffprobe, probe_streams, starts_with_keyframe};

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

/// 320x240 25 fps VP8 + stereo Opus 48 kHz, 2.0 s, streamable WebM: codecs we never
/// encode, so the metadata can only have named them from the source.
pub fn vp8_opus_webm() -> Vec<u8> {
    generate(
        "webmmux name=m streamable=true ! appsink name=out \
         videotestsrc num-buffers=50 pattern=ball ! video/x-raw,width=320,height=240,framerate=25/1 \
           ! vp8enc deadline=1 ! queue ! m. \
         audiotestsrc num-buffers=100 samplesperbuffer=960 ! audio/x-raw,rate=48000,channels=2 \
           ! audioconvert ! opusenc ! queue ! m.",
    )
}

/// Stereo MP3 44.1 kHz, ~3.0 s, as a bare elementary stream (an .mp3 file, no ID3 tag).
pub fn mp3() -> Vec<u8> {
    generate(
        "audiotestsrc num-buffers=130 samplesperbuffer=1024 ! audio/x-raw,rate=44100,channels=2 \
         ! audioconvert ! lamemp3enc ! mpegaudioparse ! appsink name=out",
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

/// Checks the whole HLS output of `media_id` in a local store rooted at `root`
/// (playlists, segments, ffprobe of every rendition, thumbnails): see `testkit::hls`.
pub fn verify_output(root: &Path, media_id: &str, expect: &hls::Expect) -> hls::Found {
    hls::verify(&hls::LocalDir(root.join("media").join(media_id)), expect)
}
