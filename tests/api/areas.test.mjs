// Territory: the Changning tree of the small demo and the per-account scope matrix.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, api, login, assertProblem } from './harness.mjs';

let srv;
const S = {}; // sessions by username
let tree; // codes discovered through the admin

const SUBDISTRICTS = {
  310105001: '华阳路',
  310105002: '江苏路',
  310105004: '新华路',
  310105005: '周家桥',
  310105006: '天山路',
  310105008: '仙霞新村',
  310105009: '虹桥',
  310105010: '程家桥',
  310105011: '北新泾',
  310105102: '新泾镇',
};
const ACCOUNTS = ['admin', 'jiangsu', 'huayang', 'jiangsu-worker', 'jiangsu-grid', 'auditor'];

before(async () => {
  srv = await startServer();
  for (const u of ACCOUNTS) S[u] = await login(srv.base, u);
});
after(async () => { if (srv) await srv.stop(); });

const get = (who, p) => api(srv.base, p, { token: S[who].token });

function checkArea(a, what) {
  assert.equal(typeof a.code, 'string', `${what}.code`);
  assert.match(a.code, /^\d{6}[0-9A-Za-z-]*$/, `${what}.code`);
  assert.equal(typeof a.name, 'string', `${what}.name`);
  assert.ok(a.name.length > 0, `${what}.name`);
  assert.match(a.level, /^(district|subdistrict|neighborhood|grid)$/, `${what}.level`);
  assert.ok(a.parent_code === null || typeof a.parent_code === 'string', `${what}.parent_code`);
  assert.ok(a.path !== undefined && a.path !== null, `${what}.path`);
  assert.ok(a.counts && typeof a.counts === 'object', `${what}.counts`);
  for (const k of ['subdistrict', 'neighborhood', 'grid']) {
    assert.ok(Number.isInteger(a.counts[k]) && a.counts[k] >= 0, `${what}.counts.${k} = ${a.counts[k]}`);
  }
}

const LEVEL_RANK = { district: 0, subdistrict: 1, neighborhood: 2, grid: 3 };
/** Ancestor codes root first; asserts the list is ordered (either way) by level. */
function ancestorCodes(a) {
  const ranks = a.ancestors.map((x) => LEVEL_RANK[x.level]);
  const asc = ranks.every((r, i) => i === 0 || r > ranks[i - 1]);
  const desc = ranks.every((r, i) => i === 0 || r < ranks[i - 1]);
  assert.ok(asc || desc, `ancestors ordered by level: ${JSON.stringify(a.ancestors)}`);
  return [...a.ancestors].sort((x, y) => LEVEL_RANK[x.level] - LEVEL_RANK[y.level]).map((x) => x.code);
}

const LEVEL_BELOW = { district: 'subdistrict', subdistrict: 'neighborhood', neighborhood: 'grid' };

