// The configuration: one schema with its defaults, validated once at start, every error reported
// with its path, the result frozen and passed down. Sources, lowest precedence first: defaults,
// the YAML file, SHIPWATCH_* variables, command-line flags. Keys are snake_case everywhere (YAML,
// code), flags are the same names in kebab-case, variables in upper case.
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { hostname } from 'node:os';
import { assertYamlDepth } from './yaml-depth.ts';
import { yaml } from './yaml.ts';
import { z } from 'zod';
import { RULE_IDS, SEVERITIES } from '../findings/index.ts';
import { checkEgressRule } from '../detectors/egress-allowlist.ts';
import { dockerHostProblem } from '../core/docker-host.ts';
import { standardWebhooksSecretProblem } from '../alerts/standard-webhooks.ts';
import { ShipwatchError } from '../core/errors.ts';
import { readHeadersFile, readSecretFile } from '../core/secret-files.ts';
import { DEFAULT_STATE_DIR } from './defaults.ts';
import { fleetSchema } from './config-fleet.ts';
import { forensicKeys } from './config-forensics.ts';
import { duration } from './config-duration.ts';

export { duration };

const hostPort = z.string().regex(/^(\[[0-9a-fA-F:]+\]|[^:\s]+):(\d{1,5})$/, 'expected HOST:PORT, e.g. 127.0.0.1:9477');
const url = z.url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL' });
const severity = z.enum(SEVERITIES);
// Checked here rather than when the client is built, so a bad URL is reported with every other
// bad setting, by check-config too, before anything starts.
const dockerHost = z
  .string()
  .min(1)
  .superRefine((text, ctx) => {
    const problem = dockerHostProblem(text);
    if (problem !== null) ctx.addIssue({ code: 'custom', message: problem });
  });
const deliverWhat = z.enum(['alerts', 'incidents', 'both']).default('alerts');
const ruleId = z.enum(RULE_IDS as [string, ...string[]]);

const webhook = z
  .strictObject({
    url,
    format: z.enum(['shipwatch', 'falco']).default('shipwatch'),
    /** Shared secret for the X-Shipwatch-Signature HMAC-SHA256 header. */
    secret: z.string().min(1).optional(),
    /** A file holding the secret (Docker secrets: /run/secrets/<name>); read once at start. */
    secret_file: z.string().min(1).optional(),
    /** `whsec_<base64>`: Standard Webhooks headers (webhook-id, webhook-timestamp, webhook-signature). */
    standard_webhooks_secret: z
      .string()
      .superRefine((secret, ctx) => {
        const problem = standardWebhooksSecretProblem(secret);
        if (problem !== null) ctx.addIssue({ code: 'custom', message: problem });
      })
      .optional(),
    headers: z.record(z.string(), z.string()).default({}),
    /** A file of `Name: value` lines added to `headers` (an Authorization header, say). */
    headers_file: z.string().min(1).optional(),
    timeout: duration.default(5000),
    min_severity: severity.default('info'),
    /** alerts, incidents (alerts correlated, see Incident response) or both. */
    deliver: deliverWhat,
  })
  .transform((hook, ctx) => {
    if (hook.secret !== undefined && hook.secret_file !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['secret_file'], message: 'give secret or secret_file, not both' });
      return z.NEVER;
    }
    let { secret, headers } = hook;
    if (hook.secret_file !== undefined) {
      const read = readSecretFile(hook.secret_file);
      if (!read.ok) ctx.addIssue({ code: 'custom', path: ['secret_file'], message: read.message });
      else secret = read.value;
    }
    if (hook.headers_file !== undefined) {
      const read = readHeadersFile(hook.headers_file);
      if (!read.ok) ctx.addIssue({ code: 'custom', path: ['headers_file'], message: read.message });
      else {
        const twice = Object.keys(read.value).filter((name) =>
          Object.keys(headers).some((given) => given.toLowerCase() === name.toLowerCase()),
        );
        if (twice.length)
          ctx.addIssue({ code: 'custom', path: ['headers_file'], message: `${twice.join(', ')} also in headers` });
        headers = { ...headers, ...read.value };
      }
    }
    return { ...hook, secret, headers };
  });

