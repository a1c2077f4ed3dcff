import { readFileSync } from 'node:fs';
import { type TargetDescription, targetDescriptionSchema } from '../../contract/target.ts';

/** A target description that cannot be read or does not fit the schema; the message says where. */
export class DescriptionError extends Error {
  override readonly name = 'DescriptionError';
}

/** Parses a description, naming every field that is wrong. */
export function parseDescription(value: unknown, source: string): TargetDescription {
  const parsed = targetDescriptionSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(the file)'}: ${i.message}`);
  throw new DescriptionError(`${source} is not a valid target description:\n${problems.join('\n')}`);
}

/** Reads and validates a target description file (JSON; contract/target.ts). */
export function loadDescription(file: string): TargetDescription {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new DescriptionError(
      `cannot read the target description ${file}: ${(err as NodeJS.ErrnoException).code ?? err}`,
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new DescriptionError(`${file} is not JSON: ${(err as Error).message}`);
  }
  return parseDescription(value, file);
}
