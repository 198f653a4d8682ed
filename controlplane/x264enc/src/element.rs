//! The `armoricorex264enc` element: a `GstVideoEncoder` on [`Encoder`] with the properties
//! of x264enc that the media pipeline uses, and one difference that is the reason it
//! exists. GStreamer 1.22's x264enc keeps every raw input frame mapped until x264 returns
//! that frame encoded, which is x264's whole delay (lookahead, B-frames, frame threads:
//! 12-16 frames per rung at our settings), although x264 copied the picture when it was
//! submitted. This element drops its hold on the raw frame as soon as `x264_encoder_encode`
//! returns, as ffmpeg's libx264 wrapper does, so the buffer goes back to its pool.

use std::sync::{LazyLock, Mutex, MutexGuard, PoisonError};

use gst::glib;
use gst::prelude::*;
use gst::subclass::prelude::*;
use gst_video::prelude::*;
use gst_video::subclass::prelude::*;

use crate::encoder::{Colour, Encoded, Encoder, Picture, Settings};

static CAT: LazyLock<gst::DebugCategory> = LazyLock::new(|| {
    gst::DebugCategory::new(
        "armoricorex264enc",
        gst::DebugColorFlags::empty(),
        Some("H.264 encoder on libx264 that releases raw frames early"),
    )
});

/// x264enc's own defaults, so the element is a drop-in for the properties it has.
const DEFAULT_BITRATE_KBPS: u32 = 2048;
const DEFAULT_PRESET: &str = "medium";
const DEFAULT_VBV_BUF_CAPACITY_MS: u32 = 600;
const DEFAULT_SYNC_LOOKAHEAD: i32 = -1;

/// Far enough ahead that x264's first decode times, earlier than the first presentation
/// time by the reorder delay, stay positive (x264enc's choice).
const MIN_PTS: gst::ClockTime = gst::ClockTime::from_seconds(60 * 60 * 1000);

#[derive(Debug, Clone)]
struct Properties {
    bitrate_kbps: u32,
    speed_preset: String,
    key_int_max: u32,
    option_string: String,
    vbv_buf_capacity_ms: u32,
    threads: u32,
    sync_lookahead: i32,
}

impl Default for Properties {
    fn default() -> Self {
        Self {
            bitrate_kbps: DEFAULT_BITRATE_KBPS,
            speed_preset: DEFAULT_PRESET.to_owned(),
            key_int_max: 0,
            option_string: String::new(),
            vbv_buf_capacity_ms: DEFAULT_VBV_BUF_CAPACITY_MS,
            threads: 0,
            sync_lookahead: DEFAULT_SYNC_LOOKAHEAD,
        }
    }
}

impl Properties {
    /// The x264 options, in x264enc's order: `option-string` first, then the properties
    /// that x264enc turns into options when they are set.
    fn x264_options(&self) -> Vec<(String, String)> {
        let mut options: Vec<(String, String)> = self
            .option_string
            .split(':')
            .filter(|kv| !kv.is_empty())
            .map(|kv| match kv.split_once('=') {
                Some((k, v)) => (k.to_owned(), v.to_owned()),
                None => (kv.to_owned(), "1".to_owned()),
            })
            .collect();
        if self.threads > 0 {
            options.push(("threads".into(), self.threads.to_string()));
        }
        if self.sync_lookahead >= 0 {
            options.push(("sync-lookahead".into(), self.sync_lookahead.to_string()));
        }
        if self.key_int_max > 0 {
            options.push(("keyint".into(), self.key_int_max.to_string()));
        }
        options
    }
}

struct State {
    encoder: Encoder,
    info: gst_video::VideoInfo,
}

