// Registry persons (实有人口): masking, audited reads, unmasking, searches, creation with GB 11643
// checks, optimistic versioning, care tags and sensitive tags (docs/api-registry.md).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, api, login, assertProblem, listAll, makeResidentId, isValidResidentId,
} from './harness.mjs';

const SENSITIVE = ['community_correction', 'key_youth', 'disabled'];
const DOC_MASK = /^\d{6}\*+[\dX]{4}$/;
const PHONE_MASK = /^\d{3}\*{4}\d{4}$/;
const CJK = /[\u3400-\u9fff]/;
const SUMMARY_KEYS = ['id', 'name', 'sex', 'birth_date', 'age', 'aged_80_plus', 'document_type', 'document_number',
  'phone', 'hukou', 'care_tags', 'area_code', 'dwelling'];

let srv;
const S = {};
let workerList; // jiangsu-worker's persons
const used = new Set(); // person ids claimed by a test, so tests do not step on each other

before(async () => {
  srv = await startServer();
  for (const u of ['admin', 'jiangsu', 'jiangsu-worker', 'jiangsu-grid', 'auditor']) S[u] = await login(srv.base, u);
  workerList = await listAll(srv.base, S['jiangsu-worker'].token, '/api/v1/persons');
  assert.ok(workerList.length > 20, `jiangsu-worker sees persons (${workerList.length})`);
});
after(async () => { if (srv) await srv.stop(); });

const call = (who, p, opts = {}) => api(srv.base, p, { token: S[who].token, ...opts });
const enc = encodeURIComponent;

/** A person of jiangsu-worker's list (inside jiangsu-grid's grid too) not used by another test. */
function claim(pred = () => true) {
  const p = workerList.find((x) => !used.has(x.id) && x.area_code.startsWith(S['jiangsu-grid'].user.area.code) && pred(x));
  assert.ok(p, 'a person to test with');
  used.add(p.id);
  return p;
}

async function auditRows(query) {
  const res = await call('auditor', `/api/v1/audit?${query}&page_size=200`);
  assert.equal(res.status, 200, res.text);
  return res.json;
}

function sexOfId(id) { return Number(id[16]) % 2 === 1 ? 'male' : 'female'; }
function birthOfId(id) { return `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`; }
function maskPhone(p) { return `${p.slice(0, 3)}****${p.slice(-4)}`; }
const ids = (list) => list.map((x) => x.id).sort((a, b) => a - b);

function checkMasked(p, what) {
  if (p.document_type === 'resident_id') {
    assert.match(p.document_number, DOC_MASK, `${what}: document_number ${p.document_number}`);
    assert.equal(p.document_number.length, 18, `${what}: masked resident id keeps 18 characters`);
  } else {
    assert.match(String(p.document_number), /\*/, `${what}: document_number masked`);
  }
  if (p.phone !== null) assert.match(p.phone, PHONE_MASK, `${what}: phone ${p.phone}`);
}

/** No 18-character ID number or 11-digit phone number anywhere in a response text. */
function assertNoFullNumbers(text, what) {
  assert.doesNotMatch(text, /(?<![\d*])\d{17}[\dXx](?![\d])/, `${what}: no full document number in ${text.slice(0, 200)}`);
  assert.doesNotMatch(text, /(?<![\d*])1\d{10}(?!\d)/, `${what}: no full phone number`);
}

function newPersonBody(over = {}) {
  return {
    name: '测试新居民', document_type: 'resident_id', document_number: makeResidentId('310105', '1986-04-23', 785),
    sex: 'male', birth_date: '1986-04-23', phone: '13655557777', hukou: 'registered', ethnicity: '汉族',
    area_code: S['jiangsu-grid'].user.area.code, ...over,
  };
}

async function countByDocument(doc) {
  const res = await call('jiangsu', `/api/v1/persons?document_number=${enc(doc)}`);
  assert.equal(res.status, 200, res.text);
  return res.json.total;
}

