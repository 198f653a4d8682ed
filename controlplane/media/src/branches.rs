//! Owns the per-branch element chains of the graph drawn in `pipeline`: one
//! `mpegtsmux ! appsink` per rendition (wired to our segmenter and the store bridge), one
//! x264 rung, the thumbnail branch, and the pad probes that read the real H.264
//! profile/level and AAC profile as data flows, and the source streams' codecs and tags
//! on decodebin's pads.

use std::sync::{Arc, Mutex};

use gstreamer as gst;
use gstreamer::prelude::*;
use gstreamer_app as gst_app;

use crate::bridge::Bridge;
use crate::error::MediaError;
use crate::hls;
use crate::ladder::{Ladder, PlannedRendition};
use crate::metadata::{self, StreamKind};
use crate::pipeline::{Shared, THUMB_CANDIDATES, capsfilter, make};
use crate::segmenter::{CutOn, Segmenter};
use crate::sink::OutputSink;
use crate::thumbs::{self, ThumbCollector};

/// One rendition's output: `mpegtsmux ! appsink`, the appsink feeding our segmenter
/// (module `segmenter`), which streams each segment into the store through `bridge`.
/// Returns the muxer (streams link to its `sink_%d` pads) and the appsink.
pub(crate) fn ts_output<S: OutputSink>(
    name: &str,
    rule: CutOn,
    segment_secs: u64,
    bridge: &Bridge<S>,
) -> Result<[gst::Element; 2], MediaError> {
    let mux = make("mpegtsmux")?;
    let segmenter = Mutex::new((Segmenter::new(rule, segment_secs), bridge.rendition(name)));
    let seg = Arc::new(segmenter);
    let on_eos = Arc::clone(&seg);
    let sink = gst_app::AppSink::builder()
        .sync(false)
        // The muxer pushes a list of 188-byte packets per input buffer: one callback
        // for the list instead of one per packet.
        .buffer_list(true)
        .enable_last_sample(false)
        .callbacks(
            gst_app::AppSinkCallbacks::builder()
                .new_sample(move |sink| {
                    let sample = sink.pull_sample().map_err(|_| gst::FlowError::Eos)?;
                    let mut guard = seg.lock().unwrap_or_else(|p| p.into_inner());
                    let (segmenter, out) = &mut *guard;
                    let mut push = |buffer: &gst::BufferRef| -> Result<(), gst::FlowError> {
                        let map = buffer.map_readable().map_err(|_| gst::FlowError::Error)?;
                        segmenter.push(map.as_slice(), out).map_err(|e| {
                            gst::element_error!(sink, gst::ResourceError::Write, ("{}", e));
                            gst::FlowError::Error
                        })
                    };
                    if let Some(list) = sample.buffer_list() {
                        for buffer in list.iter() {
                            push(buffer)?;
                        }
                    } else if let Some(buffer) = sample.buffer() {
                        push(buffer)?;
                    }
                    Ok(gst::FlowSuccess::Ok)
                })
                .eos(move |sink| {
                    let mut guard = on_eos.lock().unwrap_or_else(|p| p.into_inner());
                    let (segmenter, out) = &mut *guard;
                    if let Err(e) = segmenter.finish(out) {
                        gst::element_error!(sink, gst::ResourceError::Write, ("{}", e));
                    }
                })
                .build(),
        )
        .build();
    Ok([mux, sink.upcast()])
}

/// One rung's elements, in link order: `armoricorescale ! videoconvert ! caps ! tee !
/// armoricorex264enc ! caps(high) ! h264parse`. `scaled` is the tee: it carries this rung's
/// raw frames, and the next smaller rung scales from it (see `pipeline`).
pub(crate) struct RungChain {
    /// Every element, in link order.
    pub chain: Vec<gst::Element>,
    /// The tee after the scaler.
    pub scaled: gst::Element,
}

pub(crate) fn video_rung(
    r: &PlannedRendition,
    gop: u32,
    ladder: &Ladder,
    colorimetry: Option<&str>,
) -> Result<RungChain, MediaError> {
    // libswscale's bilinear scaler, ffmpeg's, at about two thirds of videoscale's CPU
    // (crate scaler).
    let scale = make(scaler::FACTORY_NAME)?;
    let convert = make("videoconvert")?;
    let caps = capsfilter(
        gst::Caps::builder("video/x-raw")
            .field("width", r.width as i32)
            .field("height", r.height as i32)
            .field("pixel-aspect-ratio", gst::Fraction::new(1, 1))
            .field("format", "I420")
            .field_if_some("colorimetry", colorimetry)
            .build(),
    )?;
    let scaled = make("tee")?;
    // Our element, not x264enc: it releases each raw frame once x264 has copied it
    // (crate x264enc). x264's threaded lookahead (`sync-lookahead` auto) stays on: the
    // encoder is called from the one video thread, which must not wait for the lookahead.
    let enc = make(x264enc::FACTORY_NAME)?;
    enc.set_property_from_str("bitrate", &(r.video_bitrate / 1000).max(1).to_string());
    enc.set_property_from_str("speed-preset", ladder.preset.as_str());
    enc.set_property_from_str("key-int-max", &gop.to_string());
    // Fixed, closed GOPs: no scene-cut keyframes, so every rung cuts at the same frames.
    enc.set_property(
        "option-string",
        format!("scenecut=0:open-gop=0:min-keyint={gop}"),
    );
    let profile = capsfilter(
        gst::Caps::builder("video/x-h264")
            .field("profile", "high")
            .build(),
    )?;
    let parse = make("h264parse")?;
    // SPS/PPS before every keyframe, so every segment decodes on its own.
    parse.set_property_from_str("config-interval", "-1");
    Ok(RungChain {
        chain: vec![scale, convert, caps, scaled.clone(), enc, profile, parse],
        scaled,
    })
}

