// Health, security headers, metrics, OpenAPI document.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  startServer, api, request, login, assertProblem, assertSecurityHeaders, makeWebDir, openEvents,
  BACKEND, REPO, sleep,
} from './harness.mjs';

let srv;
let web;

before(async () => {
  // The web dir lives in its own temp dir next to the database (removed by stop()).
  const fsTmp = fs.mkdtempSync(path.join((await import('node:os')).tmpdir(), 'shequ-web-'));
  web = makeWebDir(fsTmp);
  web.tmp = fsTmp;
  srv = await startServer({ flags: ['--web', web.web] });
});

after(async () => {
  try { if (srv) await srv.stop(); } finally { if (web) fs.rmSync(web.tmp, { recursive: true, force: true }); }
});

function checkSecurityHeaders(res, what) {
  return assertSecurityHeaders(res.headers, `${what} (${res.status})`);
}

/** Parse Prometheus text: [{name, labels:{}, value}] plus types {name: type}. */
function parseProm(text) {
  const samples = [];
  const types = {};
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const t = /^# TYPE (\S+) (\S+)/.exec(line);
    if (t) { types[t[1]] = t[2]; continue; }
    if (line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)(\s+\d+)?$/.exec(line);
    assert.ok(m, `malformed metrics line: ${line}`);
    const labels = {};
    if (m[3]) {
      const re = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;
      let l;
      while ((l = re.exec(m[3]))) labels[l[1]] = l[2];
    }
    const v = m[4] === '+Inf' ? Infinity : Number(m[4]);
    assert.ok(!Number.isNaN(v), `metric value is a number: ${line}`);
    samples.push({ name: m[1], labels, value: v, line });
  }
  return { samples, types };
}

async function scrape() {
  const res = await request(srv.base, '/metrics');
  assert.equal(res.status, 200, res.text);
  assert.match(res.headers['content-type'] || '', /^text\/plain/, 'metrics content-type');
  return { res, ...parseProm(res.text) };
}

describe('health', () => {
  it('GET /api/v1/health reports ok, the backend in use and a version', async () => {
    const res = await api(srv.base, '/api/v1/health');
    assert.equal(res.status, 200, res.text);
    assert.match(res.headers['content-type'] || '', /^application\/json/);
    assert.equal(res.json.status, 'ok');
    assert.equal(res.json.db, BACKEND);
    assert.equal(typeof res.json.version, 'string');
    assert.ok(res.json.version.length > 0, 'version non-empty');
  });

  it('needs no authentication and ignores a bad token', async () => {
    const res = await api(srv.base, '/api/v1/health', { token: 'not-a-token' });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.status, 'ok');
  });
});

describe('security headers on every response', () => {
  it('API, errors, static files, metrics and openapi all carry them; request ids are distinct', async () => {
    const ids = new Set();
    const cases = [
      ['GET /api/v1/health', () => api(srv.base, '/api/v1/health'), 200],
      ['GET /api/v1/health again', () => api(srv.base, '/api/v1/health'), 200],
      ['GET /api/v1/nope (404)', () => api(srv.base, '/api/v1/nope'), 404],
      ['GET /api/v1/me unauthenticated (401)', () => api(srv.base, '/api/v1/me'), 401],
      ['DELETE /api/v1/health (405)', () => api(srv.base, '/api/v1/health', { method: 'DELETE' }), 405],
      ['POST login bad JSON (400)', () => api(srv.base, '/api/v1/auth/login', {
        method: 'POST', body: '{', headers: { 'content-type': 'application/json' },
      }), 400],
      ['GET / (static index)', () => request(srv.base, '/'), 200],
      ['GET /assets/app-abc123.js (static asset)', () => request(srv.base, '/assets/app-abc123.js'), 200],
      ['GET /areas/310105 (SPA fallback)', () => request(srv.base, '/areas/310105'), 200],
      ['GET /metrics', () => request(srv.base, '/metrics'), 200],
      ['GET /api/v1/openapi.json', () => request(srv.base, '/api/v1/openapi.json'), 200],
    ];
    for (const [what, fn, status] of cases) {
      const res = await fn();
      assert.equal(res.status, status, `${what}: ${res.text.slice(0, 300)}`);
      const id = checkSecurityHeaders(res, what);
      assert.ok(!ids.has(id), `X-Request-Id ${id} repeated on ${what}`);
      ids.add(id);
    }
    assert.equal(ids.size, cases.length);
  });

  it('the 404 of an unknown API route is problem+json', async () => {
    const res = await api(srv.base, '/api/v1/nope');
    assertProblem(res, 404, 'not-found', 'GET /api/v1/nope');
  });
});