describe('masking', () => {
  it('lists show document_number and phone masked, and no full number anywhere', async () => {
    for (const who of ['jiangsu-worker', 'jiangsu']) {
      const res = await call(who, '/api/v1/persons?page_size=200');
      assert.equal(res.status, 200, res.text);
      assert.ok(res.json.items.length > 0);
      assertNoFullNumbers(res.text, `${who} list`);
    }
    let phones = 0;
    for (const p of workerList) {
      for (const k of SUMMARY_KEYS) assert.ok(k in p, `PersonSummary ${p.id} has ${k}`);
      checkMasked(p, `person ${p.id}`);
      if (p.phone !== null) phones += 1;
      assert.equal(p.aged_80_plus, p.age >= 80, `person ${p.id}: aged_80_plus follows age ${p.age}`);
    }
    assert.ok(phones > 0, 'some persons have a phone');
  });

  it('GET /persons/{id} shows the same masked values', async () => {
    for (const p of workerList.slice(0, 5)) {
      const res = await call('jiangsu-worker', `/api/v1/persons/${p.id}`);
      assert.equal(res.status, 200, res.text);
      for (const k of [...SUMMARY_KEYS, 'ethnicity', 'version', 'residencies', 'care_tag_history']) {
        assert.ok(k in res.json, `Person ${p.id} has ${k}`);
      }
      checkMasked(res.json, `detail ${p.id}`);
      assert.equal(res.json.document_number, p.document_number);
      assert.equal(res.json.phone, p.phone);
      assertNoFullNumbers(res.text, `detail ${p.id}`);
    }
  });
});

describe('audited reads and unmasking', () => {
  it('GET /persons/{id} appends a person.read row visible to the auditor', async () => {
    const p = claim();
    const q = `action=person.read&object=person:${p.id}`;
    const before = await auditRows(q);
    const res = await call('jiangsu-worker', `/api/v1/persons/${p.id}`);
    assert.equal(res.status, 200, res.text);
    const after = await auditRows(q);
    assert.equal(after.total, before.total + 1, 'exactly one more person.read row');
    const row = after.items.find((r) => r.request_id === res.headers['x-request-id']);
    assert.ok(row, `a row with request_id ${res.headers['x-request-id']}: ${JSON.stringify(after.items.slice(0, 3))}`);
    assert.equal(row.action, 'person.read');
    assert.equal(row.object, `person:${p.id}`);
    assert.equal(row.account, 'jiangsu-worker');
    assert.equal(row.area_code, p.area_code);
    // a list read is not a read of one person's record
    const list = await call('jiangsu-worker', `/api/v1/persons?q=${enc(p.name)}`);
    assert.equal(list.status, 200);
    assert.equal((await auditRows(q)).total, after.total, 'a list does not count as a read of the record');
  });

  it('jiangsu-worker unmasks the document number: valid GB 11643, agrees with mask, birth date and sex; audited with the reason', async () => {
    const p = claim((x) => x.document_type === 'resident_id');
    const reason = '核实居住登记信息';
    const res = await call('jiangsu-worker', `/api/v1/persons/${p.id}/unmask`, {
      method: 'POST', body: { field: 'document_number', reason },
    });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.field, 'document_number');
    const v = res.json.value;
    assert.ok(isValidResidentId(v), `${v} passes the GB 11643 check`);
    assert.equal(v.length, p.document_number.length);
    assert.equal(v.slice(0, 6), p.document_number.slice(0, 6), 'region as in the mask');
    assert.equal(v.slice(-4), p.document_number.slice(-4), 'last four as in the mask');
    assert.equal(birthOfId(v), p.birth_date, 'birth_date is the one in the number');
    assert.equal(sexOfId(v), p.sex, 'sex is the one in the number');

    const rows = await auditRows(`action=person.unmask&object=person:${p.id}`);
    const row = rows.items.find((r) => r.request_id === res.headers['x-request-id']);
    assert.ok(row, `person.unmask row: ${JSON.stringify(rows.items)}`);
    assert.equal(row.account, 'jiangsu-worker');
    assert.equal(row.area_code, p.area_code);
    assert.ok(row.details && typeof row.details === 'object', 'details');
    assert.equal(row.details.reason, reason, `reason in details: ${JSON.stringify(row.details)}`);
    assert.equal(row.details.field, 'document_number');
    assert.ok(!JSON.stringify(row).includes(v), 'the audit row does not hold the unmasked number');
  });

  it('unmasking the phone gives the 11 digits behind the mask', async () => {
    const p = claim((x) => x.phone !== null);
    const res = await call('jiangsu', `/api/v1/persons/${p.id}/unmask`, {
      method: 'POST', body: { field: 'phone', reason: '联系本人核实' },
    });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(Object.keys(res.json).sort(), ['field', 'value']);
    assert.equal(res.json.field, 'phone');
    assert.match(res.json.value, /^\d{11}$/);
    assert.equal(maskPhone(res.json.value), p.phone);
  });

  it('unmask without a reason, or with fewer than 4 characters, is 422 and not audited', async () => {
    const p = claim();
    const q = `action=person.unmask&object=person:${p.id}`;
    const before = (await auditRows(q)).total;
    const bodies = [
      { field: 'document_number' },
      { field: 'document_number', reason: '' },
      { field: 'document_number', reason: '核实' }, // 2 characters (6 bytes)
      { field: 'document_number', reason: '核实身' }, // 3 characters (9 bytes)
      { field: 'phone', reason: 'ab' },
    ];
    for (const body of bodies) {
      const res = await call('jiangsu-worker', `/api/v1/persons/${p.id}/unmask`, { method: 'POST', body });
      const b = assertProblem(res, 422, 'validation', `unmask ${JSON.stringify(body)}`);
      assert.ok(Array.isArray(b.errors) && b.errors.some((e) => e.field === 'reason'), `errors name reason: ${res.text}`);
      assert.ok(!('value' in b), 'no value in the problem');
    }
    const bad = await call('jiangsu-worker', `/api/v1/persons/${p.id}/unmask`, {
      method: 'POST', body: { field: 'name', reason: '核实身份信息' },
    });
    const bb = assertProblem(bad, 422, 'validation', 'unmask field name');
    assert.ok(bb.errors.some((e) => e.field === 'field'), bad.text);
    assert.equal((await auditRows(q)).total, before, 'refused unmasks write no person.unmask row');
    // exactly 4 characters is enough
    const ok = await call('jiangsu-worker', `/api/v1/persons/${p.id}/unmask`, {
      method: 'POST', body: { field: 'document_number', reason: '核实身份' },
    });
    assert.equal(ok.status, 200, `a 4-character reason: ${ok.text}`);
    assert.equal((await auditRows(q)).total, before + 1);
  });

  it('jiangsu-grid (no person.unmask) gets 403', async () => {
    const p = claim();
    const res = await call('jiangsu-grid', `/api/v1/persons/${p.id}/unmask`, {
      method: 'POST', body: { field: 'document_number', reason: '核实身份信息' },
    });
    assertProblem(res, 403, 'forbidden', 'jiangsu-grid unmask');
    assert.ok(!res.text.match(/\d{17}[\dX]/), 'no number in the refusal');
  });
});

