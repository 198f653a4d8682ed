//! The records the ring benches move: a 64-byte record by value and a payload by reference,
//! plus the clock both ends stamp and read.

use std::sync::OnceLock;
use std::time::Instant;

use bytes::Bytes;

/// Size of the shared payload a [`ByRef`] record points at.
pub const PAYLOAD_LEN: usize = 1024;

/// A 64-byte record moved by value (fixed fields of a ring record, inline).
#[derive(Clone, Copy)]
#[repr(C)]
pub struct Inline64 {
    pub seq: u64,
    pub stamp_ns: u64,
    pub body: [u8; 48],
}

const _: () = assert!(std::mem::size_of::<Inline64>() == 64);

/// A record carrying its payload by reference: a clone of one shared `Bytes` (refcount
/// bump on send, drop on receive), as one bus payload fanned out to every shard.
pub struct ByRef {
    pub seq: u64,
    pub payload: Bytes,
}

/// What a bench needs from a record type.
pub trait Record: Send + 'static {
    /// What every record is built from (shared payload, or nothing).
    type Proto: Clone + Send + 'static;
    fn proto() -> Self::Proto;
    fn make(proto: &Self::Proto, seq: u64, stamp_ns: u64) -> Self;
    fn seq(&self) -> u64;
    /// Bytes the consumer can reach through the record (read so nothing is optimised out).
    fn reach(&self) -> usize;
}

impl Record for Inline64 {
    type Proto = ();
    fn proto() {}
    fn make(_: &(), seq: u64, stamp_ns: u64) -> Self {
        Inline64 {
            seq,
            stamp_ns,
            body: [seq as u8; 48],
        }
    }
    fn seq(&self) -> u64 {
        self.seq
    }
    fn reach(&self) -> usize {
        self.body.len()
    }
}

impl Record for ByRef {
    type Proto = Bytes;
    fn proto() -> Bytes {
        Bytes::from(vec![0x5a; PAYLOAD_LEN])
    }
    fn make(proto: &Bytes, seq: u64, _: u64) -> Self {
        ByRef {
            seq,
            payload: proto.clone(),
        }
    }
    fn seq(&self) -> u64 {
        self.seq
    }
    fn reach(&self) -> usize {
        self.payload.len()
    }
}

/// Nanoseconds on the monotonic clock since a process-wide origin; comparable across
/// threads (`CLOCK_MONOTONIC` through the vDSO, ~20 ns a read).
pub fn now_ns() -> u64 {
    static ORIGIN: OnceLock<Instant> = OnceLock::new();
    ORIGIN.get_or_init(Instant::now).elapsed().as_nanos() as u64
}
