// The OpenAPI paths and schemas of the forensic routes (incidents, timelines, flow history), kept
// beside openapi-document.ts so that file stays one page; it spreads these into its document.
type Json = Record<string, unknown>;

const ref = (name: string): Json => ({ $ref: `#/components/schemas/${name}` });
const ok = (schema: Json, description: string): Json => ({
  description,
  content: { 'application/json': { schema } },
});
const error = (description: string): Json => ({ $ref: '#/components/responses/Error', description });
const query = (name: string, description: string, schema: Json = { type: 'string' }): Json => ({
  name,
  in: 'query',
  required: false,
  description,
  schema,
});
const pathParam = (name: string, description: string): Json => ({
  name,
  in: 'path',
  required: true,
  description,
  schema: { type: 'string' },
});
const limit = query('limit', '1-10000', { type: 'integer', minimum: 1, maximum: 10000 });
const since = query('since', 'ISO time or a duration ago (1h)');

export const forensicPaths: Json = {
  '/api/incidents': {
    get: {
      summary: 'correlated incidents (the alerts of one attack), newest first, with their alerts',
      parameters: [
        since,
        limit,
        query('container', 'container id prefix or name'),
        query('state', 'open or closed', { enum: ['open', 'closed'] }),
      ],
      responses: {
        200: ok({ type: 'object', properties: { incidents: { type: 'array', items: ref('Incident') } } }, 'incidents'),
        400: error('a bad query parameter, named in the message'),
      },
    },
  },
  '/api/incidents/{id}': {
    get: {
      summary: 'one incident with its alerts in order',
      parameters: [pathParam('id', 'incident id')],
      responses: { 200: ok(ref('Incident'), 'the incident'), 404: error('no such incident') },
    },
  },
  '/api/containers/{id}/timeline': {
    get: {
      summary: 'what shipwatch saw of one container, oldest first (kept after the container is removed)',
      parameters: [pathParam('id', 'container id, id prefix (4+) or name'), since],
      responses: {
        200: ok(
          {
            type: 'object',
            properties: {
              container: { type: 'object', additionalProperties: true },
              entries: {
                type: 'array',
                items: { type: 'object', required: ['at', 'kind'], additionalProperties: true },
              },
            },
          },
          'the timeline',
        ),
        400: error('a bad since'),
        404: error('no timeline for this container'),
      },
    },
  },
  '/api/flows/history': {
    get: {
      summary: 'ended flows from the flow log, newest first',
      parameters: [
        since,
        limit,
        query('container', 'container id prefix or name, either end'),
        query('workload', 'workload, either end'),
        query('dst', 'destination IP, DNS name or container name'),
      ],
      responses: {
        200: ok(
          {
            type: 'object',
            properties: { flows: { type: 'array', items: { type: 'object', additionalProperties: true } } },
          },
          'ended flows',
        ),
        400: error('a bad query parameter, named in the message'),
      },
    },
  },
};

export const forensicSchemas: Json = {
  Incident: {
    type: 'object',
    required: ['id', 'title', 'severity', 'tactics', 'start', 'end', 'state', 'containers', 'alerts'],
    properties: {
      id: { type: 'string' },
      title: { type: 'string' },
      severity: { enum: ['info', 'low', 'medium', 'high', 'critical'] },
      story: { type: ['object', 'null'], properties: { id: { type: 'string' }, title: { type: 'string' } } },
      tactics: { type: 'array', items: { type: 'string' } },
      start: { type: 'string', format: 'date-time' },
      end: { type: 'string', format: 'date-time' },
      state: { enum: ['open', 'closed'] },
      containers: { type: 'array', items: { type: 'object', additionalProperties: true } },
      alertCount: { type: 'integer' },
      alerts: { type: 'array', items: { type: 'object', additionalProperties: true } },
      mergedInto: {
        type: 'string',
        description: 'set when a flow joined it to another incident, which took its alerts',
      },
    },
  },
};
