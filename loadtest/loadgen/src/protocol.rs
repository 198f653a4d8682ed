//! The lines a parent and its worker processes exchange (one JSON object per line).
//!
//! Worker stdout: `READY {Ready}` once every socket has joined or failed, then one
//! `RESULT {StepResult}` per `GO`. Parent → worker stdin: `GO {Go}` or `EXIT`. Anything
//! else a worker prints goes to stderr. A worker whose stdin closes exits: a dead parent
//! leaves no workers behind.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A worker's sockets are connected and joined (or failed).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Ready {
    /// Sockets joined.
    pub joined: u64,
    /// Sockets that failed to connect or join.
    pub failed: u64,
    /// The first failure, for the report.
    pub first_error: Option<String>,
    /// Seconds from start to the last join.
    pub connect_s: f64,
}

/// One measurement window, as absolute times (ns since the UNIX epoch).
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct Go {
    /// Deliveries arriving from here on count toward the achieved rate…
    pub start_ns: u64,
    /// …until here (publishing stops here too).
    pub end_ns: u64,
    /// The worker reports at this time (late deliveries are counted until then).
    pub stop_ns: u64,
}

/// What a worker saw during one window.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct StepResult {
    /// Sockets open at the start of the window.
    pub alive_at_start: u64,
    /// Sockets open when reporting.
    pub alive_at_end: u64,
    /// Deliveries received between `start` and `stop`.
    pub deliveries: u64,
    /// Of those, the ones that arrived between `start` and `end`.
    pub in_window: u64,
    /// Of those, the ones that arrived after `end`.
    pub late: u64,
    /// Latency buckets `(µs, count)` of all deliveries.
    pub latency: Vec<(u64, u64)>,
    /// Sockets the server closed during the window, by close reason.
    pub closes: BTreeMap<String, u64>,
    /// This worker's CPU seconds during the window.
    pub cpu_s: f64,
}

/// Parses `KEY {json}`.
pub fn parse_line<T: for<'de> Deserialize<'de>>(line: &str, key: &str) -> Option<T> {
    let json = line.strip_prefix(key)?.strip_prefix(' ')?;
    serde_json::from_str(json).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_round_trip() {
        let go = Go {
            start_ns: 1,
            end_ns: 2,
            stop_ns: 3,
        };
        let line = format!("GO {}", serde_json::to_string(&go).unwrap());
        let back: Go = parse_line(&line, "GO").unwrap();
        assert_eq!(back.stop_ns, 3);
        assert!(parse_line::<Go>(&line, "RESULT").is_none());
    }
}
