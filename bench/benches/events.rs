//! Decode and encode cost of bus events (the control plane does one decode per message).

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;

fn events(c: &mut Criterion) {
    let mut group = c.benchmark_group("event");
    for renditions in [1usize, 4] {
        let bytes = bench::sample_event_bytes(renditions);
        group.throughput(Throughput::Bytes(bytes.len() as u64));
        group.bench_function(format!("decode/media.ready/{renditions}_renditions"), |b| {
            b.iter(|| codecs::Event::decode(black_box(&bytes)))
        });
        let event = codecs::Event::decode(&bytes).expect("sample event decodes");
        group.bench_function(format!("encode/media.ready/{renditions}_renditions"), |b| {
            b.iter(|| black_box(&event).encode())
        });
    }
    group.finish();
}

criterion_group!(benches, events);
criterion_main!(benches);
