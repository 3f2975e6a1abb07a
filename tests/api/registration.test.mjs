// Resident registration by phone (public, no sign-in): codes through the demo "log" message driver
// (read back from the server's stderr), the 60-second resend limit, wrong codes, the password policy,
// the neighborhood, linking to the one registry person with that phone, care mode for residents aged
// 70+ (notes/applications-contract.md). Also a regression: a raw request target with non-ASCII bytes.
import { describe, it, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, recoverServer, stopOrDrop, api, login, loginAll, assertProblem, assertField, rawRequest, sleep, cli, DEMO_PASSWORD,
} from './harness.mjs';

const NB = '310105002001';
const PASSWORD = 'Zhuce-mima-2026';
const CJK = /[\u3400-\u9fff]/;

let srv;
const S = {};

const ACCOUNTS = ['admin', 'jiangsu-worker', 'jiangsu-resident', 'jiangsu-elder'];

let dupPhone; // registered in before(); registered again in the last test, 60 s later
let dupSentAt;

before(async () => {
  srv = await startServer();
  await loginAll(srv.base, S, ACCOUNTS);
  dupPhone = newPhone();
  dupSentAt = Date.now();
  const reg = await register({ phone: dupPhone, code: await sendCode(dupPhone), password: PASSWORD, area_code: NB });
  assert.equal(reg.status, 201, `register ${dupPhone} -> ${reg.status} ${reg.text.slice(0, 300)}`);
});

beforeEach(async () => {
  srv = await recoverServer(srv, S, ACCOUNTS);
});

after(async () => {
  await stopOrDrop(srv);
});

// ---------------------------------------------------------------------------
// helpers

// Every test uses phones of its own: 1 + a digit 3-9 + this run's prefix + a counter.
let phoneSeq = 0;
const runPrefix = String(Date.now() % 1000).padStart(3, '0');
function newPhone() {
  phoneSeq += 1;
  return `137${runPrefix}${String(phoneSeq).padStart(5, '0')}`;
}

const call = (who, path, opts = {}) => api(srv.base, path, { token: who ? S[who].token : undefined, ...opts });
const requestCode = (phone) => api(srv.base, '/api/v1/registrations/codes', { method: 'POST', body: { phone } });
const register = (body) => api(srv.base, '/api/v1/registrations', { method: 'POST', body });

/** The codes the log driver wrote to the server's stderr for `phone`, oldest first. */
function codesInLog(phone) {
  const re = new RegExp(`短信 message to ${phone}: [^\\n]*验证码是 (\\d{6})`, 'g');
  return [...srv.stderr().matchAll(re)].map((m) => m[1]);
}

/** Requests a code for `phone` (202 asserted) and reads it back from the server's stderr. */
async function sendCode(phone) {
  const had = codesInLog(phone).length;
  const res = await requestCode(phone);
  assert.equal(res.status, 202, `POST /registrations/codes ${phone} -> ${res.status} ${res.text.slice(0, 300)}`);
  assert.deepEqual(res.json, { sent: true, expires_in: 600 });
  for (let i = 0; i < 100; i += 1) {
    const codes = codesInLog(phone);
    if (codes.length > had) return codes[codes.length - 1];
    await sleep(20);
  }
  assert.fail(`no code for ${phone} in the server's stderr:\n${srv.stderr().slice(-2000)}`);
}

/** A wrongly typed JSON field: 400 bad-request or 422 validation, naming the field. */
function assertTypeError(res, field, what) {
  assert.ok([400, 422].includes(res.status), `${what}: 400 or 422, got ${res.status} ${res.text.slice(0, 200)}`);
  const b = assertProblem(res, res.status, null, what);
  assert.ok(Array.isArray(b.errors) && b.errors.some((e) => e.field === field), `${what}: errors name ${field}: ${res.text.slice(0, 300)}`);
}

/** 'YYYY-MM-DD' of today in Beijing (the server's calendar) `years` years back, less `days` days. */
function yearsAgo(years, days = 0) {
  const d = new Date(Date.now() + 8 * 3_600_000);
  d.setUTCFullYear(d.getUTCFullYear() - years);
  d.setUTCDate(d.getUTCDate() - days);
  return d.toISOString().slice(0, 10);
}

async function me(session) {
  const res = await api(srv.base, '/api/v1/me', { token: session.token });
  assert.equal(res.status, 200, `GET /me -> ${res.status} ${res.text.slice(0, 300)}`);
  return res.json;
}

