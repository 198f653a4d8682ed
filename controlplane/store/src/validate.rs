//! Checks applied to arguments before they reach either backend, so both backends accept and
//! refuse exactly the same inputs.
//!
//! Why these checks: PostgreSQL refuses NUL characters in `text` and `\u0000` in `jsonb`
//! while SQLite stores them; rejecting them up front keeps the backends interchangeable.
//! Lengths are capped so one bad caller cannot fill the database with a single row.

use crate::StoreError;

/// Longest JWT id accepted (bytes).
pub const MAX_JTI_LEN: usize = 256;
/// Longest device token accepted (bytes). FCM tokens are ~160, APNs 64; web push more.
pub const MAX_DEVICE_TOKEN_LEN: usize = 4096;
/// Longest chat message content accepted (bytes).
pub const MAX_CHAT_CONTENT_LEN: usize = 64 * 1024;
/// Longest short label accepted: e-mail, names, audit actor/action/target, event names,
/// content types (bytes).
pub const MAX_LABEL_LEN: usize = 1024;
/// Longest media source, error text or other free text accepted (bytes).
pub const MAX_TEXT_LEN: usize = 16 * 1024;
/// Largest serialised JSON document accepted (bytes).
pub const MAX_JSON_LEN: usize = 1024 * 1024;

/// Checks that `value` is non-empty (when `required`), at most `max` bytes and free of NUL.
pub(crate) fn text(field: &str, value: &str, max: usize, required: bool) -> Result<(), StoreError> {
    if required && value.is_empty() {
        return Err(StoreError::Invalid(format!("{field} is empty")));
    }
    if value.len() > max {
        return Err(StoreError::Invalid(format!(
            "{field} is {} bytes, more than the {max} allowed",
            value.len()
        )));
    }
    if value.contains('\0') {
        return Err(StoreError::Invalid(format!(
            "{field} contains a NUL character"
        )));
    }
    Ok(())
}

/// Serialises `value` after checking its size and that it holds no NUL character.
pub(crate) fn json(field: &str, value: &serde_json::Value) -> Result<String, StoreError> {
    let text = serde_json::to_string(value)
        .map_err(|e| StoreError::Invalid(format!("{field} is not serialisable: {e}")))?;
    if text.len() > MAX_JSON_LEN {
        return Err(StoreError::Invalid(format!(
            "{field} is {} bytes of JSON, more than the {MAX_JSON_LEN} allowed",
            text.len()
        )));
    }
    if has_nul(value) {
        return Err(StoreError::Invalid(format!(
            "{field} contains a NUL character"
        )));
    }
    Ok(text)
}

fn has_nul(value: &serde_json::Value) -> bool {
    match value {
        serde_json::Value::String(s) => s.contains('\0'),
        serde_json::Value::Array(items) => items.iter().any(has_nul),
        serde_json::Value::Object(map) => map.iter().any(|(k, v)| k.contains('\0') || has_nul(v)),
        _ => false,
    }
}

/// Converts an unsigned count to the signed 64-bit integer both databases store.
pub(crate) fn to_i64(field: &str, value: u64) -> Result<i64, StoreError> {
    i64::try_from(value)
        .map_err(|_| StoreError::Invalid(format!("{field} {value} is larger than {}", i64::MAX)))
}

/// Converts a stored signed integer back, refusing negatives (the schema CHECKs them).
pub(crate) fn to_u64(field: &'static str, value: i64) -> Result<u64, StoreError> {
    u64::try_from(value).map_err(|_| StoreError::Backend {
        context: field,
        message: format!("stored value {value} is negative"),
    })
}

/// Checks an optional label.
pub(crate) fn opt_text(field: &str, value: Option<&str>, max: usize) -> Result<(), StoreError> {
    value.map_or(Ok(()), |v| text(field, v, max, false))
}

/// Checks that a time is storable the same way by both backends (years 1 to 9999).
pub(crate) fn time(field: &str, at: time::OffsetDateTime) -> Result<(), StoreError> {
    let year = at.to_offset(time::UtcOffset::UTC).year();
    if (1..=9999).contains(&year) {
        Ok(())
    } else {
        Err(StoreError::Invalid(format!(
            "{field} is in year {year}, outside 1 to 9999"
        )))
    }
}

