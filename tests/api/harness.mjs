// Test harness for the Shequ HTTP API suite.
//
// Every test file starts its own server (port 0) on its own database:
//   SHEQU_TEST_DB unset or "sqlite"   -> sqlite:<tmpdir>/api.db
//   SHEQU_TEST_DB=postgresql://...     -> a fresh database shequ_test_<random> on that server,
//                                         created and dropped with /usr/bin/psql.
// The binary is $SHEQU_BIN or <repo>/build/shequ.
//
// Only node built-ins are used.

import { spawn, execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = process.env.SHEQU_BIN || path.join(REPO, 'build', 'shequ');
export const DEMO_PASSWORD = 'Shequ-demo-2026';
export const PSQL = process.env.SHEQU_PSQL || '/usr/bin/psql';

const TEST_DB = (process.env.SHEQU_TEST_DB || 'sqlite').trim();
export const BACKEND = /^postgres(ql)?:\/\//i.test(TEST_DB) ? 'postgresql' : 'sqlite';
export const IS_SQLITE = BACKEND === 'sqlite';

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
/** Like sleep, but does not keep the process alive (for Promise.race deadlines). */
export const deadline = (ms, value = null) => new Promise((r) => setTimeout(() => r(value), ms).unref());

// ---------------------------------------------------------------------------
// processes

/** Run a command; resolve {code, signal, stdout, stderr} (never rejects on exit status). */
export function run(cmd, args, { timeout = 120_000, env, input } = {}) {
  return new Promise((resolve, reject) => {
    const child = execFile(cmd, args, {
      timeout, maxBuffer: 64 * 1024 * 1024, env: env || process.env, encoding: 'utf8',
    }, (err, stdout, stderr) => {
      if (err && typeof err.code !== 'number' && err.code !== undefined && !err.signal) {
        reject(new Error(`${cmd} ${args.join(' ')}: ${err.message}`));
        return;
      }
      resolve({
        code: err ? (typeof err.code === 'number' ? err.code : null) : 0,
        signal: err ? err.signal || null : null,
        stdout, stderr,
      });
    });
    if (input !== undefined) child.stdin.end(input);
  });
}

/** Run the shequ CLI with the given arguments. */
export function cli(args, opts) {
  return run(BIN, args, opts);
}

async function psql(url, sql) {
  const r = await run(PSQL, [url, '-v', 'ON_ERROR_STOP=1', '-X', '-q', '-c', sql], { timeout: 60_000 });
  if (r.code !== 0) throw new Error(`psql failed (${r.code}): ${sql}\n${r.stderr}`);
  return r;
}

// ---------------------------------------------------------------------------
// databases

/**
 * Create a fresh database for one test file.
 * Returns {url, kind, dir, sqlitePath|null, drop()}.
 */
export async function createDatabase() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shequ-api-'));
  if (BACKEND === 'sqlite') {
    const sqlitePath = path.join(dir, 'api.db');
    return {
      kind: 'sqlite', url: `sqlite:${sqlitePath}`, dir, sqlitePath,
      async drop() { fs.rmSync(dir, { recursive: true, force: true }); },
    };
  }
  const name = `shequ_test_${randomBytes(6).toString('hex')}`;
  await psql(TEST_DB, `CREATE DATABASE ${name}`);
  const u = new URL(TEST_DB);
  u.pathname = `/${name}`;
  return {
    kind: 'postgresql', url: u.toString(), dir, sqlitePath: null, name,
    async drop() {
      await psql(TEST_DB, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** `shequ demo --db <db> --scale small --seed 7` */
export async function seedDemo(dbUrl) {
  const r = await cli(['demo', '--db', dbUrl, '--scale', 'small', '--seed', '7'], { timeout: 180_000 });
  if (r.code !== 0) {
    throw new Error(`shequ demo exited ${r.code} (signal ${r.signal})\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
  }
  return r;
}

// ---------------------------------------------------------------------------
// servers

// Servers still running when the test process exits (a crash, a cancelled file) are killed.
const live = new Set();
process.on('exit', () => { for (const p of live) { try { p.kill('SIGKILL'); } catch { /* gone */ } } });

/**
 * Spawn `shequ serve` on an existing database and wait for "listening on http://127.0.0.1:PORT".
 * Returns {base, port, proc, exited, stderr(), stdout(), kill(sig), halt()}.
 * halt() sends SIGTERM, waits for exit and asserts exit code 0.
 */
export async function spawnServer(dbUrl, flags = [], { loginRate = 1000, timeoutMs = 30_000 } = {}) {
  const args = ['serve', '--db', dbUrl, '--listen', '127.0.0.1:0'];
  if (!flags.includes('--login-rate')) args.push('--login-rate', String(loginRate));
  args.push(...flags);
  const proc = spawn(BIN, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(proc);
  proc.on('exit', () => live.delete(proc));
  let out = '';
  let err = '';
  const cap = (s, add) => { s += add; return s.length > 256 * 1024 ? s.slice(-256 * 1024) : s; };
  const exited = new Promise((resolve) => {
    proc.on('exit', (code, signal) => resolve({ code, signal }));
  });
  let exitInfo = null;
  exited.then((e) => { exitInfo = e; });

  const port = await new Promise((resolve, reject) => {
    let lineBuf = '';
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`server did not print "listening on" within ${timeoutMs} ms\n` +
        `cmd: ${BIN} ${args.join(' ')}\nstdout:\n${out}\nstderr:\n${err}`));
    }, timeoutMs);
    proc.stdout.setEncoding('utf8');
    proc.stderr.setEncoding('utf8');
    proc.stderr.on('data', (d) => { err = cap(err, d); });
    proc.stdout.on('data', (d) => {
      out = cap(out, d);
      lineBuf += d;
      const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(lineBuf);
      if (m) { clearTimeout(timer); resolve(Number(m[1])); }
      if (lineBuf.length > 65536) lineBuf = lineBuf.slice(-4096);
    });
    proc.on('error', (e) => { clearTimeout(timer); reject(new Error(`cannot start ${BIN}: ${e.message}`)); });
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`server exited early (code ${code}, signal ${signal})\n` +
        `cmd: ${BIN} ${args.join(' ')}\nstdout:\n${out}\nstderr:\n${err}`));
    });
  });

  const srv = {
    base: `http://127.0.0.1:${port}`,
    port,
    proc,
    args,
    exited,
    stdout: () => out,
    stderr: () => err,
    get exitInfo() { return exitInfo; },
    kill(sig = 'SIGTERM') { if (!exitInfo) proc.kill(sig); },
    /** SIGTERM, wait (default 15 s), assert exit 0. */
    async halt(waitMs = 15_000) {
      if (!exitInfo) proc.kill('SIGTERM');
      const res = await Promise.race([exited, deadline(waitMs)]);
      if (!res) {
        proc.kill('SIGKILL');
        await exited;
        throw new Error(`server did not exit within ${waitMs} ms of SIGTERM\nstderr:\n${err.slice(-8000)}`);
      }
      if (res.code !== 0) {
        throw new Error(`server exited with code ${res.code} signal ${res.signal} (expected 0)\nstderr:\n${err.slice(-8000)}`);
      }
      return res;
    },
  };
  return srv;
}

/**
 * For suites whose tests may crash the server: `srv` itself while it runs, else a new server on the
 * same database (the caller signs in again), so that one crash fails only the test that caused it.
 */
export async function replaceIfCrashed(srv) {
  if (srv && !srv.exitInfo) await Promise.race([srv.exited, deadline(50)]);
  if (!srv || !srv.exitInfo) return srv;
  const { db } = srv;
  const next = await spawnServer(db.url);
  next.db = db;
  next.stop = async () => { try { await next.halt(); } finally { await db.drop(); } };
  return next;
}

/** Stops `srv` and drops its database; after a crash in the last test, only drops the database. */
export async function stopOrDrop(srv) {
  if (!srv) return;
  await Promise.race([srv.exited, deadline(100)]); // a crash in the last test: its exit is on its way
  if (srv.exitInfo) { await srv.db.drop(); return; }
  await srv.stop();
}

/**
 * Full start for a test file: fresh database, demo data, server.
 * opts.flags: extra `serve` flags; opts.loginRate (default 1000).
 * Returns the spawnServer object plus {db, stop()}; stop() halts the server (exit 0 asserted)
 * and drops the database/temp dir.
 */
export async function startServer(opts = {}) {
  const db = await createDatabase();
  try {
    await seedDemo(db.url);
    const srv = await spawnServer(db.url, opts.flags || [], opts);
    srv.db = db;
    let stopped = false;
    srv.stop = async () => {
      if (stopped) return;
      stopped = true;
      try { await srv.halt(); } finally { await db.drop(); }
    };
    return srv;
  } catch (e) {
    await db.drop().catch(() => {});
    throw e;
  }
}

// ---------------------------------------------------------------------------
// HTTP client (node:http, one connection per request, no pooling, no automatic decompression)

/**
 * Low-level request. body: Buffer|string|undefined. Returns {status, headers, body(Buffer), text, json}.
 */
export function request(base, pathName, { method = 'GET', headers = {}, body, timeout = 20_000 } = {}) {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const h = { ...headers };
    if (body !== undefined && h['content-length'] === undefined && h['Content-Length'] === undefined) {
      h['content-length'] = Buffer.byteLength(body);
    }
    const req = http.request({
      host: u.hostname, port: u.port, method, path: pathName, headers: h, agent: false,
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const buf = Buffer.concat(chunks);
        const text = buf.toString('utf8');
        let json;
        const ct = res.headers['content-type'] || '';
        if (/json/i.test(ct)) {
          try { json = JSON.parse(text); } catch { json = undefined; }
        }
        resolve({ status: res.statusCode, headers: res.headers, body: buf, text, json });
      });
      res.on('error', reject);
    });
    req.setTimeout(timeout, () => req.destroy(new Error(`timeout ${method} ${pathName}`)));
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

/**
 * api(base, path, {token | cookie + csrf, method, body, headers})
 * body: an object/array is sent as JSON with Content-Type application/json; a Buffer/string is
 * sent as is (set Content-Type yourself in headers).
 */
export function api(base, pathName, opts = {}) {
  const { token, cookie, csrf, method = 'GET', body } = opts;
  const headers = { accept: 'application/json', ...(opts.headers || {}) };
  if (token) headers.authorization = `Bearer ${token}`;
  if (cookie) headers.cookie = cookie;
  if (csrf !== undefined && csrf !== null) headers['x-csrf-token'] = csrf;
  let payload;
  if (body !== undefined) {
    if (Buffer.isBuffer(body) || typeof body === 'string') {
      payload = body;
    } else {
      payload = JSON.stringify(body);
      if (!Object.keys(headers).some((k) => k.toLowerCase() === 'content-type')) {
        headers['content-type'] = 'application/json';
      }
    }
  }
  return request(base, pathName, { method, headers, body: payload, timeout: opts.timeout });
}

/** Parse Set-Cookie headers into {name: {value, attrs:{lowercased}, raw}}. */
export function parseSetCookies(headers) {
  const list = headers['set-cookie'] || [];
  const out = {};
  for (const raw of list) {
    const parts = raw.split(';').map((s) => s.trim());
    const [nv, ...rest] = parts;
    const eq = nv.indexOf('=');
    const name = nv.slice(0, eq);
    const value = nv.slice(eq + 1);
    const attrs = {};
    for (const a of rest) {
      const i = a.indexOf('=');
      if (i < 0) attrs[a.toLowerCase()] = true;
      else attrs[a.slice(0, i).toLowerCase()] = a.slice(i + 1);
    }
    out[name] = { value, attrs, raw };
  }
  return out;
}

/** login(base, username[, password]) -> {token, csrf, cookie, user, res}; throws unless 200. */
export async function login(base, username, password = DEMO_PASSWORD) {
  const res = await api(base, '/api/v1/auth/login', { method: 'POST', body: { username, password } });
  if (res.status !== 200) {
    throw new Error(`login ${username} -> ${res.status} ${res.text}`);
  }
  const cookies = parseSetCookies(res.headers);
  const cookie = Object.entries(cookies)
    .filter(([n]) => n === 'shequ_session' || n === 'shequ_csrf')
    .map(([n, c]) => `${n}=${c.value}`).join('; ');
  return {
    token: res.json.token,
    csrf: res.json.csrf_token,
    cookie,
    cookies,
    user: res.json.user,
    requestId: res.headers['x-request-id'],
    res,
  };
}

/**
 * Signs in every account into `S` (username -> login()): `accounts` are usernames (demo password)
 * or [username, password] pairs.
 */
export async function loginAll(base, S, accounts) {
  for (const a of accounts) {
    const [username, password] = Array.isArray(a) ? a : [a];
    S[username] = await login(base, username, password);
  }
}

/**
 * For beforeEach(): a test that crashed the server fails by itself; the next one gets a new server
 * on the same database (replaceIfCrashed), with `accounts` signed in again into `S`. Returns the
 * server to use.
 */
export async function recoverServer(srv, S, accounts) {
  const next = await replaceIfCrashed(srv);
  if (next !== srv) await loginAll(next.base, S, accounts);
  return next;
}

/**
 * Helpers for records that move by actions (cases, applications) under `route` (/api/v1/cases);
 * `call(who, path, opts)`: the file's request as a signed-in account.
 *   get(who, id, expect = 200): GET route/id, the status asserted unless expect is null;
 *   act(who, id, body): POST route/id/actions;
 *   step(who, id, action, extra): `action` as `who` at the current version (read as admin);
 *     asserts 200 and a version one higher; returns the record.
 */
export function recordSteps(call, route) {
  const name = route.replace(/^\/api\/v1/, '');
  async function get(who, id, expect = 200) {
    const res = await call(who, `${route}/${id}`);
    if (expect !== null) assert.equal(res.status, expect, `GET ${name}/${id} as ${who} -> ${res.status} ${res.text.slice(0, 300)}`);
    return res;
  }
  const act = (who, id, body) => call(who, `${route}/${id}/actions`, { method: 'POST', body });
  async function step(who, id, action, extra = {}) {
    const cur = (await get('admin', id)).json;
    const res = await act(who, id, { action, version: cur.version, ...extra });
    assert.equal(res.status, 200, `${action} by ${who} on ${id} (${cur.state}) -> ${res.status} ${res.text.slice(0, 400)}`);
    assert.equal(res.json.id, id);
    assert.equal(res.json.version, cur.version + 1, `${action} raises the version by one`);
    return res.json;
  }
  return { get, act, step };
}

// ---------------------------------------------------------------------------
// assertions

const CJK = /[\u3400-\u9fff]/;

/**
 * Asserts a 422 naming `field` among its errors, its message in Chinese (and, with `english`, in
 * English too). Returns the problem body.
 */
/** Answers to every field of a guide's form (`GET /api/v1/services/{code}` `.form`) that pass its checks. */
export function formAnswers(fields) {
  const answers = { text: '测试填写', textarea: '情况说明：测试填写', number: 3, date: '2026-05-18', checkbox: true };
  return Object.fromEntries(fields.map((f) => {
    if (f.type === 'select') return [f.key, f.options[0]];
    assert.ok(f.type in answers, `unknown field type ${f.type}`);
    return [f.key, answers[f.type]];
  }));
}

export function assertField(res, field, what, { english = false } = {}) {
  const b = assertProblem(res, 422, 'validation', what);
  assert.ok(Array.isArray(b.errors), `${what}: errors: ${res.text.slice(0, 300)}`);
  const e = b.errors.find((x) => x.field === field);
  assert.ok(e, `${what}: errors name ${field}: ${JSON.stringify(b.errors)}`);
  assert.match(e.message_zh, CJK, `${what}: errors[].message_zh is Chinese`);
  if (english) {
    assert.ok(e.message_en.trim().length > 0 && !CJK.test(e.message_en), `${what}: errors[].message_en is English: ${e.message_en}`);
  }
  return b;
}

/** Assert a problem+json answer with the given status and type (suffix after urn:shequ:problem:). */
export function assertProblem(res, status, type, what = '') {
  const ctx = `${what} -> ${res.status} ${res.text.slice(0, 500)}`;
  assert.equal(res.status, status, `status ${ctx}`);
  assert.match(res.headers['content-type'] || '', /^application\/problem\+json\b/i, `content-type ${ctx}`);
  const b = res.json;
  assert.ok(b && typeof b === 'object', `problem body is JSON ${ctx}`);
  if (type) assert.equal(b.type, `urn:shequ:problem:${type}`, `type ${ctx}`);
  else assert.match(String(b.type), /^urn:shequ:problem:[a-z-]+$/, `type ${ctx}`);
  assert.equal(b.status, status, `body.status ${ctx}`);
  assert.equal(typeof b.title, 'string', `title ${ctx}`);
  assert.ok(b.title.length > 0, `title ${ctx}`);
  assert.equal(typeof b.message_zh, 'string', `message_zh ${ctx}`);
  assert.equal(typeof b.message_en, 'string', `message_en ${ctx}`);
  assert.ok(b.message_zh.trim().length > 0, `message_zh non-empty ${ctx}`);
  assert.ok(b.message_en.trim().length > 0, `message_en non-empty ${ctx}`);
  assert.match(b.message_zh, CJK, `message_zh is Chinese ${ctx}`);
  assert.ok(res.headers['x-request-id'], `X-Request-Id ${ctx}`);
  assert.equal(b.request_id, res.headers['x-request-id'], `request_id equals X-Request-Id ${ctx}`);
  if (b.errors !== undefined) {
    assert.ok(Array.isArray(b.errors), `errors is an array ${ctx}`);
    for (const e of b.errors) {
      assert.equal(typeof e.field, 'string', `errors[].field ${ctx}`);
      assert.ok(String(e.message_zh || '').length > 0 && String(e.message_en || '').length > 0,
        `errors[] messages ${ctx}`);
    }
  }
  return b;
}

// ---------------------------------------------------------------------------
// Server-Sent Events

/**
 * Open GET /api/v1/events. opts: {token, cookie, lastEventId, headers}.
 * Resolves once the response headers are in: {status, headers, events, comments, text,
 * waitFor(pred, ms), close(), closed}.
 */
export function openEvents(base, opts = {}) {
  const u = new URL(base);
  const headers = { accept: 'text/event-stream', ...(opts.headers || {}) };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.cookie) headers.cookie = opts.cookie;
  if (opts.lastEventId !== undefined) headers['last-event-id'] = String(opts.lastEventId);
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: u.hostname, port: u.port, path: opts.path || '/api/v1/events', method: 'GET', headers, agent: false,
    }, (res) => {
      const stream = {
        status: res.statusCode,
        headers: res.headers,
        events: [],
        comments: [],
        text: '',
        closed: false,
        waiters: [],
        close() { req.destroy(); res.destroy(); },
        /** wait until some event satisfies pred; resolves with it. */
        waitFor(pred, ms = 10_000, label = 'event') {
          const found = this.events.find(pred);
          if (found) return Promise.resolve(found);
          return new Promise((res2, rej2) => {
            const w = { pred, res: res2 };
            const t = setTimeout(() => {
              this.waiters = this.waiters.filter((x) => x !== w);
              rej2(new Error(`timed out after ${ms} ms waiting for ${label}; got events: ` +
                JSON.stringify(this.events.map((e) => ({ id: e.id, event: e.event, data: e.data.slice(0, 200) })))));
            }, ms);
            w.res = (ev) => { clearTimeout(t); res2(ev); };
            this.waiters.push(w);
          });
        },
        whenClosed: null,
      };
      let buf = '';
      stream.whenClosed = new Promise((r) => {
        const done = () => { stream.closed = true; r(); };
        res.on('end', done);
        res.on('close', done);
        res.on('error', done);
      });
      res.setEncoding('utf8');
      res.on('data', (chunk) => {
        stream.text += chunk;
        buf += chunk;
        buf = buf.replace(/\r\n/g, '\n').replace(/\r/g, '\n');
        let idx;
        while ((idx = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, idx);
          buf = buf.slice(idx + 2);
          const ev = { id: undefined, event: 'message', data: '', fields: [] };
          const data = [];
          let hasField = false;
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) { stream.comments.push(line); continue; }
            const c = line.indexOf(':');
            const name = c < 0 ? line : line.slice(0, c);
            let val = c < 0 ? '' : line.slice(c + 1);
            if (val.startsWith(' ')) val = val.slice(1);
            hasField = true;
            ev.fields.push([name, val]);
            if (name === 'id') ev.id = val;
            else if (name === 'event') ev.event = val;
            else if (name === 'data') data.push(val);
          }
          // as in the EventSource spec, a block without data lines (e.g. only `retry:`) is not an event
          if (!hasField || data.length === 0) continue;
          ev.data = data.join('\n');
          try { ev.json = JSON.parse(ev.data); } catch { ev.json = undefined; }
          stream.events.push(ev);
          for (const w of [...stream.waiters]) {
            if (w.pred(ev)) { stream.waiters = stream.waiters.filter((x) => x !== w); w.res(ev); }
          }
        }
      });
      resolve(stream);
    });
    req.on('error', reject);
    req.end();
  });
}