describe('searching', () => {
  it('document_number= (exact) finds exactly that person, only inside the territory', async () => {
    const p = claim();
    const v = (await call('jiangsu', `/api/v1/persons/${p.id}/unmask`, {
      method: 'POST', body: { field: 'document_number', reason: '按证件号查找' },
    })).json.value;
    for (const who of ['jiangsu-worker', 'jiangsu', 'jiangsu-grid']) {
      const res = await call(who, `/api/v1/persons?document_number=${enc(v)}`);
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(res.json.items.map((x) => x.id), [p.id], `${who}: exactly person ${p.id}`);
      assert.equal(res.json.total, 1);
    }
    for (const partial of [v.slice(0, 17), v.slice(1), p.document_number]) {
      const res = await call('jiangsu', `/api/v1/persons?document_number=${enc(partial)}`);
      assert.equal(res.status === 200 ? res.json.total : 0, 0, `document_number=${partial} is not an exact match: ${res.text.slice(0, 200)}`);
    }
    // a person of another neighborhood of 江苏路: jiangsu finds it, jiangsu-worker does not
    const all = await call('jiangsu', '/api/v1/persons?page_size=200');
    const other = all.json.items.find((x) => !x.area_code.startsWith(S['jiangsu-worker'].user.area.code));
    assert.ok(other, 'a person outside jiangsu-worker');
    const ov = (await call('jiangsu', `/api/v1/persons/${other.id}/unmask`, {
      method: 'POST', body: { field: 'document_number', reason: '按证件号查找' },
    })).json.value;
    assert.deepEqual((await call('jiangsu', `/api/v1/persons?document_number=${enc(ov)}`)).json.items.map((x) => x.id), [other.id]);
    const w = await call('jiangsu-worker', `/api/v1/persons?document_number=${enc(ov)}`);
    assert.equal(w.status, 200, w.text);
    assert.equal(w.json.total, 0, 'not found outside the territory');
  });

  it('phone= (exact) finds that person', async () => {
    const p = claim((x) => x.phone !== null);
    const phone = (await call('jiangsu-worker', `/api/v1/persons/${p.id}/unmask`, {
      method: 'POST', body: { field: 'phone', reason: '按电话查找' },
    })).json.value;
    const res = await call('jiangsu-worker', `/api/v1/persons?phone=${enc(phone)}`);
    assert.equal(res.status, 200, res.text);
    assert.ok(res.json.items.some((x) => x.id === p.id), `person ${p.id} found by phone`);
    for (const x of res.json.items) assert.equal(x.phone, maskPhone(phone), `every hit has that phone (${x.id})`);
    const withPhone = workerList.filter((x) => x.phone === p.phone);
    assert.ok(res.json.total <= withPhone.length, 'no more hits than persons with that masked phone');
    const part = await call('jiangsu-worker', `/api/v1/persons?phone=${enc(phone.slice(0, 7))}`);
    assert.equal(part.status === 200 ? part.json.total : 0, 0, 'a part of a phone number is not an exact match');
  });

  it('q= finds by part of the name, exactly the matching persons', async () => {
    const p = workerList.find((x) => [...x.name].length >= 3) || workerList[0];
    for (const part of [p.name.slice(1), p.name.slice(0, 1)]) {
      const got = await listAll(srv.base, S['jiangsu-worker'].token, `/api/v1/persons?q=${enc(part)}`);
      const want = workerList.filter((x) => x.name.includes(part));
      assert.ok(want.length > 0);
      assert.deepEqual(ids(got), ids(want), `q=${part}`);
    }
    const none = await call('jiangsu-worker', `/api/v1/persons?q=${enc('不存在的名字甲乙丙')}`);
    assert.equal(none.status, 200);
    assert.equal(none.json.total, 0);
  });

  it('address= finds by part of the current address', async () => {
    const p = workerList.find((x) => x.dwelling && x.dwelling.address);
    const m = /^(.*?\d+号)/.exec(p.dwelling.address);
    const part = m ? m[1] : p.dwelling.address.slice(0, 6);
    const got = await listAll(srv.base, S['jiangsu-worker'].token, `/api/v1/persons?address=${enc(part)}`);
    const want = workerList.filter((x) => x.dwelling && x.dwelling.address.includes(part));
    assert.ok(got.some((x) => x.id === p.id), `person ${p.id} found by address ${part}`);
    assert.deepEqual(ids(got), ids(want), `address=${part}`);
  });

  it('care_tag= and hukou= filter exactly', async () => {
    const tags = [...new Set(workerList.flatMap((x) => x.care_tags))].filter((t) => !SENSITIVE.includes(t));
    assert.ok(tags.length >= 2, `some care tags in the data: ${tags}`);
    for (const t of tags) {
      const got = await listAll(srv.base, S['jiangsu-worker'].token, `/api/v1/persons?care_tag=${t}`);
      assert.deepEqual(ids(got), ids(workerList.filter((x) => x.care_tags.includes(t))), `care_tag=${t}`);
    }
    for (const h of ['registered', 'migrant', 'foreign']) {
      const got = await listAll(srv.base, S['jiangsu-worker'].token, `/api/v1/persons?hukou=${h}`);
      assert.deepEqual(ids(got), ids(workerList.filter((x) => x.hukou === h)), `hukou=${h}`);
    }
    const bad = await call('jiangsu-worker', '/api/v1/persons?care_tag=aged_80_plus');
    assertProblem(bad, 422, 'validation', 'care_tag=aged_80_plus (derived, not a tag)');
  });

  it('sort=birth_date and sort=-birth_date order the list', async () => {
    for (const [sort, dir] of [['birth_date', 1], ['-birth_date', -1]]) {
      const got = await listAll(srv.base, S['jiangsu-worker'].token, `/api/v1/persons?sort=${sort}`);
      assert.deepEqual(ids(got), ids(workerList), `sort=${sort} keeps the set`);
      for (let i = 1; i < got.length; i += 1) {
        assert.ok(dir * got[i].birth_date.localeCompare(got[i - 1].birth_date) >= 0,
          `sort=${sort}: ${got[i - 1].birth_date} then ${got[i].birth_date}`);
      }
    }
  });
});

