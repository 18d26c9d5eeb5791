/**
 * The apply transaction against real nginx (the shared suite of agent-apply).
 * nginx -t binds the listen addresses: a VIP this machine does not hold is
 * what it refuses (a VM needs ip_nonlocal_bind for that; renderers/nginx/README).
 * 127.50.22.0/24.
 */
import { describeApplyTransaction } from '../lib/agent-apply-conformance';
import { httpBasicDoc } from '../lib/agent-docs';

jest.setTimeout(60000);

describeApplyTransaction('nginx', '127.50.22', {
  doc: async (generation, _vip, ports, members) => httpBasicDoc(generation, { host: '192.0.2.1', port: (await ports())[0] }, members),
  output: /bind\(\) to 192\.0\.2\.1:\d+ failed \(99: Cannot assign requested address\)/,
});
