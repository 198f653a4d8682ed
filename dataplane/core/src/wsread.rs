//! Reading a WebSocket's client messages on a shard: bytes → frames (parsed by
//! [`codecs::websocket::decode`]) → messages (fragments reassembled, text checked for UTF-8,
//! close payloads checked), for the Phoenix sockets ([`crate::ws`]) and the echo endpoint
//! ([`crate::echo`]) alike.
//!
//! Why our own reader instead of fastwebsockets': its reader keeps an 8 KiB buffer per
//! socket for the socket's whole life, which was a third of what an idle socket cost. Here
//! every socket of a shard reads through one shard-wide scratch buffer ([`SCRATCH_BYTES`]),
//! and a socket holds bytes of its own ([`MessageReader`]'s `pending`) only while a frame is
//! incomplete; between messages an idle socket holds no buffer at all. The scratch buffer
//! is borrowed only inside one `poll_read` (glommio's socket reads are readiness-based: a
//! pending read keeps no buffer), and what the read returned is moved out in the same poll,
//! so sockets never see each other's bytes.
//!
//! Limits: a message (or a single frame) over the reader's maximum fails with
//! [`MessageError::TooBig`] as soon as its header says so, before its payload is read.

use std::cell::RefCell;
use std::io;
use std::pin::Pin;
use std::task::Poll;

use bytes::{Buf, Bytes, BytesMut};
use codecs::websocket::Opcode;
use codecs::websocket::decode::{self, CloseError, FrameError};
use futures_lite::AsyncRead;

/// Size of each shard's read buffer: one read takes at most this much from a socket.
pub const SCRATCH_BYTES: usize = 64 << 10;

thread_local! {
    /// The shard's read buffer (a shard is one thread).
    static SCRATCH: RefCell<Box<[u8]>> = RefCell::new(vec![0; SCRATCH_BYTES].into_boxed_slice());
}

