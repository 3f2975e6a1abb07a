// Applications (一网通办 申请): online by a resident and 代办 (proxy) by a community worker, the state
// machine by role, the legal time limit on the working calendar, consent, scope, the form checks,
// materials (notes/applications-contract.md).
//
// What the demo gives us: jiangsu-resident and jiangsu-elder (residents of 310105002001, linked to
// registry persons), jiangsu-worker (neighborhood_worker of 310105002001: applies on behalf and
// handles), jiangsu-grid (applies on behalf, does not handle), jiangsu (subdistrict_admin 江苏路),
// admin (district_admin), huayang (subdistrict_admin 华阳路), jiangsu-dispatcher, hotline,
// lvrong-staff, auditor (no access). This file adds nb2-worker, a neighborhood_worker of another
// 江苏路 neighborhood (310105002002), with `shequ user add`. Guide codes and forms are read from
// GET /api/v1/services/{code}; the expected time limit is computed here from GET /api/v1/work-calendar.
import { describe, it, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, recoverServer, stopOrDrop, api, loginAll, assertProblem, assertField, recordSteps, listAll, cli, RawConn, formAnswers,
} from './harness.mjs';

const NB = '310105002001';
const NB2 = '310105002002';
const JIANGSU = '310105002';
const HUAYANG = '310105001';
const NB2_WORKER_PASSWORD = 'Nb2-Worker-pass-77';
const ACCOUNTS = [
  'admin', 'jiangsu', 'huayang', 'jiangsu-worker', 'jiangsu-grid', 'jiangsu-dispatcher', 'hotline',
  'lvrong-staff', 'auditor', 'jiangsu-resident', 'jiangsu-elder',
];
const ACTIONS = ['accept', 'return', 'resubmit', 'approve', 'refuse', 'complete', 'withdraw'];
const STATES = ['submitted', 'returned', 'accepted', 'approved', 'refused', 'done', 'withdrawn'];
const CJK = /[\u3400-\u9fff]/;

// Online guides used below (checked in before()): FL010 普法讲座预约 (select, date, number, text; 10 days),
// FL006 行政复议申请 (60 days), YL014 高龄老人医疗护理计划 (checkbox, number, text, textarea; 30 days).
// An offline guide: ZF008 既有多层住宅加装电梯申请及补贴.
const G_MAIN = 'FL010';
const G_LONG = 'FL006';
const G_TEXTAREA = 'YL014';
const G_OFFLINE = 'ZF008';

let srv;
const S = {};
const guides = {}; // code -> guide JSON
let elderPerson; // the registry person jiangsu-elder is linked to
let outsidePerson; // a registry person outside jiangsu-worker's neighborhood

// every account of ACCOUNTS, and nb2-worker once added in before()
const SIGN_IN = [...ACCOUNTS, ['nb2-worker', NB2_WORKER_PASSWORD]];

before(async () => {
  srv = await startServer();
  const added = await cli(['user', 'add', '--db', srv.db.url, '--username', 'nb2-worker', '--role', 'neighborhood_worker',
    '--area', NB2, '--display-name', '飞乐社区工作者', '--password', NB2_WORKER_PASSWORD]);
  assert.equal(added.code, 0, `shequ user add nb2-worker: ${added.stdout}\n${added.stderr}`);
  await loginAll(srv.base, S, SIGN_IN);
  for (const c of [G_MAIN, G_LONG, G_TEXTAREA, G_OFFLINE]) {
    const res = await api(srv.base, `/api/v1/services/${c}`);
    assert.equal(res.status, 200, `GET /services/${c} -> ${res.status}`);
    assert.ok(Array.isArray(res.json.form) && res.json.form.length > 0, `${c} has a form`);
    guides[c] = res.json;
  }
  assert.equal(guides[G_MAIN].online, true);
  assert.equal(guides[G_LONG].online, true);
  assert.equal(guides[G_TEXTAREA].online, true);
  assert.equal(guides[G_OFFLINE].online, false);
  const types = (c) => guides[c].form.map((f) => f.type);
  for (const t of ['select', 'date', 'number', 'text']) assert.ok(types(G_MAIN).includes(t), `${G_MAIN} has a ${t} field`);
  for (const t of ['checkbox', 'textarea', 'text']) assert.ok(types(G_TEXTAREA).includes(t), `${G_TEXTAREA} has a ${t} field`);

  // the elder's registry person: the display name is "<person name>（江苏路居民）"
  const name = S['jiangsu-elder'].user.display_name.replace(/（江苏路居民）$/, '');
  assert.ok(name && name !== S['jiangsu-elder'].user.display_name, `elder display name: ${S['jiangsu-elder'].user.display_name}`);
  const hits = (await listAll(srv.base, S['jiangsu-worker'].token, `/api/v1/persons?q=${encodeURIComponent(name)}`))
    .filter((p) => p.name === name && p.birth_date >= '1930-01-01' && p.birth_date <= '1950-12-31');
  assert.equal(hits.length, 1, `one person named ${name} born 1930–1950 in jiangsu-worker's territory: ${JSON.stringify(hits)}`);
  elderPerson = hits[0];
  assert.ok(elderPerson.area_code.startsWith(NB));

  const others = await call('admin', `/api/v1/persons?area=${NB2}&page_size=5`);
  assert.equal(others.status, 200, others.text.slice(0, 300));
  outsidePerson = others.json.items.find((p) => !p.area_code.startsWith(NB));
  assert.ok(outsidePerson, `a person of ${NB2}: ${others.text.slice(0, 300)}`);
});

beforeEach(async () => {
  srv = await recoverServer(srv, S, SIGN_IN);
});

after(async () => {
  await stopOrDrop(srv);
});

// ---------------------------------------------------------------------------
// helpers

function call(who, path, opts = {}) {
  return api(srv.base, path, { token: who ? S[who].token : undefined, ...opts });
}

/** A form that satisfies every field of the guide. */
const validForm = (code, over = {}) => ({ ...formAnswers(guides[code].form), ...over });

const fieldOf = (code, type) => {
  const f = guides[code].form.find((x) => x.type === type);
  assert.ok(f, `${code} has a ${type} field`);
  return f;
};

const CONSENT = { method: 'signature', note: '本人签字确认' };

function postApp(who, body) {
  return call(who, '/api/v1/applications', { method: 'POST', body });
}

/** A resident's own online application (201 asserted). */
async function applyOnline(who = 'jiangsu-resident', code = G_MAIN, form = validForm(code)) {
  const res = await postApp(who, { guide_code: code, form });
  assert.equal(res.status, 201, `POST /applications as ${who} (${code}) -> ${res.status} ${res.text.slice(0, 400)}`);
  return res.json;
}

/** A 代办 application by `who` for `personId` (201 asserted). */
async function applyProxy(who = 'jiangsu-worker', personId = elderPerson.id, code = G_MAIN, consent = CONSENT) {
  const res = await postApp(who, { guide_code: code, form: validForm(code), person_id: personId, consent });
  assert.equal(res.status, 201, `POST /applications as ${who} for person ${personId} -> ${res.status} ${res.text.slice(0, 400)}`);
  return res.json;
}

