// The few pieces of the Kafka protocol the stack's readiness probes speak, with no dependencies:
// request framing (header v1), reading whole responses off a socket, and Metadata v4 (the oldest
// version Kafka 4 still accepts). Used by metadata-check.mjs (plaintext) and by
// ../kafka-secure/secure-check.mjs (TLS + SASL/SCRAM first).

const CLIENT_ID = Buffer.from('citypulse-ready');

/** A size-prefixed request: header v1 (api key, version, correlation id, client id) + body. */
export function request(apiKey, version, correlationId, body) {
  const head = Buffer.alloc(2 + 2 + 4 + 2 + CLIENT_ID.length);
  let o = head.writeInt16BE(apiKey, 0);
  o = head.writeInt16BE(version, o);
  o = head.writeInt32BE(correlationId, o);
  o = head.writeInt16BE(CLIENT_ID.length, o);
  CLIENT_ID.copy(head, o);
  const size = Buffer.alloc(4);
  size.writeInt32BE(head.length + body.length);
  return Buffer.concat([size, head, body]);
}

/**
 * Reads responses off a connected socket: `next(correlationId)` resolves with the body of the next
 * whole response (after its correlation id, which must match). Socket errors and `timeoutMs`
 * reject it with a message that says what happened.
 */
export function responses(socket, timeoutMs) {
  let buf = Buffer.alloc(0);
  let waiting;
  let failure;
  const settle = () => {
    if (!waiting) return;
    if (failure) return waiting.reject(failure);
    if (buf.length < 4 || buf.length < 4 + buf.readInt32BE(0)) return;
    const n = buf.readInt32BE(0);
    const frame = buf.subarray(4, 4 + n);
    buf = buf.subarray(4 + n);
    const { resolve, reject, correlationId } = waiting;
    waiting = undefined;
    if (frame.readInt32BE(0) !== correlationId) reject(new Error('bad correlation id'));
    else resolve(frame.subarray(4));
  };
  const fail = (e) => {
    failure ??= e;
    settle();
  };
  socket.setTimeout(Number(timeoutMs), () => fail(new Error('timed out')));
  socket.on('error', fail);
  socket.on('close', () => fail(new Error('connection closed by the broker')));
  socket.on('data', (chunk) => {
    buf = Buffer.concat([buf, chunk]);
    settle();
  });
  return {
    next: (correlationId) =>
      new Promise((resolve, reject) => {
        waiting = { resolve, reject, correlationId };
        settle();
      }),
  };
}

/** Resolves once the socket emits `event` ('connect', or 'secureConnect' for TLS); rejects when it
 * fails or closes first. */
export function opened(socket, event) {
  return new Promise((resolve, reject) => {
    socket.once(event, resolve);
    socket.once('error', reject);
    socket.once('close', () => reject(new Error('connection closed')));
  });
}

/** A reader of the protocol's primitive types over a response body. */
export function reader(body) {
  let p = 0;
  const r = {
    int16: () => ((p += 2), body.readInt16BE(p - 2)),
    int32: () => ((p += 4), body.readInt32BE(p - 4)),
    int64: () => ((p += 8), body.readBigInt64BE(p - 8)),
    string: () => {
      const n = r.int16();
      if (n < 0) return null;
      p += n;
      return body.toString('utf8', p - n, p);
    },
    bytes: () => {
      const n = r.int32();
      if (n < 0) return null;
      p += n;
      return body.subarray(p - n, p);
    },
  };
  return r;
}

/** Metadata v4 with an empty topic list (brokers and controller only), no auto-creation. */
export const METADATA_BODY = Buffer.from([0, 0, 0, 0, 0]);

/** Sends a Metadata request and checks that the broker lists brokers and knows its active
 * controller (the KRaft quorum is up and the broker caught up with it) and, given `nodeId`, that
 * the broker of that id is among them (registered and unfenced: it serves its partitions); returns
 * a summary line. */
export async function checkMetadata(socket, next, correlationId = 42, nodeId = undefined) {
  socket.write(request(3, 4, correlationId, METADATA_BODY));
  const r = reader(await next(correlationId));
  r.int32(); // throttle_time_ms
  const brokers = [];
  const ids = [];
  for (let i = 0, n = r.int32(); i < n; i++) {
    const id = r.int32();
    ids.push(id);
    const host = r.string();
    const port = r.int32();
    r.string(); // rack
    brokers.push(`${id}@${host}:${port}`);
  }
  const clusterId = r.string();
  const controllerId = r.int32();
  if (brokers.length === 0) throw new Error('no brokers in metadata');
  if (controllerId < 0) throw new Error('no active controller yet');
  if (nodeId !== undefined && !ids.includes(nodeId))
    throw new Error(`broker ${nodeId} is not among the live brokers yet (${brokers.join(',')})`);
  return `cluster ${clusterId}, brokers ${brokers.join(',')}, controller ${controllerId}`;
}