describe('creating a person', () => {
  it('a valid resident ID: 201, then 409 conflict with existing_id', async () => {
    const body = newPersonBody();
    assert.equal(await countByDocument(body.document_number), 0, 'the number is not registered yet');
    const res = await call('jiangsu-worker', '/api/v1/persons', { method: 'POST', body });
    assert.equal(res.status, 201, res.text);
    const p = res.json;
    assert.ok(Number.isInteger(p.id) && p.id > 0, `id ${p.id}`);
    for (const k of ['name', 'sex', 'birth_date', 'document_type', 'hukou', 'ethnicity', 'area_code']) {
      assert.equal(p[k], body[k], `${k} as posted`);
    }
    checkMasked(p, 'created');
    assert.equal(p.document_number.slice(0, 6), body.document_number.slice(0, 6));
    assert.equal(p.document_number.slice(-4), body.document_number.slice(-4));
    assert.equal(p.phone, maskPhone(body.phone));
    assert.ok(Number.isInteger(p.version), `version ${p.version}`);
    assert.deepEqual(p.residencies, []);
    assert.deepEqual(p.care_tags, []);
    assert.deepEqual(p.care_tag_history, []);
    assert.equal(p.dwelling, null);
    assertNoFullNumbers(res.text, 'POST /persons answer');

    const got = await call('jiangsu-worker', `/api/v1/persons/${p.id}`);
    assert.equal(got.status, 200);
    assert.equal(got.json.document_number, p.document_number);
    const un = await call('jiangsu-worker', `/api/v1/persons/${p.id}/unmask`, {
      method: 'POST', body: { field: 'document_number', reason: '核对新登记信息' },
    });
    assert.equal(un.json.value, body.document_number, 'the stored number is the posted one');
    assert.equal(await countByDocument(body.document_number), 1);

    const again = await call('jiangsu-worker', '/api/v1/persons', { method: 'POST', body: { ...body, name: '重复登记', phone: '13655558888' } });
    const b = assertProblem(again, 409, 'conflict', 'second POST of the same document');
    assert.equal(b.existing_id, p.id, 'existing_id names the registered person');
    assert.equal(await countByDocument(body.document_number), 1, 'still one person with that number');
  });

  it('refused input: 422 with the field and both languages, nothing created', async () => {
    const good = makeResidentId('310105', '1992-09-17', 446); // 6: female
    const base = { document_number: good, sex: 'female', birth_date: '1992-09-17', name: '校验测试' };
    const wrongCheck = good.slice(0, 17) + (good[17] === '0' ? '1' : '0');
    const cases = [
      ['document_number', { document_number: wrongCheck }],
      ['document_number', { document_number: good.slice(0, 17) }],
      ['sex', { sex: 'male' }],
      ['birth_date', { birth_date: '1992-09-18' }],
      ['document_type', { document_type: 'driver_license' }],
      ['sex', { sex: 'unknown' }],
      ['hukou', { hukou: 'elsewhere' }],
    ];
    const total = (await call('jiangsu-worker', '/api/v1/persons?page_size=1')).json.total;
    for (const [field, over] of cases) {
      const res = await call('jiangsu-worker', '/api/v1/persons', { method: 'POST', body: newPersonBody({ ...base, ...over }) });
      const b = assertProblem(res, 422, 'validation', `POST /persons ${JSON.stringify(over)}`);
      assert.ok(Array.isArray(b.errors) && b.errors.length > 0, `errors: ${res.text}`);
      assert.equal(b.errors[0].field, field, `errors[0].field for ${JSON.stringify(over)}: ${res.text}`);
      assert.match(b.errors[0].message_zh, CJK, 'errors[0].message_zh is Chinese');
      assert.ok(b.errors[0].message_en.trim().length > 0 && !CJK.test(b.errors[0].message_en), 'errors[0].message_en is English');
    }
    assert.equal(await countByDocument(good), 0);
    assert.equal(await countByDocument(wrongCheck), 0);
    assert.equal((await call('jiangsu-worker', '/api/v1/persons?page_size=1')).json.total, total, 'nothing was created');
  });

  it('wrong JSON types, unknown fields and malformed JSON: 400 bad-request', async () => {
    const doc = makeResidentId('310105', '1975-12-01', 559);
    const base = { document_number: doc, birth_date: '1975-12-01', sex: 'male' };
    const cases = [
      { name: 5 },
      { birth_date: 19751201 },
      { hukou: true },
      { area_code: 31010500200101 },
      { phone: ['13655557777'] },
      { nickname: '小王' },
      { version: 1 },
    ];
    for (const over of cases) {
      const res = await call('jiangsu-worker', '/api/v1/persons', { method: 'POST', body: newPersonBody({ ...base, ...over }) });
      assertProblem(res, 400, 'bad-request', `POST /persons ${JSON.stringify(over)}`);
    }
    const raw = await call('jiangsu-worker', '/api/v1/persons', {
      method: 'POST', body: '{"name":"半截', headers: { 'content-type': 'application/json' },
    });
    assertProblem(raw, 400, 'bad-request', 'malformed JSON');
    const arr = await call('jiangsu-worker', '/api/v1/persons', { method: 'POST', body: [newPersonBody(base)] });
    assertProblem(arr, 400, 'bad-request', 'a JSON array');
    assert.equal(await countByDocument(doc), 0, 'nothing created');
  });
});

