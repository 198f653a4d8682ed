//! Benchmark inputs shared by the criterion benches in `benches/`.
//!
//! # Layout
//! - [`sample_event_bytes`]: a representative encoded event of each size class.
//!
//! # Invariants
//! - Inputs are built deterministically so runs compare.

/// A `media.ready` event with `renditions` variants, encoded as on the bus.
pub fn sample_event_bytes(renditions: usize) -> Vec<u8> {
    let renditions: Vec<_> = (0..renditions)
        .map(|i| {
            serde_json::json!({
                "name": format!("{}p", 1080 - i * 180), "width": 1920 - i * 320,
                "height": 1080 - i * 180, "bandwidth": 5_000_000 - i * 900_000,
                "codecs": "avc1.640028,mp4a.40.2", "playlist": format!("/media/m-1/{i}/index.m3u8")
            })
        })
        .collect();
    serde_json::to_vec(&serde_json::json!({
        "event_type": "media.ready",
        "event_id": "6f1c2b9e-4d1a-4c55-9d8e-0a2b3c4d5e6f",
        "timestamp": "2026-11-27T10:00:00Z",
        "source": "bench",
        "payload": {
            "media_id": "m-1", "user_id": "u-1",
            "playback": {"hls": "/media/m-1/master.m3u8"},
            "renditions": renditions,
            "thumbnails": ["/media/m-1/poster.jpg"],
            "duration_ms": 60000, "metadata": {"container": "mp4"}
        }
    }))
    .unwrap_or_default()
}