// ---------------------------------------------------------------------------
// raw TCP

/** A raw TCP connection to the server with a tiny HTTP/1.1 response parser. */
export class RawConn {
  constructor(port) {
    this.port = port;
    this.buf = Buffer.alloc(0);
    this.ended = false;
    this.error = null;
    this.listeners = new Set();
    this.sock = net.connect({ host: '127.0.0.1', port });
    this.sock.setNoDelay(true);
    this.connected = new Promise((resolve, reject) => {
      this.sock.once('connect', resolve);
      this.sock.once('error', reject);
    });
    this.connected.catch(() => {});
    this.closedAt = null;
    this.sock.on('data', (d) => { this.buf = Buffer.concat([this.buf, d]); this._kick(); });
    this.sock.on('error', (e) => { this.error = e; this._kick(); });
    this.sock.on('end', () => { this.ended = true; this._kick(); });
    this.sock.on('close', () => { this.ended = true; this.closedAt ??= Date.now(); this._kick(); });
  }

  _kick() { for (const l of [...this.listeners]) l(); }

  /** Write; swallows EPIPE/ECONNRESET (recorded in this.error). */
  send(data) {
    return new Promise((resolve) => {
      if (this.sock.destroyed) { resolve(false); return; }
      this.sock.write(data, (e) => { if (e) this.error = e; resolve(!e); });
    });
  }

