//! Room history: dense per-room offsets (also under concurrency), idempotent appends,
//! paging.

use std::collections::{BTreeMap, BTreeSet};

use store::StoreError;

use crate::support::{Harness, id};

pub async fn offsets_start_at_one_per_room_and_increase_by_one(h: &Harness) {
    let store = h.ready().await;
    let mut offsets = Vec::new();
    for (room, msg) in [
        ("a", "a1"),
        ("a", "a2"),
        ("b", "b1"),
        ("a", "a3"),
        ("b", "b2"),
    ] {
        let stored = store
            .append_chat_message(&id(room), &id(msg), &id("u1"), &format!("text {msg}"))
            .await
            .unwrap()
            .message;
        assert_eq!(stored.room_id, id(room));
        assert_eq!(stored.message_id, id(msg));
        assert_eq!(stored.user_id, id("u1"));
        assert_eq!(stored.content, format!("text {msg}"));
        offsets.push(stored.offset);
    }
    assert_eq!(offsets, [1, 2, 1, 3, 2]);
}

pub async fn appending_a_stored_message_id_returns_the_stored_row(h: &Harness) {
    let store = h.ready().await;
    let first = store
        .append_chat_message(&id("room"), &id("m1"), &id("u1"), "original")
        .await
        .unwrap();
    assert!(first.newly_stored);
    let first = first.message;
    tokio::time::sleep(std::time::Duration::from_millis(2)).await;
    let again = store
        .append_chat_message(&id("room"), &id("m1"), &id("u2"), "redelivered")
        .await
        .unwrap();
    assert!(!again.newly_stored, "a retry is reported as already stored");
    let again = again.message;
    assert_eq!(again, first, "the stored row, unchanged");
    let next = store
        .append_chat_message(&id("room"), &id("m2"), &id("u1"), "next")
        .await
        .unwrap()
        .message;
    assert_eq!(next.offset, 2, "the duplicate used no offset");
    let history = store
        .chat_messages_after(&id("room"), 0, 100)
        .await
        .unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[0], first);
}

pub async fn a_message_id_stored_in_another_room_is_a_conflict(h: &Harness) {
    let store = h.ready().await;
    store
        .append_chat_message(&id("room-a"), &id("m1"), &id("u1"), "hi")
        .await
        .unwrap();
    let result = store
        .append_chat_message(&id("room-b"), &id("m1"), &id("u1"), "hi")
        .await;
    match result {
        Err(StoreError::Conflict(message)) => assert!(message.contains("room-a"), "{message}"),
        other => panic!("expected a conflict, got {other:?}"),
    }
    assert!(
        store
            .latest_chat_messages(&id("room-b"), 10)
            .await
            .unwrap()
            .is_empty()
    );
}

