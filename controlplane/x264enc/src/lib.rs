//! `armoricorex264enc`, an H.264 encoder element on libx264 for the media pipeline.
//!
//! Why our own element instead of GStreamer's x264enc: x264enc (GStreamer 1.22) keeps every
//! raw frame until x264 hands the frame back encoded, although x264 copied it on
//! submission; on a four-rung 1080p ladder that is 12-16 ladder frames (5.45 MB each) held
//! for nothing, the difference between our peak memory and ffmpeg's
//! (docs/benchmarks/media.md). The element releases each frame as soon as x264 has it.
//! Everything else follows x264enc: the same x264 parameters in the same order, so streams
//! are unchanged.
//!
//! - `ffi`: generated libx264 bindings (build 164).
//! - `encoder`: the safe wrapper around one x264 encoder.
//! - `element`: the `GstVideoEncoder` subclass.

mod element;
pub mod encoder;
mod ffi;

use gst::glib;
use gst::prelude::*;

glib::wrapper! {
    /// The element's public type.
    pub struct X264Enc(ObjectSubclass<element::X264Enc>)
        @extends gst_video::VideoEncoder, gst::Element, gst::Object;
}

/// The factory name pipelines create the element by.
pub const FACTORY_NAME: &str = "armoricorex264enc";

/// Registers the element with GStreamer (call after `gst::init`; calling again is harmless).
pub fn register() -> Result<(), glib::BoolError> {
    gst::Element::register(None, FACTORY_NAME, gst::Rank::NONE, X264Enc::static_type())
}
