/**
 * Every contract example, rewritten to loopback, goes through the real agent
 * and real haproxy (the shared suite, test/lib/agent-conformance; nginx runs
 * it in nginx-agent-examples): applied (200), its TCP-family listeners OPEN,
 * and the configuration GET /v1/config shows is the one haproxy runs. And
 * haproxy's own: the ACTIVE_STANDBY example with its non-local binds.
 */
import { freePort } from '../lib/agent-harness';
import { describeExamples } from '../lib/agent-conformance';
import { loopbackExample } from '../lib/agent-docs';
import { loadExample } from '../lib/examples';

jest.setTimeout(60000);

const NET = '127.20.8';
const suite = describeExamples('haproxy', NET);

it('applies terminated-https-l7 with its ACTIVE_STANDBY amphora and IPv6 additional VIP as given (addresses not on this machine)', async () => {
  const raw = loadExample('terminated-https-l7');
  const ports = await Promise.all(raw.loadbalancer.listeners.map(() => freePort(`${NET}.2`)));
  const agent = suite.agent();
  const generation = suite.nextGeneration();
  const d = loopbackExample('terminated-https-l7', generation, `${NET}.2`, ports, suite.backends());
  // what the helper drops for the other tests: haproxy binds peers on 10.0.0.11 and the VIP 2001:db8::20 transparently
  d.amphora = raw.amphora;
  d.loadbalancer.additional_vips = raw.loadbalancer.additional_vips;
  const r = await agent.api('PUT', '/v1/loadbalancer', d);
  expect(r.body).toMatchObject({ result: 'applied', generation, reloaded: true });
  const cfg = (await agent.api('GET', '/v1/config')).body;
  expect(cfg.files[cfg.main]).toMatch(/bind 10\.0\.0\.11:1025 transparent/);
  expect(cfg.files[cfg.main]).toMatch(/bind \[2001:db8::20\]:\d+ .*transparent/);
  // the HTTP listener redirects to https (the example's REDIRECT_PREFIX 308 policy), served on the loopback VIP
  const http = d.loadbalancer.listeners.find((l: { protocol: string }) => l.protocol === 'HTTP');
  const res = await fetch(`http://${NET}.2:${http.protocol_port}/any`, { redirect: 'manual' });
  expect(res.status).toBe(308);
  expect(res.headers.get('location')).toBe('https://www.example.com/any');
});
