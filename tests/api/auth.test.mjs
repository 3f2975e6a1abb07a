// Login, sessions, cookies + CSRF, logout, lockout, rate limit, preferences, input validation.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, api, login, assertProblem, parseSetCookies, DEMO_PASSWORD,
} from './harness.mjs';

let srv;

before(async () => { srv = await startServer(); });
after(async () => { if (srv) await srv.stop(); });

const LOGIN = '/api/v1/auth/login';
const post = (body, extra = {}) => api(srv.base, LOGIN, { method: 'POST', body, ...extra });

function checkUser(u, username) {
  assert.equal(u.username, username);
  assert.equal(typeof u.display_name, 'string');
  assert.ok(u.display_name.length > 0, 'display_name');
  assert.equal(typeof u.role, 'string');
  assert.ok(u.area && typeof u.area === 'object', 'area');
  assert.match(String(u.area.code), /^\d{6}[0-9A-Za-z-]*$/, "area.code");
  assert.equal(typeof u.area.name, 'string');
  assert.match(u.area.level, /^(district|subdistrict|neighborhood|grid)$/);
  assert.ok(Array.isArray(u.permissions), 'permissions array');
  assert.ok(u.permissions.every((p) => typeof p === 'string'), 'permissions are strings');
  assert.ok(u.preferences && typeof u.preferences.care_mode === 'boolean', 'preferences.care_mode');
  assert.ok(['zh-CN', 'en'].includes(u.preferences.language), 'preferences.language');
}

describe('login', () => {
  it('returns token, csrf_token and the user with role, area and permissions', async () => {
    const res = await post({ username: 'admin', password: DEMO_PASSWORD });
    assert.equal(res.status, 200, res.text);
    assert.match(res.headers['content-type'] || '', /^application\/json/);
    const b = res.json;
    assert.equal(typeof b.token, 'string');
    assert.ok(b.token.length >= 16, 'token long enough');
    assert.equal(typeof b.csrf_token, 'string');
    assert.ok(b.csrf_token.length >= 16, 'csrf_token long enough');
    assert.notEqual(b.token, b.csrf_token);
    checkUser(b.user, 'admin');
    assert.equal(b.user.role, 'district_admin');
    assert.equal(b.user.area.code, '310105');
    assert.equal(b.user.area.level, 'district');
    assert.match(b.user.area.name, /长宁/);
    assert.ok(b.user.permissions.length > 0, 'admin has permissions');
  });

  it('demo accounts have the roles and areas of the contract', async () => {
    const want = {
      admin: ['district_admin', '310105', 'district'],
      jiangsu: ['subdistrict_admin', '310105002', 'subdistrict'],
      huayang: ['subdistrict_admin', '310105001', 'subdistrict'],
      auditor: ['auditor', '310105', 'district'],
    };
    for (const [name, [role, code, level]] of Object.entries(want)) {
      const s = await login(srv.base, name);
      checkUser(s.user, name);
      assert.equal(s.user.role, role, `${name} role`);
      assert.equal(s.user.area.code, code, `${name} area`);
      assert.equal(s.user.area.level, level, `${name} level`);
    }
    const w = await login(srv.base, 'jiangsu-worker');
    checkUser(w.user, 'jiangsu-worker');
    assert.equal(w.user.role, 'neighborhood_worker');
    assert.equal(w.user.area.level, 'neighborhood');
    assert.ok(w.user.area.code.startsWith('310105002'), `worker area under 江苏路: ${w.user.area.code}`);
    const g = await login(srv.base, 'jiangsu-grid');
    checkUser(g.user, 'jiangsu-grid');
    assert.equal(g.user.role, 'grid_worker');
    assert.equal(g.user.area.level, 'grid');
    // the grid lies in the worker's neighborhood: the admin sees it among its children
    const adm = await login(srv.base, 'admin');
    const kids = await api(srv.base, `/api/v1/areas/${w.user.area.code}/children`, { token: adm.token });
    assert.equal(kids.status, 200, kids.text);
    assert.ok(kids.json.items.some((a) => a.code === g.user.area.code),
      `grid ${g.user.area.code} is a child of ${w.user.area.code}`);
  });

  it('sets an HttpOnly SameSite=Strict session cookie and a script-readable csrf cookie', async () => {
    const res = await post({ username: 'jiangsu', password: DEMO_PASSWORD });
    assert.equal(res.status, 200, res.text);
    const c = parseSetCookies(res.headers);
    assert.ok(c.shequ_session, `shequ_session cookie set: ${JSON.stringify(res.headers['set-cookie'])}`);
    assert.equal(c.shequ_session.attrs.httponly, true, 'session HttpOnly');
    assert.equal(String(c.shequ_session.attrs.samesite).toLowerCase(), 'strict', 'session SameSite=Strict');
    assert.equal(c.shequ_session.attrs.path, '/', 'session Path=/');
    assert.ok(c.shequ_session.value.length >= 16, 'session value');
    assert.ok(c.shequ_csrf, 'shequ_csrf cookie set');
    assert.equal(c.shequ_csrf.attrs.httponly, undefined, 'csrf cookie readable by scripts (no HttpOnly)');
    assert.equal(String(c.shequ_csrf.attrs.samesite).toLowerCase(), 'strict', 'csrf SameSite=Strict');
    assert.equal(c.shequ_csrf.attrs.path, '/', 'csrf Path=/');
    assert.equal(c.shequ_csrf.value, res.json.csrf_token, 'csrf cookie equals csrf_token');
    // two logins give two different sessions
    const res2 = await post({ username: 'jiangsu', password: DEMO_PASSWORD });
    assert.notEqual(res2.json.token, res.json.token);
    assert.notEqual(parseSetCookies(res2.headers).shequ_session.value, c.shequ_session.value);
  });

  it('unknown user and wrong password give the same 401 invalid-credentials answer', async () => {
    const a = await post({ username: 'no-such-user-xyz', password: DEMO_PASSWORD });
    const b = await post({ username: 'jiangsu', password: 'wrong-password-1' });
    const pa = assertProblem(a, 401, 'invalid-credentials', 'unknown user');
    const pb = assertProblem(b, 401, 'invalid-credentials', 'wrong password');
    assert.deepEqual(Object.keys(pa).sort(), Object.keys(pb).sort(), 'same body shape');
    for (const k of Object.keys(pa)) {
      if (k === 'request_id') continue;
      assert.deepEqual(pa[k], pb[k], `same ${k}`);
    }
    assert.equal(a.headers['set-cookie'], undefined, 'no cookie on failure');
    assert.equal(b.headers['set-cookie'], undefined, 'no cookie on failure');
    // jiangsu still logs in (one failure does not lock)
    await login(srv.base, 'jiangsu');
  });
});

