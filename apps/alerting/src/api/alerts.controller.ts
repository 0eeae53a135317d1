import {
  BadRequestException,
  Body,
  Controller,
  Get,
  HttpCode,
  Inject,
  NotFoundException,
  Param,
  Post,
  Query,
} from '@nestjs/common';
import type { AlertStore, StoredAlert, StoredAlertEvent } from '../output/alert-store';
import { ALERT_STORE } from '../tokens';
import { BadQueryError, parseHistoryQuery, parseOpenQuery } from './alerts-query';

function checked<T>(parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    if (e instanceof BadQueryError) throw new BadRequestException(e.message);
    throw e;
  }
}

/** Open alerts, history by zone and time, acknowledgement — read from PostgreSQL. */
@Controller('alerts')
export class AlertsController {
  constructor(@Inject(ALERT_STORE) private readonly store: AlertStore) {}

  @Get('open')
  open(@Query() q: Record<string, unknown>): Promise<StoredAlert[]> {
    return this.store.open(checked(() => parseOpenQuery(q)));
  }

  @Get('history')
  history(@Query() q: Record<string, unknown>): Promise<StoredAlertEvent[]> {
    return this.store.history(checked(() => parseHistoryQuery(q)));
  }

  @Get(':id')
  async one(@Param('id') id: string): Promise<StoredAlert> {
    const a = await this.store.get(id);
    if (!a) throw new NotFoundException(`no alert ${id}`);
    return a;
  }

  @Post(':id/ack')
  @HttpCode(200)
  async acknowledge(
    @Param('id') id: string,
    @Body() body: { by?: unknown } | undefined,
  ): Promise<StoredAlert> {
    const by = typeof body?.by === 'string' && body.by.trim() !== '' ? body.by.trim() : 'anonymous';
    const a = await this.store.acknowledge(id, by);
    if (!a) throw new NotFoundException(`no alert ${id}`);
    return a;
  }
}
