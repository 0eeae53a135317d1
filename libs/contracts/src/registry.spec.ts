import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SchemaRegistryClient, SchemaRegistryError } from './registry';

/** A registry on loopback that answers each request with `answer` (raw socket access included). */
async function withServer(
  answer: (req: http.IncomingMessage, res: http.ServerResponse) => void,
  test: (client: SchemaRegistryClient) => Promise<void>,
): Promise<void> {
  const server = http.createServer(answer);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  try {
    await test(new SchemaRegistryClient({ url: `http://127.0.0.1:${port}`, timeoutMs: 5_000 }));
  } finally {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  }
}

const JSON_TYPE = { 'Content-Type': 'application/vnd.schemaregistry.v1+json' };

describe('SchemaRegistryClient', () => {
  it('reads a schema by id', async () => {
    await withServer(
      (req, res) => {
        expect(req.url).toBe('/schemas/ids/7');
        res.writeHead(200, JSON_TYPE).end(JSON.stringify({ schema: '"string"' }));
      },
      async (c) => expect(await c.schemaById(7)).toEqual({ schema: '"string"' }),
    );
  });

  it('turns a body that breaks off after a 200 into a retriable SchemaRegistryError (status 0)', async () => {
    await withServer(
      (_req, res) => {
        // 500 bytes promised, 20 sent, then the connection is reset
        res.writeHead(200, { ...JSON_TYPE, 'Content-Length': '500' });
        res.write('{"schema":"{\\"type\\":');
        setTimeout(() => res.socket?.destroy(), 20);
      },
      async (c) => {
        const err = await c.schemaById(7).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(SchemaRegistryError);
        expect(err).toMatchObject({ status: 0, retriable: true, code: 'REGISTRY_UNAVAILABLE' });
        expect((err as Error).message).toMatch(
          /unreachable: GET \/schemas\/ids\/7 -> HTTP 200, then the body broke off/,
        );
      },
    );
  });

  it('turns a 200 whose body is not JSON into a retriable SchemaRegistryError', async () => {
    await withServer(
      (_req, res) => res.writeHead(200, { 'Content-Type': 'text/html' }).end('<html>proxy</html>'),
      async (c) => {
        const err = await c.schemaById(7).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(SchemaRegistryError);
        expect(err).toMatchObject({ status: 0, retriable: true });
        expect((err as Error).message).toMatch(/not JSON: <html>proxy<\/html>/);
      },
    );
  });

  it('reports a 404 as notFound, not retriable', async () => {
    await withServer(
      (_req, res) =>
        res
          .writeHead(404, JSON_TYPE)
          .end(JSON.stringify({ error_code: 40403, message: 'Schema 7 not found' })),
      async (c) => {
        const err = await c.schemaById(7).catch((e: unknown) => e);
        expect(err).toMatchObject({
          status: 404,
          notFound: true,
          retriable: false,
          errorCode: 40403,
        });
        expect((err as Error).message).toMatch(/HTTP 404: Schema 7 not found/);
      },
    );
  });
});
