import {
  Catch,
  Injectable,
  type ArgumentsHost,
  type CallHandler,
  type ExceptionFilter,
  type ExecutionContext,
  type INestApplication,
  type NestInterceptor,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { DocumentBuilder, getSchemaPath, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import type { Observable } from 'rxjs';
import { checkedQuery, defineModel, QUERY_SPEC, type HasUrl } from './decorators';
import { InvalidRequestError, problemBody } from './problems';
import type { QuerySpec } from './query-params';

/** Where every service serves its API description. */
export const OPENAPI_PATH = '/openapi.json';
export const DOCS_PATH = '/docs';

/**
 * Checks the query string of every HTTP route: against its `ValidQuery` declaration, and a route
 * without one takes no query parameters at all — so no parameter is ever silently ignored.
 */
@Injectable()
export class StrictQueryInterceptor implements NestInterceptor {
  constructor(private readonly reflector: Reflector) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() === 'http') {
      const spec = this.reflector.get<QuerySpec | undefined>(QUERY_SPEC, context.getHandler());
      checkedQuery(context.switchToHttp().getRequest<HasUrl>(), spec ?? {});
    }
    return next.handle();
  }
}

interface JsonResponse {
  status(code: number): { json(body: unknown): unknown };
}

/** InvalidRequestError → 400 with the ProblemBody JSON (every problem, each naming its parameter). */
@Catch(InvalidRequestError)
export class InvalidRequestFilter implements ExceptionFilter {
  catch(err: InvalidRequestError, host: ArgumentsHost): void {
    host.switchToHttp().getResponse<JsonResponse>().status(400).json(problemBody(err));
  }
}

/** The documented shape of every 400. */
export const ProblemModel = defineModel('Problem', {
  in: { type: 'string', enum: ['query', 'path', 'body'] },
  parameter: { type: 'string', description: 'the parameter (or body field) the problem is about' },
  message: { type: 'string' },
});
export const ProblemBodyModel = defineModel('ProblemBody', {
  statusCode: { type: 'integer', enum: [400] },
  error: { type: 'string', enum: ['Bad Request'] },
  message: { type: 'string', description: 'every problem, as one sentence' },
  problems: { type: ProblemModel, isArray: true },
});

export interface ApiInfo {
  title: string;
  description: string;
  version: string;
}

/** The OpenAPI document of an app's controllers, every operation with its 400 (ProblemBody). */
export function openApiDocument(app: INestApplication, info: ApiInfo): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle(info.title)
    .setDescription(info.description)
    .setVersion(info.version)
    .addGlobalResponse({
      status: 400,
      description:
        'A parameter the route does not take, given twice, with brackets, empty, of the wrong ' +
        'type or out of range: every problem, each naming its parameter.',
      schema: { $ref: getSchemaPath(ProblemBodyModel) },
    })
    .build();
  return SwaggerModule.createDocument(app, config, {
    extraModels: [ProblemBodyModel, ProblemModel],
    operationIdFactory: (controller, method) =>
      `${controller.replace(/Controller$/, '')}_${method}`,
  });
}

/**
 * What every REST API of the platform shares; call before `app.init()`/`listen()`:
 *  - strict query parameters on every route (StrictQueryInterceptor) and JSON 400s naming the
 *    parameter (InvalidRequestFilter);
 *  - the OpenAPI document generated from the controllers at GET /openapi.json and interactive
 *    docs (Swagger UI, served from the swagger-ui-dist package, nothing fetched) at GET /docs.
 */
export function setupRestApi(app: INestApplication, info: ApiInfo): OpenAPIObject {
  app.useGlobalInterceptors(new StrictQueryInterceptor(app.get(Reflector)));
  app.useGlobalFilters(new InvalidRequestFilter());
  const document = openApiDocument(app, info);
  SwaggerModule.setup(DOCS_PATH.slice(1), app, document, {
    jsonDocumentUrl: OPENAPI_PATH.slice(1),
    raw: ['json'],
    customSiteTitle: info.title,
  });
  // Idle kept-alive connections stay open longer than a client or proxy keeps them (Node's 5 s
  // default closes one just as a client reuses it: ECONNRESET, seen in tests on a loaded machine);
  // the headers timeout must stay above it.
  const server = app.getHttpServer() as { keepAliveTimeout: number; headersTimeout: number };
  server.keepAliveTimeout = KEEP_ALIVE_MS;
  server.headersTimeout = KEEP_ALIVE_MS + 1_000;
  return document;
}

/** How long an idle HTTP connection is kept (above the usual 60 s of load balancers). */
export const KEEP_ALIVE_MS = 65_000;