  /** Wait until cond() is true or ms elapse; resolves cond(). */
  _wait(cond, ms) {
    return new Promise((resolve) => {
      if (cond()) { resolve(true); return; }
      const l = () => { if (cond()) { clearTimeout(t); this.listeners.delete(l); resolve(true); } };
      const t = setTimeout(() => { this.listeners.delete(l); resolve(cond()); }, ms);
      this.listeners.add(l);
    });
  }

  /** Try to take one full response off the buffer; null if not complete yet. */
  _parse(final) {
    const sep = this.buf.indexOf('\r\n\r\n');
    if (sep < 0) return null;
    const head = this.buf.slice(0, sep).toString('latin1');
    const lines = head.split('\r\n');
    const m = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0]);
    const status = m ? Number(m[1]) : NaN;
    const headers = {};
    for (const l of lines.slice(1)) {
      const i = l.indexOf(':');
      if (i > 0) {
        const k = l.slice(0, i).trim().toLowerCase();
        const v = l.slice(i + 1).trim();
        headers[k] = headers[k] === undefined ? v : `${headers[k]}, ${v}`;
      }
    }
    let rest = this.buf.slice(sep + 4);
    let body;
    let used;
    if (/chunked/i.test(headers['transfer-encoding'] || '')) {
      const parts = [];
      let off = 0;
      for (;;) {
        const e = rest.indexOf('\r\n', off);
        if (e < 0) return final ? this._finish(status, headers, Buffer.concat(parts), rest.length + sep + 4) : null;
        const size = parseInt(rest.slice(off, e).toString('latin1'), 16);
        if (Number.isNaN(size)) return null;
        if (size === 0) {
          const end = rest.indexOf('\r\n\r\n', e - 2 >= 0 ? e : 0);
          used = sep + 4 + (end >= 0 ? end + 4 : rest.length);
          body = Buffer.concat(parts);
          break;
        }
        if (rest.length < e + 2 + size + 2) {
          return final ? this._finish(status, headers, Buffer.concat(parts), rest.length + sep + 4) : null;
        }
        parts.push(rest.slice(e + 2, e + 2 + size));
        off = e + 2 + size + 2;
      }
    } else if (headers['content-length'] !== undefined) {
      const n = Number(headers['content-length']);
      if (rest.length < n) return final ? this._finish(status, headers, rest, this.buf.length) : null;
      body = rest.slice(0, n);
      used = sep + 4 + n;
    } else if (status === 204 || status === 304) {
      body = Buffer.alloc(0);
      used = sep + 4;
    } else {
      if (!final) return null;
      body = rest;
      used = this.buf.length;
    }
    return this._finish(status, headers, body, used);
  }

  _finish(status, headers, body, used) {
    this.buf = this.buf.slice(used);
    const text = body.toString('utf8');
    let json;
    if (/json/i.test(headers['content-type'] || '')) { try { json = JSON.parse(text); } catch { /* */ } }
    return { status, headers, body, text, json };
  }

  /** Read one response (waits up to ms). Returns the response or null (closed/timeout w/o response). */
  async readResponse(ms = 10_000) {
    let r = null;
    await this._wait(() => {
      r = this._parse(false);
      return r !== null || this.ended;
    }, ms);
    if (r) return r;
    if (this.ended && this.buf.length) return this._parse(true);
    return null;
  }

  /** Wait for the server to close the connection; resolves true if closed within ms. */
  waitClose(ms) { return this._wait(() => this.ended, ms); }

  /** Everything received and not yet parsed, as text. */
  pending() { return this.buf.toString('utf8'); }

  destroy() { this.sock.destroy(); }
}