describe('updating a person', () => {
  it('PATCH with the current version: 200 and version+1; with a stale one: 409', async () => {
    const p = claim((x) => x.phone !== null);
    const cur = (await call('jiangsu-worker', `/api/v1/persons/${p.id}`)).json;
    const v = cur.version;
    assert.ok(Number.isInteger(v));
    const stale = await call('jiangsu-worker', `/api/v1/persons/${p.id}`, {
      method: 'PATCH', body: { version: v - 1, ethnicity: '回族' },
    });
    assertProblem(stale, 409, 'conflict', 'PATCH with version - 1');

    const res = await call('jiangsu-worker', `/api/v1/persons/${p.id}`, {
      method: 'PATCH', body: { version: v, phone: '13912340000', ethnicity: '满族' },
    });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.version, v + 1, 'version+1');
    assert.equal(res.json.ethnicity, '满族');
    assert.equal(res.json.phone, '139****0000');
    assert.equal(res.json.name, cur.name, 'name untouched');
    assert.equal(res.json.document_number, cur.document_number, 'document untouched');
    const un = await call('jiangsu-worker', `/api/v1/persons/${p.id}/unmask`, {
      method: 'POST', body: { field: 'phone', reason: '核对新电话' },
    });
    assert.equal(un.json.value, '13912340000');

    const again = await call('jiangsu-worker', `/api/v1/persons/${p.id}`, {
      method: 'PATCH', body: { version: v, ethnicity: '回族' },
    });
    assertProblem(again, 409, 'conflict', 'PATCH with the version just used');
    const now = (await call('jiangsu-worker', `/api/v1/persons/${p.id}`)).json;
    assert.equal(now.version, v + 1);
    assert.equal(now.ethnicity, '满族', 'the stale PATCH changed nothing');
  });

  const patch400 = [
    ['document_number (not patchable)', (c) => ({ version: c.version, document_number: makeResidentId('310105', '1980-01-01', 123) })],
    ['sex (not patchable)', (c) => ({ version: c.version, sex: c.sex === 'male' ? 'female' : 'male' })],
    ['area_code (not patchable)', (c) => ({ version: c.version, area_code: '310105001' })],
    ['version as a string', (c) => ({ version: String(c.version), name: '类型错误' })],
    ['name as a number', (c) => ({ version: c.version, name: 12 })],
  ];
  for (const [label, make] of patch400) {
    it(`PATCH with ${label}: 400 bad-request, nothing changes`, async () => {
      const p = claim();
      const cur = (await call('jiangsu-worker', `/api/v1/persons/${p.id}`)).json;
      const body = make(cur);
      const res = await call('jiangsu-worker', `/api/v1/persons/${p.id}`, { method: 'PATCH', body });
      assertProblem(res, 400, 'bad-request', `PATCH ${JSON.stringify(body)}`);
      const now = (await call('jiangsu-worker', `/api/v1/persons/${p.id}`)).json;
      for (const k of ['version', 'name', 'sex', 'area_code', 'document_number']) assert.deepEqual(now[k], cur[k], `${k} unchanged`);
    });
  }

  it('PATCH with an unknown hukou: 422 on field hukou', async () => {
    const p = claim();
    const cur = (await call('jiangsu-worker', `/api/v1/persons/${p.id}`)).json;
    const res = await call('jiangsu-worker', `/api/v1/persons/${p.id}`, {
      method: 'PATCH', body: { version: cur.version, hukou: 'elsewhere' },
    });
    const b = assertProblem(res, 422, 'validation', 'PATCH hukou elsewhere');
    assert.equal(b.errors[0].field, 'hukou');
    const now = (await call('jiangsu-worker', `/api/v1/persons/${p.id}`)).json;
    assert.equal(now.version, cur.version);
    assert.equal(now.hukou, cur.hukou);
  });
});

