// Kafka readiness probe with no dependencies: sends one Metadata request (v4, the oldest version
// Kafka 4 still accepts) and succeeds when the broker answers, lists itself and knows its active
// controller, i.e. the KRaft quorum is up and the broker has caught up with it.
// Usage: node metadata-check.mjs HOST PORT [TIMEOUT_MS]
import net from 'node:net';

const [host = '127.0.0.1', port = '9092', timeoutMs = '3000'] = process.argv.slice(2);
const fail = (msg) => {
  console.error(`kafka not ready at ${host}:${port}: ${msg}`);
  process.exit(1);
};

// Request header v1 (api_key, api_version, correlation_id, client_id) + Metadata v4 body
// (topics = null meaning "no topic list needed", allow_auto_topic_creation = false).
const clientId = Buffer.from('citypulse-ready');
const body = Buffer.alloc(2 + 2 + 4 + 2 + clientId.length + 4 + 1);
let o = 0;
o = body.writeInt16BE(3, o); // ApiKey Metadata
o = body.writeInt16BE(4, o); // version
o = body.writeInt32BE(42, o); // correlation id
o = body.writeInt16BE(clientId.length, o);
o += clientId.copy(body, o);
o = body.writeInt32BE(0, o); // empty topic list: brokers and controller only
body.writeInt8(0, o);
const size = Buffer.alloc(4);
size.writeInt32BE(body.length);

const socket = net.connect({ host, port: Number(port) });
socket.setTimeout(Number(timeoutMs), () => fail('timed out'));
socket.on('error', (e) => fail(e.message));
socket.on('connect', () => socket.write(Buffer.concat([size, body])));

let buf = Buffer.alloc(0);
socket.on('data', (chunk) => {
  buf = Buffer.concat([buf, chunk]);
  if (buf.length < 4 || buf.length < 4 + buf.readInt32BE(0)) return;
  socket.destroy();
  let p = 4;
  const str = () => {
    const n = buf.readInt16BE(p);
    p += 2;
    if (n < 0) return null;
    const s = buf.toString('utf8', p, p + n);
    p += n;
    return s;
  };
  if (buf.readInt32BE(p) !== 42) fail('bad correlation id');
  p += 4 + 4; // correlation id, throttle_time_ms
  const brokers = [];
  for (let n = buf.readInt32BE(p), i = ((p += 4), 0); i < n; i++) {
    const id = buf.readInt32BE(p);
    p += 4;
    const h = str();
    const prt = buf.readInt32BE(p);
    p += 4;
    str(); // rack
    brokers.push(`${id}@${h}:${prt}`);
  }
  const clusterId = str();
  const controllerId = buf.readInt32BE(p);
  if (brokers.length === 0) fail('no brokers in metadata');
  if (controllerId < 0) fail('no active controller yet');
  console.log(
    `kafka ready: cluster ${clusterId}, brokers ${brokers.join(',')}, controller ${controllerId}`,
  );
});
