//! Owns the ffmpeg contender's command line, built from the same plan as ours
//! ([`media::plan`], [`media::gop_frames`]) so the two encode the same thing:
//!
//! ```text
//! ffmpeg -i SRC -filter_complex "[0:v]split=N[s0]…;[s0]scale=W:H:flags=bilinear,setsar=1,format=yuv420p[v0];…"
//!   -map [v0] … -map 0:a:0 -c:v libx264 -preset P -profile:v high -g GOP
//!   -x264-params scenecut=0:open-gop=0:min-keyint=GOP -b:v:i R -maxrate:v:i R -bufsize:v:i 0.6·R
//!   -c:a aac -b:a A -ar 48000 -ac 2
//!   -f hls -hls_time S -hls_playlist_type vod -hls_flags independent_segments+temp_file
//!   -hls_segment_filename OUT/%v/seg%05d.ts -master_pl_name master.m3u8 -var_stream_map "…" OUT/%v/index.m3u8
//! ```
//!
//! How each of our settings is matched (see `controlplane/media/src/branches.rs`):
//! - our encoder (`armoricorex264enc`, x264enc's rate control) with `bitrate=R`: x264 ABR
//!   with `vbv-maxrate = R` and `vbv-bufsize = R × vbv-buf-capacity (600 ms)`; ffmpeg's `-b:v/-maxrate/-bufsize`
//!   set the same three x264 fields.
//! - `speed-preset`, `key-int-max=GOP`, `option-string=scenecut=0:open-gop=0:min-keyint=GOP`
//!   and the `profile=high` caps: `-preset`, `-g`, `-x264-params`, `-profile:v high`.
//!   Both leave `threads`, `rc-lookahead`, `bframes` to the preset and x264's auto
//!   threads. The driver checks the options x264 wrote into each rung's SEI.
//! - videoscale's default `method=bilinear` (2-tap): `scale=…:flags=bilinear`. The two
//!   bilinear scalers are different code (GStreamer's video-converter, libswscale), so
//!   the pictures are close, not bit-identical.
//! - avenc_aac is ffmpeg's own `aac` encoder (twoloop coder) in both, 48 kHz stereo.
//! - Not matchable exactly: our AAC is encoded once and muxed into every rendition's
//!   TS; ffmpeg's HLS muxer will not put one encoded stream into two variants. With
//!   [`AudioMode::Group`] (the default) ffmpeg encodes AAC once into an audio-only
//!   rendition (`agroup`), so it muxes less than we do; [`AudioMode::PerVariant`]
//!   muxes audio into every variant like us but encodes it once per variant.
//! - Ours also picks thumbnails from the same decode; ffmpeg has no such branch.

use std::ffi::OsString;
use std::path::Path;

use clap::ValueEnum;
use media::{Ladder, PlannedRendition, gop_frames, plan};

use crate::source::SourceInfo;

/// The encoder's default `vbv-buf-capacity` (x264enc's, kept by armoricorex264enc),
/// milliseconds of the bit rate.
const VBV_BUFFER_MS: u64 = 600;

/// How ffmpeg gets the one AAC stream into the ladder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AudioMode {
    /// One AAC encode, an audio-only rendition every variant refers to (`agroup`).
    Group,
    /// One AAC encode per variant, muxed into each variant's TS (our output layout).
    PerVariant,
}

/// The renditions ffmpeg will produce: exactly ours.
pub fn renditions(ladder: &Ladder, info: &SourceInfo) -> Vec<PlannedRendition> {
    plan(ladder, info.width, info.height)
}

/// The arguments (after `ffmpeg`) that transcode `source` into `out` like our pipeline.
pub fn args(
    source: &Path,
    out: &Path,
    ladder: &Ladder,
    info: &SourceInfo,
    audio: AudioMode,
) -> Vec<OsString> {
    let rungs = renditions(ladder, info);
    let gop = gop_frames(info.fps, ladder.segment_duration);
    let mut a: Vec<OsString> = Vec::new();
    push(
        &mut a,
        &[
            "-hide_banner",
            "-nostdin",
            "-nostats",
            "-loglevel",
            "warning",
            "-y",
            "-i",
        ],
    );
    a.push(source.into());

    let labels: String = (0..rungs.len()).map(|i| format!("[s{i}]")).collect();
    let mut graph = format!("[0:v]split={}{labels}", rungs.len());
    for (i, r) in rungs.iter().enumerate() {
        graph.push_str(&format!(
            ";[s{i}]scale={}:{}:flags=bilinear,setsar=1,format=yuv420p[v{i}]",
            r.width, r.height
        ));
    }
    push(&mut a, &["-filter_complex", &graph]);
    for i in 0..rungs.len() {
        push(&mut a, &["-map", &format!("[v{i}]")]);
    }
    let audio_maps = match (info.has_audio, audio) {
        (false, _) => 0,
        (true, AudioMode::Group) => 1,
        (true, AudioMode::PerVariant) => rungs.len(),
    };
    for _ in 0..audio_maps {
        push(&mut a, &["-map", "0:a:0"]);
    }

    let x264 = format!("scenecut=0:open-gop=0:min-keyint={gop}");
    push(
        &mut a,
        &[
            "-c:v",
            "libx264",
            "-preset",
            ladder.preset.as_str(),
            "-profile:v",
            "high",
        ],
    );
    push(&mut a, &["-g", &gop.to_string(), "-x264-params", &x264]);
    for (i, r) in rungs.iter().enumerate() {
        let kbps = u64::from(r.video_bitrate / 1000).max(1);
        let (rate, buf) = (
            format!("{kbps}k"),
            format!("{}k", kbps * VBV_BUFFER_MS / 1000),
        );
        push(
            &mut a,
            &[
                &format!("-b:v:{i}"),
                &rate,
                &format!("-maxrate:v:{i}"),
                &rate,
            ],
        );
        push(&mut a, &[&format!("-bufsize:v:{i}"), &buf]);
    }
    if audio_maps > 0 {
        let abr = format!("{}k", ladder.audio_bitrate / 1000);
        push(
            &mut a,
            &["-c:a", "aac", "-b:a", &abr, "-ar", "48000", "-ac", "2"],
        );
    }

    let seg = ladder.segment_duration.as_secs().to_string();
    push(
        &mut a,
        &["-f", "hls", "-hls_time", &seg, "-hls_playlist_type", "vod"],
    );
    push(&mut a, &["-hls_flags", "independent_segments+temp_file"]);
    a.push("-hls_segment_filename".into());
    a.push(out.join("%v").join("seg%05d.ts").into());
    push(
        &mut a,
        &["-master_pl_name", "master.m3u8", "-var_stream_map"],
    );
    a.push(stream_map(&rungs, audio_maps, audio).into());
    a.push(out.join("%v").join("index.m3u8").into());
    a
}

