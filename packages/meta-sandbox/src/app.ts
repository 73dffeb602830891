import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import type { SandboxContext } from './context.js';
import { invalidParameter, SUBCODES, unknownPath } from './errors.js';
import { graphRouter } from './graph-route.js';
import { pixelRouter } from './pixel-route.js';
import { sandboxRouter } from './sandbox-routes.js';

export function createApp(ctx: SandboxContext): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.use(sandboxRouter(ctx));
  app.use(pixelRouter(ctx));
  app.use(graphRouter(ctx));
  app.use((req: Request, res: Response) => {
    const e = unknownPath(req.path);
    res.status(404).json(e.body);
  });
  // Last resort: whatever throws answers a Graph-shaped 400/500, the process keeps running.
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const status = (err as { status?: number }).status;
    const e = invalidParameter(SUBCODES.MALFORMED_BODY, 'Malformed Request', 'the request could not be processed');
    if (res.headersSent) return;
    res.status(typeof status === 'number' && status >= 400 && status < 500 ? status : 500).json(e.body);
  });
  return app;
}
