import { SchemaRegistryError } from '@citypulse/contracts';
import { AvroSerde, DecodeError, SchemaRegistryClient } from '@citypulse/kafka';
import { CliError, EXIT } from '../errors';
import type { Decoding } from './render';

/**
 * Decodes Confluent-framed Avro values with the platform's serde over the one registry client
 * (libs/contracts' SchemaRegistryClient): the writer schema by the id in the frame, so any topic's
 * values decode, contract or not. A value that is not a frame, names a schema id the registry does
 * not know, or is not valid Avro for its schema is a Decoding with its code; a registry that cannot
 * be reached (or refuses us) ends the command.
 */
export class RecordDecoder {
  private readonly serde: AvroSerde;

  constructor(private readonly registry: SchemaRegistryClient) {
    this.serde = new AvroSerde(registry);
  }

  async decode(value: Buffer): Promise<Decoding> {
    try {
      const d = await this.serde.decode(value);
      return { ok: true, schemaId: d.schemaId, value: d.value };
    } catch (e) {
      if (e instanceof DecodeError) {
        return { ok: false, code: e.code, message: e.message, schemaId: e.schemaId };
      }
      if (e instanceof SchemaRegistryError) {
        throw new CliError(`schema registry at ${this.registry.url}: ${e.message}`, EXIT.failure, {
          cause: e,
        });
      }
      throw e;
    }
  }
}