/** Gives the registry person `id` the phone `phone` as jiangsu-worker (PATCH at the current version). */
async function setPersonPhone(id, phone) {
  const cur = await call('jiangsu-worker', `/api/v1/persons/${id}`);
  assert.equal(cur.status, 200, cur.text.slice(0, 300));
  const res = await call('jiangsu-worker', `/api/v1/persons/${id}`, { method: 'PATCH', body: { version: cur.json.version, phone } });
  assert.equal(res.status, 200, `PATCH person ${id} phone -> ${res.status} ${res.text.slice(0, 300)}`);
  assert.equal(res.json.phone, `${phone.slice(0, 3)}****${phone.slice(-4)}`);
  return res.json;
}

let personPool = null;
/** A registry person of jiangsu-worker's list satisfying pred, not used before. */
async function freshPerson(pred) {
  if (!personPool) {
    const res = await call('jiangsu-worker', '/api/v1/persons?page_size=200');
    assert.equal(res.status, 200, res.text.slice(0, 300));
    personPool = res.json.items;
  }
  const i = personPool.findIndex(pred);
  assert.ok(i >= 0, 'a registry person to link');
  return personPool.splice(i, 1)[0];
}

// ---------------------------------------------------------------------------

describe('codes', () => {
  it('invalid phones → 422 field phone, and nothing is sent', async () => {
    const before = srv.stderr().length;
    for (const phone of ['12345678901', '1391234567', '139123456789', '23912345678', '1391234567a', '+8613912345678',
      '139 1234 5678', '１３９１２３４５６７８', '']) {
      assertField(await requestCode(phone), 'phone', `phone ${JSON.stringify(phone)}`);
    }
    for (const phone of [13912345678, ['13912345678'], { n: 1 }]) {
      assertTypeError(await requestCode(phone), 'phone', `phone ${JSON.stringify(phone)}`);
    }
    assertField(await api(srv.base, '/api/v1/registrations/codes', { method: 'POST', body: {} }), 'phone', 'no phone');
    assert.ok(!/短信 message to/.test(srv.stderr().slice(before)), 'no message written for an invalid phone');
  });

  it('a code is sent (the log driver writes it to stderr); again within 60 s → 429 with Retry-After', async () => {
    const phone = newPhone();
    const code = await sendCode(phone);
    assert.match(code, /^\d{6}$/);
    assert.match(srv.stderr(), new RegExp(`短信 message to ${phone}: 【社区云】您的注册验证码是 ${code}，10 分钟内有效。`));
    const again = await requestCode(phone);
    assertProblem(again, 429, 'rate-limited', 'a second code within 60 s');
    const ra = again.headers['retry-after'];
    assert.match(String(ra), /^\d+$/, `Retry-After is delay-seconds: ${ra}`);
    assert.ok(Number(ra) >= 1 && Number(ra) <= 60, `Retry-After within the minute: ${ra}`);
    assert.equal(codesInLog(phone).length, 1, 'no second message');
    // another phone is not held back by the first
    await sendCode(newPhone());
    // and the first code still works
    const res = await register({ phone, code, password: PASSWORD, area_code: NB });
    assert.equal(res.status, 201, `register with the first code -> ${res.status} ${res.text.slice(0, 300)}`);
  });
});

