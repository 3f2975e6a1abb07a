// Registry residencies (人-房 关系): move in / move out keep the whole history; the building's
// floor × room view and the compound's statistics agree with the records (docs/api-registry.md).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, api, login, assertProblem, listAll, isoDate,
} from './harness.mjs';

let srv;
const S = {};
const W = 'jiangsu-worker';
let scopeDwellings; // jiangsu-worker's dwellings
let historyTotal0; // residencies in jiangsu-worker's territory at the start
let created = 0; // residencies created by this file
const used = new Set(); // person / dwelling ids claimed by a test

before(async () => {
  srv = await startServer();
  for (const u of ['jiangsu', W]) S[u] = await login(srv.base, u);
  scopeDwellings = await listAll(srv.base, S[W].token, '/api/v1/dwellings');
  assert.ok(scopeDwellings.length > 10, `jiangsu-worker has dwellings (${scopeDwellings.length})`);
  historyTotal0 = await historyTotal();
});
after(async () => { if (srv) await srv.stop(); });

const call = (who, p, opts = {}) => api(srv.base, p, { token: S[who].token, ...opts });
const getPerson = async (id) => {
  const r = await call(W, `/api/v1/persons/${id}`);
  assert.equal(r.status, 200, r.text);
  return r.json;
};
const getDwelling = async (id) => {
  const r = await call(W, `/api/v1/dwellings/${id}`);
  assert.equal(r.status, 200, r.text);
  return r.json;
};

/** Sum of history lengths over all of jiangsu-worker's dwellings. */
async function historyTotal() {
  let n = 0;
  for (const d of scopeDwellings) n += (await getDwelling(d.id)).history.length;
  return n;
}

/** A person living somewhere (open residency), not used by another test. */
async function claimResident() {
  const persons = await listAll(srv.base, S[W].token, '/api/v1/persons');
  for (const p of persons) {
    if (used.has(p.id) || !p.dwelling || used.has(`d${p.dwelling.id}`)) continue;
    const full = await getPerson(p.id);
    const open = full.residencies.filter((r) => r.end_date === null);
    if (open.length === 1 && open[0].start_date < isoDate(-10)) {
      used.add(p.id);
      used.add(`d${p.dwelling.id}`);
      return { person: full, open: open[0] };
    }
  }
  throw new Error('no resident to test with');
}

/** A vacant dwelling (GET /dwellings?occupancy=vacant) with nobody living in it. */
async function claimVacant() {
  const vacant = await listAll(srv.base, S[W].token, '/api/v1/dwellings?occupancy=vacant');
  assert.ok(vacant.length > 0, 'some vacant dwellings');
  for (const d of vacant) {
    assert.equal(d.occupancy, 'vacant', `occupancy=vacant lists only vacant dwellings (${d.id})`);
    if (used.has(`d${d.id}`)) continue;
    const full = await getDwelling(d.id);
    if (full.residents.length === 0) {
      used.add(`d${d.id}`);
      return full;
    }
  }
  throw new Error('no vacant dwelling without residents');
}

function checkResidency(r, what) {
  for (const k of ['id', 'person_id', 'person_name', 'dwelling_id', 'address', 'relation', 'start_date', 'end_date', 'reason', 'end_reason']) {
    assert.ok(k in r, `${what}: Residency has ${k}: ${JSON.stringify(r)}`);
  }
  assert.ok(Number.isInteger(r.id));
  assert.match(r.start_date, /^\d{4}-\d{2}-\d{2}$/);
  assert.ok(r.end_date === null || /^\d{4}-\d{2}-\d{2}$/.test(r.end_date), `${what}: end_date ${r.end_date}`);
}

function assertNewestFirst(list, what) {
  for (let i = 1; i < list.length; i += 1) {
    assert.ok(list[i - 1].start_date >= list[i].start_date,
      `${what}: newest first (${list[i - 1].start_date} before ${list[i].start_date})`);
  }
}

