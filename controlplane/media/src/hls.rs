//! Owns the HLS text we write: the VOD media playlist of the segments we cut, the master
//! playlist, RFC 6381 codec strings from an H.264 SPS, and the RFC 8216 bandwidth figures
//! computed from real segment sizes.
//!
//! Pure functions, no GStreamer and no I/O, so they are unit-tested on their own.

use std::fmt::Write as _;

/// One media segment as the playlist lists it, with its stored size.
#[derive(Debug, Clone, PartialEq)]
pub struct Segment {
    /// URI as written in the media playlist (relative to it).
    pub uri: String,
    /// `#EXTINF` duration in seconds.
    pub duration: f64,
    /// Stored size in bytes.
    pub bytes: u64,
}

/// A VOD media playlist for `segments` (`#EXT-X-PLAYLIST-TYPE:VOD`, `#EXT-X-ENDLIST`).
/// The target duration is the longest segment rounded up, as RFC 8216 requires.
pub fn vod_media_playlist(segments: &[Segment]) -> String {
    let target = segments
        .iter()
        .map(|s| s.duration.ceil() as u64)
        .max()
        .unwrap_or(1)
        .max(1);
    let mut out = String::new();
    let _ = write!(
        out,
        "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-PLAYLIST-TYPE:VOD\n#EXT-X-INDEPENDENT-SEGMENTS\n\
         #EXT-X-TARGETDURATION:{target}\n#EXT-X-MEDIA-SEQUENCE:0\n"
    );
    for s in segments {
        let _ = write!(out, "#EXTINF:{:.3},\n{}\n", s.duration, s.uri);
    }
    out.push_str("#EXT-X-ENDLIST\n");
    out
}

/// (peak, average) bit rate in bits per second: RFC 8216 §4.3.4.2 — BANDWIDTH is the
/// largest segment bit rate (size / EXTINF duration), AVERAGE-BANDWIDTH the total size
/// over the total duration.
pub fn bandwidth(segments: &[Segment]) -> (u64, u64) {
    let peak = segments
        .iter()
        .filter(|s| s.duration > 0.0)
        .map(|s| (s.bytes as f64 * 8.0 / s.duration).ceil() as u64)
        .max()
        .unwrap_or(0);
    let total_bytes: u64 = segments.iter().map(|s| s.bytes).sum();
    let total_dur: f64 = segments.iter().map(|s| s.duration).sum();
    let avg = if total_dur > 0.0 {
        (total_bytes as f64 * 8.0 / total_dur).ceil() as u64
    } else {
        0
    };
    (peak, avg)
}

/// One `#EXT-X-STREAM-INF` entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Variant {
    /// Media playlist URI relative to the master.
    pub uri: String,
    /// Peak segment bit rate.
    pub bandwidth: u64,
    /// Average bit rate.
    pub average_bandwidth: u64,
    /// `(width, height)`, video only.
    pub resolution: Option<(u32, u32)>,
    /// RFC 6381 codecs, e.g. `avc1.64001f,mp4a.40.2`.
    pub codecs: String,
    /// Frames per second, video only.
    pub frame_rate: Option<f64>,
}

/// The master playlist, variants in the order given.
pub fn master_playlist(variants: &[Variant]) -> String {
    let mut out = String::from("#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-INDEPENDENT-SEGMENTS\n");
    for v in variants {
        let _ = write!(
            out,
            "#EXT-X-STREAM-INF:BANDWIDTH={},AVERAGE-BANDWIDTH={}",
            v.bandwidth, v.average_bandwidth
        );
        if let Some((w, h)) = v.resolution {
            let _ = write!(out, ",RESOLUTION={w}x{h}");
        }
        let _ = write!(out, ",CODECS=\"{}\"", v.codecs);
        if let Some(fps) = v.frame_rate {
            let _ = write!(out, ",FRAME-RATE={fps:.3}");
        }
        let _ = write!(out, "\n{}\n", v.uri);
    }
    out
}

/// Finds the first SPS NAL unit in an Annex-B byte stream and returns its RFC 6381
/// string, `avc1.PPCCLL` (profile_idc, constraint flags, level_idc, lower-case hex).
pub fn avc1_codec_from_annexb(data: &[u8]) -> Option<String> {
    let mut i = 0;
    while i + 3 < data.len() {
        if data[i] == 0 && data[i + 1] == 0 && data[i + 2] == 1 {
            let nal = i + 3;
            if nal + 3 < data.len() && data[nal] & 0x1f == 7 {
                return Some(format!(
                    "avc1.{:02x}{:02x}{:02x}",
                    data[nal + 1],
                    data[nal + 2],
                    data[nal + 3]
                ));
            }
            i = nal;
        } else {
            i += 1;
        }
    }
    None
}

/// RFC 6381 string for AAC from aacparse's `profile` caps field (`lc`, `he-aac`, ...).
pub fn mp4a_codec(profile: Option<&str>) -> &'static str {
    match profile {
        Some("he-aac") | Some("he-aac-v1") => "mp4a.40.5",
        Some("he-aac-v2") => "mp4a.40.29",
        Some("main") => "mp4a.40.1",
        _ => "mp4a.40.2",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bandwidth_is_peak_and_average_of_real_sizes() {
        let segs = vec![
            Segment {
                uri: "a".into(),
                duration: 4.0,
                bytes: 1_000_000,
            },
            Segment {
                uri: "b".into(),
                duration: 2.0,
                bytes: 750_000,
            },
        ];
        let (peak, avg) = bandwidth(&segs);
        assert_eq!(peak, 3_000_000);
        assert_eq!(avg, 2_333_334);
    }

    #[test]
    fn reads_profile_and_level_from_the_sps() {
        let stream = [
            0, 0, 0, 1, 0x09, 0xf0, 0, 0, 0, 1, 0x67, 0x64, 0x00, 0x1f, 0xac,
        ];
        assert_eq!(
            avc1_codec_from_annexb(&stream).as_deref(),
            Some("avc1.64001f")
        );
        assert_eq!(avc1_codec_from_annexb(&[0, 0, 1, 0x65, 1, 2, 3]), None);
    }

    #[test]
    fn master_lists_every_attribute() {
        let m = master_playlist(&[Variant {
            uri: "720p/index.m3u8".into(),
            bandwidth: 3_000_000,
            average_bandwidth: 2_000_000,
            resolution: Some((1280, 720)),
            codecs: "avc1.64001f,mp4a.40.2".into(),
            frame_rate: Some(30.0),
        }]);
        assert!(m.contains("BANDWIDTH=3000000,AVERAGE-BANDWIDTH=2000000,RESOLUTION=1280x720,CODECS=\"avc1.64001f,mp4a.40.2\",FRAME-RATE=30.000\n720p/index.m3u8\n"));
    }

    #[test]
    fn vod_playlist_rounds_target_duration_up_and_ends() {
        let p = vod_media_playlist(&[Segment {
            uri: "s.ts".into(),
            duration: 4.02,
            bytes: 1,
        }]);
        assert!(p.contains("#EXT-X-TARGETDURATION:5\n"));
        assert!(p.ends_with("#EXT-X-ENDLIST\n"));
    }
}