describe('sessions', () => {
  it('bearer token works on /api/v1/me', async () => {
    const s = await login(srv.base, 'jiangsu');
    const me = await api(srv.base, '/api/v1/me', { token: s.token });
    assert.equal(me.status, 200, me.text);
    checkUser(me.json, 'jiangsu');
    assert.deepEqual(me.json, s.user, '/me equals the user of the login answer');
  });

  it('the session cookie works on /api/v1/me', async () => {
    const s = await login(srv.base, 'jiangsu');
    const me = await api(srv.base, '/api/v1/me', { cookie: s.cookie });
    assert.equal(me.status, 200, me.text);
    assert.equal(me.json.username, 'jiangsu');
    // the session cookie alone is enough for a GET
    const sess = `shequ_session=${s.cookies.shequ_session.value}`;
    const me2 = await api(srv.base, '/api/v1/me', { cookie: sess });
    assert.equal(me2.status, 200, me2.text);
  });

  it('no, garbage or csrf-as-token credentials answer 401 unauthenticated', async () => {
    const s = await login(srv.base, 'jiangsu');
    assertProblem(await api(srv.base, '/api/v1/me'), 401, 'unauthenticated', 'no auth');
    assertProblem(await api(srv.base, '/api/v1/me', { token: 'garbage' }), 401, 'unauthenticated', 'garbage token');
    assertProblem(await api(srv.base, '/api/v1/me', { token: s.csrf }), 401, 'unauthenticated', 'csrf token as bearer');
    assertProblem(await api(srv.base, '/api/v1/me', { token: `${s.token}x` }), 401, 'unauthenticated', 'token+x');
    assertProblem(await api(srv.base, '/api/v1/me', { cookie: 'shequ_session=garbage' }), 401, 'unauthenticated', 'garbage cookie');
    assertProblem(await api(srv.base, '/api/v1/me', { cookie: `shequ_csrf=${s.csrf}` }), 401, 'unauthenticated', 'csrf cookie only');
  });

  it('cookie-authenticated PUT needs X-CSRF-Token; bearer does not', async () => {
    const s = await login(srv.base, 'jiangsu');
    const before = s.user.preferences;
    const url = '/api/v1/me/preferences';
    const flip = { care_mode: !before.care_mode };

    const noCsrf = await api(srv.base, url, { method: 'PUT', cookie: s.cookie, body: flip });
    assertProblem(noCsrf, 403, 'csrf', 'PUT without X-CSRF-Token');
    const wrong = await api(srv.base, url, { method: 'PUT', cookie: s.cookie, csrf: `${s.csrf}x`, body: flip });
    assertProblem(wrong, 403, 'csrf', 'PUT with a wrong X-CSRF-Token');
    const empty = await api(srv.base, url, {
      method: 'PUT', cookie: s.cookie, body: flip, headers: { 'x-csrf-token': '' },
    });
    assertProblem(empty, 403, 'csrf', 'PUT with an empty X-CSRF-Token');
    let me = await api(srv.base, '/api/v1/me', { token: s.token });
    assert.deepEqual(me.json.preferences, before, 'rejected PUTs changed nothing');

    const ok = await api(srv.base, url, { method: 'PUT', cookie: s.cookie, csrf: s.csrf, body: flip });
    assert.equal(ok.status, 200, ok.text);
    checkUser(ok.json, 'jiangsu');
    assert.equal(ok.json.preferences.care_mode, flip.care_mode);
    assert.equal(ok.json.preferences.language, before.language, 'language untouched when only care_mode is sent');

    const bearer = await api(srv.base, url, { method: 'PUT', token: s.token, body: { care_mode: before.care_mode } });
    assert.equal(bearer.status, 200, bearer.text);
    assert.equal(bearer.json.preferences.care_mode, before.care_mode);
    me = await api(srv.base, '/api/v1/me', { token: s.token });
    assert.deepEqual(me.json.preferences, before);
  });

  it('logout revokes the session and clears the cookies', async () => {
    const s = await login(srv.base, 'jiangsu');
    const other = await login(srv.base, 'jiangsu');
    const out = await api(srv.base, '/api/v1/auth/logout', { method: 'POST', token: s.token });
    assert.equal(out.status, 204, out.text);
    assert.equal(out.body.length, 0, '204 has no body');
    const c = parseSetCookies(out.headers);
    for (const name of ['shequ_session', 'shequ_csrf']) {
      assert.ok(c[name], `${name} cleared on logout: ${JSON.stringify(out.headers['set-cookie'])}`);
      const expired = c[name].attrs['max-age'] === '0' ||
        (c[name].attrs.expires && Date.parse(c[name].attrs.expires) < Date.now());
      assert.ok(expired, `${name} expires now: ${c[name].raw}`);
    }
    assertProblem(await api(srv.base, '/api/v1/me', { token: s.token }), 401, 'unauthenticated', 'token after logout');
    assertProblem(await api(srv.base, '/api/v1/me', { cookie: s.cookie }), 401, 'unauthenticated', 'cookie after logout');
    // only that session: the other one still works
    const me = await api(srv.base, '/api/v1/me', { token: other.token });
    assert.equal(me.status, 200, 'another session of the same user is not revoked');
  });

  it('cookie logout needs X-CSRF-Token', async () => {
    const s = await login(srv.base, 'jiangsu');
    const bad = await api(srv.base, '/api/v1/auth/logout', { method: 'POST', cookie: s.cookie });
    assertProblem(bad, 403, 'csrf', 'cookie logout without csrf');
    assert.equal((await api(srv.base, '/api/v1/me', { token: s.token })).status, 200, 'session survives');
    const ok = await api(srv.base, '/api/v1/auth/logout', { method: 'POST', cookie: s.cookie, csrf: s.csrf });
    assert.equal(ok.status, 204, ok.text);
    assertProblem(await api(srv.base, '/api/v1/me', { cookie: s.cookie }), 401, 'unauthenticated', 'after cookie logout');
  });

  it('logout without a session answers 401', async () => {
    assertProblem(await api(srv.base, '/api/v1/auth/logout', { method: 'POST' }), 401, 'unauthenticated', 'logout w/o session');
  });
});

