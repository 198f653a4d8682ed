//! Call records: the first open fixes the parties (also under concurrency), reads, and
//! ending once.

use std::time::Duration;

use store::StoreError;

use crate::support::{Harness, id};

pub async fn a_call_opens_reads_back_and_ends(h: &Harness) {
    let store = h.ready().await;
    let before = time::OffsetDateTime::now_utc() - Duration::from_secs(1);
    let opened = store
        .open_call(&id("call-1"), &id("alice"), &id("bob"))
        .await
        .unwrap();
    assert_eq!(opened.call_id, id("call-1"));
    assert_eq!(
        (opened.caller.as_str(), opened.callee.as_str()),
        ("alice", "bob")
    );
    assert_eq!(opened.ended_at, None);
    assert!(opened.created_at >= before, "{}", opened.created_at);
    assert_eq!(
        store.get_call(&id("call-1")).await.unwrap(),
        Some(opened.clone())
    );
    assert_eq!(store.get_call(&id("call-2")).await.unwrap(), None);

    assert!(store.end_call(&id("call-1")).await.unwrap());
    let ended = store.get_call(&id("call-1")).await.unwrap().unwrap();
    let ended_at = ended.ended_at.expect("ended_at is set");
    assert!(ended_at >= opened.created_at);
    assert_eq!(
        ended,
        store::StoredCall {
            ended_at: Some(ended_at),
            ..opened
        },
        "ending changes nothing else"
    );
}

pub async fn opening_a_stored_call_again_returns_the_first_row_unchanged(h: &Harness) {
    let store = h.ready().await;
    let first = store
        .open_call(&id("call"), &id("alice"), &id("bob"))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(2)).await;
    for (caller, callee) in [("carol", "dave"), ("bob", "alice"), ("alice", "bob")] {
        let again = store
            .open_call(&id("call"), &id(caller), &id(callee))
            .await
            .unwrap();
        assert_eq!(again, first, "opened again as {caller} -> {callee}");
    }
    // An ended call stays ended: opening it again does not reopen it.
    assert!(store.end_call(&id("call")).await.unwrap());
    let ended = store.get_call(&id("call")).await.unwrap().unwrap();
    let again = store
        .open_call(&id("call"), &id("carol"), &id("dave"))
        .await
        .unwrap();
    assert_eq!(again, ended);
    assert!(again.ended_at.is_some());
}

pub async fn a_call_with_the_same_caller_and_callee_is_invalid(h: &Harness) {
    let store = h.ready().await;
    match store
        .open_call(&id("solo"), &id("alice"), &id("alice"))
        .await
    {
        Err(StoreError::Invalid(message)) => {
            assert!(message.contains("alice"), "{message}");
            assert!(message.contains("two different parties"), "{message}");
        }
        other => panic!("expected invalid input, got {other:?}"),
    }
    assert_eq!(store.get_call(&id("solo")).await.unwrap(), None);
    // The schema refuses it too, whatever writes the row.
    let raw = "INSERT INTO calls (call_id, caller, callee, created_at) \
               VALUES ('raw', 'u', 'u', '2024-01-01T00:00:00.000000Z')";
    let refused = std::panic::AssertUnwindSafe(h.execute_raw(raw));
    assert!(
        futures::FutureExt::catch_unwind(refused).await.is_err(),
        "the CHECK (caller <> callee) let a raw insert through"
    );
    assert_eq!(store.get_call(&id("raw")).await.unwrap(), None);
}

pub async fn ending_a_call_twice_changes_it_once(h: &Harness) {
    let store = h.ready().await;
    assert!(
        !store.end_call(&id("never-opened")).await.unwrap(),
        "an unknown call has nothing to end"
    );
    assert_eq!(store.get_call(&id("never-opened")).await.unwrap(), None);
    store
        .open_call(&id("call"), &id("alice"), &id("bob"))
        .await
        .unwrap();
    assert!(store.end_call(&id("call")).await.unwrap());
    let first_end = store.get_call(&id("call")).await.unwrap().unwrap().ended_at;
    assert!(first_end.is_some());
    tokio::time::sleep(Duration::from_millis(2)).await;
    assert!(!store.end_call(&id("call")).await.unwrap());
    let after = store.get_call(&id("call")).await.unwrap().unwrap();
    assert_eq!(after.ended_at, first_end, "the second end moved ended_at");
}

pub async fn eight_concurrent_opens_of_one_call_get_the_same_row(h: &Harness) {
    const OPENERS: usize = 8;
    // Two stores on one database, like two nodes: four openers on each, started together.
    let stores = [h.ready().await, h.open().await];
    let start = std::sync::Arc::new(tokio::sync::Barrier::new(OPENERS));
    let mut tasks = Vec::new();
    for opener in 0..OPENERS {
        let store = stores[opener % 2].clone();
        let start = start.clone();
        tasks.push(tokio::spawn(async move {
            start.wait().await;
            store
                .open_call(
                    &id("contested"),
                    &id(&format!("caller-{opener}")),
                    &id("callee"),
                )
                .await
                .unwrap()
        }));
    }
    let mut rows = Vec::new();
    for task in tasks {
        rows.push(task.await.unwrap());
    }
    let winner = rows[0].clone();
    assert!(
        rows.iter().all(|row| *row == winner),
        "openers got different rows: {rows:?}"
    );
    assert!(
        (0..OPENERS).any(|i| winner.caller == id(&format!("caller-{i}"))),
        "{winner:?}"
    );
    assert_eq!(winner.callee, id("callee"));
    assert_eq!(store_row(h).await, Some(winner));
}

async fn store_row(h: &Harness) -> Option<store::StoredCall> {
    h.open().await.get_call(&id("contested")).await.unwrap()
}
