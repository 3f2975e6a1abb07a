// Registry (一标三实) scope matrix: every registry route × every demo account × a record inside
// and a record outside the account's territory (docs/api-registry.md, docs/api.md "Territory").
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, api, login, assertProblem, listAll, makeResidentId, creditCodeCheckChar, isoDate,
} from './harness.mjs';

const ACCOUNTS = ['admin', 'jiangsu', 'huayang', 'jiangsu-worker', 'jiangsu-grid', 'auditor'];

// docs/api-registry.md, "Permissions (added to the role table)"
const PERMS = {
  'registry.read': ['district_admin', 'subdistrict_admin', 'neighborhood_worker', 'grid_worker'],
  'registry.write': ['subdistrict_admin', 'neighborhood_worker', 'grid_worker'],
  'person.unmask': ['subdistrict_admin', 'neighborhood_worker'],
  'person.sensitive': ['subdistrict_admin', 'neighborhood_worker'],
  'registry.import': ['district_admin', 'subdistrict_admin', 'neighborhood_worker'],
  'export.approve': ['district_admin', 'subdistrict_admin'],
};
const LISTS = {
  person: '/api/v1/persons',
  dwelling: '/api/v1/dwellings',
  compound: '/api/v1/compounds',
  organization: '/api/v1/organizations',
};
const BY_ID = {
  person: (id) => `/api/v1/persons/${id}`,
  dwelling: (id) => `/api/v1/dwellings/${id}`,
  building: (id) => `/api/v1/buildings/${id}`,
  compound: (id) => `/api/v1/compounds/${id}`,
  organization: (id) => `/api/v1/organizations/${id}`,
};
const UNKNOWN_ID = 987654321;

let srv;
const S = {}; // sessions by username
const AREA = {}; // area code by username
const created = {}; // records made for the matrix: {huayangPerson, huayangOrg, gridTwoPerson} -> {res}
const all = {}; // admin's full lists by kind
const samples = []; // {kind, id, area_code, label, extra}

const can = (who, perm) => PERMS[perm].includes(S[who].user.role);
const inside = (who, code) => String(code).startsWith(AREA[who]);
const call = (who, p, opts = {}) => api(srv.base, p, { token: S[who].token, ...opts });

/** The parts of a problem that must not tell "outside the territory" from "unknown id". */
function problemShape(res) {
  const b = res.json || {};
  return {
    status: res.status,
    contentType: String(res.headers['content-type'] || '').split(';')[0],
    keys: Object.keys(b).sort(),
    type: b.type,
    title: b.title,
    detail: b.detail,
    message_zh: b.message_zh,
    message_en: b.message_en,
    errors: b.errors,
  };
}

function assertLikeUnknown(res, unknownRes, what) {
  assertProblem(res, 404, 'not-found', what);
  assertProblem(unknownRes, 404, 'not-found', `${what} (unknown id)`);
  assert.deepEqual(problemShape(res), problemShape(unknownRes),
    `${what}: outside answers exactly like an unknown id`);
}

