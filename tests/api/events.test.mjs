// Live events over SSE: auth, audit events, Last-Event-ID replay, scope.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, api, cli, login, assertProblem, assertSecurityHeaders, openEvents, deadline, formAnswers,
} from './harness.mjs';

let srv;
const open = [];

let reader; // an admin session used to look up audit rows

// Audit rows go only to accounts that may read the audit log: an auditor of
// 江苏路街道 (310105002) receives those of the subdistrict, jiangsu (its admin,
// without audit.read) none.
const AUDITOR = ['jiangsu-auditor', 'Audit-jiangsu-2026'];
const asAuditor = () => login(srv.base, ...AUDITOR);

before(async () => {
  srv = await startServer();
  reader = await login(srv.base, 'admin');
  const added = await cli(['user', 'add', '--db', srv.db.url, '--username', AUDITOR[0], '--role', 'auditor',
    '--area', '310105002', '--display-name', '江苏路审计员', '--password', AUDITOR[1]]);
  assert.equal(added.code, 0, `shequ user add ${AUDITOR[0]}: ${added.stdout}\n${added.stderr}`);
});
after(async () => {
  for (const s of open) s.close();
  if (srv) await srv.stop();
});

async function subscribe(opts) {
  const s = await openEvents(srv.base, opts);
  open.push(s);
  return s;
}

/** The audit row written by the request with this X-Request-Id (looked up by the admin). */
async function rowOf(requestId) {
  const res = await api(srv.base, '/api/v1/audit?page_size=200', { token: reader.token });
  assert.equal(res.status, 200, res.text);
  const row = res.json.items.find((r) => r.request_id === requestId);
  assert.ok(row, `audit row of request ${requestId}`);
  return row;
}

/** Predicate: the audit event of that row (events carry the row's seq). */
const auditOf = (row) => (e) => e.event === 'audit' && e.json && e.json.seq === row.seq;

/** Log in and return the session together with the audit row of that login. */
async function loginRow(username) {
  const s = await login(srv.base, username);
  s.row = await rowOf(s.requestId);
  return s;
}