describe('move in, move out', () => {
  const ctx = {};

  it('POST /residencies moves a person into a vacant dwelling and ends the previous residency with reason moved', async () => {
    const { person, open } = await claimResident();
    const target = await claimVacant();
    assert.notEqual(target.id, person.dwelling.id);
    const oldDwelling = await getDwelling(person.dwelling.id);
    const start = isoDate(-2);
    assert.ok(open.start_date < start, `previous residency began before ${start}`);

    const res = await call(W, '/api/v1/residencies', {
      method: 'POST',
      body: { person_id: person.id, dwelling_id: target.id, relation: 'tenant', start_date: start, reason: '租住迁入' },
    });
    assert.equal(res.status, 201, res.text);
    created += 1;
    const r = res.json;
    checkResidency(r, 'created');
    assert.equal(r.person_id, person.id);
    assert.equal(r.person_name, person.name);
    assert.equal(r.dwelling_id, target.id);
    assert.equal(r.address, target.address);
    assert.equal(r.relation, 'tenant');
    assert.equal(r.start_date, start);
    assert.equal(r.end_date, null);
    assert.equal(r.reason, '租住迁入');
    Object.assign(ctx, { person, open, target, oldDwelling, start, residency: r });

    // the person's timeline, newest first
    const p = await getPerson(person.id);
    assert.equal(p.residencies.length, person.residencies.length + 1, 'one more residency, none removed');
    assertNewestFirst(p.residencies, 'person.residencies');
    assert.equal(p.residencies[0].id, r.id, 'the new residency comes first');
    assert.equal(p.residencies[0].end_date, null);
    const prev = p.residencies.find((x) => x.id === open.id);
    assert.ok(prev, 'the previous residency is still there');
    assert.equal(prev.start_date, open.start_date, 'its start date is kept');
    assert.equal(prev.end_date, start, 'it ends on the new start date');
    assert.equal(prev.end_reason, 'moved');
    assert.equal(p.residencies.filter((x) => x.end_date === null).length, 1, 'exactly one open residency');
    assert.equal(p.dwelling && p.dwelling.id, target.id, 'person.dwelling is the new one');

    // the new dwelling
    const d = await getDwelling(target.id);
    assert.ok(d.residents.some((x) => x.person_id === person.id && x.id === r.id), 'the person is a resident');
    assert.notEqual(d.occupancy, 'vacant', 'no longer vacant');
    assert.equal(d.history.length, target.history.length + 1);
    const vacant = await listAll(srv.base, S[W].token, '/api/v1/dwellings?occupancy=vacant');
    assert.ok(!vacant.some((x) => x.id === target.id), 'not listed as vacant any more');

    // the old dwelling keeps the person in its history with both dates
    const od = await getDwelling(oldDwelling.id);
    assert.ok(!od.residents.some((x) => x.person_id === person.id), 'not a resident of the old dwelling');
    const h = od.history.find((x) => x.id === open.id);
    assert.ok(h, `old dwelling history lists residency ${open.id}`);
    assert.equal(h.person_id, person.id);
    assert.equal(h.start_date, open.start_date);
    assert.equal(h.end_date, start);
    assert.equal(od.history.length, oldDwelling.history.length, 'old dwelling history kept whole');
    assertNewestFirst(od.history, 'old dwelling history');
  });

  it('POST /residencies/{id}/end sets end_date; ending again is 409', async () => {
    assert.ok(ctx.residency, 'the move-in above succeeded');
    const end = isoDate(-1);
    const res = await call(W, `/api/v1/residencies/${ctx.residency.id}/end`, {
      method: 'POST', body: { end_date: end, reason: '合同到期搬离' },
    });
    assert.equal(res.status, 200, res.text);
    checkResidency(res.json, 'ended');
    assert.equal(res.json.id, ctx.residency.id);
    assert.equal(res.json.end_date, end);
    assert.equal(res.json.start_date, ctx.start);
    assert.equal(res.json.end_reason, '合同到期搬离');

    const p = await getPerson(ctx.person.id);
    assert.equal(p.residencies.length, ctx.person.residencies.length + 1, 'nothing removed');
    assert.equal(p.residencies.filter((x) => x.end_date === null).length, 0, 'no open residency');
    assert.equal(p.dwelling, null, 'person.dwelling is null after moving out');
    const d = await getDwelling(ctx.target.id);
    assert.ok(!d.residents.some((x) => x.person_id === ctx.person.id), 'no longer a resident');
    const h = d.history.find((x) => x.id === ctx.residency.id);
    assert.ok(h, 'still in the dwelling history');
    assert.equal(h.start_date, ctx.start);
    assert.equal(h.end_date, end);

    const again = await call(W, `/api/v1/residencies/${ctx.residency.id}/end`, {
      method: 'POST', body: { end_date: isoDate(0), reason: '再次搬离' },
    });
    assertProblem(again, 409, 'conflict', 'ending an ended residency');
    const h2 = (await getDwelling(ctx.target.id)).history.find((x) => x.id === ctx.residency.id);
    assert.equal(h2.end_date, end, 'the end date is not overwritten');
    assert.equal(h2.end_reason, '合同到期搬离');
  });

  it('end_date before start_date is 422 and the residency stays open', async () => {
    const { person, open } = await claimResident();
    const d = new Date(`${open.start_date}T00:00:00Z`);
    d.setUTCDate(d.getUTCDate() - 1);
    const before = d.toISOString().slice(0, 10);
    const res = await call(W, `/api/v1/residencies/${open.id}/end`, {
      method: 'POST', body: { end_date: before, reason: '日期错误测试' },
    });
    const b = assertProblem(res, 422, 'validation', `end_date ${before} < start_date ${open.start_date}`);
    assert.equal(b.errors[0].field, 'end_date');
    const p = await getPerson(person.id);
    assert.equal(p.residencies.find((x) => x.id === open.id).end_date, null, 'still open');
  });

  it('start_date in the future, or before the current residency began, is 422 and nothing changes', async () => {
    const { person, open } = await claimResident();
    const target = await claimVacant();
    const d = new Date(`${open.start_date}T00:00:00Z`);
    d.setUTCDate(d.getUTCDate() - 1);
    for (const start of [isoDate(3), isoDate(400), d.toISOString().slice(0, 10)]) {
      const res = await call(W, '/api/v1/residencies', {
        method: 'POST',
        body: { person_id: person.id, dwelling_id: target.id, relation: 'family', start_date: start, reason: '日期错误测试' },
      });
      const b = assertProblem(res, 422, 'validation', `start_date ${start}`);
      assert.equal(b.errors[0].field, 'start_date', res.text);
    }
    const p = await getPerson(person.id);
    assert.deepEqual(p.residencies, person.residencies, 'the timeline is unchanged');
    assert.equal((await getDwelling(target.id)).history.length, target.history.length);
  });

  it('bad relation (422), unknown person, dwelling or residency (404)', async () => {
    const { person } = await claimResident();
    const target = await claimVacant();
    const body = { person_id: person.id, dwelling_id: target.id, relation: 'family', start_date: isoDate(-1), reason: '输入测试' };
    const rel = await call(W, '/api/v1/residencies', { method: 'POST', body: { ...body, relation: 'landlord' } });
    const b = assertProblem(rel, 422, 'validation', 'relation landlord');
    assert.equal(b.errors[0].field, 'relation');
    assertProblem(await call(W, '/api/v1/residencies', { method: 'POST', body: { ...body, person_id: 987654321 } }), 404, 'not-found', 'unknown person');
    assertProblem(await call(W, '/api/v1/residencies', { method: 'POST', body: { ...body, dwelling_id: 987654321 } }), 404, 'not-found', 'unknown dwelling');
    assertProblem(await call(W, '/api/v1/residencies/987654321/end', { method: 'POST', body: { end_date: isoDate(-1), reason: '输入测试' } }), 404, 'not-found', 'end unknown residency');
    assert.deepEqual((await getPerson(person.id)).residencies, person.residencies, 'nothing changed');
  });

  for (const [label, over] of [
    ['person_id as a string', { person_id: 'ID' }],
    ['dwelling_id as a string', { dwelling_id: 'ID' }],
    ['start_date as a number', { start_date: 20260101 }],
    ['an unknown field', { floor: 3 }],
  ]) {
    it(`POST /residencies with ${label}: 400 bad-request, nothing changes`, async () => {
      const { person } = await claimResident();
      const target = await claimVacant();
      const body = { person_id: person.id, dwelling_id: target.id, relation: 'family', start_date: isoDate(-1), reason: '输入测试', ...over };
      for (const k of Object.keys(body)) if (body[k] === 'ID') body[k] = String(k === 'person_id' ? person.id : target.id);
      const res = await call(W, '/api/v1/residencies', { method: 'POST', body });
      assertProblem(res, 400, 'bad-request', `POST /residencies ${JSON.stringify(body)}`);
      if (res.status === 201) created += 1;
      assert.deepEqual((await getPerson(person.id)).residencies, person.residencies, 'nothing changed');
    });
  }

  it('nothing is overwritten: the residencies of the territory only grew by the ones created', async () => {
    const now = await historyTotal();
    assert.equal(now, historyTotal0 + created, `residencies ${historyTotal0} + ${created} created`);
  });
});

