//! The `armoricoreh264dec` element: a `GstVideoDecoder` on [`Decoder`] for 8-bit 4:2:0 H.264,
//! with one difference from avdec_h264 that is the reason it exists. GStreamer 1.22's
//! avdec_h264 pushes buffers libav still references, so the base class copies every
//! decoded picture before it goes downstream (`GST_DEBUG=GST_PERFORMANCE:7` shows one
//! whole-frame copy per picture). This element wraps libav's planes as read-only memories
//! that hold a reference to the picture, described by a `GstVideoMeta`: nothing is copied,
//! and the planes go back to libav's pool when the last downstream user lets go. Only when
//! downstream cannot read a `GstVideoMeta` does it copy into a buffer of the default layout.
//!
//! Its sink caps cover the 8-bit 4:2:0 profiles only, so `decodebin` (which picks it over
//! avdec_h264 by rank) still plugs avdec_h264 for 10-bit, 4:2:2 and 4:4:4 streams.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, LazyLock, Mutex, MutexGuard, PoisonError};

use gst::glib;
use gst::prelude::*;
use gst::subclass::prelude::*;
use gst_video::prelude::*;
use gst_video::subclass::prelude::*;

use crate::decoder::{ChromaSite, Colour, Decoder, DecoderError, Picture};

static CAT: LazyLock<gst::DebugCategory> = LazyLock::new(|| {
    gst::DebugCategory::new(
        "armoricoreh264dec",
        gst::DebugColorFlags::empty(),
        Some("H.264 decoder on libavcodec that passes pictures by reference"),
    )
});

/// A frame still pending this many frames after the one just output can no longer be in
/// the decoder (H.264 holds at most 16 pictures for reordering): libav dropped it as
/// undecodable, so it is released rather than kept until the end of the stream.
const STALE_FRAME_DISTANCE: u32 = 48;

/// The profiles whose pictures are 8-bit 4:2:0.
const PROFILES: [&str; 7] = [
    "constrained-baseline",
    "baseline",
    "main",
    "extended",
    "high",
    "progressive-high",
    "constrained-high",
];

/// What the output caps are derived from; a change renegotiates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct OutputShape {
    width: u32,
    height: u32,
    colour: Colour,
}

struct State {
    decoder: Decoder,
    input: gst_video::VideoCodecState<'static, gst_video::video_codec_state::Readable>,
    output: Option<OutputShape>,
}

/// The element's implementation.
#[derive(Default)]
pub struct H264Dec {
    /// `max-threads`: libav's decoding threads, 0 for its own choice (avdec_h264's meaning).
    max_threads: Mutex<i32>,
    state: Mutex<Option<State>>,
    /// Downstream reads `GstVideoMeta`, so planes can go out where libav put them.
    video_meta: AtomicBool,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

#[glib::object_subclass]
impl ObjectSubclass for H264Dec {
    const NAME: &'static str = "ArmoricoreH264Dec";
    type Type = super::H264Dec;
    type ParentType = gst_video::VideoDecoder;
}

impl ObjectImpl for H264Dec {
    fn properties() -> &'static [glib::ParamSpec] {
        static PROPERTIES: LazyLock<Vec<glib::ParamSpec>> = LazyLock::new(|| {
            vec![
                glib::ParamSpecInt::builder("max-threads")
                    .nick("Maximum decode threads")
                    .blurb("libav's decoding threads (0: as many as it picks)")
                    .minimum(0)
                    .maximum(64)
                    .default_value(0)
                    .build(),
            ]
        });
        PROPERTIES.as_ref()
    }

    fn set_property(&self, _id: usize, value: &glib::Value, pspec: &glib::ParamSpec) {
        if pspec.name() == "max-threads" {
            // Type-checked by GObject against the spec above.
            *lock(&self.max_threads) = value.get().unwrap_or(0);
        }
    }

    fn property(&self, _id: usize, pspec: &glib::ParamSpec) -> glib::Value {
        match pspec.name() {
            "max-threads" => lock(&self.max_threads).to_value(),
            _ => pspec.default_value().clone(),
        }
    }
}

impl GstObjectImpl for H264Dec {}

