// Cases (一网统管): the loop by role, the transition table's refusals, scope, input checks,
// duplicates, counts and indicators, categories and the working calendar, live events.
//
// What the demo gives us (src/cases/demo.cc): grid polygons tiling 江苏路; a responsibility list
// in which 市容环境 categories (E0101 暴露垃圾 …) and 宣传广告 (E0201) belong to department lvrong
// and 施工管理 (E0302 施工扬尘) to jianguan; the accounts jiangsu-dispatcher, jiangsu-resident,
// lvrong-staff, jianguan-staff …; about 1,500 cases over the last year. The allowed-action lists
// below follow the single table in src/cases/workflow.cc (its order is the table's order).
import { describe, it, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, recoverServer, stopOrDrop, api, cli, login, loginAll, assertProblem, recordSteps, listAll, openEvents, RawConn,
} from './harness.mjs';

const ACCOUNTS = [
  'admin', 'jiangsu', 'huayang', 'jiangsu-worker', 'jiangsu-grid', 'auditor',
  'jiangsu-dispatcher', 'hotline', 'jiangsu-resident', 'lvrong-staff', 'jianguan-staff',
];
const GRID = '31010500200101'; // jiangsu-grid's grid, in jiangsu-resident's neighborhood 310105002001
const JIANGSU = '310105002';
const HUAYANG = '310105001';
const STATES = ['reported', 'filed', 'not_filed', 'dispatched', 'handled', 'closed', 'suspended', 'void'];

let srv;
const S = {};
const open = [];
let centre; // {lng, lat}: the centre of GRID's polygon
let jiangsuCells = []; // [[x0, y0, x1, y1]] bounding boxes of every grid polygon 江苏路 has
const residentCreated = new Set(); // ids of cases jiangsu-resident reported in this file

before(async () => {
  srv = await startServer();
  await loginAll(srv.base, S, ACCOUNTS);
  const shapes = await api(srv.base, '/api/v1/grid-shapes', { token: S['jiangsu-grid'].token });
  assert.equal(shapes.status, 200, shapes.text);
  assert.equal(shapes.json.type, 'FeatureCollection');
  const f = shapes.json.features.find((x) => x.properties && x.properties.code === GRID);
  assert.ok(f, `grid-shapes as jiangsu-grid holds ${GRID}: ${shapes.text.slice(0, 300)}`);
  assert.equal(f.geometry.type, 'Polygon');
  const ring = f.geometry.coordinates[0];
  assert.deepEqual(ring[0], ring[ring.length - 1], 'the ring is closed');
  const xs = ring.map((p) => p[0]);
  const ys = ring.map((p) => p[1]);
  centre = { lng: (Math.min(...xs) + Math.max(...xs)) / 2, lat: (Math.min(...ys) + Math.max(...ys)) / 2 };
  assert.ok(insideRing(centre, ring), 'the centre lies inside the polygon');
  const all = await api(srv.base, '/api/v1/grid-shapes', { token: S['jiangsu-dispatcher'].token });
  assert.equal(all.status, 200, all.text);
  jiangsuCells = all.json.features.map((x) => {
    const r = x.geometry.coordinates[0];
    return [Math.min(...r.map((p) => p[0])), Math.min(...r.map((p) => p[1])),
      Math.max(...r.map((p) => p[0])), Math.max(...r.map((p) => p[1]))];
  });
});

beforeEach(async () => {
  srv = await recoverServer(srv, S, ACCOUNTS);
});

after(async () => {
  for (const s of open) s.close();
  await stopOrDrop(srv);
});

// ---------------------------------------------------------------------------
// helpers