describe('preferences', () => {
  it('care_mode and language persist across logout and login', async () => {
    const s = await login(srv.base, 'auditor');
    const want = { care_mode: !s.user.preferences.care_mode, language: s.user.preferences.language === 'en' ? 'zh-CN' : 'en' };
    const put = await api(srv.base, '/api/v1/me/preferences', { method: 'PUT', token: s.token, body: want });
    assert.equal(put.status, 200, put.text);
    assert.deepEqual(put.json.preferences, want);
    assert.equal((await api(srv.base, '/api/v1/auth/logout', { method: 'POST', token: s.token })).status, 204);
    const s2 = await login(srv.base, 'auditor');
    assert.deepEqual(s2.user.preferences, want, 'login answer carries the saved preferences');
    const me = await api(srv.base, '/api/v1/me', { token: s2.token });
    assert.deepEqual(me.json.preferences, want);
    // only language
    const put2 = await api(srv.base, '/api/v1/me/preferences', { method: 'PUT', token: s2.token, body: { language: 'zh-CN' } });
    assert.equal(put2.status, 200, put2.text);
    assert.deepEqual(put2.json.preferences, { care_mode: want.care_mode, language: 'zh-CN' });
    // other users are not affected
    const other = await login(srv.base, 'admin');
    assert.equal(other.user.username, 'admin');
  });

  it('needs authentication', async () => {
    assertProblem(await api(srv.base, '/api/v1/me/preferences', { method: 'PUT', body: { care_mode: true } }),
      401, 'unauthenticated', 'PUT preferences w/o auth');
  });
});

