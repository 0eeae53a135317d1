// Kafka readiness probe with no dependencies: sends one Metadata request over a plain socket and
// succeeds when the broker answers, lists brokers and knows its active controller, i.e. the KRaft
// quorum is up and the broker has caught up with it (kafka-wire.mjs); given NODE_ID (a node of a
// cluster), when the broker of that id is listed too: registered and unfenced.
// Usage: node metadata-check.mjs HOST PORT [TIMEOUT_MS] [NODE_ID]
import net from 'node:net';
import { checkMetadata, opened, responses } from './kafka-wire.mjs';

const [host = '127.0.0.1', port = '9092', timeoutMs = '3000', nodeId] = process.argv.slice(2);

const socket = net.connect({ host, port: Number(port) });
const { next } = responses(socket, timeoutMs);
opened(socket, 'connect')
  .then(() => checkMetadata(socket, next, 42, nodeId === undefined ? undefined : Number(nodeId)))
  .then(
    (summary) => {
      socket.destroy();
      console.log(`kafka ready: ${summary}`);
    },
    (e) => {
      socket.destroy();
      console.error(`kafka not ready at ${host}:${port}: ${e.message}`);
      process.exit(1);
    },
  );
