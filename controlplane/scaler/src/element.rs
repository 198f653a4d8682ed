//! The `armoricorescale` element: a `GstVideoFilter` that scales I420 frames with
//! [`Scaler`] (libswscale, bilinear). It does what `videoscale` does in the media pipeline
//! (any size in, the size downstream asks for out, everything else in the caps unchanged)
//! with the scaler ffmpeg's ladder uses, which takes about two thirds of `videoscale`'s CPU
//! for the same frames (docs/benchmarks/media.md). Same size in and out passes through.

use std::sync::{LazyLock, Mutex, MutexGuard, PoisonError};

use gst::glib;
use gst::subclass::prelude::*;
use gst_base::subclass::prelude::*;
use gst_video::prelude::*;
use gst_video::subclass::prelude::*;

use crate::swscale::{Planes, Scaler};

static CAT: LazyLock<gst::DebugCategory> = LazyLock::new(|| {
    gst::DebugCategory::new(
        "armoricorescale",
        gst::DebugColorFlags::empty(),
        Some("I420 scaler on libswscale"),
    )
});

/// The element's implementation.
#[derive(Default)]
pub struct Scale {
    scaler: Mutex<Option<Scaler>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

#[glib::object_subclass]
impl ObjectSubclass for Scale {
    const NAME: &'static str = "ArmoricoreScale";
    type Type = super::Scale;
    type ParentType = gst_video::VideoFilter;
}

impl ObjectImpl for Scale {}

impl GstObjectImpl for Scale {}

impl ElementImpl for Scale {
    fn metadata() -> Option<&'static gst::subclass::ElementMetadata> {
        static METADATA: LazyLock<gst::subclass::ElementMetadata> = LazyLock::new(|| {
            gst::subclass::ElementMetadata::new(
                "Video scaler (libswscale, bilinear)",
                "Filter/Converter/Video/Scaler",
                "Scales I420 video with libswscale's bilinear scaler",
                "Armoricore",
            )
        });
        Some(&*METADATA)
    }

    fn pad_templates() -> &'static [gst::PadTemplate] {
        static TEMPLATES: LazyLock<Vec<gst::PadTemplate>> = LazyLock::new(|| {
            let caps = gst_video::VideoCapsBuilder::new()
                .format(gst_video::VideoFormat::I420)
                .build();
            [gst::PadDirection::Sink, gst::PadDirection::Src]
                .into_iter()
                .filter_map(|direction| {
                    let name = if direction == gst::PadDirection::Sink {
                        "sink"
                    } else {
                        "src"
                    };
                    gst::PadTemplate::new(name, direction, gst::PadPresence::Always, &caps).ok()
                })
                .collect()
        });
        TEMPLATES.as_ref()
    }
}

impl BaseTransformImpl for Scale {
    const MODE: gst_base::subclass::BaseTransformMode =
        gst_base::subclass::BaseTransformMode::NeverInPlace;
    const PASSTHROUGH_ON_SAME_CAPS: bool = true;
    const TRANSFORM_IP_ON_PASSTHROUGH: bool = false;

    /// Either side may have any size and pixel aspect ratio; the rest of the caps (format,
    /// frame rate, colorimetry, chroma site) is the other side's. The unscaled caps come
    /// first, so that same size is preferred (pass-through).
    fn transform_caps(
        &self,
        _direction: gst::PadDirection,
        caps: &gst::Caps,
        filter: Option<&gst::Caps>,
    ) -> Option<gst::Caps> {
        let mut scaled = caps.clone();
        for s in scaled.make_mut().iter_mut() {
            s.set("width", gst::IntRange::new(1, i32::MAX));
            s.set("height", gst::IntRange::new(1, i32::MAX));
            s.remove_field("pixel-aspect-ratio");
        }
        let mut out = caps.clone();
        out.merge(scaled);
        Some(match filter {
            Some(f) => f.intersect_with_mode(&out, gst::CapsIntersectMode::First),
            None => out,
        })
    }
}

impl VideoFilterImpl for Scale {
    fn set_info(
        &self,
        _incaps: &gst::Caps,
        in_info: &gst_video::VideoInfo,
        _outcaps: &gst::Caps,
        out_info: &gst_video::VideoInfo,
    ) -> Result<(), gst::LoggableError> {
        let from = (in_info.width(), in_info.height());
        let to = (out_info.width(), out_info.height());
        let scaler = if from == to {
            None
        } else {
            Some(Scaler::new(from, to).map_err(|e| gst::loggable_error!(CAT, "{e}"))?)
        };
        gst::debug!(CAT, imp = self, "{from:?} -> {to:?}");
        *lock(&self.scaler) = scaler;
        Ok(())
    }

    fn transform_frame(
        &self,
        inframe: &gst_video::VideoFrameRef<&gst::BufferRef>,
        outframe: &mut gst_video::VideoFrameRef<&mut gst::BufferRef>,
    ) -> Result<gst::FlowSuccess, gst::FlowError> {
        let mut guard = lock(&self.scaler);
        let Some(scaler) = guard.as_mut() else {
            // Same size, but caps that differ elsewhere (the pixel aspect ratio), so not
            // passed through: the picture is copied as it is.
            return inframe
                .copy(outframe)
                .map(|()| gst::FlowSuccess::Ok)
                .map_err(|_| gst::FlowError::Error);
        };
        let stride = |s: i32| usize::try_from(s).unwrap_or(0);
        let src = Planes {
            data: [0, 1, 2].map(|p| inframe.plane_data(p).unwrap_or(&[])),
            strides: [0, 1, 2].map(|p| stride(inframe.plane_stride()[p])),
        };
        let dst_strides = [0, 1, 2].map(|p| stride(outframe.plane_stride()[p]));
        let [y, u, v, _] = outframe.planes_data_mut();
        let mut dst = Planes {
            data: [y, u, v],
            strides: dst_strides,
        };
        scaler.scale(&src, &mut dst).map_err(|e| {
            gst::element_imp_error!(self, gst::StreamError::Failed, ["{e}"]);
            gst::FlowError::Error
        })?;
        Ok(gst::FlowSuccess::Ok)
    }
}