/** One raw request on a fresh connection; returns {res|null, conn}. */
export async function rawRequest(port, data, ms = 10_000) {
  const c = new RawConn(port);
  await c.connected;
  await c.send(data);
  const res = await c.readResponse(ms);
  return { res, conn: c };
}

// ---------------------------------------------------------------------------
// misc

/** A small web root for --web: index.html, assets/app-abc123.js and its .gz. */
export function makeWebDir(parent) {
  const web = path.join(parent, 'web');
  fs.mkdirSync(path.join(web, 'assets'), { recursive: true });
  const marker = `spa-${randomBytes(6).toString('hex')}`;
  const indexHtml = `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>社区云</title>` +
    `<script type="module" src="/assets/app-abc123.js"></script></head><body><div id="app" data-marker="${marker}"></div></body></html>\n`;
  const js = `// ${marker}\nconsole.log(${JSON.stringify('x'.repeat(2000))});\n`;
  fs.writeFileSync(path.join(web, 'index.html'), indexHtml);
  fs.writeFileSync(path.join(web, 'assets', 'app-abc123.js'), js);
  const gz = zlib.gzipSync(Buffer.from(js), { level: 9 });
  fs.writeFileSync(path.join(web, 'assets', 'app-abc123.js.gz'), gz);
  return { web, marker, indexHtml, js, gz };
}