impl ElementImpl for H264Dec {
    fn metadata() -> Option<&'static gst::subclass::ElementMetadata> {
        static METADATA: LazyLock<gst::subclass::ElementMetadata> = LazyLock::new(|| {
            gst::subclass::ElementMetadata::new(
                "H.264 decoder (libavcodec, pictures by reference)",
                "Codec/Decoder/Video",
                "8-bit 4:2:0 H.264 decoder on libavcodec that passes decoded pictures downstream without copying them",
                "Armoricore",
            )
        });
        Some(&*METADATA)
    }

    fn pad_templates() -> &'static [gst::PadTemplate] {
        static TEMPLATES: LazyLock<Vec<gst::PadTemplate>> = LazyLock::new(|| {
            let sink = gst::Caps::builder("video/x-h264")
                .field("stream-format", "byte-stream")
                .field("alignment", "au")
                .field("profile", gst::List::new(PROFILES))
                .field("chroma-format", "4:2:0")
                .field("bit-depth-luma", 8u32)
                .field("bit-depth-chroma", 8u32)
                .build();
            let src = gst_video::VideoCapsBuilder::new()
                .format(gst_video::VideoFormat::I420)
                .build();
            [
                gst::PadTemplate::new(
                    "sink",
                    gst::PadDirection::Sink,
                    gst::PadPresence::Always,
                    &sink,
                ),
                gst::PadTemplate::new(
                    "src",
                    gst::PadDirection::Src,
                    gst::PadPresence::Always,
                    &src,
                ),
            ]
            .into_iter()
            .filter_map(Result::ok)
            .collect()
        });
        TEMPLATES.as_ref()
    }
}

/// Whether upstream's caps carry `field` (the input state's info holds a default when
/// they do not, which must not pass for upstream's word).
fn upstream_has(
    input: &gst_video::VideoCodecState<'static, gst_video::video_codec_state::Readable>,
    field: &str,
) -> bool {
    input
        .caps()
        .and_then(|c| c.structure(0).map(|s| s.has_field(field)))
        .unwrap_or(false)
}

/// The first of `candidates` that is known, else `default`.
fn first_known<T: PartialEq>(unknown: T, candidates: [Option<T>; 2], default: T) -> T {
    candidates
        .into_iter()
        .flatten()
        .find(|v| *v != unknown)
        .unwrap_or(default)
}

/// The output's colorimetry: what upstream's caps say (h264parse puts the VUI there), then
/// what libav read from the stream, then GStreamer's default for the size, per component,
/// as avdec_h264 does.
fn colorimetry(
    input: &gst_video::VideoCodecState<'static, gst_video::video_codec_state::Readable>,
    default: gst_video::VideoColorimetry,
    colour: Colour,
) -> gst_video::VideoColorimetry {
    use gst_video::{
        VideoColorMatrix, VideoColorPrimaries, VideoColorRange, VideoTransferFunction,
    };
    let upstream = upstream_has(input, "colorimetry").then(|| input.info().colorimetry());
    const UNSPECIFIED: u32 = 2;
    let stream = |iso: u32| (iso != UNSPECIFIED).then_some(iso);
    let range = colour.full_range.map(|full| {
        if full {
            VideoColorRange::Range0_255
        } else {
            VideoColorRange::Range16_235
        }
    });
    gst_video::VideoColorimetry::new(
        first_known(
            VideoColorRange::Unknown,
            [upstream.map(|c| c.range()), range],
            default.range(),
        ),
        first_known(
            VideoColorMatrix::Unknown,
            [
                upstream.map(|c| c.matrix()),
                stream(colour.matrix).map(VideoColorMatrix::from_iso),
            ],
            default.matrix(),
        ),
        first_known(
            VideoTransferFunction::Unknown,
            [
                upstream.map(|c| c.transfer()),
                stream(colour.transfer).map(VideoTransferFunction::from_iso),
            ],
            default.transfer(),
        ),
        first_known(
            VideoColorPrimaries::Unknown,
            [
                upstream.map(|c| c.primaries()),
                stream(colour.primaries).map(VideoColorPrimaries::from_iso),
            ],
            default.primaries(),
        ),
    )
}

/// Where chroma sits: upstream's caps, then the stream, then H.264's default (left,
/// GStreamer's "mpeg2"), as avdec_h264 reports it.
fn chroma_site(
    input: &gst_video::VideoCodecState<'static, gst_video::video_codec_state::Readable>,
    colour: Colour,
) -> gst_video::VideoChromaSite {
    use gst_video::VideoChromaSite as Site;
    let stream = match colour.chroma_site {
        None | Some(ChromaSite::Left) => Site::MPEG2,
        Some(ChromaSite::Center) => Site::JPEG,
        Some(ChromaSite::TopLeft) => Site::COSITED,
        Some(ChromaSite::Other) => Site::empty(),
    };
    upstream_has(input, "chroma-site")
        .then(|| input.info().chroma_site())
        .filter(|s| !s.is_empty())
        .unwrap_or(stream)
}

/// One plane of a picture as the contents of a read-only `GstMemory`; the memory keeps the
/// picture (and so libav's buffer) alive.
struct PlaneRef {
    picture: Arc<Picture>,
    plane: usize,
}

impl AsRef<[u8]> for PlaneRef {
    fn as_ref(&self) -> &[u8] {
        self.picture.plane(self.plane).0
    }
}

