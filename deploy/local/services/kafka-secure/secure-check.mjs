// Readiness probe of the secured broker, with no dependencies: a TLS connection that must verify
// against the stack's CA (hostname included), SASL/SCRAM-SHA-512 authentication as the client user
// (RFC 5802/7677 over SaslHandshake v1 + SaslAuthenticate v1, the server's signature checked too),
// then the same Metadata check as the plaintext broker's. Ready means a client with these
// credentials and this CA gets in.
// Usage: KAFKA_SECURE_USERNAME=... KAFKA_SECURE_PASSWORD=... node secure-check.mjs HOST PORT CA_FILE [TIMEOUT_MS]
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import tls from 'node:tls';
import { checkMetadata, opened, reader, request, responses } from '../kafka/kafka-wire.mjs';

const [host = '127.0.0.1', port = '9096', caFile, timeoutMs = '5000'] = process.argv.slice(2);
const username = process.env.KAFKA_SECURE_USERNAME ?? '';
const password = process.env.KAFKA_SECURE_PASSWORD ?? '';
const MECHANISM = 'SCRAM-SHA-512';

const hmac = (key, text) => createHmac('sha512', key).update(text).digest();
const str = (s) => {
  const b = Buffer.from(s);
  const out = Buffer.alloc(2 + b.length);
  out.writeInt16BE(b.length);
  b.copy(out, 2);
  return out;
};
const bytes = (b) => {
  const out = Buffer.alloc(4 + b.length);
  out.writeInt32BE(b.length);
  b.copy(out, 4);
  return out;
};
const attrs = (msg) => Object.fromEntries(msg.split(',').map((kv) => [kv[0], kv.slice(2)]));

/** One SaslAuthenticate v1 round trip: our bytes out, the server's back (or its error). */
async function authenticate(socket, next, id, payload) {
  socket.write(request(36, 1, id, bytes(Buffer.from(payload))));
  const r = reader(await next(id));
  const code = r.int16();
  const message = r.string();
  const answer = r.bytes();
  if (code !== 0) throw new Error(`authentication failed (error ${code}): ${message}`);
  return answer.toString('utf8');
}

async function scram(socket, next) {
  socket.write(request(17, 1, 1, str(MECHANISM)));
  const hs = reader(await next(1));
  if (hs.int16() !== 0) throw new Error(`the broker does not offer ${MECHANISM}`);
  const nonce = randomBytes(24).toString('base64');
  const name = username.replace(/=/g, '=3D').replace(/,/g, '=2C');
  const clientFirstBare = `n=${name},r=${nonce}`;
  const serverFirst = await authenticate(socket, next, 2, `n,,${clientFirstBare}`);
  const { r, s, i } = attrs(serverFirst);
  if (!r?.startsWith(nonce)) throw new Error('the server nonce does not extend ours');
  const salted = pbkdf2Sync(password, Buffer.from(s, 'base64'), Number(i), 64, 'sha512');
  const clientKey = hmac(salted, 'Client Key');
  const withoutProof = `c=biws,r=${r}`;
  const authMessage = `${clientFirstBare},${serverFirst},${withoutProof}`;
  const signature = hmac(createHash('sha512').update(clientKey).digest(), authMessage);
  const proof = Buffer.from(clientKey.map((b, k) => b ^ signature[k])).toString('base64');
  const serverFinal = await authenticate(socket, next, 3, `${withoutProof},p=${proof}`);
  const expected = hmac(hmac(salted, 'Server Key'), authMessage).toString('base64');
  if (attrs(serverFinal).v !== expected) throw new Error('the server signature does not verify');
}

const fail = (msg) => {
  console.error(`secured kafka not ready at ${host}:${port}: ${msg}`);
  process.exit(1);
};
if (!caFile || !username || !password)
  fail(
    'usage: KAFKA_SECURE_USERNAME=... KAFKA_SECURE_PASSWORD=... secure-check.mjs HOST PORT CA_FILE',
  );
let ca;
try {
  ca = readFileSync(caFile, 'utf8');
} catch (e) {
  fail(`cannot read the CA ${caFile}: ${e.code ?? e.message}`);
}

const socket = tls.connect({ host, port: Number(port), ca });
const { next } = responses(socket, timeoutMs);
opened(socket, 'secureConnect')
  .then(() => scram(socket, next))
  .then(() => checkMetadata(socket, next, 4))
  .then(
    (summary) => {
      socket.destroy();
      console.log(`secured kafka ready (TLS verified, ${MECHANISM} as ${username}): ${summary}`);
    },
    (e) => {
      socket.destroy();
      fail(e.message);
    },
  );
