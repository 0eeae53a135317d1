import {
  BadRequestException,
  Controller,
  Get,
  NotFoundException,
  Param,
  Query,
} from '@nestjs/common';
import { ReadRepository, type MobilityView, type TrafficWindowView } from './read.repository';
import { BadQueryError, parseTimeRange } from './time-range';

@Controller()
export class TrafficController {
  constructor(private readonly reads: ReadRepository) {}

  /** Windows of one zone: ?from&to (ISO-8601 or epoch ms; from inclusive, to exclusive) &limit. */
  @Get('traffic/zones/:zoneId/windows')
  async zoneWindows(
    @Param('zoneId') zoneId: string,
    @Query() query: Record<string, unknown>,
  ): Promise<{ zone_id: string; windows: TrafficWindowView[] }> {
    let range;
    try {
      range = parseTimeRange(query);
    } catch (err) {
      if (err instanceof BadQueryError) throw new BadRequestException(err.message);
      throw err;
    }
    const id = zoneId.trim().toUpperCase();
    return {
      zone_id: id,
      windows: await this.reads.zoneWindows(id, range.from, range.to, range.limit),
    };
  }

  /** The latest window of every zone. */
  @Get('traffic/latest')
  async latest(): Promise<{ windows: TrafficWindowView[] }> {
    return { windows: await this.reads.latestPerZone() };
  }

  /** The latest city-wide mobility index; 404 until the first one arrived. */
  @Get('mobility/latest')
  async mobility(): Promise<MobilityView> {
    const latest = await this.reads.latestMobility();
    if (!latest) throw new NotFoundException('no mobility index yet');
    return latest;
  }
}