describe('registering', () => {
  it('a wrong code → 422 field code; after 5 wrong tries even the right code fails; nothing is created', async () => {
    const phone = newPhone();
    const code = await sendCode(phone);
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    for (let i = 1; i <= 5; i += 1) {
      assertField(await register({ phone, code: wrong, password: PASSWORD, area_code: NB }), 'code', `wrong try ${i}`);
    }
    assertField(await register({ phone, code, password: PASSWORD, area_code: NB }), 'code', 'the right code after 5 wrong tries');
    const signIn = await api(srv.base, '/api/v1/auth/login', { method: 'POST', body: { username: phone, password: PASSWORD } });
    assert.equal(signIn.status, 401, `no account was created: login -> ${signIn.status}`);
    // a code for a phone that never asked for one, and malformed codes
    assertField(await register({ phone: newPhone(), code: '123456', password: PASSWORD, area_code: NB }), 'code',
      'a phone without a code');
    const other = newPhone();
    const ok = await sendCode(other);
    for (const bad of ['', '12345', 'abcdef']) {
      assertField(await register({ phone: other, code: bad, password: PASSWORD, area_code: NB }), 'code',
        `code ${JSON.stringify(bad)}`);
    }
    assertTypeError(await register({ phone: other, code: Number(ok), password: PASSWORD, area_code: NB }), 'code', 'code as a number');
    const res = await register({ phone: other, code: ok, password: PASSWORD, area_code: NB });
    assert.equal(res.status, 201, `fewer than 5 wrong tries leave the code alive -> ${res.status} ${res.text.slice(0, 300)}`);
  });

  it('weak passwords → 422 field password; an area that is not a neighborhood → 422 field area_code; bad birth dates → 422', async () => {
    const phone = newPhone();
    const code = await sendCode(phone);
    for (const password of ['Ab1-short', 'abcdefghijkl', 'abcdefghij12', '1234567890123', phone, '']) {
      assertField(await register({ phone, code, password, area_code: NB }), 'password', `password ${JSON.stringify(password)}`);
    }
    for (const area of ['310105002', '310105', '31010500200101', '999999999999', 'abc']) {
      assertField(await register({ phone, code, password: PASSWORD, area_code: area }), 'area_code', `area_code ${area}`);
    }
    assertField(await register({ phone, code, password: PASSWORD }), 'area_code', 'no area_code and no registry person');
    for (const birth of ['1950-02-30', '1950/01/01', 'old', yearsAgo(-1)]) {
      assertField(await register({ phone, code, password: PASSWORD, area_code: NB, birth_date: birth }), 'birth_date',
        `birth_date ${birth}`);
    }
    const signIn = await api(srv.base, '/api/v1/auth/login', { method: 'POST', body: { username: phone, password: PASSWORD } });
    assert.equal(signIn.status, 401, 'nothing created');
  });

  it('success → 201; sign in with the phone; the used code does not serve again', async () => {
    const phone = newPhone();
    const code = await sendCode(phone);
    const res = await register({ phone, code, password: PASSWORD, area_code: NB, birth_date: '1990-06-15' });
    assert.equal(res.status, 201, `register -> ${res.status} ${res.text.slice(0, 300)}`);
    assert.deepEqual(res.json, {
      username: phone, display_name: `居民${phone.slice(-4)}`, area_code: NB, linked_person: false, care_mode: false,
    });
    const session = await login(srv.base, phone, PASSWORD);
    assert.equal(session.user.username, phone);
    const m = await me(session);
    assert.equal(m.role, 'resident');
    assert.equal(m.area.code, NB);
    assert.equal(m.display_name, `居民${phone.slice(-4)}`);
    assert.equal(m.preferences.care_mode, false);
    assert.ok(m.permissions.includes('application.apply'), `a resident may apply: ${m.permissions}`);
    // the new resident applies online and sees only that
    const list = await api(srv.base, '/api/v1/applications', { token: session.token });
    assert.equal(list.status, 200, list.text.slice(0, 200));
    assert.equal(list.json.total, 0, 'a new resident has no applications');

    assertField(await register({ phone, code, password: PASSWORD, area_code: NB }), 'code', 'the used code again');
    const wrongLogin = await api(srv.base, '/api/v1/auth/login', { method: 'POST', body: { username: phone, password: 'Andere-mima-2026' } });
    assert.equal(wrongLogin.status, 401, 'the old password stays');
  });

  it('a chosen display name is kept', async () => {
    const phone = newPhone();
    const code = await sendCode(phone);
    const res = await register({ phone, code, password: PASSWORD, area_code: NB, display_name: '王阿姨' });
    assert.equal(res.status, 201, res.text.slice(0, 300));
    assert.equal(res.json.display_name, '王阿姨');
  });

  it('birth date 70+ → care_mode true, also in GET /me; 69 → false', async () => {
    const old = newPhone();
    const res = await register({ phone: old, code: await sendCode(old), password: PASSWORD, area_code: NB, birth_date: yearsAgo(75) });
    assert.equal(res.status, 201, res.text.slice(0, 300));
    assert.equal(res.json.care_mode, true);
    assert.equal(res.json.linked_person, false);
    assert.equal((await me(await login(srv.base, old, PASSWORD))).preferences.care_mode, true);

    const seventy = newPhone();
    const r70 = await register({ phone: seventy, code: await sendCode(seventy), password: PASSWORD, area_code: NB, birth_date: yearsAgo(70, 1) });
    assert.equal(r70.status, 201, r70.text.slice(0, 300));
    assert.equal(r70.json.care_mode, true, 'aged exactly 70');

    const young = newPhone();
    const r69 = await register({ phone: young, code: await sendCode(young), password: PASSWORD, area_code: NB, birth_date: yearsAgo(70, -2) });
    assert.equal(r69.status, 201, r69.text.slice(0, 300));
    assert.equal(r69.json.care_mode, false, 'two days short of 70');
    assert.equal((await me(await login(srv.base, young, PASSWORD))).preferences.care_mode, false);
  });

  it('the demo residents: jiangsu-elder has care mode, jiangsu-resident does not', async () => {
    assert.equal((await me(S['jiangsu-elder'])).preferences.care_mode, true);
    assert.equal((await me(S['jiangsu-resident'])).preferences.care_mode, false);
  });
});

