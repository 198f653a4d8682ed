//! Owns the ladder flags every subcommand takes ([`LadderArgs`]) and their conversion to a
//! [`media::Ladder`], so the driver can hand the very same flags to both contenders.
//! Defaults are [`media::Ladder::default`]'s, which is what the node runs.

use std::time::Duration;

use anyhow::{Context, bail};
use clap::Args;
use media::{Ladder, Rung, X264Preset};

/// The ladder both contenders encode.
#[derive(Args, Debug, Clone, PartialEq, Eq)]
pub struct LadderArgs {
    /// Rungs as SHORT_SIDE:KBPS, comma-separated (default: the node's ladder).
    #[arg(long, value_delimiter = ',')]
    pub ladder: Vec<String>,
    /// x264 preset: ultrafast, superfast, veryfast, faster, fast, medium.
    #[arg(long, default_value = "veryfast")]
    pub preset: String,
    /// HLS segment duration, whole seconds.
    #[arg(long, default_value_t = 4)]
    pub segment: u64,
    /// AAC bit rate, kb/s.
    #[arg(long, default_value_t = 128)]
    pub audio_kbps: u32,
}

impl LadderArgs {
    /// The ladder these flags describe; the rest of [`Ladder`] keeps the node's defaults.
    pub fn ladder(&self) -> anyhow::Result<Ladder> {
        let defaults = Ladder::default();
        let rungs = if self.ladder.is_empty() {
            defaults.rungs.clone()
        } else {
            self.ladder
                .iter()
                .map(|r| parse_rung(r))
                .collect::<anyhow::Result<Vec<_>>>()?
        };
        let ladder = Ladder {
            rungs,
            audio_bitrate: self.audio_kbps.saturating_mul(1000),
            segment_duration: Duration::from_secs(self.segment),
            preset: parse_preset(&self.preset)?,
            ..defaults
        };
        ladder.validate().context("invalid ladder")?;
        Ok(ladder)
    }

    /// The same flags as command-line arguments, for the `ours` child process.
    pub fn to_args(&self) -> Vec<String> {
        let mut args = Vec::new();
        if !self.ladder.is_empty() {
            args.push(format!("--ladder={}", self.ladder.join(",")));
        }
        args.push(format!("--preset={}", self.preset));
        args.push(format!("--segment={}", self.segment));
        args.push(format!("--audio-kbps={}", self.audio_kbps));
        args
    }
}

fn parse_rung(text: &str) -> anyhow::Result<Rung> {
    let (side, kbps) = text
        .split_once(':')
        .with_context(|| format!("rung {text:?}: expected SHORT_SIDE:KBPS, e.g. 720:2800"))?;
    let side: u32 = side
        .trim()
        .parse()
        .with_context(|| format!("rung {text:?}: short side"))?;
    let kbps: u32 = kbps
        .trim()
        .parse()
        .with_context(|| format!("rung {text:?}: kb/s"))?;
    Ok(Rung::new(side, kbps.saturating_mul(1000)))
}

/// The preset named `name` (x264's nick).
pub fn parse_preset(name: &str) -> anyhow::Result<X264Preset> {
    let all = [
        X264Preset::Ultrafast,
        X264Preset::Superfast,
        X264Preset::Veryfast,
        X264Preset::Faster,
        X264Preset::Fast,
        X264Preset::Medium,
    ];
    match all.into_iter().find(|p| p.as_str() == name) {
        Some(p) => Ok(p),
        None => bail!("unknown x264 preset {name:?}"),
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        ladder: LadderArgs,
    }

    fn parse(args: &[&str]) -> LadderArgs {
        let mut all = vec!["x"];
        all.extend_from_slice(args);
        Cli::try_parse_from(all).unwrap().ladder
    }

    #[test]
    fn no_flags_give_the_nodes_ladder() {
        assert_eq!(parse(&[]).ladder().ok(), Some(Ladder::default()));
    }

    #[test]
    fn rungs_presets_and_durations_are_read() {
        let l = parse(&[
            "--ladder",
            "720:2800,360:800",
            "--preset",
            "ultrafast",
            "--segment",
            "2",
            "--audio-kbps",
            "96",
        ])
        .ladder()
        .unwrap();
        assert_eq!(
            l.rungs,
            vec![Rung::new(720, 2_800_000), Rung::new(360, 800_000)]
        );
        assert_eq!(l.preset, X264Preset::Ultrafast);
        assert_eq!(l.segment_duration, Duration::from_secs(2));
        assert_eq!(l.audio_bitrate, 96_000);
    }

    #[test]
    fn bad_rungs_and_presets_are_refused() {
        assert!(parse(&["--ladder", "720"]).ladder().is_err());
        assert!(parse(&["--ladder", "720:x"]).ladder().is_err());
        assert!(parse(&["--preset", "placebo"]).ladder().is_err());
        assert!(parse(&["--segment", "0"]).ladder().is_err());
    }

    #[test]
    fn flags_round_trip_through_the_child_arguments() {
        let a = parse(&["--ladder", "720:2800,360:800", "--segment", "6"]);
        let mut args = vec!["x".to_string()];
        args.extend(a.to_args());
        let b = Cli::try_parse_from(args).unwrap().ladder;
        assert_eq!(a, b);
    }
}
