//! A safe handle on one libavcodec H.264 decoder: Annex B access units in, each tagged with
//! the caller's frame id; reference-counted pictures out, in presentation order, each
//! carrying the id of the access unit it was decoded from.
//!
//! A [`Picture`] holds its own reference to libav's frame buffers, so its planes stay valid
//! (and unchanged: libav only reads a picture once it has output it) for as long as the
//! picture lives, on any thread, while the decoder goes on. That is what lets the element
//! hand the planes downstream without copying them, as ffmpeg's own tools do.

use std::ffi::{CStr, CString, c_char, c_int};
use std::ptr::{self, NonNull};

use crate::ffi;

/// `AVERROR(EAGAIN)` on Linux: the decoder wants input before it can output more.
const AVERROR_EAGAIN: c_int = -11;
/// `AVERROR_EOF` (`FFERRTAG('E','O','F',' ')`): the decoder has been drained.
const AVERROR_EOF: c_int = -(0x45 | (0x4f << 8) | (0x46 << 16) | (0x20 << 24));

/// What can go wrong between us and libavcodec.
#[derive(Debug, thiserror::Error)]
pub enum DecoderError {
    /// This libavcodec has no H.264 decoder.
    #[error("libavcodec has no H.264 decoder")]
    NoDecoder,
    /// libav could not allocate a context, packet or frame.
    #[error("libavcodec could not allocate its {0}")]
    Alloc(&'static str),
    /// `avcodec_open2` failed.
    #[error("libavcodec could not open the H.264 decoder: {0}")]
    Open(String),
    /// An access unit is larger than a packet can be.
    #[error("access unit of {0} bytes is too large")]
    TooLarge(usize),
    /// libav refused an access unit (corrupt or unsupported data).
    #[error("H.264 data could not be decoded: {0}")]
    Decode(String),
    /// A decoded picture is not 8-bit 4:2:0, the only layout this decoder hands out.
    #[error("decoded picture has pixel format {0}, not 8-bit 4:2:0")]
    PixelFormat(i32),
    /// A decoded picture's plane lies outside the buffer that holds it.
    #[error("decoded picture plane {plane} is smaller than its stride and height say")]
    ShortPlane {
        /// Plane index (0 = Y).
        plane: usize,
    },
}

/// libav's message for an error code.
fn av_error(code: c_int) -> String {
    let mut buf = [0 as c_char; 128];
    // SAFETY: `buf` is writable for its whole length, which is what we pass; av_strerror
    // always NUL-terminates within it.
    let rc = unsafe { ffi::av_strerror(code, buf.as_mut_ptr(), buf.len()) };
    if rc < 0 {
        return format!("error {code}");
    }
    // SAFETY: NUL-terminated by av_strerror, and `buf` outlives the borrow.
    unsafe { CStr::from_ptr(buf.as_ptr()) }
        .to_string_lossy()
        .into_owned()
}

/// One open H.264 decoder.
pub struct Decoder {
    ctx: NonNull<ffi::AVCodecContext>,
    packet: NonNull<ffi::AVPacket>,
}

// SAFETY: the context and packet are owned by this value alone and libav keeps no
// thread-affine state in them; `&mut self` on every call keeps use to one thread at a time.
unsafe impl Send for Decoder {}

impl Decoder {
    /// Opens a decoder that decodes with `threads` threads (0: libav picks).
    pub fn open(threads: u32) -> Result<Self, DecoderError> {
        // SAFETY: a lookup in libav's static codec table.
        let codec = unsafe { ffi::avcodec_find_decoder(ffi::AVCodecID_AV_CODEC_ID_H264) };
        if codec.is_null() {
            return Err(DecoderError::NoDecoder);
        }
        // SAFETY: `codec` is a valid decoder from the table.
        let ctx = NonNull::new(unsafe { ffi::avcodec_alloc_context3(codec) })
            .ok_or(DecoderError::Alloc("codec context"))?;
        // From here `Drop` frees whatever was allocated, so build `Self` at once.
        // SAFETY: plain allocation.
        let Some(packet) = NonNull::new(unsafe { ffi::av_packet_alloc() }) else {
            let mut ctx = ctx.as_ptr();
            // SAFETY: `ctx` was allocated above and is not used again.
            unsafe { ffi::avcodec_free_context(&mut ctx) };
            return Err(DecoderError::Alloc("packet"));
        };
        let decoder = Self { ctx, packet };
        let threads = CString::new(threads.to_string()).unwrap_or_default();
        let mut options: *mut ffi::AVDictionary = ptr::null_mut();
        // SAFETY: `options` starts empty and av_dict_set allocates it; both strings are
        // NUL-terminated and copied by libav.
        unsafe { ffi::av_dict_set(&mut options, c"threads".as_ptr(), threads.as_ptr(), 0) };
        // SAFETY: the context was allocated for `codec`; `options` is a valid dictionary
        // (or null), whose unused entries libav leaves in it for us to free.
        let rc = unsafe { ffi::avcodec_open2(decoder.ctx.as_ptr(), codec, &mut options) };
        // SAFETY: `options` is ours to free, null or not.
        unsafe { ffi::av_dict_free(&mut options) };
        if rc < 0 {
            return Err(DecoderError::Open(av_error(rc)));
        }
        Ok(decoder)
    }