describe('building and compound views', () => {
  it('GET /dwellings/{id}: residents and history are Residency records (current ones / all, newest first)', async () => {
    let seen = 0;
    for (const d0 of scopeDwellings.slice(0, 15)) {
      const d = await getDwelling(d0.id);
      for (const r of [...d.residents, ...d.history]) {
        checkResidency(r, `dwelling ${d.id}`);
        assert.equal(r.dwelling_id, d.id);
        assert.equal(r.address, d.address, `dwelling ${d.id}: residency ${r.id} address`);
        seen += 1;
      }
      for (const r of d.residents) {
        assert.equal(r.end_date, null, `dwelling ${d.id}: residents are current`);
        assert.ok(d.history.some((h) => h.id === r.id), `dwelling ${d.id}: residents are in the history`);
      }
      assertNewestFirst(d.history, `dwelling ${d.id} history`);
    }
    assert.ok(seen > 0, 'some residencies were checked');
  });

  it('GET /buildings/{id}: floors top first, cells agree with the dwellings', async () => {
    const persons = new Map((await listAll(srv.base, S[W].token, '/api/v1/persons')).map((p) => [p.id, p]));
    const buildingIds = [...new Set(scopeDwellings.map((d) => d.building_id))];
    assert.ok(buildingIds.length > 0);
    for (const bid of buildingIds) {
      const res = await call(W, `/api/v1/buildings/${bid}`);
      assert.equal(res.status, 200, res.text);
      const b = res.json;
      for (const k of ['id', 'compound_id', 'compound_name', 'number', 'floors', 'entrances', 'elevator', 'use', 'year_built', 'area_code', 'grid']) {
        assert.ok(k in b, `building ${bid} has ${k}`);
      }
      assert.equal(typeof b.elevator, 'boolean');
      const floors = b.grid.map((f) => f.floor);
      assert.ok(floors.length > 0, `building ${bid} has floors`);
      for (let i = 1; i < floors.length; i += 1) assert.ok(floors[i - 1] > floors[i], `building ${bid}: floors top first ${floors}`);
      assert.ok(floors[0] <= b.floors, `top floor ${floors[0]} within ${b.floors} floors`);
      const cells = b.grid.flatMap((f) => f.dwellings.map((c) => ({ ...c, floor: f.floor })));
      const listed = scopeDwellings.filter((d) => d.building_id === bid);
      const byList = await listAll(srv.base, S[W].token, `/api/v1/dwellings?building_id=${bid}`);
      assert.deepEqual(byList.map((d) => d.id).sort((x, y) => x - y), listed.map((d) => d.id).sort((x, y) => x - y), `building_id=${bid} filter`);
      assert.deepEqual(cells.map((c) => c.id).sort((x, y) => x - y), listed.map((d) => d.id).sort((x, y) => x - y), `building ${bid}: one cell per dwelling`);
      for (const c of cells) {
        const d = await getDwelling(c.id);
        assert.equal(c.residents, d.residents.length, `dwelling ${c.id}: residents count`);
        assert.equal(c.floor, d.floor, `dwelling ${c.id}: on its floor`);
        assert.equal(c.room, d.room);
        assert.equal(c.occupancy, d.occupancy);
        const people = d.residents.map((r) => persons.get(r.person_id)).filter(Boolean);
        assert.equal(people.length, d.residents.length, `dwelling ${c.id}: residents are persons in scope`);
        assert.equal(c.aged_80_plus, people.filter((p) => p.aged_80_plus).length, `dwelling ${c.id}: aged_80_plus count`);
        assert.deepEqual([...c.care_tags].sort(), [...new Set(people.flatMap((p) => p.care_tags))].sort(), `dwelling ${c.id}: care tags of its residents`);
      }
    }
  });

  it('GET /compounds/{id}: the age pyramid sums to counts.persons, occupancy to counts.dwellings', async () => {
    const compounds = await listAll(srv.base, S.jiangsu.token, '/api/v1/compounds');
    const dwellings = await listAll(srv.base, S.jiangsu.token, '/api/v1/dwellings');
    const persons = await listAll(srv.base, S.jiangsu.token, '/api/v1/persons');
    const compoundOf = new Map(dwellings.map((d) => [d.id, d.compound_id]));
    assert.ok(compounds.length > 1);
    for (const c of compounds) {
      const res = await call('jiangsu', `/api/v1/compounds/${c.id}`);
      assert.equal(res.status, 200, res.text);
      const x = res.json;
      assert.deepEqual(x.counts, c.counts, `compound ${c.id}: counts as in the list`);
      const pyramid = x.stats.age_pyramid.reduce((n, b) => n + b.male + b.female, 0);
      assert.equal(pyramid, x.counts.persons, `compound ${c.id}: age pyramid ${JSON.stringify(x.stats.age_pyramid)}`);
      const occ = Object.values(x.stats.occupancy).reduce((n, v) => n + v, 0);
      assert.equal(occ, x.counts.dwellings, `compound ${c.id}: occupancy ${JSON.stringify(x.stats.occupancy)}`);
      for (const k of Object.keys(x.stats.occupancy)) assert.match(k, /^(owner_occupied|rented|vacant|group_rental_suspected)$/);
      assert.equal(x.buildings.length, x.counts.buildings, `compound ${c.id}: buildings`);
      const mine = dwellings.filter((d) => d.compound_id === c.id);
      assert.equal(mine.length, x.counts.dwellings, `compound ${c.id}: dwellings listed with compound_id`);
      const residents = persons.filter((p) => p.dwelling && compoundOf.get(p.dwelling.id) === c.id);
      assert.equal(residents.length, x.counts.persons, `compound ${c.id}: persons living in it`);
      const tags = {};
      for (const p of residents) for (const t of p.care_tags) tags[t] = (tags[t] || 0) + 1;
      assert.deepEqual(x.stats.care_tags, tags, `compound ${c.id}: care tag counts`);
      for (const b of x.buildings) assert.equal(b.compound_id, c.id);
    }
  });
});