before(async () => {
  srv = await startServer();
  for (const u of ACCOUNTS) {
    S[u] = await login(srv.base, u);
    AREA[u] = S[u].user.area.code;
  }
  // Records outside 江苏路 (huayang's 华阳路 has no registry data in the small demo) and in a
  // second grid of jiangsu-worker's neighborhood (outside jiangsu-grid, inside jiangsu-worker).
  const huayangId = makeResidentId('310105', '1990-03-07', 517);
  created.huayangPerson = await call('huayang', '/api/v1/persons', {
    method: 'POST',
    body: {
      name: '华阳测试居民', document_type: 'resident_id', document_number: huayangId, sex: 'male',
      birth_date: '1990-03-07', phone: '13900001111', hukou: 'registered', ethnicity: '汉族',
      area_code: AREA.huayang,
    },
  });
  const cc = '91310105MA1K4Q8B2';
  created.huayangOrg = await call('huayang', '/api/v1/organizations', {
    method: 'POST',
    body: {
      kind: 'social_org', name: '华阳路测试社会组织', credit_code: cc + creditCodeCheckChar(cc),
      address_text: '华阳路 1号', contact_name: '王老师', contact_phone: '13900002222',
      area_code: AREA.huayang,
    },
  });
  const grids = await call('admin', `/api/v1/areas/${AREA['jiangsu-worker']}/children`);
  assert.equal(grids.status, 200, grids.text);
  const otherGrid = grids.json.items.map((a) => a.code).find((c) => c !== AREA['jiangsu-grid']);
  assert.ok(otherGrid, 'jiangsu-worker\'s neighborhood has a second grid');
  created.gridTwoPerson = await call('jiangsu-worker', '/api/v1/persons', {
    method: 'POST',
    body: {
      name: '二网格测试居民', document_type: 'resident_id',
      document_number: makeResidentId('310105', '1985-11-30', 624), sex: 'female',
      birth_date: '1985-11-30', phone: '13900003333', hukou: 'migrant', ethnicity: '汉族',
      area_code: otherGrid,
    },
  });

  for (const [kind, route] of Object.entries(LISTS)) all[kind] = await listAll(srv.base, S.admin.token, route);

  // one sample per kind in each of: jiangsu-grid's grid; jiangsu-worker's neighborhood outside
  // that grid; 江苏路 outside that neighborhood; 华阳路.
  const regions = [
    ['grid', (c) => c.startsWith(AREA['jiangsu-grid'])],
    ['neighborhood', (c) => c.startsWith(AREA['jiangsu-worker']) && !c.startsWith(AREA['jiangsu-grid'])],
    ['subdistrict', (c) => c.startsWith(AREA.jiangsu) && !c.startsWith(AREA['jiangsu-worker'])],
    ['huayang', (c) => c.startsWith(AREA.huayang)],
  ];
  const buildingsSeen = new Map();
  for (const d of all.dwelling) if (!buildingsSeen.has(d.building_id)) buildingsSeen.set(d.building_id, d.area_code);
  const buildingList = [...buildingsSeen].map(([id, code]) => ({ id, area_code: code }));
  for (const [label, pred] of regions) {
    for (const kind of ['person', 'dwelling', 'compound', 'organization']) {
      const x = all[kind].find((r) => pred(r.area_code));
      if (x) samples.push({ kind, id: x.id, area_code: x.area_code, label, record: x });
    }
    const b = buildingList.find((r) => pred(r.area_code));
    if (b) samples.push({ kind: 'building', id: b.id, area_code: b.area_code, label });
    // a current residency: a person of the region living somewhere
    const p = all.person.find((r) => pred(r.area_code) && r.dwelling);
    if (p) {
      const full = await call('admin', BY_ID.person(p.id));
      assert.equal(full.status, 200, full.text);
      const open = full.json.residencies.find((r) => r.end_date === null);
      if (open) samples.push({ kind: 'residency', id: open.id, area_code: p.area_code, label, person: p.id });
    }
  }
});
after(async () => { if (srv) await srv.stop(); });

const sample = (kind, label) => samples.find((s) => s.kind === kind && s.label === label);

describe('setup and permissions', () => {
  it('/me permissions carry the registry permissions of docs/api-registry.md', () => {
    for (const u of ACCOUNTS) {
      const got = S[u].user.permissions;
      assert.ok(Array.isArray(got), `${u} permissions`);
      for (const [perm, roles] of Object.entries(PERMS)) {
        assert.equal(got.includes(perm), roles.includes(S[u].user.role),
          `${u} (${S[u].user.role}) ${roles.includes(S[u].user.role) ? 'has' : 'lacks'} ${perm}: ${JSON.stringify(got)}`);
      }
    }
  });

  it('records can be created in 华阳路 (huayang) and in a second grid (jiangsu-worker)', () => {
    for (const [k, res] of Object.entries(created)) {
      assert.equal(res.status, 201, `${k}: ${res.text.slice(0, 400)}`);
    }
    assert.ok(created.huayangPerson.json.area_code.startsWith(AREA.huayang));
    assert.ok(created.huayangOrg.json.area_code.startsWith(AREA.huayang));
  });

  it('there is something inside and outside every account to test against', () => {
    for (const label of ['grid', 'neighborhood', 'subdistrict', 'huayang']) {
      for (const kind of ['person', 'organization']) {
        assert.ok(sample(kind, label), `a ${kind} in region ${label}: ${JSON.stringify(samples.map((s) => [s.kind, s.label]))}`);
      }
    }
    for (const label of ['grid', 'subdistrict']) {
      for (const kind of ['dwelling', 'building', 'compound', 'residency']) {
        assert.ok(sample(kind, label), `a ${kind} in region ${label}`);
      }
    }
  });
});

