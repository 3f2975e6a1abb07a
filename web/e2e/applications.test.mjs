// Applications (一网通办 申请) and registration in real browser pages: a
// resident asks on the portal, opens a guide and applies online with a
// material; a worker accepts, the subdistrict approves and completes, the
// resident sees 办结. 补正: returned with what is missing, corrected and sent
// again. 代办: a worker applies for an elderly resident with verbal consent
// and a witness; she signs in (large text without asking) and finds it.
// Registration by phone with the SMS code from the server's log. A form
// missing required fields shows the server's field messages and creates
// nothing. The portal on a phone and the kiosk on a large screen still work.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { apiAs as apiAt } from './server.mjs'
import {
  useServerAndBrowsers, login, submitLogin, screenshot, assertNoHorizontalScroll, openAccountMenu, closeAccountMenu, PHONE, DESKTOP,
} from './browser.mjs'

const KIOSK = { width: 1920, height: 1080 }
const env = useServerAndBrowsers()

const open = env.open
/** The API as `user` with a bearer token (no browser). */
const apiAs = (user, password) => apiAt(env.srv.baseURL, user, password)
const phone = () => open({ viewport: PHONE, isMobile: true })
const desktop = () => open({ viewport: DESKTOP })

/** A tiny valid PDF as a file for <input type=file>. */
function pdf(name) {
  const text = '%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n'
  return { name, mimeType: 'application/pdf', buffer: Buffer.from(text) }
}

const careOn = (page) => page.evaluate(() => document.documentElement.classList.contains('care-mode'))
const fieldError = (page, key) => page.getByTestId(`field-${key}`).locator('.el-form-item__error')

/** Opens an application's page and waits for it. */
async function openApplication(page, id) {
  await page.goto(`/applications/${id}`)
  await page.locator(`[data-testid=application][data-id="${id}"]`).waitFor()
}
/** Clicks a one-click action and waits for the new state. */
async function act(page, action, state) {
  const answered = page.waitForResponse((r) => /\/api\/v1\/applications\/\d+\/actions$/.test(r.url()))
  await page.getByTestId(`action-${action}`).click()
  assert.equal((await answered).status(), 200, `${action} accepted by the server`)
  await page.locator(`[data-testid=application][data-state=${state}]`).waitFor()
}
/** An action that needs a note, through its dialog. */
async function actWithNote(page, action, note, state) {
  await page.getByTestId(`action-${action}`).click()
  const dialog = page.locator('.el-dialog').filter({ has: page.getByTestId('application-note') })
  await dialog.waitFor()
  await dialog.getByTestId('application-note').fill(note)
  await dialog.getByTestId('application-dialog-send').click()
  await page.locator(`[data-testid=application][data-state=${state}]`).waitFor()
}

