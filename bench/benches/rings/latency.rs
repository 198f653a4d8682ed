//! One-way handoff latency: the producer stamps each 64-byte record with the monotonic
//! clock just before sending it, the consumer reads the clock as soon as it has the record,
//! and the difference goes into an HDR histogram (ns, 3 significant digits). Records are
//! paced so each one is a lone handoff, not a queue position:
//! - **awake**: the consumer busy-polls (`try_recv`), a record every 5 µs. This is the
//!   shard between io_uring completions, and what the 1 µs p99 target is about.
//! - **asleep**: the consumer awaits (`recv().await`) on its executor, a record every
//!   100 µs so it has parked in between: the latency includes the wake-up (eventfd / futex
//!   write, scheduler, the executor's poll). The "parked" column proves it slept.
//!
//! The producer is a plain thread calling the non-blocking send in every case.

use std::hint::spin_loop;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread;
use std::time::Duration;

use hdrhistogram::Histogram;

use crate::record::{Inline64, Record, now_ns};

const CAPACITY: usize = 1024;
/// Records sent and discarded before the measured ones, per case: the first 50 ms (thread
/// start-up, first page faults, and the scheduler moving a new thread off its parent's CPU,
/// which otherwise shows up as millisecond stalls in the first case of a run).
pub const WARMUP_TIME: Duration = Duration::from_millis(50);
static WARMUP: AtomicU64 = AtomicU64::new(0);

/// One measured case.
pub struct Row {
    pub case: &'static str,
    pub consumer: &'static str,
    pub hist: Histogram<u64>,
    /// Fraction of records before which the consumer parked (rings only: from its stats).
    pub parked: Option<f64>,
}

/// Paced producer: waits for `gap` after the previous send, stamps, sends. Drops `send`
/// (closing the channel) after `samples` records.
fn produce(samples: u64, gap: Duration, mut send: impl FnMut(Inline64)) {
    let gap = gap.as_nanos() as u64;
    let mut next = now_ns() + 1_000_000;
    for seq in 0..samples {
        while now_ns() < next {
            spin_loop();
        }
        let stamp = now_ns();
        send(Inline64::make(&(), seq, stamp));
        next = stamp + gap;
    }
}

fn histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 10_000_000_000, 3).expect("histogram bounds")
}

fn observe(hist: &mut Histogram<u64>, r: &Inline64) {
    let lat = now_ns().saturating_sub(r.stamp_ns).max(1);
    if r.seq >= WARMUP.load(Ordering::Relaxed) {
        hist.saturating_record(lat);
    }
}

/// Runs a paced producer thread against `consume` on this thread.
fn run<S, C>(samples: u64, gap: Duration, send: S, consume: C) -> Histogram<u64>
where
    S: FnMut(Inline64) + Send + 'static,
    C: FnOnce() -> Histogram<u64>,
{
    let warmup = (WARMUP_TIME.as_nanos() / gap.as_nanos()) as u64;
    WARMUP.store(warmup, Ordering::Relaxed);
    let p = thread::spawn(move || produce(warmup + samples, gap, send));
    let hist = consume();
    p.join().expect("producer");
    hist
}

fn rings_pair() -> (
    impl FnMut(Inline64) + Send + 'static,
    rings::RingReceiver<Inline64>,
) {
    let (mut tx, rx) = rings::ring::<Inline64>(CAPACITY);
    let send = move |mut r: Inline64| {
        while let Err(e) = tx.try_send(r) {
            r = e.into_inner();
            spin_loop();
        }
    };
    (send, rx)
}

fn parked(m: &rings::RingMetrics) -> Option<f64> {
    let s = m.snapshot();
    Some(s.receiver_parks as f64 / s.records_received.max(1) as f64)
}

