//! A safe handle on one libx264 encoder: settings in (applied in the same steps and order as
//! GStreamer 1.22's x264enc, so the encoded streams stay what they were), raw 8-bit I420
//! pictures in, Annex B access units out.
//!
//! `x264_encoder_encode` copies every picture it is given into x264's own frame pool before
//! it returns (`x264_frame_copy_picture`), which is what lets the element release each raw
//! frame at once instead of holding it for x264's whole delay.

use std::ffi::{CString, c_int};
use std::ptr::{self, NonNull};

use crate::ffi;

/// What can go wrong between us and libx264.
#[derive(Debug, thiserror::Error)]
pub enum EncoderError {
    /// `x264_param_default_preset` did not know the preset.
    #[error("x264 has no preset named {0:?}")]
    Preset(String),
    /// `x264_param_parse` refused an option.
    #[error("x264 refused option {name}={value}: {why}")]
    Option {
        /// The option's name.
        name: String,
        /// The value given.
        value: String,
        /// x264's reason, in words.
        why: &'static str,
    },
    /// `x264_param_apply_profile` refused the profile for these settings.
    #[error("x264 cannot encode profile {0:?} with these settings")]
    Profile(String),
    /// `x264_encoder_open` returned nothing (it logs why on stderr).
    #[error("x264 could not open an encoder for {width}x{height} with these settings")]
    Open {
        /// Picture width.
        width: u32,
        /// Picture height.
        height: u32,
    },
    /// A picture's planes are smaller than its size and strides say.
    #[error("picture plane {plane} holds {len} bytes, {needed} needed for {width}x{height}")]
    ShortPlane {
        /// Plane index (0 = Y).
        plane: usize,
        /// Bytes given.
        len: usize,
        /// Bytes x264 would read.
        needed: usize,
        /// Picture width.
        width: u32,
        /// Picture height.
        height: u32,
    },
    /// `x264_encoder_encode` failed.
    #[error("x264 failed to encode (code {0})")]
    Encode(i32),
    /// `x264_encoder_headers` failed or returned no SPS.
    #[error("x264 wrote no sequence parameter set")]
    Headers,
    /// A string for x264 had a NUL byte inside.
    #[error("x264 settings cannot contain NUL bytes: {0:?}")]
    Nul(String),
}

/// Colour description written into the stream's VUI (ISO/IEC 23091-4 code points).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Colour {
    /// colour_primaries.
    pub primaries: u32,
    /// transfer_characteristics.
    pub transfer: u32,
    /// matrix_coefficients.
    pub matrix: u32,
    /// video_full_range_flag.
    pub full_range: bool,
    /// chroma_sample_loc_type.
    pub chroma_loc: u32,
}

/// Everything an encoder is opened with.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// Picture width in pixels.
    pub width: u32,
    /// Picture height in pixels.
    pub height: u32,
    /// Frames per second as a fraction, `None` for variable frame rate.
    pub fps: Option<(u32, u32)>,
    /// Sample aspect ratio.
    pub sar: (u32, u32),
    /// x264 speed preset ("veryfast", "medium", ...).
    pub preset: String,
    /// Options applied after the preset, in order, as `x264_param_parse` takes them.
    pub options: Vec<(String, String)>,
    /// Longest GOP in frames; 0 means ten seconds of frames (x264enc's rule).
    pub keyint_max: u32,
    /// Average and peak bit rate, kbit/s (x264's ABR with a VBV cap, as x264enc's CBR pass).
    pub bitrate_kbps: u32,
    /// VBV buffer in milliseconds of `bitrate_kbps`.
    pub vbv_buffer_ms: u32,
    /// H.264 profile to hold the stream to ("high", "main", "baseline"), if any.
    pub profile: Option<String>,
    /// Colour description for the VUI, if known.
    pub colour: Option<Colour>,
}

/// One raw I420 picture to encode. The planes are only read, and only during `encode`.
#[derive(Debug)]
pub struct Picture<'a> {
    /// Y, U and V planes.
    pub planes: [&'a [u8]; 3],
    /// Bytes per row of each plane.
    pub strides: [usize; 3],
    /// Presentation time, nanoseconds.
    pub pts: i64,
    /// Caller's id for the picture, returned with its encoded frame.
    pub id: u32,
    /// Make this picture an IDR frame.
    pub force_idr: bool,
}

/// One encoded access unit, borrowed from x264 until the next call on the encoder.
#[derive(Debug)]
pub struct Encoded<'a> {
    /// Annex B NAL units of the frame, contiguous.
    pub data: &'a [u8],
    /// Presentation time, nanoseconds.
    pub pts: i64,
    /// Decode time, nanoseconds (earlier than `pts` for reordered frames).
    pub dts: i64,
    /// Whether the frame is a keyframe (IDR).
    pub keyframe: bool,
    /// The id the picture was submitted with.
    pub id: u32,
}

