// k6, small-scale idle scenario: SOCKETS sockets (default 500) connect, join TOPIC, send a
// heartbeat every 30 s and stay HOLD seconds (default 70, past the node's 60 s idle
// timeout); counts joins and sockets the server closed early.
//
//   k6 run -e URL=ws://127.0.0.1:4000/socket/websocket?vsn=2.0.0 -e TOKEN=$JWT loadtest/k6/idle.js
import { WebSocket } from 'k6/experimental/websockets';
import { Counter, Trend } from 'k6/metrics';
import { heartbeatFrame, isJoinOk, joinFrame, socketUrl, TOPIC } from './common.js';

const SOCKETS = Number(__ENV.SOCKETS || 500);
const HOLD_S = Number(__ENV.HOLD || 70);

const joined = new Counter('sockets_joined');
const closedEarly = new Counter('sockets_closed_early');
const joinTime = new Trend('join_time', true);

export const options = {
  scenarios: {
    idle: {
      executor: 'per-vu-iterations',
      vus: SOCKETS,
      iterations: 1,
      maxDuration: `${HOLD_S + 60}s`,
    },
  },
  thresholds: {
    sockets_joined: [`count>=${SOCKETS}`],
    sockets_closed_early: ['count==0'],
  },
};

export default function () {
  const started = Date.now();
  const ws = new WebSocket(socketUrl());
  let done = false;
  let ref = 1;
  let beat = null;
  ws.onopen = () => ws.send(joinFrame(TOPIC));
  ws.onmessage = (e) => {
    if (isJoinOk(e.data)) {
      joined.add(1);
      joinTime.add(Date.now() - started);
    }
  };
  ws.onclose = () => {
    if (!done) closedEarly.add(1);
    if (beat) clearInterval(beat);
  };
  ws.onerror = () => {};
  beat = setInterval(() => ws.send(heartbeatFrame(++ref)), 30_000);
  setTimeout(() => {
    done = true;
    clearInterval(beat);
    ws.close();
  }, HOLD_S * 1000);
}