function insideRing({ lng, lat }, ring) {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i];
    const [xj, yj] = ring[j];
    if ((yi > lat) !== (yj > lat) && lng < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

const inJiangsu = ({ lng, lat }) => jiangsuCells.some(([x0, y0, x1, y1]) => lng > x0 && lng < x1 && lat > y0 && lat < y1);

/** Great-circle distance in metres. */
function metres(a, b) {
  const R = 6371000;
  const rad = (d) => (d * Math.PI) / 180;
  const dLat = rad(b.lat - a.lat);
  const dLng = rad(b.lng - a.lng);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(rad(a.lat)) * Math.cos(rad(b.lat)) * Math.sin(dLng / 2) ** 2;
  return 2 * R * Math.asin(Math.sqrt(h));
}

/** The point `north` and `east` metres from p. */
function offset(p, north, east) {
  return {
    lat: p.lat + north / 111194.93,
    lng: p.lng + east / (111194.93 * Math.cos((p.lat * Math.PI) / 180)),
  };
}

const call = (who, path, opts = {}) => api(srv.base, path, { token: S[who].token, ...opts });

let seq = 0;
async function report(who, body = {}, expect = 201) {
  seq += 1;
  const res = await call(who, '/api/v1/cases', {
    method: 'POST',
    body: { category_code: 'E0101', title: `测试案件 ${seq} 暴露垃圾`, description: '小区门口有一堆垃圾', ...centre, ...body },
  });
  if (expect !== null) assert.equal(res.status, expect, `POST /cases as ${who} -> ${res.status} ${res.text.slice(0, 400)}`);
  if (res.status === 201 && who === 'jiangsu-resident') residentCreated.add(res.json.id);
  return res;
}

// getCase(who, id, expect), act(who, id, body), step(who, id, action, extra): see recordSteps.
const { get: getCase, act, step } = recordSteps(call, '/api/v1/cases');

async function allowed(who, id) {
  const res = await getCase(who, id);
  assert.ok(Array.isArray(res.json.allowed_actions), `allowed_actions is an array: ${res.text.slice(0, 200)}`);
  return res.json.allowed_actions;
}

async function total(who, query = '') {
  const res = await call(who, `/api/v1/cases?page_size=1${query ? `&${query}` : ''}`);
  assert.equal(res.status, 200, `GET /cases?${query} as ${who} -> ${res.status} ${res.text.slice(0, 300)}`);
  assert.ok(Number.isInteger(res.json.total), `total: ${res.text.slice(0, 200)}`);
  return res.json.total;
}

/** Asserts a 422 naming `field` among its errors. */
function assertField(res, field, what) {
  const b = assertProblem(res, 422, 'validation', what);
  assert.ok(Array.isArray(b.errors) && b.errors.some((e) => e.field === field),
    `${what}: errors name ${field}: ${JSON.stringify(b.errors)}`);
  return b;
}

/** The parts of a case that an answer refused with 4xx must not have changed. */
const snapshot = (c) => ({
  state: c.state, version: c.version, owner_kind: c.owner_kind, owner_code: c.owner_code,
  pending_request: c.pending_request, rework_count: c.rework_count, steps: c.steps.length,
});

async function assertUnchanged(id, before, what) {
  const now = (await getCase('admin', id)).json;
  assert.deepEqual(snapshot(now), before, `${what}: the case is unchanged`);
}

/** A case reported by jiangsu-resident and moved to `state` (filed or dispatched) by the dispatcher. */
async function caseIn(state, body = {}) {
  const c = (await report('jiangsu-resident', body)).json;
  if (state === 'reported') return c;
  await step('jiangsu-dispatcher', c.id, 'file');
  if (state === 'filed') return (await getCase('admin', c.id)).json;
  await step('jiangsu-dispatcher', c.id, 'dispatch');
  if (state === 'dispatched') return (await getCase('admin', c.id)).json;
  await step('lvrong-staff', c.id, 'handle', { note: '已清运' });
  return (await getCase('admin', c.id)).json;
}

// ---------------------------------------------------------------------------

describe('the loop by role', () => {
  it('report → file → dispatch (responsibility list) → handle → verify_fail → handle → verify_pass → rate → reopen', async () => {
    const created = (await report('jiangsu-resident', { title: '曹家堰小区门口暴露垃圾' })).json;
    const id = created.id;
    assert.ok(Number.isInteger(id) && id > 0, `id ${id}`);
    assert.equal(created.area_code, GRID, 'the point lies in GRID, so the case belongs to it');
    assert.equal(created.state, 'reported');
    assert.equal(created.source, 'resident', 'a resident reports as resident');
    assert.equal(created.category_code, 'E0101');
    assert.equal(created.owner_code, null, 'nobody owns a case that was only reported');
    assert.equal(created.pending_request, '');
    assert.equal(created.rework_count, 0);
    assert.equal(typeof created.step_due_at, 'string', `step_due_at present: ${created.step_due_at}`);
    assert.ok(Date.parse(created.step_due_at) > Date.parse(created.reported_at),
      `filing is due after the report: ${created.reported_at} < ${created.step_due_at}`);
    assert.ok(Math.abs(Date.parse(created.reported_at) - Date.now()) < 5 * 60_000, `reported_at is now: ${created.reported_at}`);
    assert.ok(Math.abs(created.lng - centre.lng) < 1e-9 && Math.abs(created.lat - centre.lat) < 1e-9, 'the point is kept');

    // reported
    assert.deepEqual(created.allowed_actions, [], 'the reporter cannot act on a reported case');
    assert.deepEqual(await allowed('jiangsu-dispatcher', id), ['file', 'decline', 'request_void', 'urge']);
    assert.deepEqual(await allowed('jiangsu', id), ['file', 'decline', 'request_void', 'supervise', 'urge'],
      'a subdistrict admin is supervisor and dispatcher');
    assert.deepEqual(await allowed('jiangsu-grid', id), [], 'self_handle is only for what the grid worker reported');
    await getCase('lvrong-staff', id, 404);

    let c = await step('jiangsu-dispatcher', id, 'file');
    assert.equal(c.state, 'filed');
    assert.equal(typeof c.step_due_at, 'string', 'dispatching has a deadline');
    assert.deepEqual(c.allowed_actions, ['dispatch', 'request_void', 'urge']);
    assert.deepEqual(await allowed('jiangsu-resident', id), []);

    // dispatch without naming an owner: the responsibility list's owner (市容环境 → lvrong)
    c = await step('jiangsu-dispatcher', id, 'dispatch');
    assert.equal(c.state, 'dispatched');
    assert.equal(c.owner_kind, 'department');
    assert.equal(c.owner_code, 'lvrong');
    assert.equal(c.owner_name, '区绿化和市容管理局');
    assert.equal(typeof c.handle_due_at, 'string', 'handling has a deadline');
    assert.equal(c.handle_due_at, c.step_due_at, 'the handling deadline is the step deadline');
    assert.deepEqual(c.allowed_actions, ['urge']);
    assert.deepEqual(await allowed('lvrong-staff', id), ['send_back', 'handle', 'request_extension', 'request_suspension']);
    assert.deepEqual(await allowed('jiangsu', id), ['supervise', 'urge']);
    assert.deepEqual(await allowed('jiangsu-grid', id), []);
    await getCase('jianguan-staff', id, 404);

    c = await step('lvrong-staff', id, 'handle', { note: '已清运垃圾，附处置后照片' });
    assert.equal(c.state, 'handled');
    assert.deepEqual(c.allowed_actions, [], 'the department waits for the check on site');
    assert.deepEqual(await allowed('jiangsu-grid', id), ['verify_pass', 'verify_fail']);
    assert.deepEqual(await allowed('jiangsu-dispatcher', id), ['verify_pass', 'verify_fail', 'urge']);

    c = await step('jiangsu-grid', id, 'verify_fail', { note: '现场仍有垃圾' });
    assert.equal(c.state, 'dispatched', 'back to the department');
    assert.equal(c.rework_count, 1);
    assert.equal(c.owner_code, 'lvrong', 'the owner stays');
    assert.equal(typeof c.step_due_at, 'string');

    c = await step('lvrong-staff', id, 'handle', { note: '已返工清运' });
    assert.equal(c.state, 'handled');
    c = await step('jiangsu-grid', id, 'verify_pass');
    assert.equal(c.state, 'closed');
    assert.equal(typeof c.closed_at, 'string', 'closed_at set');
    assert.ok(Math.abs(Date.parse(c.closed_at) - Date.now()) < 5 * 60_000, `closed_at is now: ${c.closed_at}`);
    assert.equal(c.step_due_at, null, 'a closed case has no step deadline');
    assert.equal(c.rework_count, 1);
    assert.deepEqual(c.allowed_actions, []);
    assert.deepEqual(await allowed('jiangsu-dispatcher', id), []);
    assert.deepEqual(await allowed('jiangsu-resident', id), ['rate'], 'not reopen before an unsatisfied rating');

    c = await step('jiangsu-resident', id, 'rate', { satisfaction: 'unsatisfied' });
    assert.equal(c.state, 'closed');
    assert.equal(c.satisfaction, 'unsatisfied');
    assert.equal(typeof c.rated_at, 'string');
    assert.deepEqual(c.allowed_actions, ['reopen'], 'rated once; reopening is open');
    const again = await act('jiangsu-resident', id, { action: 'rate', version: c.version, satisfaction: 'satisfied' });
    assertProblem(again, 409, 'conflict', 'rating twice');

    c = await step('jiangsu-resident', id, 'reopen');
    assert.equal(c.state, 'filed');
    assert.equal(c.closed_at, null, 'closed_at cleared');
    assert.equal(c.satisfaction, null, 'the rating is cleared');
    assert.deepEqual(await allowed('jiangsu-dispatcher', id), ['dispatch', 'request_void', 'urge']);

    // the timeline
    const full = (await getCase('jiangsu-dispatcher', id)).json;
    const steps = full.steps.map((s) => [s.action, s.from_state, s.to_state]);
    assert.deepEqual(steps, [
      ['report', '', 'reported'],
      ['file', 'reported', 'filed'],
      ['dispatch', 'filed', 'dispatched'],
      ['handle', 'dispatched', 'handled'],
      ['verify_fail', 'handled', 'dispatched'],
      ['handle', 'dispatched', 'handled'],
      ['verify_pass', 'handled', 'closed'],
      ['rate', 'closed', 'closed'],
      ['reopen', 'closed', 'filed'],
    ]);
    assert.equal(full.steps[2].owner_code, 'lvrong', 'the dispatch step names the owner');
    assert.equal(full.steps[3].note, '已清运垃圾，附处置后照片');
    assert.equal(full.steps[4].note, '现场仍有垃圾');
    assert.match(full.steps[7].note, /^unsatisfied/);
    for (let i = 1; i < full.steps.length; i += 1) {
      assert.ok(full.steps[i].at >= full.steps[i - 1].at, `steps in time order: ${full.steps[i - 1].at} ${full.steps[i].at}`);
    }
    assert.equal(full.steps[1].actor, S['jiangsu-dispatcher'].user.display_name, 'staff see who acted');
    const mine = (await getCase('jiangsu-resident', id)).json;
    assert.deepEqual(mine.steps.map((s) => s.action), full.steps.map((s) => s.action), 'the reporter sees the same timeline');
  });
});

describe('refused transitions', () => {
  it('wrong role → 403 problem in both languages; wrong state → 409; a missing note → 422 naming note', async () => {
    const c = await caseIn('reported');
    const id = c.id;
    let before = snapshot((await getCase('admin', id)).json);

    const byResident = await act('jiangsu-resident', id, { action: 'file', version: c.version });
    let p = assertProblem(byResident, 403, 'forbidden', 'the reporter files');
    assert.match(p.message_zh, /立案/, `message_zh names the action: ${p.message_zh}`);
    assert.match(p.message_en, /file/, `message_en names the action: ${p.message_en}`);
    p = assertProblem(await act('jiangsu-grid', id, { action: 'file', version: c.version }), 403, 'forbidden', 'a grid worker files');
    assertProblem(await act('hotline', id, { action: 'file', version: c.version }), 403, 'forbidden',
      'a hotline operator holds no case role');
    await assertUnchanged(id, before, 'after 403s');

    p = assertProblem(await act('jiangsu-dispatcher', id, { action: 'dispatch', version: c.version }), 409, 'conflict',
      'dispatch while reported');
    assert.match(p.message_zh, /[\u3400-\u9fff]/);
    assertProblem(await act('jiangsu-dispatcher', id, { action: 'verify_pass', version: c.version }), 409, 'conflict',
      'verify while reported');
    assertField(await act('jiangsu-dispatcher', id, { action: 'decline', version: c.version }), 'note', 'decline without a note');
    assertField(await act('jiangsu-dispatcher', id, { action: 'decline', version: c.version, note: '' }), 'note',
      'decline with an empty note');
    await assertUnchanged(id, before, 'after 409s and 422s');

    await step('jiangsu-dispatcher', id, 'file');
    await step('jiangsu-dispatcher', id, 'dispatch');
    let cur = (await getCase('admin', id)).json;
    before = snapshot(cur);
    assertField(await act('lvrong-staff', id, { action: 'handle', version: cur.version }), 'note', 'handle without a note');
    assertField(await act('lvrong-staff', id, { action: 'send_back', version: cur.version }), 'note', 'send_back without a note');
    assertProblem(await act('lvrong-staff', id, { action: 'verify_pass', version: cur.version }), 403, 'forbidden',
      'a department verifies its own work');
    assertProblem(await act('jiangsu-grid', id, { action: 'verify_pass', version: cur.version }), 409, 'conflict',
      'verify before it was handled');
    assertProblem(await act('jiangsu-dispatcher', id, { action: 'dispatch', version: cur.version }), 409, 'conflict',
      'dispatch twice');
    await assertUnchanged(id, before, 'dispatched, after refusals');

    await step('lvrong-staff', id, 'handle', { note: '已清运' });
    cur = (await getCase('admin', id)).json;
    before = snapshot(cur);
    assertField(await act('jiangsu-grid', id, { action: 'verify_fail', version: cur.version }), 'note', 'verify_fail without a note');
    assertProblem(await act('lvrong-staff', id, { action: 'handle', version: cur.version, note: 'again' }), 409, 'conflict',
      'handle while handled');
    await assertUnchanged(id, before, 'handled, after refusals');
  });

  it('a stale version → 409 and nothing changes', async () => {
    const c = await caseIn('filed');
    const before = snapshot((await getCase('admin', c.id)).json);
    const stale = await act('jiangsu-dispatcher', c.id, { action: 'dispatch', version: c.version - 1 });
    assertProblem(stale, 409, 'conflict', 'dispatch at an old version');
    const future = await act('jiangsu-dispatcher', c.id, { action: 'dispatch', version: c.version + 1 });
    assertProblem(future, 409, 'conflict', 'dispatch at a version that does not exist yet');
    await assertUnchanged(c.id, before, 'after stale versions');
    const missing = await act('jiangsu-dispatcher', c.id, { action: 'dispatch' });
    assert.ok([400, 422].includes(missing.status), `no version -> ${missing.status}`);
    assertProblem(missing, missing.status, null, 'no version');
    await assertUnchanged(c.id, before, 'after a request without version');
  });

  it('two dispatchers racing one dispatch at the same version: exactly one 200 and one 409', async () => {
    for (let round = 0; round < 3; round += 1) {
      const c = await caseIn('filed');
      const body = { action: 'dispatch', version: c.version };
      const [a, b] = await Promise.all([act('jiangsu-dispatcher', c.id, body), act('jiangsu', c.id, body)]);
      const statuses = [a.status, b.status].sort();
      assert.deepEqual(statuses, [200, 409], `round ${round}: ${a.status} ${a.text.slice(0, 200)} / ${b.status} ${b.text.slice(0, 200)}`);
      assertProblem(a.status === 409 ? a : b, 409, 'conflict', 'the loser');
      const now = (await getCase('admin', c.id)).json;
      assert.equal(now.version, c.version + 1, 'one write only');
      assert.equal(now.state, 'dispatched');
      assert.equal(now.steps.filter((s) => s.action === 'dispatch').length, 1, 'one dispatch step');
    }
  });
});

describe('dispatch against the responsibility list, send-back', () => {
  it('overriding the suggested owner needs a note; send_back clears the owner', async () => {
    const c = await caseIn('filed');
    const before = snapshot((await getCase('admin', c.id)).json);
    const noNote = await act('jiangsu-dispatcher', c.id,
      { action: 'dispatch', version: c.version, owner_kind: 'department', owner_code: 'jianguan' });
    assertField(noNote, 'note', 'dispatch to jianguan without a reason');
    assertField(await act('jiangsu-dispatcher', c.id,
      { action: 'dispatch', version: c.version, owner_kind: 'department', owner_code: 'no-such-dept', note: '试试' }),
    'owner_code', 'dispatch to an unknown department');
    await assertUnchanged(c.id, before, 'after refused dispatches');

    // naming the suggested owner itself is no override
    const same = await caseIn('filed');
    const d0 = await step('jiangsu-dispatcher', same.id, 'dispatch', { owner_kind: 'department', owner_code: 'lvrong' });
    assert.equal(d0.owner_code, 'lvrong');

    const d = await step('jiangsu-dispatcher', c.id, 'dispatch',
      { owner_kind: 'department', owner_code: 'jianguan', note: '涉及施工单位，由建管委处置' });
    assert.equal(d.state, 'dispatched');
    assert.equal(d.owner_kind, 'department');
    assert.equal(d.owner_code, 'jianguan');
    const last = d.steps[d.steps.length - 1];
    assert.equal(last.action, 'dispatch');
    assert.equal(last.owner_code, 'jianguan');
    assert.equal(last.note, '涉及施工单位，由建管委处置');
    await getCase('lvrong-staff', c.id, 404);
    assert.deepEqual(await allowed('jianguan-staff', c.id), ['send_back', 'handle', 'request_extension', 'request_suspension']);

    // the answer's status is checked in the next test (a known bug); here the effect
    const cur = (await getCase('jianguan-staff', c.id)).json;
    await act('jianguan-staff', c.id, { action: 'send_back', version: cur.version, note: '不属于本部门职责' });
    const now = (await getCase('jiangsu-dispatcher', c.id)).json;
    assert.equal(now.state, 'filed');
    assert.equal(now.owner_kind, null, 'owner_kind cleared');
    assert.equal(now.owner_code, null, 'owner_code cleared');
    assert.deepEqual(now.allowed_actions, ['dispatch', 'request_void', 'urge']);
    assert.equal(now.version, cur.version + 1);
    await getCase('jianguan-staff', c.id, 404);
    assert.deepEqual(now.steps.slice(-1).map((s) => [s.action, s.from_state, s.to_state, s.note]),
      [['send_back', 'dispatched', 'filed', '不属于本部门职责']]);
  });

  it('send_back answers 200 with the case, like every other successful action', async () => {
    const c = await caseIn('dispatched');
    const res = await act('lvrong-staff', c.id, { action: 'send_back', version: c.version, note: '不属于本部门职责' });
    assert.equal(res.status, 200, `send_back -> ${res.status} ${res.text.slice(0, 300)}`);
    assert.equal(res.json.state, 'filed');
    // The department no longer owns the case, so it gets no more than that it moved.
    assert.equal(res.json.visible, false);
    assert.equal(res.json.version, c.version + 1);
  });
});

describe('scope', () => {
  let jiangsuCase;
  let lvrongCase;
  before(async () => {
    jiangsuCase = await caseIn('reported');
    lvrongCase = await caseIn('dispatched');
  });

  it('huayang (subdistrict admin of 华阳路) neither reads nor lists nor acts on a 江苏路 case', async () => {
    assert.equal(S.huayang.user.area.code, HUAYANG);
    for (const id of [jiangsuCase.id, lvrongCase.id]) {
      assertProblem(await getCase('huayang', id, null), 404, 'not-found', `huayang GET ${id}`);
      assertProblem(await call('huayang', `/api/v1/cases/${id}/duplicates`), 404, 'not-found', 'huayang duplicates');
      assertProblem(await act('huayang', id, { action: 'urge', version: 1 }), 404, 'not-found', 'huayang urges');
    }
    const items = await listAll(srv.base, S.huayang.token, '/api/v1/cases');
    assert.ok(!items.some((c) => c.id === jiangsuCase.id || c.id === lvrongCase.id), 'not in huayang\'s list');
    for (const c of items) assert.ok(c.area_code.startsWith(HUAYANG), `huayang lists only 华阳路: ${c.area_code}`);
    // and the unknown id answers the same
    assertProblem(await getCase('huayang', 987654321, null), 404, 'not-found', 'unknown id');
  });

  it('department staff see only what their department owns', async () => {
    const items = await listAll(srv.base, S['lvrong-staff'].token, '/api/v1/cases');
    assert.ok(items.length > 0, 'lvrong owns some demo cases');
    for (const c of items) {
      assert.equal(c.owner_kind, 'department', `case ${c.id}`);
      assert.equal(c.owner_code, 'lvrong', `case ${c.id}`);
    }
    assert.ok(items.some((c) => c.id === lvrongCase.id), 'the dispatched case is in lvrong\'s list');
    assert.ok(!items.some((c) => c.id === jiangsuCase.id), 'an unowned case is not');
    assert.equal(items.length, await total('admin', 'owner_code=lvrong'), 'as many as the district owns with lvrong');
    await getCase('lvrong-staff', jiangsuCase.id, 404);

    assertProblem(await getCase('jianguan-staff', lvrongCase.id, null), 404, 'not-found', 'jianguan reads an lvrong case');
    assertProblem(await call('jianguan-staff', `/api/v1/cases/${lvrongCase.id}/duplicates`), 404, 'not-found',
      'jianguan reads duplicates of an lvrong case');
    assertProblem(await act('jianguan-staff', lvrongCase.id, { action: 'handle', version: lvrongCase.version, note: 'x' }),
      404, 'not-found', 'jianguan handles an lvrong case');
    const jg = await listAll(srv.base, S['jianguan-staff'].token, '/api/v1/cases');
    assert.ok(jg.every((c) => c.owner_code === 'jianguan'), 'jianguan lists only its own');
    assert.ok(!jg.some((c) => c.id === lvrongCase.id));
  });

  it('a resident sees only what they reported', async () => {
    const other = (await report('jiangsu-grid', { title: '网格员发现暴露垃圾' })).json;
    assert.equal(other.area_code, GRID, 'in the resident\'s own grid');
    assert.equal(other.source, 'grid_worker');
    await getCase('jiangsu-resident', other.id, 404);
    const mine = await listAll(srv.base, S['jiangsu-resident'].token, '/api/v1/cases');
    const ids = new Set(mine.map((c) => c.id));
    assert.ok(!ids.has(other.id), 'the grid worker\'s case is not in the resident\'s list');
    for (const id of residentCreated) assert.ok(ids.has(id), `own case ${id} listed`);
    // the demo gives jiangsu-resident the resident reports of GRID (demo.cc); nothing else is theirs
    const demoOwn = new Set((await listAll(srv.base, S.admin.token, `/api/v1/cases?source=resident&area=${GRID}`)).map((c) => c.id));
    for (const c of mine) {
      assert.equal(c.source, 'resident', `case ${c.id} was reported by a resident`);
      assert.ok(residentCreated.has(c.id) || demoOwn.has(c.id), `case ${c.id} is one of the resident's`);
    }
    for (const id of demoOwn) assert.ok(ids.has(id), `GRID's resident report ${id} is the resident's`);
    const counts = (await call('jiangsu-resident', '/api/v1/cases/counts')).json;
    assert.equal(Object.values(counts.by_state).reduce((a, b) => a + b, 0), mine.length, 'counts agree');
    // a resident does not see the reporter's phone column at all
    assert.ok(!('reporter_phone' in (await getCase('jiangsu-resident', jiangsuCase.id)).json));
  });

  it('the auditor reads indicators but neither reports nor reads cases', async () => {
    const ind = await call('auditor', '/api/v1/case-indicators?from=2025-01-01');
    assert.equal(ind.status, 200, ind.text.slice(0, 300));
    assert.ok(ind.json.overall && Number.isInteger(ind.json.overall.cases));
    const before = await total('admin');
    const rep = await call('auditor', '/api/v1/cases', {
      method: 'POST', body: { category_code: 'E0101', title: '审计员上报', ...centre },
    });
    assertProblem(rep, 403, 'forbidden', 'auditor reports');
    assertProblem(await call('auditor', '/api/v1/cases'), 403, 'forbidden', 'auditor lists cases');
    assertProblem(await call('auditor', `/api/v1/cases/${jiangsuCase.id}`), 403, 'forbidden', 'auditor reads a case');
    assert.equal(await total('admin'), before, 'nothing written');
  });
});

describe('bad input → problem+json, nothing written', () => {
  it('report: unknown category, point outside every grid, no title, wrong types, unknown keys', async () => {
    const before = await total('jiangsu-dispatcher');
    const beforeAll = await total('admin');
    const base = { category_code: 'E0101', title: '坏输入测试', ...centre };
    const post = (body, who = 'jiangsu-resident') => call(who, '/api/v1/cases', { method: 'POST', body });

    assertField(await post({ ...base, category_code: 'Z9999' }), 'category_code', 'unknown category_code');
    assertField(await post({ ...base, lng: 121.0, lat: 31.0 }), 'lng', 'a point outside every grid');
    assertField(await post({ ...base, lng: 121.425, lat: 31.22 }), 'lng', 'a point in the district box but in no grid');
    const { title: _title, ...noTitle } = base;
    assertField(await post(noTitle), 'title', 'no title');
    assertField(await post({ ...base, title: '' }), 'title', 'an empty title');
    assertProblem(await post({ ...base, lng: String(centre.lng) }), 400, 'bad-request', 'lng as a string');
    assertProblem(await post({ ...base, title: 42 }), 400, 'bad-request', 'title as a number');
    assertProblem(await post({ ...base, colour: 'red' }), 400, 'bad-request', 'an unknown key');
    assertProblem(await call('jiangsu-dispatcher', '/api/v1/cases', {
      method: 'POST', body: '{"category_code": "E0101",', headers: { 'content-type': 'application/json' },
    }), 400, 'bad-request', 'broken JSON');
    assertProblem(await post({ ...base, source: 'device' }, 'jiangsu-dispatcher'), 422, 'validation',
      'a dispatcher standing in for a device');

    const c = (await getCase('admin', (await caseIn('reported')).id)).json;
    const snap = snapshot(c);
    const unknown = await act('jiangsu-dispatcher', c.id, { action: 'teleport', version: c.version });
    assertField(unknown, 'action', 'an unknown action');
    assertProblem(await act('jiangsu-dispatcher', c.id, { action: 'file', version: c.version, colour: 1 }), 400,
      'bad-request', 'an unknown key in an action');
    assertProblem(await act('jiangsu-dispatcher', c.id, { action: 'file', version: String(c.version) }), 400,
      'bad-request', 'version as a string');
    await assertUnchanged(c.id, snap, 'after bad actions');

    assert.equal(await total('jiangsu-dispatcher'), before + 1, 'only the one good case was written');
    assert.equal(await total('admin'), beforeAll + 1);
  });
});

describe('possible duplicates', () => {
  it('a report 10 m away is listed with its distance, one 200 m away is not; request_void + approve_void → void', async () => {
    const p1 = offset(centre, -20, -30);
    const p2 = offset(p1, 10, 0);
    const p3 = offset(p1, 0, 200);
    for (const p of [p1, p2, p3]) assert.ok(inJiangsu(p), `test point ${JSON.stringify(p)} lies in a 江苏路 grid`);
    assert.ok(Math.abs(metres(p1, p2) - 10) < 0.1 && Math.abs(metres(p1, p3) - 200) < 1, 'the test points are 10 m and 200 m apart');
    const body = { category_code: 'E0201', title: '电线杆上的非法小广告' };
    const a = (await report('jiangsu-dispatcher', { ...body, ...p1 })).json;
    const b = (await report('jiangsu-dispatcher', { ...body, ...p2 })).json;
    const far = (await report('jiangsu-dispatcher', { ...body, ...p3 })).json;
    const near = (await report('jiangsu-dispatcher', { ...body, category_code: 'E0102', ...p2 })).json; // another category

    const dupOf = async (id) => {
      const res = await call('jiangsu-dispatcher', `/api/v1/cases/${id}/duplicates`);
      assert.equal(res.status, 200, res.text.slice(0, 300));
      assert.ok(Array.isArray(res.json.items));
      return res.json.items;
    };
    const ofB = await dupOf(b.id);
    const hit = ofB.find((x) => x.id === a.id);
    assert.ok(hit, `the report 10 m away is listed: ${JSON.stringify(ofB.map((x) => [x.id, x.distance_m]))}`);
    assert.ok(hit.distance_m < 50 && Math.abs(hit.distance_m - 10) < 1, `distance_m ≈ 10: ${hit.distance_m}`);
    assert.ok(!ofB.some((x) => x.id === far.id), 'the report 200 m away is not');
    assert.ok(!ofB.some((x) => x.id === near.id), 'another category is not');
    assert.ok(!ofB.some((x) => x.id === b.id), 'a case is not its own duplicate');
    for (const x of ofB) assert.ok(x.distance_m <= 50, `every listed one within 50 m: ${x.distance_m}`);
    assert.ok((await dupOf(a.id)).some((x) => x.id === b.id), 'and the other way round');
    assert.ok(!(await dupOf(far.id)).some((x) => x.id === a.id || x.id === b.id), 'nothing near the far one');

    assertField(await act('jiangsu-dispatcher', b.id, { action: 'request_void', version: b.version, duplicate_of: 987654321 }),
      'duplicate_of', 'void as a duplicate of nothing');
    const req = await step('jiangsu-dispatcher', b.id, 'request_void', { duplicate_of: a.id, note: '与前案重复' });
    assert.equal(req.state, 'reported', 'a request does not change the state');
    assert.equal(req.pending_request, 'void');
    assert.equal(req.merged_into, a.id);
    assert.deepEqual(req.allowed_actions, ['file', 'decline', 'urge'], 'no second request while one is pending');
    assertProblem(await act('jiangsu-dispatcher', b.id, { action: 'approve_void', version: req.version }), 403, 'forbidden',
      'a dispatcher approves their own request');
    assert.ok((await allowed('jiangsu', b.id)).includes('approve_void'));
    const v = await step('jiangsu', b.id, 'approve_void');
    assert.equal(v.state, 'void');
    assert.equal(v.pending_request, '');
    assert.equal(v.merged_into, a.id);
    assert.deepEqual(v.allowed_actions, []);
    assert.ok(!(await dupOf(a.id)).some((x) => x.id === b.id), 'a void case is no longer offered as a duplicate');
  });
});

describe('counts and indicators', () => {
  it('counts by state equal the list totals per state, for every kind of caller', async () => {
    for (const who of ['jiangsu-dispatcher', 'admin', 'lvrong-staff', 'jiangsu-resident', 'huayang', 'jiangsu-worker']) {
      const res = await call(who, '/api/v1/cases/counts');
      assert.equal(res.status, 200, `${who}: ${res.text.slice(0, 200)}`);
      const { by_state: byState, red, yellow } = res.json;
      for (const k of Object.keys(byState)) assert.ok(STATES.includes(k), `${who}: known state ${k}`);
      let sum = 0;
      for (const s of STATES) {
        const n = await total(who, `state=${s}`);
        assert.equal(byState[s] ?? 0, n, `${who}: by_state.${s} equals GET /cases?state=${s}`);
        sum += n;
      }
      assert.equal(sum, await total(who), `${who}: the states add up to the list total`);
      assert.equal(red, await total(who, 'deadline=red'), `${who}: red`);
      assert.equal(yellow, await total(who, 'deadline=yellow'), `${who}: yellow`);
    }
    assert.ok((await call('jiangsu-dispatcher', '/api/v1/cases/counts')).json.by_state.closed > 0, 'the demo has closed cases');
  });

  it('indicators: rates in 0..100, by department and area, consistent with the list', async () => {
    const res = await call('admin', '/api/v1/case-indicators?from=2025-01-01');
    assert.equal(res.status, 200, res.text.slice(0, 300));
    const { overall, by_department: deps, by_area: areas } = res.json;
    assert.equal(res.json.from, '2025-01-01');
    const rates = ['on_time_closure_rate', 'closure_rate', 'rework_rate', 'satisfaction_rate'];
    const checkTally = (t, what) => {
      assert.ok(Number.isInteger(t.cases) && t.cases >= 0 && Number.isInteger(t.closed) && t.closed <= t.cases, `${what}: ${JSON.stringify(t)}`);
      for (const r of rates) {
        assert.ok(t[r] === null || (typeof t[r] === 'number' && t[r] >= 0 && t[r] <= 100), `${what}.${r} = ${t[r]}`);
      }
      if (t.cases > 0) assert.ok(Math.abs(t.closure_rate - (100 * t.closed) / t.cases) <= 0.05 + 1e-9, `${what}: closure_rate`);
      assert.ok(t.average_handling_hours === null || t.average_handling_hours >= 0, `${what}: hours`);
    };
    checkTally(overall, 'overall');
    for (const r of rates) assert.equal(typeof overall[r], 'number', `overall.${r} is a number with the demo's cases`);
    assert.ok(Array.isArray(deps) && deps.length > 0, 'by_department entries');
    for (const d of deps) { checkTally(d, `department ${d.code}`); assert.ok(d.code && d.name, JSON.stringify(d)); }
    const lv = deps.find((d) => d.code === 'lvrong');
    assert.ok(lv && lv.name === '区绿化和市容管理局' && lv.cases > 0, `lvrong among departments: ${JSON.stringify(lv)}`);
    assert.ok(Array.isArray(areas) && areas.length > 0);
    for (const a of areas) checkTally(a, `area ${a.code}`);
    assert.equal(areas.reduce((s, a) => s + a.cases, 0), overall.cases, 'every case lies in one subdistrict');
    assert.ok(deps.reduce((s, d) => s + d.cases, 0) <= overall.cases);
    // every case (the demo's year and this file's) was reported after 2025-01-01; void and not filed do not count
    const counts = (await call('admin', '/api/v1/cases/counts')).json.by_state;
    const all = Object.values(counts).reduce((s, n) => s + n, 0);
    assert.equal(overall.cases, all - (counts.void ?? 0) - (counts.not_filed ?? 0), 'overall.cases');
    assert.equal(overall.closed, counts.closed ?? 0, 'overall.closed');

    // a department sees only itself
    const mine = await call('lvrong-staff', '/api/v1/case-indicators?from=2025-01-01');
    assert.equal(mine.status, 200);
    assert.deepEqual(mine.json.by_department.map((d) => d.code), ['lvrong']);
    assert.equal(mine.json.overall.cases, lv.cases);
    // a period after every report is empty
    const empty = await call('admin', '/api/v1/case-indicators?from=2099-01-01');
    assert.equal(empty.status, 200);
    assert.equal(empty.json.overall.cases, 0);
    assert.equal(empty.json.overall.closure_rate, null, 'no rate without cases');
  });

  it('indicators: an invalid from → 422 naming from', async () => {
    for (const from of ['2025/01/01', '2025-1-1', 'yesterday', '20250101']) {
      assertField(await call('admin', `/api/v1/case-indicators?from=${encodeURIComponent(from)}`), 'from', `from=${from}`);
    }
    assertField(await call('admin', '/api/v1/case-indicators?from=2025-01-01&to=soon'), 'to', 'to=soon');
  });

  it('indicators: a date that does not exist (month 13, 30 February) → 422', async () => {
    for (const from of ['2025-13-01', '2025-02-30']) {
      assertField(await call('admin', `/api/v1/case-indicators?from=${from}`), 'from', `from=${from}`);
    }
  });
});

describe('categories and the working calendar', () => {
  const categories = async (who = 'admin') => {
    const res = await call(who, '/api/v1/case-categories');
    assert.equal(res.status, 200, res.text.slice(0, 300));
    return res.json.items;
  };

  it('at least 30 categories in the three families', async () => {
    const items = await categories('jiangsu-resident');
    assert.ok(items.length >= 30, `${items.length} categories`);
    assert.deepEqual([...new Set(items.map((c) => c.family))].sort(), ['community', 'component', 'event']);
    const codes = new Set();
    for (const c of items) {
      assert.ok(typeof c.code === 'string' && c.code && !codes.has(c.code), `unique code ${c.code}`);
      codes.add(c.code);
      assert.ok(c.name && /[\u3400-\u9fff]/.test(c.name) && c.name_en, `names of ${c.code}`);
      assert.ok(c.handle_limit > 0 && ['hours', 'days'].includes(c.handle_unit), `limit of ${c.code}`);
      assert.ok(c.file_hours > 0 && c.dispatch_hours > 0, `hours of ${c.code}`);
      assert.ok(Number.isInteger(c.version) && c.version >= 1);
    }
    const e = items.find((c) => c.code === 'E0101');
    assert.equal(e.name, '暴露垃圾');
    assert.equal(e.family, 'event');
  });

  it('PATCH needs case.admin and the current version', async () => {
    const e = (await categories()).find((c) => c.code === 'E0302');
    const byJiangsu = await call('jiangsu', '/api/v1/case-categories/E0302', {
      method: 'PATCH', body: { version: e.version, handle_limit: e.handle_limit + 1 },
    });
    assertProblem(byJiangsu, 403, 'forbidden', 'a subdistrict admin edits a category');
    const stale = await call('admin', '/api/v1/case-categories/E0302', {
      method: 'PATCH', body: { version: e.version + 5, handle_limit: e.handle_limit + 1 },
    });
    assertProblem(stale, 409, 'conflict', 'a stale version');
    assertField(await call('admin', '/api/v1/case-categories/E0302', {
      method: 'PATCH', body: { version: e.version, handle_limit: -1 },
    }), 'handle_limit', 'a negative limit');
    assertProblem(await call('admin', '/api/v1/case-categories/E0302', {
      method: 'PATCH', body: { version: e.version, colour: 'red' },
    }), 400, 'bad-request', 'an unknown key');
    assertProblem(await call('admin', '/api/v1/case-categories/NOPE', {
      method: 'PATCH', body: { version: 1, handle_limit: 3 },
    }), 404, 'not-found', 'an unknown category');
    assert.deepEqual((await categories()).find((c) => c.code === 'E0302'), e, 'nothing changed');
  });

  it('PATCH by admin changes handle_limit, is audited, and the old version is then stale', async () => {
    const e = (await categories()).find((c) => c.code === 'E0302');
    const res = await call('admin', '/api/v1/case-categories/E0302', {
      method: 'PATCH', body: { version: e.version, handle_limit: e.handle_limit + 1 },
    });
    assert.equal(res.status, 200, res.text.slice(0, 300));
    assert.equal(res.json.code, 'E0302');
    assert.equal(res.json.handle_limit, e.handle_limit + 1);
    assert.equal(res.json.version, e.version + 1);
    const now = (await categories()).find((c) => c.code === 'E0302');
    assert.equal(now.handle_limit, e.handle_limit + 1, 'GET shows the new limit');
    assert.equal(now.version, e.version + 1);
    assertProblem(await call('admin', '/api/v1/case-categories/E0302', {
      method: 'PATCH', body: { version: e.version, handle_limit: 1 },
    }), 409, 'conflict', 'the old version');
    const audit = await call('auditor', '/api/v1/audit?action=case.category_update&page_size=50');
    assert.equal(audit.status, 200, audit.text.slice(0, 300));
    const row = audit.json.items.find((r) => r.request_id === res.headers['x-request-id']);
    assert.ok(row, `an audit row for the PATCH: ${JSON.stringify(audit.json.items.slice(0, 3))}`);
    assert.equal(row.account, 'admin');
    assert.equal(row.object, 'case_category:E0302');
    assert.equal(row.details.handle_limit, e.handle_limit + 1);
  });

  it('work calendar: 2026 make-up days and holidays; a Saturday may become a workday, a Wednesday may not', async () => {
    const year = async () => {
      const res = await call('jiangsu-dispatcher', '/api/v1/work-calendar?year=2026');
      assert.equal(res.status, 200, res.text.slice(0, 300));
      assert.equal(res.json.year, 2026);
      return new Map(res.json.days.map((d) => [d.day, d.kind]));
    };
    let days = await year();
    assert.equal(days.get('2026-02-14'), 'workday', '2026-02-14 (a Saturday) is a 春节 make-up working day');
    assert.equal(days.get('2026-10-01'), 'holiday', '国庆节');
    for (const d of days.keys()) assert.ok(d.startsWith('2026-'), `only 2026: ${d}`);
    assertField(await call('admin', '/api/v1/work-calendar?year=20266'), 'year', 'year=20266');

    assert.equal(new Date('2026-12-26T00:00:00Z').getUTCDay(), 6, '2026-12-26 is a Saturday');
    assert.equal(new Date('2026-12-23T00:00:00Z').getUTCDay(), 3, '2026-12-23 is a Wednesday');
    assert.ok(!days.has('2026-12-26') && !days.has('2026-12-23'));

    assertProblem(await call('jiangsu', '/api/v1/work-calendar', {
      method: 'PUT', body: { day: '2026-12-26', kind: 'workday' },
    }), 403, 'forbidden', 'a subdistrict admin edits the calendar');
    const sat = await call('admin', '/api/v1/work-calendar', { method: 'PUT', body: { day: '2026-12-26', kind: 'workday', name: '测试调休' } });
    assert.equal(sat.status, 200, sat.text);
    assert.equal(sat.json.working, true);
    days = await year();
    assert.equal(days.get('2026-12-26'), 'workday');

    const wed = await call('admin', '/api/v1/work-calendar', { method: 'PUT', body: { day: '2026-12-23', kind: 'workday' } });
    assertProblem(wed, 422, 'validation', 'a Wednesday as a make-up day');
    assertProblem(await call('admin', '/api/v1/work-calendar', { method: 'PUT', body: { day: '2026-12-23', kind: 'sometimes' } }),
      422, 'validation', 'an unknown kind');
    days = await year();
    assert.ok(!days.has('2026-12-23'), 'the Wednesday was not written');

    const back = await call('admin', '/api/v1/work-calendar', { method: 'PUT', body: { day: '2026-12-26', kind: 'normal' } });
    assert.equal(back.status, 200, back.text);
    assert.equal(back.json.working, false, 'a plain Saturday again');
    assert.ok(!(await year()).has('2026-12-26'));
    const audit = await call('auditor', '/api/v1/audit?action=case.calendar_update&page_size=50');
    assert.ok(audit.json.items.some((r) => r.request_id === sat.headers['x-request-id'] && r.object === 'work_calendar:2026-12-26'),
      'the calendar change is audited');
  });

  it('work calendar: the 422 for a weekday make-up day names the request field day', async () => {
    assertField(await call('admin', '/api/v1/work-calendar', { method: 'PUT', body: { day: '2026-12-23', kind: 'workday' } }),
      'day', 'a Wednesday as a make-up day');
  });

  it('work calendar: kind normal with a day that is no date → 422, nothing audited', async () => {
    const res = await call('admin', '/api/v1/work-calendar', { method: 'PUT', body: { day: 'garbage', kind: 'normal' } });
    assertField(res, 'day', 'day=garbage');
    const audit = await call('auditor', '/api/v1/audit?action=case.calendar_update&page_size=50');
    assert.ok(!audit.json.items.some((r) => r.object === 'work_calendar:garbage'), 'no audit row for a refused change');
  });
});

describe('live events', () => {
  it('a new case reaches the jiangsu dispatcher\'s stream and not huayang\'s', async () => {
    // An auditor of 华阳路 hears of huayang's logins (audit rows need audit.read): the barrier below.
    const added = await cli(['user', 'add', '--db', srv.db.url, '--username', 'huayang-auditor', '--role', 'auditor',
      '--area', HUAYANG, '--display-name', '华阳路审计员', '--password', 'Audit-huayang-2026']);
    assert.equal(added.code, 0, `shequ user add huayang-auditor: ${added.stdout}\n${added.stderr}`);
    const auditor = await login(srv.base, 'huayang-auditor', 'Audit-huayang-2026');
    const esD = await openEvents(srv.base, { token: S['jiangsu-dispatcher'].token });
    const esH = await openEvents(srv.base, { token: auditor.token });
    open.push(esD, esH);
    assert.equal(esD.status, 200);
    assert.equal(esH.status, 200);
    const c = (await report('jiangsu-resident', { title: '实时推送测试' })).json;
    const ev = await esD.waitFor((e) => e.event === 'case' && e.json && e.json.id === c.id, 5000, `case event ${c.id}`);
    assert.equal(ev.json.state, 'reported');
    assert.equal(ev.json.action, 'report');
    // a later event inside 华阳路: once it arrived, the case event would have too
    const hy = await login(srv.base, 'huayang');
    await esH.waitFor((e) => e.event === 'audit' && e.json && e.json.request_id === hy.requestId, 5000,
      'the audit event of huayang\'s own login');
    assert.ok(!esH.events.some((e) => e.event === 'case'), `华阳路 got no case events: ${JSON.stringify(esH.events.map((e) => e.event))}`);
    // and an action on it is announced too
    await step('jiangsu-dispatcher', c.id, 'file');
    const filed = await esD.waitFor((e) => e.event === 'case' && e.json && e.json.id === c.id && e.json.action === 'file', 5000,
      'the file event');
    assert.equal(filed.json.state, 'filed');
    esD.close();
    esH.close();
  });
});

describe('photos', () => {
  // A 64×48 JPEG whose EXIF carries an "artist" text standing in for a location (made with libvips).
  const JPEG = Buffer.from('/9j/4QDaRXhpZgAASUkqAAgAAAAHABIBAwABAAAAAQAAABoBBQABAAAAYgAAABsBBQABAAAAagAAACgBAwABAAAAAgAAADsBAgARAAAAcgAAABMCAwABAAAAAQAAAGmHBAABAAAAhAAAAAAAAAA4YwAA6AMAADhjAADoAwAAc2VjcmV0LWdwcy0zMS4yTgAABgAAkAcABAAAADAyMTABkQcABAAAAAECAwAAoAcABAAAADAxMDABoAMAAQAAAP//AAACoAQAAQAAAEAAAAADoAQAAQAAADAAAAAAAAAA/9sAQwAKBwcIBwYKCAgICwoKCw4YEA4NDQ4dFRYRGCMfJSQiHyIhJis3LyYpNCkhIjBBMTQ5Oz4+PiUuRElDPEg3PT47/9sAQwEKCwsODQ4cEBAcOygiKDs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7/8AAEQgAMABAAwEiAAIRAQMRAf/EAB8AAAEFAQEBAQEBAAAAAAAAAAABAgMEBQYHCAkKC//EALUQAAIBAwMCBAMFBQQEAAABfQECAwAEEQUSITFBBhNRYQcicRQygZGhCCNCscEVUtHwJDNicoIJChYXGBkaJSYnKCkqNDU2Nzg5OkNERUZHSElKU1RVVldYWVpjZGVmZ2hpanN0dXZ3eHl6g4SFhoeIiYqSk5SVlpeYmZqio6Slpqeoqaqys7S1tre4ubrCw8TFxsfIycrS09TV1tfY2drh4uPk5ebn6Onq8fLz9PX29/j5+v/EAB8BAAMBAQEBAQEBAQEAAAAAAAABAgMEBQYHCAkKC//EALURAAIBAgQEAwQHBQQEAAECdwABAgMRBAUhMQYSQVEHYXETIjKBCBRCkaGxwQkjM1LwFWJy0QoWJDThJfEXGBkaJicoKSo1Njc4OTpDREVGR0hJSlNUVVZXWFlaY2RlZmdoaWpzdHV2d3h5eoKDhIWGh4iJipKTlJWWl5iZmqKjpKWmp6ipqrKztLW2t7i5usLDxMXGx8jJytLT1NXW19jZ2uLj5OXm5+jp6vLz9PX29/j5+v/aAAwDAQACEQMRAD8AhooooAKKKKACiiigAooooAKKKKACiiigAooooAKKKKACiiigAooooAKKKKACiiigD//Z', 'base64');
  const upload = (who, id, body, type = 'image/jpeg', stage = 'before') =>
    call(who, `/api/v1/cases/${id}/photos?stage=${stage}`, { method: 'POST', body, headers: { 'content-type': type } });

  it('a JPEG is stored re-encoded without its metadata, with a thumbnail, for those who see the case', async () => {
    assert.ok(JPEG.includes('secret-gps'), 'the fixture carries the marker');
    const c = (await report('jiangsu-grid')).json;
    const res = await upload('jiangsu-grid', c.id, JPEG);
    assert.equal(res.status, 201, `upload -> ${res.status} ${res.text.slice(0, 300)}`);
    assert.equal(res.json.stage, 'before');
    for (const url of [res.json.url, res.json.thumb_url]) {
      const img = await call('jiangsu-dispatcher', url);
      assert.equal(img.status, 200, url);
      assert.equal(img.headers['content-type'], 'image/jpeg');
      assert.ok(!img.text.includes('secret-gps'), `${url} has no metadata left`);
    }
    const seen = (await getCase('jiangsu-dispatcher', c.id)).json;
    assert.deepEqual(seen.photos.map((p) => p.id), [res.json.id]);
    assertProblem(await call('huayang', res.json.url), 404, 'not-found', 'a photo outside the territory');
  });

  it('fakes, other types and oversized bodies are refused as problem+json, and nothing is stored', async () => {
    const c = (await report('jiangsu-grid')).json;
    const fake = await upload('jiangsu-grid', c.id, Buffer.from('GIF89a not really an image at all'), 'image/jpeg');
    assertProblem(fake, 422, 'validation', 'a fake image');
    assert.equal(fake.json.errors[0].field, 'photo');
    assert.ok(fake.json.errors[0].message_zh && fake.json.errors[0].message_en, 'both languages');
    assertProblem(await upload('jiangsu-grid', c.id, JPEG, 'text/plain'), 415, null, 'not an image type');
    // Over 10 MB: refused from the declared length, before the body arrives.
    const raw = new RawConn(srv.port);
    await raw.connected;
    await raw.send(`POST /api/v1/cases/${c.id}/photos?stage=before HTTP/1.1\r\nHost: 127.0.0.1\r\n` +
      `Authorization: Bearer ${S['jiangsu-grid'].token}\r\nContent-Type: image/jpeg\r\n` +
      `Content-Length: ${10 * 1024 * 1024 + 16}\r\n\r\n`);
    const tooBig = await raw.readResponse(5000);
    raw.destroy();
    assertProblem(tooBig, 413, 'payload-too-large', '10 MB + 16 bytes');
    assertProblem(await upload('jiangsu-grid', c.id, JPEG, 'image/jpeg', 'sideways'), 422, 'validation', 'unknown stage');
    assert.deepEqual((await getCase('jiangsu-grid', c.id)).json.photos, []);
  });
});
