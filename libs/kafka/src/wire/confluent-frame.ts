import { DecodeError } from '../errors';

/**
 * Confluent wire format: one magic byte (0), the schema id as a 4-byte big-endian integer, then the
 * Avro binary payload. Pure functions, no registry involved.
 */
export const MAGIC_BYTE = 0;
export const FRAME_HEADER_LENGTH = 5;

export function encodeFrame(schemaId: number, payload: Buffer): Buffer {
  if (!Number.isInteger(schemaId) || schemaId < 0 || schemaId > 0x7fffffff) {
    throw new RangeError(`schema id must be a non-negative 32-bit integer, got ${schemaId}`);
  }
  const out = Buffer.allocUnsafe(FRAME_HEADER_LENGTH + payload.length);
  out[0] = MAGIC_BYTE;
  out.writeInt32BE(schemaId, 1);
  payload.copy(out, FRAME_HEADER_LENGTH);
  return out;
}

/** The schema id, or undefined when the bytes are not a Confluent frame. Never throws. */
export function peekSchemaId(buf: Buffer | null | undefined): number | undefined {
  if (!buf || buf.length < FRAME_HEADER_LENGTH || buf[0] !== MAGIC_BYTE) return undefined;
  return buf.readInt32BE(1);
}

export interface Frame {
  schemaId: number;
  /** A view on the input buffer, not a copy. */
  payload: Buffer;
}

export function decodeFrame(buf: Buffer | null | undefined): Frame {
  return { schemaId: frameSchemaId(buf), payload: buf!.subarray(FRAME_HEADER_LENGTH) };
}

/** The schema id of a Confluent frame; throws BAD_FRAME like decodeFrame. Makes no view. */
export function frameSchemaId(buf: Buffer | null | undefined): number {
  if (!buf || buf.length < FRAME_HEADER_LENGTH) {
    throw new DecodeError(
      'BAD_FRAME',
      `record too short for the Confluent wire format (${buf?.length ?? 0} bytes)`,
    );
  }
  if (buf[0] !== MAGIC_BYTE) {
    throw new DecodeError('BAD_FRAME', `unknown magic byte ${buf[0]} (expected ${MAGIC_BYTE})`);
  }
  const schemaId = buf.readInt32BE(1);
  if (schemaId < 0) throw new DecodeError('BAD_FRAME', `negative schema id ${schemaId}`);
  return schemaId;
}
