// A small JSON Schema (2020-12) checker for the keywords shipwatch's generated schemas use (no
// new dependency): enough to show that the shipped schemas accept and refuse what the zod
// validator does. Returns the JSON pointers of the problems; [] = valid.
type Schema = Record<string, unknown> | boolean;

const typeOf = (value: unknown): string =>
  value === null ? 'null' : Array.isArray(value) ? 'array' : Number.isInteger(value) ? 'integer' : typeof value;

function typeMatches(expected: unknown, value: unknown): boolean {
  const types = Array.isArray(expected) ? (expected as string[]) : [expected as string];
  const actual = typeOf(value);
  return types.some((t) => t === actual || (t === 'number' && actual === 'integer'));
}

export function checkJsonSchema(schema: Schema, value: unknown, at = '', root: Schema = schema): string[] {
  if (schema === true) return [];
  if (schema === false) return [`${at}: not allowed`];
  const s = schema;
  if (typeof s.$ref === 'string') {
    const target = s.$ref
      .replace(/^#\//, '')
      .split('/')
      .reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], root);
    return checkJsonSchema(target as Schema, value, at, root);
  }
  const problems: string[] = [];
  const fail = (why: string) => problems.push(`${at || '/'}: ${why}`);
  if (s.type !== undefined && !typeMatches(s.type, value)) fail(`expected ${JSON.stringify(s.type)}`);
  if (s.const !== undefined && value !== s.const) fail(`expected ${JSON.stringify(s.const)}`);
  if (Array.isArray(s.enum) && !s.enum.includes(value)) fail('not one of the enum');
  if (Array.isArray(s.anyOf) && !s.anyOf.some((v) => checkJsonSchema(v as Schema, value, at, root).length === 0))
    fail('matches none of anyOf');
  if (typeof value === 'string') {
    if (typeof s.minLength === 'number' && value.length < s.minLength) fail('too short');
    if (typeof s.pattern === 'string' && !new RegExp(s.pattern, 'u').test(value)) fail('does not match pattern');
  }
  if (typeof value === 'number') {
    if (typeof s.minimum === 'number' && value < s.minimum) fail('below minimum');
    if (typeof s.maximum === 'number' && value > s.maximum) fail('above maximum');
  }
  if (Array.isArray(value)) {
    if (typeof s.minItems === 'number' && value.length < s.minItems) fail('too few items');
    if (typeof s.maxItems === 'number' && value.length > s.maxItems) fail('too many items');
    const prefix = Array.isArray(s.prefixItems) ? (s.prefixItems as Schema[]) : [];
    value.forEach((item, i) => {
      const itemSchema = i < prefix.length ? prefix[i] : (s.items as Schema | undefined);
      if (itemSchema !== undefined) problems.push(...checkJsonSchema(itemSchema, item, `${at}/${i}`, root));
    });
  }
  if (typeOf(value) === 'object') {
    const object = value as Record<string, unknown>;
    const properties = (s.properties ?? {}) as Record<string, Schema>;
    for (const key of (s.required ?? []) as string[]) if (!(key in object)) fail(`missing ${key}`);
    for (const [key, inner] of Object.entries(object)) {
      if (s.propertyNames !== undefined)
        problems.push(...checkJsonSchema(s.propertyNames as Schema, key, `${at}/${key} (name)`, root));
      const own = properties[key];
      if (own !== undefined) problems.push(...checkJsonSchema(own, inner, `${at}/${key}`, root));
      else if (s.additionalProperties !== undefined)
        problems.push(...checkJsonSchema(s.additionalProperties as Schema, inner, `${at}/${key}`, root));
    }
  }
  return problems;
}
