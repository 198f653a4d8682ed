//! Issue #5's benchmark: our streaming transcode (`media::transcode`) against the `ffmpeg`
//! command line doing the same single-process ladder (one decode, `split`, one x264
//! encode per rung, one AAC encode), on the same source, alternating in the same run.
//!
//! Each contender is its own process, started by the driver under `/usr/bin/time`, so CPU
//! seconds and peak RSS come from the kernel's `wait4` accounting the same way for both;
//! the driver also watches both output directories for the first complete `.ts` file, so
//! "first stored segment" is measured from process spawn the same way for both. `ours`
//! additionally reports the first segment as its sink saw it, from the job's start.
//!
//! # Layout
//! - `ladder_args`: the ladder flags shared by every subcommand, turned into a
//!   [`media::Ladder`].
//! - `source`: the source file as a chunked byte stream, and its facts from ffprobe.
//! - `timed_sink`: an [`media::OutputSink`] wrapper that records when the first segment
//!   is committed.
//! - `ours`: the `ours` runner (one transcode into a local object store, JSON out).
//! - `ffmpeg`: the equivalent ffmpeg command line, built from the same plan.
//! - `x264_options`: the encoder settings x264 writes into its SEI, to check that both
//!   contenders encode with the same options.
//! - `measure`: one contender run: spawn under `/usr/bin/time`, watch for the first
//!   segment, parse the accounting.
//! - `compare`: the driver: alternate runs, records, the settings check.
//! - `report`: medians, spreads and the Markdown table.
//!
//! # Invariants
//! - Both contenders get the same renditions (sizes from [`media::plan`]), bit rates,
//!   GOP ([`media::gop_frames`]), preset and segment duration.
//! - A segment counts as stored only once it is complete under its final name (the local
//!   object store renames a staged file; ffmpeg renames `.tmp` with `temp_file`).
//! - Generated media never enters the repository: sources and outputs live in a work
//!   directory given on the command line.
#![forbid(unsafe_code)]

pub mod compare;
pub mod ffmpeg;
pub mod ladder_args;
pub mod measure;
pub mod ours;
pub mod report;
pub mod source;
pub mod timed_sink;
pub mod x264_options;