/// An open x264 encoder.
#[derive(Debug)]
pub struct Encoder {
    handle: NonNull<ffi::x264_t>,
    width: u32,
    height: u32,
}

// SAFETY: an x264_t has no thread affinity; it only must not be used from two threads at
// once, which `&mut self` on every call that touches it guarantees.
unsafe impl Send for Encoder {}

fn c_string(s: &str) -> Result<CString, EncoderError> {
    CString::new(s).map_err(|_| EncoderError::Nul(s.to_owned()))
}

fn to_c_int(v: u32) -> c_int {
    c_int::try_from(v).unwrap_or(c_int::MAX)
}

impl Encoder {
    /// Opens an encoder: preset, then x264enc's fixed choices (access unit delimiters,
    /// Annex B, nanosecond time base), then `options`, then size, rate, GOP, colour, rate
    /// control and profile.
    pub fn open(settings: &Settings) -> Result<Self, EncoderError> {
        // SAFETY: x264_param_t is plain data; x264_param_default_preset fills all of it.
        let mut param: ffi::x264_param_t = unsafe { std::mem::zeroed() };
        let preset = c_string(&settings.preset)?;
        // SAFETY: `param` is a valid x264_param_t and `preset` a NUL-terminated string.
        if unsafe { ffi::x264_param_default_preset(&mut param, preset.as_ptr(), ptr::null()) } < 0 {
            return Err(EncoderError::Preset(settings.preset.clone()));
        }
        param.i_log_level = ffi::X264_LOG_WARNING as c_int;
        param.b_aud = 1;
        param.b_annexb = 1;
        param.i_timebase_num = 1;
        param.i_timebase_den = 1_000_000_000;
        for (name, value) in &settings.options {
            let (c_name, c_value) = (c_string(name)?, c_string(value)?);
            // SAFETY: both strings are NUL-terminated and outlive the call.
            let code =
                unsafe { ffi::x264_param_parse(&mut param, c_name.as_ptr(), c_value.as_ptr()) };
            if code != 0 {
                return Err(EncoderError::Option {
                    name: name.clone(),
                    value: value.clone(),
                    why: if code == ffi::X264_PARAM_BAD_NAME {
                        "no such option"
                    } else {
                        "bad value"
                    },
                });
            }
        }
        param.i_bitdepth = 8;
        param.i_csp = ffi::X264_CSP_I420 as c_int;
        param.i_width = to_c_int(settings.width);
        param.i_height = to_c_int(settings.height);
        match settings.fps {
            Some((num, den)) if num > 0 && den > 0 => {
                param.b_vfr_input = 0;
                param.i_fps_num = num;
                param.i_fps_den = den;
                param.i_keyint_max = if settings.keyint_max > 0 {
                    to_c_int(settings.keyint_max)
                } else {
                    to_c_int(10 * num / den)
                };
            }
            _ => {
                param.b_vfr_input = 1;
                if settings.keyint_max > 0 {
                    param.i_keyint_max = to_c_int(settings.keyint_max);
                }
            }
        }
        param.vui.i_sar_width = to_c_int(settings.sar.0);
        param.vui.i_sar_height = to_c_int(settings.sar.1);
        param.vui.i_vidformat = 5; // unspecified
        if let Some(c) = settings.colour {
            param.vui.i_colorprim = to_c_int(c.primaries);
            param.vui.i_transfer = to_c_int(c.transfer);
            param.vui.i_colmatrix = to_c_int(c.matrix);
            param.vui.b_fullrange = c_int::from(c.full_range);
            param.vui.i_chroma_loc = to_c_int(c.chroma_loc);
        }
        param.analyse.b_psnr = 0;
        param.rc.i_rc_method = ffi::X264_RC_ABR as c_int;
        param.rc.i_bitrate = to_c_int(settings.bitrate_kbps);
        param.rc.i_vbv_max_bitrate = to_c_int(settings.bitrate_kbps);
        param.rc.i_vbv_buffer_size =
            to_c_int(settings.bitrate_kbps.saturating_mul(settings.vbv_buffer_ms) / 1000);
        if let Some(profile) = &settings.profile {
            let c_profile = c_string(profile)?;
            // SAFETY: valid param and NUL-terminated string.
            if unsafe { ffi::x264_param_apply_profile(&mut param, c_profile.as_ptr()) } < 0 {
                return Err(EncoderError::Profile(profile.clone()));
            }
        }
        // SAFETY: `param` is fully initialised; x264 copies what it keeps.
        let handle = unsafe { ffi::x264_encoder_open_164(&mut param) };
        let handle = NonNull::new(handle).ok_or(EncoderError::Open {
            width: settings.width,
            height: settings.height,
        })?;
        Ok(Self {
            handle,
            width: settings.width,
            height: settings.height,
        })
    }