describe('GET /api/v1/events', () => {
  it('without authentication answers 401 problem+json', async () => {
    const res = await api(srv.base, '/api/v1/events', { headers: { accept: 'text/event-stream' } });
    assertProblem(res, 401, 'unauthenticated', 'GET /events w/o auth');
    const bad = await api(srv.base, '/api/v1/events', { cookie: 'shequ_session=nope', headers: { accept: 'text/event-stream' } });
    assertProblem(bad, 401, 'unauthenticated', 'GET /events with a bad cookie');
  });

  it('with the session cookie answers text/event-stream and sends audit events with ids', async () => {
    const js = await asAuditor();
    const es = await subscribe({ cookie: js.cookie });
    assert.equal(es.status, 200);
    assert.match(es.headers['content-type'] || '', /^text\/event-stream/);
    assertSecurityHeaders(es.headers, 'event stream');
    const again = await loginRow('jiangsu');
    const ev = await es.waitFor(auditOf(again.row), 5000, `audit event of login ${again.requestId}`);
    assert.ok(ev.id !== undefined && ev.id.length > 0, `the event has an id: ${JSON.stringify(ev.fields)}`);
    assert.ok(ev.json, `data is JSON: ${ev.data}`);
    for (const k of ['seq', 'account', 'action', 'area_code']) {
      assert.deepEqual(ev.json[k], again.row[k], `event data ${k} is the audit row's`);
    }
    assert.equal(ev.json.account, 'jiangsu');
    assert.equal(ev.json.area_code, '310105002');
    // ids grow
    const third = await loginRow('jiangsu');
    const ev2 = await es.waitFor(auditOf(third.row), 5000, 'second audit event');
    assert.notEqual(ev2.id, ev.id);
    assert.ok(ev2.json.seq > ev.json.seq);
    es.close();
  });

  it('also works with a bearer token', async () => {
    const adm = await login(srv.base, 'admin');
    const es = await subscribe({ token: adm.token });
    assert.equal(es.status, 200);
    const x = await loginRow('jiangsu-worker');
    await es.waitFor(auditOf(x.row), 5000, 'audit event for admin');
    es.close();
  });

  it('reconnecting with Last-Event-ID replays the events after it', async () => {
    const js = await asAuditor();
    const es = await subscribe({ cookie: js.cookie });
    const l1 = await loginRow('jiangsu');
    const e1 = await es.waitFor(auditOf(l1.row), 5000, 'first event');
    es.close();
    await es.whenClosed;
    // while disconnected
    const l2 = await loginRow('jiangsu');
    const l3 = await loginRow('jiangsu');
    const es2 = await subscribe({ cookie: js.cookie, lastEventId: e1.id });
    assert.equal(es2.status, 200);
    const e2 = await es2.waitFor(auditOf(l2.row), 5000, 'replayed event 2');
    const e3 = await es2.waitFor(auditOf(l3.row), 5000, 'replayed event 3');
    assert.ok(es2.events.indexOf(e2) < es2.events.indexOf(e3), 'replayed in order');
    assert.ok(!es2.events.some(auditOf(l1.row)), 'the event of Last-Event-ID itself is not replayed');
    assert.ok(!es2.events.some((e) => e.id === e1.id));
    // and then live events continue
    const l4 = await loginRow('jiangsu');
    await es2.waitFor(auditOf(l4.row), 5000, 'live event after replay');
    // without Last-Event-ID, nothing old is replayed
    const es3 = await subscribe({ cookie: js.cookie });
    const l5 = await loginRow('jiangsu');
    await es3.waitFor(auditOf(l5.row), 5000, 'live event on a fresh stream');
    assert.ok(!es3.events.some(auditOf(l4.row)), 'a fresh stream does not replay');
    es2.close();
    es3.close();
  });

  it("jiangsu's auditor does not receive huayang's audit events; admin does; jiangsu (no audit.read) receives none", async () => {
    const js = await asAuditor();
    const adm = await login(srv.base, 'admin');
    const esJ = await subscribe({ cookie: js.cookie });
    const esA = await subscribe({ cookie: adm.cookie });
    const esNone = await subscribe({ cookie: (await login(srv.base, 'jiangsu')).cookie });
    const pre = await loginRow('jiangsu');
    const preEv = await esJ.waitFor(auditOf(pre.row), 5000, "jiangsu's first login");
    const hy = await loginRow('huayang');
    const hyOut = await api(srv.base, '/api/v1/auth/logout', { method: 'POST', token: hy.token });
    assert.equal(hyOut.status, 204);
    const hyOutRow = await rowOf(hyOut.headers['x-request-id']);
    const mine = await loginRow('jiangsu');
    // events are delivered in order, so once jiangsu's own later login has arrived,
    // huayang's earlier ones would have too
    await esJ.waitFor(auditOf(mine.row), 5000, "jiangsu's own login");
    await esA.waitFor(auditOf(hy.row), 5000, "huayang's login on the admin's stream");
    await esA.waitFor(auditOf(hyOutRow), 5000, "huayang's logout on the admin's stream");
    await esA.waitFor(auditOf(mine.row), 5000, "jiangsu's login on the admin's stream");
    assert.ok(!esJ.events.some(auditOf(hy.row)), "jiangsu got huayang's login");
    assert.ok(!esJ.events.some(auditOf(hyOutRow)), "jiangsu got huayang's logout");
    assert.ok(!esJ.events.some((e) => e.json && e.json.account === 'huayang'), 'no huayang rows at all');
    assert.ok(esJ.events.filter((e) => e.event === 'audit')
      .every((e) => !e.json || String(e.json.area_code).startsWith('310105002')), 'only rows inside 310105002');
    // replay honours scope too
    const esJ2 = await subscribe({ cookie: js.cookie, lastEventId: preEv.id });
    const again = await loginRow('jiangsu');
    await esJ2.waitFor(auditOf(again.row), 5000, 'live event after replay');
    assert.ok(!esJ2.events.some((e) => e.json && e.json.account === 'huayang'), 'replay skips huayang rows');
    assert.ok(esJ2.events.some(auditOf(mine.row)), "replay includes jiangsu's earlier login");
    assert.ok(!esNone.events.some((e) => e.event === 'audit'), 'jiangsu, without audit.read, got audit rows');
    const esNone2 = await subscribe({ cookie: (await login(srv.base, 'jiangsu')).cookie, lastEventId: preEv.id });
    await loginRow('jiangsu');
    await deadline(500);
    assert.ok(!esNone2.events.some((e) => e.event === 'audit'), 'nor in a replay');
    esNone.close();
    esNone2.close();
    esJ.close();
    esA.close();
    esJ2.close();
  });

  it("a resident hears only of their own case, not the neighborhood's audit rows or others' cases", async () => {
    const resident = await login(srv.base, 'jiangsu-resident');
    const worker = await login(srv.base, 'jiangsu-worker');
    const esR = await subscribe({ cookie: resident.cookie });
    const esW = await subscribe({ cookie: worker.cookie });
    const me = await api(srv.base, '/api/v1/me', { token: resident.token });
    const area = me.json.area.code;
    // A case the worker reports in the resident's neighborhood, then one the resident reports.
    const theirs = await api(srv.base, '/api/v1/cases', {
      method: 'POST', token: worker.token, body: { category_code: 'S10', title: '工作人员上报', area_code: area },
    });
    assert.equal(theirs.status, 201, theirs.text);
    const mine = await api(srv.base, '/api/v1/cases', {
      method: 'POST', token: resident.token, body: { category_code: 'S10', title: '居民上报', area_code: area },
    });
    assert.equal(mine.status, 201, mine.text);
    const caseEvent = (id) => (e) => e.event === 'case' && e.json && e.json.id === id;
    await esR.waitFor(caseEvent(mine.json.id), 5000, "the resident's own case on their stream");
    await esW.waitFor(caseEvent(mine.json.id), 5000, "the resident's case on the worker's stream");
    assert.ok(esW.events.some(caseEvent(theirs.json.id)), "the worker's case on the worker's stream");
    assert.ok(!esR.events.some(caseEvent(theirs.json.id)), "the resident got someone else's case");
    assert.ok(!esR.events.some((e) => e.event === 'audit'), 'the resident got audit rows');
    assert.ok(!esW.events.some((e) => e.event === 'audit'), 'the worker (no audit.read) got audit rows');
    esR.close();
    esW.close();
  });

  it('case events reach only staff who read cases, application events only staff who apply or handle', async () => {
    const resident = await login(srv.base, 'jiangsu-resident');
    const worker = await login(srv.base, 'jiangsu-worker');
    const esW = await subscribe({ cookie: worker.cookie });
    const esA = await subscribe({ cookie: (await asAuditor()).cookie });
    // the demo's dispatcher of 江苏路 reads cases but not applications
    const esD = await subscribe({ cookie: (await login(srv.base, 'jiangsu-dispatcher')).cookie });
    // an online application of the resident's, then a case they report
    const form = formAnswers((await api(srv.base, '/api/v1/services/FL010')).json.form);
    const applied = await api(srv.base, '/api/v1/applications', {
      method: 'POST', token: resident.token, body: { guide_code: 'FL010', form },
    });
    assert.equal(applied.status, 201, applied.text);
    const area = (await api(srv.base, '/api/v1/me', { token: resident.token })).json.area.code;
    const reported = await api(srv.base, '/api/v1/cases', {
      method: 'POST', token: resident.token, body: { category_code: 'S10', title: '楼道灯坏了', area_code: area },
    });
    assert.equal(reported.status, 201, reported.text);
    const appEvent = (e) => e.event === 'application' && e.json && e.json.id === applied.json.id;
    const caseEvent = (e) => e.event === 'case' && e.json && e.json.id === reported.json.id;
    await esW.waitFor(appEvent, 5000, 'the application on the worker\'s stream');
    await esW.waitFor(caseEvent, 5000, 'the case on the worker\'s stream');
    // events arrive in order: once the later case has reached the dispatcher, the application would have too
    await esD.waitFor(caseEvent, 5000, 'the case on the dispatcher\'s stream');
    assert.ok(!esD.events.some((e) => e.event.startsWith('application')), 'the dispatcher heard of an application');
    // …and once a later audit row has reached the auditor, the case would have too
    const later = await loginRow('jiangsu');
    await esA.waitFor(auditOf(later.row), 5000, 'a later audit row on the auditor\'s stream');
    assert.ok(!esA.events.some((e) => e.event.startsWith('case') || e.event.startsWith('application')),
      `the auditor heard of cases or applications: ${esA.events.map((e) => e.event).join(',')}`);
    esW.close();
    esA.close();
    esD.close();
  });

  it('a revoked session stops receiving events', async () => {
    const js = await asAuditor();
    const es = await subscribe({ token: js.token });
    const out = await api(srv.base, '/api/v1/auth/logout', { method: 'POST', token: js.token });
    assert.equal(out.status, 204);
    const other = await loginRow('jiangsu');
    // either the stream is closed, or at least the later events are not delivered
    await Promise.race([es.whenClosed, deadline(1500)]);
    assert.ok(es.closed || !es.events.some(auditOf(other.row)), 'no events after logout');
    es.close();
  });
});
