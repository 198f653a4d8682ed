//! Owns [`MediaMetadata`] and how it is filled from what the pipeline already sees, always
//! from the source's side of the graph, never from our encoders': typefind's caps
//! (container), the caps each decoded stream was decoded from (codec names, through
//! pbutils' descriptions), that stream's tags on decodebin's pad (container name, bit
//! rates, rotation) and the decoded caps (size, frame rate).
//!
//! Why caps and not the bus's tag messages: only sinks post those, so they describe
//! what reaches our sinks. The audio gets there only through our AAC encoder, which (as
//! every GstAudioEncoder) drops upstream codec tags, and whatever follows an encoder of
//! ours is tagged by it or by our parsers. The caps name the source's codec even when
//! its demuxer tags nothing (tsdemux), in the words demuxers use for their tags
//! (`MPEG-4 AAC`).
//!
//! Why not the pbutils Discoverer: it reads a URI, so it would need the source a second
//! time (or a file); the same facts are in the transcode's own graph for free.

use std::time::Duration;

use gstreamer as gst;

/// What we know about a source after transcoding it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MediaMetadata {
    /// Decoded duration (first to last decoded timestamp).
    pub duration: Duration,
    /// Container media type from typefind (`video/quicktime`, `video/mpegts`, ...).
    pub container: Option<String>,
    /// Container name (`ISO MP4/M4A`, `MPEG-2 Transport Stream`) as the demuxer tags it,
    /// else as typefind's caps are described; none for an elementary stream (an .mp3).
    pub container_format: Option<String>,
    /// The source's video codec (`H.264 (High Profile)`, `On2 VP8`), not ours.
    pub video_codec: Option<String>,
    /// The source's audio codec (`MPEG-4 AAC`, `Opus`), not ours.
    pub audio_codec: Option<String>,
    /// Display width after rotation and pixel aspect ratio.
    pub width: Option<u32>,
    /// Display height after rotation.
    pub height: Option<u32>,
    /// Frames per second (none for variable frame rate sources).
    pub frame_rate: Option<f64>,
    /// The source's video bit rate as its demuxer or parser tags it, bits per second.
    pub video_bitrate: Option<u32>,
    /// The source's audio bit rate as its demuxer or parser tags it, bits per second.
    pub audio_bitrate: Option<u32>,
    /// Whole-source bit rate: source bytes × 8 / duration.
    pub bitrate: Option<u64>,
    /// Clockwise rotation in degrees from the `image-orientation` tag (0, 90, 180, 270).
    pub rotation: u32,
    /// Source size in bytes.
    pub source_bytes: u64,
}

/// Which of the source's streams a fact is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StreamKind {
    /// The video stream we transcode.
    Video,
    /// The audio stream we transcode.
    Audio,
}

impl MediaMetadata {
    /// Records typefind's verdict on the whole source: its media type and name.
    pub(crate) fn set_container(&mut self, caps: &gst::CapsRef) {
        if let Some(st) = caps.structure(0) {
            self.container = Some(st.name().to_string());
            self.container_format = describe(caps);
        }
    }

    /// Names the codec of one source stream from the caps it is decoded from.
    pub(crate) fn set_codec(&mut self, kind: StreamKind, caps: &gst::CapsRef) {
        let Some(name) = describe(caps) else { return };
        // An elementary stream (an .mp3, ADTS AAC) has no container: typefind found the
        // codec itself.
        if caps.structure(0).map(|s| s.name().as_str()) == self.container.as_deref() {
            self.container_format = None;
        }
        match kind {
            StreamKind::Video => self.video_codec = Some(name),
            StreamKind::Audio => self.audio_codec = Some(name),
        }
    }

    /// Merges the tags that travel with one of the source's decoded streams. The
    /// demuxer's container name beats typefind's (it read the brand: `ISO MP4/M4A`
    /// where typefind says `Quicktime`). Bit rates are taken from stream-scope tags only
    /// (a global one is the whole file's), the latest winning: parsers refine their
    /// estimate as they go.
    pub(crate) fn add_source_tags(&mut self, kind: StreamKind, tags: &gst::TagListRef) {
        use gst::tags;
        if let Some(format) = tags.get::<tags::ContainerFormat>() {
            self.container_format = Some(format.get().to_string());
        }
        if tags.scope() != gst::TagScope::Stream {
            return;
        }
        let rate = tags
            .get::<tags::Bitrate>()
            .map(|v| v.get())
            .or_else(|| tags.get::<tags::NominalBitrate>().map(|v| v.get()))
            .filter(|r| *r > 0);
        if rate.is_some() {
            match kind {
                StreamKind::Video => self.video_bitrate = rate,
                StreamKind::Audio => self.audio_bitrate = rate,
            }
        }
    }
}

/// pbutils' human-readable name for fixed caps (`H.264 (High Profile)`, `MPEG-4 AAC`,
/// `ISO MP4/M4A`); it refuses caps that are not fixed.
fn describe(caps: &gst::CapsRef) -> Option<String> {
    caps.is_fixed()
        .then(|| gstreamer_pbutils::pb_utils_get_codec_description(caps).to_string())
}

/// The caps a stream decodebin exposes on `pad` was decoded from: walking upstream
/// inside decodebin, the input of the first decoder met (the parser's output, e.g.
/// `video/x-h264, profile=high`), or the demuxer's output for a stream stored raw (PCM in
/// WAV). `None` if the chain cannot be followed (then the codec stays unnamed).
pub(crate) fn decoded_from(pad: &gst::Pad) -> Option<gst::Caps> {
    use gst::prelude::*;
    let mut src = match pad.downcast_ref::<gst::GhostPad>() {
        Some(ghost) => ghost.target()?,
        None => pad.clone(),
    };
    // decodebin chains are short (demuxer, multiqueue, parser, capsfilter, decoder).
    for _ in 0..16 {
        let element = src.parent_element()?;
        let klass = element
            .factory()
            .and_then(|f| f.metadata(gst::ELEMENT_METADATA_KLASS).map(String::from))
            .unwrap_or_default();
        // The pad of an element that turns one stream into another (queue, parser,
        // decoder) leads to the sink pad it is fed from.
        let sink = src.iterate_internal_links().next().ok().flatten();
        if klass.contains("Decoder") {
            return sink?.current_caps();
        }
        if klass.contains("Demux") {
            return src.current_caps();
        }
        src = sink?.peer()?;
    }
    None
}

/// `rotate-90` → 90; flips and unknown values → 0 (videoflip still applies flips).
pub(crate) fn rotation_degrees(orientation: &str) -> u32 {
    match orientation {
        "rotate-90" => 90,
        "rotate-180" => 180,
        "rotate-270" => 270,
        _ => 0,
    }
}