describe('metrics', () => {
  it('is Prometheus text with shequ_ metrics', async () => {
    const { samples, types } = await scrape();
    assert.ok(samples.length > 0, 'some samples');
    const ours = samples.filter((s) => s.name.startsWith('shequ_'));
    assert.ok(ours.length > 0, 'metrics named shequ_*');
    for (const [name, type] of Object.entries(types)) {
      assert.match(type, /^(counter|gauge|histogram|summary|untyped)$/, `TYPE of ${name}`);
    }
  });

  // Metric names as the server exposes them (read from its /metrics once it existed).
  const REQUESTS = 'shequ_http_requests_total';
  const LATENCY = 'shequ_http_request_duration_seconds';
  const OPEN_CONNECTIONS = 'shequ_http_open_connections';
  const SSE_SUBSCRIBERS = 'shequ_sse_subscribers';
  const POOL_GAUGES = ['shequ_db_pool_size', 'shequ_db_pool_in_use'];
  const value = (samples, name) => samples.filter((s) => s.name === name).reduce((a, s) => a + s.value, 0);

  it('declares its metrics with the right types', async () => {
    const { types } = await scrape();
    assert.equal(types[REQUESTS], 'counter');
    assert.equal(types[LATENCY], 'histogram');
    assert.equal(types[OPEN_CONNECTIONS], 'gauge');
    assert.equal(types[SSE_SUBSCRIBERS], 'gauge');
    for (const g of POOL_GAUGES) assert.equal(types[g], 'gauge', g);
  });

  it('counts requests by route and status', async () => {
    for (let i = 0; i < 2; i++) await api(srv.base, '/api/v1/health');
    await api(srv.base, '/api/v1/me'); // 401
    const a = await scrape();
    const isReq = (s) => s.name === REQUESTS;
    assert.ok(a.samples.filter(isReq).every((s) => s.labels.route !== undefined && /^\d{3}$/.test(s.labels.status)),
      `${REQUESTS} has route and status labels`);
    const pick = (p, route, status) => p.samples.filter((s) => isReq(s) &&
      s.labels.route === route && String(s.labels.status) === String(status))
      .reduce((acc, s) => acc + s.value, 0);
    const health1 = pick(a, '/api/v1/health', 200);
    const me401 = pick(a, '/api/v1/me', 401);
    assert.ok(health1 >= 2, `${REQUESTS}{route="/api/v1/health",status="200"} >= 2; got ${health1}\n` +
      a.samples.filter(isReq).map((s) => s.line).join('\n'));
    assert.ok(me401 >= 1, `${REQUESTS}{route="/api/v1/me",status="401"} >= 1; got ${me401}`);
    for (let i = 0; i < 3; i++) await api(srv.base, '/api/v1/health');
    const b = await scrape();
    const health2 = pick(b, '/api/v1/health', 200);
    assert.equal(health2, health1 + 3, `counter grew by 3: ${health1} -> ${health2}`);
    assert.equal(pick(b, '/api/v1/me', 401), me401, 'other series unchanged');
    // the route label is the route pattern, not the raw path: per-code area paths do not add series
    const adm = await login(srv.base, 'admin');
    await api(srv.base, '/api/v1/areas/310105', { token: adm.token });
    await api(srv.base, '/api/v1/areas/310105002', { token: adm.token });
    await api(srv.base, '/api/v1/areas/310105999', { token: adm.token });
    const c = await scrape();
    const rawPaths = c.samples.filter((s) => isReq(s) && /\/api\/v1\/areas\/3101/.test(s.labels.route));
    assert.equal(rawPaths.length, 0, `route label must be the pattern, not the raw path:\n${rawPaths.map((s) => s.line).join('\n')}`);
    const areaRoutes = c.samples.filter((s) => isReq(s) && /^\/api\/v1\/areas\/\{[^}]+\}$/.test(s.labels.route));
    assert.equal(areaRoutes.filter((s) => s.labels.status === '200').reduce((n, s) => n + s.value, 0), 2,
      'two 200s on the area pattern');
    assert.equal(areaRoutes.filter((s) => s.labels.status === '404').reduce((n, s) => n + s.value, 0), 1,
      'one 404 on the area pattern');
  });

  it('has a latency histogram', async () => {
    await api(srv.base, '/api/v1/health');
    const { samples } = await scrape();
    const name = LATENCY;
    const buckets = samples.filter((s) => s.name === `${name}_bucket`);
    assert.ok(buckets.length > 1, `${name}_bucket{ lines present`);
    assert.ok(buckets.every((s) => s.labels.le !== undefined), 'every bucket has le');
    const inf = buckets.filter((s) => s.labels.le === '+Inf');
    assert.ok(inf.length > 0, 'le="+Inf" bucket');
    const count = samples.filter((s) => s.name === `${name}_count`);
    const sum = samples.filter((s) => s.name === `${name}_sum`);
    assert.ok(count.length > 0 && sum.length > 0, `${name}_count and _sum present`);
    const totalCount = count.reduce((a, s) => a + s.value, 0);
    const totalInf = inf.reduce((a, s) => a + s.value, 0);
    assert.equal(totalInf, totalCount, '+Inf bucket equals _count');
    assert.ok(totalCount >= 1, 'some observations');
    assert.ok(sum.every((s) => s.value >= 0), '_sum non-negative');
    // the health route has its own series, with at least the request just made
    const hc = count.filter((s) => s.labels.route === '/api/v1/health');
    assert.ok(hc.length === 1 && hc[0].value >= 1, `${name}_count{route="/api/v1/health"}`);
    // buckets are cumulative within each series
    const series = new Map();
    for (const s of buckets) {
      const key = JSON.stringify(Object.entries(s.labels).filter(([k]) => k !== 'le').sort());
      if (!series.has(key)) series.set(key, []);
      series.get(key).push(s);
    }
    for (const list of series.values()) {
      const sorted = list.map((s) => [s.labels.le === '+Inf' ? Infinity : Number(s.labels.le), s.value])
        .sort((x, y) => x[0] - y[0]);
      for (let i = 1; i < sorted.length; i++) {
        assert.ok(sorted[i][1] >= sorted[i - 1][1], `buckets cumulative: ${JSON.stringify(sorted)}`);
      }
    }
  });

  it('has gauges for open connections, SSE subscribers and the database pool', async () => {
    const a = await scrape();
    assert.ok(value(a.samples, OPEN_CONNECTIONS) >= 1, `${OPEN_CONNECTIONS} counts the scraping connection itself`);
    const size = value(a.samples, 'shequ_db_pool_size');
    const inUse = value(a.samples, 'shequ_db_pool_in_use');
    assert.ok(size >= 1, `pool size ${size}`);
    assert.ok(inUse >= 0 && inUse <= size, `pool in use ${inUse} of ${size}`);

    const adm = await login(srv.base, 'admin');
    const before = value(a.samples, SSE_SUBSCRIBERS);
    const conns = value(a.samples, OPEN_CONNECTIONS);
    const s1 = await openEvents(srv.base, { cookie: adm.cookie });
    const s2 = await openEvents(srv.base, { token: adm.token });
    try {
      assert.equal(s1.status, 200);
      assert.equal(s2.status, 200);
      await sleep(200);
      const b = await scrape();
      assert.equal(value(b.samples, SSE_SUBSCRIBERS), before + 2, `${SSE_SUBSCRIBERS} with two subscribers`);
      assert.ok(value(b.samples, OPEN_CONNECTIONS) >= conns + 2, `${OPEN_CONNECTIONS} counts the two SSE streams`);
    } finally {
      s1.close();
      s2.close();
    }
    // the server notices a departed client well before the 15 s heartbeat would tell it
    let after = Infinity;
    for (let i = 0; i < 20 && after !== before; i++) {
      await sleep(500);
      after = value((await scrape()).samples, SSE_SUBSCRIBERS);
    }
    assert.equal(after, before, `${SSE_SUBSCRIBERS} back to ${before} after the clients left`);
  });
});

