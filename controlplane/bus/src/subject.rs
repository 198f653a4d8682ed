//! Subject and name rules shared by both implementations: stream names derived from the
//! prefix, the subjects each stream holds, the subjects of ephemeral signals, NATS wildcard
//! matching (`*` one token, `>` the rest), and the validation of prefixes, filters, durable
//! names, signal names and message ids.
//!
//! Both buses run every argument through these functions first, so they accept and refuse
//! exactly the same inputs.
//!
//! Subject spaces of one prefix `P`, disjoint by construction:
//! - `P<event type>`: the events stream (exact names, no wildcard);
//! - `P` + `dlq.>`: the dead-letter stream;
//! - `P` + `signal.<name>`: ephemeral signals, held by no stream.
//!
//! No event type starts with `dlq` or `signal`, and no prefix may contain either token, so
//! a signal subject of one prefix is never an event or dead-letter subject of another
//! (`P` + `signal.media.uploaded` would otherwise be an event of prefix `P` + `signal.`).

use codecs::EventType;

use crate::BusError;

/// The events stream of the empty prefix.
pub const EVENTS_STREAM: &str = "armoricore-events";
/// The dead-letter stream of the empty prefix.
pub const DEAD_LETTER_STREAM: &str = "armoricore-dlq";
/// The stream that captures the server's max-deliveries advisories (NATS only).
pub const ADVISORY_STREAM: &str = "armoricore-advisories";
/// The subject token, after the prefix, under which dead letters live.
pub const DEAD_LETTER_TOKEN: &str = "dlq";
/// The subject token, after the prefix, under which ephemeral signals travel.
pub const SIGNAL_TOKEN: &str = "signal";
/// Longest signal name accepted (bytes): long enough for `relay.chat.<uuid>`, short enough
/// that a subject stays far below what a NATS server accepts in one protocol line.
pub const MAX_SIGNAL_NAME_LEN: usize = 256;

/// The names of the streams of one prefix.
///
/// The empty prefix uses the contract names (`armoricore-events`, `armoricore-dlq`); a
/// prefix gets its own streams (`armoricore-events-prod` for `prod.`), because durable
/// consumer names are per stream: two environments sharing one stream would share the
/// durable `media-worker` and fight over its filter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamNames {
    /// Holds every event subject under the prefix.
    pub events: String,
    /// Holds `<prefix>dlq.>`.
    pub dead_letters: String,
    /// Holds the max-deliveries advisories of the events stream (NATS only).
    pub advisories: String,
}

impl StreamNames {
    /// The stream names for `prefix` (already validated).
    pub fn for_prefix(prefix: &str) -> Self {
        let suffix = prefix
            .split('.')
            .filter(|t| !t.is_empty())
            .collect::<Vec<_>>()
            .join("_");
        let name = |base: &str| {
            if suffix.is_empty() {
                base.to_string()
            } else {
                format!("{base}-{suffix}")
            }
        };
        StreamNames {
            events: name(EVENTS_STREAM),
            dead_letters: name(DEAD_LETTER_STREAM),
            advisories: name(ADVISORY_STREAM),
        }
    }
}

/// Every subject the events stream holds: each event type under `prefix`.
pub fn event_subjects(prefix: &str) -> Vec<String> {
    EventType::ALL.iter().map(|t| t.subject(prefix)).collect()
}

/// The filter of the dead-letter stream: `<prefix>dlq.>`.
pub fn dead_letter_filter(prefix: &str) -> String {
    format!("{prefix}{DEAD_LETTER_TOKEN}.>")
}

/// Where a dead letter of `original` goes: `<prefix>dlq.<original without prefix>`
/// (`prod.dlq.media.uploaded` for `prod.media.uploaded`).
pub fn dead_letter_subject(prefix: &str, original: &str) -> String {
    let bare = original.strip_prefix(prefix).unwrap_or(original);
    format!("{prefix}{DEAD_LETTER_TOKEN}.{bare}")
}

/// The subject of signal `name` under `prefix`: `<prefix>signal.<name>`, after checking the
/// name with [`validate_signal_name`].
pub fn signal_subject(prefix: &str, name: &str) -> Result<String, BusError> {
    validate_signal_name(name)?;
    Ok(format!("{prefix}{SIGNAL_TOKEN}.{name}"))
}

/// Checks a signal name: one or more dot-separated tokens (`presence`, `relay.chat`), at
/// most [`MAX_SIGNAL_NAME_LEN`] bytes, with no empty token, no wildcard (`*`, `>`: a
/// signal goes to one name, and a listener listens to one name) and no whitespace or
/// control character (NATS would cut the subject there).
pub fn validate_signal_name(name: &str) -> Result<(), BusError> {
    let bad = |why: &str| {
        Err(BusError::InvalidSignalName {
            name: name.to_string(),
            reason: why.to_string(),
        })
    };
    if name.is_empty() {
        return bad("is empty");
    }
    if name.len() > MAX_SIGNAL_NAME_LEN {
        return bad(&format!("is longer than {MAX_SIGNAL_NAME_LEN} bytes"));
    }
    if name.contains(['*', '>']) {
        return bad("contains a wildcard (`*` or `>`)");
    }
    if name.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return bad("contains whitespace or control characters");
    }
    if name.split('.').any(str::is_empty) {
        return bad("has an empty token (leading, trailing or doubled `.`)");
    }
    Ok(())
}