describe('input validation', () => {
  const JSONH = { 'content-type': 'application/json' };
  const badLogins = [
    ['malformed JSON', '{"username":"admin","password":', JSONH, 400, 'bad-request'],
    ['trailing garbage', `{"username":"admin","password":"${DEMO_PASSWORD}"} x`, JSONH, 400, 'bad-request'],
    ['JSON array', `["admin","${DEMO_PASSWORD}"]`, JSONH, 400, 'bad-request'],
    ['wrong type (username number)', `{"username":1,"password":"${DEMO_PASSWORD}"}`, JSONH, 400, 'bad-request'],
    ['wrong type (password null)', '{"username":"admin","password":null}', JSONH, 400, 'bad-request'],
    ['unknown field', `{"username":"admin","password":"${DEMO_PASSWORD}","remember":true}`, JSONH, 400, 'bad-request'],
    ['invalid UTF-8', Buffer.concat([Buffer.from('{"username":"admin'), Buffer.from([0xff, 0xfe]),
      Buffer.from(`","password":"${DEMO_PASSWORD}"}`)]), JSONH, 400, 'bad-request'],
    ['text/plain content type', `{"username":"admin","password":"${DEMO_PASSWORD}"}`, { 'content-type': 'text/plain' }, 415, 'unsupported-media-type'],
    ['form content type', `username=admin&password=${DEMO_PASSWORD}`, { 'content-type': 'application/x-www-form-urlencoded' }, 415, 'unsupported-media-type'],
    ['no content type', `{"username":"admin","password":"${DEMO_PASSWORD}"}`, {}, 415, 'unsupported-media-type'],
  ];

  for (const [what, body, headers, status, type] of badLogins) {
    it(`login: ${what} -> ${status} ${type}, no session`, async () => {
      const res = await api(srv.base, LOGIN, { method: 'POST', body, headers });
      assertProblem(res, status, type, what);
      assert.equal(res.headers['set-cookie'], undefined, 'no cookie');
      assert.equal(res.json.token, undefined, 'no token');
    });
  }

  it('login: missing fields -> 400 bad-request or 422 validation naming the field', async () => {
    for (const [body, field] of [[{ username: 'admin' }, 'password'], [{ password: DEMO_PASSWORD }, 'username'], [{}, null]]) {
      const res = await post(body);
      assert.ok([400, 422].includes(res.status), `${JSON.stringify(body)} -> ${res.status} ${res.text}`);
      const p = assertProblem(res, res.status, res.status === 400 ? 'bad-request' : 'validation', JSON.stringify(body));
      if (res.status === 422) {
        assert.ok(Array.isArray(p.errors) && p.errors.length > 0, 'validation has errors[]');
        if (field) assert.ok(p.errors.some((e) => e.field === field), `errors names ${field}: ${JSON.stringify(p.errors)}`);
      }
      assert.equal(res.headers['set-cookie'], undefined);
    }
  });

  it('login accepts application/json; charset=utf-8', async () => {
    const res = await api(srv.base, LOGIN, {
      method: 'POST', body: JSON.stringify({ username: 'admin', password: DEMO_PASSWORD }),
      headers: { 'content-type': 'application/json; charset=utf-8' },
    });
    assert.equal(res.status, 200, res.text);
  });

  describe('preferences: every bad body is a problem and changes nothing', () => {
    let s;
    let before0;
    let other;
    before(async () => {
      s = await login(srv.base, 'jiangsu');
      before0 = (await api(srv.base, '/api/v1/me', { token: s.token })).json.preferences;
      other = before0.language === 'en' ? 'zh-CN' : 'en';
    });
    const cases = [
      ['malformed JSON', () => `{"language":"${other}"`, JSONH, 400, 'bad-request'],
      ['wrong type care_mode', () => `{"care_mode":"yes","language":"${other}"}`, JSONH, 400, 'bad-request'],
      ['wrong type language', () => '{"language":5}', JSONH, 400, 'bad-request'],
      ['unknown field', () => `{"language":"${other}","theme":"dark"}`, JSONH, 400, 'bad-request'],
      ['invalid UTF-8', () => Buffer.concat([Buffer.from(`{"care_mode":${!before0.care_mode},"language":"`),
        Buffer.from([0xc3, 0x28]), Buffer.from('"}')]), JSONH, 400, 'bad-request'],
      ['non-JSON content type', () => `{"language":"${other}"}`, { 'content-type': 'text/plain' }, 415, 'unsupported-media-type'],
      ['language outside the enum', () => '{"language":"fr"}', JSONH, 422, 'validation'],
      ['not an object', () => `"${other}"`, JSONH, 400, 'bad-request'],
    ];
    for (const [what, body, headers, status, type] of cases) {
      it(`${what} -> ${status} ${type}`, async () => {
        const res = await api(srv.base, '/api/v1/me/preferences', { method: 'PUT', token: s.token, body: body(), headers });
        const p = assertProblem(res, status, type, what);
        if (type === 'validation') {
          assert.ok(Array.isArray(p.errors) && p.errors.some((e) => e.field === 'language'),
            `${what}: errors names language: ${JSON.stringify(p.errors)}`);
        }
        const now = (await api(srv.base, '/api/v1/me', { token: s.token })).json.preferences;
        assert.deepEqual(now, before0, `${what} changed nothing`);
      });
    }
  });
});

