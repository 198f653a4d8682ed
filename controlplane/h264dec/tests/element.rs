//! The `armoricoreh264dec` element in GStreamer, against avdec_h264 on the same streams: the
//! same pictures, timestamps and colorimetry; libav's planes passed on without a copy when
//! downstream reads `GstVideoMeta` (the reason the element exists), a default-layout copy
//! when it does not; pictures that outlive the decoder; damaged input survived; and
//! `decodebin` choosing it for 8-bit 4:2:0 streams only.

use std::sync::{Arc, Mutex};

use gst::prelude::*;
use testkit::gst_frames::{self, collect, play_to_end, visible_pixels as pixels};

fn init() {
    gst::init().expect("GStreamer initialises");
    h264dec::register().expect("element registers");
}

/// A 322x242 ball moving on a test pattern, encoded with B-frames and a keyframe every 30
/// frames: 322x242 is coded as 336x256 and cropped, which the planes must respect.
const ENCODED: &str = "videotestsrc num-buffers=90 pattern=ball ! \
     video/x-raw,format=I420,width=322,height=242,framerate=30/1 ! \
     x264enc speed-preset=superfast bframes=2 key-int-max=30 ! h264parse";

/// Makes `sink` tell upstream, in the allocation query, that it reads `GstVideoMeta`.
fn accept_video_meta(sink: &gst::Element) {
    let pad = sink.static_pad("sink").expect("appsink has a sink pad");
    pad.add_probe(gst::PadProbeType::QUERY_DOWNSTREAM, |_, info| {
        if let Some(gst::PadProbeData::Query(q)) = info.data.as_mut()
            && let gst::QueryViewMut::Allocation(a) = q.view_mut()
        {
            a.add_allocation_meta::<gst_video::VideoMeta>(None);
        }
        gst::PadProbeReturn::Ok
    });
}

/// Runs `description` to the end and returns every sample of each named appsink, taken
/// after the pipeline has been torn down; the sinks named in `video_meta` say they read
/// `GstVideoMeta`.
fn run(description: &str, sinks: &[&str], video_meta: &[&str]) -> Vec<Vec<gst::Sample>> {
    gst_frames::run_with(description, sinks, |pipeline| {
        for name in video_meta {
            accept_video_meta(&pipeline.by_name(name).expect("named sink"));
        }
    })
}

fn assert_same_pictures(reference: &[gst::Sample], ours: &[gst::Sample]) {
    assert_eq!(reference.len(), 90, "avdec_h264 decodes every frame");
    assert_eq!(ours.len(), reference.len(), "one picture per frame");
    for (i, (a, b)) in reference.iter().zip(ours).enumerate() {
        let (ba, bb) = (a.buffer().expect("buffer"), b.buffer().expect("buffer"));
        assert_eq!(ba.pts(), bb.pts(), "frame {i}: timestamp");
        assert_eq!(ba.duration(), bb.duration(), "frame {i}: duration");
        assert!(pixels(a) == pixels(b), "frame {i}: pixels differ");
    }
    let info =
        |s: &gst::Sample| gst_video::VideoInfo::from_caps(s.caps().expect("caps")).expect("raw");
    let (ia, ib) = (info(&reference[0]), info(&ours[0]));
    assert_same_caps_fields(
        &reference[0],
        &ours[0],
        &[
            "colorimetry",
            "chroma-site",
            "interlace-mode",
            "pixel-aspect-ratio",
        ],
    );
    assert_eq!((ib.width(), ib.height()), (322, 242));
    assert_eq!((ia.width(), ia.height()), (ib.width(), ib.height()));
    assert_eq!(ia.colorimetry(), ib.colorimetry(), "colorimetry");
    assert_eq!(ia.fps(), ib.fps(), "frame rate");
    assert_eq!(ia.par(), ib.par(), "pixel aspect ratio");
}

/// [`ENCODED`] decoded by avdec_h264 and by ours, side by side: `[reference, ours]`. With
/// `video_meta`, our appsink says it reads `GstVideoMeta`.
fn decode_both(video_meta: bool) -> Vec<Vec<gst::Sample>> {
    run(
        &format!(
            "{ENCODED} ! tee name=t \
             t. ! queue ! avdec_h264 ! appsink name=reference sync=false \
             t. ! queue ! armoricoreh264dec ! appsink name=ours sync=false"
        ),
        &["reference", "ours"],
        if video_meta { &["ours"] } else { &[] },
    )
}

