// The effective settings as check-config prints them: YAML, durations the way they are written
// ("learn: 10m", not 600000), so the output reads like the file and can be used as one. Which
// keys are durations comes from the JSON Schema (agent/config-schema.ts), the same source the
// validator is: a new duration key prints as text with no change here.
import { stringify } from 'yaml';
import { formatDuration } from '../core/duration.ts';
import type { Config } from './config.ts';
import { configJsonSchema, isDurationSchema } from './config-schema.ts';

type Schema = { properties?: Record<string, Schema>; items?: Schema; anyOf?: Schema[] } & Record<string, unknown>;

function display(value: unknown, schema: Schema | undefined): unknown {
  if (!schema) return value;
  if (isDurationSchema(schema) && typeof value === 'number') return formatDuration(value);
  if (Array.isArray(value)) return value.map((item) => display(item, schema.items));
  if (value && typeof value === 'object') {
    // A nullable object (alertmanager, tls) is an anyOf of the object and null.
    const shape = schema.properties ? schema : schema.anyOf?.find((variant) => variant.properties);
    // Keys the schema's input side does not have are derived while validating (fleet's secrets,
    // read from their *_file): printed, they would make the output an invalid config file.
    const known = shape?.properties;
    return Object.fromEntries(
      Object.entries(value)
        .filter(([key]) => !known || key in known)
        .map(([key, inner]) => [key, display(inner, known?.[key])]),
    );
  }
  return value;
}

/** The frozen config as YAML, durations as text; valid input for `--config` again. */
export function displayConfig(config: Config): string {
  return stringify(display(config, configJsonSchema()));
}