describe('lists never leave the caller\'s territory', () => {
  for (const who of ACCOUNTS.filter((u) => u !== 'auditor')) {
    for (const [kind, route] of Object.entries(LISTS)) {
      it(`${who}: GET ${route} holds exactly the records under its area`, async () => {
        const items = await listAll(srv.base, S[who].token, route);
        for (const it2 of items) {
          assert.ok(String(it2.area_code).startsWith(AREA[who]),
            `${who} ${route}: ${kind} ${it2.id} area_code ${it2.area_code} is outside ${AREA[who]}`);
        }
        const want = all[kind].filter((r) => inside(who, r.area_code)).map((r) => r.id).sort((a, b) => a - b);
        const got = items.map((r) => r.id).sort((a, b) => a - b);
        assert.deepEqual(got, want, `${who} ${route}: the ids are the admin's list cut to ${AREA[who]}`);
        if (who !== 'huayang' || kind === 'person' || kind === 'organization') {
          assert.ok(got.length > 0, `${who} ${route} is not empty`);
        }
      });
    }
  }

  for (const who of ['jiangsu', 'huayang', 'jiangsu-worker', 'jiangsu-grid']) {
    it(`${who}: ?area= outside its territory or above it never widens a list`, async () => {
      const outsideCodes = [AREA.admin, who === 'huayang' ? AREA.jiangsu : AREA.huayang];
      if (who === 'jiangsu-grid' || who === 'jiangsu-worker') {
        const s = sample('person', 'subdistrict');
        outsideCodes.push(s.area_code);
      }
      if (who === 'jiangsu-grid') outsideCodes.push(sample('person', 'neighborhood').area_code);
      for (const code of outsideCodes) {
        for (const route of Object.values(LISTS)) {
          const res = await call(who, `${route}?area=${code}&page_size=200`);
          if (res.status === 200) {
            for (const x of res.json.items) {
              assert.ok(String(x.area_code).startsWith(AREA[who]),
                `${who} GET ${route}?area=${code}: ${x.id} at ${x.area_code} is outside ${AREA[who]}`);
            }
            if (!String(code).startsWith(AREA[who]) && !AREA[who].startsWith(String(code))) {
              assert.equal(res.json.total, 0, `${who} GET ${route}?area=${code}: nothing from another territory`);
            }
          } else {
            assert.ok([404, 422].includes(res.status), `${who} GET ${route}?area=${code} -> ${res.status} ${res.text}`);
            assertProblem(res, res.status, null, `${who} GET ${route}?area=${code}`);
          }
        }
      }
    });
  }
});

describe('GET by id: inside 200, outside 404 exactly like an unknown id', () => {
  for (const who of ACCOUNTS.filter((u) => u !== 'auditor')) {
    it(`${who}`, async () => {
      let outsideSeen = 0;
      for (const s of samples.filter((x) => BY_ID[x.kind])) {
        const res = await call(who, BY_ID[s.kind](s.id));
        const what = `${who} GET ${BY_ID[s.kind](s.id)} (${s.label}, ${s.area_code})`;
        if (inside(who, s.area_code)) {
          assert.equal(res.status, 200, `${what} -> ${res.status} ${res.text.slice(0, 300)}`);
          assert.equal(res.json.id, s.id, what);
          assert.equal(res.json.area_code, s.area_code, what);
        } else {
          outsideSeen += 1;
          const unknown = await call(who, BY_ID[s.kind](UNKNOWN_ID));
          assertLikeUnknown(res, unknown, what);
        }
      }
      if (who !== 'admin') assert.ok(outsideSeen >= 2, `${who}: ${outsideSeen} records outside were tried`);
    });
  }
});

