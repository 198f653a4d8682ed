// Shared by the k6 scripts: where to connect and the Phoenix V2 frames they send.
// Environment: URL (default ws://127.0.0.1:4000/socket/websocket?vsn=2.0.0), TOKEN (the
// node's JWT, `armoricore token --user bench`; the peers ignore it), TOPIC (room:bench).

export const TOPIC = __ENV.TOPIC || 'room:k6';

export function socketUrl() {
  const base = __ENV.URL || 'ws://127.0.0.1:4000/socket/websocket?vsn=2.0.0';
  if (!/^ws:\/\/(127\.0\.0\.1|localhost)[:/]/.test(base)) {
    throw new Error(`only loopback targets are allowed, not ${base}`);
  }
  const token = __ENV.TOKEN;
  return token ? `${base}${base.includes('?') ? '&' : '?'}token=${token}` : base;
}

export const joinFrame = (topic) => JSON.stringify(['1', '1', topic, 'phx_join', {}]);
export const heartbeatFrame = (ref) => JSON.stringify([null, String(ref), 'phoenix', 'heartbeat', {}]);
export const pushFrame = (ref, topic, content) =>
  JSON.stringify(['1', String(ref), topic, 'new_message', { content }]);

// A join reply is `["1","1",topic,"phx_reply",{"status":"ok",...}]`.
export function isJoinOk(data) {
  return data.startsWith('["1","1",') && data.includes('"phx_reply"') && data.includes('"status":"ok"');
}

// The send time (ns since the epoch) at the start of a broadcast's content, as the Rust load
// generator writes it (`<ns>:<padding>`); null for frames that are not broadcasts.
const CONTENT = /"content":"(\d+):/;
export function sentNs(data) {
  const m = CONTENT.exec(data);
  return m ? Number(m[1]) : null;
}