pub fn awake(samples: u64) -> Vec<Row> {
    let gap = Duration::from_micros(5);
    let mut rows = Vec::new();

    let (send, mut rx) = rings_pair();
    let m = rx.metrics();
    let hist = run(samples, gap, send, move || {
        let mut h = histogram();
        loop {
            match rx.try_recv() {
                Ok(r) => observe(&mut h, &r),
                Err(rings::TryRecvError::Empty) => spin_loop(),
                Err(rings::TryRecvError::Closed) => return h,
            }
        }
    });
    rows.push(Row {
        case: "rings",
        consumer: "try_recv spin",
        hist,
        parked: parked(&m),
    });

    let (mut tx, mut rx) = rtrb::RingBuffer::<Inline64>::new(CAPACITY);
    let send = move |r| {
        while tx.push(r).is_err() {
            spin_loop();
        }
    };
    let hist = run(samples, gap, send, move || {
        let mut h = histogram();
        let mut seen = 0;
        while seen < samples + WARMUP.load(Ordering::Relaxed) {
            match rx.pop() {
                Ok(r) => {
                    observe(&mut h, &r);
                    seen += 1;
                }
                Err(_) => spin_loop(),
            }
        }
        h
    });
    rows.push(Row {
        case: "rtrb raw",
        consumer: "pop spin",
        hist,
        parked: None,
    });

    let (tx, rx) = crossbeam_channel::bounded::<Inline64>(CAPACITY);
    let send = move |r| {
        let _ = tx.send(r);
    };
    let hist = run(samples, gap, send, move || {
        let mut h = histogram();
        loop {
            match rx.try_recv() {
                Ok(r) => observe(&mut h, &r),
                Err(crossbeam_channel::TryRecvError::Empty) => spin_loop(),
                Err(crossbeam_channel::TryRecvError::Disconnected) => return h,
            }
        }
    });
    rows.push(Row {
        case: "crossbeam",
        consumer: "try_recv spin",
        hist,
        parked: None,
    });

    let (tx, mut rx) = tokio::sync::mpsc::channel::<Inline64>(CAPACITY);
    let send = move |r| {
        let _ = tx.try_send(r);
    };
    let hist = run(samples, gap, send, move || {
        let mut h = histogram();
        loop {
            match rx.try_recv() {
                Ok(r) => observe(&mut h, &r),
                Err(tokio::sync::mpsc::error::TryRecvError::Empty) => spin_loop(),
                Err(tokio::sync::mpsc::error::TryRecvError::Disconnected) => return h,
            }
        }
    });
    rows.push(Row {
        case: "tokio mpsc",
        consumer: "try_recv spin",
        hist,
        parked: None,
    });
    rows
}

pub fn asleep(samples: u64) -> Vec<Row> {
    let gap = Duration::from_micros(100);
    let mut rows = Vec::new();

    let (send, mut rx) = rings_pair();
    let m = rx.metrics();
    let hist = run(samples, gap, send, move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("tokio runtime");
        rt.block_on(async move {
            let mut h = histogram();
            while let Some(r) = rx.recv().await {
                observe(&mut h, &r);
            }
            h
        })
    });
    rows.push(Row {
        case: "rings",
        consumer: "tokio current-thread recv().await",
        hist,
        parked: parked(&m),
    });

    let (send, mut rx) = rings_pair();
    let m = rx.metrics();
    let hist = run(samples, gap, send, move || {
        glommio::LocalExecutorBuilder::new(glommio::Placement::Unbound)
            .io_memory(512 << 10)
            .spawn(move || async move {
                let mut h = histogram();
                while let Some(r) = rx.recv().await {
                    observe(&mut h, &r);
                }
                h
            })
            .expect("glommio executor")
            .join()
            .expect("glommio consumer")
    });
    rows.push(Row {
        case: "rings",
        consumer: "glommio recv().await (eventfd)",
        hist,
        parked: parked(&m),
    });

    let (tx, mut rx) = tokio::sync::mpsc::channel::<Inline64>(CAPACITY);
    let send = move |r| {
        let _ = tx.try_send(r);
    };
    let hist = run(samples, gap, send, move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("tokio runtime");
        rt.block_on(async move {
            let mut h = histogram();
            while let Some(r) = rx.recv().await {
                observe(&mut h, &r);
            }
            h
        })
    });
    rows.push(Row {
        case: "tokio mpsc",
        consumer: "tokio current-thread recv().await",
        hist,
        parked: None,
    });

    let (tx, rx) = crossbeam_channel::bounded::<Inline64>(CAPACITY);
    let send = move |r| {
        let _ = tx.send(r);
    };
    let hist = run(samples, gap, send, move || {
        let mut h = histogram();
        rx.iter().for_each(|r| observe(&mut h, &r));
        h
    });
    rows.push(Row {
        case: "crossbeam",
        consumer: "blocking recv() (futex)",
        hist,
        parked: None,
    });
    rows
}

fn us(ns: u64) -> String {
    format!("{:.2}", ns as f64 / 1000.0)
}

/// Prints the rows as a Markdown table (µs).
pub fn print(title: &str, rows: &[Row]) {
    println!("\n### {title}\n");
    println!(
        "| channel | consumer | samples | p50 µs | p90 µs | p99 µs | p99.9 µs | max µs | consumer parked per record |"
    );
    println!("|---|---|---:|---:|---:|---:|---:|---:|---:|");
    for r in rows {
        let h = &r.hist;
        let parked = r.parked.map_or("-".to_owned(), |p| format!("{p:.2}"));
        println!(
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            r.case,
            r.consumer,
            h.len(),
            us(h.value_at_quantile(0.50)),
            us(h.value_at_quantile(0.90)),
            us(h.value_at_quantile(0.99)),
            us(h.value_at_quantile(0.999)),
            us(h.max()),
            parked,
        );
    }
}
