//! A safe handle on one libswscale context that scales 8-bit I420 pictures of one size to
//! another, bilinear (ffmpeg's `scale=W:H:flags=bilinear`).

use std::ffi::c_int;
use std::ptr::{self, NonNull};

use crate::ffi;

/// What can go wrong between us and libswscale.
#[derive(Debug, thiserror::Error)]
pub enum ScaleError {
    /// `sws_getContext` refused the sizes.
    #[error("libswscale cannot scale {from:?} to {to:?}")]
    Context {
        /// Source width and height.
        from: (u32, u32),
        /// Destination width and height.
        to: (u32, u32),
    },
    /// A plane is smaller than its stride and the picture's height say.
    #[error("{side} plane {plane}: {len} bytes, {needed} needed")]
    ShortPlane {
        /// "source" or "destination".
        side: &'static str,
        /// Plane index (0 = Y).
        plane: usize,
        /// Bytes given.
        len: usize,
        /// Bytes the scaler would touch.
        needed: usize,
    },
}

/// Three planes of an I420 picture and their strides in bytes.
pub struct Planes<T> {
    /// Y, U, V.
    pub data: [T; 3],
    /// Bytes per row of each plane.
    pub strides: [usize; 3],
}

/// One scaling context: a source size to a destination size.
pub struct Scaler {
    ctx: NonNull<ffi::SwsContext>,
    from: (u32, u32),
    to: (u32, u32),
}

// SAFETY: the context is owned by this value alone and used through `&mut self` only, so
// from one thread at a time; libswscale keeps no thread-affine state in it.
unsafe impl Send for Scaler {}

/// Rows and bytes per row of plane `plane` of a `w`×`h` I420 picture.
fn plane_shape((w, h): (u32, u32), plane: usize) -> (usize, usize) {
    let (w, h) = (w as usize, h as usize);
    if plane == 0 {
        (h, w)
    } else {
        (h.div_ceil(2), w.div_ceil(2))
    }
}

fn check<T: AsRef<[u8]>>(
    side: &'static str,
    size: (u32, u32),
    planes: &Planes<T>,
) -> Result<(), ScaleError> {
    for plane in 0..3 {
        let (rows, row) = plane_shape(size, plane);
        let stride = planes.strides[plane];
        let len = planes.data[plane].as_ref().len();
        let needed = stride * rows.saturating_sub(1) + row;
        if stride < row || len < needed || c_int::try_from(stride).is_err() {
            return Err(ScaleError::ShortPlane {
                side,
                plane,
                len,
                needed,
            });
        }
    }
    Ok(())
}

impl Scaler {
    /// A bilinear scaler from `from` to `to` (width, height), I420 on both sides.
    pub fn new(from: (u32, u32), to: (u32, u32)) -> Result<Self, ScaleError> {
        let err = || ScaleError::Context { from, to };
        let dim = |v: u32| c_int::try_from(v).map_err(|_| err());
        // SAFETY: plain sizes and formats; null filters and parameters are libswscale's
        // defaults.
        let ctx = unsafe {
            ffi::sws_getContext(
                dim(from.0)?,
                dim(from.1)?,
                ffi::AVPixelFormat_AV_PIX_FMT_YUV420P,
                dim(to.0)?,
                dim(to.1)?,
                ffi::AVPixelFormat_AV_PIX_FMT_YUV420P,
                ffi::SWS_BILINEAR as c_int,
                ptr::null_mut(),
                ptr::null_mut(),
                ptr::null(),
            )
        };
        let ctx = NonNull::new(ctx).ok_or_else(err)?;
        Ok(Self { ctx, from, to })
    }

    /// Scales `src` (the source size) into `dst` (the destination size).
    pub fn scale(
        &mut self,
        src: &Planes<&[u8]>,
        dst: &mut Planes<&mut [u8]>,
    ) -> Result<(), ScaleError> {
        check("source", self.from, src)?;
        check("destination", self.to, dst)?;
        let src_ptrs = src.data.map(<[u8]>::as_ptr);
        let dst_ptrs = [0, 1, 2].map(|i| dst.data[i].as_mut_ptr());
        // Checked to fit in `check`.
        let stride = |s: usize| c_int::try_from(s).unwrap_or(c_int::MAX);
        let src_strides = src.strides.map(stride);
        let dst_strides = dst.strides.map(stride);
        // SAFETY: `check` proved every plane holds its rows at its stride, for the sizes
        // the context was made for; the pointers are valid for the call, the destination
        // exclusively borrowed.
        unsafe {
            ffi::sws_scale(
                self.ctx.as_ptr(),
                src_ptrs.as_ptr(),
                src_strides.as_ptr(),
                0,
                self.from.1 as c_int,
                dst_ptrs.as_ptr(),
                dst_strides.as_ptr(),
            )
        };
        Ok(())
    }
}

impl Drop for Scaler {
    fn drop(&mut self) {
        // SAFETY: ours, not used again.
        unsafe { ffi::sws_freeContext(self.ctx.as_ptr()) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn picture((w, h): (u32, u32), fill: impl Fn(usize, usize, usize) -> u8) -> Vec<Vec<u8>> {
        (0..3)
            .map(|p| {
                let (rows, row) = plane_shape((w, h), p);
                (0..rows * row).map(|i| fill(p, i / row, i % row)).collect()
            })
            .collect()
    }

    #[test]
    fn a_flat_picture_stays_flat_at_any_size() {
        let from = (1280, 720);
        let src = picture(from, |p, _, _| [90, 60, 200][p]);
        for to in [(854, 480), (640, 360), (1920, 1080), (2, 2)] {
            let mut dst = picture(to, |_, _, _| 0);
            let mut s = Scaler::new(from, to).expect("context");
            let [y, u, v] = &mut dst[..] else { panic!() };
            s.scale(
                &Planes {
                    data: [&src[0][..], &src[1][..], &src[2][..]],
                    strides: [1280, 640, 640],
                },
                &mut Planes {
                    data: [&mut y[..], &mut u[..], &mut v[..]],
                    strides: [
                        to.0 as usize,
                        to.0.div_ceil(2) as usize,
                        to.0.div_ceil(2) as usize,
                    ],
                },
            )
            .expect("scales");
            for (p, want) in [90u8, 60, 200].into_iter().enumerate() {
                assert!(
                    dst[p].iter().all(|&b| b.abs_diff(want) <= 1),
                    "{to:?} plane {p} not flat"
                );
            }
        }
    }

    #[test]
    fn short_planes_are_refused_not_read() {
        let mut s = Scaler::new((64, 64), (32, 32)).expect("context");
        let src = vec![0u8; 64 * 64];
        let mut out = [vec![0u8; 32 * 32], vec![0u8; 16 * 16], vec![0u8; 16 * 16]];
        let [y, u, v] = &mut out;
        let err = s.scale(
            &Planes {
                data: [&src[..], &src[..100], &src[..]],
                strides: [64, 32, 32],
            },
            &mut Planes {
                data: [&mut y[..], &mut u[..], &mut v[..]],
                strides: [32, 16, 16],
            },
        );
        assert!(matches!(
            err,
            Err(ScaleError::ShortPlane {
                side: "source",
                plane: 1,
                ..
            })
        ));
    }
}
