import {
  BadRequestException,
  Controller,
  Get,
  Inject,
  NotFoundException,
  Param,
  Query,
  type Type,
} from '@nestjs/common';
import type { AggregateSpec, AggregateStream } from '../aggregates/aggregate-spec';
import { className } from '../aggregates/aggregates.consumer';
import { ReadRepository, type WindowView } from './read.repository';
import { BadQueryError } from './time-range';
import { parseWindowsRequest, windowsPath, type WindowsRequest } from './windows-request';

/**
 * The REST routes of one aggregate, made from its spec (one controller per spec,
 * read-api.module.ts):
 *   GET /<route>/latest                               the latest window of every series
 *   GET /<route>/<segment>/<value>/.../windows?from&to&limit   one series' windows, oldest first
 * An aggregate without series fields (the city-wide mobility index) answers `latest` with its one
 * latest window, 404 before the first.
 */
export function aggregateReadController<S extends AggregateStream>(spec: AggregateSpec<S>): Type {
  @Controller(spec.route)
  class AggregateReadController {
    constructor(@Inject(ReadRepository) private readonly reads: ReadRepository) {}

    @Get('latest')
    async latest(): Promise<{ windows: WindowView<S>[] } | WindowView<S>> {
      const windows = await this.reads.latest(spec);
      if (spec.seriesFields.length > 0) return { windows };
      if (!windows[0]) throw new NotFoundException(`no ${spec.name} window yet`);
      return windows[0];
    }

    @Get(windowsPath(spec))
    async windows(
      @Param() params: Record<string, unknown>,
      @Query() query: Record<string, unknown>,
    ): Promise<Record<string, unknown> & { windows: WindowView<S>[] }> {
      let request: WindowsRequest;
      try {
        request = parseWindowsRequest(spec, params, query);
      } catch (err) {
        if (err instanceof BadQueryError) throw new BadRequestException(err.message);
        throw err;
      }
      return { ...request.series, windows: await this.reads.windows(spec, request) };
    }
  }
  Object.defineProperty(AggregateReadController, 'name', {
    value: `${className(spec.name)}ReadController`,
  });
  return AggregateReadController;
}
