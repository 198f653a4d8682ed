//! Owns the GStreamer graph of a job:
//!
//! ```text
//! appsrc ! typefind ! decodebin ─┬ video ! queue(1) ! videoconvert ! [videoflip] ! tee ─ rung 1: armoricorescale ! videoconvert ! caps(WxH) ! tee ─┬ armoricorex264enc ! caps(high) ! h264parse ─┐
//!                                │                                                                                                      ├ rung 2 (scaled from rung 1's tee) …        │
//!                                │                                      (smallest rung at least the thumbnail size) ─ thumbs: videorate ! armoricorescale ! videoconvert ! caps ! appsink
//!                                └ audio ! queue ! audioconvert ! audioresample ! caps(48k,2ch) ! avenc_aac ! aacparse ! tee ─ per rung: queue ─┐  │
//!                                                                               per rung: mpegtsmux ! appsink → our segmenter → store  ◄───────┴──┘
//! ```
//!
//! One decode, one audio encode shared by every rendition, one x264 encode per rung; each
//! rung scales from the next larger rung's frames (a cascade), not from the source.
//! decodebin's pads appear only once the streams are known, so each pad's data is held
//! when it appears and the branches are built once every pad is known and the video's
//! first buffer is waiting: then we know whether there is video and audio, and the
//! picture size, rotation, colorimetry and frame rate the ladder is planned from.
//! The whole video chain after the one-frame queue runs in that queue's thread (see
//! `decoded_video_queue`); x264's threads do the encoding.
//! Keyframes are aligned across renditions: every encoder has the same fixed GOP
//! (`key-int-max` = frame rate × segment duration, `scenecut=0`, closed GOPs), and our
//! segmenter (module `segmenter`) cuts every rendition at those keyframes.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use gstreamer as gst;
use gstreamer::prelude::*;
use gstreamer_app as gst_app;

use crate::branches::{
    link_to_mux, thumb_branch, ts_output, video_rung, watch_aac, watch_source_stream, watch_sps,
};
use crate::bridge::Bridge;
use crate::error::MediaError;
use crate::ladder::{Ladder, PlannedRendition, gop_frames, plan};
use crate::metadata::{MediaMetadata, StreamKind, rotation_degrees};
use crate::segmenter::CutOn;
use crate::sink::OutputSink;
use crate::thumbs::ThumbCollector;

/// Name of the audio-only rendition.
pub const AUDIO_ONLY: &str = "audio";
/// Frames kept for thumbnail picking.
pub(crate) const THUMB_CANDIDATES: usize = 40;

/// A rendition as built, with what was learned while encoding.
#[derive(Debug, Clone)]
pub struct Built {
    /// Plan (size and bit rate); `None` for the audio-only rendition.
    pub video: Option<PlannedRendition>,
    /// Name (folder).
    pub name: String,
}

/// What the pipeline callbacks share with the job.
pub struct Shared {
    pub(crate) ladder: Ladder,
    pub(crate) state: Mutex<State>,
    /// First decoded timestamp (ns), across audio and video.
    pub(crate) first_pts: AtomicU64,
    /// Latest decoded end timestamp (ns).
    pub(crate) last_end: AtomicU64,
}

/// Mutable job state filled in by the callbacks.
#[derive(Default)]
pub struct State {
    pub(crate) pending: Vec<(gst::Pad, gst::PadProbeId)>,
    pub(crate) no_more_pads: bool,
    pub(crate) video_waiting: bool,
    pub(crate) built: bool,
    pub(crate) setup_error: Option<MediaError>,
    pub(crate) renditions: Vec<Built>,
    /// avc1 string per rendition name, read from the first SPS.
    pub(crate) video_codecs: std::collections::HashMap<String, String>,
    pub(crate) audio_codec: Option<String>,
    pub(crate) frame_rate: Option<f64>,
    pub(crate) has_video: bool,
    pub(crate) has_audio: bool,
    pub(crate) thumbs: Option<ThumbCollector>,
    pub(crate) meta: MediaMetadata,
}

impl Shared {
    pub(crate) fn new(ladder: Ladder) -> Self {
        Shared {
            ladder,
            state: Mutex::new(State::default()),
            first_pts: AtomicU64::new(u64::MAX),
            last_end: AtomicU64::new(0),
        }
    }