test('a resident asks, opens a guide, applies online with a material; the worker accepts, the subdistrict approves and completes', async () => {
  const { page, problems } = await phone()
  // a visitor first: the question, the guide, 在线申请 → sign in → straight back to the form
  await page.goto('/services')
  await page.getByTestId('ask-input').fill('老年综合津贴怎么申领')
  await page.getByTestId('ask-submit').click()
  await page.locator('[data-testid=service-result][data-code=YL001]').click()
  await page.waitForURL(/\/services\/YL001$/)
  const apply = page.getByTestId('guide-apply')
  await apply.waitFor()
  assert.match(await apply.innerText(), /在线申请/)
  assert.ok(await page.getByTestId('guide-apply-hint').isVisible(), 'says to sign in first')
  assert.equal(await page.getByTestId('guide-proxy-apply').count(), 0, 'no 代办 for visitors')
  await apply.click()
  await page.waitForURL((u) => u.pathname === '/login' && u.searchParams.get('redirect') === '/apply/YL001')
  await submitLogin(page, 'jiangsu-resident')
  await page.waitForURL(/\/apply\/YL001$/)
  const form = page.getByTestId('application-form')
  await form.waitFor()
  assert.equal(await page.getByTestId('apply-page').getAttribute('data-mode'), 'self')
  assert.equal(await page.getByTestId('apply-guide-name').innerText(), '老年综合津贴申领')
  // fields from the guide's form, the required ones marked
  assert.equal(await page.getByTestId('field-birth_date').getAttribute('data-type'), 'date')
  assert.equal(await page.getByTestId('field-account_type').getAttribute('data-type'), 'select')
  assert.equal(await page.getByTestId('field-by_agent').getAttribute('data-type'), 'checkbox')
  assert.ok(await page.getByTestId('field-birth_date').evaluate((e) => e.classList.contains('is-required')))
  assert.equal(await page.getByTestId('field-by_agent').evaluate((e) => e.classList.contains('is-required')), false)
  assert.equal(await page.getByTestId('apply-person').count(), 0, 'no resident to pick when applying for oneself')

  await page.getByTestId('input-birth_date').fill('1952-05-06')
  await page.locator('[data-testid=option-account_type][data-value=社会保障卡]').click()
  // a file of another kind is refused before anything is sent; a PDF is taken
  await page.getByTestId('material-input').setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hello') })
  await page.getByTestId('material-refused').waitFor()
  assert.equal(await page.getByTestId('material-chosen').count(), 0)
  await page.getByTestId('material-input').setInputFiles(pdf('身份证.pdf'))
  await page.locator('[data-testid=material-chosen][data-name="身份证.pdf"]').waitFor()
  await assertNoHorizontalScroll(page, 'apply form')
  await screenshot(page, 'applications-1-apply-form-phone')

  const created = page.waitForResponse((r) => r.url().endsWith('/api/v1/applications') && r.request().method() === 'POST')
  const uploaded = page.waitForResponse((r) => /\/materials\?name=/.test(r.url()))
  await page.getByTestId('apply-submit').click()
  const res = await created
  assert.equal(res.status(), 201)
  assert.deepEqual(JSON.parse(res.request().postData()),
    { guide_code: 'YL001', form: { birth_date: '1952-05-06', account_type: '社会保障卡' } })
  const { id } = await res.json()
  assert.equal((await uploaded).status(), 201)
  await page.waitForURL(new RegExp(`/applications/${id}$`))
  await page.locator('[data-testid=application][data-state=submitted]').waitFor()
  await page.locator('[data-testid=application-material][data-name="身份证.pdf"]').waitFor()
  assert.equal(await page.getByTestId('action-withdraw').count(), 1, 'the applicant may withdraw')
  assert.equal(await page.getByTestId('action-accept').count(), 0)
  assert.equal(await page.locator('[data-testid=progress-stage][data-stage=submitted]').getAttribute('data-status'), 'current')
  assert.equal(await page.getByTestId('answer-account_type').innerText(), '社会保障卡')
  await assertNoHorizontalScroll(page, 'application page')
  await screenshot(page, 'applications-2-submitted-phone')

  // the worker of the neighborhood accepts it from the work list
  const worker = await desktop()
  await login(worker.page, 'jiangsu-worker')
  await worker.page.getByTestId('menu-applications').click()
  await worker.page.waitForURL(/\/applications$/)
  const card = worker.page.locator(`[data-testid=application-card][data-id="${id}"]`)
  await card.waitFor()
  assert.equal(await card.getAttribute('data-state'), 'submitted')
  // filter by state: only submitted ones, in the address too
  await worker.page.getByTestId('applications-state').click()
  await worker.page.locator('.el-select-dropdown__item').filter({ hasText: '已提交' }).click()
  await worker.page.waitForURL(/state=submitted/)
  await card.waitFor()
  const states = await worker.page.getByTestId('application-card').evaluateAll((els) => els.map((e) => e.dataset.state))
  assert.ok(states.length > 0 && states.every((s) => s === 'submitted'), `states ${states}`)
  await screenshot(worker.page, 'applications-3-work-list')
  // the deadline colour filter goes to the server (nothing is overdue yet), and back to all
  const overdue = worker.page.waitForResponse((r) => r.url().includes('/api/v1/applications?') && r.url().includes('deadline=red'))
  await worker.page.getByTestId('applications-deadline-red').click()
  assert.equal((await overdue).status(), 200)
  await worker.page.waitForURL(/deadline=red/)
  await card.waitFor({ state: 'detached' })
  const reds = await worker.page.getByTestId('application-card').evaluateAll((els) => els.map((e) => e.dataset.deadline))
  assert.ok(reds.every((d) => d === 'red'), `deadlines ${reds}`)
  await worker.page.getByTestId('applications-deadline').getByText('全部').click()
  await card.waitFor()
  await card.locator('a').click()
  await worker.page.waitForURL(new RegExp(`/applications/${id}$`))
  await worker.page.getByTestId('action-accept').waitFor()
  assert.equal(await worker.page.getByTestId('action-withdraw').count(), 0)
  await act(worker.page, 'accept', 'accepted')
  await worker.page.getByTestId('application-due').waitFor()
  assert.equal(await worker.page.getByTestId('application-due').getAttribute('data-deadline'), 'green')
  assert.equal(await worker.page.getByTestId('action-approve').count(), 1)
  await screenshot(worker.page, 'applications-4-accepted')

  // the subdistrict approves and completes it
  const sub = await desktop()
  await login(sub.page, 'jiangsu')
  await openApplication(sub.page, id)
  await act(sub.page, 'approve', 'approved')
  await act(sub.page, 'complete', 'done')
  assert.equal(await sub.page.getByTestId('action-complete').count(), 0, 'nothing more to do')
  const steps = await sub.page.getByTestId('application-step').evaluateAll((els) => els.map((e) => e.dataset.action))
  assert.deepEqual(steps, ['complete', 'approve', 'accept', 'submit'])

  // the resident sees 办结 (live on the page, and in 我的申请)
  await page.locator('[data-testid=application][data-state=done]').waitFor({ timeout: 15_000 }).catch(async () => {
    await page.reload()
    await page.locator('[data-testid=application][data-state=done]').waitFor()
  })
  await page.getByTestId('application-done').waitFor()
  for (const s of ['submitted', 'accepted', 'approved', 'done']) {
    assert.equal(await page.locator(`[data-testid=progress-stage][data-stage=${s}]`).getAttribute('data-status'), 'done', s)
  }
  assert.equal(await page.getByTestId('application-state').innerText(), '已办结')
  assert.equal(await page.getByTestId('action-withdraw').count(), 0)
  await page.goto('/my-applications')
  const mine = page.locator(`[data-testid=application-card][data-id="${id}"]`)
  await mine.waitFor()
  assert.equal(await mine.getAttribute('data-state'), 'done')
  assert.match(await mine.innerText(), /已办结/)
  await assertNoHorizontalScroll(page, 'my applications')
  await screenshot(page, 'applications-5-done-phone')
  assert.deepEqual([...problems, ...worker.problems, ...sub.problems], [])
})