// getApp(who, id, expect), act(who, id, body), step(who, id, action, extra): see recordSteps.
const { get: getApp, act, step } = recordSteps(call, '/api/v1/applications');

const NOTES = { return: '请补充身份证复印件', refuse: '不符合申请条件' };

/** Moves an application from submitted into `state` (the handler is jiangsu, the applicant `applicant`). */
async function driveTo(id, state, applicant = 'jiangsu-resident') {
  const path = {
    submitted: [],
    returned: [['jiangsu', 'return']],
    accepted: [['jiangsu', 'accept']],
    approved: [['jiangsu', 'accept'], ['jiangsu', 'approve']],
    refused: [['jiangsu', 'accept'], ['jiangsu', 'refuse']],
    done: [['jiangsu', 'accept'], ['jiangsu', 'approve'], ['jiangsu', 'complete']],
    withdrawn: [[applicant, 'withdraw']],
  }[state];
  let a;
  for (const [who, action] of path) a = await step(who, id, action, NOTES[action] ? { note: NOTES[action] } : {});
  a = (await getApp('admin', id)).json;
  assert.equal(a.state, state, `driven to ${state}`);
  return a;
}

const snapshot = (a) => ({ state: a.state, version: a.version, steps: a.steps.length, missing: a.missing, reason: a.reason });

async function assertUnchanged(id, before, what) {
  assert.deepEqual(snapshot((await getApp('admin', id)).json), before, `${what}: the application is unchanged`);
}

async function total(who, query = '') {
  const res = await call(who, `/api/v1/applications?page_size=1${query ? `&${query}` : ''}`);
  assert.equal(res.status, 200, `GET /applications?${query} as ${who} -> ${res.status} ${res.text.slice(0, 300)}`);
  assert.ok(Number.isInteger(res.json.total), `total: ${res.text.slice(0, 200)}`);
  return res.json.total;
}

const listIds = async (who, query = '') => (await listAll(srv.base, S[who].token, `/api/v1/applications${query ? `?${query}` : ''}`))
  .map((x) => x.id);

async function auditRows(filters) {
  const qs = new URLSearchParams({ ...filters, page_size: '200' }).toString();
  const res = await call('admin', `/api/v1/audit?${qs}`);
  assert.equal(res.status, 200, `GET /audit?${qs} -> ${res.status} ${res.text.slice(0, 300)}`);
  return res.json.items;
}

// Who may do what (contract): handler = application.handle + territory + not the proxy; applicant/proxy
// (and the resident linked to the person of a 代办) withdraw and resubmit.
const TABLE = {
  accept: { who: 'handler', from: ['submitted'], to: 'accepted' },
  return: { who: 'handler', from: ['submitted'], to: 'returned', note: true },
  approve: { who: 'handler', from: ['accepted'], to: 'approved' },
  refuse: { who: 'handler', from: ['accepted'], to: 'refused', note: true },
  complete: { who: 'handler', from: ['approved'], to: 'done' },
  resubmit: { who: 'owner', from: ['returned'], to: 'submitted' },
  withdraw: { who: 'owner', from: ['submitted', 'returned'], to: 'withdrawn' },
};

/** Expected answer of `action` in `state` for an account of `relation` (handler|owner|none|invisible|noaccess). */
function expected(relation, state, action) {
  if (relation === 'invisible') return 404;
  if (relation === 'noaccess') return 403;
  if (TABLE[action].who !== relation) return 403;
  return TABLE[action].from.includes(state) ? 200 : 409;
}

// ---------------------------------------------------------------------------

