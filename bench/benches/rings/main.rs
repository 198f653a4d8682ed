//! Benchmarks of the SPSC rings (`cargo bench -p bench --bench rings`): cross-thread
//! throughput against tokio mpsc, crossbeam-channel and the raw ring crates (criterion),
//! then one-way handoff latency percentiles (HDR histogram, printed as Markdown tables).
//!
//! A filter argument selects criterion benches as usual; the latency part runs when there
//! is no filter or the filter is `latency`. Under `--test` (`cargo test --benches`) every
//! part runs once, small.

mod latency;
mod record;
mod throughput;

use criterion::{Criterion, criterion_group};

criterion_group!(
    throughput_benches,
    throughput::inline64,
    throughput::bytes_ref
);

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let quick = args.iter().any(|a| a == "--test");
    let filter = args.iter().find(|a| !a.starts_with('-'));
    if filter.is_none_or(|f| !"latency".contains(f.as_str())) {
        throughput_benches();
        Criterion::default().configure_from_args().final_summary();
    }
    if filter.is_none_or(|f| "latency".contains(f.as_str())) {
        let (awake, asleep) = if quick {
            (2_000, 500)
        } else {
            (100_000, 5_000)
        };
        latency::print(
            "One-way handoff latency, consumer awake (busy-polling), a record every 5 µs",
            &latency::awake(awake),
        );
        latency::print(
            "One-way handoff latency, consumer asleep (parked on its executor), a record every 100 µs",
            &latency::asleep(asleep),
        );
    }
}