test('补正: the worker returns it with what is missing; the resident sees it, corrects the form and submits again', async () => {
  const resident = await apiAs('jiangsu-resident')
  const made = await resident.post('/applications', { guide_code: 'YL007', form: { meal_type: '助餐点自取', meals: '午餐' } })
  assert.equal(made.status, 201)
  const id = made.body.id

  const worker = await desktop()
  await login(worker.page, 'jiangsu-worker')
  await openApplication(worker.page, id)
  // the note is required: the server's field message shows in the dialog
  await worker.page.getByTestId('action-return').click()
  const dialog = worker.page.locator('.el-dialog').filter({ has: worker.page.getByTestId('application-note') })
  await dialog.getByTestId('application-dialog-send').click()
  await dialog.locator('.el-form-item__error').filter({ hasText: '请写明需要补正' }).waitFor()
  await dialog.getByTestId('application-note').fill('请补充送餐地址，并上传户口簿复印件')
  await dialog.getByTestId('application-dialog-send').click()
  await worker.page.locator('[data-testid=application][data-state=returned]').waitFor()
  await screenshot(worker.page, 'applications-6-returned-worker')

  const { page, problems } = await phone()
  await login(page, 'jiangsu-resident')
  await page.goto('/my-applications')
  const card = page.locator(`[data-testid=application-card][data-id="${id}"]`)
  await card.waitFor()
  assert.equal(await card.getAttribute('data-state'), 'returned')
  await card.locator('a').click()
  await page.waitForURL(new RegExp(`/applications/${id}$`))
  const missing = page.getByTestId('application-missing')
  await missing.waitFor()
  assert.match(await missing.innerText(), /请补充送餐地址，并上传户口簿复印件/)
  assert.equal(await page.locator('[data-testid=progress-stage][data-stage=submitted]').getAttribute('data-status'), 'warn')
  // the form is editable again, with the answers given
  const mealType = page.locator('[data-testid=option-meal_type][data-value=助餐点自取]')
  assert.ok(await mealType.evaluate((e) => e.classList.contains('is-checked')))
  await page.locator('[data-testid=option-meal_type][data-value=送餐上门]').click()
  await page.getByTestId('input-delivery_address').fill('天山西路103弄1号103室')
  await page.getByTestId('application-material-picker').getByTestId('material-input').setInputFiles(pdf('户口簿.pdf'))
  await page.getByTestId('material-upload').click()
  await page.locator('[data-testid=application-material][data-name="户口簿.pdf"]').waitFor()
  await assertNoHorizontalScroll(page, 'returned application')
  await screenshot(page, 'applications-7-returned-resident')

  const resent = page.waitForResponse((r) => r.url().endsWith(`/api/v1/applications/${id}/actions`))
  await page.getByTestId('action-resubmit').click()
  const body = JSON.parse((await resent).request().postData())
  assert.equal(body.action, 'resubmit')
  assert.deepEqual(body.form, { meal_type: '送餐上门', meals: '午餐', delivery_address: '天山西路103弄1号103室' })
  await page.locator('[data-testid=application][data-state=submitted]').waitFor()
  assert.equal(await page.getByTestId('application-missing').count(), 0)
  assert.equal(await page.getByTestId('answer-delivery_address').innerText(), '天山西路103弄1号103室')
  const steps = await page.getByTestId('application-step').evaluateAll((els) => els.map((e) => e.dataset.action))
  assert.deepEqual(steps, ['resubmit', 'return', 'submit'])
  await screenshot(page, 'applications-8-resubmitted')

  // back on the worker's list, waiting again
  const again = await resident.get(`/applications/${id}`)
  assert.equal(again.body.state, 'submitted')
  assert.equal(again.body.missing, null)
  assert.deepEqual([...problems, ...worker.problems], [])
})

