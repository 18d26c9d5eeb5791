/** The committed generated files are exactly what the generator writes from the zod schemas: nothing is edited by hand. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import * as os from 'node:os';
import { EXAMPLES_DIR, exampleNames, loadExample } from '../test/lib/examples';
import { generatedDir, generatedFiles } from './generate';

/** Error counts of documents against a JSON Schema, by python3-jsonschema (a dependency of python3-octavia): an independent validator. */
function jsonSchemaErrorCounts(schemaFile: string, docFiles: string[]): number[] {
  const script = [
    'import json, sys, jsonschema',
    'schema = json.load(open(sys.argv[1]))',
    'cls = jsonschema.validators.validator_for(schema)',
    'cls.check_schema(schema)',
    'v = cls(schema)',
    'print(json.dumps([len(list(v.iter_errors(json.load(open(f))))) for f in sys.argv[2:]]))',
  ].join('\n');
  return JSON.parse(execFileSync('/usr/bin/python3', ['-c', script, schemaFile, ...docFiles], { encoding: 'utf8' }));
}

const files = generatedFiles();

describe('schemas/generated', () => {
  it.each(Object.keys(files))('%s is byte for byte what the generator writes (run npm run gen:schemas)', (name) => {
    expect(fs.readFileSync(path.join(generatedDir(), name), 'utf8')).toBe(files[name]);
  });

  it('holds no other file', () => {
    expect(fs.readdirSync(generatedDir()).sort()).toEqual(Object.keys(files).sort());
  });

  it('generates the same bytes twice in one process', () => {
    expect(generatedFiles()).toEqual(files);
  });

  it('describes every object of the document in the JSON Schema', () => {
    const schema = JSON.parse(files['document.schema.json']);
    expect(Object.keys(schema.$defs).sort()).toEqual(['Amphora', 'HealthMonitor', 'L7Policy', 'L7Rule', 'Listener', 'LoadBalancer', 'Member', 'Pool', 'TlsContainer']);
    expect(schema.required).toEqual(['schema_version', 'generation', 'loadbalancer']);
    expect(schema.$defs.Listener.properties.protocol.enum).toContain('TERMINATED_HTTPS');
    expect(schema.$defs.Listener.additionalProperties).toBe(false);
  });

  it('is a valid draft 2020-12 schema that the examples pass and a broken document fails (checked by python3-jsonschema)', () => {
    const broken = loadExample('http-basic');
    broken.loadbalancer.listeners[0].protocol_port = 0;
    broken.loadbalancer.listeners[0].name = 'a\nb';
    broken.loadbalancer.pools[0].healthmonitor.url_path = '/x;y';
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'schemas-gen-'));
    try {
      const brokenFile = path.join(dir, 'broken.json');
      fs.writeFileSync(brokenFile, JSON.stringify(broken));
      const examples = exampleNames().map((n) => path.join(EXAMPLES_DIR, n));
      const counts = jsonSchemaErrorCounts(path.join(generatedDir(), 'document.schema.json'), [...examples, brokenFile]);
      expect(counts.slice(0, -1)).toEqual(examples.map(() => 0));
      expect(counts[counts.length - 1]).toBeGreaterThan(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('describes every route of the contract with its error bodies in the OpenAPI document', () => {
    const api = JSON.parse(files['openapi.json']);
    const routes = Object.entries(api.paths).flatMap(([p, ops]) => Object.keys(ops as object).map((m) => `${m.toUpperCase()} ${p}`));
    expect(routes.sort()).toEqual([
      'DELETE /v1/loadbalancer', 'GET /v1/config', 'GET /v1/details', 'GET /v1/info', 'GET /v1/loadbalancer',
      'POST /v1/loadbalancer/validate', 'PUT /v1/loadbalancer',
    ]);
    const put = api.paths['/v1/loadbalancer'].put;
    expect(put.requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/Document' });
    expect(Object.keys(put.responses).sort()).toEqual(['200', '400', '409', '413', '422', '503', '504', '507']);
    expect(api.components.schemas.Error.properties.errors.items).toEqual({ $ref: '#/components/schemas/ValidationError' });
    expect(api.components.schemas.ValidationError.required).toEqual(['path', 'message']);
  });
});
