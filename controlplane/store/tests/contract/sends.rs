//! Notification send records: the first outcome of a (notification, channel, target) wins,
//! listing is per notification, and bad input is refused before the database.

use codecs::events::NotificationChannel;
use store::{NewNotificationSend, SendOutcome, StoreError};

use crate::support::{Harness, id};

fn send(
    notification: &str,
    channel: NotificationChannel,
    target: &str,
    outcome: SendOutcome,
) -> NewNotificationSend {
    NewNotificationSend {
        notification_id: id(notification),
        channel,
        target: target.to_string(),
        provider: "fcm".to_string(),
        outcome,
        attempts: 2,
        detail: Some("projects/p/messages/1".to_string()),
    }
}

pub async fn the_first_send_record_wins_and_reads_back(h: &Harness) {
    let store = h.ready().await;
    let first = store
        .record_notification_send(&send(
            "n1",
            NotificationChannel::Push,
            "tok-a",
            SendOutcome::Sent,
        ))
        .await
        .unwrap();
    assert_eq!(first.notification_id, id("n1"));
    assert_eq!(first.channel, NotificationChannel::Push);
    assert_eq!(
        (first.target.as_str(), first.provider.as_str()),
        ("tok-a", "fcm")
    );
    assert_eq!((first.outcome, first.attempts), (SendOutcome::Sent, 2));
    assert_eq!(first.detail.as_deref(), Some("projects/p/messages/1"));

    let mut again = send(
        "n1",
        NotificationChannel::Push,
        "tok-a",
        SendOutcome::Failed,
    );
    again.attempts = 9;
    again.detail = None;
    let stored = store.record_notification_send(&again).await.unwrap();
    assert_eq!(
        stored, first,
        "a second record of the same key changes nothing"
    );

    // The same target on another channel or notification is another record.
    store
        .record_notification_send(&send(
            "n1",
            NotificationChannel::Email,
            "tok-a",
            SendOutcome::TokenRejected,
        ))
        .await
        .unwrap();
    store
        .record_notification_send(&send(
            "n2",
            NotificationChannel::Push,
            "tok-a",
            SendOutcome::Failed,
        ))
        .await
        .unwrap();
    let listed = store.notification_sends(&id("n1")).await.unwrap();
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[0], first, "oldest first");
    assert_eq!(listed[1].outcome, SendOutcome::TokenRejected);
    assert!(
        store
            .notification_sends(&id("n9"))
            .await
            .unwrap()
            .is_empty()
    );
}

pub async fn eight_concurrent_recorders_of_one_send_get_the_same_row(h: &Harness) {
    let (a, b) = (h.ready().await, h.ready().await);
    let outcomes = [SendOutcome::Sent, SendOutcome::Failed];
    let tasks = (0..8).map(|i| {
        let store = if i % 2 == 0 { a.clone() } else { b.clone() };
        let mut record = send("n-race", NotificationChannel::Push, "tok", outcomes[i % 2]);
        record.attempts = u32::try_from(i).unwrap();
        async move { store.record_notification_send(&record).await.unwrap() }
    });
    let rows = futures::future::join_all(tasks).await;
    assert!(rows.iter().all(|r| *r == rows[0]), "{rows:?}");
    assert_eq!(a.notification_sends(&id("n-race")).await.unwrap().len(), 1);
}

pub async fn send_records_are_checked_before_the_database(h: &Harness) {
    let store = h.ready().await;
    for bad in [
        send("n1", NotificationChannel::Push, "", SendOutcome::Sent),
        send("n1", NotificationChannel::Push, "a\0b", SendOutcome::Sent),
        NewNotificationSend {
            provider: String::new(),
            ..send("n1", NotificationChannel::Push, "t", SendOutcome::Sent)
        },
        NewNotificationSend {
            detail: Some("x".repeat(store::validate::MAX_TEXT_LEN + 1)),
            ..send("n1", NotificationChannel::Push, "t", SendOutcome::Sent)
        },
    ] {
        let err = store.record_notification_send(&bad).await.unwrap_err();
        assert!(matches!(err, StoreError::Invalid(_)), "{err:?}");
    }
    assert!(
        store
            .notification_sends(&id("n1"))
            .await
            .unwrap()
            .is_empty()
    );
}
