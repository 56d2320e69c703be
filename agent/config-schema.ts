// The config file's JSON Schema, for editors (yaml-language-server, VS Code) and for anyone who
// validates configs outside shipwatch. Generated from the zod schema check-config and `run`
// validate with, so the two cannot drift; docs/config.schema.json is this, committed (a unit test
// keeps it up to date) and printed by `shipwatch check-config --schema`.
//
// It describes what users write (zod's input side): durations as text ("10m") or seconds, with
// their defaults as text. What JSON Schema cannot say is left to check-config: the Docker host URL
// and egress allowlist entries are parsed, and delivery.retry_min <= retry_max.
import { z } from 'zod';
import { DURATION_PATTERN, formatDuration } from '../core/duration.ts';
import { configSchema, duration, RESPONSE_TRIGGERS } from './config.ts';

type JsonSchema = Record<string, unknown>;

const DURATION_SCHEMA: JsonSchema = {
  description: 'a duration: 500ms, 20s, 10m, 2h, 1d, or a bare number of seconds',
  anyOf: [
    { type: 'string', pattern: DURATION_PATTERN.source },
    { type: 'number', minimum: 0 },
  ],
};

/** Whether a node of the generated schema is a duration (for printing them back as text). */
export function isDurationSchema(schema: Record<string, unknown>): boolean {
  return schema.description === DURATION_SCHEMA.description;
}

/** zod's internal definition of a schema node, read only to recognise durations and their defaults. */
interface NodeDef {
  type: string;
  innerType?: unknown;
  defaultValue?: unknown;
}
const defOf = (schema: unknown): NodeDef => (schema as { _zod: { def: NodeDef } })._zod.def;

export function configJsonSchema(): JsonSchema {
  const schema = z.toJSONSchema(configSchema, {
    io: 'input',
    target: 'draft-2020-12',
    override: (ctx) => {
      const def = defOf(ctx.zodSchema);
      if (ctx.zodSchema === duration) Object.assign(ctx.jsonSchema, DURATION_SCHEMA);
      if (def.type === 'default' && def.innerType === duration) {
        for (const key of Object.keys(ctx.jsonSchema)) delete ctx.jsonSchema[key];
        // The schema holds milliseconds; a bare number in the file means seconds: the default is
        // shown as text, the way a user would write it.
        Object.assign(ctx.jsonSchema, DURATION_SCHEMA, { default: formatDuration(def.defaultValue as number) });
      }
    },
  }) as JsonSchema & { properties: Record<string, JsonSchema> };
  const { properties } = schema;
  // The default is this machine's host name: a committed schema must not carry one machine's name.
  delete properties.host?.default;
  const response = properties.response as { properties: Record<string, JsonSchema> } | undefined;
  if (response?.properties.auto) response.properties.auto.propertyNames = { enum: RESPONSE_TRIGGERS };
  return {
    $schema: schema.$schema,
    title: 'shipwatch configuration',
    description:
      'The YAML file of `shipwatch run --config FILE` and `shipwatch check-config FILE` (README "Configuration").',
    ...schema,
  };
}

/** The committed file's text: what `check-config --schema` prints. */
export function configJsonSchemaText(): string {
  return `${JSON.stringify(configJsonSchema(), null, 2)}\n`;
}
