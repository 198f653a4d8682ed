//! Proves WebSocket sockets on the shards: a connect is refused with 403 (and an audit row)
//! unless the control plane accepts its token; joined sockets on every shard receive each
//! broadcast exactly once and in order, in their own serializer; `user:{id}` is joined only
//! by its owner; a socket that stops reading is disconnected while the others keep receiving.
#![allow(clippy::unwrap_used)] // tests may unwrap

mod support;

use std::time::Duration;

use armoricore::cli::Role;
use armoricore::node::RunningNode;
use bytes::Bytes;
use codecs::ResourceId;
use futures::{SinkExt, StreamExt};
use support::config;
use support::socket::{Socket, next_text, send};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

async fn start(dir: &std::path::Path) -> RunningNode {
    RunningNode::start(config(dir, &[]), Role::All)
        .await
        .unwrap()
}

fn token(node: &RunningNode, user: &str) -> String {
    node.services()
        .tokens
        .mint(&ResourceId::new(user).unwrap(), Duration::from_secs(600))
        .unwrap()
}

async fn connect(node: &RunningNode, user: &str, vsn: Option<&str>) -> Socket {
    let vsn = vsn.map(|v| format!("&vsn={v}")).unwrap_or_default();
    let url = format!(
        "ws://{}/socket/websocket?token={}{vsn}",
        node.local_addr(),
        token(node, user)
    );
    tokio_tungstenite::connect_async(url).await.unwrap().0
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_token_gets_403_and_an_audit_row() {
    let dir = tempfile::tempdir().unwrap();
    let node = start(dir.path()).await;
    let url = format!(
        "ws://{}/socket/websocket?token=not-a-jwt&vsn=2.0.0",
        node.local_addr()
    );
    match tokio_tungstenite::connect_async(url).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            assert_eq!(response.status(), 403)
        }
        other => panic!("expected 403, got {:?}", other.map(|_| ())),
    }
    let rows = node.services().store.recent_audit_logs(10).await.unwrap();
    assert!(
        rows.iter().any(|r| r.action == "socket.refused"),
        "{rows:?}"
    );
    node.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_token_may_come_in_the_subprotocol_header() {
    let dir = tempfile::tempdir().unwrap();
    let node = start(dir.path()).await;
    use base64::Engine;
    let encoded = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(token(&node, "alice"));
    let mut request = format!("ws://{}/socket/websocket?vsn=2.0.0", node.local_addr())
        .into_client_request()
        .unwrap();
    request.headers_mut().insert(
        "sec-websocket-protocol",
        format!("phoenix, base64url.bearer.phx.{encoded}")
            .parse()
            .unwrap(),
    );
    let (mut socket, response) = tokio_tungstenite::connect_async(request).await.unwrap();
    assert_eq!(response.headers()["sec-websocket-protocol"], "phoenix");
    send(&mut socket, r#"[null,"1","phoenix","heartbeat",{}]"#).await;
    assert_eq!(
        next_text(&mut socket).await,
        r#"[null,"1","phoenix","phx_reply",{"status":"ok","response":{}}]"#
    );
    node.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn broadcasts_reach_every_joined_socket_once_in_order_in_its_serializer() {
    let dir = tempfile::tempdir().unwrap();
    let node = start(dir.path()).await;
    let mut joined = Vec::new();
    for i in 0..8 {
        let mut socket = connect(&node, &format!("u{i}"), Some("2.0.0")).await;
        send(&mut socket, r#"["1","1","room:1","phx_join",{}]"#).await;
        assert_eq!(
            next_text(&mut socket).await,
            r#"["1","1","room:1","phx_reply",{"status":"ok","response":{}}]"#
        );
        joined.push(socket);
    }
    let mut v1 = connect(&node, "old", None).await;
    send(
        &mut v1,
        r#"{"topic":"room:1","event":"phx_join","payload":{},"ref":"1"}"#,
    )
    .await;
    assert!(next_text(&mut v1).await.contains(r#""event":"phx_reply""#));
    let mut outsider = connect(&node, "x", Some("2.0.0")).await;

    for n in 0..3 {
        let payload = Bytes::from(format!(r#"{{"n":{n}}}"#));
        node.shards()
            .broadcast("room:1", "new_message", payload)
            .await;
    }
    for socket in &mut joined {
        for n in 0..3 {
            assert_eq!(
                next_text(socket).await,
                format!(r#"[null,null,"room:1","new_message",{{"n":{n}}}]"#)
            );
        }
    }
    for n in 0..3 {
        assert_eq!(
            next_text(&mut v1).await,
            format!(
                r#"{{"topic":"room:1","event":"new_message","payload":{{"n":{n}}},"ref":null,"join_ref":null}}"#
            )
        );
    }
    // Exactly once: a heartbeat's reply is the next thing each socket sees.
    for socket in joined.iter_mut().chain([&mut outsider]) {
        send(socket, r#"[null,"9","phoenix","heartbeat",{}]"#).await;
        assert!(
            next_text(socket)
                .await
                .starts_with(r#"[null,"9","phoenix","phx_reply""#)
        );
    }
    node.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn user_topics_are_joined_by_their_owner_only() {
    let dir = tempfile::tempdir().unwrap();
    let node = start(dir.path()).await;
    let mut alice = connect(&node, "alice", Some("2.0.0")).await;
    send(&mut alice, r#"["1","1","user:alice","phx_join",{}]"#).await;
    assert!(next_text(&mut alice).await.contains(r#""status":"ok""#));
    send(&mut alice, r#"["2","2","user:bob","phx_join",{}]"#).await;
    assert!(
        next_text(&mut alice)
            .await
            .contains(r#"{"status":"error","response":{"reason":"unauthorized"}}"#)
    );
    send(&mut alice, r#"["3","3","room:9","new_message",{}]"#).await;
    assert!(next_text(&mut alice).await.contains("unmatched topic"));
    node.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_socket_that_stops_reading_is_disconnected_and_others_keep_receiving() {
    let dir = tempfile::tempdir().unwrap();
    let node = start(dir.path()).await;
    let mut slow = connect(&node, "slow", Some("2.0.0")).await;
    let mut fast = connect(&node, "fast", Some("2.0.0")).await;
    for socket in [&mut slow, &mut fast] {
        send(socket, r#"["1","1","room:big","phx_join",{}]"#).await;
        next_text(socket).await;
    }
    const MESSAGES: usize = 400;
    let blob = format!(r#"{{"blob":"{}"}}"#, "x".repeat(64 << 10));
    let reader = tokio::spawn(async move {
        for _ in 0..MESSAGES {
            next_text(&mut fast).await;
        }
        fast
    });
    for _ in 0..MESSAGES {
        node.shards()
            .broadcast("room:big", "new_message", Bytes::from(blob.clone()))
            .await;
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    let _fast = tokio::time::timeout(Duration::from_secs(30), reader)
        .await
        .expect("the fast reader was slowed down")
        .unwrap();
    // The slow socket now reads: it gets what was buffered, then the connection ends.
    let mut received = 0;
    loop {
        match tokio::time::timeout(Duration::from_secs(10), slow.next()).await {
            Ok(Some(Ok(Message::Text(_)))) => received += 1,
            Ok(Some(Ok(Message::Close(frame)))) => {
                if let Some(frame) = frame {
                    assert!(frame.reason.contains("slow consumer"), "{}", frame.reason);
                }
                break;
            }
            Ok(Some(Ok(_))) => {}
            Ok(Some(Err(_))) | Ok(None) => break,
            Err(_) => panic!("the slow socket was not disconnected"),
        }
    }
    assert!(
        received < MESSAGES,
        "the slow socket got everything ({received})"
    );
    node.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stopping_the_node_tells_sockets_it_is_going_away() {
    let dir = tempfile::tempdir().unwrap();
    let node = start(dir.path()).await;
    let mut socket = connect(&node, "alice", Some("2.0.0")).await;
    send(&mut socket, r#"["1","1","room:1","phx_join",{}]"#).await;
    next_text(&mut socket).await;
    let stopping = tokio::spawn(node.stop());
    let close = loop {
        match tokio::time::timeout(Duration::from_secs(5), socket.next())
            .await
            .unwrap()
        {
            Some(Ok(Message::Close(frame))) => break frame,
            Some(Ok(_)) => continue,
            other => panic!("expected a close frame, got {other:?}"),
        }
    };
    assert_eq!(u16::from(close.unwrap().code), 1001);
    tokio::time::timeout(Duration::from_secs(5), stopping)
        .await
        .unwrap()
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn typing_reaches_the_room_on_every_shard_through_the_mesh_and_stops_by_itself() {
    let dir = tempfile::tempdir().unwrap();
    let node = start(dir.path()).await;
    // 16 sockets: the kernel spreads them over both shards (all on one: p = 2^-15).
    let mut sockets = Vec::new();
    for i in 0..16 {
        let mut socket = connect(&node, &format!("u{i}"), Some("2.0.0")).await;
        send(&mut socket, r#"["1","1","room:t","phx_join",{}]"#).await;
        next_text(&mut socket).await;
        sockets.push(socket);
    }
    let mut typist = sockets.remove(0);
    send(&mut typist, r#"["1","2","room:t","typing_start",{}]"#).await;
    assert!(next_text(&mut typist).await.contains(r#""status":"ok""#));
    let started = std::time::Instant::now();
    for socket in &mut sockets {
        assert_eq!(
            next_text(socket).await,
            r#"[null,null,"room:t","user_typing",{"typing":true,"user_id":"u0"}]"#
        );
    }
    for socket in &mut sockets {
        assert_eq!(
            next_text(socket).await,
            r#"[null,null,"room:t","user_typing",{"typing":false,"user_id":"u0"}]"#
        );
    }
    assert!(
        started.elapsed() >= Duration::from_millis(2500),
        "stopped too early"
    );
    // The typist never hears its own typing: its next message is its heartbeat reply.
    send(&mut typist, r#"[null,"9","phoenix","heartbeat",{}]"#).await;
    assert!(
        next_text(&mut typist)
            .await
            .starts_with(r#"[null,"9","phoenix","phx_reply""#)
    );
    node.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bus_events_reach_the_user_and_media_topics_they_concern() {
    let dir = tempfile::tempdir().unwrap();
    let node = start(dir.path()).await;
    let asset = store::NewMediaAsset {
        id: ResourceId::new("m-7").unwrap(),
        user_id: ResourceId::new("alice").unwrap(),
        source: "uploads/m-7.mp4".into(),
        content_type: "video/mp4".into(),
        file_size: 7,
    };
    assert!(
        node.services()
            .store
            .create_media_asset(&asset)
            .await
            .unwrap()
    );
    let mut bob = connect(&node, "bob", Some("2.0.0")).await;
    send(&mut bob, r#"["1","1","media:m-7","phx_join",{}]"#).await;
    assert!(
        next_text(&mut bob)
            .await
            .contains(r#"{"status":"error","response":{"reason":"unauthorized"}}"#)
    );
    let mut alice = connect(&node, "alice", Some("2.0.0")).await;
    for (n, topic) in ["user:alice", "media:m-7"].iter().enumerate() {
        send(
            &mut alice,
            &format!(r#"["{n}","{n}","{topic}","phx_join",{{}}]"#),
        )
        .await;
        assert!(next_text(&mut alice).await.contains(r#""status":"ok""#));
    }
    let key = node.services().api_key.expose().to_string();
    let post = |body: serde_json::Value| {
        let key = key.clone();
        let addr = node.local_addr();
        async move {
            let answer = support::request(
                addr,
                "POST",
                "/api/v1/events",
                &[("x-api-key", key.as_str())],
                body.to_string(),
            )
            .await;
            assert_eq!(answer.status, 202, "{}", answer.body);
        }
    };
    post(
        serde_json::json!({"event_type": "notification.sent", "payload": {
        "notification_id": "n-1", "user_id": "bob", "channel": "push", "provider": "fcm",
        "sent_at": "2026-11-27T10:00:00Z"}}),
    )
    .await;
    post(
        serde_json::json!({"event_type": "media.progress", "payload": {
        "media_id": "m-7", "user_id": "alice", "stage": "transcoding", "percent": 50.0}}),
    )
    .await;
    let mut got = vec![next_text(&mut alice).await, next_text(&mut alice).await];
    got.sort();
    let payload = r#"{"media_id":"m-7","user_id":"alice","stage":"transcoding","percent":50.0}"#;
    assert_eq!(
        got,
        [
            format!(r#"[null,null,"media:m-7","media_progress",{payload}]"#),
            format!(r#"[null,null,"user:alice","media_progress",{payload}]"#),
        ]
    );
    // Bob's notification never reached alice: her next message is a heartbeat reply.
    send(&mut alice, r#"[null,"9","phoenix","heartbeat",{}]"#).await;
    assert!(
        next_text(&mut alice)
            .await
            .starts_with(r#"[null,"9","phoenix","phx_reply""#)
    );
    node.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chat_messages_are_stored_numbered_broadcast_and_published() {
    let dir = tempfile::tempdir().unwrap();
    let node = start(dir.path()).await;
    let mut on_bus = node.services().bus.subscribe("chat.message").await.unwrap();
    let mut sockets = Vec::new();
    for (i, topic) in ["room:c", "room:c", "chat:room:c"].iter().enumerate() {
        let mut socket = connect(&node, &format!("u{i}"), Some("2.0.0")).await;
        send(
            &mut socket,
            &format!(r#"["1","1","{topic}","phx_join",{{}}]"#),
        )
        .await;
        next_text(&mut socket).await;
        sockets.push(socket);
    }
    for (n, content) in ["hello", "again"].iter().enumerate() {
        let offset = n + 1;
        send(
            &mut sockets[0],
            &format!(r#"["1","{offset}","room:c","new_message",{{"content":"{content}"}}]"#),
        )
        .await;
        for (i, socket) in sockets.iter_mut().enumerate() {
            // The sender sees its reply and the broadcast, in either order.
            let mut messages = vec![next_text(socket).await];
            if i == 0 {
                messages.push(next_text(socket).await);
            }
            let broadcast: serde_json::Value = messages
                .iter()
                .map(|m| serde_json::from_str::<serde_json::Value>(m).unwrap())
                .find(|m| m[3] == "new_message")
                .unwrap();
            assert_eq!(broadcast[4]["offset"], offset, "{broadcast}");
            assert_eq!(broadcast[4]["content"], *content);
            assert_eq!(broadcast[4]["user_id"], "u0");
            if i == 0 {
                let reply = messages.iter().find(|m| m.contains("phx_reply")).unwrap();
                assert!(reply.contains(&format!(r#""offset":{offset}"#)), "{reply}");
            }
        }
        let published = tokio::time::timeout(Duration::from_secs(5), on_bus.next())
            .await
            .unwrap()
            .unwrap();
        let event = codecs::Event::decode(&published.payload).unwrap();
        assert_eq!(event.event_type, codecs::EventType::ChatMessage);
    }
    let stored = node
        .services()
        .store
        .latest_chat_messages(&ResourceId::new("c").unwrap(), 10)
        .await
        .unwrap();
    assert_eq!(stored.iter().map(|m| m.offset).collect::<Vec<_>>(), [1, 2]);
    send(
        &mut sockets[1],
        r#"["1","9","room:c","new_message",{"content":"  "}]"#,
    )
    .await;
    assert!(
        next_text(&mut sockets[1])
            .await
            .contains(r#""status":"error""#)
    );
    node.stop().await;
}

async fn say(socket: &mut Socket, topic: &str, n: usize) {
    send(
        socket,
        &format!(r#"["1","m{n}","{topic}","new_message",{{"content":"m{n}"}}]"#),
    )
    .await;
    // Skip our own broadcast; wait for the reply.
    loop {
        let text = next_text(socket).await;
        if text.contains(&format!(r#""m{n}","{topic}","phx_reply""#)) {
            assert!(text.contains(r#""status":"ok""#), "{text}");
            return;
        }
    }
}

fn offset_of(text: &str) -> u64 {
    let v: serde_json::Value = serde_json::from_str(text).unwrap();
    assert_eq!(v[3], "new_message", "{text}");
    v[4]["offset"].as_u64().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_join_with_last_offset_recovers_what_it_missed_in_order_then_goes_live() {
    let dir = tempfile::tempdir().unwrap();
    let node = start(dir.path()).await;
    let mut writer = connect(&node, "w", Some("2.0.0")).await;
    send(&mut writer, r#"["1","1","room:r","phx_join",{}]"#).await;
    next_text(&mut writer).await;
    for n in 1..=3 {
        say(&mut writer, "room:r", n).await;
    }
    let mut late = connect(&node, "late", Some("2.0.0")).await;
    send(
        &mut late,
        r#"["7","1","room:r","phx_join",{"last_offset":1}]"#,
    )
    .await;
    assert_eq!(
        next_text(&mut late).await,
        r#"["7","1","room:r","phx_reply",{"status":"ok","response":{"recovered":true}}]"#
    );
    assert_eq!(offset_of(&next_text(&mut late).await), 2);
    assert_eq!(offset_of(&next_text(&mut late).await), 3);
    say(&mut writer, "room:r", 4).await;
    assert_eq!(offset_of(&next_text(&mut late).await), 4);
    send(&mut late, r#"[null,"9","phoenix","heartbeat",{}]"#).await;
    assert!(
        next_text(&mut late)
            .await
            .starts_with(r#"[null,"9","phoenix","phx_reply""#),
        "a message came twice"
    );

    let mut current = connect(&node, "cur", Some("2.0.0")).await;
    send(
        &mut current,
        r#"["1","1","chat:room:r","phx_join",{"last_offset":4}]"#,
    )
    .await;
    assert!(
        next_text(&mut current)
            .await
            .contains(r#""recovered":true"#)
    );
    send(&mut current, r#"[null,"9","phoenix","heartbeat",{}]"#).await;
    assert!(
        next_text(&mut current)
            .await
            .starts_with(r#"[null,"9","phoenix","phx_reply""#),
        "nothing was missed"
    );

    let history = armoricore::chat::ROOM_HISTORY as usize;
    for n in 5..=history + 6 {
        say(&mut writer, "room:r", n).await;
        // Below the per-socket limit (50 messages/s, bursts of 100): acks come back fast.
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let mut ancient = connect(&node, "old", Some("2.0.0")).await;
    send(
        &mut ancient,
        r#"["1","1","room:r","phx_join",{"last_offset":1}]"#,
    )
    .await;
    assert!(
        next_text(&mut ancient)
            .await
            .contains(r#"{"status":"ok","response":{"recovered":false}}"#)
    );
    node.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn per_socket_limits_refuse_extra_channels_and_close_floods_with_1008() {
    let dir = tempfile::tempdir().unwrap();
    let node = start(dir.path()).await;
    let mut socket = connect(&node, "many", Some("2.0.0")).await;
    let max = dataplane_limits::MAX_CHANNELS;
    for n in 0..max {
        send(
            &mut socket,
            &format!(r#"["{n}","{n}","room:{n}","phx_join",{{}}]"#),
        )
        .await;
        assert!(next_text(&mut socket).await.contains(r#""status":"ok""#));
        // Stay under the message rate while joining.
        if n % 40 == 39 {
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    send(&mut socket, r#"["x","x","room:extra","phx_join",{}]"#).await;
    assert!(next_text(&mut socket).await.contains("too many channels"));

    let mut flood = connect(&node, "flood", Some("2.0.0")).await;
    for n in 0..300 {
        if flood
            .send(Message::text(format!(
                r#"[null,"{n}","phoenix","heartbeat",{{}}]"#
            )))
            .await
            .is_err()
        {
            break;
        }
    }
    let close = loop {
        match tokio::time::timeout(Duration::from_secs(10), flood.next())
            .await
            .unwrap()
        {
            Some(Ok(Message::Close(frame))) => break frame.unwrap(),
            Some(Ok(_)) => continue,
            other => panic!("expected a close frame, got {other:?}"),
        }
    };
    assert_eq!(u16::from(close.code), 1008);
    assert!(close.reason.contains("rate limit"), "{}", close.reason);
    node.stop().await;
}

/// The next close frame's code (10 s at most), skipping other messages.
async fn close_code_of(socket: &mut Socket) -> u16 {
    loop {
        match tokio::time::timeout(Duration::from_secs(10), socket.next())
            .await
            .expect("no close within 10 s")
        {
            Some(Ok(Message::Close(frame))) => return frame.map_or(1005, |f| u16::from(f.code)),
            Some(Ok(_)) => continue,
            other => panic!("expected a close frame, got {other:?}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fragmented_messages_are_reassembled_and_bad_frames_get_their_close_codes() {
    use tokio_tungstenite::tungstenite::protocol::frame::Frame as RawFrame;
    use tokio_tungstenite::tungstenite::protocol::frame::coding::{Data, OpCode};
    let dir = tempfile::tempdir().unwrap();
    let node = start(dir.path()).await;

    // A join split over three frames, with a ping between them, is one message.
    let mut socket = connect(&node, "frag", Some("2.0.0")).await;
    let join = br#"["1","1","room:frag","phx_join",{}]"#;
    let parts = [&join[..5], &join[5..20], &join[20..]];
    socket
        .send(Message::Frame(RawFrame::message(
            bytes::Bytes::copy_from_slice(parts[0]),
            OpCode::Data(Data::Text),
            false,
        )))
        .await
        .unwrap();
    socket
        .send(Message::Ping(bytes::Bytes::from_static(b"p")))
        .await
        .unwrap();
    for (i, part) in parts[1..].iter().enumerate() {
        socket
            .send(Message::Frame(RawFrame::message(
                bytes::Bytes::copy_from_slice(part),
                OpCode::Data(Data::Continue),
                i == 1,
            )))
            .await
            .unwrap();
    }
    assert_eq!(
        next_text(&mut socket).await,
        r#"["1","1","room:frag","phx_reply",{"status":"ok","response":{}}]"#
    );

    // Text that is not UTF-8: 1007.
    let mut bad_text = connect(&node, "utf8", Some("2.0.0")).await;
    bad_text
        .send(Message::Frame(RawFrame::message(
            bytes::Bytes::from_static(b"[\"1\",\xff]"),
            OpCode::Data(Data::Text),
            true,
        )))
        .await
        .unwrap();
    assert_eq!(close_code_of(&mut bad_text).await, 1007);

    // A continuation with no message before it: 1002.
    let mut stray = connect(&node, "stray", Some("2.0.0")).await;
    stray
        .send(Message::Frame(RawFrame::message(
            bytes::Bytes::from_static(b"x"),
            OpCode::Data(Data::Continue),
            true,
        )))
        .await
        .unwrap();
    assert_eq!(close_code_of(&mut stray).await, 1002);

    // A message over 1 MiB: 1009.
    let mut big = connect(&node, "big", Some("2.0.0")).await;
    let _ = big.send(Message::binary(vec![0u8; (1 << 20) + 1])).await;
    assert_eq!(close_code_of(&mut big).await, 1009);

    // The first socket is unaffected.
    send(&mut socket, r#"[null,"2","phoenix","heartbeat",{}]"#).await;
    assert!(next_text(&mut socket).await.contains(r#""status":"ok""#));
    node.stop().await;
}

mod dataplane_limits {
    /// Mirrors `dataplane::ws::MAX_CHANNELS_PER_SOCKET` (the module is private).
    pub const MAX_CHANNELS: usize = 100;
}