describe('writes on records outside the territory: 404 like an unknown id, nothing changes', () => {
  const writers = ['jiangsu', 'huayang', 'jiangsu-worker', 'jiangsu-grid'];
  for (const who of writers) {
    it(`${who}`, async () => {
      const outsidePersons = samples.filter((s) => s.kind === 'person' && !inside(who, s.area_code));
      const outsideResidencies = samples.filter((s) => s.kind === 'residency' && !inside(who, s.area_code));
      const outsideDwellings = samples.filter((s) => s.kind === 'dwelling' && !inside(who, s.area_code));
      const insidePerson = samples.find((s) => s.kind === 'person' && inside(who, s.area_code));
      const insideDwelling = samples.find((s) => s.kind === 'dwelling' && inside(who, s.area_code));
      assert.ok(outsidePersons.length > 0, `${who}: some person outside`);
      // 华阳路 has no dwellings, so nothing lives outside 江苏路 for jiangsu to end
      if (who !== 'jiangsu') assert.ok(outsideResidencies.length > 0, `${who}: some residency outside`);

      // state of the outside records before
      const before = {};
      for (const s of outsidePersons) before[s.id] = (await call('admin', BY_ID.person(s.id))).json;

      for (const s of outsidePersons) {
        const p = before[s.id];
        const tag = p.care_tags.find((t) => ['lives_alone', 'elderly_couple', 'dibao', 'tekun', 'entitled', 'no_children', 'unemployed'].includes(t)) || 'dibao';
        const cases = [
          ['PATCH', (id) => `/api/v1/persons/${id}`, { version: p.version, name: `${p.name}改`, hukou: p.hukou === 'migrant' ? 'registered' : 'migrant' }],
          ['POST', (id) => `/api/v1/persons/${id}/care-tags`, { tag: 'unemployed', reason: '越权测试原因' }],
          ['DELETE', (id) => `/api/v1/persons/${id}/care-tags/${tag}`, { reason: '越权测试原因' }],
        ];
        if (can(who, 'person.unmask')) {
          cases.push(['POST', (id) => `/api/v1/persons/${id}/unmask`, { field: 'document_number', reason: '越权测试原因' }]);
          cases.push(['POST', (id) => `/api/v1/persons/${id}/unmask`, { field: 'phone', reason: '越权测试原因' }]);
        }
        for (const [method, path, body] of cases) {
          const what = `${who} ${method} ${path(s.id)} (${s.label}) ${JSON.stringify(body)}`;
          const res = await call(who, path(s.id), { method, body });
          const unknown = await call(who, path(UNKNOWN_ID), { method, body });
          assertLikeUnknown(res, unknown, what);
        }
        if (insideDwelling) {
          const body = { person_id: s.id, dwelling_id: insideDwelling.id, relation: 'tenant', start_date: isoDate(-3), reason: '越权测试' };
          const res = await call(who, '/api/v1/residencies', { method: 'POST', body });
          const unknown = await call(who, '/api/v1/residencies', { method: 'POST', body: { ...body, person_id: UNKNOWN_ID } });
          assertLikeUnknown(res, unknown, `${who} POST /residencies ${JSON.stringify(body)} (person outside)`);
        }
      }
      if (insidePerson) {
        for (const d of outsideDwellings) {
          const body = { person_id: insidePerson.id, dwelling_id: d.id, relation: 'tenant', start_date: isoDate(-3), reason: '越权测试' };
          const res = await call(who, '/api/v1/residencies', { method: 'POST', body });
          const unknown = await call(who, '/api/v1/residencies', { method: 'POST', body: { ...body, dwelling_id: UNKNOWN_ID } });
          assertLikeUnknown(res, unknown, `${who} POST /residencies ${JSON.stringify(body)} (dwelling outside)`);
        }
      }
      for (const r of outsideResidencies) {
        const body = { end_date: isoDate(-1), reason: '越权测试' };
        const res = await call(who, `/api/v1/residencies/${r.id}/end`, { method: 'POST', body });
        const unknown = await call(who, `/api/v1/residencies/${UNKNOWN_ID}/end`, { method: 'POST', body });
        assertLikeUnknown(res, unknown, `${who} POST /residencies/${r.id}/end (${r.label})`);
      }

      // nothing changed
      for (const s of outsidePersons) {
        const now = (await call('admin', BY_ID.person(s.id))).json;
        const b = before[s.id];
        for (const k of ['name', 'hukou', 'version', 'care_tags', 'residencies', 'care_tag_history']) {
          assert.deepEqual(now[k], b[k], `${who}: person ${s.id} ${k} unchanged`);
        }
      }
      for (const r of outsideResidencies) {
        const p = (await call('admin', BY_ID.person(r.person))).json;
        const res = p.residencies.find((x) => x.id === r.id);
        assert.equal(res.end_date, null, `${who}: residency ${r.id} still open`);
      }
      if (insidePerson) {
        const p = (await call('admin', BY_ID.person(insidePerson.id))).json;
        assert.ok(!outsideDwellings.some((d) => p.dwelling && p.dwelling.id === d.id),
          `${who}: person ${insidePerson.id} did not move into a dwelling outside`);
      }
    });

    it(`${who}: creating a record with an area_code outside is refused`, async () => {
      const outsideCode = who === 'huayang' ? sample('person', 'grid').area_code : AREA.huayang;
      const doc = makeResidentId('310105', '1977-08-19', 300 + writers.indexOf(who) * 2 + 1);
      const res = await call(who, '/api/v1/persons', {
        method: 'POST',
        body: {
          name: '越权新建', document_type: 'resident_id', document_number: doc, sex: 'male',
          birth_date: '1977-08-19', phone: '13700001234', hukou: 'registered', ethnicity: '汉族',
          area_code: outsideCode,
        },
      });
      assert.ok([404, 422].includes(res.status), `${who} POST /persons area_code ${outsideCode} -> ${res.status} ${res.text.slice(0, 300)}`);
      assertProblem(res, res.status, null, `${who} POST /persons outside`);
      const found = await call('admin', `/api/v1/persons?document_number=${doc}`);
      assert.equal(found.status, 200, found.text);
      assert.equal(found.json.total, 0, `${who}: no person was created outside`);

      const cc17 = `9131010${5 + writers.indexOf(who)}MA1G5K7X`.slice(0, 17).padEnd(17, '1');
      const cc = cc17 + creditCodeCheckChar(cc17);
      const org = await call(who, '/api/v1/organizations', {
        method: 'POST',
        body: {
          kind: 'merchant', name: `越权新建商户${who}`, credit_code: cc, address_text: '某路 1号',
          contact_name: '李', contact_phone: '13700005678', area_code: outsideCode,
        },
      });
      assert.ok([404, 422].includes(org.status), `${who} POST /organizations area_code ${outsideCode} -> ${org.status} ${org.text.slice(0, 300)}`);
      assertProblem(org, org.status, null, `${who} POST /organizations outside`);
      const orgs = await listAll(srv.base, S.admin.token, `/api/v1/organizations?q=${encodeURIComponent(`越权新建商户${who}`)}`);
      assert.equal(orgs.length, 0, `${who}: no organization was created outside`);
    });
  }
});

