// Connection-level limits over raw TCP: header and body limits, slow and idle clients,
// the connection cap, 404/405, and graceful shutdown with an SSE client attached.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, api, login, assertProblem, assertSecurityHeaders, RawConn, rawRequest, openEvents, sleep, deadline,
} from './harness.mjs';

const GET_HEALTH = 'GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n';

function problemOf(res, status, type, what) {
  assert.ok(res, `${what}: got a response`);
  assertSecurityHeaders(res.headers, what);
  // reuse assertProblem on the raw response shape
  return assertProblem({ status: res.status, headers: res.headers, text: res.text, json: res.json }, status, type, what);
}

describe('limits (--header-limit 8192 --body-limit 65536 --read-timeout 2 --idle-timeout 2)', () => {
  let srv;
  before(async () => {
    srv = await startServer({
      flags: ['--header-limit', '8192', '--body-limit', '65536', '--read-timeout', '2', '--idle-timeout', '2'],
    });
  });
  after(async () => { if (srv) await srv.stop(); });

  it('headers within the limit are served', async () => {
    const req = `GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Fill: ${'a'.repeat(4000)}\r\nConnection: close\r\n\r\n`;
    const { res, conn } = await rawRequest(srv.port, req);
    conn.destroy();
    assert.ok(res, 'a response');
    assert.equal(res.status, 200, res.text);
  });

  it('headers over the limit answer 431 problem+json', async () => {
    const req = `GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Fill: ${'a'.repeat(10_000)}\r\n\r\n`;
    const { res, conn } = await rawRequest(srv.port, req);
    conn.destroy();
    problemOf(res, 431, 'header-too-large', 'one 10 kB header');
    // many small headers adding up over the limit
    const many = Array.from({ length: 400 }, (_, i) => `X-H${i}: ${'b'.repeat(30)}\r\n`).join('');
    const r2 = await rawRequest(srv.port, `GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n${many}\r\n`);
    r2.conn.destroy();
    problemOf(r2.res, 431, 'header-too-large', '400 headers of 40 bytes');
    // a huge request line (URL) counts too
    const r3 = await rawRequest(srv.port, `GET /api/v1/health?${'q'.repeat(10_000)} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
    r3.conn.destroy();
    assert.ok(r3.res && [414, 431].includes(r3.res.status), `10 kB URL -> 414/431, got ${r3.res && r3.res.status}`);
  });

  it('a JSON body over the body limit on POST /api/v1/auth/login answers 413 problem+json', async () => {
    const pad = 'x'.repeat(70_000);
    const body = JSON.stringify({ username: 'admin', password: pad });
    const req = `POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
    const { res, conn } = await rawRequest(srv.port, req);
    conn.destroy();
    problemOf(res, 413, 'payload-too-large', `${body.length} byte login body`);
  });

  it('a declared Content-Length over the limit is refused before the body arrives', async () => {
    const c = new RawConn(srv.port);
    await c.connected;
    await c.send('POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n' +
      'Content-Length: 10000000\r\n\r\n{"username":');
    const res = await c.readResponse(5000);
    c.destroy();
    problemOf(res, 413, 'payload-too-large', '10 MB Content-Length');
  });

  it('a body within the limit still reaches the handler', async () => {
    const body = JSON.stringify({ username: 'admin', password: 'y'.repeat(1000) });
    const res = await api(srv.base, '/api/v1/auth/login', { method: 'POST', body, headers: { 'content-type': 'application/json' } });
    assert.notEqual(res.status, 413, res.text);
    assert.ok([401, 422].includes(res.status), `${res.status} ${res.text}`);
  });

  it('a client that sends half a request line and stalls gets 408 or is closed; others are served', async () => {
    const slow = new RawConn(srv.port);
    await slow.connected;
    const t0 = Date.now();
    await slow.send('GET /api/v1/hea');
    // meanwhile others are served promptly
    const ok = await api(srv.base, '/api/v1/health', { timeout: 1500 });
    assert.equal(ok.status, 200);
    const closed = await slow.waitClose(6000);
    const dt = Date.now() - t0;
    assert.ok(closed, `connection closed within 6 s (open after ${dt} ms)`);
    assert.ok(dt >= 1500, `not closed before the 2 s read timeout (${dt} ms)`);
    assert.ok(dt <= 5500, `closed within ~5 s (${dt} ms)`);
    const rest = slow.pending();
    if (rest.length) {
      assert.match(rest, /^HTTP\/1\.[01] 408 /, `only a 408 may be answered: ${rest.slice(0, 200)}`);
      problemOf(await slow.readResponse(100), 408, 'request-timeout', 'slow client');
    }
    const ok2 = await api(srv.base, '/api/v1/health');
    assert.equal(ok2.status, 200);
  });

  it('a client trickling header bytes cannot hold the connection past the read timeout', async () => {
    const slow = new RawConn(srv.port);
    await slow.connected;
    const t0 = Date.now();
    await slow.send('GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    let i = 0;
    const timer = setInterval(() => { slow.send(`X-T${i++}: a\r\n`); }, 400);
    try {
      const closed = await slow.waitClose(8000);
      const dt = Date.now() - t0;
      assert.ok(closed, `closed although it kept sending a header line every 400 ms (open after ${dt} ms)`);
      assert.ok(dt <= 6000, `closed within ~5 s (${dt} ms)`);
    } finally {
      clearInterval(timer);
      slow.destroy();
    }
  });

  it('keeps a connection alive between requests and closes it after the idle timeout', async () => {
    const c = new RawConn(srv.port);
    await c.connected;
    await c.send(GET_HEALTH);
    const r1 = await c.readResponse(5000);
    assert.ok(r1, 'first response');
    assert.equal(r1.status, 200);
    assert.notEqual(String(r1.headers.connection).toLowerCase(), 'close', 'keep-alive by default in HTTP/1.1');
    await sleep(300);
    await c.send(GET_HEALTH);
    const r2 = await c.readResponse(5000);
    assert.ok(r2, 'second response on the same connection');
    assert.equal(r2.status, 200);
    assert.notEqual(r1.headers['x-request-id'], r2.headers['x-request-id']);
    const t0 = Date.now();
    const closed = await c.waitClose(7000);
    const dt = Date.now() - t0;
    c.destroy();
    assert.ok(closed, 'idle connection closed by the server');
    assert.ok(dt >= 1500 && dt <= 5500, `closed about 2 s after the last response (${dt} ms)`);
    assert.equal(c.pending(), '', 'nothing sent on an idle close');
  });

  it('pipelined requests are answered in order', async () => {
    const c = new RawConn(srv.port);
    await c.connected;
    await c.send(`${GET_HEALTH}GET /api/v1/nope HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n${GET_HEALTH}`);
    const a = await c.readResponse(5000);
    const b = await c.readResponse(5000);
    const d = await c.readResponse(5000);
    c.destroy();
    assert.deepEqual([a && a.status, b && b.status, d && d.status], [200, 404, 200]);
  });

  it('a malformed request line answers 400 and closes', async () => {
    const { res, conn } = await rawRequest(srv.port, 'THIS IS NOT HTTP\r\n\r\n');
    const closed = await conn.waitClose(3000);
    conn.destroy();
    assert.ok(res === null ? closed : res.status === 400, `400 or close, got ${res && res.status}`);
  });

  it('unknown routes answer 404 problem+json; wrong methods 405', async () => {
    for (const p of ['/api/v1/nope', '/api/v1/areas/310105/nope', '/api/v2/health', '/api/v1/me/extra']) {
      assertProblem(await api(srv.base, p), 404, 'not-found', `GET ${p}`);
    }
    const wrong = [
      ['DELETE', '/api/v1/health'], ['POST', '/api/v1/health'], ['GET', '/api/v1/auth/login'],
      ['PUT', '/api/v1/auth/login'], ['GET', '/api/v1/auth/logout'], ['POST', '/api/v1/me'],
      ['DELETE', '/api/v1/me/preferences'], ['POST', '/api/v1/areas'], ['PATCH', '/api/v1/audit'],
    ];
    for (const [m, p] of wrong) {
      const res = await api(srv.base, p, { method: m, body: m === 'GET' ? undefined : {} });
      assertProblem(res, 405, 'method-not-allowed', `${m} ${p}`);
      if (res.headers.allow !== undefined) {
        assert.ok(!res.headers.allow.split(/,\s*/).includes(m), `Allow (${res.headers.allow}) excludes ${m}`);
      }
    }
  });
});

describe('connection cap (--max-connections 4)', () => {
  let srv;
  before(async () => { srv = await startServer({ flags: ['--max-connections', '4'] }); });
  after(async () => { if (srv) await srv.stop(); });

  it('refuses connections over the cap with 503 (or a close) and keeps the first 4 working', async () => {
    const first = [];
    for (let i = 0; i < 4; i++) {
      const c = new RawConn(srv.port);
      await c.connected;
      first.push(c);
      // one request each so the server has certainly accepted them
      await c.send(GET_HEALTH);
      const r = await c.readResponse(5000);
      assert.ok(r && r.status === 200, `connection ${i + 1} served`);
    }
    const extra = [];
    for (let i = 0; i < 2; i++) {
      const c = new RawConn(srv.port);
      try { await c.connected; } catch { /* refused outright is fine */ }
      extra.push(c);
    }
    for (const [i, c] of extra.entries()) {
      await c.send(GET_HEALTH);
      const r = await c.readResponse(5000);
      if (r) {
        problemOf(r, 503, 'unavailable', `extra connection ${i + 1}`);
      } else {
        assert.ok(c.ended, `extra connection ${i + 1}: neither answered nor closed within 5 s`);
      }
      c.destroy();
    }
    for (const [i, c] of first.entries()) {
      await c.send(GET_HEALTH);
      const r = await c.readResponse(5000);
      assert.ok(r, `first connection ${i + 1} still answers`);
      assert.equal(r.status, 200, `first connection ${i + 1}`);
    }
    for (const c of first) c.destroy();
    // slots are given back
    let ok = false;
    for (let i = 0; i < 20 && !ok; i++) {
      await sleep(150);
      const { res, conn } = await rawRequest(srv.port, GET_HEALTH, 3000);
      conn.destroy();
      ok = !!res && res.status === 200;
    }
    assert.ok(ok, 'a new connection is served once the others closed');
  });
});

describe('graceful shutdown', () => {
  let srv;
  before(async () => { srv = await startServer(); });
  after(async () => { if (srv) await srv.stop(); });

  it('SIGTERM with an SSE client attached: the client gets event: shutdown and the server exits 0', async () => {
    const adm = await login(srv.base, 'admin');
    const es = await openEvents(srv.base, { cookie: adm.cookie });
    assert.equal(es.status, 200);
    assert.match(es.headers['content-type'] || '', /^text\/event-stream/);
    await sleep(200);
    const t0 = Date.now();
    srv.kill('SIGTERM');
    const ev = await es.waitFor((e) => e.event === 'shutdown', 5000, 'event: shutdown');
    assert.ok(ev);
    const exit = await Promise.race([srv.exited, deadline(8000)]);
    const dt = Date.now() - t0;
    assert.ok(exit, `server exited within 8 s of SIGTERM; stderr:\n${srv.stderr().slice(-2000)}`);
    assert.equal(exit.code, 0, `exit code 0 (got ${exit.code}, signal ${exit.signal})`);
    assert.ok(dt < 8000, `exit after ${dt} ms`);
    await Promise.race([es.whenClosed, deadline(2000)]);
    assert.ok(es.closed, 'the event stream is closed');
  });
});