    pub(crate) fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // Callbacks only do single assignments under the lock; poisoning leaves it usable.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Decoded span so far.
    pub(crate) fn decoded(&self) -> gst::ClockTime {
        let first = self.first_pts.load(Ordering::Relaxed);
        let last = self.last_end.load(Ordering::Relaxed);
        if first == u64::MAX || last < first {
            gst::ClockTime::ZERO
        } else {
            gst::ClockTime::from_nseconds(last - first)
        }
    }
}

pub(crate) fn make(factory: &str) -> Result<gst::Element, MediaError> {
    gst::ElementFactory::make(factory).build().map_err(|_| {
        MediaError::Pipeline(format!(
            "GStreamer element {factory} is missing (install the gstreamer1.0-plugins-* packages)"
        ))
    })
}

fn link_err(what: &str) -> impl Fn(gst::glib::BoolError) -> MediaError + '_ {
    move |e| MediaError::Pipeline(format!("linking {what}: {e}"))
}

/// The one raw-video queue: between the decoder and the rest of the video chain, so the
/// decoder works on the next frame while scalers and encoders take this one. Everything
/// after it runs in that queue's thread, as ffmpeg's ladder runs in its main loop: x264's
/// own threads (frame threads and a threaded lookahead) do the encoding in parallel, and
/// every queue of raw frames that was there (3 per rung, up to 12 source frames at 1080p)
/// held frames ffmpeg never holds. Measured on the 1080p and 720p ladders: peak RSS down by
/// 14-25 MiB, wall time unchanged or better (docs/benchmarks/media.md).
fn decoded_video_queue() -> Result<gst::Element, MediaError> {
    let q = make("queue")?;
    q.set_property("max-size-buffers", 1u32);
    q.set_property("max-size-bytes", 0u32);
    q.set_property("max-size-time", 0u64);
    Ok(q)
}

/// libav's frame threading keeps one frame per thread in flight besides the reference
/// frames; one decoding thread is 11 % of the job's CPU and never the bottleneck of a
/// ladder (x264 is), so it decodes with one: 25 MiB less peak RSS on the 1080p ladder, no
/// slower (docs/benchmarks/media.md). decodebin plugs our `armoricoreh264dec` (crate
/// `h264dec`, which passes libav's pictures on without copying them) for 8-bit 4:2:0
/// H.264 and avdec for everything else; both take `max-threads`.
fn decode_video_in_one_thread(decodebin: &gst::Element) {
    let Some(bin) = decodebin.downcast_ref::<gst::Bin>() else {
        return;
    };
    bin.connect_deep_element_added(|_, _, element| {
        let is_video_decoder = element
            .factory()
            .and_then(|f| f.metadata(gst::ELEMENT_METADATA_KLASS).map(str::to_owned))
            .is_some_and(|klass| klass.contains("Decoder") && klass.contains("Video"));
        if is_video_decoder && element.find_property("max-threads").is_some() {
            element.set_property("max-threads", 1i32);
        }
    });
}

pub(crate) fn capsfilter(caps: gst::Caps) -> Result<gst::Element, MediaError> {
    let f = make("capsfilter")?;
    f.set_property("caps", caps);
    Ok(f)
}

