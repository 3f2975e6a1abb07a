// Audit log: rows for login/logout, reading with filters and paging, permissions,
// `shequ audit verify`, and (sqlite) tamper detection.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, api, login, assertProblem, cli, run, IS_SQLITE,
} from './harness.mjs';

let srv;
let auditor;
const seen = {}; // rows of the first test, by kind

before(async () => {
  srv = await startServer();
  auditor = await login(srv.base, 'auditor');
});
after(async () => { if (srv) await srv.stop(); });

const audit = (query, who = auditor) => api(srv.base, `/api/v1/audit${query ? `?${query}` : ''}`, { token: who.token });

function checkRow(r) {
  assert.ok(Number.isInteger(r.seq) && r.seq > 0, `seq ${r.seq}`);
  assert.ok(typeof r.time === 'string' && !Number.isNaN(Date.parse(r.time)), `time ${r.time}`);
  assert.equal(typeof r.action, 'string');
  assert.ok(r.action.length > 0);
  for (const k of ['account', 'role', 'object', 'area_code', 'request_id', 'details']) {
    assert.ok(k in r, `row has ${k}: ${JSON.stringify(r)}`);
  }
}

async function allRows(query) {
  const res = await audit(`${query}&page_size=200`);
  assert.equal(res.status, 200, res.text);
  return res.json;
}

describe('audit rows for authentication', () => {
  it('successful login, failed login and logout each append a row', async () => {
    const before = await allRows('account=jiangsu-worker');
    const w = await login(srv.base, 'jiangsu-worker');
    const fail = await api(srv.base, '/api/v1/auth/login', {
      method: 'POST', body: { username: 'jiangsu-worker', password: 'wrong-password' },
    });
    assert.equal(fail.status, 401);
    const out = await api(srv.base, '/api/v1/auth/logout', { method: 'POST', token: w.token });
    assert.equal(out.status, 204);

    const after = await allRows('account=jiangsu-worker');
    assert.ok(after.total >= before.total + 3, `total grew by 3: ${before.total} -> ${after.total}`);
    const byReq = (id) => after.items.filter((r) => r.request_id === id);
    const rows = {
      login: byReq(w.requestId),
      failed: byReq(fail.headers['x-request-id']),
      logout: byReq(out.headers['x-request-id']),
    };
    for (const [k, list] of Object.entries(rows)) {
      assert.equal(list.length, 1, `exactly one ${k} row with that request_id: ${JSON.stringify(after.items.slice(0, 5))}`);
      const r = list[0];
      checkRow(r);
      assert.equal(r.account, 'jiangsu-worker', `${k} account`);
      seen[k] = r;
    }
    const { login: l, failed: f, logout: o } = seen;
    // action names as the server writes them (read from it once it existed)
    assert.equal(l.action, 'auth.login');
    assert.equal(f.action, 'auth.login_failed');
    assert.equal(o.action, 'auth.logout');
    assert.equal(f.role, 'neighborhood_worker', 'a failed login of a known account carries its role');
    assert.ok(l.seq < f.seq && f.seq < o.seq, `seq in order ${l.seq} < ${f.seq} < ${o.seq}`);
    assert.equal(l.role, 'neighborhood_worker');
    assert.equal(l.area_code, w.user.area.code, 'the login row lies in the account\'s area');
  });

  it('lists newest first with consistent paging fields', async () => {
    const res = await audit('');
    assert.equal(res.status, 200, res.text);
    const b = res.json;
    assert.ok(Array.isArray(b.items));
    assert.equal(b.page, 1);
    assert.equal(b.page_size, 50);
    assert.ok(Number.isInteger(b.total) && b.total >= b.items.length);
    assert.ok(b.items.length > 0 && b.items.length <= 50);
    for (const r of b.items) checkRow(r);
    for (let i = 1; i < b.items.length; i++) {
      assert.ok(b.items[i - 1].seq > b.items[i].seq, `seq decreasing at ${i}`);
      assert.ok(Date.parse(b.items[i - 1].time) >= Date.parse(b.items[i].time), `time non-increasing at ${i}`);
    }
    // the auditor's own login is there
    assert.ok(b.items.some((r) => r.request_id === auditor.requestId && r.account === 'auditor'), 'auditor login row');
  });

  it('filters by account and by action', async () => {
    const acc = await allRows('account=jiangsu-worker');
    assert.ok(acc.items.length >= 3);
    assert.equal(acc.total, acc.items.length);
    assert.ok(acc.items.every((r) => r.account === 'jiangsu-worker'), 'account filter');

    const act = await allRows(`action=${encodeURIComponent(seen.login.action)}`);
    assert.ok(act.items.every((r) => r.action === seen.login.action), 'action filter');
    const accounts = new Set(act.items.map((r) => r.account));
    assert.ok(accounts.has('jiangsu-worker') && accounts.has('auditor'), `logins of several accounts: ${[...accounts]}`);
    assert.ok(act.items.some((r) => r.seq === seen.login.seq));
    assert.ok(!act.items.some((r) => r.seq === seen.failed.seq || r.seq === seen.logout.seq));

    const both = await allRows(`account=jiangsu-worker&action=${encodeURIComponent(seen.failed.action)}`);
    assert.ok(both.items.length >= 1);
    assert.equal(both.total, both.items.length);
    assert.ok(both.items.every((r) => r.account === 'jiangsu-worker' && r.action === seen.failed.action));
    assert.ok(both.items.some((r) => r.seq === seen.failed.seq));

    const none = await allRows('account=nobody-at-all');
    assert.equal(none.total, 0);
    assert.deepEqual(none.items, []);
  });

  it('pages', async () => {
    // make sure jiangsu-worker has at least 7 rows; no one else acts as jiangsu-worker meanwhile
    for (let i = 0; i < 4; i++) await login(srv.base, 'jiangsu-worker');
    const all = await allRows('account=jiangsu-worker');
    assert.ok(all.total >= 7, `total ${all.total}`);
    const seqs = all.items.map((r) => r.seq);
    const got = [];
    for (let page = 1; page <= Math.ceil(all.total / 3); page++) {
      const res = await audit(`account=jiangsu-worker&page=${page}&page_size=3`);
      assert.equal(res.status, 200, res.text);
      assert.equal(res.json.page, page);
      assert.equal(res.json.page_size, 3);
      assert.equal(res.json.total, all.total, 'total is the same on every page');
      const expect = Math.min(3, all.total - (page - 1) * 3);
      assert.equal(res.json.items.length, expect, `page ${page} size`);
      got.push(...res.json.items.map((r) => r.seq));
    }
    assert.deepEqual(got, seqs, 'pages concatenate to the full list, newest first, no overlap');
    const past = await audit(`account=jiangsu-worker&page=${Math.ceil(all.total / 3) + 1}&page_size=3`);
    assert.equal(past.status, 200, past.text);
    assert.deepEqual(past.json.items, []);
    assert.equal(past.json.total, all.total);
  });
});

