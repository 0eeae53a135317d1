import {
  Body,
  Controller,
  Get,
  HttpCode,
  Inject,
  NotFoundException,
  Param,
  Post,
  Req,
  Res,
} from '@nestjs/common';
import { invalid, ValidQuery } from '@citypulse/rest';
import {
  ApiBody,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import type { AlertStore, StoredAlert, StoredAlertEvent } from '../output/alert-store';
import { ALERT_STORE } from '../tokens';
import { AlertEventModel, AlertModel } from './alert-models';
import {
  acknowledgedBy,
  alertIdParam,
  HISTORY_QUERY,
  historyRequest,
  MAX_ID_LENGTH,
  OPEN_QUERY,
  type HistoryQuery,
  type OpenQuery,
} from './alerts-query';

const ALERT_ID = ApiParam({
  name: 'alertId',
  description: 'The alert id (`rule|subject|time it fired`), URL-encoded: it contains `|`.',
  schema: { type: 'string', minLength: 1, maxLength: MAX_ID_LENGTH },
});

interface HttpRequest {
  originalUrl: string;
  headers: Record<string, string | string[] | undefined>;
}
interface HttpResponse {
  setHeader(name: string, value: string): void;
}

/** Open alerts, history by zone and time, acknowledgement — read from PostgreSQL. */
@ApiTags('alerts')
@Controller('alerts')
export class AlertsController {
  constructor(@Inject(ALERT_STORE) private readonly store: AlertStore) {}

  @Get('open')
  @ApiOperation({
    summary: 'The open (FIRING) alerts, newest first',
    description:
      'Ordered by fired_at descending, then alert_id; at most limit (default 500, at most 5000). ' +
      'Not paginated: the open alerts are a current state, one per rule and subject at most.',
  })
  @ApiOkResponse({ type: AlertModel, isArray: true, description: 'the open alerts' })
  open(@ValidQuery(OPEN_QUERY) q: OpenQuery): Promise<StoredAlert[]> {
    return this.store.open(q);
  }

  @Get('history')
  @ApiOperation({
    summary: 'FIRING and RESOLVED records by event time, page by page',
    description:
      'Records with from <= event_time < to (default: the last 24 hours), optionally of one zone, ' +
      'ordered by event_time then event_id, at most limit (default 1000, at most 5000). Keyset ' +
      'pagination: when more records follow, the answer has a Link header with rel="next" (the ' +
      'same query with after=<the last event_id>); the last page has none.',
  })
  @ApiOkResponse({
    type: AlertEventModel,
    isArray: true,
    description: 'a page of the history',
    headers: {
      Link: {
        description: '`<URL of the next page>; rel="next"`, only when more records follow',
        schema: { type: 'string' },
      },
    },
  })
  async history(
    @ValidQuery(HISTORY_QUERY) q: HistoryQuery,
    @Req() req: HttpRequest,
    @Res({ passthrough: true }) res: HttpResponse,
  ): Promise<StoredAlertEvent[]> {
    const page = await this.store.history(historyRequest(q));
    if (!page) return invalid('query', 'after', `after names no alert event ("${q.after}")`);
    const last = page.events.at(-1);
    if (page.more && last)
      res.setHeader('Link', `<${nextPageUrl(req.originalUrl, last.event_id)}>; rel="next"`);
    return page.events;
  }

  @Get(':alertId')
  @ApiOperation({ summary: 'One alert with its state and acknowledgement' })
  @ALERT_ID
  @ApiOkResponse({ type: AlertModel, description: 'the alert' })
  @ApiNotFoundResponse({ description: 'no alert with this id' })
  async one(@Param('alertId') id: string): Promise<StoredAlert> {
    const a = await this.store.get(alertIdParam(id));
    if (!a) throw new NotFoundException(`no alert ${id}`);
    return a;
  }

  @Post(':alertId/ack')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Acknowledges an alert',
    description:
      'The first acknowledgement is kept (a second one changes nothing). The body is optional; ' +
      'without it (or without by) the acknowledgement is by "anonymous".',
  })
  @ALERT_ID
  @ApiBody({
    required: false,
    schema: {
      type: 'object',
      additionalProperties: false,
      properties: { by: { type: 'string', minLength: 1, maxLength: 200, example: 'operator-7' } },
    },
  })
  @ApiOkResponse({ type: AlertModel, description: 'the alert, acknowledged' })
  @ApiNotFoundResponse({ description: 'no alert with this id' })
  async acknowledge(
    @Param('alertId') id: string,
    @Body() body: unknown,
    @Req() req: HttpRequest,
  ): Promise<StoredAlert> {
    if (body === undefined && hasContent(req))
      invalid('body', 'body', 'the body must be JSON (Content-Type: application/json)');
    const a = await this.store.acknowledge(alertIdParam(id), acknowledgedBy(body));
    if (!a) throw new NotFoundException(`no alert ${id}`);
    return a;
  }
}

/** A request that carries a body (that no parser took, when the body is undefined). */
function hasContent(req: HttpRequest): boolean {
  const length = Number(req.headers['content-length'] ?? 0);
  return length > 0 || req.headers['transfer-encoding'] !== undefined;
}

/** The URL of the next history page: the same query with after = the last record's event_id. */
export function nextPageUrl(originalUrl: string, lastEventId: string): string {
  const url = new URL(originalUrl, 'http://localhost');
  url.searchParams.set('after', lastEventId);
  return `${url.pathname}${url.search}`;
}
