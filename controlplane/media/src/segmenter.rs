//! Owns our HLS segmenter: it cuts one rendition's MPEG-TS byte stream (mpegtsmux's
//! output) into segments. Written here, on purpose, instead of using hlssink2: hlssink2's
//! splitmuxsink (GStreamer 1.22) closes a fragment only once the *next* GOP is complete,
//! so the first segment cost two segment durations of encoding before it could be stored
//! (docs/benchmarks/media.md). This cutter closes a segment the moment the packet that
//! starts the next one arrives, so segment N is stored as soon as the encoder has emitted
//! the keyframe that starts segment N+1.
//!
//! It is a pure state machine over 188-byte transport packets, with no GStreamer in it,
//! so the cut rules are unit-tested on synthetic streams:
//!
//! - **Video ladders**: a segment ends where a video PES that starts a keyframe (the
//!   adaptation field's `random_access_indicator`, which mpegtsmux sets from the buffer's
//!   keyframe flag) has a PTS at least the target duration, less half a frame, after the
//!   segment's first video PTS. Our GOPs are fixed and aligned across rungs
//!   (`key-int-max` = round(fps × segment), no scene cuts), so every rung cuts at the same
//!   instants; the half frame absorbs the GOP's rounding to whole frames.
//! - **Audio-only ladders**: a segment ends at the audio PES nearest to the target: the
//!   first whose PTS is at least the target duration, less half a frame, after the
//!   segment's first audio PTS. mpegtsmux puts one ADTS frame per PES, so every PES start
//!   is an ADTS frame boundary (an AAC frame is 1024 samples, 21.3 ms at 48 kHz).
//! - **Every segment starts with PAT and PMT.** mpegtsmux repeats its tables on a timer
//!   (every 100 ms), not at keyframes, so the cutter owns the tables: it keeps the latest
//!   PAT and PMT, drops the muxer's repeats and writes both at the start of every segment
//!   with its own continuity counters, which therefore run on without a gap when the
//!   segments are played one after the other.
//! - **Durations** (for `#EXTINF`) are PTS differences between cut points (90 kHz); the
//!   last segment ends at the last PTS plus one frame (the smallest step between PTS values
//!   seen on that stream).
//!
//! The first segment starts at the first elementary-stream packet: audio the muxer
//! interleaves just ahead of the first keyframe belongs to it, and the first video frame in
//! it is the encoder's first frame, an IDR.

/// Size of one MPEG transport stream packet.
pub const TS_PACKET: usize = 188;
/// PTS ticks per second.
pub const PTS_HZ: u64 = 90_000;
/// How early a cut may be before one frame's length is known (never, in practice: the
/// first cut comes a whole segment after the first frames).
const FALLBACK_TOLERANCE: u64 = PTS_HZ / 100;

const SYNC: u8 = 0x47;
const PAT_PID: u16 = 0;
const STREAM_TYPE_H264: u8 = 0x1b;
const STREAM_TYPE_AAC_ADTS: u8 = 0x0f;
/// PTS values are 33 bits.
const PTS_MASK: u64 = (1 << 33) - 1;

/// Where the segmenter sends its output, in order: `begin(0)`, `write`…, `end(0, d)`,
/// `begin(1)`, ….
pub trait SegmentOut {
    /// A new segment starts; `index` counts from 0.
    fn begin(&mut self, index: u32) -> Result<(), SegmentError>;
    /// Bytes of the open segment (whole transport packets).
    fn write(&mut self, bytes: &[u8]) -> Result<(), SegmentError>;
    /// The open segment is complete and lasts `duration` seconds.
    fn end(&mut self, index: u32, duration: f64) -> Result<(), SegmentError>;
}

