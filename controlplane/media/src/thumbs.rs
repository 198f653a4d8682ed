//! Owns thumbnail selection: a bounded set of small decoded frames collected in the same
//! single pass as the transcode (no second read of the source), from which the poster and
//! N evenly spaced thumbnails are picked once the real duration is known.
//!
//! Why decimation: the duration is not known up front for a streamed source (MPEG-TS
//! declares none), so frames are kept at an interval that doubles whenever the set
//! reaches its capacity (every other frame is dropped), and the kept frames stay roughly
//! evenly spread over whatever has been decoded so far.
//!
//! Kept frames are encoded to JPEG (`gst_video::convert_sample`, an in-memory
//! videoconvert ! jpegenc) as they are kept, not at the end: a 640x360 JPEG is tens of
//! KB where the raw I420 frame is 338 KB, so 40 candidates cost about 1-2 MB instead of
//! 14 MB, for about a hundred small encodes over a long job.

use gstreamer as gst;

use crate::ladder::{even, scaled_even};

/// Collects candidate frames (`T`: what is kept of one, a JPEG in the job).
pub struct ThumbCollector<T = Vec<u8>> {
    capacity: usize,
    interval: gst::ClockTime,
    next: gst::ClockTime,
    frames: Vec<(gst::ClockTime, T)>,
}

impl<T: Clone> ThumbCollector<T> {
    /// Keeps at most `capacity` frames (at least 4).
    pub fn new(capacity: usize) -> Self {
        ThumbCollector {
            capacity: capacity.max(4),
            interval: gst::ClockTime::from_mseconds(250),
            next: gst::ClockTime::ZERO,
            frames: Vec::new(),
        }
    }

    /// Whether a frame at `pts` would be kept (so it is worth encoding).
    pub fn wants(&self, pts: gst::ClockTime) -> bool {
        pts >= self.next
    }

    /// Keeps a frame at `pts` if it is still wanted.
    pub fn offer(&mut self, pts: gst::ClockTime, frame: T) {
        if !self.wants(pts) {
            return;
        }
        self.frames.push((pts, frame));
        self.next = pts + self.interval;
        if self.frames.len() >= self.capacity {
            let mut i = 0;
            self.frames.retain(|_| {
                i += 1;
                i % 2 == 1
            });
            self.interval *= 2;
            if let Some((last, _)) = self.frames.last() {
                self.next = *last + self.interval;
            }
        }
    }

    /// The frame nearest to each of `targets`.
    pub fn pick(&self, targets: &[gst::ClockTime]) -> Vec<T> {
        targets
            .iter()
            .filter_map(|t| {
                self.frames
                    .iter()
                    .min_by_key(|(pts, _)| pts.nseconds().abs_diff(t.nseconds()))
                    .map(|(_, s)| s.clone())
            })
            .collect()
    }

    /// Whether any frame was seen.
    pub fn is_empty(&self) -> bool {
        self.frames.is_empty()
    }
}

/// Thumbnail size for a `width` x `height` upright picture: `max_width` wide (never
/// wider than the picture), the height keeping the aspect, both even by the ladder's
/// rule (nearest even number, so 854x480 gives 640x360).
pub fn size(width: u32, height: u32, max_width: u32) -> (u32, u32) {
    let w = even(f64::from(max_width.min(width)), width);
    (w, scaled_even(height, w, width))
}

/// Poster time (10% in, past typical fades from black) and `n` evenly spaced times,
/// each in the middle of its slice of the duration.
pub fn targets(duration: gst::ClockTime, n: u32) -> (gst::ClockTime, Vec<gst::ClockTime>) {
    let d = duration.nseconds();
    let poster = gst::ClockTime::from_nseconds(d / 10);
    let n = u64::from(n);
    let spaced = (0..n)
        .map(|i| gst::ClockTime::from_nseconds(d * (2 * i + 1) / (2 * n)))
        .collect();
    (poster, spaced)
}

/// Encodes a raw video sample as JPEG bytes.
pub fn to_jpeg(sample: &gst::Sample) -> Result<Vec<u8>, String> {
    let caps = gst::Caps::builder("image/jpeg").build();
    let jpeg = gstreamer_video::convert_sample(sample, &caps, gst::ClockTime::from_seconds(10))
        .map_err(|e| format!("JPEG encoding failed: {e}"))?;
    let buffer = jpeg.buffer().ok_or("JPEG encoding gave no buffer")?;
    let map = buffer
        .map_readable()
        .map_err(|_| "JPEG buffer not readable".to_string())?;
    Ok(map.as_slice().to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_stays_bounded_and_frames_spread_out() {
        let mut c = ThumbCollector::<u64>::new(8);
        let mut wanted = 0;
        for i in 0..600u64 {
            let pts = gst::ClockTime::from_mseconds(i * 33);
            if c.wants(pts) {
                wanted += 1;
                c.offer(pts, i);
            }
        }
        // Only frames that were kept were worth encoding: far fewer than offered.
        assert!(wanted < 40, "{wanted}");
        assert!(c.frames.len() < 8);
        let first = c.frames.first().map(|f| f.0.mseconds()).unwrap_or(0);
        let last = c.frames.last().map(|f| f.0.mseconds()).unwrap_or(0);
        assert!(first < 1000 && last > 15_000, "{first}..{last}");
    }

    #[test]
    fn sizes_round_to_the_nearest_even_height() {
        assert_eq!(size(854, 480, 640), (640, 360));
        assert_eq!(size(1280, 720, 640), (640, 360));
        assert_eq!(size(360, 640, 640), (360, 640));
        assert_eq!(size(160, 120, 640), (160, 120));
        assert_eq!(size(161, 121, 640), (160, 120));
        // 1000 x 640 / 1917 = 333.9: nearest even is 334, flooring gave 332.
        assert_eq!(size(1917, 1000, 640), (640, 334));
    }

    #[test]
    fn targets_are_evenly_spaced() {
        let (poster, t) = targets(gst::ClockTime::from_seconds(10), 5);
        assert_eq!(poster, gst::ClockTime::from_seconds(1));
        let secs: Vec<u64> = t.iter().map(|t| t.mseconds()).collect();
        assert_eq!(secs, vec![1000, 3000, 5000, 7000, 9000]);
    }
}
