// Drives a node with the official `phoenix` client, unchanged, over `ws`: connect with a
// minted token, heartbeats, join, push and receive, typing, Presence synced across two
// sockets, user-topic authorisation, leave and rejoin with recovery.
// Env: ARMORICORE_URL (ws://127.0.0.1:PORT/socket), TOKEN_A, TOKEN_B (users a and b).
// Exits 0 when every step passed; prints the failing step and exits 1 otherwise.
import { Socket, Presence } from "phoenix";
import WebSocket from "ws";

const url = process.env.ARMORICORE_URL;
const fail = (step, detail) => {
  console.error(`FAILED: ${step}: ${JSON.stringify(detail)}`);
  process.exit(1);
};
const timeout = (ms, step) =>
  new Promise((_, reject) => setTimeout(() => reject(new Error(`timeout: ${step}`)), ms));

function connect(token) {
  const socket = new Socket(url, { transport: WebSocket, params: { token }, heartbeatIntervalMs: 200 });
  return new Promise((resolve, reject) => {
    socket.onOpen(() => resolve(socket));
    socket.onError((e) => reject(new Error(`socket error: ${e?.message ?? e}`)));
    socket.connect();
  });
}

function join(socket, topic, params = {}) {
  const channel = socket.channel(topic, params);
  return new Promise((resolve, reject) => {
    channel.join().receive("ok", () => resolve(channel)).receive("error", (e) => reject(e)).receive("timeout", () => reject("timeout"));
  });
}

function push(channel, event, payload) {
  return new Promise((resolve, reject) => {
    channel.push(event, payload).receive("ok", resolve).receive("error", reject).receive("timeout", () => reject("timeout"));
  });
}

async function main() {
  const a = await Promise.race([connect(process.env.TOKEN_A), timeout(5000, "connect a")]);
  const b = await Promise.race([connect(process.env.TOKEN_B), timeout(5000, "connect b")]);

  // Heartbeats: wait for a few round trips; the socket must stay open.
  await new Promise((r) => setTimeout(r, 700));
  if (!a.isConnected()) fail("heartbeat", "socket closed");

  const roomA = await join(a, "room:compat").catch((e) => fail("join a", e));
  const roomB = await join(b, "room:compat").catch((e) => fail("join b", e));

  const typing = new Promise((resolve) => roomB.on("user_typing", resolve));
  await push(roomA, "typing_start", {}).catch((e) => fail("typing_start", e));
  const seen = await Promise.race([typing, timeout(5000, "user_typing")]).catch((e) => fail("user_typing", e.message));
  if (seen.typing !== true || seen.user_id !== "a") fail("user_typing payload", seen);

  // Push and receive: a's message reaches b with its offset; a's reply carries the same.
  const received = new Promise((resolve) => roomB.on("new_message", resolve));
  const sent = await push(roomA, "new_message", { content: "hello from a" }).catch((e) => fail("new_message", e));
  const got = await Promise.race([received, timeout(5000, "new_message")]).catch((e) => fail("receive", e.message));
  if (got.content !== "hello from a" || got.user_id !== "a" || got.offset !== sent.offset) fail("new_message payload", { got, sent });

  // Presence across two sockets, kept by the client's own Presence.
  const presenceA = new Presence(a.channel("presence:room:compat", {}));
  const presenceB = new Presence(b.channel("presence:room:compat", {}));
  const listed = (presence) => presence.list((id, { metas }) => `${id}:${metas.length}`).sort().join(",");
  const synced = (presence) =>
    new Promise((resolve) => {
      const check = () => listed(presence) === "a:1,b:1" && resolve();
      presence.onSync(check);
      check();
    });
  for (const p of [presenceA, presenceB]) {
    await new Promise((resolve, reject) => p.channel.join().receive("ok", resolve).receive("error", reject).receive("timeout", () => reject("timeout"))).catch((e) => fail("join presence", e));
  }
  await Promise.race([Promise.all([synced(presenceA), synced(presenceB)]), timeout(5000, "presence sync")]).catch((e) =>
    fail("presence sync", { a: listed(presenceA), b: listed(presenceB), error: e.message }));
  const bGone = new Promise((resolve) => presenceA.onLeave((id) => id === "b" && resolve()));
  presenceB.channel.leave();
  await Promise.race([bGone, timeout(5000, "presence leave")]).catch((e) => fail("presence leave", e.message));
  if (listed(presenceA) !== "a:1") fail("presence after leave", listed(presenceA));

  // Own user topic joins; another user's is refused.
  await join(a, "user:a").catch((e) => fail("join own user topic", e));
  const refused = await join(a, "user:b").then(() => null, (e) => e);
  if (!refused || refused.reason !== "unauthorized") fail("join other user topic", refused);

  // Leave, miss two messages, rejoin with the last offset seen: both arrive, in order.
  await new Promise((resolve, reject) => roomA.leave().receive("ok", resolve).receive("timeout", () => reject("timeout"))).catch((e) => fail("leave", e));
  for (const content of ["missed 1", "missed 2"]) {
    await push(roomB, "new_message", { content }).catch((e) => fail("new_message while away", e));
  }
  const recovered = [];
  const rejoined = a.channel("room:compat", { last_offset: sent.offset });
  rejoined.on("new_message", (m) => recovered.push(m));
  const reply = await new Promise((resolve, reject) =>
    rejoined.join().receive("ok", resolve).receive("error", reject).receive("timeout", () => reject("timeout"))).catch((e) => fail("rejoin", e));
  if (reply.recovered !== true) fail("rejoin reply", reply);
  const deadline = Date.now() + 5000;
  while (recovered.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  const contents = recovered.map((m) => m.content).join("|");
  if (contents !== "missed 1|missed 2") fail("recovery", recovered);
  if (recovered[0].offset !== sent.offset + 1 || recovered[1].offset !== sent.offset + 2) fail("recovery offsets", recovered);

  a.disconnect();
  b.disconnect();
  console.log("phoenix client: all steps passed");
  process.exit(0);
}

main().catch((e) => fail("unexpected", e?.message ?? e));
