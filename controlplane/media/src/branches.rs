//! Owns the per-branch element chains of the graph drawn in `pipeline`: one hlssink2 per
//! rendition (wired to the gio bridge), one x264 rung, the thumbnail branch, and the pad
//! probes that read the real H.264 profile/level and AAC profile as data flows, and the
//! source streams' codecs and tags on decodebin's pads.

use std::sync::Arc;

use gstreamer as gst;
use gstreamer::prelude::*;
use gstreamer_app as gst_app;

use crate::bridge::Bridge;
use crate::error::MediaError;
use crate::hls;
use crate::ladder::{Ladder, PlannedRendition};
use crate::metadata::{self, StreamKind};
use crate::pipeline::{Shared, THUMB_CANDIDATES, capsfilter, make};
use crate::sink::OutputSink;
use crate::thumbs::{self, ThumbCollector};

pub(crate) fn hls_sink<S: OutputSink>(
    name: &str,
    seg_secs: &str,
    bridge: &Bridge<S>,
) -> Result<gst::Element, MediaError> {
    let hls = make("hlssink2")?;
    hls.set_property("location", format!("{name}/seg%05d.ts"));
    hls.set_property("playlist-location", format!("{name}/index.m3u8"));
    hls.set_property_from_str("target-duration", seg_secs);
    // Keep every segment in the playlist and never delete one (VOD).
    hls.set_property_from_str("max-files", "0");
    hls.set_property_from_str("playlist-length", "0");
    hls.set_property("send-keyframe-requests", true);
    // Without this, hlssink2 with audio and video may never post EOS (GStreamer 1.22).
    hls.set_property("async-handling", true);
    // Both streams come from us: hlssink2 never opens a file when these return a stream,
    // so they must always return one (a bad path fails in the store instead).
    let b = bridge.clone();
    hls.connect("get-fragment-stream", false, move |args| {
        let path = args
            .get(1)
            .and_then(|v| v.get::<String>().ok())
            .unwrap_or_default();
        Some(b.fragment_stream(&path).to_value())
    });
    let b = bridge.clone();
    hls.connect("get-playlist-stream", false, move |args| {
        let path = args
            .get(1)
            .and_then(|v| v.get::<String>().ok())
            .unwrap_or_default();
        Some(b.playlist_stream(&path).to_value())
    });
    Ok(hls)
}

pub(crate) fn video_rung(
    r: &PlannedRendition,
    gop: u32,
    ladder: &Ladder,
) -> Result<Vec<gst::Element>, MediaError> {
    let queue = make("queue")?;
    let scale = make("videoscale")?;
    let convert = make("videoconvert")?;
    let caps = capsfilter(
        gst::Caps::builder("video/x-raw")
            .field("width", r.width as i32)
            .field("height", r.height as i32)
            .field("pixel-aspect-ratio", gst::Fraction::new(1, 1))
            .field("format", "I420")
            .build(),
    )?;
    let enc = make("x264enc")?;
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
    Ok(vec![queue, scale, convert, caps, enc, profile, parse])
}

pub(crate) fn link_request(
    from: &gst::Element,
    hls: &gst::Element,
    template: &str,
) -> Result<(), MediaError> {
    let sink = hls
        .request_pad_simple(template)
        .ok_or_else(|| MediaError::Pipeline(format!("hlssink2 gave no {template} pad")))?;
    let src = from
        .static_pad("src")
        .ok_or_else(|| MediaError::Pipeline("element without src pad".into()))?;
    src.link(&sink)
        .map(|_| ())
        .map_err(|e| MediaError::Pipeline(format!("linking to hlssink2 {template}: {e:?}")))
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
    let queue = make("queue")?;
    let rate = make("videorate")?;
    // At most 4 frames a second reach the scaler: the collector keeps far fewer.
    rate.set_property("drop-only", true);
    rate.set_property_from_str("max-rate", "4");
    let scale = make("videoscale")?;
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
                    if let Some(pts) = sample.buffer().and_then(|b| b.pts())
                        && let Some(c) = s.lock().thumbs.as_mut()
                    {
                        c.offer(pts, sample);
                    }
                    Ok(gst::FlowSuccess::Ok)
                })
                .build(),
        )
        .build();
    Ok(vec![queue, rate, scale, convert, caps, sink.upcast()])
}