/**
 * Assert the headers every response carries (docs/api.md "Every response"):
 * CSP with frame-ancestors 'none' and no inline script, nosniff, no-referrer, DENY, X-Request-Id.
 * Returns the X-Request-Id.
 */
export function assertSecurityHeaders(h, what = '') {
  const cspRaw = h['content-security-policy'];
  assert.ok(cspRaw, `Content-Security-Policy on ${what}`);
  const csp = parseCsp(cspRaw);
  assert.deepEqual(csp['frame-ancestors'], ["'none'"], `frame-ancestors 'none' on ${what}: ${cspRaw}`);
  const scriptSrc = csp['script-src'] || csp['default-src'];
  assert.ok(scriptSrc, `script-src or default-src present on ${what}: ${cspRaw}`);
  assert.ok(!scriptSrc.includes("'unsafe-inline'"), `no 'unsafe-inline' in script-src on ${what}: ${cspRaw}`);
  assert.ok(!scriptSrc.includes("'unsafe-eval'"), `no 'unsafe-eval' in script-src on ${what}: ${cspRaw}`);
  assert.equal(h['x-content-type-options'], 'nosniff', `X-Content-Type-Options on ${what}`);
  assert.equal(h['referrer-policy'], 'no-referrer', `Referrer-Policy on ${what}`);
  assert.equal(String(h['x-frame-options']).toUpperCase(), 'DENY', `X-Frame-Options on ${what}`);
  assert.ok(h['x-request-id'] && String(h['x-request-id']).length >= 8, `X-Request-Id on ${what}`);
  return h['x-request-id'];
}