pub async fn eight_concurrent_appenders_in_two_stores_get_dense_offsets(h: &Harness) {
    const APPENDERS: usize = 8;
    const EACH: usize = 25;
    const SHARED: usize = 5;
    // Two stores on one database, like two nodes: four appenders on each.
    let stores = [h.ready().await, h.open().await];
    let room = id("busy-room");
    let mut tasks = Vec::new();
    for appender in 0..APPENDERS {
        let store = stores[appender % 2].clone();
        let room = room.clone();
        tasks.push(tokio::spawn(async move {
            let mut stored = Vec::new();
            for i in 0..EACH {
                let message = id(&format!("m-{appender}-{i}"));
                let user = id(&format!("u{appender}"));
                stored.push(
                    store
                        .append_chat_message(&room, &message, &user, "x")
                        .await
                        .unwrap()
                        .message,
                );
                if i < SHARED {
                    // Every appender also sends the same few messages (redelivery races).
                    let shared = id(&format!("shared-{i}"));
                    stored.push(
                        store
                            .append_chat_message(&room, &shared, &user, "s")
                            .await
                            .unwrap()
                            .message,
                    );
                }
                if i == EACH / 2 {
                    // A redelivery of this appender's own first message.
                    let first = id(&format!("m-{appender}-0"));
                    stored.push(
                        store
                            .append_chat_message(&room, &first, &user, "x")
                            .await
                            .unwrap()
                            .message,
                    );
                }
            }
            stored
        }));
    }
    let mut offset_of: BTreeMap<String, u64> = BTreeMap::new();
    for task in tasks {
        for message in task.await.unwrap() {
            let previous = offset_of.insert(message.message_id.to_string(), message.offset);
            if let Some(previous) = previous {
                assert_eq!(
                    previous, message.offset,
                    "{} got two offsets",
                    message.message_id
                );
            }
        }
    }
    let total = APPENDERS * EACH + SHARED;
    assert_eq!(offset_of.len(), total);
    let offsets: BTreeSet<u64> = offset_of.values().copied().collect();
    let expected: BTreeSet<u64> = (1..=u64::try_from(total).unwrap()).collect();
    assert_eq!(
        offsets, expected,
        "offsets are 1..={total}: no gap, no duplicate"
    );

    let history = stores[1]
        .chat_messages_after(&room, 0, 10_000)
        .await
        .unwrap();
    assert_eq!(history.len(), total);
    for (i, message) in history.iter().enumerate() {
        assert_eq!(message.offset, u64::try_from(i + 1).unwrap());
        assert_eq!(offset_of[message.message_id.as_str()], message.offset);
    }
}

pub async fn history_pages_after_an_offset_and_latest_is_ascending(h: &Harness) {
    let store = h.ready().await;
    for i in 1..=10 {
        store
            .append_chat_message(
                &id("room"),
                &id(&format!("m{i}")),
                &id("u1"),
                &format!("{i}"),
            )
            .await
            .unwrap();
    }
    store
        .append_chat_message(&id("other"), &id("o1"), &id("u1"), "elsewhere")
        .await
        .unwrap();
    let offsets = |messages: Vec<store::StoredChatMessage>| -> Vec<u64> {
        messages.into_iter().map(|m| m.offset).collect()
    };
    let room = id("room");
    assert_eq!(
        offsets(store.chat_messages_after(&room, 3, 4).await.unwrap()),
        [4, 5, 6, 7]
    );
    assert_eq!(
        offsets(store.chat_messages_after(&room, 8, 10).await.unwrap()),
        [9, 10]
    );
    assert!(
        store
            .chat_messages_after(&room, 10, 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .chat_messages_after(&room, u64::MAX, 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .chat_messages_after(&room, 0, 0)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        offsets(store.latest_chat_messages(&room, 3).await.unwrap()),
        [8, 9, 10]
    );
    assert_eq!(
        offsets(store.latest_chat_messages(&room, 100).await.unwrap()).len(),
        10
    );
    assert!(
        store
            .latest_chat_messages(&room, 0)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .latest_chat_messages(&id("empty"), 5)
            .await
            .unwrap()
            .is_empty()
    );
    let contents: Vec<String> = store
        .latest_chat_messages(&room, 2)
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.content)
        .collect();
    assert_eq!(contents, ["9", "10"]);
}

pub async fn chat_content_is_checked_before_the_database(h: &Harness) {
    let store = h.ready().await;
    let too_long = "x".repeat(store::validate::MAX_CHAT_CONTENT_LEN + 1);
    for bad in ["nul \0 inside", too_long.as_str()] {
        let result = store
            .append_chat_message(&id("room"), &id("m1"), &id("u1"), bad)
            .await;
        assert!(matches!(result, Err(StoreError::Invalid(_))), "{result:?}");
    }
    let ok = store
        .append_chat_message(&id("room"), &id("m1"), &id("u1"), "ünïcødé ✓")
        .await
        .unwrap()
        .message;
    assert_eq!(ok.offset, 1, "refused appends used no offset");
    assert_eq!(ok.content, "ünïcødé ✓");
}
