/** The API's handlers: parse, call, map errors. Nothing else (STYLE "One PUT"). */
import express, { type NextFunction, type Request, type Response } from 'express';
import type { AppliedBody, ConfigFilesBody, DetailsBody, InfoBody } from '../../schemas/api';
import type { Applier } from '../apply/transaction';
import { asAgentError, NotApplied, RouteNotFound } from '../errors';
import type { Logger } from '../log';
import { readBody } from './body';
import { redactDocument, redactFiles } from './redact';

export interface ApiDeps {
  applier: Applier;
  info: () => InfoBody;
  details: () => Promise<DetailsBody>;
  maxRequestBytes: number;
  log: Logger;
}

/** Wraps an async handler so its result is the JSON body and anything thrown reaches the error handler. */
const json = <T>(h: (req: Request, res: Response) => Promise<T>) => (req: Request, res: Response, next: NextFunction) => {
  h(req, res).then((body) => res.json(body), next);
};

/** Builds the express app of the v1 API. */
export function createApp(d: ApiDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  // the bytes as received: parsed where the document is validated (the worker), not here (agent/apply/prepare.ts)
  const body = (req: Request) => readBody(req, d.maxRequestBytes);

  app.get('/v1/info', json(async () => d.info()));
  app.get('/v1/details', json(async () => d.details()));
  app.put('/v1/loadbalancer', json(async (req) => d.applier.apply(await body(req))));
  app.post('/v1/loadbalancer/validate', json(async (req) => d.applier.validate(await body(req))));
  app.get('/v1/loadbalancer', json(async (): Promise<AppliedBody> => {
    const s = d.applier.applied();
    if (!s) throw new NotApplied();
    return { generation: s.generation, hash: s.hash, applied_at: s.appliedAt, status: 'ACTIVE', document: redactDocument(JSON.parse(s.documentText) as Record<string, unknown>) };
  }));
  app.delete('/v1/loadbalancer', json(async () => d.applier.remove()));
  app.get('/v1/config', json(async (): Promise<ConfigFilesBody> => {
    const s = d.applier.applied();
    if (!s) throw new NotApplied();
    return { generation: s.generation, hash: s.hash, main: s.main, files: redactFiles(s.files, s.secrets) };
  }));
  app.use((req: Request) => {
    throw new RouteNotFound(`no route ${req.method} ${req.path}`);
  });
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const e = asAgentError(err);
    if (e.status >= 500) d.log.error('request failed', { method: req.method, path: req.path, code: e.code, error: err });
    else d.log.debug('request refused', { method: req.method, path: req.path, code: e.code, reason: e.message });
    // an unread body (413) must not be parsed as the next request
    if (e.status === 413) res.setHeader('Connection', 'close');
    res.status(e.status).json(e.toBody());
  });
  return app;
}