/** Parse a Content-Security-Policy header into {directive: [tokens]}. */
export function parseCsp(value) {
  const out = {};
  for (const part of String(value || '').split(';')) {
    const toks = part.trim().split(/\s+/).filter(Boolean);
    if (toks.length) out[toks[0].toLowerCase()] = toks.slice(1);
  }
  return out;
}

// ---------------------------------------------------------------------------
// registry (一标三实) helpers

/**
 * Every item of a paged list route (`{"items","total","page","page_size"}`), fetched with
 * page_size 200; asserts 200 on each page and a stable total. `route` may carry a query.
 */
export async function listAll(base, token, route, pageSize = 200) {
  const sep = route.includes('?') ? '&' : '?';
  const items = [];
  let total = null;
  for (let page = 1; page <= 1000; page += 1) {
    const res = await api(base, `${route}${sep}page=${page}&page_size=${pageSize}`, { token });
    assert.equal(res.status, 200, `GET ${route} page ${page} -> ${res.status} ${res.text.slice(0, 300)}`);
    const b = res.json;
    assert.ok(b && Array.isArray(b.items), `GET ${route}: items is an array`);
    assert.ok(Number.isInteger(b.total) && b.total >= 0, `GET ${route}: total ${b.total}`);
    if (total === null) total = b.total;
    assert.equal(b.total, total, `GET ${route}: total stable across pages`);
    assert.ok(b.items.length <= pageSize, `GET ${route}: at most page_size items`);
    items.push(...b.items);
    if (b.items.length === 0 || items.length >= total) break;
  }
  assert.equal(items.length, total, `GET ${route}: the pages hold exactly total items`);
  return items;
}

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];