/// Why segmenting stopped.
#[derive(Debug, thiserror::Error)]
pub enum SegmentError {
    /// The bytes are not a transport stream (a packet without the 0x47 sync byte).
    #[error("the muxer's output lost transport packet sync at byte {0}")]
    Sync(u64),
    /// Elementary-stream data came before the PAT and PMT that describe it.
    #[error("the muxer's output has stream data before its PAT/PMT")]
    NoTables,
    /// The PMT lists no H.264 or AAC stream to cut on.
    #[error("the muxer's PMT lists no {0} stream")]
    NoStream(&'static str),
    /// Storing the segment failed.
    #[error("storing a segment failed: {0}")]
    Store(#[from] std::io::Error),
}

/// Which stream decides where segments end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CutOn {
    /// Keyframes of the H.264 stream.
    VideoKeyframes,
    /// Audio PES (ADTS frame) boundaries, every target duration.
    AudioFrames,
}

/// PTS bookkeeping of one elementary stream.
#[derive(Debug, Clone, Copy, Default)]
struct Timing {
    /// Largest PTS seen (unwrapped).
    max_pts: Option<u64>,
    /// Previous PTS, for the step.
    last_pts: Option<u64>,
    /// Smallest positive PTS step seen: one frame.
    step: Option<u64>,
}

impl Timing {
    fn see(&mut self, pts: u64) {
        if let Some(last) = self.last_pts {
            let d = pts.abs_diff(last);
            if d > 0 {
                self.step = Some(self.step.map_or(d, |s| s.min(d)));
            }
        }
        self.last_pts = Some(pts);
        self.max_pts = Some(self.max_pts.map_or(pts, |m| m.max(pts)));
    }

    fn end(&self) -> Option<u64> {
        self.max_pts.map(|m| m + self.step.unwrap_or(0))
    }
}

/// The segment being written.
#[derive(Debug, Clone, Copy)]
struct Open {
    index: u32,
    /// First PTS of the cutting stream in this segment, once seen.
    start: Option<u64>,
}

/// Cuts one rendition's transport stream into HLS segments (see the module doc).
pub struct Segmenter {
    rule: CutOn,
    target: u64,
    /// Bytes of a packet split across two input chunks.
    partial: Vec<u8>,
    /// Bytes taken so far (for error offsets).
    offset: u64,
    pat: Option<[u8; TS_PACKET]>,
    pmt: Option<[u8; TS_PACKET]>,
    pmt_pid: Option<u16>,
    video_pid: Option<u16>,
    audio_pid: Option<u16>,
    pat_cc: u8,
    pmt_cc: u8,
    open: Option<Open>,
    next_index: u32,
    /// Timing of the cutting stream over the whole run.
    timing: Timing,
}

impl Segmenter {
    /// A segmenter cutting every `target_secs` seconds on `rule`.
    pub fn new(rule: CutOn, target_secs: u64) -> Self {
        Segmenter {
            rule,
            target: target_secs * PTS_HZ,
            partial: Vec::new(),
            offset: 0,
            pat: None,
            pmt: None,
            pmt_pid: None,
            video_pid: None,
            audio_pid: None,
            pat_cc: 0,
            pmt_cc: 0,
            open: None,
            next_index: 0,
            timing: Timing::default(),
        }
    }

    /// Segments started so far.
    #[cfg(test)]
    fn segments(&self) -> u32 {
        self.next_index
    }

    /// Takes the next bytes of the stream (any split; whole packets are processed).
    pub fn push(&mut self, mut data: &[u8], out: &mut impl SegmentOut) -> Result<(), SegmentError> {
        if !self.partial.is_empty() {
            let need = TS_PACKET - self.partial.len();
            let take = need.min(data.len());
            self.partial.extend_from_slice(&data[..take]);
            data = &data[take..];
            if self.partial.len() < TS_PACKET {
                return Ok(());
            }
            let packet = std::mem::take(&mut self.partial);
            self.packets(&packet, out)?;
        }
        let whole = data.len() - data.len() % TS_PACKET;
        self.packets(&data[..whole], out)?;
        self.partial.extend_from_slice(&data[whole..]);
        Ok(())
    }

    /// Ends the stream: closes the open segment (a trailing partial packet is dropped).
    pub fn finish(&mut self, out: &mut impl SegmentOut) -> Result<(), SegmentError> {
        self.partial.clear();
        if let Some(open) = self.open.take() {
            let end = self.timing.end();
            let duration = match (open.start, end) {
                (Some(s), Some(e)) if e > s => (e - s) as f64 / PTS_HZ as f64,
                _ => 0.0,
            };
            out.end(open.index, duration)?;
        }
        Ok(())
    }