impl H264Dec {
    fn decode_error(&self, e: &DecoderError) -> Result<gst::FlowSuccess, gst::FlowError> {
        // Weighted like avdec_h264's errors: the base class tolerates a few (`max-errors`)
        // before it fails the stream, so one damaged access unit does not end a job.
        gst_video::video_decoder_error!(self.obj(), 1, gst::StreamError::Decode, ["{e}"])
    }

    /// Sets the output caps for `shape`.
    fn negotiate_output(
        &self,
        state: &State,
        shape: OutputShape,
    ) -> Result<gst::FlowSuccess, gst::FlowError> {
        let obj = self.obj();
        let mut output = obj.set_output_state(
            gst_video::VideoFormat::I420,
            shape.width,
            shape.height,
            Some(&state.input),
        )?;
        let info = output.info().clone();
        let c = colorimetry(&state.input, info.colorimetry(), shape.colour);
        let info = gst_video::VideoInfo::builder_from_info(&info)
            .colorimetry(&c)
            .chroma_site(chroma_site(&state.input, shape.colour))
            .build()
            .map_err(|_| gst::FlowError::NotNegotiated)?;
        output.set_info(info);
        obj.negotiate(output).map_err(|e| {
            gst::warning!(CAT, imp = self, "downstream refused the raw caps: {e}");
            gst::FlowError::NotNegotiated
        })?;
        Ok(gst::FlowSuccess::Ok)
    }

    /// The picture's planes, wrapped where they are, with a `GstVideoMeta` saying where.
    fn wrap(picture: Picture) -> Result<gst::Buffer, gst::FlowError> {
        let (width, height) = (picture.width(), picture.height());
        let picture = Arc::new(picture);
        let mut buffer = gst::Buffer::new();
        let b = buffer.get_mut().ok_or(gst::FlowError::Error)?;
        let mut offsets = [0usize; 3];
        let mut strides = [0i32; 3];
        let mut total = 0;
        for plane in 0..3 {
            let (data, stride) = picture.plane(plane);
            offsets[plane] = total;
            strides[plane] = i32::try_from(stride).map_err(|_| gst::FlowError::Error)?;
            total += data.len();
            b.append_memory(gst::Memory::from_slice(PlaneRef {
                picture: Arc::clone(&picture),
                plane,
            }));
        }
        gst_video::VideoMeta::add_full(
            b,
            gst_video::VideoFrameFlags::empty(),
            gst_video::VideoFormat::I420,
            width,
            height,
            &offsets,
            &strides,
        )
        .map_err(|_| gst::FlowError::Error)?;
        Ok(buffer)
    }

    /// Copies the picture into a buffer of the default layout, for downstream elements that
    /// cannot read a `GstVideoMeta`.
    fn copy_into(
        &self,
        picture: &Picture,
        frame: &mut gst_video::VideoCodecFrame,
    ) -> Result<(), gst::FlowError> {
        let obj = self.obj();
        let info = obj
            .output_state()
            .map(|s| s.info().clone())
            .ok_or(gst::FlowError::NotNegotiated)?;
        obj.allocate_output_frame(frame, None)?;
        let buffer = frame.output_buffer_mut().ok_or(gst::FlowError::Error)?;
        let mut out = gst_video::VideoFrameRef::from_buffer_ref_writable(buffer, &info)
            .map_err(|_| gst::FlowError::Error)?;
        for plane in 0..3u32 {
            let (src, src_stride) = picture.plane(plane as usize);
            let dst_stride = usize::try_from(out.plane_stride()[plane as usize])
                .map_err(|_| gst::FlowError::Error)?;
            let rows = out.comp_height(plane) as usize;
            let row = out.comp_width(plane) as usize;
            let dst = out
                .plane_data_mut(plane)
                .map_err(|_| gst::FlowError::Error)?;
            for r in 0..rows {
                let (s, d) = (r * src_stride, r * dst_stride);
                match (src.get(s..s + row), dst.get_mut(d..d + row)) {
                    (Some(s), Some(d)) => d.copy_from_slice(s),
                    _ => return Err(gst::FlowError::Error),
                }
            }
        }
        Ok(())
    }