describe('the state machine by role', () => {
  // A resident's own application lies in the resident's neighborhood: the resident owns it; jiangsu-worker,
  // jiangsu and admin handle it; jiangsu-grid (territory: one grid below it) and the others do not see it
  // or have no access.
  const ONLINE_ROLES = {
    'jiangsu-resident': 'owner',
    'jiangsu-worker': 'handler',
    jiangsu: 'handler',
    admin: 'handler',
    'jiangsu-grid': 'invisible',
    'jiangsu-elder': 'invisible',
    huayang: 'invisible',
    'nb2-worker': 'invisible',
    'jiangsu-dispatcher': 'noaccess',
    'lvrong-staff': 'noaccess',
    auditor: 'noaccess',
    hotline: 'noaccess',
  };
  // A 代办 application by jiangsu-worker for the elder lies in the elder's grid: the worker and the elder own
  // it, the worker may not handle it; jiangsu and admin handle it; jiangsu-grid sees it and may not act.
  const PROXY_ROLES = {
    'jiangsu-worker': 'owner',
    'jiangsu-elder': 'owner',
    jiangsu: 'handler',
    admin: 'handler',
    'jiangsu-grid': 'none',
    'jiangsu-resident': 'invisible',
    huayang: 'invisible',
  };

  for (const [kind, roles] of [['online', ONLINE_ROLES], ['proxy', PROXY_ROLES]]) {
    for (const state of STATES) {
      it(`${kind} application in ${state}: every action by every role; allowed_actions match what succeeds`, async () => {
        const fresh = async () => {
          const a = kind === 'online' ? await applyOnline() : await applyProxy();
          return driveTo(a.id, state, kind === 'online' ? 'jiangsu-resident' : 'jiangsu-worker');
        };
        const a = await fresh();
        const before = snapshot(a);
        for (const [who, relation] of Object.entries(roles)) {
          // what the role sees
          const seen = await getApp(who, a.id, null);
          if (relation === 'invisible') assertProblem(seen, 404, 'not-found', `GET as ${who}`);
          else if (relation === 'noaccess') assertProblem(seen, 403, 'forbidden', `GET as ${who}`);
          else {
            assert.equal(seen.status, 200, `GET as ${who} -> ${seen.status}`);
            const want = ACTIONS.filter((x) => expected(relation, state, x) === 200).sort();
            assert.deepEqual([...seen.json.allowed_actions].sort(), want, `allowed_actions for ${who} (${relation}) in ${state}`);
          }
          // every refused action
          for (const action of ACTIONS) {
            const want = expected(relation, state, action);
            if (want === 200) continue;
            const body = { action, version: a.version, ...(TABLE[action].note ? { note: '说明' } : {}) };
            const res = await act(who, a.id, body);
            assertProblem(res, want, { 403: 'forbidden', 404: 'not-found', 409: 'conflict' }[want],
              `${action} by ${who} (${relation}) in ${state}`);
          }
        }
        await assertUnchanged(a.id, before, `${kind} ${state} after the refusals`);
        // every allowed action, each on an application of its own
        for (const [who, relation] of Object.entries(roles)) {
          for (const action of ACTIONS) {
            if (expected(relation, state, action) !== 200) continue;
            const b = await fresh();
            const note = TABLE[action].note ? { note: NOTES[action] } : {};
            const res = await act(who, b.id, { action, version: b.version, ...note });
            assert.equal(res.status, 200, `${action} by ${who} in ${state} -> ${res.status} ${res.text.slice(0, 300)}`);
            assert.equal(res.json.state, TABLE[action].to, `${action} by ${who}: new state`);
            assert.equal(res.json.version, b.version + 1, `${action} by ${who}: version + 1`);
            const last = res.json.steps[res.json.steps.length - 1];
            assert.deepEqual([last.action, last.from, last.to], [action, state, TABLE[action].to], `${action}: step recorded`);
            assert.equal(res.json.steps.length, b.steps.length + 1, `${action}: one step more`);
          }
        }
      });
    }
  }

  it('a proxy worker cannot accept or approve their own 代办 (403); the subdistrict admin can', async () => {
    const a = await applyProxy();
    const p = assertProblem(await act('jiangsu-worker', a.id, { action: 'accept', version: a.version }), 403, 'forbidden', 'proxy accepts');
    assert.match(p.message_zh, CJK);
    assertProblem(await act('jiangsu-worker', a.id, { action: 'return', version: a.version, note: '缺材料' }), 403, 'forbidden',
      'proxy returns');
    const acc = await step('jiangsu', a.id, 'accept');
    assert.equal(acc.state, 'accepted');
    assertProblem(await act('jiangsu-worker', a.id, { action: 'approve', version: acc.version }), 403, 'forbidden', 'proxy approves');
    assertProblem(await act('jiangsu-worker', a.id, { action: 'refuse', version: acc.version, note: '理由' }), 403, 'forbidden',
      'proxy refuses');
    assert.deepEqual((await getApp('jiangsu-worker', a.id)).json.allowed_actions, [], 'nothing for the proxy once accepted');
    const ok = await step('jiangsu', a.id, 'approve');
    assert.equal(ok.state, 'approved');
    // another worker's 代办 is no obstacle: jiangsu-worker handles what jiangsu-grid applied for
    const g = await applyProxy('jiangsu-grid', elderPerson.id);
    assert.deepEqual((await getApp('jiangsu-worker', g.id)).json.allowed_actions.sort(), ['accept', 'return']);
    assert.equal((await step('jiangsu-worker', g.id, 'accept')).state, 'accepted');
  });

  it('return and refuse need a note (422 field note); missing and reason are kept; resubmit clears missing', async () => {
    const a = await applyOnline();
    const before = snapshot(a);
    assertField(await act('jiangsu', a.id, { action: 'return', version: a.version }), 'note', 'return without a note');
    assertField(await act('jiangsu', a.id, { action: 'return', version: a.version, note: '' }), 'note', 'return with an empty note');
    await assertUnchanged(a.id, before, 'after return without a note');
    const r = await step('jiangsu', a.id, 'return', { note: '请补充户口簿复印件' });
    assert.equal(r.missing, '请补充户口簿复印件');
    const form = validForm(G_MAIN, { [fieldOf(G_MAIN, 'text').key]: '改正后的地点' });
    const s = await step('jiangsu-resident', a.id, 'resubmit', { form });
    assert.equal(s.state, 'submitted');
    assert.equal(s.missing, null, 'missing cleared');
    assert.equal(s.form[fieldOf(G_MAIN, 'text').key], '改正后的地点', 'the corrected form is stored');
    const acc = await step('jiangsu', a.id, 'accept');
    const before2 = snapshot(acc);
    assertField(await act('jiangsu', a.id, { action: 'refuse', version: acc.version }), 'note', 'refuse without a note');
    await assertUnchanged(a.id, before2, 'after refuse without a note');
    const ref = await step('jiangsu', a.id, 'refuse', { note: '不符合申请条件' });
    assert.equal(ref.reason, '不符合申请条件');
    assert.equal(typeof ref.decided_at, 'string', 'decided_at set');
    assert.equal(ref.deadline, '', 'no deadline once decided');
  });

  it('a blank note is no note: return and refuse with only spaces → 422 field note', async () => {
    const a = await applyOnline();
    const before = snapshot(a);
    assertField(await act('jiangsu', a.id, { action: 'return', version: a.version, note: '   ' }), 'note', 'return with a blank note');
    await assertUnchanged(a.id, before, 'after return with a blank note');
    const acc = await step('jiangsu', a.id, 'accept');
    assertField(await act('jiangsu', a.id, { action: 'refuse', version: acc.version, note: ' \n ' }), 'note', 'refuse with a blank note');
    await assertUnchanged(a.id, snapshot(acc), 'after refuse with a blank note');
  });

  it('resubmit with an invalid corrected form → 422 and nothing changes', async () => {
    const a = await driveTo((await applyOnline()).id, 'returned');
    const before = snapshot(a);
    const sel = fieldOf(G_MAIN, 'select');
    assertField(await act('jiangsu-resident', a.id, {
      action: 'resubmit', version: a.version, form: validForm(G_MAIN, { [sel.key]: '不存在的选项' }),
    }), `form.${sel.key}`, 'resubmit with a wrong option');
    await assertUnchanged(a.id, before, 'after a refused resubmit');
    assert.deepEqual((await getApp('admin', a.id)).json.form, a.form, 'the form is unchanged');
  });

  it('a stale or future version → 409; an unknown action → 422 field action; nothing changes', async () => {
    const a = await applyOnline();
    const before = snapshot(a);
    assertProblem(await act('jiangsu', a.id, { action: 'accept', version: a.version - 1 }), 409, 'conflict', 'old version');
    assertProblem(await act('jiangsu', a.id, { action: 'accept', version: a.version + 1 }), 409, 'conflict', 'future version');
    for (const action of ['approve_all', 'ACCEPT', '', 'submit', 'proxy_submit']) {
      assertField(await act('jiangsu', a.id, { action, version: a.version }), 'action', `action ${JSON.stringify(action)}`);
    }
    await assertUnchanged(a.id, before, 'after stale versions and unknown actions');
    // the version just used becomes stale after a success
    await step('jiangsu', a.id, 'accept');
    assertProblem(await act('jiangsu', a.id, { action: 'approve', version: a.version }), 409, 'conflict', 'the used version');
    assert.equal((await getApp('admin', a.id)).json.state, 'accepted');
    // an unknown application
    assertProblem(await act('jiangsu', 999999, { action: 'accept', version: 1 }), 404, 'not-found', 'unknown id');
  });

  it('steps recorded in order with actor and note; every step audited', async () => {
    const a = await applyProxy('jiangsu-worker', elderPerson.id, G_MAIN, { method: 'letter', note: '授权委托书已存档' });
    await step('jiangsu', a.id, 'return', { note: '缺少委托书原件' });
    await step('jiangsu-elder', a.id, 'resubmit');
    await step('jiangsu', a.id, 'accept');
    await step('admin', a.id, 'approve');
    const done = await step('jiangsu', a.id, 'complete');
    assert.equal(done.state, 'done');
    assert.equal(typeof done.done_at, 'string', 'done_at set');
    assert.equal(typeof done.decided_at, 'string', 'decided_at set');
    const full = (await getApp('jiangsu', a.id)).json;
    assert.deepEqual(full.steps.map((s) => [s.action, s.from, s.to]), [
      ['proxy_submit', '', 'submitted'],
      ['return', 'submitted', 'returned'],
      ['resubmit', 'returned', 'submitted'],
      ['accept', 'submitted', 'accepted'],
      ['approve', 'accepted', 'approved'],
      ['complete', 'approved', 'done'],
    ]);
    assert.equal(full.steps[0].actor, S['jiangsu-worker'].user.display_name);
    assert.equal(full.steps[1].actor, S.jiangsu.user.display_name);
    assert.equal(full.steps[1].note, '缺少委托书原件');
    assert.equal(full.steps[4].actor, S.admin.user.display_name);
    for (let i = 1; i < full.steps.length; i += 1) {
      assert.ok(full.steps[i].at >= full.steps[i - 1].at, `steps in time order: ${full.steps[i - 1].at} ${full.steps[i].at}`);
    }
    const object = `application:${a.id}`;
    const expect = [
      ['proxy_submit', 'jiangsu-worker'], ['return', 'jiangsu'], ['resubmit', 'jiangsu-elder'],
      ['accept', 'jiangsu'], ['approve', 'admin'], ['complete', 'jiangsu'],
    ];
    for (const [action, account] of expect) {
      const rows = await auditRows({ action: `application.${action}`, object });
      assert.equal(rows.length, 1, `one application.${action} row for ${object}: ${JSON.stringify(rows)}`);
      assert.equal(rows[0].account, account, `application.${action} by ${account}`);
    }
    const ps = (await auditRows({ action: 'application.proxy_submit', object }))[0];
    assert.equal(String(ps.details.proxy_for_person), String(elderPerson.id), `proxy_for_person: ${JSON.stringify(ps.details)}`);
    assert.equal(JSON.stringify(ps.details).includes('letter'), true, `consent method in details: ${JSON.stringify(ps.details)}`);

    const own = await applyOnline();
    const rows = await auditRows({ action: 'application.submit', object: `application:${own.id}` });
    assert.equal(rows.length, 1, 'the online submit is audited');
    assert.equal(rows[0].account, 'jiangsu-resident');
    await step('jiangsu-resident', own.id, 'withdraw');
    assert.equal((await auditRows({ action: 'application.withdraw', object: `application:${own.id}` })).length, 1,
      'withdraw audited');
    const wd = (await getApp('jiangsu-resident', own.id)).json;
    assert.deepEqual(wd.steps.map((s) => s.action), ['submit', 'withdraw']);
    assert.equal(wd.steps[0].actor, S['jiangsu-resident'].user.display_name);
  });
});

