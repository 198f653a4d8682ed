//! The `armoricorescale` element in GStreamer, beside `videoscale` on the same frames: it
//! negotiates the sizes the media pipeline's caps ask for, keeps the rest of the caps,
//! scales to nearly the same pictures, and passes same-size frames through untouched.

use testkit::gst_frames::{self, visible_pixels as pixels};

fn init() {
    gst::init().expect("GStreamer initialises");
    scaler::register().expect("element registers");
}

fn run(description: &str, sinks: &[&str]) -> Vec<Vec<gst::Sample>> {
    gst_frames::run_with(description, sinks, |_| {})
}

/// The caps a sample was negotiated with.
fn caps_of(sample: &gst::Sample) -> gst::Structure {
    sample
        .caps()
        .and_then(|c| c.structure(0))
        .expect("caps")
        .to_owned()
}

const SOURCE: &str = "videotestsrc num-buffers=20 pattern=smpte ! \
     video/x-raw,format=I420,width=1280,height=720,framerate=30/1,colorimetry=bt709";

#[test]
fn scales_to_the_size_downstream_asks_for_like_videoscale() {
    init();
    for (w, h) in [(854, 480), (640, 360), (1920, 1080)] {
        let caps = format!(
            "video/x-raw,format=I420,width={w},height={h},pixel-aspect-ratio=1/1,colorimetry=bt709"
        );
        let samples = run(
            &format!(
                "{SOURCE} ! tee name=t \
                 t. ! queue ! videoscale ! {caps} ! appsink name=reference sync=false \
                 t. ! queue ! armoricorescale ! {caps} ! appsink name=ours sync=false"
            ),
            &["reference", "ours"],
        );
        assert_eq!(samples[1].len(), 20, "{w}x{h}: every frame");
        let s = caps_of(&samples[1][0]);
        assert_eq!(s.get::<i32>("width").ok(), Some(w));
        assert_eq!(s.get::<i32>("height").ok(), Some(h));
        assert_eq!(
            s.get::<gst::Fraction>("framerate").ok(),
            Some(gst::Fraction::new(30, 1))
        );
        assert_eq!(s.get::<&str>("colorimetry").ok(), Some("bt709"));
        for (a, b) in samples[0].iter().zip(&samples[1]) {
            let (a, b) = (pixels(a), pixels(b));
            assert_eq!(a.len(), b.len());
            // Both bilinear, different code: the same picture to within rounding, but for
            // the sharp edges of the test pattern.
            let mean = a
                .iter()
                .zip(&b)
                .map(|(x, y)| x.abs_diff(*y) as u64)
                .sum::<u64>() as f64
                / a.len() as f64;
            assert!(
                mean < 2.0,
                "{w}x{h}: mean difference {mean} from videoscale"
            );
        }
    }
}

#[test]
fn same_size_passes_frames_through() {
    init();
    let samples = run(
        &format!(
            "{SOURCE} ! tee name=t \
             t. ! queue ! appsink name=reference sync=false \
             t. ! queue ! armoricorescale ! video/x-raw,width=1280,height=720 ! appsink name=ours sync=false"
        ),
        &["reference", "ours"],
    );
    assert_eq!(samples[1].len(), 20);
    for (a, b) in samples[0].iter().zip(&samples[1]) {
        let (a, b) = (a.buffer().expect("buffer"), b.buffer().expect("buffer"));
        assert_eq!(
            a.peek_memory(0).as_ptr(),
            b.peek_memory(0).as_ptr(),
            "same memory, not a copy"
        );
    }
}

#[test]
fn same_size_with_another_pixel_aspect_ratio_is_copied_not_refused() {
    init();
    let samples = run(
        "videotestsrc num-buffers=5 pattern=smpte ! \
         video/x-raw,format=I420,width=640,height=360,pixel-aspect-ratio=4/3,framerate=30/1 ! \
         tee name=t t. ! queue ! appsink name=reference sync=false \
         t. ! queue ! armoricorescale ! video/x-raw,width=640,height=360,pixel-aspect-ratio=1/1 ! \
         appsink name=ours sync=false",
        &["reference", "ours"],
    );
    assert_eq!(samples[1].len(), 5);
    for (a, b) in samples[0].iter().zip(&samples[1]) {
        assert!(pixels(a) == pixels(b), "the same picture");
    }
    let s = caps_of(&samples[1][0]);
    assert_eq!(
        s.get::<gst::Fraction>("pixel-aspect-ratio").ok(),
        Some(gst::Fraction::new(1, 1))
    );
}
