//! GStreamer test helpers for the media elements' tests (feature `gstreamer`): collecting
//! what an appsink receives, playing a pipeline to its end, and reading a raw video frame's
//! visible pixels whatever its strides.

use std::sync::{Arc, Mutex};

use gst::prelude::*;
use gst_video::prelude::*;

/// Every sample `sink` (an appsink) receives, taken as it comes: appsink holds back its
/// end-of-stream until its queue is empty, so waiting for the end first would stall.
pub fn collect(sink: &gst::Element) -> Arc<Mutex<Vec<gst::Sample>>> {
    let samples = Arc::new(Mutex::new(Vec::new()));
    let into = Arc::clone(&samples);
    sink.clone()
        .downcast::<gst_app::AppSink>()
        .expect("an appsink")
        .set_callbacks(
            gst_app::AppSinkCallbacks::builder()
                .new_sample(move |s| {
                    let sample = s.pull_sample().map_err(|_| gst::FlowError::Eos)?;
                    into.lock().expect("lock").push(sample);
                    Ok(gst::FlowSuccess::Ok)
                })
                .build(),
        );
    samples
}

/// Plays `pipeline` to its end of stream; panics on an error message or after 60 s.
pub fn play_to_end(pipeline: &gst::Pipeline) {
    pipeline.set_state(gst::State::Playing).expect("plays");
    let bus = pipeline.bus().expect("bus");
    for msg in bus.iter_timed(gst::ClockTime::from_seconds(60)) {
        match msg.view() {
            gst::MessageView::Eos(_) => return,
            gst::MessageView::Error(e) => {
                panic!("pipeline error: {} ({:?})", e.error(), e.debug())
            }
            _ => {}
        }
    }
    panic!("no end of stream within 60 s");
}

/// Runs `description` to its end and returns every sample of each named appsink, taken
/// after the pipeline has been torn down. `before` may adjust the pipeline first.
pub fn run_with(
    description: &str,
    sinks: &[&str],
    before: impl FnOnce(&gst::Pipeline),
) -> Vec<Vec<gst::Sample>> {
    let pipeline = gst::parse::launch(description)
        .expect("pipeline parses")
        .downcast::<gst::Pipeline>()
        .expect("a pipeline");
    before(&pipeline);
    let collected: Vec<_> = sinks
        .iter()
        .map(|name| collect(&pipeline.by_name(name).expect("named sink")))
        .collect();
    play_to_end(&pipeline);
    pipeline.set_state(gst::State::Null).expect("stops");
    collected
        .iter()
        .map(|c| std::mem::take(&mut *c.lock().expect("lock")))
        .collect()
}

/// Every visible byte of every plane of a raw video sample, row by row, read through the
/// buffer's `GstVideoMeta` if it has one.
pub fn visible_pixels(sample: &gst::Sample) -> Vec<u8> {
    let info = gst_video::VideoInfo::from_caps(sample.caps().expect("caps")).expect("raw caps");
    let buffer = sample.buffer().expect("buffer");
    let frame = gst_video::VideoFrameRef::from_buffer_ref_readable(buffer, &info).expect("maps");
    let mut out = Vec::new();
    for plane in 0..frame.n_planes() {
        let data = frame.plane_data(plane).expect("plane");
        let stride = frame.plane_stride()[plane as usize] as usize;
        let row = frame.comp_width(plane) as usize * frame.comp_pstride(plane).max(1) as usize;
        for r in 0..frame.comp_height(plane) as usize {
            out.extend_from_slice(&data[r * stride..r * stride + row]);
        }
    }
    out
}
