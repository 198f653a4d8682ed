//! Cross-thread throughput: one producer thread, one consumer thread, `RECORDS` records per
//! iteration through a channel of `CAPACITY`, timed from a common start to the consumer
//! having checked the last sequence number. Each contender is driven the way it is meant
//! to be used: async ends each on its own tokio current-thread runtime (ours with
//! `recv_batch`, tokio's with `recv_many`, both up to 256 per call; one `send` per record
//! unless the name says `batch`), crossbeam's blocking calls on plain threads, and
//! busy-polling for the spin variants.

use std::hint::spin_loop;
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, SamplingMode, Throughput};
use ringbuf::traits::{Consumer as _, Producer as _, Split as _};

use crate::record::{ByRef, Inline64, Record};

pub const RECORDS: u64 = 200_000;
pub const CAPACITY: usize = 1024;
const BATCH: usize = 256;

/// Runs `produce` and `consume` on two fresh threads released together; returns the time
/// from release until `consume` returned.
fn timed<P, C>(produce: P, consume: C) -> Duration
where
    P: FnOnce(&Barrier) + Send + 'static,
    C: FnOnce(&Barrier) + Send + 'static,
{
    let go = Arc::new(Barrier::new(3));
    let (gp, gc) = (go.clone(), go.clone());
    let p = thread::spawn(move || produce(&gp));
    let c = thread::spawn(move || consume(&gc));
    go.wait();
    let t0 = Instant::now();
    c.join().expect("consumer");
    let elapsed = t0.elapsed();
    p.join().expect("producer");
    elapsed
}

fn current_thread() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime")
}

fn check<R: Record>(r: &R, next: &mut u64) {
    assert_eq!(r.seq(), *next, "out of order");
    std::hint::black_box(r.reach());
    *next += 1;
}

pub fn rings_async<R: Record>(n: u64) -> Duration {
    rings_async_with::<R>(n, 1, rings::DEFAULT_YIELDS_BEFORE_PARK)
}

/// Our ring with both ends parking at once (no yields): the cost of a wake-up per idle poll.
pub fn rings_async_park_at_once<R: Record>(n: u64) -> Duration {
    rings_async_with::<R>(n, 1, 0)
}

/// Our ring with the producer publishing 32 records per `send_batch` (one release store and
/// at most one wake-up per batch), as a bridge draining a burst from the bus would.
pub fn rings_async_batch32<R: Record>(n: u64) -> Duration {
    rings_async_with::<R>(n, 32, rings::DEFAULT_YIELDS_BEFORE_PARK)
}

fn rings_async_with<R: Record>(n: u64, batch: u64, yields: u32) -> Duration {
    let (mut tx, mut rx) = rings::ring::<R>(CAPACITY);
    tx.set_yields_before_park(yields);
    rx.set_yields_before_park(yields);
    let proto = R::proto();
    timed(
        move |go| {
            let rt = current_thread();
            go.wait();
            rt.block_on(async move {
                if batch == 1 {
                    for i in 0..n {
                        tx.send(R::make(&proto, i, 0))
                            .await
                            .expect("receiver alive");
                    }
                    return;
                }
                let mut items = Vec::with_capacity(batch as usize);
                for start in (0..n).step_by(batch as usize) {
                    items.extend((start..(start + batch).min(n)).map(|i| R::make(&proto, i, 0)));
                    tx.send_batch(&mut items).await.expect("receiver alive");
                }
            });
        },
        move |go| {
            let rt = current_thread();
            go.wait();
            rt.block_on(async move {
                let (mut buf, mut next) = (Vec::with_capacity(BATCH), 0);
                while rx.recv_batch(&mut buf, BATCH).await > 0 {
                    buf.drain(..).for_each(|r| check(&r, &mut next));
                }
                assert_eq!(next, n);
            });
        },
    )
}

pub fn tokio_mpsc<R: Record>(n: u64) -> Duration {
    let (tx, mut rx) = tokio::sync::mpsc::channel::<R>(CAPACITY);
    let proto = R::proto();
    timed(
        move |go| {
            let rt = current_thread();
            go.wait();
            rt.block_on(async move {
                for i in 0..n {
                    if tx.send(R::make(&proto, i, 0)).await.is_err() {
                        panic!("receiver gone");
                    }
                }
            });
        },
        move |go| {
            let rt = current_thread();
            go.wait();
            rt.block_on(async move {
                let (mut buf, mut next) = (Vec::with_capacity(BATCH), 0);
                while rx.recv_many(&mut buf, BATCH).await > 0 {
                    buf.drain(..).for_each(|r| check(&r, &mut next));
                }
                assert_eq!(next, n);
            });
        },
    )
}