    /// The stream's sequence parameter set, from the byte after its NAL header.
    pub fn sps(&mut self) -> Result<Vec<u8>, EncoderError> {
        let mut nals: *mut ffi::x264_nal_t = ptr::null_mut();
        let mut count: c_int = 0;
        // SAFETY: the handle is open; x264 points `nals` at `count` entries it owns.
        let code =
            unsafe { ffi::x264_encoder_headers(self.handle.as_ptr(), &mut nals, &mut count) };
        if code < 0 || nals.is_null() {
            return Err(EncoderError::Headers);
        }
        // SAFETY: x264 returned `count` valid entries at `nals`.
        let nals = unsafe { std::slice::from_raw_parts(nals, usize::try_from(count).unwrap_or(0)) };
        for nal in nals {
            if nal.i_type != 7 || nal.p_payload.is_null() {
                continue;
            }
            // SAFETY: each NAL's payload is `i_payload` bytes owned by x264.
            let bytes = unsafe {
                std::slice::from_raw_parts(
                    nal.p_payload,
                    usize::try_from(nal.i_payload).unwrap_or(0),
                )
            };
            let start_code = if nal.b_long_startcode != 0 { 4 } else { 3 };
            return bytes
                .get(start_code + 1..)
                .map(<[u8]>::to_vec)
                .ok_or(EncoderError::Headers);
        }
        Err(EncoderError::Headers)
    }

    /// Submits a picture (or, with `None`, asks for one of the frames x264 still holds) and
    /// returns the access unit x264 finished, if any. x264 has copied the picture when this
    /// returns.
    pub fn encode(
        &mut self,
        picture: Option<Picture<'_>>,
    ) -> Result<Option<Encoded<'_>>, EncoderError> {
        // SAFETY: x264_picture_t is plain data; x264_picture_init sets its defaults.
        let mut pic_in: ffi::x264_picture_t = unsafe { std::mem::zeroed() };
        let submitted = match picture {
            Some(p) => {
                self.check_planes(&p)?;
                // SAFETY: `pic_in` is a valid x264_picture_t.
                unsafe { ffi::x264_picture_init(&mut pic_in) };
                pic_in.img.i_csp = ffi::X264_CSP_I420 as c_int;
                pic_in.img.i_plane = 3;
                for i in 0..3 {
                    // x264 only reads input planes; its API is not const-correct.
                    pic_in.img.plane[i] = p.planes[i].as_ptr().cast_mut();
                    pic_in.img.i_stride[i] = c_int::try_from(p.strides[i]).unwrap_or(c_int::MAX);
                }
                pic_in.i_type = if p.force_idr {
                    ffi::X264_TYPE_IDR as c_int
                } else {
                    ffi::X264_TYPE_AUTO as c_int
                };
                pic_in.i_pts = p.pts;
                pic_in.opaque = p.id as usize as *mut std::ffi::c_void;
                true
            }
            None => false,
        };
        // SAFETY: as above.
        let mut pic_out: ffi::x264_picture_t = unsafe { std::mem::zeroed() };
        let mut nals: *mut ffi::x264_nal_t = ptr::null_mut();
        let mut count: c_int = 0;
        let pic_in_ptr = if submitted {
            &mut pic_in as *mut ffi::x264_picture_t
        } else {
            ptr::null_mut()
        };
        // SAFETY: the handle is open; the planes were checked to hold the whole picture
        // and stay borrowed for the call, during which x264 copies them.
        let size = unsafe {
            ffi::x264_encoder_encode(
                self.handle.as_ptr(),
                &mut nals,
                &mut count,
                pic_in_ptr,
                &mut pic_out,
            )
        };
        if size < 0 {
            return Err(EncoderError::Encode(size));
        }
        if size == 0 || count == 0 || nals.is_null() {
            return Ok(None);
        }
        // SAFETY: x264 guarantees the payloads of one call's NALs are contiguous, starting
        // at the first NAL's payload, `size` bytes in all, valid until the next call.
        let data = unsafe {
            let first = &*nals;
            std::slice::from_raw_parts(first.p_payload, usize::try_from(size).unwrap_or(0))
        };
        Ok(Some(Encoded {
            data,
            pts: pic_out.i_pts,
            dts: pic_out.i_dts,
            keyframe: pic_out.b_keyframe != 0,
            id: pic_out.opaque as usize as u32,
        }))
    }

    /// Frames x264 holds (lookahead, B-frame reordering, frame threads).
    pub fn delayed_frames(&self) -> usize {
        // SAFETY: the handle is open.
        usize::try_from(unsafe { ffi::x264_encoder_delayed_frames(self.handle.as_ptr()) })
            .unwrap_or(0)
    }

    /// The most frames x264 can hold, for latency reporting.
    pub fn max_delayed_frames(&self) -> usize {
        // SAFETY: the handle is open.
        usize::try_from(unsafe { ffi::x264_encoder_maximum_delayed_frames(self.handle.as_ptr()) })
            .unwrap_or(0)
    }

    fn check_planes(&self, p: &Picture<'_>) -> Result<(), EncoderError> {
        let (w, h) = (self.width as usize, self.height as usize);
        let sizes = [
            (w, h),
            (w.div_ceil(2), h.div_ceil(2)),
            (w.div_ceil(2), h.div_ceil(2)),
        ];
        for (plane, ((row, rows), (data, stride))) in
            sizes.iter().zip(p.planes.iter().zip(p.strides)).enumerate()
        {
            let needed = stride * (rows - 1) + row;
            if stride < *row || data.len() < needed {
                return Err(EncoderError::ShortPlane {
                    plane,
                    len: data.len(),
                    needed,
                    width: self.width,
                    height: self.height,
                });
            }
        }
        Ok(())
    }
}

