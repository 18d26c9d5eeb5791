#!/usr/bin/env node
/**
 * `node dist/schemas/generate.js [--check]`: writes the JSON Schema of the
 * document and the OpenAPI description of the API, both derived from the zod
 * schemas, to `schemas/generated/`. The files are committed only as this
 * script writes them (a unit test regenerates and compares bytes); `--check`
 * exits 1 when they differ instead of writing.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { OpenAPIRegistry, OpenApiGeneratorV31, zodToOpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { buildApiSchemas } from './api';
import { buildSchemas, strictSchemas } from './document';
import { API_VERSIONS, SCHEMA_VERSION, SUPPORTED_SCHEMA_VERSIONS } from './version';

type Schemas = ReturnType<typeof buildSchemas>;
/** Named parts of the document: they become `$defs` / `components.schemas` instead of being inlined. */
const parts = (S: Schemas): [string, z.ZodType, string][] => [
  ['LoadBalancer', S.loadbalancer, 'octavia-lib provider LoadBalancer with listeners and pools nested'],
  ['Listener', S.listener, 'octavia-lib provider Listener'],
  ['Pool', S.pool, 'octavia-lib provider Pool'],
  ['Member', S.member, 'octavia-lib provider Member'],
  ['HealthMonitor', S.healthMonitor, 'octavia-lib provider HealthMonitor (delay and timeout in seconds)'],
  ['L7Policy', S.l7policy, 'octavia-lib provider L7Policy'],
  ['L7Rule', S.l7rule, 'octavia-lib provider L7Rule; value is matched literally'],
  ['TlsContainer', S.tlsContainer, 'certificate, key and intermediates as PEM strings'],
  ['Amphora', S.amphora, "this VM's place in the load balancer"],
];
const DOCUMENT_DESCRIPTION =
  `The whole desired state of one amphora (schema_version ${SCHEMA_VERSION}; accepted: ${SUPPORTED_SCHEMA_VERSIONS.join(', ')}). ` +
  'Field rules only: cross-object rules (references, protocol pairs, ports, PEM parsing) are checked by the agent and listed in the contract.';