/// The element's private half.
#[derive(Default)]
pub struct X264Enc {
    properties: Mutex<Properties>,
    state: Mutex<Option<State>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

#[glib::object_subclass]
impl ObjectSubclass for X264Enc {
    const NAME: &'static str = "ArmoricoreX264Enc";
    type Type = super::X264Enc;
    type ParentType = gst_video::VideoEncoder;
}

impl ObjectImpl for X264Enc {
    fn properties() -> &'static [glib::ParamSpec] {
        static PROPERTIES: LazyLock<Vec<glib::ParamSpec>> = LazyLock::new(|| {
            vec![
                glib::ParamSpecUInt::builder("bitrate")
                    .nick("Bitrate")
                    .blurb("Average and peak bit rate in kbit/s")
                    .minimum(1)
                    .maximum(2_000_000)
                    .default_value(DEFAULT_BITRATE_KBPS)
                    .build(),
                glib::ParamSpecString::builder("speed-preset")
                    .nick("Speed preset")
                    .blurb("x264 preset name (ultrafast ... placebo)")
                    .default_value(Some(DEFAULT_PRESET))
                    .build(),
                glib::ParamSpecUInt::builder("key-int-max")
                    .nick("Key-frame interval")
                    .blurb("Longest GOP in frames (0: ten seconds)")
                    .maximum(i32::MAX as u32)
                    .build(),
                glib::ParamSpecString::builder("option-string")
                    .nick("x264 options")
                    .blurb("x264 options as key1=value1:key2=value2, applied after the preset")
                    .build(),
                glib::ParamSpecUInt::builder("vbv-buf-capacity")
                    .nick("VBV buffer")
                    .blurb("VBV buffer size in milliseconds of the bit rate")
                    .maximum(10_000)
                    .default_value(DEFAULT_VBV_BUF_CAPACITY_MS)
                    .build(),
                glib::ParamSpecUInt::builder("threads")
                    .nick("Threads")
                    .blurb("x264 threads (0: automatic)")
                    .maximum(128)
                    .build(),
                glib::ParamSpecInt::builder("sync-lookahead")
                    .nick("Sync lookahead")
                    .blurb("Frames buffered for threaded lookahead (-1: automatic, 0: off)")
                    .minimum(-1)
                    .maximum(250)
                    .default_value(DEFAULT_SYNC_LOOKAHEAD)
                    .build(),
            ]
        });
        PROPERTIES.as_ref()
    }

    fn set_property(&self, _id: usize, value: &glib::Value, pspec: &glib::ParamSpec) {
        let mut p = lock(&self.properties);
        // The values were type-checked by GObject against the specs above.
        match pspec.name() {
            "bitrate" => p.bitrate_kbps = value.get().unwrap_or(DEFAULT_BITRATE_KBPS),
            "speed-preset" => {
                p.speed_preset = value
                    .get::<Option<String>>()
                    .ok()
                    .flatten()
                    .unwrap_or_else(|| DEFAULT_PRESET.to_owned())
            }
            "key-int-max" => p.key_int_max = value.get().unwrap_or(0),
            "option-string" => {
                p.option_string = value
                    .get::<Option<String>>()
                    .ok()
                    .flatten()
                    .unwrap_or_default()
            }
            "vbv-buf-capacity" => {
                p.vbv_buf_capacity_ms = value.get().unwrap_or(DEFAULT_VBV_BUF_CAPACITY_MS)
            }
            "threads" => p.threads = value.get().unwrap_or(0),
            "sync-lookahead" => p.sync_lookahead = value.get().unwrap_or(DEFAULT_SYNC_LOOKAHEAD),
            other => gst::warning!(CAT, imp = self, "no property {other}"),
        }
    }

    fn property(&self, _id: usize, pspec: &glib::ParamSpec) -> glib::Value {
        let p = lock(&self.properties);
        match pspec.name() {
            "bitrate" => p.bitrate_kbps.to_value(),
            "speed-preset" => p.speed_preset.to_value(),
            "key-int-max" => p.key_int_max.to_value(),
            "option-string" => p.option_string.to_value(),
            "vbv-buf-capacity" => p.vbv_buf_capacity_ms.to_value(),
            "threads" => p.threads.to_value(),
            "sync-lookahead" => p.sync_lookahead.to_value(),
            _ => pspec.default_value().clone(),
        }
    }
}

impl GstObjectImpl for X264Enc {}

