//! Owns the rendition ladder ([`Ladder`], [`Rung`]) and the pure planning step that turns
//! a ladder and a source size into the renditions to encode ([`plan`]).
//!
//! Rules (why): a rung is named by the *short* side of the picture, so a portrait phone
//! video gets the same quality steps as a landscape one; a rung above the source is
//! dropped (upscaling only costs bytes); a source below the lowest rung still gets one
//! rendition at its own size; every dimension is even because x264 encodes 4:2:0, and is
//! rounded to the nearest even number, never above the source's (`even`, which the
//! thumbnails share).

use std::time::Duration;

use crate::error::MediaError;

/// One step of the ladder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rung {
    /// Name, used as the rendition's folder (`720p/index.m3u8`).
    pub name: String,
    /// Short side of the picture in pixels (720 for 1280x720 and for 720x1280).
    pub short_side: u32,
    /// Video bit rate in bits per second.
    pub video_bitrate: u32,
}

impl Rung {
    /// A rung named `{short_side}p`.
    pub fn new(short_side: u32, video_bitrate: u32) -> Self {
        Rung {
            name: format!("{short_side}p"),
            short_side,
            video_bitrate,
        }
    }
}

/// x264's speed/quality preset (`speed-preset`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum X264Preset {
    /// Fastest, largest files.
    Ultrafast,
    /// Faster than veryfast, larger files.
    Superfast,
    /// The default: a good trade-off for VOD on small machines.
    Veryfast,
    /// Slower than veryfast, smaller files.
    Faster,
    /// Slower still.
    Fast,
    /// x264's own default.
    Medium,
}

impl X264Preset {
    /// x264's name for the preset.
    pub fn as_str(self) -> &'static str {
        match self {
            X264Preset::Ultrafast => "ultrafast",
            X264Preset::Superfast => "superfast",
            X264Preset::Veryfast => "veryfast",
            X264Preset::Faster => "faster",
            X264Preset::Fast => "fast",
            X264Preset::Medium => "medium",
        }
    }
}

/// What to produce from one source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ladder {
    /// Video rungs, any order (they are sorted by size when planned).
    pub rungs: Vec<Rung>,
    /// AAC bit rate in bits per second (encoded once, shared by every rendition).
    pub audio_bitrate: u32,
    /// HLS target segment duration. The GOP is this times the frame rate.
    pub segment_duration: Duration,
    /// x264 preset for every rung.
    pub preset: X264Preset,
    /// Number of evenly spaced thumbnails besides the poster.
    pub thumbnails: u32,
    /// Width of thumbnails and poster (never above the source's).
    pub thumbnail_width: u32,
}

impl Default for Ladder {
    /// 1080p 5 Mb/s, 720p 2.8 Mb/s, 480p 1.4 Mb/s, 360p 0.8 Mb/s; AAC 128 kb/s; 4 s
    /// segments; veryfast; 5 thumbnails 640 px wide.
    fn default() -> Self {
        Ladder {
            rungs: vec![
                Rung::new(1080, 5_000_000),
                Rung::new(720, 2_800_000),
                Rung::new(480, 1_400_000),
                Rung::new(360, 800_000),
            ],
            audio_bitrate: 128_000,
            segment_duration: Duration::from_secs(4),
            preset: X264Preset::Veryfast,
            thumbnails: 5,
            thumbnail_width: 640,
        }
    }
}

/// Lowest video bit rate we give a tiny source's single rendition.
const MIN_VIDEO_BITRATE: u32 = 64_000;

impl Ladder {
    /// Checks the options before any work starts.
    pub fn validate(&self) -> Result<(), MediaError> {
        let bad = |m: &str| Err(MediaError::InvalidOptions(m.to_string()));
        if self.rungs.is_empty() {
            return bad("the ladder has no rungs");
        }
        if self
            .rungs
            .iter()
            .any(|r| r.short_side < 2 || r.video_bitrate < 1000)
        {
            return bad("every rung needs a short side >= 2 and a bit rate >= 1000 b/s");
        }
        if self.rungs.iter().any(|r| {
            r.name.is_empty()
                || !r
                    .name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        }) {
            return bad("rung names must be non-empty [A-Za-z0-9_-]");
        }
        let secs = self.segment_duration.as_secs();
        if !(1..=30).contains(&secs) || self.segment_duration.subsec_nanos() != 0 {
            return bad("segment duration must be a whole number of seconds in 1..=30");
        }
        if !(8_000..=512_000).contains(&self.audio_bitrate) {
            return bad("audio bit rate must be in 8000..=512000 b/s");
        }
        if self.thumbnail_width < 16 {
            return bad("thumbnail width must be >= 16");
        }
        Ok(())
    }
}

/// One rendition to encode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedRendition {
    /// Folder name.
    pub name: String,
    /// Output width (even).
    pub width: u32,
    /// Output height (even).
    pub height: u32,
    /// Video bit rate, bits per second.
    pub video_bitrate: u32,
}

/// The even number nearest to `x`, but at least 2 and never above `limit` (the source's
/// side): the one rounding rule for every output picture, renditions and thumbnails
/// alike, so 854x480 scaled to 640 wide is 640x360 everywhere (359.7 rounds up), and an
/// odd 161-pixel side becomes 160, not an upscaled 162.
pub(crate) fn even(x: f64, limit: u32) -> u32 {
    let nearest = ((x / 2.0).round() as u32).saturating_mul(2);
    nearest.min(limit & !1).max(2)
}