    /// Gives the decoder one access unit (Annex B), tagged with `id`, which comes back on
    /// the picture it decodes to.
    pub fn send(&mut self, access_unit: &[u8], id: i64) -> Result<(), DecoderError> {
        let size = c_int::try_from(access_unit.len())
            .map_err(|_| DecoderError::TooLarge(access_unit.len()))?;
        let pkt = self.packet.as_ptr();
        // SAFETY: `pkt` is our packet, unreferenced since the last send; av_new_packet
        // gives it a reference-counted buffer of `size` bytes plus zeroed padding.
        let rc = unsafe { ffi::av_new_packet(pkt, size) };
        if rc < 0 {
            return Err(DecoderError::Alloc("packet data"));
        }
        // SAFETY: the packet's data holds `size` bytes, and `access_unit` is that long.
        unsafe {
            ptr::copy_nonoverlapping(access_unit.as_ptr(), (*pkt).data, access_unit.len());
            (*pkt).pts = id;
        }
        // SAFETY: context open, packet filled; libav takes its own reference to the data.
        let rc = unsafe { ffi::avcodec_send_packet(self.ctx.as_ptr(), pkt) };
        // SAFETY: our reference is dropped either way.
        unsafe { ffi::av_packet_unref(pkt) };
        match rc {
            // The decoder holds pictures not yet received; the caller receives all of them
            // after every send, so this only happens after a drain.
            0 | AVERROR_EOF => Ok(()),
            rc => Err(DecoderError::Decode(av_error(rc))),
        }
    }

    /// Tells the decoder no more input comes, so [`Decoder::receive`] returns every
    /// picture it still holds. [`Decoder::flush`] makes it ready for input again.
    pub fn send_end(&mut self) -> Result<(), DecoderError> {
        // SAFETY: a null packet is libav's end-of-stream signal.
        match unsafe { ffi::avcodec_send_packet(self.ctx.as_ptr(), ptr::null()) } {
            0 | AVERROR_EOF => Ok(()),
            rc => Err(DecoderError::Decode(av_error(rc))),
        }
    }

    /// The next picture in presentation order, if the decoder has one ready.
    pub fn receive(&mut self) -> Result<Option<Picture>, DecoderError> {
        // SAFETY: plain allocation; owned by the `Picture` below, or freed.
        let frame =
            NonNull::new(unsafe { ffi::av_frame_alloc() }).ok_or(DecoderError::Alloc("frame"))?;
        let picture = Picture { frame };
        // SAFETY: context open; the frame is empty and receives new references.
        match unsafe { ffi::avcodec_receive_frame(self.ctx.as_ptr(), picture.frame.as_ptr()) } {
            0 => picture.check().map(Some),
            AVERROR_EAGAIN | AVERROR_EOF => Ok(None),
            rc => Err(DecoderError::Decode(av_error(rc))),
        }
    }

