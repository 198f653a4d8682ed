// Node peer for the socket benchmarks (issue #4): a `ws` broadcast server speaking the
// Phoenix Channels V2 JSON subset the load generator and the k6 scripts use, with the node's
// frame and payload shapes.
//
// - Upgrade at /socket/websocket or /socket (the token is ignored); /health answers ok.
// - phx_join / phx_leave -> ok; heartbeat -> ok; new_message on a joined topic -> ok
//   {message_id, offset} and new_message {message_id, room_id, user_id, content, offset,
//   timestamp} to every socket of the topic.
// - A broadcast is serialised once into a Buffer and that Buffer is sent to each subscriber.
//
// Processes: WORKERS (default: one per core) `cluster` workers share the port (the primary
// hands out connections round-robin). A publish is delivered by the worker that received it
// to its own sockets and relayed through the primary to the other workers, which deliver it
// to theirs; offsets come from the primary so they are one sequence per room. WORKERS=1 runs
// a single process without cluster (the textbook `ws` server). The comparison in
// docs/benchmarks.md uses the default (2 workers on this 2-core machine), so that every
// server has both cores.
//
// Slow consumers: `ws` buffers without bound; a socket with more than 1 MiB buffered is
// terminated, the same bound the node applies (its outbox: 1 MiB or 1024 frames).

import cluster from 'node:cluster';
import http from 'node:http';
import os from 'node:os';
import { WebSocketServer } from 'ws';

const PORT = Number(process.env.PORT ?? 4000);
const HOST = process.env.HOST ?? '127.0.0.1';
const WORKERS = Number(process.env.WORKERS ?? os.availableParallelism());
const MAX_BUFFERED = 1 << 20;

if (WORKERS > 1 && cluster.isPrimary) {
  const offsets = new Map();
  const workers = [];
  for (let i = 0; i < WORKERS; i++) workers.push(cluster.fork());
  for (const w of workers) {
    w.on('message', (m) => {
      if (m.kind === 'publish') {
        // Number the message, tell the origin (it replies and delivers locally) and relay.
        const offset = (offsets.get(m.topic) ?? 0) + 1;
        offsets.set(m.topic, offset);
        const msg = { ...m, kind: 'deliver', offset, timestamp: new Date().toISOString() };
        for (const other of workers) other.send(msg);
      }
    });
  }
  console.error(`node-peer listening on ${HOST}:${PORT} with ${WORKERS} cluster workers`);
  const stop = () => { for (const w of workers) w.kill(); process.exit(0); };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
} else {
  serve();
}

function serve() {
  const rooms = new Map(); // topic -> Set<WebSocket>
  const pendingReplies = new Map(); // request id -> (offset, message_id) => void
  let localOffsets = new Map();
  let nextRequest = 0;

  const deliver = (topic, payload) => {
    const room = rooms.get(topic);
    if (!room || room.size === 0) return;
    const frame = Buffer.from(JSON.stringify([null, null, topic, 'new_message', payload]));
    for (const ws of room) {
      if (ws.bufferedAmount > MAX_BUFFERED) {
        ws.terminate();
        continue;
      }
      ws.send(frame, { binary: false });
    }
  };

  const publish = (topic, user, content, reply) => {
    if (WORKERS > 1) {
      const id = ++nextRequest;
      pendingReplies.set(`${process.pid}:${id}`, reply);
      process.send({ kind: 'publish', origin: `${process.pid}:${id}`, topic, user, content });
    } else {
      const offset = (localOffsets.get(topic) ?? 0) + 1;
      localOffsets.set(topic, offset);
      const message_id = `peer-${offset}`;
      reply(offset, message_id);
      deliver(topic, payloadOf(topic, user, content, offset, message_id, new Date().toISOString()));
    }
  };

  if (WORKERS > 1) {
    process.on('message', (m) => {
      if (m.kind !== 'deliver') return;
      const message_id = `peer-${m.offset}`;
      const reply = pendingReplies.get(m.origin);
      if (reply) {
        pendingReplies.delete(m.origin);
        reply(m.offset, message_id);
      }
      deliver(m.topic, payloadOf(m.topic, m.user, m.content, m.offset, message_id, m.timestamp));
    });
  }

  const server = http.createServer((req, res) => {
    res.writeHead(req.url === '/health' ? 200 : 404).end(req.url === '/health' ? 'ok' : '');
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1 << 20 });
  server.on('upgrade', (req, socket, head) => {
    const path = req.url.split('?')[0];
    if (path !== '/socket/websocket' && path !== '/socket') {
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => session(ws));
  });
  server.listen(PORT, HOST, () => {
    if (WORKERS <= 1) console.error(`node-peer listening on ${HOST}:${PORT} (single process)`);
  });

  function session(ws) {
    const joined = new Set();
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      let msg;
      try {
        msg = JSON.parse(data);
      } catch {
        return;
      }
      if (!Array.isArray(msg) || msg.length !== 5) return;
      const [joinRef, ref, topic, event, payload] = msg;
      const reply = (status, response) =>
        ws.send(JSON.stringify([joinRef, ref, topic, 'phx_reply', { status, response }]));
      if (topic === 'phoenix' && event === 'heartbeat') return reply('ok', {});
      if (event === 'phx_join') {
        let room = rooms.get(topic);
        if (!room) rooms.set(topic, (room = new Set()));
        room.add(ws);
        joined.add(topic);
        return reply('ok', {});
      }
      if (event === 'phx_leave') {
        rooms.get(topic)?.delete(ws);
        joined.delete(topic);
        return reply('ok', {});
      }
      if (!joined.has(topic)) return reply('error', { reason: 'unmatched topic' });
      if (event === 'new_message') {
        const content = payload?.content;
        if (typeof content !== 'string' || content.length === 0) {
          return reply('error', { reason: 'invalid content' });
        }
        return publish(topic, 'peer-user', content, (offset, message_id) =>
          reply('ok', { message_id, offset }),
        );
      }
      return reply('error', { reason: 'unsupported event' });
    });
    ws.on('close', () => {
      for (const topic of joined) rooms.get(topic)?.delete(ws);
    });
    ws.on('error', () => {});
  }
}

function payloadOf(topic, user, content, offset, message_id, timestamp) {
  const room_id = topic.startsWith('room:') ? topic.slice(5) : topic;
  return { message_id, room_id, user_id: user, content, offset, timestamp };
}