describe('who may read the audit log', () => {
  it('needs authentication', async () => {
    assertProblem(await api(srv.base, '/api/v1/audit'), 401, 'unauthenticated', 'GET /audit w/o auth');
  });

  it('auditor and district_admin may; neighborhood_worker and grid_worker may not', async () => {
    assert.ok(auditor.user.permissions.includes('audit.read'), `auditor permissions: ${auditor.user.permissions}`);
    const admin = await login(srv.base, 'admin');
    assert.ok(admin.user.permissions.includes('audit.read'), `district_admin permissions: ${admin.user.permissions}`);
    const a = await audit('', admin);
    assert.equal(a.status, 200, a.text);
    for (const who of ['jiangsu-worker', 'jiangsu-grid']) {
      const s = await login(srv.base, who);
      assert.ok(!s.user.permissions.includes('audit.read'), `${who} lacks audit.read: ${s.user.permissions}`);
      assertProblem(await audit('', s), 403, 'forbidden', `${who} GET /audit`);
    }
  });

  it('jiangsu: 403 without audit.read, or only rows of its own subdistrict with it', async () => {
    const s = await login(srv.base, 'jiangsu');
    const h = await login(srv.base, 'huayang');
    const res = await audit('page_size=200', s);
    if (s.user.permissions.includes('audit.read')) {
      assert.equal(res.status, 200, res.text);
      assert.ok(res.json.items.some((r) => r.request_id === s.requestId), 'sees its own login');
      assert.ok(!res.json.items.some((r) => r.request_id === h.requestId), "does not see huayang's login");
      assert.ok(!res.json.items.some((r) => r.account === 'auditor'), "does not see the district auditor's rows");
    } else {
      assertProblem(res, 403, 'forbidden', 'jiangsu GET /audit');
    }
  });
});

