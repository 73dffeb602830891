// Baseline for http.bench.ts: the cheapest Express 5 POST route (body not read), on 127.0.0.1:0.
import express from 'express';

const app = express();
app.post('/collect', (_req, res) => res.status(204).end());
const server = app.listen(0, '127.0.0.1', () => {
  console.log(JSON.stringify({ msg: 'listening', url: `http://127.0.0.1:${server.address().port}` }));
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