test('代办: the worker applies for an elderly resident with verbal consent and a witness; she finds it in 我的申请 with large text', async () => {
  const elderApi = await apiAs('jiangsu-elder')
  const me = (await elderApi.get('/me')).body
  assert.equal(me.preferences.care_mode, true)
  const elderName = me.display_name.split('（')[0]

  const worker = await phone()
  const { page } = worker
  await login(page, 'jiangsu-worker')
  // an offline guide: no 在线申请, but 代办
  await page.goto('/services/YL004')
  await page.getByTestId('guide-proxy-apply').waitFor()
  assert.equal(await page.getByTestId('guide-apply').count(), 0)
  await page.getByTestId('guide-proxy-apply').click()
  await page.waitForURL(/\/apply\/YL004/)
  await page.getByTestId('apply-person').waitFor()
  assert.equal(await page.getByTestId('apply-page').getAttribute('data-mode'), 'proxy')

  await page.getByTestId('apply-person-query').fill(elderName)
  await page.getByTestId('apply-person-search').click()
  const option = page.getByTestId('apply-person-option').first()
  await option.waitFor()
  const optionText = await option.innerText()
  assert.match(optionText, new RegExp(elderName))
  assert.match(optionText, /\*{4}/, 'masked data only')
  assert.doesNotMatch(optionText, /\d{17}[\dX]/, 'no full document number')
  await option.click()
  await page.getByTestId('apply-person-chosen').waitFor()

  // verbal consent without the witness: the server's message under the note
  await page.locator('[data-testid=apply-consent-option][data-value=verbal]').click()
  await page.locator('[data-testid=option-family_type][data-value=其他]').click()
  await page.getByTestId('input-consent').click()
  await page.getByTestId('input-service_wish').fill('希望每周上门助浴一次')
  const refused = page.waitForResponse((r) => r.url().endsWith('/api/v1/applications') && r.request().method() === 'POST')
  await page.getByTestId('apply-submit').click()
  assert.equal((await refused).status(), 422)
  await fieldError(page, 'consent-note').waitFor()
  assert.match(await fieldError(page, 'consent-note').innerText(), /.+/)
  await screenshot(page, 'applications-9-proxy-no-witness')

  await page.getByTestId('apply-consent-note').fill('居委主任李某在场见证，老人口头同意代办')
  const created = page.waitForResponse((r) => r.url().endsWith('/api/v1/applications') && r.request().method() === 'POST')
  await page.getByTestId('apply-submit').click()
  const res = await created
  assert.equal(res.status(), 201)
  const sent = JSON.parse(res.request().postData())
  assert.equal(sent.guide_code, 'YL004')
  assert.equal(typeof sent.person_id, 'number')
  assert.deepEqual(sent.consent, { method: 'verbal', note: '居委主任李某在场见证，老人口头同意代办' })
  assert.deepEqual(sent.form, { family_type: '其他', service_wish: '希望每周上门助浴一次', consent: true })
  const { id } = await res.json()
  await page.waitForURL(new RegExp(`/applications/${id}$`))
  await page.getByTestId('application-proxy').waitFor()
  assert.equal(await page.getByTestId('application-consent').getAttribute('data-method'), 'verbal')
  assert.equal(await page.getByTestId('application-applicant').innerText(), elderName)
  // the proxy may not handle what they applied for
  assert.equal(await page.getByTestId('action-accept').count(), 0)
  assert.equal(await page.getByTestId('action-withdraw').count(), 1)
  await assertNoHorizontalScroll(page, 'proxy application')
  await screenshot(page, 'applications-10-proxy-submitted')
  // in the worker's list of their 代办
  await page.goto('/applications?mine=1')
  await page.locator(`[data-testid=application-card][data-id="${id}"]`).waitFor()

  // the elder signs in: large text from her preference, without doing anything
  const elder = await phone()
  await login(elder.page, 'jiangsu-elder')
  assert.equal(await careOn(elder.page), true, 'care mode on after sign-in')
  const size = await elder.page.evaluate(() => parseFloat(getComputedStyle(document.documentElement).fontSize))
  assert.ok(size >= 20, `root font ${size}px`)
  await elder.page.goto('/services')
  await elder.page.getByTestId('services-my-applications').click()
  await elder.page.waitForURL(/\/my-applications$/)
  assert.equal(await careOn(elder.page), true, 'still large on 我的申请')
  const card = elder.page.locator(`[data-testid=application-card][data-id="${id}"]`)
  await card.waitFor()
  assert.match(await card.innerText(), /养老服务补贴申请/)
  assert.match(await card.innerText(), /江苏路社区工作者 代办/)
  await assertNoHorizontalScroll(elder.page, 'elder my applications')
  await screenshot(elder.page, 'applications-11-elder-my-applications')
  await card.locator('a').click()
  await elder.page.getByTestId('application-proxy').waitFor()
  assert.equal(await elder.page.getByTestId('application-proxy').innerText(), '江苏路社区工作者')
  await assertNoHorizontalScroll(elder.page, 'elder application')
  assert.deepEqual([...worker.problems, ...elder.problems], [])
})

