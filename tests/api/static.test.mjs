// Static files (--web): SPA fallback, caching, precompressed assets, path traversal.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import zlib from 'node:zlib';
import { startServer, request, assertProblem, makeWebDir, rawRequest } from './harness.mjs';

let srv;
let tmp;
let web;
let secret;

before(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'shequ-static-'));
  web = makeWebDir(tmp);
  // a file next to the web root that must never be served
  secret = `secret-${randomBytes(8).toString('hex')}`;
  fs.writeFileSync(path.join(tmp, 'secret.txt'), `${secret}\n`);
  srv = await startServer({ flags: ['--web', web.web] });
});
after(async () => {
  try { if (srv) await srv.stop(); } finally { if (tmp) fs.rmSync(tmp, { recursive: true, force: true }); }
});

function isIndex(res) {
  return res.status === 200 && res.body.toString('utf8') === web.indexHtml;
}

describe('SPA', () => {
  for (const p of ['/', '/index.html', '/areas/310105', '/areas/310105/children?x=1', '/audit', '/some/deep/client/route']) {
    it(`GET ${p} serves index.html without caching`, async () => {
      const res = await request(srv.base, p, { headers: { accept: 'text/html' } });
      assert.equal(res.status, 200, res.text.slice(0, 200));
      assert.match(res.headers['content-type'] || '', /^text\/html/);
      assert.equal(res.text, web.indexHtml);
      assert.match(res.headers['cache-control'] || '', /no-cache|no-store/, `Cache-Control: ${res.headers['cache-control']}`);
      assert.doesNotMatch(res.headers['cache-control'] || '', /immutable/);
    });
  }
});

describe('assets', () => {
  it('hashed assets are immutable and served as JavaScript', async () => {
    const res = await request(srv.base, '/assets/app-abc123.js');
    assert.equal(res.status, 200);
    assert.match(res.headers['content-type'] || '', /^(text|application)\/javascript/);
    assert.match(res.headers['cache-control'] || '', /immutable/, `Cache-Control: ${res.headers['cache-control']}`);
    assert.equal(res.headers['content-encoding'], undefined, 'identity without Accept-Encoding');
    assert.equal(res.text, web.js);
    const q = await request(srv.base, '/assets/app-abc123.js?v=2');
    assert.equal(q.status, 200);
    assert.equal(q.text, web.js, 'a query string does not change the file');
  });

  it('with Accept-Encoding: gzip the .gz file is sent with Content-Encoding and Vary', async () => {
    const res = await request(srv.base, '/assets/app-abc123.js', { headers: { 'accept-encoding': 'gzip, deflate, br' } });
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-encoding'], 'gzip');
    assert.match(res.headers.vary || '', /accept-encoding/i, `Vary: ${res.headers.vary}`);
    assert.match(res.headers['content-type'] || '', /^(text|application)\/javascript/, 'type of the original file');
    assert.match(res.headers['cache-control'] || '', /immutable/);
    assert.ok(res.body.equals(web.gz), 'the bytes of the .gz file');
    assert.equal(zlib.gunzipSync(res.body).toString('utf8'), web.js);
    if (res.headers['content-length'] !== undefined) assert.equal(Number(res.headers['content-length']), web.gz.length);
  });

  it('clients without gzip get the plain file', async () => {
    for (const ae of ['identity', 'br']) {
      const res = await request(srv.base, '/assets/app-abc123.js', { headers: { 'accept-encoding': ae } });
      assert.equal(res.status, 200, ae);
      assert.equal(res.headers['content-encoding'] ?? 'identity', 'identity', `Accept-Encoding: ${ae}`);
      assert.equal(res.text, web.js, `Accept-Encoding: ${ae}`);
    }
  });
});

describe('path traversal', () => {
  const attempts = [
    '/../../etc/passwd',
    '/%2e%2e/%2e%2e/etc/passwd',
    '/%2E%2E/%2E%2E/%2E%2E/%2E%2E/etc/passwd',
    '/assets/../../../../etc/passwd',
    '/assets/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
    '/..%2f..%2f..%2f..%2fetc%2fpasswd',
    '/%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd',
    '/assets/..%2f..%2f..%2f..%2fetc/passwd',
    '/..%5c..%5c..%5cetc%5cpasswd',
    '/%252e%252e/%252e%252e/etc/passwd',
    '/etc/passwd',
    '//etc/passwd',
    '/../secret.txt',
    '/%2e%2e/secret.txt',
    '/assets/../../secret.txt',
    '/assets/%2e%2e/%2e%2e/secret.txt',
    '/assets/..%2f..%2fsecret.txt',
    '/.%2e/secret.txt',
    '/%2e%2e%5csecret.txt',
    '/assets/%2e%2e%2f%2e%2e%2fsecret.txt',
    '/index.html/../../secret.txt',
    '/secret.txt%00.html',
    '/..;/secret.txt',
  ];
  for (const p of attempts) {
    it(`GET ${p} leaks nothing`, async () => {
      const { res, conn } = await rawRequest(srv.port, `GET ${p} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`, 5000);
      await conn.waitClose(2000);
      const all = (res ? res.text : '') + conn.pending();
      conn.destroy();
      assert.ok(!/root:.*:0:0:/.test(all), `${p} leaked /etc/passwd`);
      assert.ok(!all.includes(secret), `${p} leaked a file outside the web root`);
      if (res) {
        assert.ok([200, 400, 403, 404].includes(res.status), `${p} -> ${res.status}`);
        if (res.status === 200) assert.equal(res.text, web.indexHtml, `${p}: a 200 can only be the SPA index`);
      }
    });
  }
});

describe('API paths are never the SPA', () => {
  for (const p of ['/api/v1/nope', '/api/v1/areas/310105/foo/bar', '/api/v1/', '/api/v1/auth']) {
    it(`GET ${p} is a 404 problem, not index.html`, async () => {
      const res = await request(srv.base, p, { headers: { accept: 'text/html,application/xhtml+xml' } });
      assertProblem(res, 404, 'not-found', p);
      assert.ok(!res.text.includes(web.marker), 'not the SPA');
    });
  }
});