    /// Drops every picture in flight and the end-of-stream state (seek, flush, after a
    /// drain); the next access unit should start with a keyframe.
    pub fn flush(&mut self) {
        // SAFETY: context open.
        unsafe { ffi::avcodec_flush_buffers(self.ctx.as_ptr()) };
    }
}

impl Drop for Decoder {
    fn drop(&mut self) {
        let mut pkt = self.packet.as_ptr();
        let mut ctx = self.ctx.as_ptr();
        // SAFETY: both were allocated by libav, are owned by us and not used again;
        // pictures already received hold their own buffer references and outlive this.
        unsafe {
            ffi::av_packet_free(&mut pkt);
            ffi::avcodec_free_context(&mut ctx);
        }
    }
}

/// A picture's colour description, in ISO/IEC 23001-8 code points (what H.264's VUI
/// carries and libav's `AVCOL_*` values are); 2 means unspecified.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Colour {
    /// `colour_primaries`.
    pub primaries: u32,
    /// `transfer_characteristics`.
    pub transfer: u32,
    /// `matrix_coefficients`.
    pub matrix: u32,
    /// Full range (0-255), from the VUI or a `yuvj` pixel format; `None` if unspecified.
    pub full_range: Option<bool>,
    /// Where chroma samples sit, if the stream says.
    pub chroma_site: Option<ChromaSite>,
}

/// Where 4:2:0 chroma samples sit relative to luma (H.264's `chroma_sample_loc_type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChromaSite {
    /// Between the two luma rows, on the left column (H.264's default; MPEG-2's).
    Left,
    /// Between rows and columns (JPEG's).
    Center,
    /// On the top-left luma sample.
    TopLeft,
    /// Any other placement H.264 allows.
    Other,
}

/// One decoded 8-bit 4:2:0 picture, holding a reference to libav's buffers.
pub struct Picture {
    frame: NonNull<ffi::AVFrame>,
}

// SAFETY: the frame is ours alone and only read after decoding; its buffers are
// reference-counted with atomics, so releasing them on another thread is what libav
// supports (ffmpeg hands frames between threads the same way).
unsafe impl Send for Picture {}
// SAFETY: nothing reachable through `&Picture` mutates the frame or its planes.
unsafe impl Sync for Picture {}

impl Picture {
    fn frame(&self) -> &ffi::AVFrame {
        // SAFETY: allocated by av_frame_alloc and alive until drop.
        unsafe { self.frame.as_ref() }
    }

    /// Refuses what [`Picture::plane`] could not describe safely.
    fn check(self) -> Result<Self, DecoderError> {
        let format = self.frame().format;
        if format != ffi::AVPixelFormat_AV_PIX_FMT_YUV420P
            && format != ffi::AVPixelFormat_AV_PIX_FMT_YUVJ420P
        {
            return Err(DecoderError::PixelFormat(format));
        }
        for plane in 0..3 {
            self.plane_bounds(plane)?;
        }
        Ok(self)
    }

    /// The id given with the access unit this picture was decoded from.
    pub fn id(&self) -> i64 {
        self.frame().pts
    }

    /// Width in pixels, after cropping.
    pub fn width(&self) -> u32 {
        u32::try_from(self.frame().width).unwrap_or(0)
    }

    /// Height in pixels, after cropping.
    pub fn height(&self) -> u32 {
        u32::try_from(self.frame().height).unwrap_or(0)
    }

    /// Whether it was decoded from a keyframe.
    pub fn keyframe(&self) -> bool {
        self.frame().key_frame != 0
    }