test('registration: phone, SMS code (from the server log), neighborhood, password policy; then sign in', async () => {
  const { page, context, problems } = await phone()
  await page.goto('/login')
  await page.getByTestId('login-register').click()
  await page.waitForURL(/\/register/)
  await page.getByTestId('register-form').waitFor()
  assert.match(await page.getByTestId('register-policy').innerText(), /至少 10 位/)
  const phoneNo = `199${String(Date.now()).slice(-8)}`
  assert.equal(await page.getByTestId('register-send-code').isDisabled(), true, 'no code before a valid number')
  await page.getByTestId('register-phone').fill(phoneNo)
  await page.getByTestId('register-send-code').click()
  await page.getByTestId('register-code-sent').waitFor()
  assert.match(await page.getByTestId('register-send-code').innerText(), /\d+ 秒后可重发/)
  assert.equal(await page.getByTestId('register-send-code').isDisabled(), true)

  // the demo SMS driver writes the message into the server's log
  let code = ''
  for (let i = 0; i < 50 && !code; i++) {
    const m = env.srv.log().match(new RegExp(`短信 message to ${phoneNo}: .*?验证码是 (\\d{6})`))
    if (m) code = m[1]
    else await new Promise((r) => setTimeout(r, 100))
  }
  assert.match(code, /^\d{6}$/, 'the code is in the server log')

  // another page asks again within 60 s: the 429 is shown with a countdown
  const other = await context.newPage()
  await other.goto('/register')
  await other.getByTestId('register-phone').fill(phoneNo)
  await other.getByTestId('register-send-code').click()
  const limited = other.getByTestId('register-code-error')
  await limited.waitFor()
  assert.match(await limited.innerText(), /1 分钟后再试/)
  assert.match(await other.getByTestId('register-send-code').innerText(), /秒后可重发/)
  await screenshot(other, 'applications-12-register-429')
  await other.close()

  await page.getByTestId('register-code').fill(code)
  await page.getByTestId('register-neighborhood').click()
  await page.keyboard.type('南汪花园')
  await page.locator('.el-select-dropdown__item').filter({ hasText: '南汪花园居民区（江苏路街道）' }).click()
  await page.getByTestId('register-birth-date').fill('1985-04-12')
  await page.getByTestId('register-display-name').fill('小王')
  // a weak password: the policy message under the field (the code stays good)
  await page.getByTestId('register-password').fill('abc')
  await page.getByTestId('register-submit').click()
  await fieldError(page, 'password').waitFor()
  assert.match(await fieldError(page, 'password').innerText(), /密码/)
  await assertNoHorizontalScroll(page, 'register form')
  await screenshot(page, 'applications-13-register-form')

  const password = 'Xinzhu-2026-ok'
  await page.getByTestId('register-password').fill(password)
  const registered = page.waitForResponse((r) => r.url().endsWith('/api/v1/registrations') && r.request().method() === 'POST')
  await page.getByTestId('register-submit').click()
  const res = await registered
  assert.equal(res.status(), 201)
  assert.deepEqual(JSON.parse(res.request().postData()), {
    phone: phoneNo, code, password, area_code: '310105002001', birth_date: '1985-04-12', display_name: '小王',
  })
  const done = page.getByTestId('register-done')
  await done.waitFor()
  assert.equal(await done.getAttribute('data-username'), phoneNo)
  await screenshot(page, 'applications-14-registered')

  await page.getByTestId('register-login').click()
  await page.waitForURL(/\/login\?username=/)
  assert.equal(await page.getByTestId('login-username').inputValue(), phoneNo, 'the phone is filled in')
  await page.getByTestId('login-password').fill(password)
  await page.getByTestId('login-submit').click()
  await page.getByTestId('user-menu').waitFor()
  assert.equal(await page.getByTestId('user-display-name').innerText(), '小王')
  await openAccountMenu(page)
  assert.match(await page.getByTestId('user-role').innerText(), /居民/)
  assert.match(await page.getByTestId('user-area').innerText(), /南汪花园居民区/)
  await closeAccountMenu(page)
  assert.equal(await careOn(page), false, 'born 1985: no large text by default')
  assert.deepEqual(problems, [])
})