describe('a phone that is already registered → 409', () => {
  it('an account named by the phone (shequ user add) → 409 on registering, nothing changes', async () => {
    const phone = newPhone();
    const added = await cli(['user', 'add', '--db', srv.db.url, '--username', phone, '--role', 'resident', '--area', NB,
      '--password', 'Cli-resident-2026']);
    assert.equal(added.code, 0, `shequ user add ${phone}: ${added.stdout}\n${added.stderr}`);
    const code = await sendCode(phone);
    assertProblem(await register({ phone, code, password: PASSWORD, area_code: NB }), 409, 'conflict', 'a phone that is a username');
    assert.equal((await login(srv.base, phone, 'Cli-resident-2026')).user.username, phone, 'the account keeps its password');
  });
});

describe('linking to the registry person with that phone', () => {
  it('exactly one person has the phone → linked_person true, the person\'s area and care mode by the person\'s age', async () => {
    const person = await freshPerson((p) => p.age >= 20 && p.age < 60);
    const phone = newPhone();
    await setPersonPhone(person.id, phone);
    const found = await call('admin', `/api/v1/persons?phone=${phone}`);
    assert.equal(found.status, 200);
    assert.equal(found.json.total, 1, 'exactly one registry person has the phone');
    const res = await register({ phone, code: await sendCode(phone), password: PASSWORD });
    assert.equal(res.status, 201, `register without area_code -> ${res.status} ${res.text.slice(0, 300)}`);
    assert.equal(res.json.linked_person, true);
    assert.equal(res.json.area_code, person.area_code, 'the person\'s area');
    assert.equal(res.json.care_mode, false);
    const session = await login(srv.base, phone, PASSWORD);
    assert.equal((await me(session)).area.code, person.area_code);

    // an elderly person: care mode comes from the registry's birth date, not from what was typed
    const elder = await freshPerson((p) => p.age >= 75);
    const ephone = newPhone();
    await setPersonPhone(elder.id, ephone);
    const er = await register({ phone: ephone, code: await sendCode(ephone), password: PASSWORD, birth_date: '1995-01-01', area_code: NB });
    assert.equal(er.status, 201, er.text.slice(0, 300));
    assert.equal(er.json.linked_person, true);
    assert.equal(er.json.area_code, elder.area_code);
    assert.equal(er.json.care_mode, true, `the person is ${elder.age}`);
    assert.equal((await me(await login(srv.base, ephone, PASSWORD))).preferences.care_mode, true);
  });

  it('the linked resident sees a 代办 made for their person', async () => {
    const person = await freshPerson((p) => p.age >= 20 && p.age < 60);
    const phone = newPhone();
    await setPersonPhone(person.id, phone);
    const reg = await register({ phone, code: await sendCode(phone), password: PASSWORD });
    assert.equal(reg.status, 201, reg.text.slice(0, 300));
    assert.equal(reg.json.linked_person, true);
    const guide = (await api(srv.base, '/api/v1/services/FL010')).json;
    const form = {};
    for (const f of guide.form) {
      form[f.key] = { text: '活动室', textarea: '说明', select: f.options?.[0], number: 20, date: '2026-06-01', checkbox: true }[f.type];
    }
    const app = await call('jiangsu-worker', '/api/v1/applications', {
      method: 'POST', body: { guide_code: 'FL010', form, person_id: person.id, consent: { method: 'signature', note: '本人签字' } },
    });
    assert.equal(app.status, 201, app.text.slice(0, 300));
    const session = await login(srv.base, phone, PASSWORD);
    const list = await api(srv.base, '/api/v1/applications', { token: session.token });
    assert.equal(list.status, 200);
    assert.deepEqual(list.json.items.map((x) => x.id), [app.json.id], 'the linked resident sees the 代办 for them');
  });

  it('two persons share the phone → not linked: area_code is needed', async () => {
    const a = await freshPerson((p) => p.age >= 20 && p.age < 60);
    const b = await freshPerson((p) => p.age >= 20 && p.age < 60);
    const phone = newPhone();
    await setPersonPhone(a.id, phone);
    await setPersonPhone(b.id, phone);
    const code = await sendCode(phone);
    assertField(await register({ phone, code, password: PASSWORD }), 'area_code', 'two persons with the phone, no area_code');
    const res = await register({ phone, code, password: PASSWORD, area_code: NB });
    assert.equal(res.status, 201, res.text.slice(0, 300));
    assert.equal(res.json.linked_person, false);
    assert.equal(res.json.area_code, NB);
  });
});