describe('the Changning tree (admin)', () => {
  it('GET /api/v1/areas is exactly [310105 长宁区] with counts', async () => {
    const res = await get('admin', '/api/v1/areas');
    assert.equal(res.status, 200, res.text);
    assert.ok(Array.isArray(res.json.items));
    assert.equal(res.json.items.length, 1, JSON.stringify(res.json.items.map((a) => a.code)));
    const d = res.json.items[0];
    checkArea(d, 'root');
    assert.equal(d.code, '310105');
    assert.match(d.name, /长宁区/);
    assert.equal(d.level, 'district');
    assert.equal(d.counts.subdistrict, 10);
    assert.ok(d.counts.neighborhood > 0, 'some neighborhoods');
    assert.ok(d.counts.grid > 0, 'some grids');
  });

  it('children of 310105 are the 10 real subdistricts', async () => {
    const res = await get('admin', '/api/v1/areas/310105/children');
    assert.equal(res.status, 200, res.text);
    const items = res.json.items;
    assert.deepEqual(items.map((a) => a.code).sort(), Object.keys(SUBDISTRICTS).sort());
    for (const a of items) {
      checkArea(a, a.code);
      assert.equal(a.level, 'subdistrict');
      assert.equal(a.parent_code, '310105');
      assert.ok(a.name.includes(SUBDISTRICTS[a.code]), `${a.code} name ${a.name} contains ${SUBDISTRICTS[a.code]}`);
      assert.equal(a.counts.subdistrict, 0);
      if (a.code !== '310105002') {
        assert.equal(a.counts.neighborhood, 0, `${a.code} has no neighborhoods in the small demo`);
        assert.equal(a.counts.grid, 0, `${a.code} has no grids in the small demo`);
      }
    }
    const js = items.find((a) => a.code === '310105002');
    assert.ok(js.counts.neighborhood > 0 && js.counts.grid > 0, '江苏路 has neighborhoods and grids');
    // counts of the district are the sums of its children's
    const root = (await get('admin', '/api/v1/areas/310105')).json;
    assert.equal(root.counts.neighborhood, items.reduce((n, a) => n + a.counts.neighborhood, 0));
    assert.equal(root.counts.grid, items.reduce((n, a) => n + a.counts.grid, 0));
  });

  it('children of 江苏路 are neighborhoods with counts of grids', async () => {
    const js = await get('admin', '/api/v1/areas/310105002');
    assert.equal(js.status, 200, js.text);
    checkArea(js.json, '310105002');
    assert.match(js.json.name, /江苏路/);
    assert.equal(js.json.level, 'subdistrict');
    assert.equal(js.json.parent_code, '310105');
    assert.deepEqual(ancestorCodes(js.json), ['310105']);
    const res = await get('admin', '/api/v1/areas/310105002/children');
    assert.equal(res.status, 200, res.text);
    const items = res.json.items;
    assert.equal(items.length, js.json.counts.neighborhood, 'one child per neighborhood counted');
    let grids = 0;
    for (const a of items) {
      checkArea(a, a.code);
      assert.equal(a.level, 'neighborhood');
      assert.equal(a.parent_code, '310105002');
      assert.ok(a.code.startsWith('310105002'), `${a.code} under 310105002`);
      assert.equal(a.counts.neighborhood, 0);
      assert.equal(a.counts.subdistrict, 0);
      const kids = await get('admin', `/api/v1/areas/${a.code}/children`);
      assert.equal(kids.status, 200, kids.text);
      assert.equal(kids.json.items.length, a.counts.grid, `${a.code}: counts.grid equals its children`);
      for (const g of kids.json.items) {
        checkArea(g, g.code);
        assert.equal(g.level, 'grid');
        assert.equal(g.parent_code, a.code);
        assert.deepEqual(g.counts, { subdistrict: 0, neighborhood: 0, grid: 0 });
      }
      grids += a.counts.grid;
    }
    assert.equal(grids, js.json.counts.grid, 'grid counts add up to the subdistrict');
    assert.ok(items.length >= 2, 'at least two neighborhoods (needed for the scope matrix)');
  });

  it('GET /areas/{code} agrees with the children listing and carries ancestors', async () => {
    const kids = (await get('admin', '/api/v1/areas/310105002/children')).json.items;
    const n = kids[0];
    const one = await get('admin', `/api/v1/areas/${n.code}`);
    assert.equal(one.status, 200, one.text);
    for (const k of ['code', 'name', 'level', 'parent_code', 'path', 'counts']) {
      assert.deepEqual(one.json[k], n[k], `${k} of ${n.code}`);
    }
    assert.deepEqual(ancestorCodes(one.json), ['310105', '310105002'], 'ancestors of a neighborhood');
    for (const a of one.json.ancestors) {
      assert.equal(typeof a.name, 'string');
      assert.match(a.level, /^(district|subdistrict)$/);
    }
    const root = await get('admin', '/api/v1/areas/310105');
    assert.deepEqual(root.json.ancestors, [], 'no ancestors inside the scope of the root');
  });

  it('a 12-digit subdistrict code ending in 000 is its 9-digit form', async () => {
    const a = await get('admin', '/api/v1/areas/310105002000');
    assert.equal(a.status, 200, a.text);
    const b = await get('admin', '/api/v1/areas/310105002');
    assert.equal(a.json.code, '310105002');
    assert.deepEqual({ ...a.json }, { ...b.json });
    const c = await get('admin', '/api/v1/areas/310105002000/children');
    assert.equal(c.status, 200, c.text);
    const d = await get('admin', '/api/v1/areas/310105002/children');
    assert.deepEqual(c.json, d.json);
  });

  it('unknown codes answer 404 not-found', async () => {
    for (const code of ['310105999', '310105003', '310105002999', '999999', '310105002001999']) {
      assertProblem(await get('admin', `/api/v1/areas/${code}`), 404, 'not-found', code);
      assertProblem(await get('admin', `/api/v1/areas/${code}/children`), 404, 'not-found', `${code}/children`);
    }
  });

  it('needs authentication', async () => {
    assertProblem(await api(srv.base, '/api/v1/areas'), 401, 'unauthenticated', 'GET /areas');
    assertProblem(await api(srv.base, '/api/v1/areas/310105'), 401, 'unauthenticated', 'GET /areas/310105');
    assertProblem(await api(srv.base, '/api/v1/areas/310105/children'), 401, 'unauthenticated', 'children');
  });
});