/// Why the server ends a socket, and the close code it sends for it.
#[derive(Debug, thiserror::Error)]
pub(crate) enum MessageError {
    /// A frame or a sequence of frames RFC 6455 forbids (1002).
    #[error("protocol error: {0}")]
    Protocol(&'static str),
    /// A frame a client may not send (1002).
    #[error("protocol error: {0}")]
    Frame(#[from] FrameError),
    /// A text message or a close reason that is not UTF-8 (1007).
    #[error("invalid UTF-8")]
    InvalidUtf8,
    /// A message over the reader's maximum (1009).
    #[error("message larger than {0} bytes")]
    TooBig(usize),
    /// The connection broke, timed out or ended; nothing can be sent any more.
    #[error("connection lost: {0}")]
    Gone(String),
}

impl MessageError {
    /// The close code to send, or `None` when the connection cannot carry one.
    pub(crate) fn close_code(&self) -> Option<u16> {
        match self {
            MessageError::Protocol(_) | MessageError::Frame(_) => Some(1002),
            MessageError::InvalidUtf8 => Some(1007),
            MessageError::TooBig(_) => Some(1009),
            MessageError::Gone(_) => None,
        }
    }
}

impl From<CloseError> for MessageError {
    fn from(e: CloseError) -> Self {
        match e {
            CloseError::OneByte => MessageError::Protocol("close frame of one byte"),
            CloseError::Code(_) => MessageError::Protocol("close code a peer may not send"),
            CloseError::Utf8 => MessageError::InvalidUtf8,
        }
    }
}

/// What the client sent.
#[derive(Debug)]
pub(crate) enum Incoming {
    /// A whole text (valid UTF-8) or binary message, reassembled if it came in fragments.
    Message {
        /// [`Opcode::Text`] or [`Opcode::Binary`].
        opcode: Opcode,
        /// The unmasked bytes.
        payload: Bytes,
    },
    /// A ping with its payload (at most 125 bytes), to be answered with a pong.
    Ping(Bytes),
    /// A pong.
    Pong,
    /// A valid close frame, with its raw payload (to be echoed).
    Close(Bytes),
    /// A close frame the server must refuse: answer with this error's close, drop at once.
    BadClose(MessageError),
}

/// What one look at the pending bytes found.
enum Taken {
    /// Something for the caller.
    Incoming(Incoming),
    /// A fragment, added to the message being reassembled; look again.
    Fragment,
    /// No whole frame yet: read more.
    NeedBytes,
}

/// One socket's read state: the bytes of an incomplete frame and of an incomplete message.
pub(crate) struct MessageReader {
    pending: BytesMut,
    partial: Option<Partial>,
    max_message: usize,
}

impl MessageReader {
    /// A reader for messages of at most `max_message` bytes, starting with the bytes the
    /// HTTP layer read past the upgrade request.
    pub(crate) fn new(read_ahead: &[u8], max_message: usize) -> Self {
        MessageReader {
            pending: BytesMut::from(read_ahead),
            partial: None,
            max_message,
        }
    }

    /// The next message or control frame. An `Err` ends the session; its close code, if
    /// any, is what the server should send.
    pub(crate) async fn next<R: AsyncRead + Unpin>(
        &mut self,
        read: &mut R,
    ) -> Result<Incoming, MessageError> {
        loop {
            match self.take_frame()? {
                Taken::Incoming(incoming) => return Ok(incoming),
                Taken::Fragment => continue,
                Taken::NeedBytes => {}
            }
            let read = self
                .fill(read)
                .await
                .map_err(|e| MessageError::Gone(e.to_string()))?;
            if read == 0 {
                let why = if self.pending.is_empty() && self.partial.is_none() {
                    "closed without a close frame"
                } else {
                    "closed mid-message"
                };
                return Err(MessageError::Gone(why.into()));
            }
        }
    }

    /// Reads what the socket has into `pending`, through the shard's scratch buffer.
    async fn fill<R: AsyncRead + Unpin>(&mut self, read: &mut R) -> io::Result<usize> {
        let pending = &mut self.pending;
        std::future::poll_fn(|cx| {
            SCRATCH.with_borrow_mut(
                |scratch| match Pin::new(&mut *read).poll_read(cx, scratch) {
                    Poll::Ready(Ok(n)) => {
                        pending.extend_from_slice(&scratch[..n]);
                        Poll::Ready(Ok(n))
                    }
                    other => other,
                },
            )
        })
        .await
    }

    /// Takes one whole frame off `pending`, if there is one, and turns it into what the
    /// caller sees.
    fn take_frame(&mut self) -> Result<Taken, MessageError> {
        let Some(head) = decode::parse_client_head(&self.pending)? else {
            return Ok(Taken::NeedBytes);
        };
        let so_far = self.partial.as_ref().map_or(0, Partial::len);
        let too_big = usize::try_from(head.payload_len)
            .ok()
            .and_then(|len| len.checked_add(so_far))
            .is_none_or(|total| total > self.max_message);
        if too_big && !head.opcode.is_control() {
            return Err(MessageError::TooBig(self.max_message));
        }
        let Some(frame_len) = head.frame_len() else {
            return Err(MessageError::TooBig(self.max_message));
        };
        if self.pending.len() < frame_len {
            self.pending.reserve(frame_len - self.pending.len());
            return Ok(Taken::NeedBytes);
        }
        let mut payload = self.pending.split_to(frame_len);
        payload.advance(head.head_len);
        decode::unmask(&mut payload, head.mask);
        if self.pending.is_empty() {
            // Let go of the allocation: an idle socket keeps no buffer.
            self.pending = BytesMut::new();
        }
        self.frame(head.fin, head.opcode, payload)
    }

    fn frame(
        &mut self,
        fin: bool,
        opcode: Opcode,
        payload: BytesMut,
    ) -> Result<Taken, MessageError> {
        Ok(match opcode {
            Opcode::Text | Opcode::Binary => {
                if self.partial.is_some() {
                    return Err(MessageError::Protocol(
                        "new message inside a fragmented one",
                    ));
                }
                if fin {
                    if opcode == Opcode::Text && std::str::from_utf8(&payload).is_err() {
                        return Err(MessageError::InvalidUtf8);
                    }
                    Taken::Incoming(Incoming::Message {
                        opcode,
                        payload: payload.freeze(),
                    })
                } else {
                    let mut message = Partial::new(opcode, self.max_message);
                    message.push(&payload)?;
                    self.partial = Some(message);
                    Taken::Fragment
                }
            }
            Opcode::Continuation => {
                let Some(mut message) = self.partial.take() else {
                    return Err(MessageError::Protocol("continuation without a message"));
                };
                message.push(&payload)?;
                if fin {
                    let (opcode, payload) = message.finish()?;
                    Taken::Incoming(Incoming::Message {
                        opcode,
                        payload: payload.freeze(),
                    })
                } else {
                    self.partial = Some(message);
                    Taken::Fragment
                }
            }
            Opcode::Ping => Taken::Incoming(Incoming::Ping(payload.freeze())),
            Opcode::Pong => Taken::Incoming(Incoming::Pong),
            Opcode::Close => Taken::Incoming(match decode::parse_close(&payload) {
                Ok(_) => Incoming::Close(payload.freeze()),
                Err(refused) => Incoming::BadClose(refused.into()),
            }),
        })
    }
}

/// A message being reassembled from its fragments.
pub(crate) struct Partial {
    opcode: Opcode,
    /// Largest message accepted; past it, [`MessageError::TooBig`].
    max: usize,
    payload: BytesMut,
    /// Bytes of `payload` known to be valid UTF-8 (text only); the rest, at most three
    /// bytes, is the start of a sequence the next fragment completes.
    checked: usize,
}

impl Partial {
    /// A message of `opcode` (text or binary) of at most `max` bytes.
    pub(crate) fn new(opcode: Opcode, max: usize) -> Self {
        Partial {
            opcode,
            max,
            payload: BytesMut::new(),
            checked: 0,
        }
    }

    /// Bytes so far.
    pub(crate) fn len(&self) -> usize {
        self.payload.len()
    }

    /// Adds a fragment; text is checked as far as it can be (fail fast: 1007 as soon as
    /// the bytes so far cannot start valid UTF-8).
    pub(crate) fn push(&mut self, fragment: &[u8]) -> Result<(), MessageError> {
        if self.payload.len() + fragment.len() > self.max {
            return Err(MessageError::TooBig(self.max));
        }
        self.payload.extend_from_slice(fragment);
        if self.opcode == Opcode::Text {
            match std::str::from_utf8(&self.payload[self.checked..]) {
                Ok(_) => self.checked = self.payload.len(),
                // `error_len() == None`: the bytes end inside a sequence that may yet be valid.
                Err(e) if e.error_len().is_none() => self.checked += e.valid_up_to(),
                Err(_) => return Err(MessageError::InvalidUtf8),
            }
        }
        Ok(())
    }

    /// The whole message (opcode and bytes), once its last fragment arrived.
    pub(crate) fn finish(self) -> Result<(Opcode, BytesMut), MessageError> {
        if self.opcode == Opcode::Text && self.checked != self.payload.len() {
            return Err(MessageError::InvalidUtf8); // ends inside a UTF-8 sequence
        }
        Ok((self.opcode, self.payload))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    const MAX: usize = 1 << 20;

    fn frame(first: u8, payload: &[u8]) -> Vec<u8> {
        decode::masked_frame(first, payload, [1, 2, 3, 4])
    }

    /// Everything `bytes` decodes to, fed `chunk` bytes per read, and how it ended.
    fn read_all(bytes: Vec<u8>, chunk: usize) -> (Vec<Incoming>, MessageError) {
        struct Trickle(Vec<u8>, usize);
        impl AsyncRead for Trickle {
            fn poll_read(
                mut self: Pin<&mut Self>,
                _: &mut std::task::Context<'_>,
                buf: &mut [u8],
            ) -> Poll<io::Result<usize>> {
                let n = self.1.min(buf.len()).min(self.0.len());
                buf[..n].copy_from_slice(&self.0[..n]);
                self.0.drain(..n);
                Poll::Ready(Ok(n))
            }
        }
        let mut reader = MessageReader::new(&[], MAX);
        let mut source = Trickle(bytes, chunk);
        let mut seen = Vec::new();
        futures_lite::future::block_on(async {
            loop {
                match reader.next(&mut source).await {
                    Ok(incoming) => seen.push(incoming),
                    Err(e) => return (seen, e),
                }
            }
        })
    }

    fn text(incoming: &Incoming) -> &[u8] {
        match incoming {
            Incoming::Message { payload, .. } => payload,
            other => panic!("not a message: {other:?}"),
        }
    }

    #[test]
    fn messages_arrive_whole_whatever_the_read_sizes() {
        let big = vec![b'z'; 70_000];
        let mut bytes = frame(0x81, b"hello");
        bytes.extend(frame(0x01, "caf".as_bytes()));
        bytes.extend(frame(0x89, b"ping!"));
        bytes.extend(frame(0x80, "é".as_bytes()));
        bytes.extend(frame(0x82, &big));
        for chunk in [1, 3, 7, 1000, SCRATCH_BYTES] {
            let (seen, end) = read_all(bytes.clone(), chunk);
            assert_eq!(seen.len(), 4, "chunk {chunk}");
            assert_eq!(text(&seen[0]), b"hello");
            assert!(matches!(&seen[1], Incoming::Ping(p) if &p[..] == b"ping!"));
            assert_eq!(text(&seen[2]), "café".as_bytes());
            assert_eq!(text(&seen[3]), &big[..]);
            assert!(matches!(end, MessageError::Gone(_)));
        }
    }

    #[test]
    fn an_idle_reader_holds_no_buffer() {
        let mut reader = MessageReader::new(&frame(0x81, b"hi"), MAX);
        let Taken::Incoming(incoming) = reader.take_frame().unwrap() else {
            panic!("no message")
        };
        assert_eq!(text(&incoming), b"hi");
        assert_eq!(reader.pending.capacity(), 0);
    }

    #[test]
    fn protocol_errors_carry_their_close_codes() {
        let cases: Vec<(Vec<u8>, u16)> = vec![
            ([frame(0x01, b"a"), frame(0x81, b"b")].concat(), 1002),
            (frame(0x80, b"a"), 1002),
            (frame(0x81, b"\xff"), 1007),
            ([frame(0x01, b"\xe2\x82"), frame(0x80, b"x")].concat(), 1007),
            (frame(0x82, &vec![0; MAX + 1]), 1009),
            (frame(0xC1, b"a"), 1002),
        ];
        for (bytes, code) in cases {
            let (_, end) = read_all(bytes, 100);
            assert_eq!(end.close_code(), Some(code), "{end}");
        }
    }

    #[test]
    fn close_frames_are_checked() {
        let (seen, _) = read_all(frame(0x88, &[0x03, 0xe8, b'o', b'k']), 100);
        assert!(matches!(&seen[0], Incoming::Close(p) if p.len() == 4));
        let (seen, _) = read_all(frame(0x88, &[0x03]), 100);
        assert!(matches!(
            &seen[0],
            Incoming::BadClose(MessageError::Protocol(_))
        ));
        let (seen, _) = read_all(frame(0x88, &[0x03, 0xe8, 0xff]), 100);
        assert!(matches!(
            &seen[0],
            Incoming::BadClose(MessageError::InvalidUtf8)
        ));
    }

    #[test]
    fn pings_may_come_between_fragments() {
        let bytes = [frame(0x01, b"ab"), frame(0x89, b""), frame(0x80, b"cd")].concat();
        let (seen, _) = read_all(bytes, 5);
        assert!(matches!(seen[0], Incoming::Ping(_)));
        assert_eq!(text(&seen[1]), b"abcd");
    }

    fn partial_text() -> Partial {
        Partial::new(Opcode::Text, MAX)
    }

    #[test]
    fn a_sequence_split_across_fragments_is_valid() {
        let euro = "€".as_bytes(); // three bytes
        let mut message = partial_text();
        message.push(&euro[..1]).unwrap();
        message.push(&euro[1..2]).unwrap();
        message.push(&euro[2..]).unwrap();
        let (_, payload) = message.finish().unwrap();
        assert_eq!(&payload[..], euro);
    }

    #[test]
    fn invalid_text_fails_at_the_fragment_that_makes_it_invalid() {
        let mut message = partial_text();
        message.push(b"ok \xce").unwrap();
        assert!(matches!(
            message.push(b"\xff"),
            Err(MessageError::InvalidUtf8)
        ));
    }

    #[test]
    fn binary_is_not_checked_and_size_is() {
        let mut message = Partial::new(Opcode::Binary, 4);
        message.push(b"\xff\xfe").unwrap();
        message.push(b"\x00\x00").unwrap();
        assert!(matches!(message.push(b"x"), Err(MessageError::TooBig(4))));
    }
}
