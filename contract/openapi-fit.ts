import { z } from 'zod';

/** What an answer was: its method, the path template it hit, its status and its parsed JSON body. */
export interface Answer {
  method: string;
  path: string;
  status: number;
  body: unknown;
}

type Doc = {
  paths: Record<
    string,
    Record<string, { responses: Record<string, { content?: Record<string, { schema: unknown }> }> }>
  >;
  components: { schemas: Record<string, Record<string, unknown>> };
};

/**
 * Where an answer breaks an OpenAPI document (contract/*.openapi.json), as sentences; none when it fits:
 * the status must be one the operation lists, and the body must fit that response's schema, read from
 * the document itself (z.fromJSONSchema), not from the zod source it was written from.
 */
export function misfits(document: unknown, answer: Answer): string[] {
  const doc = document as Doc;
  const where = `${answer.method} ${answer.path} → ${answer.status}`;
  const operation = doc.paths[answer.path]?.[answer.method.toLowerCase()];
  if (!operation) return [`${where}: the document has no such operation`];
  const response = operation.responses[String(answer.status)];
  if (!response) return [`${where}: a status the operation does not list`];
  const schema = response.content?.['application/json']?.schema as { $ref?: string } | undefined;
  if (!schema) return [];
  const name = schema.$ref?.replace('#/components/schemas/', '');
  const resolved = name ? doc.components.schemas[name] : schema;
  if (!resolved) return [`${where}: the document names ${schema.$ref} and has no such schema`];
  const parsed = z.fromJSONSchema(resolved as Parameters<typeof z.fromJSONSchema>[0]).safeParse(answer.body);
  return parsed.success
    ? []
    : parsed.error.issues.map((i) => `${where}: ${i.path.join('.') || 'the body'}: ${i.message}`);
}
