// The Kafka sink lives in @citypulse/simulation; it stays importable from here for tools that
// send the generator's records themselves (e2e: `@citypulse/sensor-generator/dist/kafka/kafka-sink`).
export { KafkaRecordSink, KafkaStreamsSink } from '@citypulse/simulation';