test('a form missing required fields shows each field’s message (in the user’s language) and creates nothing', async () => {
  const resident = await apiAs('jiangsu-resident')
  const before = (await resident.get('/applications')).body.total
  const { page, problems } = await phone()
  await login(page, 'jiangsu-resident')
  await page.goto('/apply/YL001')
  await page.getByTestId('application-form').waitFor()
  const refused = page.waitForResponse((r) => r.url().endsWith('/api/v1/applications') && r.request().method() === 'POST')
  await page.getByTestId('apply-submit').click()
  const res = await refused
  assert.equal(res.status(), 422)
  const problem = await res.json()
  assert.deepEqual(problem.errors.map((e) => e.field).sort(), ['form.account_type', 'form.birth_date'])
  await fieldError(page, 'birth_date').waitFor()
  assert.equal(await fieldError(page, 'birth_date').innerText(), problem.errors.find((e) => e.field === 'form.birth_date').message_zh)
  assert.equal(await fieldError(page, 'account_type').innerText(),
    problem.errors.find((e) => e.field === 'form.account_type').message_zh)
  assert.equal(await fieldError(page, 'by_agent').count(), 0, 'the optional field has no message')
  assert.match(await page.getByTestId('apply-error').innerText(), /输入的内容有误/)
  await assertNoHorizontalScroll(page, 'form errors')
  await screenshot(page, 'applications-15-form-errors')

  // in English, the same refusal in English
  await openAccountMenu(page)
  await page.getByTestId('lang-en').click()
  await closeAccountMenu(page)
  await page.getByTestId('field-birth_date').locator('.el-form-item__error')
    .filter({ hasText: problem.errors.find((e) => e.field === 'form.birth_date').message_en }).waitFor()
  assert.match(await page.getByTestId('apply-submit').innerText(), /Submit/)
  // fields are named in English, on the page and in the server's English message
  const guide = (await resident.get('/services/YL001')).body
  const birthDate = guide.form.find((f) => f.key === 'birth_date')
  assert.ok(birthDate.label_en && birthDate.label_en !== birthDate.label, `an English label: ${JSON.stringify(birthDate)}`)
  assert.equal(problem.errors.find((e) => e.field === 'form.birth_date').message_en, `${birthDate.label_en} is required`)
  assert.equal(await page.getByTestId('field-birth_date').locator('.el-form-item__label').innerText(), birthDate.label_en)
  await screenshot(page, 'applications-16-form-errors-en')
  await openAccountMenu(page)
  await page.getByTestId('lang-zh').click()
  await closeAccountMenu(page)

  assert.equal((await resident.get('/applications')).body.total, before, 'nothing was created')
  assert.deepEqual(problems, [])
})