impl Drop for Encoder {
    fn drop(&mut self) {
        // SAFETY: the handle is open and not used after this.
        unsafe { ffi::x264_encoder_close(self.handle.as_ptr()) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(width: u32, height: u32) -> Settings {
        Settings {
            width,
            height,
            fps: Some((30, 1)),
            sar: (1, 1),
            preset: "veryfast".into(),
            options: vec![("scenecut".into(), "0".into())],
            keyint_max: 10,
            bitrate_kbps: 500,
            vbv_buffer_ms: 600,
            profile: Some("high".into()),
            colour: None,
        }
    }

    #[test]
    fn encodes_every_picture_and_starts_with_an_idr() {
        let (w, h) = (64u32, 48u32);
        let mut enc = Encoder::open(&settings(w, h)).expect("open");
        let y = vec![16u8; (w * h) as usize];
        let c = vec![128u8; (w * h / 4) as usize];
        let mut out = Vec::new();
        for i in 0..25u32 {
            let pic = Picture {
                planes: [&y, &c, &c],
                strides: [w as usize, w as usize / 2, w as usize / 2],
                pts: i64::from(i) * 33_333_333,
                id: i,
                force_idr: false,
            };
            if let Some(e) = enc.encode(Some(pic)).expect("encode") {
                out.push((e.id, e.keyframe, e.data.len()));
            }
        }
        while enc.delayed_frames() > 0 {
            match enc.encode(None).expect("drain") {
                Some(e) => out.push((e.id, e.keyframe, e.data.len())),
                None => break,
            }
        }
        let mut ids: Vec<u32> = out.iter().map(|o| o.0).collect();
        ids.sort_unstable();
        assert_eq!(ids, (0..25).collect::<Vec<_>>());
        assert!(out[0].1, "first frame out is a keyframe");
        let keyframes: Vec<u32> = out.iter().filter(|o| o.1).map(|o| o.0).collect();
        assert_eq!(keyframes, vec![0, 10, 20], "GOP of 10 frames");
        // High profile: profile_idc 100 is the SPS's first byte after the NAL header.
        assert_eq!(enc.sps().expect("sps")[0], 100);
    }

    #[test]
    fn short_planes_are_refused_not_read() {
        let mut enc = Encoder::open(&settings(64, 48)).expect("open");
        let y = vec![0u8; 64 * 47];
        let c = vec![0u8; 32 * 24];
        let pic = Picture {
            planes: [&y, &c, &c],
            strides: [64, 32, 32],
            pts: 0,
            id: 0,
            force_idr: false,
        };
        let err = enc.encode(Some(pic)).expect_err("short luma plane");
        assert!(
            matches!(err, EncoderError::ShortPlane { plane: 0, .. }),
            "{err}"
        );
    }

    #[test]
    fn bad_settings_are_errors() {
        let mut s = settings(64, 48);
        s.preset = "warp-speed".into();
        assert!(matches!(Encoder::open(&s), Err(EncoderError::Preset(_))));
        let mut s = settings(64, 48);
        s.options.push(("no-such-option".into(), "1".into()));
        assert!(matches!(
            Encoder::open(&s),
            Err(EncoderError::Option { .. })
        ));
    }
}
