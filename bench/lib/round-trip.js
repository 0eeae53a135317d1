'use strict';
/**
 * The broker's own produce -> consume round trip, measured the way the services talk to it
 * (kafkajs, acks=all, a consumer in a group): records stamped with their send time go to a topic
 * of their own at a fixed rate, a consumer in the same process reads them back, and each record's
 * latency is the time from its send to its arrival. Stages compare their latencies with it: the
 * limits stage at the rate the latency stages use, those stages with a light probe beside their load.
 */
const { ensureTopics } = require('./common').e2eRequire('@citypulse/kafka');
const { summary, sleep } = require('./common');

const TICK_MS = 10;

class RoundTripProbe {
  /**
   * @param {{ kafka: import('kafkajs').Kafka, topic: string, rate: number, recordBytes?: number,
   *           partitions?: number }} opts  rate: records/s; recordBytes: value size (default 100)
   */
  constructor(opts) {
    this.opts = { recordBytes: 100, partitions: 3, ...opts };
    this.latencies = [];
    this.sent = 0;
    this.received = 0;
    this.measuring = false;
  }

  async start() {
    const { kafka, topic, partitions } = this.opts;
    await ensureTopics(kafka, [{ topic, partitions }]);
    this.producer = kafka.producer({
      allowAutoTopicCreation: false,
      idempotent: true,
      maxInFlightRequests: 1,
    });
    this.consumer = kafka.consumer({ groupId: `${topic}-reader`, maxWaitTimeInMs: 100 });
    await Promise.all([this.producer.connect(), this.consumer.connect()]);
    await this.consumer.subscribe({ topic, fromBeginning: true });
    let joined;
    const ready = new Promise((r) => (joined = r));
    this.consumer.on(this.consumer.events.GROUP_JOIN, () => joined());
    await this.consumer.run({
      eachBatch: async ({ batch }) => {
        const now = performance.timeOrigin + performance.now();
        for (const m of batch.messages) {
          this.received++;
          const sentAt = m.value.readDoubleBE(0);
          if (this.measuring && sentAt >= this.from) this.latencies.push(now - sentAt);
        }
      },
    });
    await ready;
    this.running = true;
    this.loop = this.sendLoop();
    return this;
  }

  /** Latencies count from now on (after a warm-up). */
  measure() {
    this.from = performance.timeOrigin + performance.now();
    this.measuring = true;
    this.sentAtMeasure = this.sent;
  }

  async sendLoop() {
    const { topic, rate, recordBytes } = this.opts;
    const inFlight = new Set();
    let due = 0;
    let next = Date.now();
    while (this.running) {
      due += (rate * TICK_MS) / 1000;
      const n = Math.floor(due);
      due -= n;
      if (n > 0) {
        const messages = [];
        const at = performance.timeOrigin + performance.now();
        for (let i = 0; i < n; i++) {
          const value = Buffer.alloc(recordBytes);
          value.writeDoubleBE(at, 0);
          messages.push({ value });
        }
        this.sent += n;
        // pipelined like the services' producers: up to 8 requests waiting, the next tick goes on
        const p = this.producer
          .send({ topic, acks: -1, messages })
          .finally(() => inFlight.delete(p));
        inFlight.add(p);
        if (inFlight.size >= 8) await Promise.race(inFlight);
      }
      next += TICK_MS;
      const wait = next - Date.now();
      if (wait > 0) await sleep(wait);
    }
    await Promise.allSettled(inFlight);
  }

  /** Stops sending, waits for the last records (up to 5 s), returns the summary. */
  async stop() {
    this.running = false;
    await this.loop;
    const sentAtStop = this.sent;
    const deadline = Date.now() + 5_000;
    while (this.received < sentAtStop && Date.now() < deadline) await sleep(50);
    const seconds = (performance.timeOrigin + performance.now() - (this.from ?? 0)) / 1000;
    const result = {
      ...summary(this.latencies),
      rate: this.opts.rate,
      sentPerSecond: this.from ? Math.round((sentAtStop - this.sentAtMeasure) / seconds) : null,
      lost: sentAtStop - this.received,
    };
    await Promise.allSettled([this.consumer.disconnect(), this.producer.disconnect()]);
    const admin = this.opts.kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [this.opts.topic] }).catch(() => undefined);
    await admin.deleteGroups([`${this.opts.topic}-reader`]).catch(() => undefined);
    await admin.disconnect();
    return result;
  }
}

/** The round trip at `rate` records/s: `warmupS` unmeasured, then `seconds` measured. */
async function measureRoundTrip({ kafka, topic, rate, seconds, warmupS = 3, recordBytes }) {
  const probe = await new RoundTripProbe({ kafka, topic, rate, recordBytes }).start();
  await sleep(warmupS * 1000);
  probe.measure();
  await sleep(seconds * 1000);
  return probe.stop();
}

module.exports = { RoundTripProbe, measureRoundTrip };