describe('audit verify', () => {
  it('`shequ audit verify` exits 0 on an untouched database', async () => {
    const r = await cli(['audit', 'verify', '--db', srv.db.url]);
    assert.equal(r.code, 0, `audit verify: code ${r.code}\n${r.stdout}\n${r.stderr}`);
  });

  describe('tampering (sqlite)', { skip: !IS_SQLITE && 'sqlite only' }, () => {
    const sq = (sql) => run('sqlite3', ['-bail', srv.db.sqlitePath, sql]);
    const sqJson = async (sql) => {
      const r = await run('sqlite3', ['-json', srv.db.sqlitePath, sql]);
      assert.equal(r.code, 0, r.stderr);
      return r.stdout.trim() ? JSON.parse(r.stdout) : [];
    };
    let table;
    let triggers;

    before(async () => {
      await srv.halt(); // server exits 0; the database stays
      triggers = (await sqJson("SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger'"))
        .filter((t) => /audit/i.test(t.tbl_name));
      const tables = [...new Set(triggers.map((t) => t.tbl_name))];
      assert.equal(tables.length, 1, `one audit table guarded by triggers: ${JSON.stringify(triggers)}`);
      table = tables[0];
    });

    it('the audit table is append-only: UPDATE and DELETE fail', async () => {
      assert.ok(triggers.some((t) => /\bUPDATE\b/i.test(t.sql)), 'an UPDATE trigger');
      assert.ok(triggers.some((t) => /\bDELETE\b/i.test(t.sql)), 'a DELETE trigger');
      const cols = (await sqJson(`PRAGMA table_info("${table}")`)).map((c) => c.name);
      assert.ok(cols.includes('seq') && cols.includes('details'), `columns: ${cols}`);
      const n0 = (await sqJson(`SELECT count(*) AS n FROM "${table}"`))[0].n;
      const upd = await sq(`UPDATE "${table}" SET details = '{"x":1}' WHERE seq = ${seen.failed.seq}`);
      assert.notEqual(upd.code, 0, `UPDATE must fail: ${upd.stdout}${upd.stderr}`);
      const del = await sq(`DELETE FROM "${table}" WHERE seq = ${seen.failed.seq}`);
      assert.notEqual(del.code, 0, `DELETE must fail: ${del.stdout}${del.stderr}`);
      const delAll = await sq(`DELETE FROM "${table}"`);
      assert.notEqual(delAll.code, 0, 'DELETE of everything must fail');
      const n1 = (await sqJson(`SELECT count(*) AS n FROM "${table}"`))[0].n;
      assert.equal(n1, n0, 'no row deleted');
      const r = await cli(['audit', 'verify', '--db', srv.db.url]);
      assert.equal(r.code, 0, `still verifies: ${r.stdout}${r.stderr}`);
    });

    it('`audit verify` finds a row changed behind the triggers\' back and names its seq', async () => {
      const target = seen.failed.seq;
      const drop = triggers.map((t) => `DROP TRIGGER "${t.name}";`).join(' ');
      const d = await sq(drop);
      assert.equal(d.code, 0, d.stderr);
      const u = await sq(`UPDATE "${table}" SET details = '{"tampered":true}' WHERE seq = ${target}`);
      assert.equal(u.code, 0, u.stderr);
      const check = await sqJson(`SELECT details FROM "${table}" WHERE seq = ${target}`);
      assert.equal(check[0].details, '{"tampered":true}');
      const r = await cli(['audit', 'verify', '--db', srv.db.url]);
      assert.notEqual(r.code, 0, `verify must fail after tampering:\n${r.stdout}\n${r.stderr}`);
      assert.match(`${r.stdout}\n${r.stderr}`, new RegExp(`(^|\\D)${target}(\\D|$)`), `names seq ${target}`);
    });
  });
});