#[test]
fn passes_libav_planes_by_reference_when_downstream_reads_video_meta() {
    init();
    let samples = decode_both(true);
    // Compared after the pipeline, and so the decoder, is gone: the pictures hold libav's
    // buffers themselves.
    assert_same_pictures(&samples[0], &samples[1]);
    for (i, s) in samples[1].iter().enumerate() {
        let buffer = s.buffer().expect("buffer");
        assert_eq!(
            buffer.n_memory(),
            3,
            "frame {i}: one memory per libav plane"
        );
        assert!(
            buffer.meta::<gst_video::VideoMeta>().is_some(),
            "frame {i}: planes described by a GstVideoMeta"
        );
        for m in 0..3 {
            assert!(
                buffer
                    .peek_memory(m)
                    .flags()
                    .contains(gst::MemoryFlags::READONLY),
                "frame {i}: libav's planes must not be written downstream"
            );
        }
    }
}

#[test]
fn copies_into_the_default_layout_when_downstream_does_not_read_video_meta() {
    init();
    let samples = decode_both(false);
    assert_same_pictures(&samples[0], &samples[1]);
    let info = gst_video::VideoInfo::from_caps(samples[1][0].caps().expect("caps")).expect("raw");
    for s in &samples[1] {
        let buffer = s.buffer().expect("buffer");
        assert!(buffer.meta::<gst_video::VideoMeta>().is_none());
        assert_eq!(buffer.size(), info.size(), "default I420 layout");
    }
}

/// The encoded access units of [`ENCODED`], with their timestamps and caps.
fn access_units() -> (gst::Caps, Vec<gst::Buffer>) {
    let samples = run(
        &format!(
            "{ENCODED} ! video/x-h264,stream-format=byte-stream,alignment=au ! appsink name=au sync=false"
        ),
        &["au"],
        &[],
    );
    let caps = samples[0][0].caps().expect("caps").to_owned();
    let buffers = samples[0]
        .iter()
        .map(|s| s.buffer().expect("buffer").to_owned())
        .collect();
    (caps, buffers)
}

#[test]
fn damaged_access_units_are_survived_and_the_stream_goes_on() {
    init();
    let (caps, mut units) = access_units();
    assert_eq!(units.len(), 90);
    // Two P/B access units overwritten with noise after their start code, one truncated.
    for (i, keep) in [(40usize, 5usize), (41, 5), (70, 20)] {
        let mut data = units[i].map_readable().expect("maps").to_vec();
        if i == 70 {
            data.truncate(data.len() / 2);
        } else {
            for (j, b) in data.iter_mut().enumerate().skip(keep) {
                *b = (j as u8).wrapping_mul(151).wrapping_add(17);
            }
        }
        let mut damaged = gst::Buffer::from_mut_slice(data);
        let b = damaged.get_mut().expect("writable");
        b.set_pts(units[i].pts());
        b.set_dts(units[i].dts());
        b.set_duration(units[i].duration());
        units[i] = damaged;
    }
    let pipeline = gst::parse::launch(
        "appsrc name=src format=time ! armoricoreh264dec ! appsink name=out sync=false",
    )
    .expect("parses")
    .downcast::<gst::Pipeline>()
    .expect("pipeline");
    let src = pipeline
        .by_name("src")
        .expect("src")
        .downcast::<gst_app::AppSrc>()
        .expect("appsrc");
    src.set_caps(Some(&caps));
    let out = collect(&pipeline.by_name("out").expect("out"));
    pipeline.set_state(gst::State::Playing).expect("plays");
    for u in units {
        src.push_buffer(u).expect("pushed");
    }
    src.end_of_stream().expect("eos");
    // Damaged units are decode errors the element tolerates, not the end of the stream.
    play_to_end(&pipeline);
    pipeline.set_state(gst::State::Null).expect("stops");
    let pictures = out.lock().expect("lock").len();
    // Concealed pictures still come out; only undecodable ones are missing.
    assert!(pictures >= 85, "{pictures} pictures out of 90");
}

