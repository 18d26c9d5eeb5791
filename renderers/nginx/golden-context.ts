/** The fixed context nginx golden files are rendered with (scripts/regen-golden-nginx.js and golden.test.ts share it). */
import { nginxCapabilities } from '../capabilities';
import { DEBIAN_STREAM_MODULE, type NginxRenderContext } from './context';

/** Same inputs, same files: the golden files depend on nothing else. */
export const NGINX_GOLDEN_CONTEXT: NginxRenderContext = {
  capabilities: nginxCapabilities('1.22.1'),
  runDir: '/run/amphora-agent',
  fdLimit: 20000,
  nginx: { streamModule: DEBIAN_STREAM_MODULE },
};
