'use strict';
/**
 * Sends records at a fixed rate, the way the latency stages load the flow: every `tickMs` the
 * records due are built (`build(count, now)`, `now` being the send time they should carry) and
 * handed to the producer in one request; up to `maxInFlight` requests wait for their
 * acknowledgement at once, so the rate does not wait on each round trip. Returns what it sent.
 */
const { sleep } = require('./common');

/** Runs for `durationMs`, or while `keepGoing(now)` says so. */
async function sendPaced({
  producer,
  topic,
  rate,
  durationMs = Infinity,
  keepGoing = () => true,
  build,
  tickMs = 10,
  maxInFlight = 8,
  acks = -1,
  onTick,
}) {
  const inFlight = new Set();
  const started = Date.now();
  const end = started + durationMs;
  let next = started;
  let due = 0;
  let sent = 0;
  let failed;
  while (Date.now() < end && keepGoing(Date.now()) && !failed) {
    const now = Date.now();
    onTick?.(now);
    due += (rate * tickMs) / 1000;
    const n = Math.floor(due);
    due -= n;
    if (n > 0) {
      const messages = build(n, now);
      const p = producer
        .send({ topic, acks, messages })
        .catch((e) => (failed = e))
        .finally(() => inFlight.delete(p));
      inFlight.add(p);
      sent += messages.length;
      if (inFlight.size >= maxInFlight) await Promise.race(inFlight);
    }
    next += tickMs;
    const wait = next - Date.now();
    if (wait > 0) await sleep(wait);
  }
  await Promise.all(inFlight);
  if (failed) throw failed;
  const seconds = (Date.now() - started) / 1000;
  return { sent, seconds, perSecond: Math.round(sent / seconds) };
}

module.exports = { sendPaced };
