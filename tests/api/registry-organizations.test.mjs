// Registry organizations (实有单位): kinds, search, creation with the GB 32100 unified social credit
// code check (docs/api-registry.md).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, api, login, assertProblem, listAll, creditCodeCheckChar, isValidCreditCode,
} from './harness.mjs';

const KINDS = ['residents_committee', 'owners_committee', 'property_company', 'social_org', 'resident_unit', 'merchant'];
const STANDARD_EXAMPLE = '91350100M000100Y43'; // the example code of GB 32100-2015
const CJK = /[\u3400-\u9fff]/;

let srv;
const S = {};
let all; // jiangsu's organizations

before(async () => {
  srv = await startServer();
  for (const u of ['jiangsu', 'jiangsu-worker']) S[u] = await login(srv.base, u);
  all = await listAll(srv.base, S.jiangsu.token, '/api/v1/organizations');
  assert.ok(all.length > 0, 'some organizations');
});
after(async () => { if (srv) await srv.stop(); });

const call = (who, p, opts = {}) => api(srv.base, p, { token: S[who].token, ...opts });
const ids = (list) => list.map((x) => x.id).sort((a, b) => a - b);
const W = 'jiangsu-worker';

function body(over = {}) {
  return {
    kind: 'social_org', name: '江苏路为老服务社', credit_code: STANDARD_EXAMPLE, address_text: '江苏路 480弄 5号',
    contact_name: '陈社长', contact_phone: '13812349876', area_code: S['jiangsu-worker'].user.area.code, ...over,
  };
}

function checkOrg(o, what) {
  for (const k of ['id', 'kind', 'name', 'credit_code', 'address', 'contact_name', 'contact_phone', 'area_code']) {
    assert.ok(k in o, `${what}: Organization has ${k}: ${JSON.stringify(o)}`);
  }
  assert.ok(KINDS.includes(o.kind), `${what}: kind ${o.kind}`);
  assert.ok(Number.isInteger(o.id));
}

describe('listing', () => {
  it('kind= lists exactly the organizations of that kind; the kinds add up to the whole', async () => {
    let sum = 0;
    for (const kind of KINDS) {
      const got = await listAll(srv.base, S.jiangsu.token, `/api/v1/organizations?kind=${kind}`);
      for (const o of got) {
        checkOrg(o, `kind=${kind}`);
        assert.equal(o.kind, kind);
      }
      assert.deepEqual(ids(got), ids(all.filter((o) => o.kind === kind)), `kind=${kind}`);
      sum += got.length;
    }
    assert.equal(sum, all.length, 'every organization has one of the kinds');
    assert.ok(new Set(all.map((o) => o.kind)).size >= 3, 'the demo has several kinds');
  });

  it('q= finds by part of the name', async () => {
    const o = all.find((x) => [...x.name].length >= 4);
    const part = o.name.slice(1, 4);
    const got = await listAll(srv.base, S.jiangsu.token, `/api/v1/organizations?q=${encodeURIComponent(part)}`);
    assert.deepEqual(ids(got), ids(all.filter((x) => x.name.includes(part))), `q=${part}`);
    assert.ok(got.some((x) => x.id === o.id));
  });

  it('GET /organizations/{id} answers the listed record', async () => {
    for (const o of all.slice(0, 5)) {
      const res = await call('jiangsu', `/api/v1/organizations/${o.id}`);
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(res.json, o);
    }
  });

  it('every credit_code served is a valid GB 32100 code (or null)', () => {
    const bad = all.filter((o) => o.credit_code !== null && !isValidCreditCode(o.credit_code));
    assert.deepEqual(bad.map((o) => `${o.id} ${o.kind} ${o.credit_code} (${String(o.credit_code).length} chars)`), [],
      `${bad.length} of ${all.length} organizations carry a code that POST /organizations would refuse`);
  });
});

