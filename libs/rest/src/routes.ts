import type { INestApplication } from '@nestjs/common';
import { DOCS_PATH, OPENAPI_PATH } from './rest-api';

/** A route the HTTP server answers: method (lower case) and path in OpenAPI form (`/a/{id}`). */
export interface ServedRoute {
  method: string;
  path: string;
}

interface ExpressLayer {
  route?: { path: unknown; methods: Record<string, boolean> };
}

/**
 * Every route the app's HTTP server (express, under Nest) has registered, read from its router —
 * what is really served, not what the controllers' metadata says — without the API description's
 * own routes (/openapi.json, /docs). Tests compare it with the OpenAPI document.
 */
export function servedRoutes(app: INestApplication): ServedRoute[] {
  const instance = app.getHttpAdapter().getInstance() as { router?: { stack: ExpressLayer[] } };
  const stack = instance.router?.stack;
  if (!stack) throw new Error('servedRoutes: not an express application (no router stack)');
  const own = (path: string) =>
    path === OPENAPI_PATH || path === DOCS_PATH || path.startsWith(`${DOCS_PATH}/`);
  return stack.flatMap((layer) => {
    const route = layer.route;
    if (!route || typeof route.path !== 'string' || own(route.path)) return [];
    const path = route.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    return Object.keys(route.methods)
      .filter((m) => route.methods[m] && m !== '_all')
      .map((method) => ({ method, path }));
  });
}

/** The OpenAPI document as far as `documentationGaps` reads it. */
export interface DocumentedPaths {
  paths: Record<
    string,
    Record<
      string,
      {
        parameters?: Array<{ in: string; name: string; schema?: unknown } | { $ref: string }>;
        responses?: Record<string, { content?: Record<string, { schema?: unknown }> }>;
      }
    >
  >;
}

/**
 * What the document does not say about the routes served, one sentence each (none: every route
 * is described): an operation for each route and method, each path parameter with a schema,
 * a success response with a JSON schema, and the 400.
 */
export function documentationGaps(doc: DocumentedPaths, routes: readonly ServedRoute[]): string[] {
  const gaps: string[] = [];
  for (const { method, path } of routes) {
    const op = doc.paths[path]?.[method];
    const route = `${method.toUpperCase()} ${path}`;
    if (!op) {
      gaps.push(`${route} is not in the document`);
      continue;
    }
    const params = (op.parameters ?? []).flatMap((p) => ('$ref' in p ? [] : [p]));
    for (const [, name] of path.matchAll(/\{([^}]+)\}/g)) {
      if (!params.some((p) => p.in === 'path' && p.name === name && p.schema))
        gaps.push(`${route}: path parameter ${name} is not described`);
    }
    const responses = op.responses ?? {};
    const ok = Object.keys(responses).filter((s) => /^2\d\d$/.test(s));
    if (!ok.some((s) => responses[s].content?.['application/json']?.schema))
      gaps.push(`${route}: no success response with a JSON schema`);
    if (!responses['400']?.content?.['application/json']?.schema)
      gaps.push(`${route}: the 400 is not described`);
  }
  return gaps;
}
