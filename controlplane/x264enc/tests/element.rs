//! The `armoricorex264enc` element in GStreamer: it lets go of every raw frame when x264
//! has it (the reason it exists, checked against GStreamer's own x264enc, which does not),
//! and its stream decodes, with the GOP, the profile and the timestamps asked for.

use std::sync::{Arc, Mutex};

use gst::prelude::*;

const WIDTH: usize = 320;
const HEIGHT: usize = 240;

fn init() {
    gst::init().expect("GStreamer initialises");
    x264enc::register().expect("element registers");
}

/// A mid-grey I420 frame with a moving bar, so x264 has something to encode.
fn raw_frame(i: u64) -> gst::Buffer {
    let mut data = vec![128u8; WIDTH * HEIGHT * 3 / 2];
    let x = (i as usize * 7) % (WIDTH - 16);
    for row in 0..HEIGHT {
        data[row * WIDTH + x..row * WIDTH + x + 16].fill(235);
    }
    let mut buffer = gst::Buffer::from_mut_slice(data);
    let b = buffer.get_mut().expect("new buffer is writable");
    b.set_pts(gst::ClockTime::from_nseconds(i * 33_333_333));
    b.set_duration(gst::ClockTime::from_nseconds(33_333_333));
    buffer
}

/// Pushes `frames` raw frames through a harness around `factory` and counts the pushes
/// after which the encoder still held a reference to the frame it was given.
fn frames_still_held_after_push(factory: &str, frames: u64) -> usize {
    let mut h = gst_check::Harness::new(factory);
    h.set_src_caps_str(&format!(
        "video/x-raw,format=I420,width={WIDTH},height={HEIGHT},framerate=30/1"
    ));
    h.element()
        .expect("harnessed element")
        .set_property_from_str("speed-preset", "veryfast");
    let mut held = 0;
    for i in 0..frames {
        let frame = raw_frame(i);
        h.push(frame.clone()).expect("push");
        // Writable means ours is the only reference left.
        if !frame.is_writable() {
            held += 1;
        }
    }
    h.push_event(gst::event::Eos::new());
    held
}

#[test]
fn raw_frames_are_released_as_soon_as_x264_has_copied_them() {
    init();
    assert_eq!(frames_still_held_after_push(x264enc::FACTORY_NAME, 40), 0);
    // The reason for the element: GStreamer's x264enc keeps frames for x264's delay.
    assert!(
        frames_still_held_after_push("x264enc", 40) > 10,
        "x264enc was expected to hold frames until they come out encoded"
    );
}

#[test]
fn the_stream_decodes_with_the_gop_profile_and_timestamps_asked_for() {
    init();
    let pipeline = gst::parse::launch(&format!(
        "videotestsrc num-buffers=90 pattern=ball \
         ! video/x-raw,format=I420,width={WIDTH},height={HEIGHT},framerate=30/1 \
         ! armoricorex264enc name=enc speed-preset=veryfast bitrate=400 key-int-max=30 \
           option-string=scenecut=0:open-gop=0:min-keyint=30 \
         ! video/x-h264,profile=high ! h264parse ! tee name=t \
         t. ! queue ! avdec_h264 ! fakesink name=decoded signal-handoffs=true \
         t. ! queue ! fakesink"
    ))
    .expect("pipeline parses")
    .downcast::<gst::Pipeline>()
    .expect("a pipeline");
    let enc = pipeline.by_name("enc").expect("encoder");
    // (pts, dts, keyframe) of every encoded frame, in output order.
    let encoded = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&encoded);
    enc.static_pad("src")
        .expect("src pad")
        .add_probe(gst::PadProbeType::BUFFER, move |_, info| {
            if let Some(b) = info.buffer() {
                let keyframe = !b.flags().contains(gst::BufferFlags::DELTA_UNIT);
                seen.lock()
                    .expect("lock")
                    .push((b.pts(), b.dts(), keyframe));
            }
            gst::PadProbeReturn::Ok
        });
    let decoded = Arc::new(Mutex::new(0u32));
    let count = Arc::clone(&decoded);
    pipeline
        .by_name("decoded")
        .expect("sink")
        .connect("handoff", false, move |_| {
            *count.lock().expect("lock") += 1;
            None
        });
    pipeline.set_state(gst::State::Playing).expect("plays");
    let bus = pipeline.bus().expect("bus");
    let msg = bus
        .timed_pop_filtered(
            gst::ClockTime::from_seconds(60),
            &[gst::MessageType::Eos, gst::MessageType::Error],
        )
        .expect("pipeline ends within 60 s");
    let caps = enc.static_pad("src").and_then(|p| p.current_caps());
    pipeline.set_state(gst::State::Null).expect("stops");
    assert!(matches!(msg.view(), gst::MessageView::Eos(_)), "{msg:?}");

    assert_eq!(*decoded.lock().expect("lock"), 90, "every frame decodes");
    let encoded = encoded.lock().expect("lock").clone();
    assert_eq!(encoded.len(), 90);
    let mut pts: Vec<_> = encoded.iter().map(|e| e.0.expect("pts")).collect();
    let keyframes: Vec<_> = encoded
        .iter()
        .filter(|e| e.2)
        .map(|e| e.0.expect("pts"))
        .collect();
    let first = *pts.iter().min().expect("frames");
    let second = gst::ClockTime::from_seconds(1);
    assert_eq!(
        keyframes,
        vec![first, first + second, first + second * 2],
        "a keyframe every 30 frames"
    );
    for (p, d, _) in &encoded {
        assert!(
            d.expect("dts") <= p.expect("pts"),
            "decode time before presentation time"
        );
    }
    let dts: Vec<_> = encoded.iter().map(|e| e.1.expect("dts")).collect();
    assert!(dts.windows(2).all(|w| w[0] < w[1]), "decode times increase");
    pts.sort();
    assert!(
        pts.windows(2).all(|w| w[0] < w[1]),
        "no two frames share a time"
    );
    assert!(
        encoded.iter().any(|(p, d, _)| p != d),
        "B-frames are reordered"
    );

    let caps = caps.expect("negotiated caps");
    let s = caps.structure(0).expect("structure");
    assert_eq!(
        s.get::<&str>("stream-format").expect("format"),
        "byte-stream"
    );
    assert_eq!(s.get::<&str>("profile").expect("profile"), "high");
}

#[test]
fn an_unknown_preset_is_an_error_not_a_crash() {
    init();
    let pipeline = gst::parse::launch(
        "videotestsrc num-buffers=5 ! video/x-raw,format=I420,width=64,height=48,framerate=30/1 \
         ! armoricorex264enc speed-preset=warp-speed ! fakesink",
    )
    .expect("pipeline parses");
    pipeline.set_state(gst::State::Playing).expect("starts");
    let msg = pipeline
        .bus()
        .expect("bus")
        .timed_pop_filtered(
            gst::ClockTime::from_seconds(30),
            &[gst::MessageType::Eos, gst::MessageType::Error],
        )
        .expect("pipeline ends");
    pipeline.set_state(gst::State::Null).expect("stops");
    assert!(matches!(msg.view(), gst::MessageView::Error(_)), "{msg:?}");
}