// ---------------------------------------------------------------------------

/** 'YYYY-MM-DD' of an instant in Beijing time. */
const beijingDay = (iso) => new Date(Date.parse(iso) + 8 * 3600_000).toISOString().slice(0, 10);

async function calendar(year) {
  const res = await call('jiangsu', `/api/v1/work-calendar?year=${year}`);
  assert.equal(res.status, 200, `work-calendar ${year} -> ${res.status} ${res.text.slice(0, 200)}`);
  return res.json.days;
}

/** The Nth working day after `day` ('YYYY-MM-DD') on the calendar, computed here. */
async function nthWorkingDay(day, n) {
  const kinds = new Map();
  const y0 = Number(day.slice(0, 4));
  for (let y = y0; y <= y0 + 1 + Math.ceil(n / 200); y += 1) {
    for (const d of await calendar(y)) kinds.set(d.day, d.kind);
  }
  let t = Date.parse(`${day}T00:00:00Z`);
  let count = 0;
  for (;;) {
    t += 86_400_000;
    const d = new Date(t).toISOString().slice(0, 10);
    const dow = new Date(t).getUTCDay();
    const kind = kinds.get(d);
    const working = kind === 'workday' || (kind !== 'holiday' && dow !== 0 && dow !== 6);
    if (working) count += 1;
    if (count === n) return d;
  }
}