impl ElementImpl for X264Enc {
    fn metadata() -> Option<&'static gst::subclass::ElementMetadata> {
        static METADATA: LazyLock<gst::subclass::ElementMetadata> = LazyLock::new(|| {
            gst::subclass::ElementMetadata::new(
                "H.264 encoder (libx264, early frame release)",
                "Codec/Encoder/Video",
                "H.264 encoder on libx264 that releases each raw frame once x264 has copied it",
                "Armoricore",
            )
        });
        Some(&*METADATA)
    }

    fn pad_templates() -> &'static [gst::PadTemplate] {
        static TEMPLATES: LazyLock<Vec<gst::PadTemplate>> = LazyLock::new(|| {
            let sink = gst_video::VideoCapsBuilder::new()
                .format(gst_video::VideoFormat::I420)
                .build();
            let src = gst::Caps::builder("video/x-h264")
                .field("stream-format", "byte-stream")
                .field("alignment", "au")
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

/// Downstream's H.264 profile, if it asks for one, in x264's words.
fn peer_profile(pad: &gst::Pad) -> Option<String> {
    let allowed = pad.allowed_caps()?;
    let s = allowed.structure(0)?;
    let profile = s.get::<&str>("profile").ok()?;
    Some(match profile {
        "constrained-baseline" => "baseline".to_owned(),
        other => other.to_owned(),
    })
}

fn colour(info: &gst_video::VideoInfo) -> Colour {
    let c = info.colorimetry();
    Colour {
        primaries: c.primaries().to_iso(),
        transfer: c.transfer().to_iso(),
        matrix: c.matrix().to_iso(),
        full_range: c.range() == gst_video::VideoColorRange::Range0_255,
        chroma_loc: match info.chroma_site() {
            s if s == gst_video::VideoChromaSite::JPEG => 1,
            s if s == gst_video::VideoChromaSite::V_COSITED => 3,
            s if s == gst_video::VideoChromaSite::DV => 2,
            _ => 0,
        },
    }
}

impl X264Enc {
    fn open(&self, info: &gst_video::VideoInfo) -> Result<Encoder, gst::LoggableError> {
        let p = lock(&self.properties).clone();
        let fps = info.fps();
        let par = info.par();
        let settings = Settings {
            width: info.width(),
            height: info.height(),
            fps: (fps.numer() > 0 && fps.denom() > 0)
                .then(|| (fps.numer() as u32, fps.denom() as u32)),
            sar: (par.numer().max(1) as u32, par.denom().max(1) as u32),
            preset: p.speed_preset.clone(),
            options: p.x264_options(),
            keyint_max: p.key_int_max,
            bitrate_kbps: p.bitrate_kbps,
            vbv_buffer_ms: p.vbv_buf_capacity_ms,
            profile: peer_profile(
                &self
                    .obj()
                    .static_pad("src")
                    .ok_or_else(|| gst::loggable_error!(CAT, "no src pad"))?,
            ),
            colour: Some(colour(info)),
        };
        Encoder::open(&settings).map_err(|e| gst::loggable_error!(CAT, "{e}"))
    }

    /// Hands one encoded frame to the base class, which pushes it downstream.
    fn push_encoded(&self, out: Encoded<'_>) -> Result<gst::FlowSuccess, gst::FlowError> {
        let obj = self.obj();
        let Some(mut frame) = obj.frame(out.id as i32) else {
            gst::element_imp_error!(
                self,
                gst::StreamError::Encode,
                ["x264 returned frame {} that is not pending", out.id]
            );
            return Err(gst::FlowError::Error);
        };
        frame.set_output_buffer(gst::Buffer::from_mut_slice(out.data.to_vec()));
        frame.set_pts(
            u64::try_from(out.pts)
                .ok()
                .map(gst::ClockTime::from_nseconds),
        );
        frame.set_dts(
            u64::try_from(out.dts)
                .ok()
                .map(gst::ClockTime::from_nseconds),
        );
        if out.keyframe {
            frame.set_flags(gst_video::VideoCodecFrameFlags::SYNC_POINT);
        }
        obj.finish_frame(frame)
    }

    /// Takes every frame x264 still holds out of it, in order.
    fn drain(&self, state: &mut State) -> Result<gst::FlowSuccess, gst::FlowError> {
        while state.encoder.delayed_frames() > 0 {
            match state.encoder.encode(None) {
                Ok(Some(out)) => {
                    self.push_encoded(out)?;
                }
                Ok(None) => break,
                Err(e) => {
                    gst::element_imp_error!(self, gst::StreamError::Encode, ["{e}"]);
                    return Err(gst::FlowError::Error);
                }
            }
        }
        Ok(gst::FlowSuccess::Ok)
    }
}

impl VideoEncoderImpl for X264Enc {
    fn start(&self) -> Result<(), gst::ErrorMessage> {
        self.obj().set_min_pts(MIN_PTS);
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
        let info = input.info().clone();
        let mut state = lock(&self.state);
        if let Some(old) = state.as_mut() {
            // A new format mid-stream: what the old encoder holds goes out first.
            let _ = self.drain(old);
        }
        let mut encoder = self.open(&info)?;
        let sps = encoder
            .sps()
            .map_err(|e| gst::loggable_error!(CAT, "{e}"))?;
        let mut caps = gst::Caps::builder("video/x-h264")
            .field("stream-format", "byte-stream")
            .field("alignment", "au")
            .build();
        if let Some(caps) = caps.get_mut() {
            let _ = gst_pbutils::functions::codec_utils_h264_caps_set_level_and_profile(caps, &sps);
        }
        let fps = info.fps();
        if fps.numer() > 0 {
            let frames = encoder.max_delayed_frames() as u64;
            let latency = gst::ClockTime::SECOND
                .mul_div_floor(frames * fps.denom() as u64, fps.numer() as u64)
                .unwrap_or(gst::ClockTime::ZERO);
            self.obj().set_latency(latency, latency);
        }
        *state = Some(State { encoder, info });
        drop(state);
        let obj = self.obj();
        let output = obj
            .set_output_state(caps, Some(input))
            .map_err(|_| gst::loggable_error!(CAT, "cannot set output caps"))?;
        obj.negotiate(output)
            .map_err(|_| gst::loggable_error!(CAT, "downstream refused the H.264 caps"))
    }

    fn handle_frame(
        &self,
        mut frame: gst_video::VideoCodecFrame,
    ) -> Result<gst::FlowSuccess, gst::FlowError> {
        let mut guard = lock(&self.state);
        let Some(state) = guard.as_mut() else {
            return Err(gst::FlowError::NotNegotiated);
        };
        let Some(pts) = frame.pts() else {
            gst::element_imp_error!(
                self,
                gst::StreamError::Format,
                ["raw frame without a timestamp"]
            );
            return Err(gst::FlowError::Error);
        };
        let Some(input) = frame.input_buffer_owned() else {
            return Err(gst::FlowError::Error);
        };
        let id = frame.system_frame_number();
        let force_idr = frame
            .flags()
            .contains(gst_video::VideoCodecFrameFlags::FORCE_KEYFRAME);
        let out = {
            let vframe =
                gst_video::VideoFrameRef::from_buffer_ref_readable(input.as_ref(), &state.info)
                    .map_err(|_| {
                        gst::element_imp_error!(
                            self,
                            gst::StreamError::Format,
                            ["cannot map raw frame {id}"]
                        );
                        gst::FlowError::Error
                    })?;
            let plane = |i: u32| vframe.plane_data(i).unwrap_or(&[]);
            let strides = vframe.plane_stride();
            let picture = Picture {
                planes: [plane(0), plane(1), plane(2)],
                strides: [0, 1, 2].map(|i| usize::try_from(strides[i]).unwrap_or(0)),
                pts: i64::try_from(pts.nseconds()).unwrap_or(i64::MAX),
                id,
                force_idr,
            };
            match state.encoder.encode(Some(picture)) {
                Ok(out) => out,
                Err(e) => {
                    gst::element_imp_error!(self, gst::StreamError::Encode, ["{e}"]);
                    return Err(gst::FlowError::Error);
                }
            }
        };
        // x264 has its own copy now: let go of the raw frame so its buffer returns to the
        // pool instead of waiting out x264's delay in the base class's frame list.
        drop(input);
        release_input_buffer(&mut frame);
        drop(frame);
        match out {
            Some(out) => self.push_encoded(out),
            None => Ok(gst::FlowSuccess::Ok),
        }
    }

    fn finish(&self) -> Result<gst::FlowSuccess, gst::FlowError> {
        let mut guard = lock(&self.state);
        match guard.as_mut() {
            Some(state) => self.drain(state),
            None => Ok(gst::FlowSuccess::Ok),
        }
    }

    fn flush(&self) -> bool {
        // The base class drops its pending frames; x264's must go with them.
        let mut guard = lock(&self.state);
        if let Some(state) = guard.as_mut() {
            match self.open(&state.info) {
                Ok(encoder) => state.encoder = encoder,
                Err(e) => {
                    e.log_with_imp(self);
                    return false;
                }
            }
        }
        true
    }
}

/// Drops the codec frame's reference to its raw input. The base class copes with a frame
/// whose input is gone (it only loses the input's metas on the output, which the pipeline
/// does not use); gstreamer-rs has no safe call for it.
fn release_input_buffer(frame: &mut gst_video::VideoCodecFrame) {
    use gst::glib::translate::ToGlibPtr;
    let raw: *mut gst_video::ffi::GstVideoCodecFrame = frame.to_glib_none().0;
    // SAFETY: `frame` holds the encoder's stream lock, which guards the codec frame's
    // fields; the pointer is the frame's own and `input_buffer` is a counted reference
    // that we give back exactly once and clear.
    unsafe {
        let input = (*raw).input_buffer;
        if !input.is_null() {
            (*raw).input_buffer = std::ptr::null_mut();
            gst::ffi::gst_mini_object_unref(input.cast());
        }
    }
}