describe('scope matrix', () => {
  before(async () => {
    const me = {};
    for (const u of ACCOUNTS) {
      const r = await get(u, '/api/v1/me');
      assert.equal(r.status, 200, r.text);
      me[u] = r.json.area.code;
    }
    const root = (await get('admin', '/api/v1/areas/310105')).json;
    const hoods = (await get('admin', '/api/v1/areas/310105002/children')).json.items.map((a) => a.code);
    const n1 = me['jiangsu-worker'];
    assert.ok(hoods.includes(n1), `worker area ${n1} is a neighborhood of 江苏路`);
    const n2 = hoods.find((c) => c !== n1);
    const gridsN1 = (await get('admin', `/api/v1/areas/${n1}/children`)).json.items.map((a) => a.code);
    const gridsN2 = (await get('admin', `/api/v1/areas/${n2}/children`)).json.items.map((a) => a.code);
    const g1 = me['jiangsu-grid'];
    assert.ok(gridsN1.includes(g1), `grid ${g1} lies in the worker's neighborhood ${n1}`);
    const g2 = gridsN1.find((c) => c !== g1) || gridsN2[0];
    assert.ok(g2, 'a second grid exists');
    // outside the whole district: the parent of 310105 if the server knows it, else another district
    const outsideDistrict = root.parent_code || '310104';
    tree = { me, n1, n2, g1, g2, outsideDistrict, gridsN2 };
  });

  const matrix = () => ({
    admin: { own: '310105', inside: ['310105', '310105002', tree.n1, tree.g1, '310105001'], outside: [tree.outsideDistrict, '310106'] },
    auditor: { own: '310105', inside: ['310105', '310105102', tree.n2, tree.g2], outside: [tree.outsideDistrict] },
    jiangsu: { own: '310105002', inside: ['310105002', tree.n1, tree.n2, tree.g1], outside: ['310105', '310105001', '310105004'] },
    huayang: { own: '310105001', inside: ['310105001'], outside: ['310105', '310105002', tree.n1, tree.g1] },
    'jiangsu-worker': { own: tree.n1, inside: [tree.n1, tree.g1], outside: ['310105002', tree.n2, '310105', '310105001', ...tree.gridsN2.slice(0, 1)] },
    'jiangsu-grid': { own: tree.g1, inside: [tree.g1], outside: [tree.n1, tree.g2, '310105002', '310105'] },
  });

  it('/api/v1/me areas are the documented ones', () => {
    assert.equal(tree.me.admin, '310105');
    assert.equal(tree.me.auditor, '310105');
    assert.equal(tree.me.jiangsu, '310105002');
    assert.equal(tree.me.huayang, '310105001');
  });

  for (const who of ACCOUNTS) {
    it(`${who}: GET /areas lists exactly its own area`, async () => {
      const m = matrix()[who];
      const res = await get(who, '/api/v1/areas');
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(res.json.items.map((a) => a.code), [m.own]);
      checkArea(res.json.items[0], `${who} root`);
      // the root has no ancestors visible to this account
      const own = await get(who, `/api/v1/areas/${m.own}`);
      assert.equal(own.status, 200, own.text);
      assert.deepEqual(own.json.ancestors, [], `${who}: ancestors of its own area are outside its scope`);
    });

    it(`${who}: 200 inside its subtree, 404 (like an unknown code) outside`, async () => {
      const m = matrix()[who];
      const unknown = await get(who, '/api/v1/areas/310105999');
      const pu = assertProblem(unknown, 404, 'not-found', `${who} unknown`);
      const unknownKids = await get(who, '/api/v1/areas/310105999/children');
      const puk = assertProblem(unknownKids, 404, 'not-found', `${who} unknown children`);
      for (const code of m.inside) {
        const a = await get(who, `/api/v1/areas/${code}`);
        assert.equal(a.status, 200, `${who} GET /areas/${code}: ${a.text}`);
        assert.equal(a.json.code, code);
        for (const anc of a.json.ancestors) {
          const r = await get(who, `/api/v1/areas/${anc.code}`);
          assert.equal(r.status, 200, `${who}: ancestor ${anc.code} of ${code} is inside its scope`);
        }
        const k = await get(who, `/api/v1/areas/${code}/children`);
        assert.equal(k.status, 200, `${who} GET /areas/${code}/children: ${k.text}`);
        assert.ok(Array.isArray(k.json.items));
        for (const c of k.json.items) {
          assert.equal(c.parent_code, code);
          if (LEVEL_BELOW[a.json.level]) assert.equal(c.level, LEVEL_BELOW[a.json.level]);
        }
      }
      for (const code of m.outside) {
        const a = await get(who, `/api/v1/areas/${code}`);
        const pa = assertProblem(a, 404, 'not-found', `${who} GET /areas/${code}`);
        assert.deepEqual(Object.keys(pa).sort(), Object.keys(pu).sort(), `${who} ${code}: same shape as unknown`);
        assert.equal(pa.title, pu.title);
        const k = await get(who, `/api/v1/areas/${code}/children`);
        const pk = assertProblem(k, 404, 'not-found', `${who} GET /areas/${code}/children`);
        assert.deepEqual(Object.keys(pk).sort(), Object.keys(puk).sort(), `${who} ${code}/children: same shape as unknown`);
        assert.equal(pk.title, puk.title);
        // the 12-digit form of an outside subdistrict is outside too
        if (/^\d{9}$/.test(code)) {
          assertProblem(await get(who, `/api/v1/areas/${code}000`), 404, 'not-found', `${who} GET /areas/${code}000`);
        }
      }
    });
  }

  it('a subdistrict admin sees ancestors only inside its scope', async () => {
    const a = await get('jiangsu', `/api/v1/areas/${tree.g1}`);
    assert.equal(a.status, 200, a.text);
    assert.deepEqual(ancestorCodes(a.json), ['310105002', tree.n1]);
    const w = await get('jiangsu-worker', `/api/v1/areas/${tree.g1}`);
    assert.deepEqual(ancestorCodes(w.json), [tree.n1]);
  });
});
