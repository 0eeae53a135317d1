import 'reflect-metadata';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import SwaggerParser from '@apidevtools/swagger-parser';
import { Controller, Get, Module, Param, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ApiOkResponse, ApiParam } from '@nestjs/swagger';
import type { OpenAPIV3 } from 'openapi-types';
import { defineModel, ValidQuery } from './decorators';
import { integerParam, instantParam, type QueryValues } from './query-params';
import { responseChecker } from './response-check';
import { KEEP_ALIVE_MS, setupRestApi } from './rest-api';
import { documentationGaps, servedRoutes } from './routes';

const LIST_QUERY = {
  from: instantParam('first instant'),
  limit: integerParam({ description: 'page size', min: 1, max: 100, default: 10 }),
};
const Thing = defineModel('Thing', {
  id: { type: 'string' },
  at: { type: 'string', format: 'date-time', nullable: true },
});

@Controller('things')
class ThingsController {
  @Get()
  @ApiOkResponse({ type: Thing, isArray: true })
  list(@ValidQuery(LIST_QUERY) q: QueryValues<typeof LIST_QUERY>) {
    return [{ id: `limit ${q.limit}`, at: q.from?.toISOString() ?? null }];
  }

  @Get(':id')
  @ApiParam({ name: 'id', schema: { type: 'string' } })
  @ApiOkResponse({ type: Thing })
  one(@Param('id') id: string) {
    return { id, at: null };
  }
}

@Module({ controllers: [ThingsController] })
class ThingsModule {}

describe('setupRestApi', () => {
  let app: INestApplication;
  let base: string;

  beforeAll(async () => {
    app = await NestFactory.create(ThingsModule, { logger: false });
    setupRestApi(app, { title: 'things', description: 'test API', version: '1' });
    await app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${((app.getHttpServer() as Server).address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await app.close();
  });

  const get = async (path: string) => {
    const res = await fetch(`${base}${path}`);
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it('hands the handler the checked values', async () => {
    expect(await get('/things?from=0&limit=3')).toEqual({
      status: 200,
      body: [{ id: 'limit 3', at: '1970-01-01T00:00:00.000Z' }],
    });
    expect((await get('/things')).body).toEqual([{ id: 'limit 10', at: null }]);
  });

  it.each([
    ['/things?from[$gt]=1', 'from[$gt]'],
    ['/things?limit=1&limit=2', 'limit'],
    ['/things?limit=101', 'limit'],
    ['/things?sort=id', 'sort'],
    // a route without a declaration takes no query parameters
    ['/things/a?from[$gt]=1', 'from[$gt]'],
    ['/things/a?verbose=1', 'verbose'],
  ])('GET %s is a 400 naming %s', async (path, parameter) => {
    const { status, body } = await get(path);
    expect(status).toBe(400);
    expect(body).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      message: expect.stringContaining(parameter),
      problems: [{ in: 'query', parameter, message: expect.any(String) }],
    });
  });

  it('serves a valid OpenAPI document describing every route it serves', async () => {
    const doc = (await get('/openapi.json')).body as unknown as OpenAPIV3.Document;
    await SwaggerParser.validate(structuredClone(doc) as never);
    expect(servedRoutes(app)).toEqual([
      { method: 'get', path: '/things' },
      { method: 'get', path: '/things/{id}' },
    ]);
    expect(documentationGaps(doc as never, servedRoutes(app))).toEqual([]);
    const bare = structuredClone(doc);
    delete bare.paths['/things/{id}']?.get?.parameters;
    delete bare.paths['/things']?.get?.responses['200'];
    expect(
      documentationGaps(bare as never, [...servedRoutes(app), { method: 'post', path: '/things' }]),
    ).toEqual([
      'GET /things: no success response with a JSON schema',
      'GET /things/{id}: path parameter id is not described',
      'POST /things is not in the document',
    ]);
    const list = doc.paths['/things']?.get;
    expect(list?.parameters).toEqual([
      {
        name: 'from',
        in: 'query',
        required: false,
        description: 'first instant',
        schema: { type: 'string', example: '2026-01-05T08:00:00Z' },
      },
      {
        name: 'limit',
        in: 'query',
        required: false,
        description: 'page size',
        schema: { type: 'integer', minimum: 1, maximum: 100, default: 10 },
      },
    ]);
    expect(list?.responses['400']).toEqual({
      description: expect.any(String),
      content: { 'application/json': { schema: { $ref: '#/components/schemas/ProblemBody' } } },
    });
    expect(doc.components?.schemas?.Thing).toEqual({
      type: 'object',
      properties: {
        id: { type: 'string' },
        at: { type: 'string', format: 'date-time', nullable: true },
      },
      required: ['id', 'at'],
    });
  });

  it('keeps idle connections longer than Node`s 5 s (a reused one was reset under load)', () => {
    expect((app.getHttpServer() as Server).keepAliveTimeout).toBe(KEEP_ALIVE_MS);
  });

  it('checks answers against the documented response schemas', async () => {
    const check = responseChecker((await get('/openapi.json')).body as never);
    expect(check('get', '/things', 200, (await get('/things?from=0')).body)).toEqual([]);
    expect(check('get', '/things', 400, (await get('/things?x=1')).body)).toEqual([]);
    expect(check('get', '/things/{id}', 200, { id: 'a', at: 'yesterday' })).toEqual([
      'get /things/{id} 200: /at must match format "date-time"',
    ]);
    expect(check('get', '/things/{id}', 200, { id: 1 })).toEqual([
      "get /things/{id} 200: / must have required property 'at'",
      'get /things/{id} 200: /id must be string',
    ]);
    expect(check('get', '/things/{id}', 404, {})).toEqual([
      'get /things/{id} 404: no schema in the document',
    ]);
  });

  it('serves the interactive docs', async () => {
    const res = await fetch(`${base}/docs`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('swagger-ui');
  });
});