/// The decoder factories `decodebin` plugs for `description ! decodebin ! fakesink`.
fn decoders_plugged(description: &str) -> Vec<String> {
    let pipeline = gst::parse::launch(&format!(
        "{description} ! decodebin name=d ! fakesink sync=false"
    ))
    .expect("parses")
    .downcast::<gst::Pipeline>()
    .expect("pipeline");
    let decoders = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&decoders);
    pipeline
        .by_name("d")
        .expect("decodebin")
        .downcast::<gst::Bin>()
        .expect("a bin")
        .connect_deep_element_added(move |_, _, element| {
            if let Some(f) = element.factory()
                && f.metadata(gst::ELEMENT_METADATA_KLASS)
                    .is_some_and(|k| k.contains("Decoder"))
            {
                seen.lock().expect("lock").push(f.name().to_string());
            }
        });
    play_to_end(&pipeline);
    pipeline.set_state(gst::State::Null).expect("stops");
    std::mem::take(&mut *decoders.lock().expect("lock"))
}

#[test]
fn decodebin_picks_it_for_8_bit_4_2_0_and_avdec_for_10_bit() {
    init();
    assert_eq!(decoders_plugged(ENCODED), ["armoricoreh264dec"]);
    let ten_bit = "videotestsrc num-buffers=10 ! \
         video/x-raw,format=I420_10LE,width=64,height=64,framerate=30/1 ! x264enc ! h264parse";
    assert_eq!(decoders_plugged(ten_bit), ["avdec_h264"]);
}

/// A caps field as a string, if present.
fn caps_field(sample: &gst::Sample, field: &str) -> Option<String> {
    sample
        .caps()
        .and_then(|c| c.structure(0))
        .and_then(|s| s.value(field).ok())
        .and_then(|v| v.serialize().ok())
        .map(|v| v.to_string())
}

/// `fields` are the same (or absent from both) in the caps of `reference` and `ours`.
fn assert_same_caps_fields(reference: &gst::Sample, ours: &gst::Sample, fields: &[&str]) {
    for f in fields {
        assert_eq!(
            caps_field(reference, f),
            caps_field(ours, f),
            "caps field {f}"
        );
    }
}

#[test]
fn reports_the_caps_avdec_reports_when_the_stream_has_no_colour_description() {
    init();
    // ffmpeg writes no VUI colour description unless asked, unlike x264enc: the caps
    // then come from defaults, and a difference makes the pipeline's first videoconvert
    // convert every frame instead of passing it through.
    let out = std::process::Command::new("ffmpeg")
        .args(["-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i"])
        .args([
            "testsrc2=size=1280x720:rate=30",
            "-t",
            "1",
            "-c:v",
            "libx264",
        ])
        .args(["-preset", "ultrafast", "-f", "h264", "-"])
        .output()
        .expect("ffmpeg runs");
    assert!(
        out.status.success(),
        "ffmpeg: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let pipeline = gst::parse::launch(
        "appsrc name=src caps=video/x-h264,stream-format=byte-stream ! h264parse ! tee name=t \
         t. ! queue ! avdec_h264 ! appsink name=reference sync=false \
         t. ! queue ! armoricoreh264dec ! appsink name=ours sync=false",
    )
    .expect("parses")
    .downcast::<gst::Pipeline>()
    .expect("pipeline");
    let reference = collect(&pipeline.by_name("reference").expect("sink"));
    let ours = collect(&pipeline.by_name("ours").expect("sink"));
    let src = pipeline
        .by_name("src")
        .expect("src")
        .downcast::<gst_app::AppSrc>()
        .expect("appsrc");
    src.push_buffer(gst::Buffer::from_mut_slice(out.stdout))
        .expect("pushed");
    src.end_of_stream().expect("eos");
    play_to_end(&pipeline);
    pipeline.set_state(gst::State::Null).expect("stops");
    let (reference, ours) = (reference.lock().expect("lock"), ours.lock().expect("lock"));
    assert_eq!(reference.len(), 30);
    assert_eq!(ours.len(), 30);
    assert_same_caps_fields(
        &reference[0],
        &ours[0],
        &[
            "format",
            "width",
            "height",
            "colorimetry",
            "chroma-site",
            "interlace-mode",
        ],
    );
    assert_eq!(
        caps_field(&ours[0], "chroma-site").as_deref(),
        Some("mpeg2")
    );
}