const alertmanagerEntry = z.strictObject({
  url,
  min_severity: severity.default('info'),
  deliver: deliverWhat,
  basic_auth: z
    .strictObject({ username: z.string().min(1), password_file: z.string().min(1) })
    .nullable()
    .default(null),
  bearer_token_file: z.string().min(1).nullable().default(null),
  tls: z
    .strictObject({
      ca: z.string().min(1).optional(),
      cert: z.string().min(1).optional(),
      key: z.string().min(1).optional(),
      insecure_skip_verify: z.boolean().default(false),
    })
    .refine((tls) => !tls.cert === !tls.key, { message: 'cert and key go together' })
    .nullable()
    .default(null),
});
// A bare URL is the short form of { url }.
const alertmanagerItem = z.union([url.transform((text) => alertmanagerEntry.parse({ url: text })), alertmanagerEntry]);
/**
 * Every member of an HA cluster, each sent every alert. The single URL and single object of
 * earlier configs are still accepted and read as a list of one.
 */
const alertmanager = z
  .union([z.array(alertmanagerItem), alertmanagerItem, z.null()])
  .transform((value) => (value === null ? [] : Array.isArray(value) ? value : [value]))
  .superRefine((list, ctx) => {
    list.forEach((entry, index) => {
      // Each URL has its queue directory, named after it: two entries would share one.
      if (list.findIndex((other) => other.url === entry.url) !== index) {
        ctx.addIssue({ code: 'custom', path: [index, 'url'], message: `${entry.url} is listed twice` });
      }
      if (entry.basic_auth && entry.bearer_token_file) {
        ctx.addIssue({ code: 'custom', path: [index], message: 'basic_auth and bearer_token_file exclude each other' });
      }
    });
  });

const responseAction = z.enum(['isolate', 'pause']);
// A key of response.auto is a rule id or a severity. A misspelt one would match no alert and turn
// the automatic response the user asked for silently off. The audit rules are left out: the
// policy never acts on its own output.
export const RESPONSE_TRIGGERS = [
  ...RULE_IDS.filter((rule) => rule !== 'container_isolated' && rule !== 'container_released'),
  ...SEVERITIES,
] as string[];
const autoResponse = z.record(z.string(), responseAction).superRefine((auto, ctx) => {
  for (const key of Object.keys(auto)) {
    if (RESPONSE_TRIGGERS.includes(key)) continue;
    ctx.addIssue({
      code: 'custom',
      path: [key],
      message: `expected a rule id or a severity (${RESPONSE_TRIGGERS.join(', ')})`,
    });
  }
});