describe('login rate limit per address (--login-rate 5)', () => {
  let limited;
  before(async () => { limited = await startServer({ flags: ['--login-rate', '5'] }); });
  after(async () => { if (limited) await limited.stop(); });

  it('answers 429 rate-limited with Retry-After after 5 attempts in a minute', async () => {
    for (let i = 0; i < 5; i++) {
      const r = await api(limited.base, LOGIN, { method: 'POST', body: { username: `ghost-${i}`, password: 'x' } });
      assertProblem(r, 401, 'invalid-credentials', `attempt ${i + 1}`);
    }
    // even the right password is refused now
    const r = await api(limited.base, LOGIN, { method: 'POST', body: { username: 'admin', password: DEMO_PASSWORD } });
    assertProblem(r, 429, 'rate-limited', 'attempt 6');
    const ra = r.headers['retry-after'];
    assert.match(String(ra), /^\d+$/, `Retry-After is delay-seconds: ${ra}`);
    assert.ok(Number(ra) >= 1 && Number(ra) <= 60, `Retry-After within the minute: ${ra}`);
    assert.equal(r.headers['set-cookie'], undefined);
    // other routes are not rate limited
    const h = await api(limited.base, '/api/v1/health');
    assert.equal(h.status, 200);
  });
});

describe('lockout', () => {
  // huayang is used by no other test of this file before this point.
  it('5 wrong passwords lock the account: the right password then answers 423 account-locked', async () => {
    for (let i = 0; i < 5; i++) {
      const r = await post({ username: 'huayang', password: `wrong-${i}` });
      assertProblem(r, 401, 'invalid-credentials', `wrong password ${i + 1}`);
    }
    const r = await post({ username: 'huayang', password: DEMO_PASSWORD });
    assertProblem(r, 423, 'account-locked', 'right password after 5 failures');
    assert.equal(r.headers['set-cookie'], undefined, 'no session for a locked account');
    // other accounts are unaffected
    await login(srv.base, 'jiangsu');
  });
});