/// Checks a user before an upsert.
pub(crate) fn user(user: &crate::User) -> Result<(), StoreError> {
    opt_text("email", user.email.as_deref(), MAX_LABEL_LEN)?;
    opt_text("display_name", user.display_name.as_deref(), MAX_LABEL_LEN)?;
    time("created_at", user.created_at)
}

/// Checks a JWT id.
pub(crate) fn jti(jti: &str) -> Result<(), StoreError> {
    text("jti", jti, MAX_JTI_LEN, true)
}

/// Checks a device token.
pub(crate) fn device_token(token: &str) -> Result<(), StoreError> {
    text("device token", token, MAX_DEVICE_TOKEN_LEN, true)
}

/// Checks a new media asset; returns its size as stored.
pub(crate) fn new_media(asset: &crate::NewMediaAsset) -> Result<i64, StoreError> {
    text("source", &asset.source, MAX_TEXT_LEN, true)?;
    text("content_type", &asset.content_type, MAX_LABEL_LEN, false)?;
    to_i64("file_size", asset.file_size)
}

/// Checks a media status update; returns the outputs' JSON text and the duration as stored.
pub(crate) fn media_update(
    outputs: Option<&serde_json::Value>,
    duration_ms: Option<u64>,
    error: Option<&str>,
) -> Result<(Option<String>, Option<i64>), StoreError> {
    opt_text("error", error, MAX_TEXT_LEN)?;
    let outputs = outputs.map(|v| json("outputs", v)).transpose()?;
    let duration = duration_ms.map(|d| to_i64("duration_ms", d)).transpose()?;
    Ok((outputs, duration))
}

/// Checks a chat message's content.
pub(crate) fn chat_content(content: &str) -> Result<(), StoreError> {
    text("content", content, MAX_CHAT_CONTENT_LEN, false)
}

/// Checks the parties of a call: a call needs two different users.
pub(crate) fn call_parties(
    caller: &codecs::ResourceId,
    callee: &codecs::ResourceId,
) -> Result<(), StoreError> {
    if caller == callee {
        return Err(StoreError::Invalid(format!(
            "caller and callee are both `{caller}`: a call needs two different parties"
        )));
    }
    Ok(())
}

/// Checks a send record: the target like a device token (an e-mail address is shorter),
/// the provider as a label, the detail as free text.
pub(crate) fn notification_send(send: &crate::NewNotificationSend) -> Result<(), StoreError> {
    text("target", &send.target, MAX_DEVICE_TOKEN_LEN, true)?;
    text("provider", &send.provider, MAX_LABEL_LEN, true)?;
    opt_text("detail", send.detail.as_deref(), MAX_TEXT_LEN)
}

/// Checks an audit record; returns the detail's JSON text.
pub(crate) fn audit(
    actor: &str,
    action: &str,
    target: &str,
    detail: &serde_json::Value,
) -> Result<String, StoreError> {
    text("actor", actor, MAX_LABEL_LEN, true)?;
    text("action", action, MAX_LABEL_LEN, true)?;
    text("target", target, MAX_LABEL_LEN, false)?;
    json("detail", detail)
}

/// Checks an analytics event name.
pub(crate) fn event_name(name: &str) -> Result<(), StoreError> {
    text("event name", name, MAX_LABEL_LEN, true)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // tests may unwrap
mod tests {
    use super::*;

    #[test]
    fn text_rejects_empty_long_and_nul() {
        assert!(text("jti", "", 10, true).is_err());
        assert!(text("jti", "", 10, false).is_ok());
        assert!(text("jti", "01234567890", 10, true).is_err());
        let err = text("content", "a\0b", 10, true).unwrap_err();
        assert!(err.to_string().contains("content contains a NUL"), "{err}");
    }

    #[test]
    fn json_rejects_nul_escapes_anywhere() {
        let value = serde_json::json!({"a": ["x\u{0}y"]});
        assert!(json("detail", &value).is_err());
        let key = serde_json::json!({"k\u{0}": 1});
        assert!(json("detail", &key).is_err());
        // A literal backslash-u sequence is text, not a NUL.
        assert!(json("detail", &serde_json::json!("\\u0000")).is_ok());
        assert_eq!(
            json("detail", &serde_json::json!({"a": 1})).unwrap(),
            r#"{"a":1}"#
        );
    }

    #[test]
    fn sizes_above_i64_are_invalid() {
        assert!(matches!(
            to_i64("file_size", u64::MAX),
            Err(StoreError::Invalid(_))
        ));
        assert_eq!(to_i64("file_size", 7).unwrap(), 7);
    }
}
