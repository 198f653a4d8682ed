// k6, small-scale fan-out: SUBSCRIBERS sockets (default 500) join TOPIC; after they are up
// (START_S, default 5 s), one publisher pushes RATE msg/s (default 20, the node allows 50 per
// socket) for DURATION s (default 20) with its send time in the content. Every subscriber
// records publish→receive latency in the Trend `delivery_latency` (ms; k6's clock has
// millisecond resolution) and counts deliveries.
//
//   k6 run -e URL=ws://127.0.0.1:4000/socket/websocket?vsn=2.0.0 -e TOKEN=$JWT loadtest/k6/fanout.js
import { WebSocket } from 'k6/experimental/websockets';
import { Counter, Trend } from 'k6/metrics';
import { heartbeatFrame, isJoinOk, joinFrame, pushFrame, sentNs, socketUrl, TOPIC } from './common.js';

const SUBSCRIBERS = Number(__ENV.SUBSCRIBERS || 500);
const RATE = Number(__ENV.RATE || 20);
const START_S = Number(__ENV.START_S || 5);
const DURATION_S = Number(__ENV.DURATION || 20);
const GRACE_S = 3;

const latency = new Trend('delivery_latency', true);
const deliveries = new Counter('deliveries');
const published = new Counter('published');
const acked = new Counter('publish_acked');
const joined = new Counter('sockets_joined');

export const options = {
  scenarios: {
    subscribers: {
      executor: 'per-vu-iterations',
      exec: 'subscriber',
      vus: SUBSCRIBERS,
      iterations: 1,
      maxDuration: `${START_S + DURATION_S + GRACE_S + 30}s`,
    },
    publisher: {
      executor: 'per-vu-iterations',
      exec: 'publisher',
      vus: 1,
      iterations: 1,
      startTime: `${START_S}s`,
      maxDuration: `${DURATION_S + GRACE_S + 30}s`,
    },
  },
  thresholds: {
    sockets_joined: [`count>=${SUBSCRIBERS}`],
  },
};

export function subscriber() {
  const ws = new WebSocket(socketUrl());
  ws.onopen = () => ws.send(joinFrame(TOPIC));
  ws.onmessage = (e) => {
    const sent = sentNs(e.data);
    if (sent !== null) {
      deliveries.add(1);
      latency.add(Date.now() - sent / 1e6);
    } else if (isJoinOk(e.data)) {
      joined.add(1);
    }
  };
  ws.onerror = () => {};
  const beat = setInterval(() => ws.send(heartbeatFrame(2)), 30_000);
  setTimeout(() => {
    clearInterval(beat);
    ws.close();
  }, (START_S + DURATION_S + GRACE_S) * 1000);
}

export function publisher() {
  const ws = new WebSocket(socketUrl());
  let ref = 10;
  let timer = null;
  ws.onopen = () => ws.send(joinFrame(TOPIC));
  ws.onmessage = (e) => {
    if (isJoinOk(e.data) && timer === null) {
      timer = setInterval(() => {
        const content = `${Date.now()}000000:xxxxxxxxxxxx`;
        ws.send(pushFrame(++ref, TOPIC, content));
        published.add(1);
      }, 1000 / RATE);
      setTimeout(() => clearInterval(timer), DURATION_S * 1000);
    } else if (e.data.includes('"phx_reply"') && e.data.includes('"message_id"')) {
      acked.add(1);
    }
  };
  ws.onerror = () => {};
  setTimeout(() => ws.close(), (DURATION_S + GRACE_S) * 1000);
}