describe('creating an organization', () => {
  it('the standard\'s example code: 201, listed; the same code again: 409', async () => {
    assert.ok(isValidCreditCode(STANDARD_EXAMPLE), 'the test\'s own check accepts the example');
    const res = await call(W, '/api/v1/organizations', { method: 'POST', body: body() });
    assert.equal(res.status, 201, res.text);
    const o = res.json;
    checkOrg(o, 'created');
    const b = body();
    for (const k of ['kind', 'name', 'credit_code', 'contact_name', 'contact_phone', 'area_code']) assert.equal(o[k], b[k], k);
    const addr = typeof o.address === 'string' ? o.address : o.address && o.address.text;
    assert.equal(String(addr).replace(/\s+/g, ''), b.address_text.replace(/\s+/g, ''), `address ${JSON.stringify(o.address)}`);

    const got = await call(W, `/api/v1/organizations/${o.id}`);
    assert.equal(got.status, 200, got.text);
    assert.deepEqual(got.json, o);
    const listed = await listAll(srv.base, S.jiangsu.token, '/api/v1/organizations?kind=social_org');
    assert.ok(listed.some((x) => x.id === o.id), 'listed under its kind');

    const dup = await call(W, '/api/v1/organizations', { method: 'POST', body: body({ name: '另一个名字的社会组织' }) });
    assertProblem(dup, 409, 'conflict', 'the same credit code again');
    const after = await listAll(srv.base, S.jiangsu.token, '/api/v1/organizations');
    assert.equal(after.filter((x) => x.credit_code === STANDARD_EXAMPLE).length, 1, 'one organization with that code');
  });

  it('a code computed with the GB 32100 check is accepted', async () => {
    const first17 = '52310105MJ4A2B3C1';
    const code = first17 + creditCodeCheckChar(first17);
    const res = await call(W, '/api/v1/organizations', { method: 'POST', body: body({ credit_code: code, name: '江苏路邻里互助会' }) });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.json.credit_code, code);
  });

  const alphabet = '0123456789ABCDEFGHJKLMNPQRTUWXY';
  const validBase = '91310105MA1FL7XQ3'; // 17 characters, check character computed below
  const valid = validBase + creditCodeCheckChar(validBase);
  const wrongCheck = valid.slice(0, 17) + alphabet[(alphabet.indexOf(valid[17]) + 1) % alphabet.length];
  const refused = [
    ['a wrong check character', { credit_code: STANDARD_EXAMPLE.slice(0, 17) + (STANDARD_EXAMPLE[17] === '3' ? '4' : '3') }],
    ['a wrong check character (computed code)', { credit_code: wrongCheck }],
    ['the letter I', { credit_code: `${valid.slice(0, 10)}I${valid.slice(11)}` }],
    ['the letter O', { credit_code: `${valid.slice(0, 10)}O${valid.slice(11)}` }],
    ['17 characters', { credit_code: valid.slice(0, 17) }],
    ['lower case', { credit_code: valid.toLowerCase() }],
  ];
  for (const [label, over] of refused) {
    it(`a credit code with ${label}: 422 on credit_code, nothing created`, async () => {
      const name = `校验测试单位${label}`;
      const res = await call(W, '/api/v1/organizations', { method: 'POST', body: body({ ...over, name }) });
      const b = assertProblem(res, 422, 'validation', `credit_code ${over.credit_code}`);
      assert.ok(Array.isArray(b.errors) && b.errors.length > 0, res.text);
      assert.equal(b.errors[0].field, 'credit_code', res.text);
      assert.match(b.errors[0].message_zh, CJK);
      assert.ok(b.errors[0].message_en.trim().length > 0 && !CJK.test(b.errors[0].message_en));
      const found = await listAll(srv.base, S.jiangsu.token, `/api/v1/organizations?q=${encodeURIComponent(name)}`);
      assert.equal(found.length, 0, 'nothing created');
    });
  }

  it('an unknown kind: 422 on kind', async () => {
    const res = await call(W, '/api/v1/organizations', { method: 'POST', body: body({ kind: 'bank', credit_code: valid }) });
    const b = assertProblem(res, 422, 'validation', 'kind bank');
    assert.equal(b.errors[0].field, 'kind');
  });

  for (const [label, over] of [
    ['name as a number', { name: 42 }],
    ['credit_code as a number', { credit_code: 91350100 }],
    ['an unknown field', { founded: '2020-01-01' }],
    ['address instead of address_text', { address: '江苏路 1号' }],
  ]) {
    it(`${label}: 400 bad-request`, async () => {
      const res = await call(W, '/api/v1/organizations', { method: 'POST', body: body({ credit_code: valid, ...over }) });
      assertProblem(res, 400, 'bad-request', `POST /organizations ${JSON.stringify(over)}`);
    });
  }

  it('none of the refused requests created an organization', async () => {
    const after = await listAll(srv.base, S.jiangsu.token, '/api/v1/organizations');
    assert.equal(after.length, all.length + 2, 'only the two accepted organizations were added');
    assert.ok(!after.some((o) => o.credit_code === valid), 'the valid code used in refused requests is not registered');
  });
});
