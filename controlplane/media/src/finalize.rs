//! Owns the last step of a successful job: each VOD media playlist from the segments our
//! segmenter closed and their stored sizes, the bandwidth figures and codec
//! strings, the thumbnails picked from the single pass, and the master playlist — written
//! last, so its presence means every output it names is stored.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use bytes::Bytes;
use gstreamer as gst;

use crate::bridge::Bridge;
use crate::error::MediaError;
use crate::hls::{self, Segment, Variant};
use crate::job::{JobOptions, MASTER, MediaReport, Progress, RenditionReport, Stage};
use crate::pipeline::Shared;
use crate::sink::OutputSink;
use crate::thumbs;

pub(crate) async fn report<S: OutputSink>(
    options: &JobOptions,
    shared: &Arc<Shared>,
    bridge: &Bridge<S>,
    source_bytes: u64,
    started: Instant,
) -> Result<MediaReport, MediaError> {
    if let Some(cb) = &options.progress {
        cb(Progress {
            stage: Stage::Finalizing,
            percent: 99,
        });
    }
    let sink = &bridge.sink;
    let (
        renditions,
        video_codecs,
        audio_codec,
        frame_rate,
        has_audio,
        has_video,
        collector,
        mut meta,
    ) = {
        let mut st = shared.lock();
        (
            st.renditions.clone(),
            st.video_codecs.clone(),
            st.audio_codec.clone(),
            st.frame_rate,
            st.has_audio,
            st.has_video,
            st.thumbs.take(),
            st.meta.clone(),
        )
    };
    let (listed, segments) = {
        let o = bridge.outputs.lock().unwrap_or_else(|p| p.into_inner());
        (o.listed.clone(), o.segments.clone())
    };
    let first_segment_after = segments.values().map(|(_, at)| *at).min();

    let mut reports = Vec::new();
    for r in &renditions {
        let playlist_path = format!("{}/index.m3u8", r.name);
        let mut segs = Vec::new();
        for (uri, duration) in listed.get(&r.name).cloned().unwrap_or_default() {
            let path = format!("{}/{uri}", r.name);
            let (bytes, _) = segments.get(&path).ok_or_else(|| {
                MediaError::Pipeline(format!("segment {path} is listed but was not stored"))
            })?;
            segs.push(Segment {
                uri,
                duration,
                bytes: *bytes,
            });
        }
        if segs.is_empty() {
            return Err(MediaError::Corrupt {
                reason: format!("no segment was produced for {}", r.name),
            });
        }
        sink.put(&playlist_path, Bytes::from(hls::vod_media_playlist(&segs)))
            .await?;
        let (bandwidth, average_bandwidth) = hls::bandwidth(&segs);
        let mut codecs = Vec::new();
        if has_video {
            codecs.push(video_codecs.get(&r.name).cloned().ok_or_else(|| {
                MediaError::Pipeline(format!("no H.264 parameter set seen for {}", r.name))
            })?);
        }
        if has_audio {
            codecs.push(
                audio_codec
                    .clone()
                    .unwrap_or_else(|| hls::mp4a_codec(None).to_string()),
            );
        }
        reports.push(RenditionReport {
            name: r.name.clone(),
            width: r.video.as_ref().map(|v| v.width),
            height: r.video.as_ref().map(|v| v.height),
            bandwidth,
            average_bandwidth,
            codecs: codecs.join(","),
            frame_rate: if has_video { frame_rate } else { None },
            playlist: playlist_path,
            segments: segs,
        });
    }

    let decoded = shared.decoded();
    meta.duration = Duration::from_nanos(decoded.nseconds());
    meta.source_bytes = source_bytes;
    if decoded > gst::ClockTime::ZERO {
        meta.bitrate = Some((source_bytes as f64 * 8.0 / decoded.seconds_f64()) as u64);
    }

    // Thumbnails: picked from the frames kept during the single pass.
    let mut poster = None;
    let mut thumbnails = Vec::new();
    if let Some(c) = collector.filter(|c| !c.is_empty()) {
        let first = gst::ClockTime::from_nseconds(match shared.first_pts.load(Ordering::Relaxed) {
            u64::MAX => 0,
            v => v,
        });
        let (p, spaced) = thumbs::targets(decoded, options.ladder.thumbnails);
        let mut wanted = vec![p + first];
        wanted.extend(spaced.into_iter().map(|t| t + first));
        let jpegs = c.pick(&wanted);
        for (i, jpeg) in jpegs.into_iter().enumerate() {
            let path = if i == 0 {
                "thumbs/poster.jpg".to_string()
            } else {
                format!("thumbs/{i:03}.jpg")
            };
            sink.put(&path, Bytes::from(jpeg)).await?;
            if i == 0 {
                poster = Some(path);
            } else {
                thumbnails.push(path);
            }
        }
    }

    let variants: Vec<Variant> = reports
        .iter()
        .map(|r| Variant {
            uri: r.playlist.clone(),
            bandwidth: r.bandwidth,
            average_bandwidth: r.average_bandwidth,
            resolution: r.width.zip(r.height),
            codecs: r.codecs.clone(),
            frame_rate: r.frame_rate,
        })
        .collect();
    // Last: a master playlist in the store means every output it names is there.
    sink.put(MASTER, Bytes::from(hls::master_playlist(&variants)))
        .await?;
    if let Some(cb) = &options.progress {
        cb(Progress {
            stage: Stage::Done,
            percent: 100,
        });
    }
    Ok(MediaReport {
        master: MASTER.to_string(),
        renditions: reports,
        poster,
        thumbnails,
        metadata: meta,
        elapsed: started.elapsed(),
        first_segment_after,
    })
}
