import {
  createParamDecorator,
  SetMetadata,
  type ExecutionContext,
  type Type,
} from '@nestjs/common';
import { ApiProperty, ApiQuery, type ApiPropertyOptions } from '@nestjs/swagger';
import type { SchemaObject } from '@nestjs/swagger';
import { parseQuery, queryStringOf, type QueryParam, type QuerySpec } from './query-params';

/** Metadata key of a route handler's query declaration (read by StrictQueryInterceptor). */
export const QUERY_SPEC = 'citypulse:query-spec';

/** The part of an HTTP request the query parsing reads (express' request has it). */
export interface HasUrl {
  originalUrl?: string;
  url?: string;
}

/** A request's query string, checked against a declaration (throws InvalidRequestError). */
export function checkedQuery<Q extends QuerySpec>(req: HasUrl, spec: Q) {
  return parseQuery(queryStringOf(req.originalUrl ?? req.url ?? ''), spec);
}

const queryOf = createParamDecorator((spec: QuerySpec, ctx: ExecutionContext) =>
  checkedQuery(ctx.switchToHttp().getRequest<HasUrl>(), spec),
);

/** The OpenAPI schema of a declared query parameter. */
export function querySchema(p: QueryParam): SchemaObject {
  switch (p.kind) {
    case 'integer':
      return {
        type: 'integer',
        minimum: p.min,
        maximum: p.max,
        ...(p.default !== undefined && { default: p.default }),
      };
    case 'instant':
      return { type: 'string', example: '2026-01-05T08:00:00Z' };
    case 'text':
      return {
        type: 'string',
        minLength: 1,
        maxLength: p.maxLength,
        ...(p.example !== undefined && { example: p.example }),
      };
  }
}

/**
 * The checked query parameters of a route, as a handler parameter:
 *   `list(@ValidQuery(OPEN_QUERY) q: QueryValues<typeof OPEN_QUERY>)`.
 * The one declaration both checks requests (every problem → 400, nothing ignored) and documents
 * the parameters in the OpenAPI document (ApiQuery, with type, range, default).
 */
export function ValidQuery(spec: QuerySpec): ParameterDecorator {
  return (target, key, index) => {
    queryOf(spec)(target, key, index);
    if (key === undefined) return;
    const descriptor = Object.getOwnPropertyDescriptor(target, key);
    if (!descriptor) return;
    SetMetadata(QUERY_SPEC, spec)(target, key, descriptor);
    for (const [name, p] of Object.entries(spec)) {
      ApiQuery({ name, required: false, description: p.description, schema: querySchema(p) })(
        target,
        key,
        descriptor,
      );
    }
  };
}

/**
 * A response model made from a table of properties (a class named `name`, each property
 * decorated with ApiProperty), for shapes that are derived from a contract or a spec rather than
 * written as a class.
 */
export function defineModel(name: string, properties: Record<string, ApiPropertyOptions>): Type {
  const Model = class {};
  Object.defineProperty(Model, 'name', { value: name });
  for (const [key, options] of Object.entries(properties))
    ApiProperty({ required: true, ...options } as ApiPropertyOptions)(Model.prototype, key);
  return Model;
}