/** The JSON Schema (draft 2020-12) of a document as a controller writes it (input side: defaults optional). */
export function documentJsonSchema(): object {
  // named in zod's global registry (where .meta() descriptions live too) while generating
  const named = parts(strictSchemas);
  for (const [id, schema, description] of named) z.globalRegistry.add(schema, { id, description });
  let schema: Record<string, unknown>;
  try {
    schema = z.toJSONSchema(strictSchemas.document, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' });
  } finally {
    for (const [, s] of named) z.globalRegistry.remove(s);
  }
  return {
    $schema: schema.$schema,
    $id: 'https://amphora-agent.invalid/schemas/document.schema.json',
    title: 'amphora-agent document',
    description: DOCUMENT_DESCRIPTION,
    ...schema,
  };
}

const json = (schema: z.ZodType, description: string) => ({ description, content: { 'application/json': { schema } } });

/** The OpenAPI 3.1 description of the agent's routes (contract section 3). */
export function openApiDocument(): object {
  // fresh schemas, named in the generator's registry (by instance, so nested uses become $refs) and removed after
  const S = buildSchemas(true);
  const A = buildApiSchemas();
  const named: [string, z.ZodType, string?][] = [
    ...parts(S),
    ['Document', S.document, DOCUMENT_DESCRIPTION],
    ['ValidationError', A.validationError],
    ['Error', A.errorBody],
    ['Info', A.info],
    ['Details', A.details],
    ['ApplyResult', A.applyResult],
    ['ValidateResult', A.validateResult],
    ['Applied', A.applied],
    ['ConfigFiles', A.configFiles],
    ['Deleted', A.deleted],
  ];
  for (const [id, schema, description] of named) zodToOpenAPIRegistry.add(schema, { _internal: { refId: id }, ...(description ? { description } : {}) });
  try {
    return describeRoutes(S, A, named.map(([, schema]) => schema));
  } finally {
    for (const [, schema] of named) zodToOpenAPIRegistry.remove(schema);
  }
}

function describeRoutes(S: Schemas, A: ReturnType<typeof buildApiSchemas>, components: z.ZodType[]): object {
  const r = new OpenAPIRegistry();
  const document = S.document;
  const error = A.errorBody;
  const info = A.info;
  const details = A.details;
  const applied = A.applyResult;
  const errors = {
    400: json(error, 'the body is not a JSON object (MALFORMED_BODY) or the document is invalid (DOCUMENT_INVALID, with every error)'),
    413: json(error, 'the body is larger than max_request_bytes (BODY_TOO_LARGE), or validating it needs more memory than the agent allows (DOCUMENT_TOO_LARGE)'),
  };
  const push = {
    body: { required: true, content: { 'application/json': { schema: document } } },
  };
  r.registerPath({ method: 'get', path: '/v1/info', summary: 'Versions, engine and capabilities', responses: { 200: json(info, 'the agent') } });
  r.registerPath({ method: 'get', path: '/v1/details', summary: 'info plus applied state, refusals, VM load and heartbeat', responses: { 200: json(details, 'the agent in detail') } });
  r.registerPath({
    method: 'put',
    path: '/v1/loadbalancer',
    summary: 'Apply a document (the whole desired state)',
    request: push,
    responses: {
      200: json(applied, 'applied, or unchanged (same generation and content)'),
      ...errors,
      409: json(error, 'generation lower than the applied one (GENERATION_STALE) or same generation with other content (GENERATION_CONFLICT); nothing touched'),
      422: json(error, 'the engine refused the rendered configuration (ENGINE_REFUSED, RENDER_FAILED); nothing changed'),
      503: json(error, 'applying failed and the previous configuration was restored (APPLY_FAILED, ENGINE_FAILED)'),
      504: json(error, 'an engine step (check, start, reload) ran out of its time budget (ENGINE_TIMEOUT); rolled_back says whether the previous configuration serves again'),
      507: json(error, 'the state directory has no room for the apply (STORAGE_FULL): refused before the engine was touched, or, when the commit failed after the reload, rolled back (rolled_back)'),
    },
  });
  r.registerPath({
    method: 'post',
    path: '/v1/loadbalancer/validate',
    summary: 'Everything PUT does short of touching the running engine',
    request: push,
    responses: { 200: json(A.validateResult, 'valid; `unchanged` when a PUT of it would be a no-op'), ...errors, 409: json(error, 'stale or conflicting generation'), 422: json(error, 'the engine refused the rendered configuration'), 504: json(error, 'the engine check ran out of its time budget (ENGINE_TIMEOUT)'), 507: json(error, 'no room in the state directory for the candidate (STORAGE_FULL)') },
  });
  r.registerPath({
    method: 'get',
    path: '/v1/loadbalancer',
    summary: 'The applied document, secrets redacted',
    responses: { 200: json(A.applied, 'the applied document'), 404: json(error, 'nothing applied (NOT_APPLIED)') },
  });
  r.registerPath({ method: 'delete', path: '/v1/loadbalancer', summary: 'Stop serving and forget the document', responses: { 200: json(A.deleted, 'deleted (false: nothing was applied)') } });
  r.registerPath({
    method: 'get',
    path: '/v1/config',
    summary: 'The rendered files of the applied document, secrets redacted',
    responses: { 200: json(A.configFiles, 'the rendered files'), 404: json(error, 'nothing applied (NOT_APPLIED)') },
  });
  return new OpenApiGeneratorV31([...components, ...r.definitions]).generateDocument({
    openapi: '3.1.0',
    info: { title: 'amphora-agent', version: API_VERSIONS[API_VERSIONS.length - 1], description: 'HTTPS with mutual TLS; every route needs a client certificate signed by the configured CA.' },
    servers: [{ url: '/' }],
  });
}

/** Every generated file: name under schemas/generated/ → exact content. */
export function generatedFiles(): Record<string, string> {
  const text = (o: object) => JSON.stringify(o, null, 2) + '\n';
  return { 'document.schema.json': text(documentJsonSchema()), 'openapi.json': text(openApiDocument()) };
}

/** The repository's schemas/generated/ directory, from source or from dist/. */
export function generatedDir(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error('cannot find the repository root (package.json) above ' + __dirname);
    dir = up;
  }
  return path.join(dir, 'schemas', 'generated');
}

function main(args: string[]): number {
  const dir = generatedDir();
  let stale = 0;
  for (const [name, content] of Object.entries(generatedFiles())) {
    const file = path.join(dir, name);
    const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : null;
    if (current === content) continue;
    stale++;
    if (args.includes('--check')) process.stderr.write(`${file} is not what the schemas generate; run npm run gen:schemas\n`);
    else {
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(file, content);
      process.stdout.write(`wrote ${file}\n`);
    }
  }
  return args.includes('--check') && stale ? 1 : 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