/// Links `from`'s src pad to a new `sink_%d` pad of the rendition's muxer.
pub(crate) fn link_to_mux(from: &gst::Element, mux: &gst::Element) -> Result<(), MediaError> {
    let sink = mux
        .request_pad_simple("sink_%d")
        .ok_or_else(|| MediaError::Pipeline("mpegtsmux gave no sink pad".into()))?;
    let src = from
        .static_pad("src")
        .ok_or_else(|| MediaError::Pipeline("element without src pad".into()))?;
    src.link(&sink)
        .map(|_| ())
        .map_err(|e| MediaError::Pipeline(format!("linking to mpegtsmux: {e:?}")))
}

/// Reads the real profile/level from the first SPS this rendition's encoder emits.
pub(crate) fn watch_sps(parse: &gst::Element, name: &str, shared: &Arc<Shared>) {
    let Some(pad) = parse.static_pad("src") else {
        return;
    };
    let s = Arc::clone(shared);
    let name = name.to_string();
    pad.add_probe(gst::PadProbeType::BUFFER, move |_, info| {
        let codec = info
            .buffer()
            .and_then(|b| b.map_readable().ok())
            .and_then(|m| hls::avc1_codec_from_annexb(m.as_slice()));
        match codec {
            Some(c) => {
                s.lock().video_codecs.insert(name.clone(), c);
                gst::PadProbeReturn::Remove
            }
            None => gst::PadProbeReturn::Ok,
        }
    });
}

/// Names the codec of the source stream decodebin exposes on `pad` and follows its tags
/// (those already stored on the pad, then any update), for the metadata.
pub(crate) fn watch_source_stream(pad: &gst::Pad, kind: StreamKind, shared: &Arc<Shared>) {
    let caps = metadata::decoded_from(pad);
    let stored: Vec<gst::event::Tag<gst::Event>> = (0..)
        .map_while(|i| pad.sticky_event::<gst::event::Tag>(i))
        .collect();
    {
        let mut st = shared.lock();
        if let Some(caps) = &caps {
            st.meta.set_codec(kind, caps);
        }
        for ev in &stored {
            st.meta.add_source_tags(kind, ev.tag());
        }
    }
    let s = Arc::clone(shared);
    pad.add_probe(gst::PadProbeType::EVENT_DOWNSTREAM, move |_, info| {
        if let Some(gst::PadProbeData::Event(ev)) = &info.data
            && let gst::EventView::Tag(tag) = ev.view()
        {
            s.lock().meta.add_source_tags(kind, tag.tag());
        }
        gst::PadProbeReturn::Ok
    });
}

/// Reads the AAC profile from aacparse's caps once data flows.
pub(crate) fn watch_aac(parse: &gst::Element, shared: &Arc<Shared>) {
    let Some(pad) = parse.static_pad("src") else {
        return;
    };
    let s = Arc::clone(shared);
    pad.add_probe(gst::PadProbeType::BUFFER, move |pad, _| {
        let profile = pad.current_caps().and_then(|c| {
            c.structure(0)
                .and_then(|st| st.get::<String>("profile").ok())
        });
        s.lock().audio_codec = Some(hls::mp4a_codec(profile.as_deref()).to_string());
        gst::PadProbeReturn::Remove
    });
}

pub(crate) fn thumb_branch(
    pw: u32,
    ph: u32,
    max_width: u32,
    shared: &Arc<Shared>,
) -> Result<Vec<gst::Element>, MediaError> {
    let (tw, th) = thumbs::size(pw, ph, max_width);
    shared.lock().thumbs = Some(ThumbCollector::new(THUMB_CANDIDATES));
    let rate = make("videorate")?;
    // At most 4 frames a second reach the scaler: the collector keeps far fewer.
    rate.set_property("drop-only", true);
    rate.set_property_from_str("max-rate", "4");
    let scale = make(scaler::FACTORY_NAME)?;
    let convert = make("videoconvert")?;
    let caps = capsfilter(
        gst::Caps::builder("video/x-raw")
            .field("format", "I420")
            .field("width", tw as i32)
            .field("height", th as i32)
            .field("pixel-aspect-ratio", gst::Fraction::new(1, 1))
            .build(),
    )?;
    let s = Arc::clone(shared);
    let sink = gst_app::AppSink::builder()
        .sync(false)
        .callbacks(
            gst_app::AppSinkCallbacks::builder()
                .new_sample(move |sink| {
                    let sample = sink.pull_sample().map_err(|_| gst::FlowError::Eos)?;
                    let Some(pts) = sample.buffer().and_then(|b| b.pts()) else {
                        return Ok(gst::FlowSuccess::Ok);
                    };
                    let wanted = s.lock().thumbs.as_ref().is_some_and(|c| c.wants(pts));
                    if !wanted {
                        return Ok(gst::FlowSuccess::Ok);
                    }
                    // Encoded outside the job's lock; a frame that fails to encode is
                    // skipped (another one near it will do).
                    match thumbs::to_jpeg(&sample) {
                        Ok(jpeg) => {
                            if let Some(c) = s.lock().thumbs.as_mut() {
                                c.offer(pts, jpeg);
                            }
                        }
                        Err(e) => {
                            tracing::debug!(error = %e, "a thumbnail candidate did not encode")
                        }
                    }
                    Ok(gst::FlowSuccess::Ok)
                })
                .build(),
        )
        .build();
    Ok(vec![rate, scale, convert, caps, sink.upcast()])
}
