// The OpenAPI 3.1 description of the agent's HTTP API, served at GET /api/openapi.json. Written
// by hand next to the routes (the route files hold no schemas to generate it from); the unit test
// test/unit/agent/routes/openapi.test.ts holds it to the routes actually registered, both ways,
// and to the error body the server really sends.
import { forensicPaths, forensicSchemas } from './openapi-forensics.ts';

type Json = Record<string, unknown>;

const ref = (name: string): Json => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: Json, description: string): Json => ({
  description,
  content: { 'application/json': { schema } },
});
const error = (description: string): Json => ({ $ref: '#/components/responses/Error', description });
const text = (type: string, description: string): Json => ({
  description,
  content: { [type]: { schema: { type: 'string' } } },
});
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
const anyObject = { type: 'object', additionalProperties: true };

/** Mutating routes: bearer token when a token_file is configured. */
const guarded = (operation: Json): Json => ({
  ...operation,
  security: [{ bearer: [] }, {}],
  responses: { ...(operation.responses as Json), 401: error('missing or invalid bearer token') },
});

const CONTAINER = pathParam('id', 'full id, a unique id prefix of at least 4 characters, or the name');
const baselineOps = (params: Json[]): Json => ({
  parameters: params,
  get: {
    summary: "a workload's baseline and its phase",
    responses: { 200: json(anyObject, 'the baseline'), 404: error('no baseline for this workload') },
  },
  put: guarded({
    summary: "replace a workload's baseline (policy as code)",
    requestBody: { required: true, content: { 'application/json': { schema: anyObject } } },
    responses: { 200: json(anyObject, 'the stored baseline'), 400: error('invalid baseline') },
  }),
  delete: guarded({
    summary: "forget a workload's baseline: it learns again",
    responses: { 200: json(anyObject, 'reset'), 404: error('no baseline for this workload') },
  }),
});