export const configSchema = z.strictObject({
  /** Name of this Docker host in every alert. */
  host: z.string().min(1).default(hostname()),
  docker_host: dockerHost.default('unix:///var/run/docker.sock'),
  listen: hostPort.default('127.0.0.1:9477'),
  state_dir: z.string().min(1).default(DEFAULT_STATE_DIR),
  /** How long a workload learns from its first container; 0 = policy only. */
  learn: duration.default(10 * 60_000),
  stats_interval: duration.default(5000),
  dedup_window: duration.default(5 * 60_000),
  log_level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
  webhooks: z.array(webhook).default([]),
  alertmanager: alertmanager.default([]),
  /** "auto" follows every Docker bridge; a list names interfaces explicitly. */
  interfaces: z.union([z.literal('auto'), z.array(z.string().min(1)).min(1)]).default('auto'),
  token_file: z.string().min(1).nullable().default(null),
  /** Reads (alerts, containers, baselines, flows, metrics) need the token too, on a non-loopback listen address. */
  require_token_for_reads: z.boolean().default(false),
  tls: z
    .strictObject({ cert: z.string().min(1), key: z.string().min(1) })
    .nullable()
    .default(null),
  pcap: z.string().min(1).nullable().default(null),
  /** For --pcap without a live daemon: which CIDRs are containers, by network name. */
  pcap_networks: z.record(z.string(), z.string()).default({}),
  zones: z
    .strictObject({
      /** network name → zone, for networks without a shipwatch.zone label. */
      networks: z.record(z.string(), z.string()).default({}),
      /** zone pairs allowed to talk, e.g. [frontend, backend]; a zone may always talk to itself. */
      allow: z.array(z.tuple([z.string(), z.string()])).default([]),
    })
    .prefault({}),
  /** External destinations every workload may reach: CIDR or DNS name (wildcards), optional :port and /protocol. */
  egress_allowlist: z.array(z.string().min(1).superRefine(checkEgressRule)).default([]),
  /**
   * Upstream resolvers of Docker's embedded DNS (the daemon's --dns): DNS answers from them may
   * name addresses. null: the nameservers of the host's /etc/resolv.conf, as dockerd uses them.
   */
  dns_resolvers: z
    .array(z.string().refine((ip) => isIP(ip) !== 0, 'expected an IP address'))
    .nullable()
    .default(null),
  trusted_registries: z.array(z.string().min(1)).default([]),
  // partialRecord: zod 4's record over an enum demands every key; a user names only the rules they change.
  rules: z
    .partialRecord(ruleId, z.strictObject({ enabled: z.boolean().default(true), severity: severity.optional() }))
    .default({}),
  suppressions: z
    .array(
      z.strictObject({
        workload: z.string().min(1),
        rule: ruleId,
        match: z.string().optional(),
        reason: z.string().optional(),
      }),
    )
    .default([]),
  response: z
    .strictObject({
      /** rule id or severity → action; empty = no automatic response. */
      auto: autoResponse.default({}),
      dry_run: z.boolean().default(false),
      exempt_workloads: z.array(z.string()).default([]),
      max_actions_per_hour: z.number().int().min(1).default(5),
    })
    .prefault({}),
  capture: z
    .strictObject({
      max_flows: z.number().int().min(100).default(100_000),
      snaplen: z.number().int().min(96).max(65535).default(256),
    })
    .prefault({}),
  ...forensicKeys,
  /** Every sink's durable queue: its bound, and the backoff between attempts of one delivery. */
  delivery: z
    .strictObject({
      max_queued: z.number().int().min(1).max(10_000_000).default(10_000),
      retry_min: duration.default(500),
      retry_max: duration.default(60_000),
    })
    .refine((d) => d.retry_min <= d.retry_max, {
      path: ['retry_max'],
      message: 'must not be shorter than retry_min',
    })
    .prefault({}),
  /** Many hosts as one over NATS JetStream (DESIGN.md "Fleet"); null = a lone agent, no NATS needed. */
  fleet: fleetSchema.nullable().default(null),
});

export type Config = Readonly<z.output<typeof configSchema>>;
export type ConfigInput = z.input<typeof configSchema>;

/** One line per problem, each naming the key: `webhooks.0.url: expected an http:// or https:// URL`. */
export function describeIssues(error: z.ZodError): string[] {
  return error.issues.flatMap((issue) => {
    const path = issue.path.length ? issue.path.join('.') : '(top level)';
    // zod reports every unknown key of one object in one issue: one line each, each with its path.
    if (issue.code === 'unrecognized_keys')
      return issue.keys.map((key) => `${[...issue.path, key].join('.')}: unknown option`);
    return [`${path}: ${issue.message}`];
  });
}

/** Validates raw settings; throws SW_CONFIG_INVALID listing every problem. */
export function validateConfig(raw: unknown, source: string): Config {
  const result = configSchema.safeParse(raw ?? {});
  if (!result.success) {
    const problems = describeIssues(result.error);
    throw new ShipwatchError('SW_CONFIG_INVALID', `${source}: ${problems.join('; ')}`);
  }
  return deepFreeze(result.data);
}

export function readConfigFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ShipwatchError(
      'SW_CONFIG_UNREADABLE',
      `${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
    );
  }
  let parsed: unknown;
  try {
    assertYamlDepth(text);
    parsed = yaml().parse(text);
  } catch (error) {
    throw new ShipwatchError(
      'SW_CONFIG_INVALID',
      `${file}: not valid YAML: ${(error as Error).message.split('\n')[0]}`,
    );
  }
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ShipwatchError('SW_CONFIG_INVALID', `${file}: expected a mapping of options at the top level`);
  }
  return parsed as Record<string, unknown>;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