pub fn crossbeam<R: Record>(n: u64) -> Duration {
    let (tx, rx) = crossbeam_channel::bounded::<R>(CAPACITY);
    let proto = R::proto();
    timed(
        move |go| {
            go.wait();
            for i in 0..n {
                if tx.send(R::make(&proto, i, 0)).is_err() {
                    panic!("receiver gone");
                }
            }
        },
        move |go| {
            go.wait();
            let mut next = 0;
            rx.iter().for_each(|r| check(&r, &mut next));
            assert_eq!(next, n);
        },
    )
}

pub fn rings_spin<R: Record>(n: u64) -> Duration {
    let (mut tx, mut rx) = rings::ring::<R>(CAPACITY);
    let proto = R::proto();
    timed(
        move |go| {
            go.wait();
            for i in 0..n {
                let mut r = R::make(&proto, i, 0);
                while let Err(e) = tx.try_send(r) {
                    r = e.into_inner();
                    spin_loop();
                }
            }
        },
        move |go| {
            go.wait();
            let (mut buf, mut next) = (Vec::with_capacity(BATCH), 0);
            while next < n {
                match rx.try_recv_batch(&mut buf, BATCH) {
                    Ok(_) => buf.drain(..).for_each(|r| check(&r, &mut next)),
                    Err(_) => spin_loop(),
                }
            }
        },
    )
}

pub fn rtrb_spin<R: Record>(n: u64) -> Duration {
    let (mut tx, mut rx) = rtrb::RingBuffer::<R>::new(CAPACITY);
    let proto = R::proto();
    timed(
        move |go| {
            go.wait();
            for i in 0..n {
                let mut r = R::make(&proto, i, 0);
                while let Err(rtrb::PushError::Full(back)) = tx.push(r) {
                    r = back;
                    spin_loop();
                }
            }
        },
        move |go| {
            go.wait();
            let mut next = 0;
            while next < n {
                match rx.read_chunk(rx.slots().min(BATCH)) {
                    Ok(chunk) if !chunk.is_empty() => {
                        chunk.into_iter().for_each(|r| check(&r, &mut next))
                    }
                    _ => spin_loop(),
                }
            }
        },
    )
}

pub fn ringbuf_spin<R: Record>(n: u64) -> Duration {
    let (mut tx, mut rx) = ringbuf::HeapRb::<R>::new(CAPACITY).split();
    let proto = R::proto();
    timed(
        move |go| {
            go.wait();
            for i in 0..n {
                let mut r = R::make(&proto, i, 0);
                while let Err(back) = tx.try_push(r) {
                    r = back;
                    spin_loop();
                }
            }
        },
        move |go| {
            go.wait();
            let mut next = 0;
            while next < n {
                let before = next;
                rx.pop_iter().take(BATCH).for_each(|r| check(&r, &mut next));
                if next == before {
                    spin_loop();
                }
            }
        },
    )
}

type Runner = fn(u64) -> Duration;

fn group(c: &mut Criterion, name: &str, contenders: &[(&str, Runner)]) {
    let mut g = c.benchmark_group(name);
    g.throughput(Throughput::Elements(RECORDS))
        .sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_millis(1500));
    for (id, run) in contenders {
        g.bench_function(BenchmarkId::from_parameter(id), |b| {
            b.iter_custom(|iters| (0..iters).map(|_| run(RECORDS)).sum())
        });
    }
    g.finish();
}

/// (a) 64-byte records by value.
pub fn inline64(c: &mut Criterion) {
    group(
        c,
        "rings_throughput_inline64",
        &[
            ("rings_async", rings_async::<Inline64>),
            (
                "rings_async_park_at_once",
                rings_async_park_at_once::<Inline64>,
            ),
            ("rings_async_batch32", rings_async_batch32::<Inline64>),
            ("tokio_mpsc_async", tokio_mpsc::<Inline64>),
            ("crossbeam_blocking", crossbeam::<Inline64>),
            ("rings_spin", rings_spin::<Inline64>),
            ("rtrb_raw_spin", rtrb_spin::<Inline64>),
            ("ringbuf_raw_spin", ringbuf_spin::<Inline64>),
        ],
    );
}

/// (b) `Bytes` payload references (1 KiB shared payload, one clone per record).
pub fn bytes_ref(c: &mut Criterion) {
    group(
        c,
        "rings_throughput_bytes",
        &[
            ("rings_async", rings_async::<ByRef>),
            ("rings_async_batch32", rings_async_batch32::<ByRef>),
            ("tokio_mpsc_async", tokio_mpsc::<ByRef>),
            ("crossbeam_blocking", crossbeam::<ByRef>),
            ("rings_spin", rings_spin::<ByRef>),
        ],
    );
}