fn push(args: &mut Vec<OsString>, items: &[&str]) {
    args.extend(items.iter().map(OsString::from));
}

fn stream_map(rungs: &[PlannedRendition], audio_maps: usize, audio: AudioMode) -> String {
    let mut variants: Vec<String> = rungs
        .iter()
        .enumerate()
        .map(|(i, r)| match (audio_maps, audio) {
            (0, _) => format!("v:{i},name:{}", r.name),
            (_, AudioMode::Group) => format!("v:{i},agroup:aud,name:{}", r.name),
            (_, AudioMode::PerVariant) => format!("v:{i},a:{i},name:{}", r.name),
        })
        .collect();
    if audio_maps > 0 && audio == AudioMode::Group {
        variants.push(format!("a:0,agroup:aud,name:{}", media::AUDIO_ONLY));
    }
    variants.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info() -> SourceInfo {
        SourceInfo {
            width: 1280,
            height: 720,
            fps: 30.0,
            duration: 60.0,
            has_audio: true,
        }
    }

    fn joined(audio: AudioMode, info: &SourceInfo) -> String {
        crate::measure::shell_line(
            "ffmpeg".as_ref(),
            &args(
                Path::new("/w/src.mp4"),
                Path::new("/w/out"),
                &Ladder::default(),
                info,
                audio,
            ),
        )
    }

    #[test]
    fn a_720p_source_gets_our_three_rungs_with_our_rates_and_gop() {
        let cmd = joined(AudioMode::Group, &info());
        assert!(cmd.contains("split=3[s0][s1][s2]"), "{cmd}");
        assert!(cmd.contains("[s0]scale=1280:720:flags=bilinear"), "{cmd}");
        assert!(cmd.contains("[s1]scale=854:480:flags=bilinear"), "{cmd}");
        assert!(cmd.contains("[s2]scale=640:360:flags=bilinear"), "{cmd}");
        assert!(!cmd.contains("1920"), "{cmd}");
        for expected in [
            "-b:v:0 2800k -maxrate:v:0 2800k -bufsize:v:0 1680k",
            "-b:v:2 800k -maxrate:v:2 800k -bufsize:v:2 480k",
            "-g 120 -x264-params scenecut=0:open-gop=0:min-keyint=120",
            "-preset veryfast -profile:v high",
            "-c:a aac -b:a 128k -ar 48000 -ac 2",
            "-hls_time 4 -hls_playlist_type vod",
            "-hls_flags independent_segments+temp_file",
            "-hls_segment_filename /w/out/%v/seg%05d.ts",
            "'v:0,agroup:aud,name:720p v:1,agroup:aud,name:480p v:2,agroup:aud,name:360p a:0,agroup:aud,name:audio'",
        ] {
            assert!(cmd.contains(expected), "missing {expected:?} in {cmd}");
        }
        assert_eq!(cmd.matches("-map 0:a:0").count(), 1, "{cmd}");
    }

    #[test]
    fn per_variant_audio_maps_one_encode_per_rendition() {
        let cmd = joined(AudioMode::PerVariant, &info());
        assert_eq!(cmd.matches("-map 0:a:0").count(), 3, "{cmd}");
        assert!(
            cmd.contains("'v:0,a:0,name:720p v:1,a:1,name:480p v:2,a:2,name:360p'"),
            "{cmd}"
        );
    }

    #[test]
    fn a_silent_source_maps_no_audio() {
        let silent = SourceInfo {
            has_audio: false,
            ..info()
        };
        let cmd = joined(AudioMode::Group, &silent);
        assert!(!cmd.contains("0:a") && !cmd.contains("-c:a"), "{cmd}");
        assert!(
            cmd.contains("v:0,name:720p v:1,name:480p v:2,name:360p"),
            "{cmd}"
        );
    }

    #[test]
    fn the_gop_follows_the_frame_rate() {
        let cmd = joined(
            AudioMode::Group,
            &SourceInfo {
                fps: 25.0,
                ..info()
            },
        );
        assert!(cmd.contains("-g 100 "), "{cmd}");
    }
}
