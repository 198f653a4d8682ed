// Drives a node with the official `phoenix` client, unchanged, over `ws`.
// Env: ARMORICORE_URL (ws://127.0.0.1:PORT/socket), TOKEN_A, TOKEN_B (users a and b).
// Exits 0 when every step passed; prints the failing step and exits 1 otherwise.
import { Socket } from "phoenix";
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

function join(socket, topic) {
  const channel = socket.channel(topic, {});
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

  // Own user topic joins; another user's is refused.
  await join(a, "user:a").catch((e) => fail("join own user topic", e));
  const refused = await join(a, "user:b").then(() => null, (e) => e);
  if (!refused || refused.reason !== "unauthorized") fail("join other user topic", refused);

  // Leave and rejoin.
  await new Promise((resolve, reject) => roomA.leave().receive("ok", resolve).receive("timeout", () => reject("timeout"))).catch((e) => fail("leave", e));
  await join(a, "room:compat").catch((e) => fail("rejoin", e));

  a.disconnect();
  b.disconnect();
  console.log("phoenix client: all steps passed");
  process.exit(0);
}

main().catch((e) => fail("unexpected", e?.message ?? e));
