/**
 * The apply transaction against real haproxy (the shared suite,
 * test/lib/agent-apply-conformance; nginx runs it in nginx-agent-apply).
 * haproxy -c refuses SSLv3 alone: valid in the contract, absent from this OpenSSL.
 */
import { describeApplyTransaction } from '../lib/agent-apply-conformance';
import { loopbackExample } from '../lib/agent-docs';

jest.setTimeout(60000);

describeApplyTransaction('haproxy', '127.20.2', {
  doc: async (generation, vip, ports, members) => {
    const d = loopbackExample('terminated-https-l7', generation, vip, await ports(), members);
    // SSLv3 is a valid tls_versions value, but this OpenSSL build has no SSLv3: only haproxy -c can tell
    d.loadbalancer.listeners[0].tls_versions = ['SSLv3'];
    return d;
  },
  output: /all SSL\/TLS versions are disabled/,
});