    /// Hands one decoded picture to the frame it was decoded from, and that frame
    /// downstream.
    fn push(
        &self,
        state: &mut State,
        picture: Picture,
    ) -> Result<gst::FlowSuccess, gst::FlowError> {
        let shape = OutputShape {
            width: picture.width(),
            height: picture.height(),
            colour: picture.colour(),
        };
        if state.output != Some(shape) {
            self.negotiate_output(state, shape)?;
            state.output = Some(shape);
        }
        let obj = self.obj();
        let id = picture.id();
        let Some(mut frame) = i32::try_from(id).ok().and_then(|id| obj.frame(id)) else {
            gst::debug!(CAT, imp = self, "picture of frame {id}, no longer pending");
            return Ok(gst::FlowSuccess::Ok);
        };
        let corrupt = picture.corrupt();
        if self.video_meta.load(Ordering::Relaxed) {
            frame.set_output_buffer(Self::wrap(picture)?);
        } else {
            self.copy_into(&picture, &mut frame)?;
        }
        if corrupt && let Some(buffer) = frame.output_buffer_mut() {
            buffer.set_flags(gst::BufferFlags::CORRUPTED);
        }
        let number = frame.system_frame_number();
        let flow = obj.finish_frame(frame);
        for stale in obj.frames() {
            if stale
                .system_frame_number()
                .saturating_add(STALE_FRAME_DISTANCE)
                < number
            {
                gst::debug!(
                    CAT,
                    imp = self,
                    "frame {} gave no picture",
                    stale.system_frame_number()
                );
                obj.release_frame(stale);
            }
        }
        flow
    }

    /// Pushes every picture the decoder has ready.
    fn push_ready(&self, state: &mut State) -> Result<gst::FlowSuccess, gst::FlowError> {
        loop {
            match state.decoder.receive() {
                Ok(Some(picture)) => {
                    self.push(state, picture)?;
                }
                Ok(None) => return Ok(gst::FlowSuccess::Ok),
                Err(e @ DecoderError::PixelFormat(_)) => {
                    gst::element_imp_error!(self, gst::StreamError::Format, ["{e}"]);
                    return Err(gst::FlowError::NotNegotiated);
                }
                Err(e) => {
                    self.decode_error(&e)?;
                }
            }
        }
    }

    /// Takes every picture out of the decoder and makes it ready for new input.
    fn drain(&self) -> Result<gst::FlowSuccess, gst::FlowError> {
        let mut guard = lock(&self.state);
        let Some(state) = guard.as_mut() else {
            return Ok(gst::FlowSuccess::Ok);
        };
        if let Err(e) = state.decoder.send_end() {
            self.decode_error(&e)?;
        }
        let flow = self.push_ready(state);
        state.decoder.flush();
        flow
    }
}

impl VideoDecoderImpl for H264Dec {
    fn start(&self) -> Result<(), gst::ErrorMessage> {
        self.video_meta.store(false, Ordering::Relaxed);
        Ok(())
    }

    fn stop(&self) -> Result<(), gst::ErrorMessage> {
        *lock(&self.state) = None;
        Ok(())
    }

    fn set_format(
        &self,
        input: &gst_video::VideoCodecState<'static, gst_video::video_codec_state::Readable>,
    ) -> Result<(), gst::LoggableError> {
        let mut state = lock(&self.state);
        match state.as_mut() {
            // New caps mid-stream: libav follows new parameter sets in the stream itself.
            Some(state) => state.input = input.clone(),
            None => {
                let threads = u32::try_from(*lock(&self.max_threads)).unwrap_or(0);
                let decoder =
                    Decoder::open(threads).map_err(|e| gst::loggable_error!(CAT, "{e}"))?;
                *state = Some(State {
                    decoder,
                    input: input.clone(),
                    output: None,
                });
            }
        }
        Ok(())
    }

    fn handle_frame(
        &self,
        frame: gst_video::VideoCodecFrame,
    ) -> Result<gst::FlowSuccess, gst::FlowError> {
        let mut guard = lock(&self.state);
        let Some(state) = guard.as_mut() else {
            return Err(gst::FlowError::NotNegotiated);
        };
        let id = i64::from(frame.system_frame_number());
        let sent = {
            let input = frame.input_buffer().ok_or(gst::FlowError::Error)?;
            let map = input.map_readable().map_err(|_| gst::FlowError::Error)?;
            state.decoder.send(map.as_slice(), id)
        };
        if let Err(e) = sent {
            self.obj().release_frame(frame);
            self.decode_error(&e)?;
            return Ok(gst::FlowSuccess::Ok);
        }
        // The base class keeps the frame in its list; `push` finds it there by number.
        drop(frame);
        self.push_ready(state)
    }

    fn finish(&self) -> Result<gst::FlowSuccess, gst::FlowError> {
        self.drain()
    }

    fn drain(&self) -> Result<gst::FlowSuccess, gst::FlowError> {
        H264Dec::drain(self)
    }

    fn flush(&self) -> bool {
        if let Some(state) = lock(&self.state).as_mut() {
            state.decoder.flush();
        }
        true
    }

    fn decide_allocation(
        &self,
        query: &mut gst::query::Allocation,
    ) -> Result<(), gst::LoggableError> {
        let meta = query
            .find_allocation_meta::<gst_video::VideoMeta>()
            .is_some();
        gst::debug!(CAT, imp = self, "downstream reads GstVideoMeta: {meta}");
        self.video_meta.store(meta, Ordering::Relaxed);
        self.parent_decide_allocation(query)
    }
}
