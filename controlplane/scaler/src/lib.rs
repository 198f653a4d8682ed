//! `armoricorescale`, an I420 video scaler element on libswscale for the media pipeline.
//!
//! Why our own element instead of videoscale: each rung of the ladder is scaled from the
//! next larger one, and GStreamer 1.22's `videoscale` (bilinear, its ORC path) takes about
//! 1.5x the CPU of libswscale's bilinear scaler for the same frames (60 s 1080p source to
//! 720p: 3.9 against 2.6 CPU s, docs/benchmarks/media.md), which is what ffmpeg's ladder
//! uses. The element is a thin `GstVideoFilter` around it.
//!
//! - `ffi`: generated libswscale bindings (FFmpeg 5.1).
//! - `swscale`: the safe wrapper around one scaling context.
//! - `element`: the `GstVideoFilter` subclass.

mod element;
mod ffi;
pub mod swscale;

use gst::glib;
use gst::prelude::*;

glib::wrapper! {
    /// The element's public type.
    pub struct Scale(ObjectSubclass<element::Scale>)
        @extends gst_video::VideoFilter, gst_base::BaseTransform, gst::Element, gst::Object;
}

/// The factory name pipelines create the element by.
pub const FACTORY_NAME: &str = "armoricorescale";

/// Registers the element with GStreamer (call after `gst::init`; calling again is
/// harmless). Rank none: pipelines ask for it by name.
pub fn register() -> Result<(), glib::BoolError> {
    gst::Element::register(None, FACTORY_NAME, gst::Rank::NONE, Scale::static_type())
}