    /// Whole packets: forwards runs of kept packets in one `write` each.
    fn packets(&mut self, data: &[u8], out: &mut impl SegmentOut) -> Result<(), SegmentError> {
        let mut run_start = 0;
        for (i, p) in data.chunks_exact(TS_PACKET).enumerate() {
            let at = i * TS_PACKET;
            if p[0] != SYNC {
                return Err(SegmentError::Sync(self.offset + at as u64));
            }
            let pid = (u16::from(p[1] & 0x1f) << 8) | u16::from(p[2]);
            let pusi = p[1] & 0x40 != 0;
            // Tables: kept, never forwarded (each segment gets its own copy).
            if pid == PAT_PID || Some(pid) == self.pmt_pid {
                self.flush(&data[run_start..at], out)?;
                run_start = at + TS_PACKET;
                if pusi {
                    self.table(pid, p)?;
                }
                continue;
            }
            let cutting = match self.rule {
                CutOn::VideoKeyframes => self.video_pid,
                CutOn::AudioFrames => self.audio_pid,
            };
            let es = Some(pid) == self.video_pid || Some(pid) == self.audio_pid;
            if !es {
                // Null packets or a stream we did not ask for: forwarded as they are.
                continue;
            }
            let pts = if pusi { pes_pts(p) } else { None };
            let unwrapped = pts.map(|t| self.unwrap(t));
            let on_cutting = Some(pid) == cutting;
            let starts_segment = match self.open {
                None => true,
                Some(open) => {
                    on_cutting
                        && match (open.start, unwrapped) {
                            (Some(start), Some(t)) => {
                                let random_access =
                                    self.rule == CutOn::AudioFrames || random_access(p);
                                random_access && t + self.tolerance() >= start + self.target
                            }
                            _ => false,
                        }
                }
            };
            if starts_segment {
                self.flush(&data[run_start..at], out)?;
                run_start = at;
                self.cut(unwrapped.filter(|_| on_cutting), out)?;
            }
            if on_cutting && let Some(t) = unwrapped {
                self.timing.see(t);
                if let Some(open) = self.open.as_mut()
                    && open.start.is_none()
                {
                    open.start = Some(t);
                }
            }
        }
        self.flush(&data[run_start..], out)?;
        self.offset += data.len() as u64;
        Ok(())
    }

    /// Half a frame of the cutting stream.
    fn tolerance(&self) -> u64 {
        self.timing
            .step
            .map_or(FALLBACK_TOLERANCE, |s| s.div_ceil(2))
    }

    /// PTS values wrap at 2^33 (26.5 h); keep them increasing across one wrap.
    fn unwrap(&self, pts: u64) -> u64 {
        match self.timing.max_pts {
            Some(max) if max > PTS_MASK / 2 && pts < max.saturating_sub(PTS_MASK / 2) => {
                pts + PTS_MASK + 1
            }
            _ => pts,
        }
    }

    fn flush(&mut self, run: &[u8], out: &mut impl SegmentOut) -> Result<(), SegmentError> {
        if run.is_empty() {
            return Ok(());
        }
        if self.open.is_none() {
            // Only tables and unknown packets come before the first cut; the first
            // stream packet opens segment 0 before anything is forwarded.
            return Ok(());
        }
        out.write(run)
    }

    /// Closes the open segment at `pts` and opens the next one with fresh tables.
    fn cut(&mut self, pts: Option<u64>, out: &mut impl SegmentOut) -> Result<(), SegmentError> {
        let (Some(pat), Some(pmt)) = (self.pat, self.pmt) else {
            return Err(SegmentError::NoTables);
        };
        if let Some(open) = self.open.take() {
            let duration = match (open.start, pts) {
                (Some(s), Some(e)) if e > s => (e - s) as f64 / PTS_HZ as f64,
                _ => 0.0,
            };
            out.end(open.index, duration)?;
        }
        let index = self.next_index;
        self.next_index += 1;
        out.begin(index)?;
        self.open = Some(Open { index, start: pts });
        let mut tables = [0u8; 2 * TS_PACKET];
        tables[..TS_PACKET].copy_from_slice(&pat);
        tables[TS_PACKET..].copy_from_slice(&pmt);
        tables[3] = (tables[3] & 0xf0) | self.pat_cc;
        tables[TS_PACKET + 3] = (tables[TS_PACKET + 3] & 0xf0) | self.pmt_cc;
        self.pat_cc = (self.pat_cc + 1) & 0x0f;
        self.pmt_cc = (self.pmt_cc + 1) & 0x0f;
        out.write(&tables)
    }