test('the portal on a 360 px phone (register, my applications, my consultations) and the kiosk on a large screen still work', async () => {
  const { page, problems } = await phone()
  await page.goto('/services')
  await page.getByTestId('category-tile').first().waitFor()
  assert.ok(await page.getByTestId('services-register').isVisible(), 'visitors may register')
  await assertNoHorizontalScroll(page, 'portal for visitors')
  await page.getByTestId('services-register').click()
  await page.waitForURL(/\/register$/)
  await assertNoHorizontalScroll(page, 'register page')
  await login(page, 'jiangsu-resident')
  await page.goto('/services')
  await page.getByTestId('services-mine').waitFor()
  assert.equal(await page.getByTestId('services-register').count(), 0)
  await assertNoHorizontalScroll(page, 'portal for a resident')
  await page.getByTestId('services-my-consultations').click()
  await page.waitForURL(/\/my-reports\?kind=consultation$/)
  assert.equal(await page.getByTestId('my-reports-title').innerText(), '我的咨询')
  await page.getByTestId('my-reports-list').waitFor()
  const cats = await page.evaluate(() => fetch('/api/v1/cases?category=S10').then((r) => r.json()))
  const shown = await page.getByTestId('case-card').count()
  assert.equal(shown, Math.min(cats.total, 30), 'only the consultations')
  // the side menu has 我的申请 for a resident
  await page.getByTestId('menu-toggle').click()
  await page.locator('.menu-drawer').getByTestId('menu-my-applications').click()
  await page.waitForURL(/\/my-applications$/)
  await page.getByTestId('my-applications-list').waitFor()

  const kiosk = await open({ viewport: KIOSK })
  await kiosk.page.goto('/kiosk')
  await kiosk.page.getByTestId('kiosk-start').waitFor()
  await kiosk.page.getByTestId('category-tile').first().waitFor()
  assert.equal(await kiosk.page.getByTestId('category-tile').count(), 13)
  await kiosk.page.locator('[data-testid=category-tile][data-name=养老]').click()
  await kiosk.page.locator('[data-testid=service-result][data-code=YL001]').click()
  await kiosk.page.getByTestId('kiosk-guide').getByTestId('guide').waitFor()
  const o = await kiosk.page.evaluate(() => document.documentElement.scrollWidth)
  assert.ok(o <= KIOSK.width, `kiosk scrollWidth ${o}`)
  await screenshot(kiosk.page, 'applications-18-kiosk')
  assert.deepEqual([...problems, ...kiosk.problems], [])
})
