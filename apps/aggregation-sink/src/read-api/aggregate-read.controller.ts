import {
  applyDecorators,
  Controller,
  Get,
  Inject,
  NotFoundException,
  Param,
  type Type,
} from '@nestjs/common';
import { ValidQuery } from '@citypulse/rest';
import {
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import type { AggregateSpec, AggregateStream } from '../aggregates/aggregate-spec';
import { className } from '../aggregates/aggregates.consumer';
import { ReadRepository, type WindowView } from './read.repository';
import { seriesFieldSchema, windowModels } from './window-models';
import {
  MAX_LIMIT,
  nextFrom,
  parseWindowsRequest,
  windowsPath,
  windowsQueryParams,
  type WindowsQuery,
} from './windows-request';

/** What GET .../windows answers: the series, a page of its windows, the next page's from. */
export type WindowsAnswer<S extends AggregateStream> = Record<string, unknown> & {
  windows: WindowView<S>[];
  next_from: string | null;
};

/**
 * The REST routes of one aggregate, made from its spec (one controller per spec,
 * read-api.module.ts), and documented from it (window-models.ts):
 *   GET /<route>/latest                               the latest window of every series
 *   GET /<route>/<segment>/<value>/.../windows?from&to&limit   one series' windows, oldest first
 * An aggregate without series fields (the city-wide mobility index) answers `latest` with its one
 * latest window, 404 before the first.
 */
export function aggregateReadController<S extends AggregateStream>(spec: AggregateSpec<S>): Type {
  const models = windowModels(spec);
  const query = windowsQueryParams(spec);
  const series = spec.seriesFields.join(', ');
  const latestDocs = applyDecorators(
    ApiOperation(
      spec.seriesFields.length > 0
        ? {
            summary: `The latest ${spec.name} window of every series (${series})`,
            description:
              `One window per series (the one with the latest window_start), ordered by ${series}; ` +
              'not paginated: the answer grows with the number of series, not with the windows ' +
              'stored. Takes no query parameters.',
          }
        : {
            summary: `The latest ${spec.name} window`,
            description:
              'The window with the latest window_start; 404 before the first. Takes no query ' +
              'parameters.',
          },
    ),
    ApiOkResponse({
      type: models.latest,
      description:
        spec.seriesFields.length > 0 ? 'the latest window of each series' : 'the latest window',
    }),
    ...(spec.seriesFields.length === 0
      ? [ApiNotFoundResponse({ description: `no ${spec.name} window yet` })]
      : []),
  );
  const windowsDocs = applyDecorators(
    ApiOperation({
      summary: `A page of ${spec.seriesFields.length > 0 ? "one series'" : 'the'} ${spec.name} windows`,
      description:
        'Windows with from <= window_start < to, oldest first (ascending window_start), at most ' +
        `limit (1-${MAX_LIMIT}, default ${query.limit.default}: a day of ` +
        `${spec.windowMs / 60_000}-minute windows). Keyset pagination: when the range holds more ` +
        'windows than the page, next_from is the from of the next page (keep to and limit); null ' +
        'on the last page.',
    }),
    ApiOkResponse({ type: models.page, description: 'the series and a page of its windows' }),
    ...spec.seriesFields.map((f) =>
      ApiParam({
        name: f,
        description:
          spec.columns.find((c) => c.name === f)?.kind === 'enum'
            ? 'a symbol of the contract, in any case'
            : 'trimmed and upper-cased like the normalizer stores ids',
        schema: seriesFieldSchema(spec, f),
      }),
    ),
  );

  @ApiTags(spec.name)
  @Controller(spec.route)
  class AggregateReadController {
    constructor(@Inject(ReadRepository) private readonly reads: ReadRepository) {}

    @Get('latest')
    @latestDocs
    async latest(): Promise<{ windows: WindowView<S>[] } | WindowView<S>> {
      const windows = await this.reads.latest(spec);
      if (spec.seriesFields.length > 0) return { windows };
      if (!windows[0]) throw new NotFoundException(`no ${spec.name} window yet`);
      return windows[0];
    }

    @Get(windowsPath(spec))
    @windowsDocs
    async windows(
      @Param() params: Record<string, unknown>,
      @ValidQuery(query) q: WindowsQuery,
    ): Promise<WindowsAnswer<S>> {
      const request = parseWindowsRequest(spec, params, q);
      const page = await this.reads.windows(spec, request);
      const last = page.windows.at(-1);
      return {
        ...request.series,
        windows: page.windows,
        next_from: page.more && last ? nextFrom(last.window_start) : null,
      };
    }
  }
  Object.defineProperty(AggregateReadController, 'name', {
    value: `${className(spec.name)}ReadController`,
  });
  return AggregateReadController;
}