/** GB 11643 check character for the first 17 digits of a resident ID number. */
export function residentIdCheckChar(first17) {
  let s = 0;
  for (let i = 0; i < 17; i += 1) s += Number(first17[i]) * ID_WEIGHTS[i];
  return '10X98765432'[s % 11];
}

/** True when s is an 18-character GB 11643 number with a correct check character. */
export function isValidResidentId(s) {
  return /^\d{17}[\dX]$/.test(String(s)) && residentIdCheckChar(s) === s[17];
}

/** A valid resident ID: region (6 digits), birth 'YYYY-MM-DD', sequence (3 digits; odd = male). */
export function makeResidentId(region, birthDate, seq) {
  const first17 = `${region}${birthDate.replaceAll('-', '')}${String(seq).padStart(3, '0')}`;
  return first17 + residentIdCheckChar(first17);
}

const USCC_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/** GB 32100 check character for the first 17 characters of a unified social credit code. */
export function creditCodeCheckChar(first17) {
  let s = 0;
  for (let i = 0; i < 17; i += 1) {
    const v = USCC_ALPHABET.indexOf(first17[i]);
    if (v < 0) throw new Error(`not in the GB 32100 alphabet: ${first17[i]}`);
    s += v * USCC_WEIGHTS[i];
  }
  return USCC_ALPHABET[(31 - (s % 31)) % 31];
}

/** True when s is an 18-character GB 32100 code with a correct check character. */
export function isValidCreditCode(s) {
  s = String(s);
  if (s.length !== 18 || [...s].some((c) => !USCC_ALPHABET.includes(c))) return false;
  return creditCodeCheckChar(s) === s[17];
}

/** 'YYYY-MM-DD' of today in Beijing (the server's calendar) shifted by `days`. */
export function isoDate(days = 0) {
  return new Date(Date.now() + 8 * 3_600_000 + days * 86_400_000).toISOString().slice(0, 10);
}
