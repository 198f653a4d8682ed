//! Proves the gateway's channels on one node: Phoenix Presence (state, diffs, several metas
//! per user, leaves on `phx_leave` and on disconnect), rate-limited comments, and the call
//! signaling relay between the two parties a call names.
#![allow(clippy::unwrap_used)] // tests may unwrap

mod support;

use std::time::Duration;

use armoricore::cli::Role;
use armoricore::node::RunningNode;
use codecs::ResourceId;
use serde_json::json;
use support::config;
use support::socket::{
    Msg, PresenceView, Socket, connect_v2, join, next_event, next_msg, presence_until, push, send,
};

async fn start(dir: &std::path::Path) -> RunningNode {
    RunningNode::start(config(dir, &[]), Role::All)
        .await
        .unwrap()
}

async fn connect(node: &RunningNode, user: &str) -> Socket {
    let token = node
        .services()
        .tokens
        .mint(&ResourceId::new(user).unwrap(), Duration::from_secs(600))
        .unwrap();
    connect_v2(node.local_addr(), &token).await
}

/// Joins a presence topic and returns the view its `presence_state` gives.
async fn join_presence(
    socket: &mut Socket,
    topic: &str,
    payload: serde_json::Value,
) -> PresenceView {
    let mut others = Vec::new();
    let (status, _) = join(socket, topic, payload, &mut others).await;
    assert_eq!(status, "ok");
    let mut view = PresenceView::default();
    for m in &others {
        view.apply(m);
    }
    // presence_state follows the reply.
    let state = loop {
        let m = next_msg(socket).await;
        if m.event == "presence_state" {
            break m;
        }
        view.apply(&m);
    };
    view.apply(&state);
    view
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn presence_tracks_every_socket_of_every_user_and_forgets_them_when_they_go() {
    let dir = tempfile::tempdir().unwrap();
    let node = start(dir.path()).await;
    let topic = "presence:room:lobby";

    let mut alice = connect(&node, "alice").await;
    let mut alice_view = join_presence(&mut alice, topic, json!({})).await;
    assert_eq!(alice_view.users(), ["alice"]);

    let mut bob = connect(&node, "bob").await;
    let mut bob_view = join_presence(&mut bob, topic, json!({"status": "away"})).await;
    assert_eq!(bob_view.users(), ["alice", "bob"]);
    presence_until(&mut alice, &mut alice_view, |v| {
        v.users() == ["alice", "bob"]
    })
    .await;

    // A second socket of alice's is a second meta under the same key.
    let mut alice_tab = connect(&node, "alice").await;
    let tab_view = join_presence(&mut alice_tab, topic, json!({})).await;
    assert_eq!(tab_view.metas("alice"), 2);
    presence_until(&mut bob, &mut bob_view, |v| v.metas("alice") == 2).await;

    // Metas carry phx_ref, online_at and the join's status.
    let state = {
        let mut probe = connect(&node, "carol").await;
        let mut others = Vec::new();
        join(&mut probe, topic, json!({}), &mut others).await;
        next_event(&mut probe, topic, "presence_state").await
    };
    let bob_meta = &state["bob"]["metas"][0];
    assert_eq!(bob_meta["status"], "away");
    assert!(bob_meta["online_at"].as_i64().unwrap() > 1_700_000_000_000);
    assert!(bob_meta["phx_ref"].as_str().is_some());
    // carol's socket closed when `probe` dropped: bob sees her come, then go.
    presence_until(&mut bob, &mut bob_view, |v| v.metas("carol") == 1).await;
    presence_until(&mut bob, &mut bob_view, |v| {
        v.metas("carol") == 0 && v.users().len() == 2
    })
    .await;

    // The tab disconnects: one of alice's metas goes, she stays.
    alice_tab.close(None).await.unwrap();
    presence_until(&mut bob, &mut bob_view, |v| v.metas("alice") == 1).await;
    assert_eq!(bob_view.users(), ["alice", "bob"]);

    // bob leaves the topic: alice sees him go.
    send(
        &mut bob,
        &json!(["1", "9", topic, "phx_leave", {}]).to_string(),
    )
    .await;
    presence_until(&mut alice, &mut alice_view, |v| v.users() == ["alice"]).await;

    // A bad status is refused with a reason, and tracks nothing.
    let mut dave = connect(&node, "dave").await;
    let mut others = Vec::new();
    let (status, response) = join(&mut dave, topic, json!({"status": 7}), &mut others).await;
    assert_eq!(status, "error");
    assert!(
        response["reason"].as_str().unwrap().contains("status"),
        "{response}"
    );
    // Not a room id: refused.
    let (status, _) = join(&mut dave, "presence:room:", json!({}), &mut others).await;
    assert_eq!(status, "error");
    node.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn comments_reach_the_stream_and_a_flooding_user_is_limited() {
    let dir = tempfile::tempdir().unwrap();
    let node = start(dir.path()).await;
    let topic = "comments:stream:live-1";
    let mut viewer = connect(&node, "viewer").await;
    let mut others = Vec::new();
    assert_eq!(
        join(&mut viewer, topic, json!({}), &mut others).await.0,
        "ok"
    );
    let mut author = connect(&node, "author").await;
    assert_eq!(
        join(&mut author, topic, json!({}), &mut others).await.0,
        "ok"
    );

    let burst = armoricore::comments::COMMENT_BURST as usize;
    for n in 0..burst {
        let (status, response) = push(
            &mut author,
            topic,
            "new_comment",
            json!({"content": format!("comment {n}")}),
            &format!("c{n}"),
            &mut others,
        )
        .await;
        assert_eq!(status, "ok", "{response}");
        assert!(response["comment_id"].as_str().is_some());
        let seen = next_event(&mut viewer, topic, "new_comment").await;
        assert_eq!(seen["content"], format!("comment {n}"));
        assert_eq!(seen["user_id"], "author");
        assert_eq!(seen["stream_id"], "live-1");
    }
    let (status, response) = push(
        &mut author,
        topic,
        "new_comment",
        json!({"content": "one too many"}),
        "flood",
        &mut others,
    )
    .await;
    assert_eq!(status, "error");
    assert_eq!(response["reason"], "rate limited");
    let wait = response["retry_after_ms"].as_u64().unwrap();
    assert!(wait > 0 && wait <= 1000, "{response}");

    // Another user is not limited by the author's flood.
    let (status, _) = push(
        &mut viewer,
        topic,
        "new_comment",
        json!({"content": "me too"}),
        "v1",
        &mut others,
    )
    .await;
    assert_eq!(status, "ok");
    // Bad payloads get a reason.
    for bad in [
        json!({"content": ""}),
        json!({"text": "x"}),
        json!({"content": "x".repeat(5000)}),
    ] {
        let (status, response) =
            push(&mut viewer, topic, "new_comment", bad, "bad", &mut others).await;
        assert_eq!(status, "error");
        assert!(response["reason"].is_string(), "{response}");
    }
    // After the wait the author may post again.
    tokio::time::sleep(Duration::from_millis(wait + 50)).await;
    let (status, _) = push(
        &mut author,
        topic,
        "new_comment",
        json!({"content": "back"}),
        "again",
        &mut others,
    )
    .await;
    assert_eq!(status, "ok");
    node.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn call_signaling_is_relayed_between_the_two_parties_only() {
    let dir = tempfile::tempdir().unwrap();
    let node = start(dir.path()).await;
    let topic = "signaling:call:c-1";
    let mut others: Vec<Msg> = Vec::new();

    // The call does not exist until its first join names the peer.
    let mut bob = connect(&node, "bob").await;
    let (status, response) = join(&mut bob, topic, json!({}), &mut others).await;
    assert_eq!(status, "error");
    assert!(
        response["reason"]
            .as_str()
            .unwrap()
            .contains("unknown call"),
        "{response}"
    );

    let mut alice = connect(&node, "alice").await;
    let (status, response) = join(&mut alice, topic, json!({"peer": "bob"}), &mut others).await;
    assert_eq!(status, "ok", "{response}");
    assert_eq!(
        response,
        json!({"call_id": "c-1", "caller": "alice", "callee": "bob"})
    );
    let (status, _) = join(&mut bob, topic, json!({}), &mut others).await;
    assert_eq!(status, "ok");

    // A third user cannot join, nor take the call over by naming a peer.
    let mut mallory = connect(&node, "mallory").await;
    assert_eq!(
        join(&mut mallory, topic, json!({}), &mut others).await.1["reason"],
        "unauthorized"
    );
    assert_eq!(
        join(&mut mallory, topic, json!({"peer": "alice"}), &mut others)
            .await
            .1["reason"],
        "unauthorized"
    );

    let offer = json!({"sdp": "v=0 offer", "type": "offer"});
    let (status, _) = push(&mut alice, topic, "call_offer", offer, "o", &mut others).await;
    assert_eq!(status, "ok");
    let got = next_event(&mut bob, topic, "call_offer").await;
    assert_eq!(got["sdp"], "v=0 offer");
    assert_eq!(got["from"], "alice");
    assert_eq!(got["call_id"], "c-1");
    let (status, _) = push(
        &mut bob,
        topic,
        "ice_candidate",
        json!({"candidate": "a=1"}),
        "i",
        &mut others,
    )
    .await;
    assert_eq!(status, "ok");
    assert_eq!(
        next_event(&mut alice, topic, "ice_candidate").await["from"],
        "bob"
    );
    // The sender never gets its own signal back.
    assert!(
        others
            .iter()
            .all(|m| m.event != "call_offer" && m.event != "ice_candidate"),
        "{others:?}"
    );
    // Not a JSON object: refused.
    let (status, _) = push(
        &mut bob,
        topic,
        "call_answer",
        json!("sdp"),
        "a",
        &mut others,
    )
    .await;
    assert_eq!(status, "error");

    // Hanging up ends the call: the other party hears it, and nobody may join again.
    let (status, _) = push(&mut bob, topic, "call_end", json!({}), "e", &mut others).await;
    assert_eq!(status, "ok");
    assert_eq!(
        next_event(&mut alice, topic, "call_end").await["from"],
        "bob"
    );
    let mut alice_again = connect(&node, "alice").await;
    let (status, response) = join(&mut alice_again, topic, json!({}), &mut others).await;
    assert_eq!(status, "error");
    assert_eq!(response["reason"], "call ended");
    node.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restarted_shard_leaves_no_stale_presence_behind() {
    let dir = tempfile::tempdir().unwrap();
    let node = RunningNode::start(config(dir.path(), &[("DATAPLANE_CORES", "1")]), Role::All)
        .await
        .unwrap();
    let topic = "presence:room:crash";
    let mut alice = connect(&node, "alice").await;
    assert_eq!(
        join_presence(&mut alice, topic, json!({})).await.users(),
        ["alice"]
    );

    node.data_plane().inject_panic(0);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while node.data_plane().restarts() == 0 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "shard not restarted"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // The new incarnation numbers its sockets from zero again: bob's socket must get a meta
    // of its own, and alice's (gone with the old incarnation) must not be listed.
    let mut bob = loop {
        match tokio::time::timeout(Duration::from_secs(1), async {
            let token = node
                .services()
                .tokens
                .mint(&ResourceId::new("bob").unwrap(), Duration::from_secs(600))
                .unwrap();
            let url = format!(
                "ws://{}/socket/websocket?token={token}&vsn=2.0.0",
                node.local_addr()
            );
            tokio_tungstenite::connect_async(url).await
        })
        .await
        {
            Ok(Ok((socket, _))) => break socket,
            _ => {
                assert!(
                    tokio::time::Instant::now() < deadline,
                    "no connect after the restart"
                );
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    };
    let view = join_presence(&mut bob, topic, json!({})).await;
    assert_eq!(view.users(), ["bob"]);
    node.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retried_chat_message_gets_its_offset_again_and_is_broadcast_once() {
    let dir = tempfile::tempdir().unwrap();
    let node = start(dir.path()).await;
    let mut alice = connect(&node, "alice").await;
    let mut bob = connect(&node, "bob").await;
    let mut others = Vec::new();
    for socket in [&mut alice, &mut bob] {
        let (status, _) = join(socket, "room:retry", json!({}), &mut others).await;
        assert_eq!(status, "ok");
    }
    let message = json!({"content": "hello", "message_id": "m-1"});
    let (status, first) = push(
        &mut alice,
        "room:retry",
        "new_message",
        message.clone(),
        "p1",
        &mut others,
    )
    .await;
    assert_eq!(status, "ok", "{first}");
    let (status, retry) = push(
        &mut alice,
        "room:retry",
        "new_message",
        message,
        "p2",
        &mut others,
    )
    .await;
    assert_eq!(status, "ok", "{retry}");
    assert_eq!(retry, first, "the retry is answered with the stored offset");
    let next = json!({"content": "next", "message_id": "m-2"});
    let (status, second) = push(
        &mut alice,
        "room:retry",
        "new_message",
        next,
        "p3",
        &mut others,
    )
    .await;
    assert_eq!(status, "ok");
    assert_eq!(second["offset"], first["offset"].as_u64().unwrap() + 1);
    // Bob sees m-1 once, then m-2 (messages on one topic arrive in order).
    let mut seen = Vec::new();
    loop {
        let payload = next_event(&mut bob, "room:retry", "new_message").await;
        let id = payload["message_id"].as_str().unwrap().to_string();
        seen.push(id.clone());
        if id == "m-2" {
            break;
        }
    }
    assert_eq!(seen, ["m-1", "m-2"]);
    node.stop().await;
}

/// Another node stores a message; this node's recovering join reads it from the shared
/// store before the bus brings it here. When the bus event arrives, the sockets already in
/// the room get it live and the recovering socket, which had it replayed, does not get it
/// a second time.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_replayed_to_a_recovering_join_is_not_delivered_again_from_the_bus() {
    let dir = tempfile::tempdir().unwrap();
    let node = start(dir.path()).await;
    let services = node.services();
    let mut carol = connect(&node, "carol").await;
    let mut alice = connect(&node, "alice").await;
    let mut others = Vec::new();
    let (status, _) = join(&mut carol, "room:race", json!({}), &mut others).await;
    assert_eq!(status, "ok");

    // "Node B" stores a message; its chat.message is still on the way.
    let room = ResourceId::new("race").unwrap();
    let stored = services
        .store
        .append_chat_message(
            &room,
            &ResourceId::new("m-remote").unwrap(),
            &ResourceId::new("bob").unwrap(),
            "from the other node",
        )
        .await
        .unwrap()
        .message;

    let (status, reply) = join(
        &mut alice,
        "room:race",
        json!({"last_offset": 0}),
        &mut others,
    )
    .await;
    assert_eq!(status, "ok", "{reply}");
    assert_eq!(reply["recovered"], true);
    let replayed = next_event(&mut alice, "room:race", "new_message").await;
    assert_eq!(replayed["message_id"], "m-remote");
    assert_eq!(replayed["offset"], stored.offset);

    // The bus event arrives late.
    let event = armoricore::chat::chat_message_event(
        armoricore::chat::chat_source("another-node"),
        &stored,
    );
    bus::publish_event(services.bus.as_ref(), &event)
        .await
        .unwrap();
    let live = next_event(&mut carol, "room:race", "new_message").await;
    assert_eq!(
        live["message_id"], "m-remote",
        "carol was in the room: live"
    );

    // Alice's next message is the one pushed after the bus event, not m-remote again
    // (one downlink per shard, in order: the bus broadcast was queued before this one).
    let mut before_reply = Vec::new();
    let (status, _) = push(
        &mut alice,
        "room:race",
        "new_message",
        json!({"content": "after", "message_id": "m-after"}),
        "p1",
        &mut before_reply,
    )
    .await;
    assert_eq!(status, "ok");
    // The broadcast may come before the reply.
    let next = match before_reply
        .into_iter()
        .find(|m| m.topic == "room:race" && m.event == "new_message")
    {
        Some(m) => m.payload,
        None => next_event(&mut alice, "room:race", "new_message").await,
    };
    assert_eq!(next["message_id"], "m-after", "m-remote came twice: {next}");
    assert_eq!(next["offset"], stored.offset + 1);
    node.stop().await;
}