export function openApiDocument(version: string): Json {
  return {
    openapi: '3.1.0',
    info: {
      title: 'shipwatch agent API',
      version,
      description:
        'Runtime monitor of one Docker host: health, metrics, alerts, inventory, flows, baselines, response.',
    },
    paths: {
      '/': { get: { summary: 'the live page', responses: { 200: text('text/html', 'the page') } } },
      '/web/{file}': {
        get: {
          summary: 'an asset of the live page',
          parameters: [pathParam('file', 'asset file name')],
          responses: { 200: text('*/*', 'the asset'), 404: error('no such asset') },
        },
      },
      '/web/vendor/d3.min.js': {
        get: {
          summary: "the map's graph library (Debian's libjs-d3), served so the page fetches nothing from the network",
          responses: { 200: text('text/javascript', 'd3 3.5'), 404: error('libjs-d3 is not installed') },
        },
      },
      '/healthz': {
        get: {
          summary: 'status (ok or degraded) and the state of each source',
          responses: { 200: json(ref('Health'), 'health') },
        },
      },
      '/metrics': {
        get: { summary: 'Prometheus text format', responses: { 200: text('text/plain', 'metrics') } },
      },
      '/api/openapi.json': {
        get: { summary: 'this document', responses: { 200: json({ type: 'object' }, 'OpenAPI 3.1 document') } },
      },
      '/api/alerts': {
        get: {
          summary: 'journalled alerts, newest first',
          parameters: [
            query('since', 'ISO time or a duration ago (15m)'),
            query('limit', '1-10000, default 100', { type: 'integer', minimum: 1, maximum: 10000 }),
            query('rule', 'a rule id'),
            query('container', 'container id or name'),
          ],
          responses: {
            200: json({ type: 'object', properties: { alerts: { type: 'array', items: anyObject } } }, 'alerts'),
            400: error('a bad query parameter, named in the message'),
          },
        },
      },
      '/api/stream': {
        get: {
          summary: 'WebSocket: alert, inventory and flow messages ({"type", "alert"|"event"})',
          parameters: [query('token', 'the bearer token, for browsers that cannot set headers')],
          responses: {
            101: { description: 'switching to WebSocket' },
            401: { description: 'missing or invalid token (no body: the upgrade is refused)' },
            426: error('a plain HTTP request: this is a WebSocket endpoint'),
          },
        },
      },
      '/api/containers': {
        get: { summary: 'the inventory', responses: { 200: json({ type: 'array', items: anyObject }, 'containers') } },
      },
      '/api/containers/{id}': {
        get: {
          summary: 'one container',
          parameters: [CONTAINER],
          responses: { 200: json(anyObject, 'the container'), 404: error('no such container') },
        },
      },
      '/api/containers/{id}/isolate': {
        post: guarded({
          summary: 'quarantine a container (and optionally pause it)',
          parameters: [CONTAINER],
          requestBody: {
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: {
                    reason: { type: 'string' },
                    pause: { type: 'boolean' },
                    alert_id: { type: 'string' },
                    requested_by: { type: 'string' },
                  },
                },
              },
            },
          },
          responses: {
            200: json(ref('ActionResult'), 'isolated (or already isolated: changed false)'),
            400: error('invalid body'),
            404: error('no such container'),
            409: error('host network, shared namespace or not running'),
            502: error('Docker refused'),
          },
        }),
      },
      '/api/containers/{id}/release': {
        post: guarded({
          summary: 'restore an isolated container to its networks',
          parameters: [CONTAINER],
          requestBody: {
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: { reason: { type: 'string' }, requested_by: { type: 'string' } },
                },
              },
            },
          },
          responses: {
            200: json(ref('ActionResult'), 'released'),
            400: error('invalid body'),
            404: error('no such container'),
            409: error('not isolated'),
            502: error('Docker refused'),
          },
        }),
      },
      '/api/isolations': {
        get: {
          summary: 'isolated containers',
          responses: { 200: json({ type: 'array', items: anyObject }, 'records') },
        },
      },
      '/api/flows': {
        get: { summary: "active flows and the capture's counters", responses: { 200: json(anyObject, 'flows') } },
      },
      '/api/map': {
        get: {
          summary: 'the network map: workloads as nodes, traffic aggregated into edges over a window',
          description:
            'Edges are built from flows as they start, update and end (not from the open flows of the instant): ' +
            'workload to workload, workload to each external destination and to the host, with bytes, packets, ' +
            'flows and last seen over the window; crossSegment, unlearned and the alerts (by rule) their flows raised.',
          parameters: [query('window', 'a duration from 1m to 60m (default 15m)')],
          responses: { 200: json(anyObject, 'nodes and edges'), 400: error('bad window') },
        },
      },
      '/api/baselines': {
        get: { summary: 'every learned baseline', responses: { 200: json(anyObject, 'baselines') } },
      },
      '/api/baselines/{workload}': baselineOps([pathParam('workload', 'a workload without a slash')]),
      '/api/baselines/{project}/{service}': baselineOps([
        pathParam('project', 'the part before the slash of a project/service workload'),
        pathParam('service', 'the part after it'),
      ]),
      '/api/suppressions': {
        get: {
          summary: 'configured suppressions with how often each matched',
          responses: { 200: json({ type: 'array', items: anyObject }, 'suppressions') },
        },
      },
      ...forensicPaths,
    },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'a token of the token_file' } },
      responses: {
        Error: json(ref('Error'), 'an error'),
      },
      schemas: {
        Error: {
          type: 'object',
          required: ['error'],
          additionalProperties: false,
          properties: {
            error: {
              type: 'object',
              required: ['code', 'message'],
              additionalProperties: false,
              properties: {
                code: {
                  type: 'string',
                  description:
                    'stable: not_found, bad_request, unauthorized, method_not_allowed, payload_too_large, upgrade_required, docker_error, internal, or a refusal of a response action',
                },
                message: { type: 'string' },
              },
            },
          },
        },
        Health: {
          type: 'object',
          required: ['status', 'sources'],
          properties: {
            status: { enum: ['ok', 'degraded'] },
            sources: {
              type: 'object',
              additionalProperties: {
                type: 'object',
                properties: {
                  state: { enum: ['starting', 'up', 'degraded', 'down', 'disabled'] },
                  detail: { type: ['string', 'null'] },
                  since: { type: 'string', format: 'date-time' },
                },
              },
            },
          },
        },
        ActionResult: {
          type: 'object',
          properties: {
            changed: { type: 'boolean' },
            record: anyObject,
            warnings: { type: 'array', items: { type: 'string' } },
          },
        },
        ...forensicSchemas,
      },
    },
  };
}