/// Whether `subject` (literal) matches `filter` (`*` matches one token, `>` one or more
/// trailing tokens), as NATS matches them.
pub fn matches(filter: &str, subject: &str) -> bool {
    let mut f = filter.split('.');
    let mut s = subject.split('.');
    loop {
        match (f.next(), s.next()) {
            (Some(">"), Some(_)) => return true,
            (Some("*"), Some(_)) => {}
            (Some(a), Some(b)) if a == b => {}
            (None, None) => return true,
            _ => return false,
        }
    }
}

/// Checks a prefix: `""` or dot-terminated tokens of `A-Z a-z 0-9 -`, none of them `dlq` or
/// `signal` (which would overlap the dead-letter or signal subjects of a shorter prefix).
pub fn validate_prefix(prefix: &str) -> Result<(), BusError> {
    if prefix.is_empty() {
        return Ok(());
    }
    let bad = |why: &str| {
        Err(BusError::InvalidConfig(format!(
            "subject_prefix `{prefix}` {why}"
        )))
    };
    let Some(body) = prefix.strip_suffix('.') else {
        return bad("must end with `.`");
    };
    for token in body.split('.') {
        if token.is_empty() {
            return bad("has an empty token");
        }
        if !token.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            return bad("may hold only A-Z a-z 0-9 - and dots");
        }
        if token == DEAD_LETTER_TOKEN {
            return bad("may not contain the token `dlq`");
        }
        if token == SIGNAL_TOKEN {
            return bad("may not contain the token `signal`");
        }
    }
    if prefix.len() > 64 {
        return bad("is longer than 64 bytes");
    }
    Ok(())
}

/// Checks the syntax of a subject filter: non-empty tokens without whitespace, `*` and `>`
/// only as whole tokens, `>` only last.
pub fn validate_filter(filter: &str) -> Result<(), BusError> {
    let bad = |why: &str| {
        Err(BusError::InvalidSubject {
            subject: filter.to_string(),
            reason: why.to_string(),
        })
    };
    if filter.is_empty() {
        return bad("is empty");
    }
    let tokens: Vec<&str> = filter.split('.').collect();
    for (i, token) in tokens.iter().enumerate() {
        if token.is_empty() {
            return bad("has an empty token");
        }
        if token.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return bad("contains whitespace or control characters");
        }
        if token.len() > 1 && (token.contains('*') || token.contains('>')) {
            return bad("uses `*` or `>` inside a token");
        }
        if *token == ">" && i + 1 != tokens.len() {
            return bad("uses `>` before the last token");
        }
    }
    Ok(())
}

/// Checks that `filter` is well formed and matches at least one of `subjects` (the
/// subjects of the stream it will read), which is what NATS 2.9 requires of a consumer's
/// filter subject.
pub fn validate_filter_within(filter: &str, subjects: &[String]) -> Result<(), BusError> {
    validate_filter(filter)?;
    if subjects.iter().any(|s| matches(filter, s)) {
        Ok(())
    } else {
        Err(BusError::InvalidSubject {
            subject: filter.to_string(),
            reason: format!(
                "matches none of the stream's subjects ({})",
                subjects.join(", ")
            ),
        })
    }
}

/// Checks that `subject` is one of the events stream's subjects (publishing anywhere
/// else would find no stream to store it).
pub fn validate_publish_subject(subject: &str, subjects: &[String]) -> Result<(), BusError> {
    if subjects.iter().any(|s| s == subject) {
        Ok(())
    } else {
        Err(BusError::InvalidSubject {
            subject: subject.to_string(),
            reason: "is not an event subject of this bus (prefix + event type)".to_string(),
        })
    }
}

/// Checks a durable name: 1 to 64 characters of `A-Z a-z 0-9 - _` (a valid NATS consumer
/// name, safe in subjects and message ids).
pub fn validate_durable(name: &str) -> Result<(), BusError> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if ok {
        Ok(())
    } else {
        Err(BusError::InvalidSpec(format!(
            "durable name `{name}` must be 1 to 64 characters of A-Z a-z 0-9 - _"
        )))
    }
}

/// Checks a message id: 1 to 256 printable characters (it travels as a header value).
pub fn validate_msg_id(msg_id: &str) -> Result<(), BusError> {
    let ok = !msg_id.is_empty()
        && msg_id.len() <= 256
        && !msg_id.chars().any(|c| c.is_control())
        && msg_id.trim() == msg_id;
    if ok {
        Ok(())
    } else {
        Err(BusError::InvalidMsgId(msg_id.to_string()))
    }
}