    /// Whether libav found errors while decoding it (it is still output, concealed).
    pub fn corrupt(&self) -> bool {
        self.frame().decode_error_flags != 0
    }

    /// The colour description the stream carries.
    pub fn colour(&self) -> Colour {
        let f = self.frame();
        let full_range = if f.format == ffi::AVPixelFormat_AV_PIX_FMT_YUVJ420P {
            Some(true)
        } else {
            match f.color_range {
                ffi::AVColorRange_AVCOL_RANGE_JPEG => Some(true),
                ffi::AVColorRange_AVCOL_RANGE_MPEG => Some(false),
                _ => None,
            }
        };
        let chroma_site = match f.chroma_location {
            ffi::AVChromaLocation_AVCHROMA_LOC_UNSPECIFIED => None,
            ffi::AVChromaLocation_AVCHROMA_LOC_LEFT => Some(ChromaSite::Left),
            ffi::AVChromaLocation_AVCHROMA_LOC_CENTER => Some(ChromaSite::Center),
            ffi::AVChromaLocation_AVCHROMA_LOC_TOPLEFT => Some(ChromaSite::TopLeft),
            _ => Some(ChromaSite::Other),
        };
        Colour {
            primaries: f.color_primaries,
            transfer: f.color_trc,
            matrix: f.colorspace,
            full_range,
            chroma_site,
        }
    }

    /// Rows and bytes per row of plane `plane` (0 = Y, 1 = U, 2 = V).
    fn plane_shape(&self, plane: usize) -> (usize, usize) {
        let (w, h) = (self.width() as usize, self.height() as usize);
        if plane == 0 {
            (h, w)
        } else {
            (h.div_ceil(2), w.div_ceil(2))
        }
    }

    /// The plane's start, stride and length: `stride × rows`, or less if the buffer
    /// holding it ends sooner, but never less than the bytes its rows cover.
    fn plane_bounds(&self, plane: usize) -> Result<(*const u8, usize, usize), DecoderError> {
        let f = self.frame();
        let short = || DecoderError::ShortPlane { plane };
        let data = f.data[plane].cast_const();
        let stride = usize::try_from(f.linesize[plane]).map_err(|_| short())?;
        let (rows, row) = self.plane_shape(plane);
        if data.is_null() || rows == 0 || stride < row {
            return Err(short());
        }
        // The buffer that holds the plane: libav gives each plane its own, but look them
        // all up rather than assume it.
        let start = data as usize;
        let available = f
            .buf
            .iter()
            .filter(|b| !b.is_null())
            .find_map(|&b| {
                // SAFETY: non-null entries of `buf` are valid buffer references of this frame.
                let b = unsafe { &*b };
                let (lo, len) = (b.data as usize, b.size);
                (lo <= start && start < lo + len).then(|| lo + len - start)
            })
            .ok_or_else(short)?;
        let needed = stride * (rows - 1) + row;
        if available < needed {
            return Err(short());
        }
        Ok((data, stride, (stride * rows).min(available)))
    }

    /// Plane `plane` (0 = Y, 1 = U, 2 = V) and its stride in bytes.
    pub fn plane(&self, plane: usize) -> (&[u8], usize) {
        match self.plane_bounds(plane) {
            // SAFETY: `check` proved the range lies inside a buffer this picture holds a
            // reference to, which nobody writes while the picture lives.
            Ok((data, stride, len)) => (unsafe { std::slice::from_raw_parts(data, len) }, stride),
            Err(_) => (&[], 0),
        }
    }
}

impl Drop for Picture {
    fn drop(&mut self) {
        let mut frame = self.frame.as_ptr();
        // SAFETY: ours, not used again; drops our references to the buffers.
        unsafe { ffi::av_frame_free(&mut frame) };
    }
}

impl std::fmt::Debug for Picture {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Picture")
            .field("id", &self.id())
            .field("width", &self.width())
            .field("height", &self.height())
            .field("keyframe", &self.keyframe())
            .finish()
    }
}
