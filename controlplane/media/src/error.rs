//! Owns [`MediaError`], the one error type of a transcode job, and how GStreamer's
//! error messages are sorted into it.
//!
//! The sort matters to the caller: a source that is not media (or is broken) must end the
//! job for good (`media.failed`, message terminated), while a storage or network hiccup
//! may be retried; [`MediaError::is_retryable`] tells the two apart.

use std::time::Duration;

use gstreamer::prelude::GstObjectExt;

use crate::sink::SinkError;

/// A boxed error from a source stream or a sink.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Why a transcode job failed. Every variant's message is meant for a human (it ends up
/// in `media.failed.reason`).
#[derive(Debug, thiserror::Error)]
pub enum MediaError {
    /// The source stream ended before yielding a single byte.
    #[error("the source is empty (0 bytes)")]
    EmptyInput,
    /// The bytes are not a media format we can decode, or hold no audio or video.
    #[error("unsupported input: {reason}")]
    Unsupported {
        /// What GStreamer (or our own checks) said.
        reason: String,
    },
    /// The bytes look like media but cannot be demuxed or decoded.
    #[error("corrupt input: {reason}")]
    Corrupt {
        /// What GStreamer said.
        reason: String,
    },
    /// The source decoded cleanly but ends well before its declared duration.
    #[error("truncated input: {reason}")]
    Truncated {
        /// Declared against decoded duration.
        reason: String,
    },
    /// The source stream itself failed (network, object store read).
    #[error("reading the source failed: {source}")]
    Source {
        /// The stream's error.
        #[source]
        source: BoxError,
    },
    /// Storing an output failed.
    #[error(transparent)]
    Sink(#[from] SinkError),
    /// The job did not finish within its time limit.
    #[error("the job did not finish within {0:?}")]
    Timeout(Duration),
    /// The ladder or job options are unusable.
    #[error("invalid job options: {0}")]
    InvalidOptions(String),
    /// GStreamer could not be set up (missing plugin, element or link failure): a
    /// deployment problem rather than a problem with this source.
    #[error("media pipeline failure: {0}")]
    Pipeline(String),
}

impl MediaError {
    /// Whether running the same job again may succeed: transient storage errors and
    /// source read failures. Bad input, timeouts and pipeline setup failures are final,
    /// and so is a source failure that [`SourceError`](crate::source::SourceError) sorts
    /// as final (a size-limit breach found mid-stream, say).
    pub fn is_retryable(&self) -> bool {
        match self {
            MediaError::Source { source } => !crate::source::final_source_error(source),
            MediaError::Sink(e) => e.transient,
            _ => false,
        }
    }

    /// Sorts a GStreamer error message by its domain and code.
    pub(crate) fn from_gst(err: &gstreamer::message::Error) -> Self {
        use gstreamer::{CoreError, StreamError};
        let glib_err = err.error();
        let mut reason = glib_err.message().to_string();
        let from = err
            .src()
            .map(|s| s.path_string().to_string())
            .unwrap_or_default();
        if let Some(debug) = err.debug() {
            // The debug string names the element and source line; keep only its last
            // line, which usually carries the useful detail ("no moov atom", ...).
            if let Some(last) = debug.lines().last().filter(|l| !l.trim().is_empty()) {
                reason = format!("{reason} ({})", last.trim());
            }
        }
        if let Some(code) = glib_err.kind::<StreamError>() {
            return match code {
                StreamError::TypeNotFound | StreamError::WrongType => MediaError::Unsupported {
                    reason: format!("could not recognise the data as a media format: {reason}"),
                },
                StreamError::CodecNotFound | StreamError::NotImplemented => {
                    MediaError::Unsupported {
                        reason: format!("no decoder for this codec: {reason}"),
                    }
                }
                _ => MediaError::Corrupt { reason },
            };
        }
        if let Some(CoreError::MissingPlugin) = glib_err.kind::<CoreError>() {
            return MediaError::Unsupported {
                reason: format!("no decoder for this codec: {reason}"),
            };
        }
        MediaError::Pipeline(format!("{from}: {reason}"))
    }
}