/// Makes free text safe as a header value: control characters become spaces, and the
/// result is at most 1024 bytes.
pub fn header_safe(text: &str) -> String {
    let mut out: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if out.len() > 1024 {
        let mut cut = 1024;
        while !out.is_char_boundary(cut) {
            cut -= 1;
        }
        out.truncate(cut);
    }
    out.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_match_like_nats() {
        assert!(matches("media.uploaded", "media.uploaded"));
        assert!(matches("media.*", "media.ready"));
        assert!(!matches("media.*", "media.ready.x"));
        assert!(matches("media.>", "media.ready.x"));
        assert!(!matches("media.>", "media"));
        assert!(matches(">", "chat.message"));
        assert!(matches("*.ready", "media.ready"));
        assert!(!matches("media.ready", "media.ready.x"));
        assert!(!matches("media.ready.x", "media.ready"));
    }

    #[test]
    fn prefixes_are_dot_terminated_safe_tokens() {
        assert!(validate_prefix("").is_ok());
        assert!(validate_prefix("prod.").is_ok());
        assert!(validate_prefix("eu-1.prod.").is_ok());
        for bad in [
            "prod",
            ".",
            "a..",
            "pr od.",
            "a.dlq.",
            "a*.",
            "signal.",
            "a.signal.b.",
        ] {
            assert!(validate_prefix(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn stream_names_keep_the_contract_names_for_the_empty_prefix() {
        let plain = StreamNames::for_prefix("");
        assert_eq!(plain.events, "armoricore-events");
        assert_eq!(plain.dead_letters, "armoricore-dlq");
        let prod = StreamNames::for_prefix("eu.prod.");
        assert_eq!(prod.events, "armoricore-events-eu_prod");
    }

    #[test]
    fn dead_letter_subjects_carry_the_prefix_once() {
        assert_eq!(
            dead_letter_subject("prod.", "prod.media.uploaded"),
            "prod.dlq.media.uploaded"
        );
        assert_eq!(
            dead_letter_subject("", "media.uploaded"),
            "dlq.media.uploaded"
        );
        assert!(matches(
            &dead_letter_filter("prod."),
            "prod.dlq.media.uploaded"
        ));
    }

    #[test]
    fn filters_must_be_well_formed_and_cover_a_stream_subject() {
        let subjects = event_subjects("p.");
        assert!(validate_filter_within("p.media.>", &subjects).is_ok());
        assert!(validate_filter_within("p.*.ready", &subjects).is_ok());
        assert!(validate_filter_within(">", &subjects).is_ok());
        assert!(validate_filter_within("media.>", &subjects).is_err());
        assert!(validate_filter_within("p.>.x", &subjects).is_err());
        assert!(validate_filter_within("p.me*", &subjects).is_err());
        assert!(validate_filter_within("", &subjects).is_err());
    }

    #[test]
    fn signal_names_are_plain_tokens() {
        assert_eq!(signal_subject("", "presence").unwrap(), "signal.presence");
        assert_eq!(
            signal_subject("prod.", "relay.chat").unwrap(),
            "prod.signal.relay.chat"
        );
        let long = "a".repeat(MAX_SIGNAL_NAME_LEN + 1);
        for bad in [
            "", ".", "a.", ".a", "a..b", "*", "a.*", ">", "a.>", "a*b", "a b", "a\tb", "a\nb",
            "a\u{0}b", &long,
        ] {
            match validate_signal_name(bad) {
                Err(BusError::InvalidSignalName { name, reason }) => {
                    assert_eq!(name, bad);
                    assert!(!reason.is_empty());
                }
                other => panic!("{bad:?} gave {other:?}"),
            }
        }
        assert!(validate_signal_name(&"a".repeat(MAX_SIGNAL_NAME_LEN)).is_ok());
    }

    #[test]
    fn no_stream_of_any_prefix_holds_a_signal_subject() {
        // Names chosen to look like what the streams hold.
        let mut names: Vec<String> = EventType::ALL.iter().map(|t| t.as_str().into()).collect();
        names.extend(["dlq.media.uploaded", "signal.x", "p.media.uploaded"].map(String::from));
        let prefixes = ["", "p.", "p.q.", "signal-x.", "dlq-x."];
        for sender in prefixes {
            for name in &names {
                let signal = signal_subject(sender, name).unwrap();
                for owner in prefixes {
                    assert!(validate_prefix(owner).is_ok(), "{owner}");
                    assert!(
                        !event_subjects(owner).contains(&signal),
                        "{signal} is an event subject of prefix `{owner}`"
                    );
                    assert!(
                        !matches(&dead_letter_filter(owner), &signal),
                        "{signal} is a dead-letter subject of prefix `{owner}`"
                    );
                }
            }
        }
    }

    #[test]
    fn message_ids_are_printable() {
        assert!(validate_msg_id("6f1c-42").is_ok());
        assert!(validate_msg_id("").is_err());
        assert!(validate_msg_id("a\r\nb").is_err());
        assert_eq!(header_safe("bad\r\nthing"), "bad  thing");
    }
}
