// Health, security headers, metrics, OpenAPI document.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  startServer, api, request, login, assertProblem, parseCsp, makeWebDir, openEvents,
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
  const h = res.headers;
  const ctx = `${what} (${res.status})`;
  const cspRaw = h['content-security-policy'];
  assert.ok(cspRaw, `Content-Security-Policy on ${ctx}`);
  const csp = parseCsp(cspRaw);
  assert.deepEqual(csp['frame-ancestors'], ["'none'"], `frame-ancestors 'none' on ${ctx}: ${cspRaw}`);
  const scriptSrc = csp['script-src'] || csp['default-src'];
  assert.ok(scriptSrc, `script-src or default-src present on ${ctx}: ${cspRaw}`);
  assert.ok(!scriptSrc.includes("'unsafe-inline'"), `no 'unsafe-inline' in script-src on ${ctx}: ${cspRaw}`);
  assert.ok(!scriptSrc.includes("'unsafe-eval'"), `no 'unsafe-eval' in script-src on ${ctx}: ${cspRaw}`);
  assert.equal(h['x-content-type-options'], 'nosniff', `X-Content-Type-Options on ${ctx}`);
  assert.equal(h['referrer-policy'], 'no-referrer', `Referrer-Policy on ${ctx}`);
  assert.equal(String(h['x-frame-options']).toUpperCase(), 'DENY', `X-Frame-Options on ${ctx}`);
  assert.ok(h['x-request-id'] && String(h['x-request-id']).length >= 8, `X-Request-Id on ${ctx}`);
  return h['x-request-id'];
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

  it('counts requests by route and status', async () => {
    // Find the request counter: a shequ_*_total counter with route and status labels.
    for (let i = 0; i < 2; i++) await api(srv.base, '/api/v1/health');
    await api(srv.base, '/api/v1/me'); // 401
    const a = await scrape();
    const counterNames = Object.entries(a.types).filter(([n, t]) => t === 'counter' && n.startsWith('shequ_')).map(([n]) => n);
    const isReq = (s) => counterNames.some((n) => s.name === n || s.name === `${n}_total`) &&
      s.labels.route !== undefined && s.labels.status !== undefined;
    const pick = (p, route, status) => p.samples.filter((s) => isReq(s) &&
      s.labels.route === route && String(s.labels.status) === String(status))
      .reduce((acc, s) => acc + s.value, 0);
    const health1 = pick(a, '/api/v1/health', 200);
    const me401 = pick(a, '/api/v1/me', 401);
    assert.ok(health1 >= 2, `request counter for route="/api/v1/health",status="200" >= 2; got ${health1}\n` +
      a.samples.filter(isReq).map((s) => s.line).join('\n'));
    assert.ok(me401 >= 1, `request counter for route="/api/v1/me",status="401" >= 1; got ${me401}`);
    for (let i = 0; i < 3; i++) await api(srv.base, '/api/v1/health');
    const b = await scrape();
    const health2 = pick(b, '/api/v1/health', 200);
    assert.ok(health2 >= health1 + 3, `counter grew by >= 3: ${health1} -> ${health2}`);
    // the route label is the route pattern, not the raw path: per-code area paths do not add series
    const adm = await login(srv.base, 'admin');
    await api(srv.base, '/api/v1/areas/310105', { token: adm.token });
    await api(srv.base, '/api/v1/areas/310105002', { token: adm.token });
    const c = await scrape();
    const rawPaths = c.samples.filter((s) => isReq(s) && /\/areas\/3101/.test(s.labels.route));
    assert.equal(rawPaths.length, 0, `route label must be the pattern, not the raw path:\n${rawPaths.map((s) => s.line).join('\n')}`);
  });

  it('has a latency histogram', async () => {
    await api(srv.base, '/api/v1/health');
    const { samples, types } = await scrape();
    const hists = Object.entries(types).filter(([n, t]) => t === 'histogram' && n.startsWith('shequ_')).map(([n]) => n);
    assert.ok(hists.length > 0, 'a shequ_ histogram is declared');
    const name = hists.find((n) => /second|latency|duration/.test(n)) || hists[0];
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
    const gaugeNames = (types) => Object.entries(types).filter(([n, t]) => t === 'gauge' && n.startsWith('shequ_')).map(([n]) => n);
    const value = (samples, name) => samples.filter((s) => s.name === name).reduce((a, s) => a + s.value, 0);

    const a = await scrape();
    const gauges = gaugeNames(a.types);
    const conn = gauges.find((n) => /connection/.test(n) && !/pool|db|database/.test(n));
    assert.ok(conn, `open connections gauge among ${gauges.join(', ')}`);
    assert.ok(value(a.samples, conn) >= 1, `${conn} counts the scraping connection itself`);
    const sse = gauges.find((n) => /sse|subscriber|event/.test(n));
    assert.ok(sse, `SSE subscribers gauge among ${gauges.join(', ')}`);
    const pool = gauges.filter((n) => /pool|db_|database/.test(n));
    assert.ok(pool.length > 0, `database pool gauges among ${gauges.join(', ')}`);

    const adm = await login(srv.base, 'admin');
    const before = value(a.samples, sse);
    const s1 = await openEvents(srv.base, { cookie: adm.cookie });
    const s2 = await openEvents(srv.base, { token: adm.token });
    try {
      assert.equal(s1.status, 200);
      assert.equal(s2.status, 200);
      await sleep(200);
      const b = await scrape();
      assert.equal(value(b.samples, sse), before + 2, `${sse} with two subscribers`);
      assert.ok(value(b.samples, conn) >= 3, `${conn} >= 3 with two SSE streams and the scrape open`);
    } finally {
      s1.close();
      s2.close();
    }
    // the server notices the disconnect (at the latest at the next heartbeat write, so allow time)
    let after = Infinity;
    for (let i = 0; i < 40 && after !== before; i++) {
      await sleep(500);
      after = value((await scrape()).samples, sse);
    }
    assert.equal(after, before, `${sse} back to ${before} after the clients left`);
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
