//! Owns the settings check: x264 writes every option it encoded with into an SEI message
//! (`x264 - core … - options: cabac=1 ref=1 …`). Reading it back from one segment of
//! each rung of each contender shows exactly where the two encodes differ, instead of
//! trusting that the flags were translated right.
//!
//! The elementary stream is taken out of the TS with `ffmpeg -c copy -f h264` first: in
//! the TS the SEI text is cut by packet headers every 184 bytes.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use anyhow::Context;

const MARKER: &[u8] = b"x264 - core ";

/// x264's options, key → value, from the first x264 SEI in `h264` (Annex B bytes).
pub fn parse(h264: &[u8]) -> Option<BTreeMap<String, String>> {
    let at = h264.windows(MARKER.len()).position(|w| w == MARKER)?;
    let text = &h264[at..];
    let end = text.iter().position(|&b| b == 0).unwrap_or(text.len());
    let text = String::from_utf8_lossy(&text[..end]);
    let (_, options) = text.split_once(" options: ")?;
    Some(
        options
            .split_whitespace()
            .filter_map(|kv| kv.split_once('='))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    )
}

/// The options of the H.264 stream in the TS segment at `path`.
pub fn read(path: &Path) -> anyhow::Result<BTreeMap<String, String>> {
    let out = crate::measure::tool_output(
        Command::new("ffmpeg")
            .args(["-v", "error", "-i"])
            .arg(path)
            .args(["-map", "0:v:0", "-c", "copy", "-f", "h264", "pipe:1"]),
    )
    .with_context(|| format!("extracting the video of {}", path.display()))?;
    parse(&out).with_context(|| format!("no x264 SEI in {}", path.display()))
}

/// Keys whose values differ (or that one side lacks): `key: ours vs theirs`.
pub fn differences(
    ours: &BTreeMap<String, String>,
    theirs: &BTreeMap<String, String>,
) -> Vec<String> {
    let keys: std::collections::BTreeSet<&String> = ours.keys().chain(theirs.keys()).collect();
    keys.into_iter()
        .filter(|k| ours.get(*k) != theirs.get(*k))
        .map(|k| {
            let side =
                |m: &BTreeMap<String, String>| m.get(k).cloned().unwrap_or_else(|| "-".into());
            format!("{k}: {} vs {}", side(ours), side(theirs))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_are_read_up_to_the_terminating_nul() {
        let mut bytes = vec![0, 0, 0, 1, 6, 5, 0xff];
        bytes.extend_from_slice(
            b"x264 - core 164 r3095 baee400 - H.264/MPEG-4 AVC codec - Copyleft 2003-2022 - \
              http://www.videolan.org/x264.html - options: cabac=1 ref=1 deblock=1:0:0 keyint=120",
        );
        bytes.extend_from_slice(&[0, 0x80, 0, 0, 0, 1, 0x65, b'x', b'=']);
        let o = parse(&bytes).unwrap();
        assert_eq!(o.len(), 4);
        assert_eq!(o["deblock"], "1:0:0");
        assert_eq!(o["keyint"], "120");
        assert_eq!(parse(b"no sei here"), None);
    }

    #[test]
    fn differences_name_each_key_once_with_both_values() {
        let a: BTreeMap<String, String> = [("ref", "1"), ("threads", "3"), ("aud", "1")]
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .into();
        let b: BTreeMap<String, String> = [("ref", "1"), ("threads", "4"), ("nr", "0")]
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .into();
        assert_eq!(
            differences(&a, &b),
            vec!["aud: 1 vs -", "nr: - vs 0", "threads: 3 vs 4"]
        );
        assert!(differences(&a, &a).is_empty());
    }
}
