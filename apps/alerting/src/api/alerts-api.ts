import type { INestApplication } from '@nestjs/common';
import { setupRestApi } from '@citypulse/rest';

/**
 * Strict query parameters on every route, and the API description: GET /openapi.json (generated
 * from the controller) and Swagger UI at GET /docs. Call before app.init().
 */
export function setupAlertsApi(app: INestApplication) {
  return setupRestApi(app, {
    title: 'citypulse alerting',
    description:
      'The alerts of the rules over the normalized streams, read from PostgreSQL: the open ' +
      'alerts, the FIRING/RESOLVED history page by page, one alert, and acknowledgement. Every ' +
      'route refuses what it does not take (unknown, repeated, bracketed, empty, mistyped or ' +
      'out-of-range parameters, unknown body fields) with a 400 naming the parameter. The ' +
      'windowed aggregates are served and documented by the aggregation-sink (its own ' +
      '/openapi.json and /docs).',
    version: '1.0',
  });
}
