import Ajv, { type ValidateFunction } from 'ajv';

/** The OpenAPI document as far as `responseChecker` reads it. */
export interface ResponseDocument {
  paths: Record<
    string,
    Record<
      string,
      { responses?: Record<string, { content?: Record<string, { schema?: unknown }> }> }
    >
  >;
  components?: { schemas?: Record<string, unknown> };
}

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/;

/**
 * For tests: checks an answer against what the OpenAPI document says the route answers with that
 * status (Ajv over the document's JSON schema, `nullable` and formats included); returns the
 * problems, none when the body fits. `path` is the document's (`/a/{id}`).
 */
export function responseChecker(doc: ResponseDocument) {
  const ajv = new Ajv({ strict: false, allErrors: true });
  ajv.addFormat('date-time', (s: string) => ISO_DATE_TIME.test(s) && !Number.isNaN(Date.parse(s)));
  ajv.addFormat('double', true);
  ajv.addFormat('int32', true);
  ajv.addFormat('int64', true);
  ajv.addSchema({ $id: 'openapi', components: doc.components ?? {} });
  const compiled = new Map<string, ValidateFunction>();
  return (method: string, path: string, status: number, body: unknown): string[] => {
    const key = `${method} ${path} ${status}`;
    let validate = compiled.get(key);
    if (!validate) {
      const schema =
        doc.paths[path]?.[method]?.responses?.[String(status)]?.content?.['application/json']
          ?.schema;
      if (!schema) return [`${key}: no schema in the document`];
      // the document's refs (#/components/...) resolved against the document
      const rebased = JSON.parse(
        JSON.stringify(schema).replace(/"\$ref":"#\//g, '"$ref":"openapi#/'),
      ) as object;
      validate = ajv.compile(rebased);
      compiled.set(key, validate);
    }
    return validate(body)
      ? []
      : (validate.errors ?? []).map((e) => `${key}: ${e.instancePath || '/'} ${e.message ?? ''}`);
  };
}
