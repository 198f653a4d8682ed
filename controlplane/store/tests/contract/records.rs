//! Audit logs and analytics events.

use serde_json::json;
use store::StoreError;

use crate::support::{Harness, id};

pub async fn audit_logs_come_back_newest_first_with_their_detail(h: &Harness) {
    let store = h.ready().await;
    assert!(store.recent_audit_logs(10).await.unwrap().is_empty());
    let mut written = Vec::new();
    for (i, action) in ["device_token.create", "device_token.delete", "media.create"]
        .iter()
        .enumerate()
    {
        let detail = json!({"n": i, "tags": ["a", "b"], "nested": {"ok": true, "none": null}});
        let entry = store
            .append_audit_log("u1", action, &format!("target-{i}"), &detail)
            .await
            .unwrap();
        assert_eq!(
            (entry.actor.as_str(), entry.action.as_str()),
            ("u1", *action)
        );
        assert_eq!(entry.detail, detail);
        written.push(entry);
    }
    assert!(written[0].id < written[1].id && written[1].id < written[2].id);
    let recent = store.recent_audit_logs(2).await.unwrap();
    assert_eq!(recent, vec![written[2].clone(), written[1].clone()]);
    assert_eq!(store.recent_audit_logs(10).await.unwrap().len(), 3);
    assert!(store.recent_audit_logs(0).await.unwrap().is_empty());
    assert!(matches!(
        store.append_audit_log("", "x", "y", &json!({})).await,
        Err(StoreError::Invalid(_))
    ));
}

pub async fn analytics_events_are_counted_by_name(h: &Harness) {
    let store = h.ready().await;
    assert_eq!(
        store.count_analytics_events("socket.join").await.unwrap(),
        0
    );
    for _ in 0..3 {
        store
            .record_analytics_event(Some(&id("u1")), "socket.join", &json!({"room": "r1"}))
            .await
            .unwrap();
    }
    store
        .record_analytics_event(None, "upload.start", &json!({}))
        .await
        .unwrap();
    assert_eq!(
        store.count_analytics_events("socket.join").await.unwrap(),
        3
    );
    assert_eq!(
        store.count_analytics_events("upload.start").await.unwrap(),
        1
    );
    assert_eq!(store.count_analytics_events("never").await.unwrap(), 0);
    assert!(matches!(
        store.record_analytics_event(None, "", &json!({})).await,
        Err(StoreError::Invalid(_))
    ));
}

pub async fn json_with_nul_characters_is_refused_by_both_backends(h: &Harness) {
    let store = h.ready().await;
    let bad = json!({"text": "a\u{0}b"});
    assert!(matches!(
        store.append_audit_log("u1", "x", "y", &bad).await,
        Err(StoreError::Invalid(_))
    ));
    assert!(matches!(
        store.record_analytics_event(None, "e", &bad).await,
        Err(StoreError::Invalid(_))
    ));
    assert!(store.recent_audit_logs(10).await.unwrap().is_empty());
    assert_eq!(store.count_analytics_events("e").await.unwrap(), 0);
}
