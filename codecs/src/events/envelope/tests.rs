//! Round-trip, rejection and property tests of the event envelope.

use proptest::prelude::*;
use serde_json::json;

use super::*;
use crate::events::Completion;

/// One valid example payload per event type, as producers send them.
pub(crate) fn example_payload(event_type: EventType) -> serde_json::Value {
    match event_type {
        EventType::MediaUploaded => json!({
            "media_id": "m-1", "user_id": "u-1", "source": "s3://uploads/m-1.mp4",
            "content_type": "video/mp4", "file_size": 1048576, "metadata": {"title": "Cat"}
        }),
        EventType::MediaProgress => json!({
            "media_id": "m-1", "user_id": "u-1", "stage": "transcoding", "percent": 42.5
        }),
        EventType::MediaReady => json!({
            "media_id": "m-1", "user_id": "u-1",
            "playback": {"hls": "/media/m-1/master.m3u8"},
            "renditions": [{"name": "720p", "width": 1280, "height": 720, "bandwidth": 3000000,
                            "codecs": "avc1.64001f,mp4a.40.2", "playlist": "/media/m-1/720p/index.m3u8"}],
            "thumbnails": ["/media/m-1/poster.jpg"], "duration_ms": 12000, "metadata": {}
        }),
        EventType::MediaFailed => json!({
            "media_id": "m-1", "user_id": "u-1", "reason": "not a media file", "retryable": false
        }),
        EventType::NotificationRequested => json!({
            "notification_id": "n-1", "user_id": "u-1", "channels": ["push", "email"],
            "title": "Hi", "body": "Hello", "data": {"k": "v"},
            "device_tokens": [{"platform": "ios", "token": "abc"}], "email": "u1@example.org"
        }),
        EventType::NotificationSent => json!({
            "notification_id": "n-1", "user_id": "u-1", "channel": "push", "provider": "fcm",
            "sent_at": "2026-11-27T10:00:00Z"
        }),
        EventType::NotificationFailed => json!({
            "notification_id": "n-1", "user_id": "u-1", "channel": "email",
            "reason": "mailbox unavailable", "attempts": 3
        }),
        EventType::TranscriptionComplete => json!({
            "media_id": "m-1", "user_id": "u-1", "transcription_id": "t-1", "language": "en",
            "transcript_url": "https://example.org/t-1.vtt"
        }),
        EventType::ChatMessage => json!({
            "message_id": "c-1", "room_id": "r-1", "user_id": "u-1", "content": "hello",
            "timestamp": "2026-11-27T10:00:00Z", "offset": 42
        }),
        EventType::PresenceUpdate => json!({
            "user_id": "u-1", "room_id": "r-1", "status": "online",
            "timestamp": "2026-11-27T10:00:00Z"
        }),
    }
}

fn wire(event_type: EventType, payload: serde_json::Value) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "event_type": event_type.as_str(),
        "event_id": "6f1c2b9e-4d1a-4c55-9d8e-0a2b3c4d5e6f",
        "timestamp": "2026-11-27T10:00:00Z",
        "source": "test",
        "payload": payload,
    }))
    .unwrap()
}

#[test]
fn every_event_type_round_trips() {
    for t in EventType::ALL {
        let event = Event::decode(&wire(t, example_payload(t))).unwrap();
        assert_eq!(event.event_type, t);
        assert_eq!(event.payload.event_type(), t);
        let again = Event::decode(&event.encode()).unwrap();
        assert_eq!(again, event, "{t}");
    }
}

#[test]
fn encoded_bytes_are_the_documented_shape() {
    let event = Event::decode(&wire(
        EventType::MediaFailed,
        example_payload(EventType::MediaFailed),
    ))
    .unwrap();
    assert_eq!(
        String::from_utf8(event.encode()).unwrap(),
        r#"{"event_type":"media.failed","event_id":"6f1c2b9e-4d1a-4c55-9d8e-0a2b3c4d5e6f","timestamp":"2026-11-27T10:00:00Z","source":"test","payload":{"media_id":"m-1","user_id":"u-1","reason":"not a media file","retryable":false}}"#
    );
}

#[test]
fn unknown_fields_are_tolerated_at_both_levels() {
    let mut payload = example_payload(EventType::ChatMessage);
    payload["reactions"] = json!(["+1"]);
    let mut doc: serde_json::Value =
        serde_json::from_slice(&wire(EventType::ChatMessage, payload)).unwrap();
    doc["trace_id"] = json!("abc");
    let event = Event::decode(&serde_json::to_vec(&doc).unwrap()).unwrap();
    assert_eq!(event.event_type, EventType::ChatMessage);
}

