//! Response helpers: the body type of every answer, JSON bodies and JSON errors
//! (`{"error": "..."}`).

use std::fmt;

use bytes::Bytes;
use futures::stream::BoxStream;
use hyper::header::{CONTENT_TYPE, HeaderValue};
use hyper::{Response, StatusCode};

/// A boxed error from a streamed body's source.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// The bytes of a streamed answer, in order; an error cuts the answer (the client's
/// connection is closed, never left looking complete).
pub type ByteStream = BoxStream<'static, Result<Bytes, BoxError>>;

/// The body of every response. Whole bodies cross the ring to the shard by reference in
/// one record; streamed ones in parts under the shard's credit (see `bridge`).
pub enum Body {
    /// The whole body.
    Full(Bytes),
    /// A body read as it is sent (object downloads). Set `Content-Length` when known.
    Stream(ByteStream),
}

impl Body {
    /// An empty body.
    pub fn empty() -> Body {
        Body::Full(Bytes::new())
    }

    /// The whole body, if it is not streamed.
    pub fn as_full(&self) -> Option<&Bytes> {
        match self {
            Body::Full(bytes) => Some(bytes),
            Body::Stream(_) => None,
        }
    }
}

impl From<Bytes> for Body {
    fn from(bytes: Bytes) -> Body {
        Body::Full(bytes)
    }
}

impl From<String> for Body {
    fn from(text: String) -> Body {
        Body::Full(Bytes::from(text))
    }
}

impl fmt::Debug for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Body::Full(bytes) => f.debug_tuple("Full").field(&bytes.len()).finish(),
            Body::Stream(_) => f.write_str("Stream"),
        }
    }
}

/// A JSON response with `status`.
pub fn json(status: StatusCode, value: &serde_json::Value) -> Response<Body> {
    let mut response = Response::new(Body::from(value.to_string()));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

/// A JSON error `{"error": message}` with `status`.
pub fn json_error(status: StatusCode, message: &str) -> Response<Body> {
    json(status, &serde_json::json!({ "error": message }))
}