/// Builds `appsrc ! typefind ! decodebin` and wires decodebin's pads to
/// [`build_branches`]. Returns the pipeline and its appsrc.
pub(crate) fn build_front<S: OutputSink>(
    shared: &Arc<Shared>,
    bridge: &Bridge<S>,
    gate: Arc<tokio::sync::watch::Sender<bool>>,
    size_hint: Option<u64>,
) -> Result<(gst::Pipeline, gst_app::AppSrc), MediaError> {
    let pipeline = gst::Pipeline::new();
    // Bounded input queue: 1 MiB, then `enough-data` stops the feeder until
    // `need-data` at half of it, so the demuxer never waits on an empty queue while the
    // feeder wakes (ffmpeg reads its input on demand; 4 MiB here cost 3 MiB of peak RSS
    // on the 720p ladder, docs/benchmarks/media.md). Non-blocking pushes: the feeder
    // waits asynchronously instead.
    let mut builder = gst_app::AppSrc::builder()
        .format(gst::Format::Bytes)
        .stream_type(gst_app::AppStreamType::Stream)
        .max_bytes(1 << 20)
        .min_percent(50)
        .block(false);
    if let Some(size) = size_hint.and_then(|s| i64::try_from(s).ok()) {
        builder = builder.size(size);
    }
    let appsrc = builder.build();
    let need = Arc::clone(&gate);
    appsrc.set_callbacks(
        gst_app::AppSrcCallbacks::builder()
            .need_data(move |_, _| {
                need.send_replace(true);
            })
            .enough_data(move |_| {
                gate.send_replace(false);
            })
            .build(),
    );
    let typefind = make("typefind")?;
    let decodebin = make("decodebin")?;
    decode_video_in_one_thread(&decodebin);
    pipeline
        .add_many([appsrc.upcast_ref(), &typefind, &decodebin])
        .map_err(link_err("the front"))?;
    gst::Element::link_many([appsrc.upcast_ref(), &typefind, &decodebin])
        .map_err(link_err("the front"))?;

    let s = Arc::clone(shared);
    typefind.connect("have-type", false, move |args| {
        if let Some(caps) = args.get(2).and_then(|v| v.get::<gst::Caps>().ok()) {
            s.lock().meta.set_container(&caps);
        }
        None
    });

    // Branches are built once decodebin has exposed every pad (`no-more-pads`) *and* the
    // video pad has its first buffer (or EOS) waiting: tags such as the rotation travel
    // ahead of the first buffer, and the ladder must be planned on the upright picture.
    // Until then buffers and EOS are held by a blocking probe; other events pass (sticky
    // ones are stored on the pad and replayed once it is linked).
    let s = Arc::clone(shared);
    let b = bridge.clone();
    let weak = pipeline.downgrade();
    decodebin.connect_pad_added(move |decodebin, pad| {
        let is_video = pad_media(pad).starts_with("video/");
        let (s2, b2, w2, d2) = (
            Arc::clone(&s),
            b.clone(),
            weak.clone(),
            decodebin.downgrade(),
        );
        let probe = pad.add_probe(
            gst::PadProbeType::BLOCK | gst::PadProbeType::DATA_DOWNSTREAM,
            move |_, info| {
                let held = match &info.data {
                    Some(gst::PadProbeData::Buffer(_)) | Some(gst::PadProbeData::BufferList(_)) => {
                        true
                    }
                    Some(gst::PadProbeData::Event(e)) => e.type_() == gst::EventType::Eos,
                    _ => false,
                };
                if !held {
                    return gst::PadProbeReturn::Pass;
                }
                if is_video {
                    s2.lock().video_waiting = true;
                }
                if let (Some(p), Some(d)) = (w2.upgrade(), d2.upgrade()) {
                    maybe_build(&p, &d, &s2, &b2);
                }
                gst::PadProbeReturn::Ok
            },
        );
        if let Some(id) = probe {
            s.lock().pending.push((pad.clone(), id));
        }
    });

    let s = Arc::clone(shared);
    let b = bridge.clone();
    let weak = pipeline.downgrade();
    decodebin.connect_no_more_pads(move |decodebin| {
        s.lock().no_more_pads = true;
        if let Some(pipeline) = weak.upgrade() {
            maybe_build(&pipeline, decodebin, &s, &b);
        }
    });
    Ok((pipeline, appsrc))
}

/// Builds the branches once, when both conditions above hold.
fn maybe_build<S: OutputSink>(
    pipeline: &gst::Pipeline,
    decodebin: &gst::Element,
    shared: &Arc<Shared>,
    bridge: &Bridge<S>,
) {
    {
        let mut st = shared.lock();
        let has_video = st
            .pending
            .iter()
            .any(|(p, _)| pad_media(p).starts_with("video/"));
        if st.built || !st.no_more_pads || (has_video && !st.video_waiting) {
            return;
        }
        st.built = true;
    }
    if let Err(e) = build_branches(pipeline, shared, bridge) {
        let text = e.to_string();
        shared.lock().setup_error = Some(e);
        gst::element_error!(decodebin, gst::CoreError::Failed, ("{}", text));
    }
}

fn pad_media(pad: &gst::Pad) -> String {
    pad.current_caps()
        .or_else(|| Some(pad.query_caps(None)))
        .and_then(|c| c.structure(0).map(|s| s.name().to_string()))
        .unwrap_or_default()
}

