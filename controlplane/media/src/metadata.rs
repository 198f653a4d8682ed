//! Owns [`MediaMetadata`] and how it is filled from what the pipeline already sees:
//! typefind's caps (container), stream tags (codec names, bit rates, rotation) and the
//! decoded caps (size, frame rate, audio format).
//!
//! Why not the pbutils Discoverer: it reads a URI, so it would need the source a second
//! time (or a file); the same facts arrive on the transcode's own bus for free.

use std::time::Duration;

use gstreamer as gst;

/// What we know about a source after transcoding it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MediaMetadata {
    /// Decoded duration (first to last decoded timestamp).
    pub duration: Duration,
    /// Container media type from typefind (`video/quicktime`, `video/mpegts`, ...).
    pub container: Option<String>,
    /// Container name from tags, when the demuxer gives one (`ISO MP4/M4A`).
    pub container_format: Option<String>,
    /// Video codec as tagged (`H.264 / AVC`).
    pub video_codec: Option<String>,
    /// Audio codec as tagged (`MPEG-4 AAC`).
    pub audio_codec: Option<String>,
    /// Display width after rotation and pixel aspect ratio.
    pub width: Option<u32>,
    /// Display height after rotation.
    pub height: Option<u32>,
    /// Frames per second (none for variable frame rate sources).
    pub frame_rate: Option<f64>,
    /// Video bit rate as tagged, bits per second.
    pub video_bitrate: Option<u32>,
    /// Audio bit rate as tagged, bits per second.
    pub audio_bitrate: Option<u32>,
    /// Whole-source bit rate: source bytes × 8 / duration.
    pub bitrate: Option<u64>,
    /// Clockwise rotation in degrees from the `image-orientation` tag (0, 90, 180, 270).
    pub rotation: u32,
    /// Source size in bytes.
    pub source_bytes: u64,
}

impl MediaMetadata {
    /// Merges a tag list posted on the bus.
    pub(crate) fn add_tags(&mut self, tags: &gst::TagList) {
        use gst::tags;
        let video = tags.get::<tags::VideoCodec>().map(|v| v.get().to_string());
        let audio = tags.get::<tags::AudioCodec>().map(|v| v.get().to_string());
        let rate = tags
            .get::<tags::Bitrate>()
            .map(|v| v.get())
            .or_else(|| tags.get::<tags::NominalBitrate>().map(|v| v.get()))
            .filter(|r| *r > 0);
        if let Some(v) = video {
            self.video_codec.get_or_insert(v);
            if rate.is_some() && self.video_bitrate.is_none() {
                self.video_bitrate = rate;
            }
        }
        if let Some(a) = audio {
            self.audio_codec.get_or_insert(a);
            if rate.is_some() && self.audio_bitrate.is_none() {
                self.audio_bitrate = rate;
            }
        }
        if let Some(c) = tags.get::<tags::ContainerFormat>() {
            self.container_format.get_or_insert(c.get().to_string());
        }
        if let Some(o) = tags.get::<tags::ImageOrientation>() {
            self.rotation = rotation_degrees(o.get());
        }
    }
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
