//! `armoricoreh264dec`, an H.264 decoder element on libavcodec for the media pipeline.
//!
//! Why our own element instead of avdec_h264: GStreamer 1.22's avdec_h264 pushes buffers
//! that libav still references, so `GstVideoDecoder` copies every decoded picture (3.1 MB
//! per 1080p frame) before it goes downstream. ffmpeg hands the same pictures on by
//! reference. This element does too: libav's planes go downstream as read-only memories
//! that keep the picture alive, described by a `GstVideoMeta` (docs/benchmarks/media.md).
//! It takes the 8-bit 4:2:0 profiles only and registers above avdec_h264, which decodebin
//! still plugs for everything else.
//!
//! - `ffi`: generated libavcodec/libavutil bindings (FFmpeg 5.1).
//! - `decoder`: the safe wrapper around one libavcodec H.264 decoder.
//! - `element`: the `GstVideoDecoder` subclass.

pub mod decoder;
mod element;
mod ffi;

use gst::glib;
use gst::prelude::*;

glib::wrapper! {
    /// The element's public type.
    pub struct H264Dec(ObjectSubclass<element::H264Dec>)
        @extends gst_video::VideoDecoder, gst::Element, gst::Object;
}

/// The factory name pipelines create the element by.
pub const FACTORY_NAME: &str = "armoricoreh264dec";

/// Registers the element with GStreamer (call after `gst::init`; calling again is
/// harmless), one rank above avdec_h264 so that `decodebin` prefers it for the streams its
/// caps accept.
pub fn register() -> Result<(), glib::BoolError> {
    gst::Element::register(
        None,
        FACTORY_NAME,
        gst::Rank::PRIMARY + 1,
        H264Dec::static_type(),
    )
}