    /// Keeps a PAT or PMT (single-packet sections, as mpegtsmux writes them).
    fn table(&mut self, pid: u16, p: &[u8]) -> Result<(), SegmentError> {
        let Some(section) = payload(p).and_then(|pl| {
            let pointer = usize::from(*pl.first()?);
            pl.get(1 + pointer..)
        }) else {
            return Ok(());
        };
        let mut copy = [0u8; TS_PACKET];
        copy.copy_from_slice(p);
        if pid == PAT_PID {
            // table_id 0, section_length, then (program_number, PID) pairs after 8 bytes.
            if section.first() != Some(&0x00) || section.len() < 12 {
                return Ok(());
            }
            let len = (usize::from(section[1] & 0x0f) << 8) | usize::from(section[2]);
            let end = (3 + len).saturating_sub(4).min(section.len());
            let mut i = 8;
            while i + 4 <= end {
                let program = (u16::from(section[i]) << 8) | u16::from(section[i + 1]);
                let map_pid = (u16::from(section[i + 2] & 0x1f) << 8) | u16::from(section[i + 3]);
                if program != 0 {
                    self.pmt_pid = Some(map_pid);
                    break;
                }
                i += 4;
            }
            self.pat = Some(copy);
        } else {
            // table_id 2; streams after the program info.
            if section.first() != Some(&0x02) || section.len() < 12 {
                return Ok(());
            }
            let len = (usize::from(section[1] & 0x0f) << 8) | usize::from(section[2]);
            let end = (3 + len).saturating_sub(4).min(section.len());
            let info = (usize::from(section[10] & 0x0f) << 8) | usize::from(section[11]);
            let mut i = 12 + info;
            let (mut video, mut audio) = (None, None);
            while i + 5 <= end {
                let stream_type = section[i];
                let es_pid = (u16::from(section[i + 1] & 0x1f) << 8) | u16::from(section[i + 2]);
                let es_info =
                    (usize::from(section[i + 3] & 0x0f) << 8) | usize::from(section[i + 4]);
                match stream_type {
                    STREAM_TYPE_H264 if video.is_none() => video = Some(es_pid),
                    STREAM_TYPE_AAC_ADTS if audio.is_none() => audio = Some(es_pid),
                    _ => {}
                }
                i += 5 + es_info;
            }
            match self.rule {
                CutOn::VideoKeyframes if video.is_none() => {
                    return Err(SegmentError::NoStream("H.264"));
                }
                CutOn::AudioFrames if audio.is_none() => {
                    return Err(SegmentError::NoStream("AAC"));
                }
                _ => {}
            }
            self.video_pid = video;
            self.audio_pid = audio;
            self.pmt = Some(copy);
        }
        Ok(())
    }
}

/// The payload of a packet (after the adaptation field), if it has one.
fn payload(p: &[u8]) -> Option<&[u8]> {
    let control = (p[3] >> 4) & 0x3;
    let start = match control {
        0b01 => 4,
        0b11 => 5 + usize::from(p[4]),
        _ => return None,
    };
    p.get(start..)
}

/// Whether the adaptation field says a random access point (a keyframe) starts here.
fn random_access(p: &[u8]) -> bool {
    let control = (p[3] >> 4) & 0x3;
    control & 0b10 != 0 && p[4] > 0 && p[5] & 0x40 != 0
}

/// The PTS of the PES header starting in this packet, if it carries one.
fn pes_pts(p: &[u8]) -> Option<u64> {
    let pes = payload(p)?;
    if pes.len() < 14 || pes[..3] != [0, 0, 1] || pes[7] & 0x80 == 0 {
        return None;
    }
    let b = &pes[9..14];
    Some(
        (u64::from(b[0] >> 1) & 0x07) << 30
            | u64::from(b[1]) << 22
            | (u64::from(b[2]) >> 1) << 15
            | u64::from(b[3]) << 7
            | u64::from(b[4]) >> 1,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const PMT_PID: u16 = 0x20;
    const VIDEO: u16 = 0x41;
    const AUDIO: u16 = 0x42;

    fn header(pid: u16, pusi: bool, cc: u8) -> [u8; TS_PACKET] {
        let mut p = [0xffu8; TS_PACKET];
        p[0] = SYNC;
        p[1] = (if pusi { 0x40 } else { 0 }) | ((pid >> 8) as u8 & 0x1f);
        p[2] = pid as u8;
        p[3] = 0x10 | (cc & 0x0f);
        p
    }

    fn section_packet(pid: u16, section: &[u8]) -> [u8; TS_PACKET] {
        let mut p = header(pid, true, 7);
        p[4] = 0; // pointer field
        p[5..5 + section.len()].copy_from_slice(section);
        p
    }

    fn pat() -> [u8; TS_PACKET] {
        // table 0, length 13, ts id 1, version, section 0/0, program 1 → PMT PID, CRC.
        section_packet(
            PAT_PID,
            &[
                0x00,
                0xb0,
                13,
                0,
                1,
                0xc1,
                0,
                0,
                0,
                1,
                0xe0,
                PMT_PID as u8,
                1,
                2,
                3,
                4,
            ],
        )
    }

    fn pmt(video: bool) -> [u8; TS_PACKET] {
        let mut s = vec![0x02, 0xb0, 0, 0, 1, 0xc1, 0, 0, 0xe0, VIDEO as u8, 0xf0, 0];
        if video {
            s.extend_from_slice(&[STREAM_TYPE_H264, 0xe0, VIDEO as u8, 0xf0, 0]);
        }
        s.extend_from_slice(&[STREAM_TYPE_AAC_ADTS, 0xe0, AUDIO as u8, 0xf0, 0]);
        s.extend_from_slice(&[1, 2, 3, 4]);
        s[2] = (s.len() - 3) as u8;
        section_packet(PMT_PID, &s)
    }

    /// A PES start at `pts` (90 kHz), with the random access flag when `key`.
    fn pes(pid: u16, pts: u64, key: bool) -> [u8; TS_PACKET] {
        let mut p = header(pid, true, 0);
        let mut at = 4;
        if key {
            p[3] = 0x30;
            p[4] = 1;
            p[5] = 0x40;
            at = 6;
        }
        let pts_bytes = [
            0x21 | (((pts >> 30) as u8 & 0x07) << 1),
            (pts >> 22) as u8,
            (((pts >> 15) as u8) << 1) | 1,
            (pts >> 7) as u8,
            ((pts as u8) << 1) | 1,
        ];
        p[at..at + 9].copy_from_slice(&[0, 0, 1, 0xe0, 0, 0, 0x80, 0x80, 5]);
        p[at + 9..at + 14].copy_from_slice(&pts_bytes);
        p
    }

    /// A continuation packet of `pid`.
    fn more(pid: u16) -> [u8; TS_PACKET] {
        header(pid, false, 0)
    }

    #[derive(Default)]
    struct Record {
        /// (index, bytes, duration) per segment.
        segments: Vec<(u32, Vec<u8>, Option<f64>)>,
    }

    impl SegmentOut for Record {
        fn begin(&mut self, index: u32) -> Result<(), SegmentError> {
            self.segments.push((index, Vec::new(), None));
            Ok(())
        }
        fn write(&mut self, bytes: &[u8]) -> Result<(), SegmentError> {
            assert_eq!(bytes.len() % TS_PACKET, 0);
            self.segments.last_mut().unwrap().1.extend_from_slice(bytes);
            Ok(())
        }
        fn end(&mut self, index: u32, duration: f64) -> Result<(), SegmentError> {
            let last = self.segments.last_mut().unwrap();
            assert_eq!(last.0, index);
            last.2 = Some(duration);
            Ok(())
        }
    }

    fn pids(segment: &[u8]) -> Vec<u16> {
        segment
            .chunks(TS_PACKET)
            .map(|p| (u16::from(p[1] & 0x1f) << 8) | u16::from(p[2]))
            .collect()
    }

    /// Video frames every `frame` ticks with a keyframe every `gop` frames (none when
    /// `gop` is 0), AAC every 1920 ticks, muxed in PTS order with the tables repeated
    /// every 9000 ticks, as mpegtsmux does.
    fn stream(seconds: u64, frame: u64, gop: u64) -> Vec<u8> {
        let end = seconds * PTS_HZ;
        let mut events: Vec<(u64, u8, u64)> = Vec::new();
        if gop > 0 {
            let mut f = 0;
            while f * frame < end {
                events.push((f * frame, 0, f));
                f += 1;
            }
        }
        for (step, kind) in [(1920, 1), (9000, 2)] {
            let mut t = 0;
            while t < end {
                events.push((t, kind, 0));
                t += step;
            }
        }
        events.sort_by_key(|e| (e.0, std::cmp::Reverse(e.1)));
        let mut out = Vec::new();
        for (pts, kind, n) in events {
            match kind {
                0 => {
                    out.extend_from_slice(&pes(VIDEO, pts, n % gop == 0));
                    out.extend_from_slice(&more(VIDEO));
                }
                1 => out.extend_from_slice(&pes(AUDIO, pts, true)),
                _ => {
                    out.extend_from_slice(&pat());
                    out.extend_from_slice(&pmt(gop > 0));
                }
            }
        }
        out
    }

    fn run(data: &[u8], rule: CutOn, split: usize) -> Record {
        let mut seg = Segmenter::new(rule, 4);
        let mut rec = Record::default();
        for chunk in data.chunks(split) {
            seg.push(chunk, &mut rec).unwrap();
        }
        seg.finish(&mut rec).unwrap();
        rec
    }

    #[test]
    fn video_is_cut_at_the_first_keyframe_at_or_after_the_target() {
        // Keyframes every 2 s: segments take two GOPs, 4 s each, 10 s → 4 + 4 + 2.
        let rec = run(&stream(10, 3000, 60), CutOn::VideoKeyframes, 4096);
        let durations: Vec<f64> = rec.segments.iter().map(|s| s.2.unwrap()).collect();
        assert_eq!(durations, vec![4.0, 4.0, 2.0]);
        for (i, (index, bytes, _)) in rec.segments.iter().enumerate() {
            assert_eq!(*index as usize, i);
            let p = pids(bytes);
            // Our tables first, then (after any audio muxed ahead) a keyframe.
            assert_eq!(&p[..2], &[PAT_PID, PMT_PID], "segment {i}");
            let first_video = bytes
                .chunks(TS_PACKET)
                .position(|pk| pids(pk)[0] == VIDEO)
                .unwrap();
            assert!(
                random_access(&bytes[first_video * TS_PACKET..]),
                "segment {i}"
            );
            // The muxer's own table repeats are gone.
            assert_eq!(
                p.iter().filter(|&&x| x == PAT_PID).count(),
                1,
                "segment {i}"
            );
        }
    }

    #[test]
    fn every_packet_but_the_muxer_tables_lands_in_exactly_one_segment() {
        let data = stream(9, 3000, 120);
        let rec = run(&data, CutOn::VideoKeyframes, 1000);
        let es_in = pids(&data)
            .iter()
            .filter(|&&p| p == VIDEO || p == AUDIO)
            .count();
        let es_out: usize = rec
            .segments
            .iter()
            .map(|s| {
                pids(&s.1)
                    .iter()
                    .filter(|&&p| p == VIDEO || p == AUDIO)
                    .count()
            })
            .sum();
        assert_eq!(es_in, es_out);
        // The same result whatever the input split (packets straddling chunks).
        let odd = run(&data, CutOn::VideoKeyframes, 777);
        assert_eq!(
            rec.segments.iter().map(|s| &s.1).collect::<Vec<_>>(),
            odd.segments.iter().map(|s| &s.1).collect::<Vec<_>>()
        );
    }

    #[test]
    fn a_gop_rounded_to_whole_frames_still_cuts_but_a_short_one_does_not() {
        // 15.01 fps: 60 frames of 5996 ticks are 3.997 s, less than half a frame short.
        let rec = run(&stream(12, 5996, 60), CutOn::VideoKeyframes, 4096);
        let durations: Vec<f64> = rec.segments.iter().map(|s| s.2.unwrap()).collect();
        assert_eq!(durations.len(), 4, "{durations:?}");
        assert!((durations[0] - 60.0 * 5996.0 / 90_000.0).abs() < 1e-9);
        // 29.97 fps: 120 frames of 3003 ticks are 4.004 s.
        let rec = run(&stream(12, 3003, 120), CutOn::VideoKeyframes, 4096);
        assert!((rec.segments[0].2.unwrap() - 4.004).abs() < 1e-9);
        // Keyframes every 3 s are too early: the cut waits for the one at 6 s.
        let rec = run(&stream(12, 3000, 90), CutOn::VideoKeyframes, 4096);
        let durations: Vec<f64> = rec.segments.iter().map(|s| s.2.unwrap()).collect();
        assert_eq!(durations, vec![6.0, 6.0]);
    }

    #[test]
    fn audio_only_is_cut_every_target_on_an_adts_frame_boundary() {
        let rec = run(&stream(10, 0, 0), CutOn::AudioFrames, 4096);
        let durations: Vec<f64> = rec.segments.iter().map(|s| s.2.unwrap()).collect();
        // 4 s is 187.5 AAC frames of 1920 ticks: the cut is at frame 187 (3.989 s), the
        // boundary nearest the target.
        assert_eq!(durations.len(), 3, "{durations:?}");
        for d in &durations[..2] {
            assert!((d - 187.0 * 1920.0 / 90_000.0).abs() < 1e-9, "{d}");
        }
        let total: f64 = durations.iter().sum();
        assert!((total - 10.0).abs() < 0.03, "{total}");
        for (_, bytes, _) in &rec.segments {
            let p = pids(bytes);
            assert_eq!(&p[..3], &[PAT_PID, PMT_PID, AUDIO]);
            // The audio packet after the tables starts a PES: a frame boundary.
            assert!(bytes[2 * TS_PACKET + 1] & 0x40 != 0);
        }
    }

    #[test]
    fn table_continuity_counters_run_on_across_segments() {
        let rec = run(&stream(20, 3000, 120), CutOn::VideoKeyframes, 4096);
        let ccs: Vec<u8> = rec.segments.iter().map(|s| s.1[3] & 0x0f).collect();
        assert_eq!(ccs, vec![0, 1, 2, 3, 4]);
    }

    #[test]
    fn garbage_and_missing_tables_are_errors() {
        let mut seg = Segmenter::new(CutOn::VideoKeyframes, 4);
        let mut rec = Record::default();
        let junk = [0u8; TS_PACKET];
        assert!(matches!(
            seg.push(&junk, &mut rec),
            Err(SegmentError::Sync(0))
        ));
        let mut seg = Segmenter::new(CutOn::VideoKeyframes, 4);
        assert!(matches!(seg.push(&pes(VIDEO, 0, true), &mut rec), Ok(())));
        // Unknown PIDs (no PMT yet) are ignored rather than cut on.
        assert_eq!(seg.segments(), 0);
        let mut seg = Segmenter::new(CutOn::VideoKeyframes, 4);
        let err = seg.push(&[pat(), pmt(false)].concat(), &mut rec);
        assert!(matches!(err, Err(SegmentError::NoStream("H.264"))));
    }

    #[test]
    fn tables_padded_with_an_adaptation_field_are_read() {
        // mpegtsmux pads its table packets with an adaptation field of stuffing, the
        // section at the end of the packet.
        let padded = |p: [u8; TS_PACKET]| {
            let pointer = usize::from(p[4]);
            let section = &p[5 + pointer..];
            let used = 3 + ((usize::from(section[1] & 0x0f) << 8) | usize::from(section[2]));
            let mut out = header(u16::from(p[1] & 0x1f) << 8 | u16::from(p[2]), true, 0);
            out[3] = 0x30;
            let af = TS_PACKET - 4 - 1 - 1 - used;
            out[4] = af as u8;
            out[5] = 0;
            out[6..5 + af].fill(0xff);
            out[5 + af] = 0;
            out[6 + af..].copy_from_slice(&section[..used]);
            out
        };
        let mut data = Vec::new();
        data.extend_from_slice(&padded(pat()));
        data.extend_from_slice(&padded(pmt(true)));
        for f in 0..300u64 {
            data.extend_from_slice(&pes(VIDEO, f * 3000, f % 120 == 0));
        }
        let rec = run(&data, CutOn::VideoKeyframes, 4096);
        assert_eq!(rec.segments.len(), 3);
        assert_eq!(&rec.segments[1].1[..TS_PACKET][4..], &padded(pat())[4..]);
    }

    #[test]
    fn reads_the_33_bit_pts() {
        let t = (1u64 << 32) + 12_345;
        assert_eq!(pes_pts(&pes(VIDEO, t, true)), Some(t));
        assert_eq!(pes_pts(&more(VIDEO)), None);
    }
}
