/**
 * Real haproxy on 127.10.3.0/24 through the shared L7 conformance suite
 * (test/lib/l7-conformance.ts; nginx runs the same in nginx-l7).
 */
import { startHaproxy } from '../lib/haproxy-harness';
import { describeL7 } from '../lib/l7-conformance';

describeL7((raw) => startHaproxy(raw), '127.10.3');