/// `side` scaled by `to / from`, rounded by [`even`] and at most `side`.
pub(crate) fn scaled_even(side: u32, to: u32, from: u32) -> u32 {
    even(
        f64::from(side) * f64::from(to) / f64::from(from.max(1)),
        side,
    )
}

/// The renditions for a source of `width` x `height` display pixels, largest first.
pub fn plan(ladder: &Ladder, width: u32, height: u32) -> Vec<PlannedRendition> {
    let short = width.min(height).max(1);
    let mut rungs: Vec<&Rung> = ladder.rungs.iter().collect();
    rungs.sort_by_key(|r| std::cmp::Reverse(r.short_side));
    let mut out: Vec<PlannedRendition> = Vec::new();
    for rung in rungs.iter().filter(|r| r.short_side <= short) {
        let (w, h) = (
            scaled_even(width, rung.short_side, short),
            scaled_even(height, rung.short_side, short),
        );
        if out.iter().any(|p| p.width == w && p.height == h) {
            continue;
        }
        out.push(PlannedRendition {
            name: rung.name.clone(),
            width: w,
            height: h,
            video_bitrate: rung.video_bitrate,
        });
    }
    if out.is_empty() {
        // Smaller than the lowest rung: one rendition at the source's own size, with the
        // lowest rung's bit rate scaled by the pixel count.
        let lowest = rungs.last().map(|r| (r.short_side, r.video_bitrate));
        let (w, h) = (
            even(f64::from(width), width),
            even(f64::from(height), height),
        );
        let bitrate = match lowest {
            Some((side, rate)) => {
                let ratio = (f64::from(w.min(h)) / f64::from(side)).powi(2);
                ((f64::from(rate) * ratio) as u32).max(MIN_VIDEO_BITRATE)
            }
            None => MIN_VIDEO_BITRATE,
        };
        out.push(PlannedRendition {
            name: format!("{}p", w.min(h)),
            width: w,
            height: h,
            video_bitrate: bitrate,
        });
    }
    out
}

/// Frames per GOP: the segment duration times the frame rate, so every segment starts
/// on a keyframe at the same instant in every rendition.
pub fn gop_frames(fps: f64, segment: Duration) -> u32 {
    let fps = if fps.is_finite() && fps > 0.0 {
        fps
    } else {
        30.0
    };
    ((fps * segment.as_secs_f64()).round() as u32).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dims(p: &[PlannedRendition]) -> Vec<(u32, u32)> {
        p.iter().map(|r| (r.width, r.height)).collect()
    }

    #[test]
    fn a_720p_source_gets_720p_and_below_never_upscaled() {
        let p = plan(&Ladder::default(), 1280, 720);
        assert_eq!(dims(&p), vec![(1280, 720), (854, 480), (640, 360)]);
    }

    #[test]
    fn portrait_sources_are_named_by_their_short_side() {
        let p = plan(&Ladder::default(), 1080, 1920);
        assert_eq!(p[0].name, "1080p");
        assert_eq!((p[0].width, p[0].height), (1080, 1920));
        assert_eq!((p[1].width, p[1].height), (720, 1280));
    }

    #[test]
    fn a_tiny_source_gets_one_rendition_at_its_own_size() {
        let p = plan(&Ladder::default(), 160, 120);
        assert_eq!(dims(&p), vec![(160, 120)]);
        assert_eq!(p[0].name, "120p");
        assert!(p[0].video_bitrate >= MIN_VIDEO_BITRATE);
    }

    #[test]
    fn odd_dimensions_become_even_without_upscaling() {
        let p = plan(&Ladder::default(), 161, 121);
        assert_eq!(dims(&p), vec![(160, 120)]);
        let p = plan(&Ladder::default(), 1000, 563);
        assert!(p.iter().all(|r| r.width % 2 == 0 && r.height % 2 == 0));
        assert!(p.iter().all(|r| r.width <= 1000 && r.height <= 563));
    }

    #[test]
    fn sizes_round_to_the_nearest_even_number() {
        // 854 x 360 / 480 = 640.5 and 480 x 640 / 854 = 359.7: both round to 640x360.
        let p = plan(&Ladder::default(), 854, 480);
        assert_eq!(dims(&p), vec![(854, 480), (640, 360)]);
        assert_eq!(scaled_even(480, 640, 854), 360);
        assert_eq!(scaled_even(480, 641, 854), 360);
        // 101 x 2 / 3 = 67.3 → 68 rounds up; 100 x 2 / 3 = 66.7 → 66 rounds down.
        assert_eq!(scaled_even(101, 2, 3), 68);
        assert_eq!(scaled_even(100, 2, 3), 66);
        assert_eq!((even(0.4, 100), even(7.0, 7), even(9.0, 8)), (2, 6, 8));
    }

    #[test]
    fn gop_follows_frame_rate_and_segment_duration() {
        assert_eq!(gop_frames(30.0, Duration::from_secs(4)), 120);
        assert_eq!(gop_frames(29.97, Duration::from_secs(2)), 60);
        assert_eq!(gop_frames(0.0, Duration::from_secs(2)), 60);
    }

    #[test]
    fn validation_rejects_unusable_ladders() {
        let mut l = Ladder::default();
        l.rungs.clear();
        assert!(l.validate().is_err());
        let l = Ladder {
            segment_duration: Duration::from_millis(1500),
            ..Ladder::default()
        };
        assert!(l.validate().is_err());
        let mut l = Ladder::default();
        l.rungs[0].name = "../x".into();
        assert!(l.validate().is_err());
        assert!(Ladder::default().validate().is_ok());
    }
}
