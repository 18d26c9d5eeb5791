/**
 * Every contract example, rewritten to loopback, through the real agent on
 * nginx (the shared suite of agent-examples): what nginx refuses is refused
 * with 400 naming the fields, the rest applied and served. 127.50.28.0/24.
 */
import { describeExamples } from '../lib/agent-conformance';

jest.setTimeout(60000);

describeExamples('nginx', '127.50.28');