/// Tracks the decoded span on a raw stream (progress and the real duration).
fn track_time(pad: &gst::Pad, shared: &Arc<Shared>) {
    let s = Arc::clone(shared);
    pad.add_probe(gst::PadProbeType::BUFFER, move |_, info| {
        if let Some(buf) = info.buffer()
            && let Some(pts) = buf.pts()
        {
            let end = pts + buf.duration().unwrap_or(gst::ClockTime::ZERO);
            s.first_pts.fetch_min(pts.nseconds(), Ordering::Relaxed);
            s.last_end.fetch_max(end.nseconds(), Ordering::Relaxed);
        }
        gst::PadProbeReturn::Ok
    });
}

fn build_branches<S: OutputSink>(
    pipeline: &gst::Pipeline,
    shared: &Arc<Shared>,
    bridge: &Bridge<S>,
) -> Result<(), MediaError> {
    let pending = std::mem::take(&mut shared.lock().pending);
    let mut video_pad = None;
    let mut audio_pad = None;
    let mut extra = Vec::new();
    for (pad, id) in &pending {
        let media = pad_media(pad);
        if media.starts_with("video/x-raw") && video_pad.is_none() {
            video_pad = Some(pad.clone());
        } else if media.starts_with("audio/x-raw") && audio_pad.is_none() {
            audio_pad = Some(pad.clone());
        } else {
            extra.push((pad.clone(), media, id));
        }
    }
    if video_pad.is_none() && audio_pad.is_none() {
        let found: Vec<String> = extra.iter().map(|e| e.1.clone()).collect();
        return Err(MediaError::Unsupported {
            reason: format!("no decodable audio or video stream (found: {found:?})"),
        });
    }
    // Codec names and bit rates of the streams we use, read on the source's side.
    for (pad, kind) in [
        (&video_pad, StreamKind::Video),
        (&audio_pad, StreamKind::Audio),
    ] {
        if let Some(pad) = pad {
            watch_source_stream(pad, kind, shared);
        }
    }
    let mut new_elements: Vec<gst::Element> = Vec::new();
    // Streams we do not use (second audio track, subtitles) go to a fakesink so they
    // cannot stall or fail the pipeline.
    for (pad, _, _) in &extra {
        let sink = make("fakesink")?;
        sink.set_property("sync", false);
        sink.set_property("async", false);
        pipeline.add(&sink).map_err(link_err("fakesink"))?;
        pad.link(
            &sink
                .static_pad("sink")
                .ok_or_else(|| MediaError::Pipeline("fakesink has no pad".into()))?,
        )
        .map_err(|e| MediaError::Pipeline(format!("linking an unused stream: {e:?}")))?;
        new_elements.push(sink);
    }

    let ladder = &shared.ladder;
    let seg_secs = ladder.segment_duration.as_secs();

    // The renditions and their outputs (`mpegtsmux ! appsink` → our segmenter).
    let mut sinks: Vec<(Built, [gst::Element; 2])> = Vec::new();
    let mut video_info = None;
    if let Some(pad) = &video_pad {
        // No caps means the stream ended (EOS is what was waiting) before one frame
        // decoded: the input is at fault, not the pipeline.
        let caps = pad.current_caps().ok_or_else(|| MediaError::Corrupt {
            reason: "the video stream ended before a frame could be decoded".into(),
        })?;
        let st = caps
            .structure(0)
            .ok_or_else(|| MediaError::Pipeline("empty video caps".into()))?;
        let w = st.get::<i32>("width").unwrap_or(0).max(0) as u32;
        let h = st.get::<i32>("height").unwrap_or(0).max(0) as u32;
        if w == 0 || h == 0 {
            return Err(MediaError::Corrupt {
                reason: "the video stream has no picture size".into(),
            });
        }
        let par = st
            .get::<gst::Fraction>("pixel-aspect-ratio")
            .unwrap_or(gst::Fraction::new(1, 1));
        let display_w = if par.numer() > 0 && par.denom() > 0 {
            (u64::from(w) * par.numer() as u64 / par.denom() as u64) as u32
        } else {
            w
        };
        let fps = st
            .get::<gst::Fraction>("framerate")
            .ok()
            .filter(|f| f.numer() > 0 && f.denom() > 0)
            .map(|f| f.numer() as f64 / f.denom() as f64);
        // Rotation must be known before planning: the ladder is planned on the upright
        // picture. The tag travels as a sticky event ahead of the first buffer, which is
        // waiting; without one the video is kept as stored (never distorted: the flip
        // below uses the same decision, and a later tag changes neither).
        let rotation = (0..)
            .map_while(|i| pad.sticky_event::<gst::event::Tag>(i))
            .find_map(|ev| {
                ev.tag()
                    .get::<gst::tags::ImageOrientation>()
                    .map(|o| rotation_degrees(o.get()))
            })
            .unwrap_or(0);
        shared.lock().meta.rotation = rotation;
        let (pw, ph) = if rotation % 180 == 90 {
            (h, display_w)
        } else {
            (display_w, h)
        };
        {
            let mut state = shared.lock();
            state.frame_rate = fps;
            state.meta.width = Some(pw);
            state.meta.height = Some(ph);
            state.meta.frame_rate = fps;
        }
        // The source's colorimetry as GStreamer reads it (a decoder that finds none in
        // the stream leaves it out of its caps, and the default depends on the picture
        // size: BT.709 for HD, BT.601 for SD). Every rung is pinned to it: left free, an
        // SD rung of an HD source would be converted BT.709 → BT.601, which costs a full
        // unpack/matrix/repack per frame (3.5x the scaling alone, 1280x720 → 854x480)
        // for no gain; ffmpeg keeps the source's colours too.
        let colorimetry = gstreamer_video::VideoInfo::from_caps(&caps)
            .ok()
            .map(|info| info.colorimetry().to_string())
            .filter(|c| c.parse::<gstreamer_video::VideoColorimetry>().is_ok());
        video_info = Some((
            rotation,
            pw,
            ph,
            gop_frames(fps.unwrap_or(0.0), ladder.segment_duration),
            colorimetry,
        ));
        for r in plan(ladder, pw, ph) {
            let hls = ts_output(&r.name, CutOn::VideoKeyframes, seg_secs, bridge)?;
            sinks.push((
                Built {
                    name: r.name.clone(),
                    video: Some(r),
                },
                hls,
            ));
        }
    } else {
        let hls = ts_output(AUDIO_ONLY, CutOn::AudioFrames, seg_secs, bridge)?;
        sinks.push((
            Built {
                name: AUDIO_ONLY.into(),
                video: None,
            },
            hls,
        ));
    }
    for (_, out) in &sinks {
        pipeline
            .add_many(out)
            .map_err(link_err("a rendition's muxer"))?;
        gst::Element::link_many(out).map_err(link_err("a rendition's muxer"))?;
        new_elements.extend(out.iter().cloned());
    }

    // Video: one decode, tee to each rung's encoder and to the thumbnail collector.
    if let (Some(pad), Some((rotation, pw, ph, gop, colorimetry))) = (&video_pad, video_info) {
        let queue = decoded_video_queue()?;
        let convert = make("videoconvert")?;
        let tee = make("tee")?;
        let mut head = vec![queue.clone(), convert];
        // Makes renditions upright (phone videos), with the rotation the ladder was
        // planned for rather than `auto`, so a late tag cannot distort the picture. Only
        // when there is a rotation: videoflip's `identity` is not a passthrough in
        // GStreamer 1.22, it copies every frame into a pool of its own (8 source frames,
        // 25 MB at 1080p, measured with heaptrack).
        let method = match rotation {
            90 => Some("90r"),
            180 => Some("180"),
            270 => Some("90l"),
            _ => None,
        };
        if let Some(method) = method {
            let flip = make("videoflip")?;
            flip.set_property_from_str("video-direction", method);
            head.push(flip);
        }
        head.push(tee.clone());
        pipeline.add_many(&head).map_err(link_err("video head"))?;
        gst::Element::link_many(&head).map_err(link_err("video head"))?;
        new_elements.extend(head.iter().cloned());
        let tee_sink = queue
            .static_pad("sink")
            .ok_or_else(|| MediaError::Pipeline("queue without sink pad".into()))?;
        pad.link(&tee_sink)
            .map_err(|e| MediaError::Pipeline(format!("linking decoded video: {e:?}")))?;
        if let Some(p) = tee.static_pad("sink") {
            track_time(&p, shared);
        }
        // Cascade: each rung scales from the next larger rung's frames (renditions are
        // largest first), not from the source: every step reads a smaller picture
        // (1080→720→480→360). With GStreamer 1.22's videoscale this took the video
        // scaling of a 1080p source from 1.83 to 1.05 CPU s per 300 frames; the rungs now
        // scale with libswscale (`armoricorescale`, crate scaler), cheaper again.
        let mut upstream = tee.clone();
        // Thumbnails scale from the smallest rung still at least their size (the same
        // picture, already scaled most of the way), else from the source.
        let (tw, th) = crate::thumbs::size(pw, ph, ladder.thumbnail_width);
        let mut thumb_source = tee.clone();
        for (built, hls) in &sinks {
            let Some(r) = &built.video else { continue };
            let rung = video_rung(r, gop, ladder, colorimetry.as_deref())?;
            pipeline.add_many(&rung.chain).map_err(link_err("a rung"))?;
            let mut with_tee = vec![upstream.clone()];
            with_tee.extend(rung.chain.iter().cloned());
            gst::Element::link_many(&with_tee).map_err(link_err("a rung"))?;
            let parse = rung
                .chain
                .last()
                .cloned()
                .ok_or_else(|| MediaError::Pipeline("empty rung".into()))?;
            link_to_mux(&parse, &hls[0])?;
            watch_sps(&parse, &built.name, shared);
            if r.width >= tw && r.height >= th {
                thumb_source = rung.scaled.clone();
            }
            upstream = rung.scaled;
            new_elements.extend(rung.chain);
        }
        let thumbs = thumb_branch(pw, ph, ladder.thumbnail_width, shared)?;
        pipeline.add_many(&thumbs).map_err(link_err("thumbnails"))?;
        let mut with_tee = vec![thumb_source];
        with_tee.extend(thumbs.iter().cloned());
        gst::Element::link_many(&with_tee).map_err(link_err("thumbnails"))?;
        new_elements.extend(thumbs);
    }

    // Audio: one decode, one AAC encode, tee to every rendition's muxer.
    if let Some(pad) = &audio_pad {
        let queue = make("queue")?;
        let convert = make("audioconvert")?;
        let resample = make("audioresample")?;
        let caps = capsfilter(
            gst::Caps::builder("audio/x-raw")
                .field("rate", 48_000i32)
                .field("channels", 2i32)
                .build(),
        )?;
        let enc = make("avenc_aac")?;
        enc.set_property_from_str("bitrate", &ladder.audio_bitrate.to_string());
        let parse = make("aacparse")?;
        let tee = make("tee")?;
        let head = [
            queue.clone(),
            convert,
            resample,
            caps,
            enc,
            parse.clone(),
            tee.clone(),
        ];
        pipeline.add_many(&head).map_err(link_err("audio head"))?;
        gst::Element::link_many(&head).map_err(link_err("audio head"))?;
        new_elements.extend(head.iter().cloned());
        pad.link(
            &queue
                .static_pad("sink")
                .ok_or_else(|| MediaError::Pipeline("queue without sink pad".into()))?,
        )
        .map_err(|e| MediaError::Pipeline(format!("linking decoded audio: {e:?}")))?;
        if let Some(p) = queue.static_pad("src") {
            track_time(&p, shared);
        }
        watch_aac(&parse, shared);
        for (_, hls) in &sinks {
            let q = make("queue")?;
            pipeline.add(&q).map_err(link_err("audio queue"))?;
            tee.link(&q).map_err(link_err("audio queue"))?;
            link_to_mux(&q, &hls[0])?;
            new_elements.push(q);
        }
    }

    {
        let mut state = shared.lock();
        state.has_video = video_pad.is_some();
        state.has_audio = audio_pad.is_some();
        state.renditions = sinks.iter().map(|(b, _)| b.clone()).collect();
    }
    // Downstream first, so nothing pushes into an element that is not running yet.
    for e in new_elements.iter().rev() {
        e.sync_state_with_parent()
            .map_err(|_| MediaError::Pipeline(format!("starting {}", e.name())))?;
    }
    for (pad, id) in pending {
        pad.remove_probe(id);
    }
    Ok(())
}