describe('the time limit on the working calendar', () => {
  for (const code of [G_MAIN, G_LONG, G_TEXTAREA]) {
    it(`${code}: due_at is 18:00 Beijing of the Nth working day after acceptance; deadline green`, async () => {
      const n = guides[code].time_limit_days;
      assert.ok(Number.isInteger(n) && n > 0, `${code} time_limit_days ${n}`);
      const a = await applyOnline('jiangsu-resident', code);
      assert.equal(a.time_limit_days, n, 'the application carries the guide\'s time limit');
      assert.equal(a.due_at, null, 'no due date before acceptance');
      assert.equal(a.accepted_at, null);
      assert.equal(a.deadline, '', 'no deadline colour before acceptance');
      const acc = await step('jiangsu', a.id, 'accept');
      assert.equal(typeof acc.accepted_at, 'string');
      assert.ok(Math.abs(Date.parse(acc.accepted_at) - Date.now()) < 5 * 60_000, `accepted_at is now: ${acc.accepted_at}`);
      const want = await nthWorkingDay(beijingDay(acc.accepted_at), n);
      assert.equal(Date.parse(acc.due_at), Date.parse(`${want}T10:00:00Z`),
        `due_at ${acc.due_at}: 18:00 Beijing on ${want}, the ${n}th working day after ${beijingDay(acc.accepted_at)}`);
      assert.equal(acc.deadline, 'green', 'green right after acceptance');
      const listed = (await listAll(srv.base, S.jiangsu.token, '/api/v1/applications?state=accepted')).find((x) => x.id === a.id);
      assert.ok(listed, 'listed under state=accepted');
      assert.equal(listed.deadline, 'green');
      assert.equal(listed.due_at, acc.due_at);
      // approval ends the clock
      const ap = await step('jiangsu', a.id, 'approve');
      assert.equal(ap.deadline, '', 'no deadline colour once approved');
    });
  }

  it('a holiday and a make-up Saturday set on the calendar move due_at accordingly', async () => {
    // the next two weekdays after today (Beijing) become holidays, the next Saturday a working day: the
    // Nth working day moves one day later than a plain Monday–Friday count
    const today = beijingDay(new Date().toISOString());
    const plus = (d, n) => new Date(Date.parse(`${d}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
    const dow = (d) => new Date(`${d}T00:00:00Z`).getUTCDay();
    const nextWeekday = (d) => { let x = plus(d, 1); while (dow(x) === 0 || dow(x) === 6) x = plus(x, 1); return x; };
    const holiday = nextWeekday(today);
    const holiday2 = nextWeekday(holiday);
    let saturday = plus(today, 1);
    while (dow(saturday) !== 6) saturday = plus(saturday, 1);
    const put = (day, kind, name) => call('admin', '/api/v1/work-calendar', { method: 'PUT', body: { day, kind, ...(name ? { name } : {}) } });
    const kinds = new Map();
    for (const y of new Set([holiday.slice(0, 4), holiday2.slice(0, 4), saturday.slice(0, 4)])) {
      for (const d of await calendar(y)) kinds.set(d.day, d.kind);
    }
    const changed = [];
    try {
      for (const d of [holiday, holiday2]) {
        if (kinds.has(d)) continue;
        const r = await put(d, 'holiday', '测试假日');
        assert.equal(r.status, 200, `PUT holiday ${d} -> ${r.status} ${r.text.slice(0, 300)}`);
        changed.push(d);
      }
      if (!kinds.has(saturday)) {
        const r = await put(saturday, 'workday', '测试调休');
        assert.equal(r.status, 200, `PUT workday ${saturday} -> ${r.status} ${r.text.slice(0, 300)}`);
        changed.push(saturday);
      }
      const a = await applyOnline('jiangsu-resident', G_MAIN);
      const acc = await step('jiangsu', a.id, 'accept');
      const n = guides[G_MAIN].time_limit_days;
      const want = await nthWorkingDay(beijingDay(acc.accepted_at), n);
      assert.equal(Date.parse(acc.due_at), Date.parse(`${want}T10:00:00Z`),
        `due_at ${acc.due_at}: 18:00 Beijing on ${want} with ${holiday} and ${holiday2} off and ${saturday} on`);
      let plain = beijingDay(acc.accepted_at);
      for (let i = 0; i < n; i += 1) plain = nextWeekday(plain);
      if (changed.length === 3) assert.notEqual(want, plain, 'the calendar changes the date (else this test proves nothing)');
      // the calendar the expectation was computed from holds both changes
      const cal = (await calendar(holiday.slice(0, 4))).map((d) => [d.day, d.kind]);
      assert.ok(cal.some(([d, k]) => d === holiday && k === 'holiday'), `${holiday} is a holiday now`);
      assert.ok(cal.some(([d, k]) => d === holiday2 && k === 'holiday') || holiday2.slice(0, 4) !== holiday.slice(0, 4),
        `${holiday2} is a holiday now`);
      assert.ok(cal.some(([d, k]) => d === saturday && k === 'workday') || saturday.slice(0, 4) !== holiday.slice(0, 4),
        `${saturday} is a working day now`);
    } finally {
      for (const d of changed) {
        const r = await put(d, 'normal');
        assert.equal(r.status, 200, `PUT normal ${d} -> ${r.status} ${r.text.slice(0, 300)}`);
      }
    }
  });

  it('deadline filter: red and yellow list only such applications (a green one is in neither); other values → 422', async () => {
    const a = await applyOnline();
    await step('jiangsu', a.id, 'accept');
    for (const colour of ['red', 'yellow']) {
      const items = await listAll(srv.base, S.jiangsu.token, `/api/v1/applications?deadline=${colour}`);
      assert.ok(!items.some((x) => x.id === a.id), `the green application is not under deadline=${colour}`);
      for (const x of items) assert.equal(x.deadline, colour, `deadline=${colour} lists only ${colour}: ${JSON.stringify(x)}`);
    }
    for (const bad of ['green', 'blue', 'RED', '1']) {
      assertField(await call('jiangsu', `/api/v1/applications?deadline=${bad}`), 'deadline', `deadline=${bad}`);
    }
  });
});

// ---------------------------------------------------------------------------

describe('代办: consent and the person', () => {
  const body = (over = {}) => ({ guide_code: G_MAIN, form: validForm(G_MAIN), person_id: elderPerson.id, consent: CONSENT, ...over });

  it('refusals name the field and store nothing', async () => {
    const before = await total('admin');
    const mine = await total('jiangsu-worker', 'mine=1');
    const { consent, ...noConsent } = body();
    assert.ok(consent);
    assertField(await postApp('jiangsu-worker', noConsent), 'consent', 'no consent');
    assertField(await postApp('jiangsu-worker', body({ consent: null })), 'consent', 'consent null');
    assertField(await postApp('jiangsu-worker', body({ consent: { method: 'telepathy', note: '见证人王五' } })), 'consent.method',
      'bad method');
    assertField(await postApp('jiangsu-worker', body({ consent: { note: '见证人王五' } })), 'consent.method', 'no method');
    assertField(await postApp('jiangsu-worker', body({ consent: { method: 'verbal' } })), 'consent.note', 'verbal without note');
    assertField(await postApp('jiangsu-worker', body({ consent: { method: 'verbal', note: '王' } })), 'consent.note',
      'verbal with a 1-character note');
    assertField(await postApp('jiangsu-worker', body({ person_id: outsidePerson.id })), 'person_id',
      `a person of ${outsidePerson.area_code}, outside jiangsu-worker's neighborhood`);
    assertField(await postApp('jiangsu-worker', body({ person_id: 99999999 })), 'person_id', 'an unknown person');
    const { person_id: pid, ...noPerson } = body();
    assert.ok(pid);
    assertField(await postApp('jiangsu-worker', noPerson), 'person_id', 'a worker without person_id');
    assertField(await postApp('jiangsu-resident', { guide_code: G_MAIN, form: validForm(G_MAIN), person_id: elderPerson.id }),
      'person_id', 'a resident passes person_id');
    assertField(await postApp('jiangsu-resident', {
      guide_code: G_MAIN, form: validForm(G_MAIN), person_id: outsidePerson.id,
    }), 'person_id', 'a resident passes any person_id');
    assert.equal(await total('admin'), before, 'nothing stored');
    assert.equal(await total('jiangsu-worker', 'mine=1'), mine, 'nothing stored for the worker');
  });

  it('consent is stored and returned; verbal with a witness works; an offline guide is fine for 代办', async () => {
    const v = await applyProxy('jiangsu-worker', elderPerson.id, G_MAIN, { method: 'verbal', note: '见证人：楼组长王五' });
    assert.equal(v.proxy, true);
    assert.equal(v.proxy_name, S['jiangsu-worker'].user.display_name);
    assert.equal(v.applicant_name, elderPerson.name, 'the applicant is the person');
    assert.equal(v.consent.method, 'verbal');
    assert.equal(v.consent.note, '见证人：楼组长王五');
    assert.ok(Math.abs(Date.parse(v.consent.recorded_at) - Date.now()) < 5 * 60_000, `recorded_at: ${v.consent.recorded_at}`);
    assert.equal(v.area.code, elderPerson.area_code, 'the application lies in the person\'s area');
    assert.equal(v.steps[0].action, 'proxy_submit');
    const again = (await getApp('jiangsu', v.id)).json;
    assert.deepEqual(again.consent, v.consent, 'GET returns the same consent');
    const off = await applyProxy('jiangsu-grid', elderPerson.id, G_OFFLINE, { method: 'letter', note: '委托书' });
    assert.equal(off.guide_code, G_OFFLINE);
    assert.equal(off.consent.method, 'letter');
    const own = await applyOnline();
    assert.equal(own.consent, null, 'an online application carries no consent');
    assert.equal(own.proxy, false);
    assert.equal(own.proxy_name, null);
  });

  it('the elder sees the 代办 in their list, withdraws one and resubmits another; jiangsu-resident does not see them', async () => {
    const one = await applyProxy();
    const two = await applyProxy();
    const elderList = await listIds('jiangsu-elder');
    assert.ok(elderList.includes(one.id) && elderList.includes(two.id), 'the elder lists both');
    assert.ok(!(await listIds('jiangsu-resident')).includes(one.id), 'jiangsu-resident does not');
    await getApp('jiangsu-resident', one.id, 404);
    const seen = (await getApp('jiangsu-elder', one.id)).json;
    assert.deepEqual(seen.allowed_actions, ['withdraw']);
    assert.equal(seen.consent.method, CONSENT.method);
    const w = await step('jiangsu-elder', one.id, 'withdraw');
    assert.equal(w.state, 'withdrawn');
    await step('jiangsu', two.id, 'return', { note: '请补充材料' });
    const r = await step('jiangsu-elder', two.id, 'resubmit');
    assert.equal(r.state, 'submitted');
    assert.equal(r.steps[r.steps.length - 1].actor, S['jiangsu-elder'].user.display_name);
  });

  it('mine=1 for a worker lists the 代办 they made, and only those', async () => {
    const p = await applyProxy();
    const g = await applyProxy('jiangsu-grid');
    const own = await applyOnline();
    const mine = await listAll(srv.base, S['jiangsu-worker'].token, '/api/v1/applications?mine=1');
    assert.ok(mine.some((x) => x.id === p.id), 'jiangsu-worker\'s 代办 listed');
    assert.ok(!mine.some((x) => x.id === g.id), 'jiangsu-grid\'s 代办 not listed');
    assert.ok(!mine.some((x) => x.id === own.id), 'the online application not listed');
    for (const x of mine) {
      assert.equal(x.proxy, true);
      assert.equal(x.proxy_name, S['jiangsu-worker'].user.display_name);
    }
    const all = await listIds('jiangsu-worker');
    assert.ok(all.includes(own.id) && all.includes(g.id), 'without mine=1 the whole territory');
  });
});

// ---------------------------------------------------------------------------

describe('scope', () => {
  it('another subdistrict or neighborhood: 404 and not listed; no-access roles 403; residents only their own', async () => {
    const own = await applyOnline();
    const proxied = await applyProxy();
    for (const who of ['huayang', 'nb2-worker']) {
      for (const a of [own, proxied]) {
        assertProblem(await getApp(who, a.id, null), 404, 'not-found', `GET ${a.id} as ${who}`);
        assertProblem(await act(who, a.id, { action: 'accept', version: a.version }), 404, 'not-found', `accept as ${who}`);
      }
      const ids = await listIds(who);
      assert.ok(!ids.includes(own.id) && !ids.includes(proxied.id), `${who} lists neither`);
    }
    for (const who of ['jiangsu-dispatcher', 'lvrong-staff', 'auditor', 'hotline']) {
      assertProblem(await call(who, '/api/v1/applications'), 403, 'forbidden', `list as ${who}`);
      assertProblem(await getApp(who, own.id, null), 403, 'forbidden', `GET as ${who}`);
      assertProblem(await postApp(who, { guide_code: G_MAIN, form: validForm(G_MAIN) }), 403, 'forbidden', `POST as ${who}`);
    }
    assertProblem(await call(null, '/api/v1/applications'), 401, 'unauthenticated', 'anonymous list');
    assertProblem(await postApp('jiangsu', { guide_code: G_MAIN, form: validForm(G_MAIN) }), 403, 'forbidden',
      'a subdistrict admin has no application.apply');

    const resident = await listAll(srv.base, S['jiangsu-resident'].token, '/api/v1/applications');
    assert.ok(resident.some((x) => x.id === own.id));
    assert.ok(!resident.some((x) => x.id === proxied.id), 'jiangsu-resident does not see the elder\'s');
    for (const x of resident) {
      assert.equal(x.applicant_name, S['jiangsu-resident'].user.display_name, `only their own: ${JSON.stringify(x)}`);
      for (const k of ['form', 'steps', 'materials', 'allowed_actions']) assert.ok(!(k in x), `list items have no ${k}`);
    }
    const elder = await listIds('jiangsu-elder');
    assert.ok(!elder.includes(own.id), 'the elder does not see jiangsu-resident\'s');
    for (const who of ['jiangsu', 'admin', 'jiangsu-worker']) {
      const ids = await listIds(who);
      assert.ok(ids.includes(own.id) && ids.includes(proxied.id), `${who} lists both`);
    }
    // jiangsu-grid's territory is the elder's grid: the 代办 lies in it, the resident's neighborhood-level one does not
    const grid = await listIds('jiangsu-grid');
    assert.ok(grid.includes(proxied.id) && !grid.includes(own.id), 'jiangsu-grid lists only the 代办 in its grid');
    await getApp('jiangsu-grid', own.id, 404);
  });

  it('filters: state, guide, area inside the territory; unknown state and area outside → 422', async () => {
    const a = await applyOnline('jiangsu-resident', G_TEXTAREA);
    const byGuide = await listAll(srv.base, S.jiangsu.token, `/api/v1/applications?guide=${G_TEXTAREA}`);
    assert.ok(byGuide.some((x) => x.id === a.id));
    for (const x of byGuide) assert.equal(x.guide_code, G_TEXTAREA);
    const byState = await listAll(srv.base, S.jiangsu.token, '/api/v1/applications?state=submitted');
    assert.ok(byState.some((x) => x.id === a.id));
    for (const x of byState) assert.equal(x.state, 'submitted');
    const inNb = await listIds('jiangsu', `area=${NB}`);
    assert.ok(inNb.includes(a.id), `area=${NB} holds it`);
    assert.ok(!(await listIds('jiangsu', `area=${NB2}`)).includes(a.id), `area=${NB2} does not`);
    assertField(await call('jiangsu', '/api/v1/applications?state=lost'), 'state', 'state=lost');
    assertField(await call('jiangsu-worker', `/api/v1/applications?area=${NB2}`), 'area', 'jiangsu-worker area=NB2');
    assertField(await call('jiangsu', `/api/v1/applications?area=${HUAYANG}`), 'area', 'jiangsu area=华阳路');
    assertField(await call('huayang', `/api/v1/applications?area=${JIANGSU}`), 'area', 'huayang area=江苏路');
    assertField(await call('jiangsu', '/api/v1/applications?area=999999999999'), 'area', 'an unknown area');
  });
});

// ---------------------------------------------------------------------------

describe('form checks (online application by jiangsu-resident)', () => {
  let before;
  let mineBefore;
  beforeEach(async () => {
    before = await total('admin');
    mineBefore = await total('jiangsu-resident');
  });
  const nothingStored = async () => {
    assert.equal(await total('admin'), before, 'nothing stored');
    assert.equal(await total('jiangsu-resident'), mineBefore, 'nothing stored for the resident');
  };
  const post = (code, form) => postApp('jiangsu-resident', { guide_code: code, form });

  it('each missing required field is named form.<key>', async () => {
    const required = guides[G_MAIN].form.filter((f) => f.required);
    assert.ok(required.length > 0);
    for (const f of required) {
      const form = validForm(G_MAIN);
      delete form[f.key];
      assertField(await post(G_MAIN, form), `form.${f.key}`, `without ${f.key}`);
    }
    const b = assertProblem(await post(G_MAIN, {}), 422, 'validation', 'an empty form');
    for (const f of required) assert.ok(b.errors.some((e) => e.field === `form.${f.key}`), `empty form names ${f.key}`);
    const cb = guides[G_TEXTAREA].form.find((f) => f.type === 'checkbox' && f.required);
    if (cb) assertField(await post(G_TEXTAREA, validForm(G_TEXTAREA, { [cb.key]: false })), `form.${cb.key}`, 'a required checkbox false');
    await nothingStored();
  });

  it('wrong select option, bad dates, non-numbers, unknown keys, over-long text → 422 naming the field', async () => {
    const sel = fieldOf(G_MAIN, 'select');
    const date = fieldOf(G_MAIN, 'date');
    const num = fieldOf(G_MAIN, 'number');
    const text = fieldOf(G_MAIN, 'text');
    const area = fieldOf(G_TEXTAREA, 'textarea');
    const cases = [
      [G_MAIN, { [sel.key]: '不存在的选项' }, sel.key],
      [G_MAIN, { [sel.key]: `${sel.options[0]} ` }, sel.key],
      [G_MAIN, { [date.key]: '2026/05/18' }, date.key],
      [G_MAIN, { [date.key]: '2026-02-30' }, date.key],
      [G_MAIN, { [date.key]: '2026-13-01' }, date.key],
      [G_MAIN, { [date.key]: 'tomorrow' }, date.key],
      [G_MAIN, { [num.key]: 'abc' }, num.key],
      [G_MAIN, { [num.key]: -1 }, num.key],
      [G_MAIN, { [num.key]: true }, num.key],
      [G_MAIN, { [text.key]: '长'.repeat(201) }, text.key],
      [G_MAIN, { [text.key]: 42 }, text.key],
      [G_MAIN, { nickname: '小张' }, 'nickname'],
      [G_MAIN, { __proto__x: 1 }, '__proto__x'],
      [G_TEXTAREA, { [area.key]: '字'.repeat(2001) }, area.key],
      [G_TEXTAREA, { [area.key]: 'x'.repeat(2500) }, area.key],
    ];
    for (const [code, over, key] of cases) {
      assertField(await post(code, validForm(code, over)), `form.${key}`, `${code} ${JSON.stringify(over).slice(0, 80)}`);
    }
    // several errors at once are all listed
    const b = assertProblem(await post(G_MAIN, validForm(G_MAIN, { [sel.key]: 'x', [date.key]: 'y', extra: 1 })), 422, 'validation',
      'three errors');
    for (const k of [sel.key, date.key, 'extra']) assert.ok(b.errors.some((e) => e.field === `form.${k}`), `names form.${k}`);
    // form not an object, unknown guide, offline guide
    assertField(await post(G_MAIN, 'text'), 'form', 'form as a string');
    assertField(await post(G_MAIN, [1, 2]), 'form', 'form as an array');
    assertField(await postApp('jiangsu-resident', { guide_code: 'NOPE999', form: {} }), 'guide_code', 'an unknown guide');
    assertField(await post(G_OFFLINE, validForm(G_OFFLINE)), 'guide_code', 'an offline guide applied online');
    await nothingStored();
  });

  it('limits are inclusive: 200 characters of text and 2,000 of textarea are stored', async () => {
    const text = fieldOf(G_TEXTAREA, 'text');
    const area = fieldOf(G_TEXTAREA, 'textarea');
    const form = validForm(G_TEXTAREA, { [text.key]: '甲'.repeat(200), [area.key]: '乙'.repeat(2000) });
    const a = await applyOnline('jiangsu-resident', G_TEXTAREA, form);
    assert.equal(a.form[text.key], '甲'.repeat(200));
    assert.equal(a.form[area.key], '乙'.repeat(2000));
    assert.equal(await total('admin'), before + 1);
  });

  it('script text is stored verbatim and returned as a JSON string', async () => {
    const text = fieldOf(G_MAIN, 'text');
    const evil = '<script>alert("x")</script><img src=x onerror=alert(1)> & \'"; DROP TABLE applications; --';
    const a = await applyOnline('jiangsu-resident', G_MAIN, validForm(G_MAIN, { [text.key]: evil }));
    const res = await getApp('jiangsu', a.id);
    assert.match(res.headers['content-type'], /^application\/json\b/);
    assert.equal(res.json.form[text.key], evil, 'verbatim');
    assert.equal(typeof res.json.form[text.key], 'string');
    assert.equal(a.form[text.key], evil);
    assert.ok(await total('admin') >= before + 1, 'the application table still works');
  });
});

// ---------------------------------------------------------------------------

// A 1×1 PNG, a minimal PDF and a 64×48 JPEG (the one of cases.test.mjs).
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
const PDF = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n' +
  'trailer<</Root 1 0 R>>\n%%EOF\n', 'latin1');
const JPEG = Buffer.from(
  '/9j/4QDaRXhpZgAASUkqAAgAAAAHABIBAwABAAAAAQAAABoBBQABAAAAYgAAABsBBQABAAAAagAAACgBAwABAAAAAgAAADsBAgARAAAAcgAAAB' +
  'MCAwABAAAAAQAAAGmHBAABAAAAhAAAAAAAAAA4YwAA6AMAADhjAADoAwAAc2VjcmV0LWdwcy0zMS4yTgAABgAAkAcABAAAADAyMTABkQcABAAA' +
  'AAECAwAAoAcABAAAADAxMDABoAMAAQAAAP//AAACoAQAAQAAAEAAAAADoAQAAQAAADAAAAAAAAAA/9sAQwAKBwcIBwYKCAgICwoKCw4YEA4NDQ' +
  '4dFRYRGCMfJSQiHyIhJis3LyYpNCkhIjBBMTQ5Oz4+PiUuRElDPEg3PT47/9sAQwEKCwsODQ4cEBAcOygiKDs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7' +
  'Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7/8AAEQgAMABAAwEiAAIRAQMRAf/EAB8AAAEFAQEBAQEBAAAAAAAAAAABAgMEBQYHCAkKC/' +
  '/EALUQAAIBAwMCBAMFBQQEAAABfQECAwAEEQUSITFBBhNRYQcicRQygZGhCCNCscEVUtHwJDNicoIJChYXGBkaJSYnKCkqNDU2Nzg5OkNERUZH' +
  'SElKU1RVVldYWVpjZGVmZ2hpanN0dXZ3eHl6g4SFhoeIiYqSk5SVlpeYmZqio6Slpqeoqaqys7S1tre4ubrCw8TFxsfIycrS09TV1tfY2drh4u' +
  'Pk5ebn6Onq8fLz9PX29/j5+v/EAB8BAAMBAQEBAQEBAQEAAAAAAAABAgMEBQYHCAkKC//EALURAAIBAgQEAwQHBQQEAAECdwABAgMRBAUhMQYS' +
  'QVEHYXETIjKBCBRCkaGxwQkjM1LwFWJy0QoWJDThJfEXGBkaJicoKSo1Njc4OTpDREVGR0hJSlNUVVZXWFlaY2RlZmdoaWpzdHV2d3h5eoKDhI' +
  'WGh4iJipKTlJWWl5iZmqKjpKWmp6ipqrKztLW2t7i5usLDxMXGx8jJytLT1NXW19jZ2uLj5OXm5+jp6vLz9PX29/j5+v/aAAwDAQACEQMRAD8A' +
  'hooooAKKKKACiiigAooooAKKKKACiiigAooooAKKKKACiiigAooooAKKKKACiiigD//Z', 'base64');

describe('materials', () => {
  const upload = (who, id, name, body, type = 'application/octet-stream') =>
    call(who, `/api/v1/applications/${id}/materials?name=${encodeURIComponent(name)}`, {
      method: 'POST', body, headers: { 'content-type': type },
    });

  it('PDF, PNG and JPEG are accepted by content and download as the same bytes with the stored type', async () => {
    const a = await applyOnline();
    const files = [['户口簿.pdf', PDF, 'application/pdf'], ['照片.png', PNG, 'image/png'], ['身份证.jpg', JPEG, 'image/jpeg']];
    const made = [];
    for (const [name, bytes, type] of files) {
      // the declared type is not trusted: each is sent as octet-stream
      const res = await upload('jiangsu-resident', a.id, name, bytes);
      assert.equal(res.status, 201, `upload ${name} -> ${res.status} ${res.text.slice(0, 300)}`);
      assert.equal(res.json.name, name);
      assert.equal(res.json.content_type, type, `${name} recognised by content`);
      assert.equal(res.json.size, bytes.length);
      assert.ok(Number.isInteger(res.json.id) || typeof res.json.id === 'string', `id: ${res.json.id}`);
      assert.equal(typeof res.json.url, 'string');
      made.push([res.json, bytes, type]);
    }
    const got = (await getApp('jiangsu-resident', a.id)).json;
    assert.deepEqual(got.materials.map((m) => m.name), files.map((f) => f[0]), 'the application lists them in order');
    for (const [m, bytes, type] of made) {
      for (const who of ['jiangsu-resident', 'jiangsu', 'jiangsu-worker']) {
        const res = await call(who, m.url, { headers: { accept: '*/*' } });
        assert.equal(res.status, 200, `download ${m.name} as ${who} -> ${res.status}`);
        assert.equal(res.headers['content-type'].split(';')[0], type, `${m.name} content type`);
        assert.ok(res.body.equals(bytes), `${m.name}: the same bytes`);
        assert.match(res.headers['content-disposition'] || '', /^attachment/, 'Content-Disposition: attachment');
      }
      for (const who of ['huayang', 'nb2-worker', 'jiangsu-elder']) {
        assertProblem(await call(who, m.url), 404, 'not-found', `download as ${who}`);
      }
      assertProblem(await call('jiangsu-dispatcher', m.url), 403, 'forbidden', 'download as the dispatcher');
    }
    assertProblem(await call('jiangsu', `/api/v1/applications/${a.id}/materials/999999`), 404, 'not-found', 'unknown material');
    const rows = await auditRows({ action: 'application.material', object: `application:${a.id}` });
    assert.equal(rows.length, 3, `three application.material rows: ${JSON.stringify(rows)}`);
  });

  it('a text file named .pdf → 415; over 5 MB → 413; nothing stored', async () => {
    const a = await applyOnline();
    assertProblem(await upload('jiangsu-resident', a.id, '证明.pdf', Buffer.from('这只是一段文字，不是 PDF。\n'), 'application/pdf'),
      415, 'unsupported-media-type', 'text named .pdf');
    assertProblem(await upload('jiangsu-resident', a.id, 'page.html', Buffer.from('<html><script>alert(1)</script></html>'), 'text/html'),
      415, 'unsupported-media-type', 'HTML');
    assertProblem(await upload('jiangsu-resident', a.id, 'a.gif', Buffer.from('GIF89a\x01\x00\x01\x00', 'latin1'), 'image/gif'),
      415, 'unsupported-media-type', 'GIF');
    // Over 5 MB: refused from the declared length before the body arrives, so only the head is sent over a
    // raw connection (a node:http client writing the body would race the early answer: EPIPE/ECONNRESET).
    const size = 5 * 1024 * 1024 + 1024;
    const raw = new RawConn(srv.port);
    await raw.connected;
    await raw.send(`POST /api/v1/applications/${a.id}/materials?name=${encodeURIComponent('大文件.pdf')} HTTP/1.1\r\n` +
      `Host: 127.0.0.1\r\nAuthorization: Bearer ${S['jiangsu-resident'].token}\r\nContent-Type: application/pdf\r\n` +
      `Content-Length: ${size}\r\n\r\n`);
    const tooBig = await raw.readResponse(10_000);
    raw.destroy();
    assert.ok(tooBig, 'an answer before the whole body');
    assertProblem(tooBig, 413, 'payload-too-large', `${size} bytes`);
    const empty = await upload('jiangsu-resident', a.id, '空.pdf', Buffer.alloc(0));
    assert.ok([400, 415, 422].includes(empty.status), `an empty body -> ${empty.status}`);
    assertProblem(empty, empty.status, null, 'empty body');
    assert.deepEqual((await getApp('jiangsu-resident', a.id)).json.materials, [], 'nothing stored');
    assert.ok(await call('jiangsu-resident', '/api/v1/me').then((r) => r.status === 200), 'the server still answers');
  });

  it('ten per application (11th → 409); only the applicant or proxy (403/404); not after acceptance (409)', async () => {
    const a = await applyOnline();
    for (let i = 1; i <= 10; i += 1) {
      const res = await upload('jiangsu-resident', a.id, `材料${i}.png`, PNG);
      assert.equal(res.status, 201, `material ${i} -> ${res.status} ${res.text.slice(0, 200)}`);
    }
    assertProblem(await upload('jiangsu-resident', a.id, '材料11.png', PNG), 409, 'conflict', 'the 11th');
    assert.equal((await getApp('jiangsu-resident', a.id)).json.materials.length, 10);

    const b = await applyOnline();
    assertProblem(await upload('jiangsu-elder', b.id, 'x.png', PNG), 404, 'not-found', 'another resident');
    assertProblem(await upload('jiangsu-grid', b.id, 'x.png', PNG), 404, 'not-found', 'a grid worker who does not see it');
    assertProblem(await upload('jiangsu-worker', b.id, 'x.png', PNG), 403, 'forbidden', 'the handler');
    assertProblem(await upload('huayang', b.id, 'x.png', PNG), 403, 'forbidden', 'huayang has no application.apply');
    assertProblem(await upload('nb2-worker', b.id, 'x.png', PNG), 404, 'not-found', 'another neighborhood\'s worker');
    assertProblem(await upload('jiangsu-resident', 999999, 'x.png', PNG), 404, 'not-found', 'unknown application');
    assert.deepEqual((await getApp('jiangsu-resident', b.id)).json.materials, []);

    // the proxy and the returned state
    const p = await applyProxy();
    assertProblem(await upload('jiangsu-grid', p.id, 'x.png', PNG), 403, 'forbidden', 'a grid worker who sees it, not the proxy');
    assertProblem(await upload('jiangsu', p.id, 'x.png', PNG), 403, 'forbidden', 'the subdistrict admin (no application.apply)');
    const pm = await upload('jiangsu-worker', p.id, '委托书.pdf', PDF);
    assert.equal(pm.status, 201, `the proxy uploads -> ${pm.status} ${pm.text.slice(0, 200)}`);
    await step('jiangsu', p.id, 'return', { note: '请补充户口簿' });
    const rm = await upload('jiangsu-worker', p.id, '户口簿.jpg', JPEG);
    assert.equal(rm.status, 201, `upload while returned -> ${rm.status}`);
    await step('jiangsu-worker', p.id, 'resubmit');
    await step('jiangsu', p.id, 'accept');
    assertProblem(await upload('jiangsu-worker', p.id, '迟到.pdf', PDF), 409, 'conflict', 'after acceptance');
    assert.equal((await getApp('jiangsu', p.id)).json.materials.length, 2);
    const w = await applyOnline();
    await step('jiangsu-resident', w.id, 'withdraw');
    assertProblem(await upload('jiangsu-resident', w.id, 'x.pdf', PDF), 409, 'conflict', 'after withdrawal');
  });
});