#[test]
fn every_missing_required_payload_field_is_named() {
    for t in EventType::ALL {
        let full = example_payload(t);
        let obj = full.as_object().unwrap();
        for field in obj.keys() {
            let mut partial = obj.clone();
            partial.remove(field);
            let result = Event::decode(&wire(t, serde_json::Value::Object(partial)));
            let optional = matches!(
                field.as_str(),
                "metadata" | "data" | "thumbnails" | "device_tokens" | "email" | "offset"
            );
            if optional {
                assert!(result.is_ok(), "{t}: `{field}` should be optional");
                continue;
            }
            match result {
                Err(DecodeError::Invalid { path, message }) => {
                    assert_eq!(path, format!("payload.{field}"), "{t}: {message}");
                    assert!(message.contains(field), "{message}");
                }
                other => panic!("{t} without `{field}` gave {other:?}"),
            }
        }
    }
}

#[test]
fn missing_envelope_fields_are_named_or_filled() {
    let body =
        json!({"event_type": "media.failed", "payload": example_payload(EventType::MediaFailed)});
    let bytes = serde_json::to_vec(&body).unwrap();
    assert_eq!(
        Event::decode(&bytes),
        Err(DecodeError::Invalid {
            path: "event_id".into(),
            message: "missing field `event_id`".into()
        })
    );
    let filled = Event::decode_with(&bytes, Completion::FillWith { source: "api" }).unwrap();
    assert_eq!(filled.source, "api");
    assert_eq!(filled.event_type, EventType::MediaFailed);

    let no_payload = br#"{"event_type":"media.failed"}"#;
    assert!(matches!(
        Event::decode_with(no_payload, Completion::FillWith { source: "api" }),
        Err(DecodeError::Invalid { path, .. }) if path == "payload"
    ));
}

#[test]
fn wrong_types_and_bad_ids_name_the_nested_path() {
    let mut payload = example_payload(EventType::MediaReady);
    payload["renditions"][0]["width"] = json!("wide");
    match Event::decode(&wire(EventType::MediaReady, payload)) {
        Err(DecodeError::Invalid { path, .. }) => assert_eq!(path, "payload.renditions[0].width"),
        other => panic!("{other:?}"),
    }
    let mut payload = example_payload(EventType::MediaUploaded);
    payload["media_id"] = json!("../etc/passwd");
    match Event::decode(&wire(EventType::MediaUploaded, payload)) {
        Err(DecodeError::Invalid { path, message }) => {
            assert_eq!(path, "payload.media_id");
            assert!(message.contains("`.`"), "{message}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn unknown_event_types_and_non_json_are_rejected() {
    let bytes = br#"{"event_type":"media.exploded","payload":{}}"#;
    assert_eq!(
        Event::decode_with(bytes, Completion::FillWith { source: "api" }),
        Err(DecodeError::UnknownEventType("media.exploded".into()))
    );
    assert!(matches!(
        Event::decode(b"{not json"),
        Err(DecodeError::Invalid { .. })
    ));
    assert!(matches!(
        Event::decode(b"[1,2]"),
        Err(DecodeError::Invalid { .. })
    ));
}

#[test]
fn deterministic_ids_repeat_for_the_same_key_only() {
    let payload = Payload::decode(
        EventType::MediaFailed,
        &example_payload(EventType::MediaFailed),
    )
    .unwrap();
    let a = Event::deterministic("p", payload.clone(), "m-1");
    let b = Event::deterministic("p", payload.clone(), "m-1");
    let c = Event::deterministic("p", payload, "m-2");
    assert_eq!(a.event_id, b.event_id);
    assert_ne!(a.event_id, c.event_id);
}

fn arb_id() -> impl Strategy<Value = String> {
    "[A-Za-z0-9_-][A-Za-z0-9_.@:-]{0,40}"
}

proptest! {
    #[test]
    fn chat_messages_round_trip(
        message_id in arb_id(), room_id in arb_id(), user_id in arb_id(),
        content in any::<String>(), secs in 0i64..4_000_000_000, offset in any::<Option<u64>>(),
    ) {
        let ts = OffsetDateTime::from_unix_timestamp(secs).unwrap();
        let payload = Payload::ChatMessage(ChatMessage {
            message_id: message_id.parse().unwrap(),
            room_id: room_id.parse().unwrap(),
            user_id: user_id.parse().unwrap(),
            content,
            timestamp: ts,
            offset,
        });
        let event = Event::new("prop", payload);
        prop_assert_eq!(Event::decode(&event.encode()).unwrap(), event);
    }

    #[test]
    fn media_uploaded_round_trips(
        media_id in arb_id(), user_id in arb_id(), source in ".{0,80}",
        content_type in "[a-z]{1,10}/[a-z0-9.+-]{1,20}", file_size in any::<u64>(),
        meta in proptest::collection::btree_map("[a-z]{1,8}", any::<i64>(), 0..5),
    ) {
        let metadata = meta.into_iter().map(|(k, v)| (k, json!(v))).collect();
        let payload = Payload::MediaUploaded(MediaUploaded {
            media_id: media_id.parse().unwrap(), user_id: user_id.parse().unwrap(),
            source, content_type, file_size, metadata,
        });
        let event = Event::new("prop", payload);
        prop_assert_eq!(Event::decode(&event.encode()).unwrap(), event);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
        let _ = Event::decode(&bytes);
        let _ = Event::decode_with(&bytes, Completion::FillWith { source: "x" });
    }
}