describe('openapi.json', () => {
  it('is OpenAPI 3.x and documents every route of docs/api.md', async () => {
    const res = await request(srv.base, '/api/v1/openapi.json');
    assert.equal(res.status, 200);
    assert.match(res.headers['content-type'] || '', /json/);
    const doc = JSON.parse(res.text);
    assert.match(String(doc.openapi), /^3\.\d+(\.\d+)?$/);
    assert.ok(doc.info && typeof doc.info.title === 'string', 'info.title');
    assert.ok(doc.paths && typeof doc.paths === 'object', 'paths');

    // routes promised by the contract
    const md = fs.readFileSync(path.join(REPO, 'docs', 'api.md'), 'utf8');
    const want = new Set();
    for (const m of md.matchAll(/`(GET|POST|PUT|PATCH|DELETE) (\/[^`?\s]*)/g)) {
      want.add(`${m[1].toLowerCase()} ${m[2].replace(/\{[^}]+\}/g, '{}')}`);
    }
    assert.ok(want.size >= 10, `found the routes in docs/api.md: ${[...want].join(', ')}`);

    const prefixes = [''];
    for (const s of doc.servers || []) {
      try {
        const p = new URL(s.url, 'http://x').pathname.replace(/\/$/, '');
        if (p) prefixes.push(p);
      } catch { /* ignore */ }
    }
    const have = new Set();
    for (const [p, item] of Object.entries(doc.paths)) {
      for (const method of Object.keys(item)) {
        if (!/^(get|post|put|patch|delete|head|options)$/.test(method)) continue;
        for (const pre of prefixes) have.add(`${method} ${(pre + p).replace(/\{[^}]+\}/g, '{}')}`);
      }
    }
    const missing = [...want].filter((r) => !have.has(r));
    assert.deepEqual(missing, [], `routes missing from openapi.json`);
  });
});