describe('care tags', () => {
  it('set and remove with a reason; the history shows both', async () => {
    const p = claim((x) => !x.care_tags.includes('unemployed'));
    const set = await call('jiangsu-grid', `/api/v1/persons/${p.id}/care-tags`, {
      method: 'POST', body: { tag: 'unemployed', reason: '登记失业信息' },
    });
    assert.equal(set.status, 200, set.text);
    assert.ok(set.json.care_tags.includes('unemployed'));
    const listed = await call('jiangsu-worker', `/api/v1/persons?care_tag=unemployed&page_size=200`);
    assert.ok(listed.json.items.some((x) => x.id === p.id), 'found by the new tag');

    const del = await call('jiangsu-grid', `/api/v1/persons/${p.id}/care-tags/unemployed`, {
      method: 'DELETE', body: { reason: '已经再就业' },
    });
    assert.equal(del.status, 200, del.text);
    assert.ok(!del.json.care_tags.includes('unemployed'));

    const full = (await call('jiangsu-worker', `/api/v1/persons/${p.id}`)).json;
    assert.ok(!full.care_tags.includes('unemployed'));
    const h = full.care_tag_history.filter((x) => x.tag === 'unemployed');
    const s = h.find((x) => x.action === 'set');
    const r = h.find((x) => x.action === 'removed');
    assert.ok(s && r, `set and removed entries: ${JSON.stringify(full.care_tag_history)}`);
    assert.equal(s.reason, '登记失业信息');
    assert.equal(r.reason, '已经再就业');
    assert.equal(s.by, 'jiangsu-grid');
    assert.equal(r.by, 'jiangsu-grid');
    assert.ok(!Number.isNaN(Date.parse(s.at)) && !Number.isNaN(Date.parse(r.at)), 'times');
    assert.ok(Date.parse(r.at) >= Date.parse(s.at), 'removed after set');
  });

  it('an unknown tag, or the derived aged_80_plus, is 422', async () => {
    const p = claim();
    for (const tag of ['rich', 'aged_80_plus']) {
      const res = await call('jiangsu-worker', `/api/v1/persons/${p.id}/care-tags`, {
        method: 'POST', body: { tag, reason: '测试未知标签' },
      });
      const b = assertProblem(res, 422, 'validation', `tag ${tag}`);
      assert.equal(b.errors[0].field, 'tag');
    }
  });

  it('community_correction: allowed for jiangsu-worker, invisible to and refused for jiangsu-grid', async () => {
    const p = claim((x) => x.dwelling && !x.care_tags.includes('community_correction'));
    const set = await call('jiangsu-worker', `/api/v1/persons/${p.id}/care-tags`, {
      method: 'POST', body: { tag: 'community_correction', reason: '司法所通知纳入矫正' },
    });
    assert.equal(set.status, 200, set.text);
    assert.ok(set.json.care_tags.includes('community_correction'));
    for (const who of ['jiangsu-worker', 'jiangsu']) {
      const d = (await call(who, `/api/v1/persons/${p.id}`)).json;
      assert.ok(d.care_tags.includes('community_correction'), `${who} sees the tag`);
    }

    // jiangsu-grid: no sensitive tag in any list item or in the detail or its history
    const gridList = await listAll(srv.base, S['jiangsu-grid'].token, '/api/v1/persons');
    assert.ok(gridList.some((x) => x.id === p.id), 'the person is in jiangsu-grid\'s list');
    for (const x of gridList) {
      for (const t of SENSITIVE) assert.ok(!x.care_tags.includes(t), `jiangsu-grid list: person ${x.id} shows ${t}`);
    }
    const gd = await call('jiangsu-grid', `/api/v1/persons/${p.id}`);
    assert.equal(gd.status, 200);
    assert.ok(!gd.json.care_tags.includes('community_correction'), 'not in the detail');
    assert.ok(!gd.json.care_tag_history.some((h) => SENSITIVE.includes(h.tag)), 'not in the history');
    assert.ok(!gd.text.includes('community_correction') && !gd.text.includes('司法所通知'), 'nowhere in the answer');
    const filter = await call('jiangsu-grid', '/api/v1/persons?care_tag=community_correction');
    if (filter.status === 200) assert.equal(filter.json.total, 0, 'filtering by it reveals nobody');
    else assertProblem(filter, 422, 'validation', 'jiangsu-grid care_tag=community_correction');

    // statistics leave it out for jiangsu-grid
    const dw = (await call('jiangsu-worker', `/api/v1/dwellings/${p.dwelling.id}`)).json;
    const gc = (await call('jiangsu-grid', `/api/v1/compounds/${dw.compound_id}`)).json;
    const wc = (await call('jiangsu-worker', `/api/v1/compounds/${dw.compound_id}`)).json;
    assert.ok(wc.stats.care_tags.community_correction >= 1, `worker's compound stats count it: ${JSON.stringify(wc.stats.care_tags)}`);
    for (const t of SENSITIVE) assert.ok(!(t in gc.stats.care_tags), `grid's compound stats leave out ${t}: ${JSON.stringify(gc.stats.care_tags)}`);
    const gb = (await call('jiangsu-grid', `/api/v1/buildings/${dw.building_id}`)).json;
    const wb = (await call('jiangsu-worker', `/api/v1/buildings/${dw.building_id}`)).json;
    const cell = (b) => b.grid.flatMap((f) => f.dwellings).find((x) => x.id === dw.id);
    assert.ok(cell(wb).care_tags.includes('community_correction'), 'worker\'s building grid shows it');
    for (const f of gb.grid) {
      for (const x of f.dwellings) {
        for (const t of SENSITIVE) assert.ok(!x.care_tags.includes(t), `grid's building view: dwelling ${x.id} shows ${t}`);
      }
    }

    // jiangsu-grid may not set it (422) nor remove it
    const q = claim((x) => !x.care_tags.includes('community_correction'));
    const gset = await call('jiangsu-grid', `/api/v1/persons/${q.id}/care-tags`, {
      method: 'POST', body: { tag: 'community_correction', reason: '网格员尝试设置' },
    });
    assertProblem(gset, 422, 'validation', 'jiangsu-grid sets community_correction');
    const qd = (await call('jiangsu-worker', `/api/v1/persons/${q.id}`)).json;
    assert.ok(!qd.care_tags.includes('community_correction'), 'not set');
    const gdel = await call('jiangsu-grid', `/api/v1/persons/${p.id}/care-tags/community_correction`, {
      method: 'DELETE', body: { reason: '网格员尝试移除' },
    });
    assert.ok(gdel.status >= 400 && gdel.status < 500, `jiangsu-grid removes community_correction -> ${gdel.status} ${gdel.text}`);
    const pd = (await call('jiangsu-worker', `/api/v1/persons/${p.id}`)).json;
    assert.ok(pd.care_tags.includes('community_correction'), 'still set');
  });
});