describe('neighborhood search', () => {
  it('q finds neighborhoods by subdistrict name; items are neighborhoods', async () => {
    const res = await api(srv.base, `/api/v1/registrations/neighborhoods?q=${encodeURIComponent('江苏路')}`);
    assert.equal(res.status, 200, res.text.slice(0, 300));
    assert.ok(res.json.items.length >= 10 && res.json.items.length <= 50, `${res.json.items.length} neighborhoods`);
    assert.ok(res.json.items.some((x) => x.code === NB), `${NB} listed`);
    for (const x of res.json.items) {
      assert.match(x.code, /^310105002\d{3}$/, `a 江苏路 neighborhood code: ${x.code}`);
      assert.equal(x.subdistrict, '江苏路街道');
      assert.match(x.name, CJK);
    }
  });
});

describe('regression: a request target with non-ASCII bytes', () => {
  it('GET /api/v1/health?name=病历 over raw TCP → 400 problem+json, several times; the server keeps answering', async () => {
    for (let i = 0; i < 5; i += 1) {
      const { res, conn } = await rawRequest(srv.port,
        Buffer.from(`GET /api/v1/health?name=病历 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`, 'utf8'));
      conn.destroy();
      assert.ok(res, `round ${i}: an answer (the server did not drop the connection): ${srv.exitInfo ? JSON.stringify(srv.exitInfo) : ''}`);
      assertProblem(res, 400, 'bad-request', `round ${i}`);
      const h = await api(srv.base, '/api/v1/health');
      assert.equal(h.status, 200, `round ${i}: health afterwards -> ${h.status}`);
    }
    // a raw non-ASCII path, too
    const { res, conn } = await rawRequest(srv.port, Buffer.from('GET /api/v1/病历 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n', 'utf8'));
    conn.destroy();
    assert.ok(res, 'an answer to a non-ASCII path');
    assert.ok(res.status >= 400 && res.status < 500, `a 4xx: ${res.status}`);
    assert.equal(srv.exitInfo, null, 'the server is still running');
    assert.equal((await login(srv.base, 'admin', DEMO_PASSWORD)).user.username, 'admin', 'and signs people in');
  });
});

// Last: it waits for the 60-second resend limit of the phone registered in before().
describe('registering the same phone twice', () => {
  it('registering the same phone twice (a new code after 60 s) → 409', async () => {
    // dupPhone registered in before(); the resend limit lets a second code out 60 s after the first
    const wait = dupSentAt + 61_000 - Date.now();
    if (wait > 0) await sleep(wait);
    const res = await requestCode(dupPhone);
    if (res.status === 409) {
      assertProblem(res, 409, 'conflict', 'a code for a registered phone');
      return;
    }
    assert.equal(res.status, 202, `a second code after 60 s -> ${res.status} ${res.text.slice(0, 300)}`);
    let code;
    for (let i = 0; i < 100 && !code; i += 1) {
      const codes = codesInLog(dupPhone);
      if (codes.length >= 2) code = codes[codes.length - 1];
      else await sleep(20);
    }
    assert.ok(code, 'the second code is in the log');
    assertProblem(await register({ phone: dupPhone, code, password: 'Noch-ein-mal-2026', area_code: NB }), 409, 'conflict',
      'the same phone again');
    assert.equal((await login(srv.base, dupPhone, PASSWORD)).user.username, dupPhone, 'the first password stays');
    const other = await api(srv.base, '/api/v1/auth/login', { method: 'POST', body: { username: dupPhone, password: 'Noch-ein-mal-2026' } });
    assert.equal(other.status, 401, 'the second password does not work');
  });
});