describe('roles without the permission: 403 forbidden', () => {
  function routes() {
    const p = sample('person', 'grid');
    const d = sample('dwelling', 'grid');
    const b = sample('building', 'grid');
    const c = sample('compound', 'grid');
    const o = sample('organization', 'grid');
    const r = sample('residency', 'grid');
    const cc17 = '91310105MA1N7W3C0';
    return [
      ['registry.read', 'GET', '/api/v1/persons'],
      ['registry.read', 'GET', `/api/v1/persons?q=${encodeURIComponent(p.record.name)}`],
      ['registry.read', 'GET', `/api/v1/persons/${p.id}`],
      ['registry.read', 'GET', '/api/v1/dwellings'],
      ['registry.read', 'GET', `/api/v1/dwellings/${d.id}`],
      ['registry.read', 'GET', `/api/v1/buildings/${b.id}`],
      ['registry.read', 'GET', '/api/v1/compounds'],
      ['registry.read', 'GET', `/api/v1/compounds/${c.id}`],
      ['registry.read', 'GET', '/api/v1/organizations'],
      ['registry.read', 'GET', `/api/v1/organizations/${o.id}`],
      ['registry.write', 'POST', '/api/v1/persons', {
        name: '无权新建', document_type: 'resident_id', document_number: makeResidentId('310105', '1969-02-14', 812),
        sex: 'female', birth_date: '1969-02-14', phone: '13600001234', hukou: 'registered', ethnicity: '汉族',
        area_code: p.area_code,
      }],
      ['registry.write', 'PATCH', `/api/v1/persons/${p.id}`, { version: 1, ethnicity: '回族' }],
      ['registry.write', 'POST', `/api/v1/persons/${p.id}/care-tags`, { tag: 'unemployed', reason: '无权测试原因' }],
      ['registry.write', 'DELETE', `/api/v1/persons/${p.id}/care-tags/unemployed`, { reason: '无权测试原因' }],
      ['person.unmask', 'POST', `/api/v1/persons/${p.id}/unmask`, { field: 'document_number', reason: '无权测试原因' }],
      ['person.unmask', 'POST', `/api/v1/persons/${p.id}/unmask`, { field: 'phone', reason: '无权测试原因' }],
      ['registry.write', 'POST', '/api/v1/residencies', { person_id: p.id, dwelling_id: d.id, relation: 'family', start_date: isoDate(-3), reason: '无权测试' }],
      ['registry.write', 'POST', `/api/v1/residencies/${r.id}/end`, { end_date: isoDate(-1), reason: '无权测试' }],
      ['registry.write', 'POST', '/api/v1/organizations', {
        kind: 'merchant', name: '无权新建商户', credit_code: cc17 + creditCodeCheckChar(cc17), address_text: '某路 2号',
        contact_name: '张', contact_phone: '13600005678', area_code: o.area_code,
      }],
    ];
  }

  for (const who of ACCOUNTS) {
    it(`${who}: every route it lacks the permission for`, async () => {
      let tried = 0;
      for (const [perm, method, path, body] of routes()) {
        if (can(who, perm)) continue;
        tried += 1;
        const res = await call(who, path, { method, body });
        assertProblem(res, 403, 'forbidden', `${who} (${S[who].user.role}, no ${perm}) ${method} ${path}`);
      }
      if (who === 'auditor') assert.equal(tried, routes().length, 'auditor lacks every registry permission');
      if (who === 'jiangsu' || who === 'huayang' || who === 'jiangsu-worker') assert.equal(tried, 0);
      if (who === 'admin' || who === 'jiangsu-grid') assert.ok(tried > 0);
    });
  }

  it('nothing was written by the refused requests', async () => {
    const p = sample('person', 'grid');
    const full = (await call('admin', BY_ID.person(p.id))).json;
    assert.ok(!full.care_tag_history.some((h) => h.reason === '无权测试原因'), 'no care tag change');
    assert.notEqual(full.ethnicity, '回族');
    const q = await call('admin', `/api/v1/persons?document_number=${makeResidentId('310105', '1969-02-14', 812)}`);
    assert.equal(q.json.total, 0, 'no person created');
    const o = await listAll(srv.base, S.admin.token, `/api/v1/organizations?q=${encodeURIComponent('无权新建商户')}`);
    assert.equal(o.length, 0, 'no organization created');
  });

  it('auditor: the import and export routes are forbidden too', async () => {
    const tries = [
      ['POST', '/api/v1/imports?kind=persons&mode=all_or_nothing', 'name,document_number\n', { 'content-type': 'text/csv' }],
      ['GET', '/api/v1/imports/1'],
      ['GET', '/api/v1/imports/1/errors'],
      ['POST', '/api/v1/exports', { kind: 'persons', filters: {}, unmasked: false }],
      ['POST', '/api/v1/exports/1/approve', {}],
      ['POST', '/api/v1/exports/1/reject', {}],
    ];
    for (const [method, path, body, headers] of tries) {
      const res = await call('auditor', path, { method, body, headers });
      assertProblem(res, 403, 'forbidden', `auditor ${method} ${path}`);
    }
  });
});
