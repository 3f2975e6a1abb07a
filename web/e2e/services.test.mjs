// Services (一网通办) in real browser pages: an anonymous visitor on a phone
// asks in their own words and reads a guide; a question nothing answers
// offers 转人工咨询; a resident sends one and finds it in 我的反映; a script
// in a question stays text; the kiosk browses, reads and goes back to the
// start when left alone; an admin edits a guide (and sees a conflict).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { apiAs as apiAt } from './server.mjs'
import { useServerAndBrowsers, login, submitLogin, screenshot, assertNoHorizontalScroll, openAccountMenu, closeAccountMenu, PHONE, DESKTOP } from './browser.mjs'

const KIOSK = { width: 1920, height: 1080 }
const env = useServerAndBrowsers()

async function open(options) {
  const b = await env.open(options)
  // a script that runs would most likely open a dialog: collect them all
  b.dialogs = []
  b.page.on('dialog', (d) => {
    b.dialogs.push(d.message())
    d.dismiss().catch(() => {})
  })
  return b
}
const phone = () => open({ viewport: PHONE, isMobile: true })
/** The API as `user` with a bearer token (no browser). */
const apiAs = (user) => apiAt(env.srv.baseURL, user)

const careOn = (page) => page.evaluate(() => document.documentElement.classList.contains('care-mode'))

/** Types a question into the ask box and waits for its answer. */
async function ask(page, question) {
  await page.getByTestId('ask-input').fill(question)
  const answered = page.waitForResponse((r) => r.url().includes('/api/v1/services?') && r.url().includes('q='))
  await page.getByTestId('ask-submit').click()
  assert.equal((await answered).status(), 200)
  await page.getByTestId('services-answer').waitFor()
  await page.getByTestId('services-searching').waitFor({ state: 'detached' })
}

test('a visitor on a phone asks in their own words, opens the guide and sees its sections', async () => {
  const { page, problems } = await phone()
  await page.goto('/services')
  assert.match(page.url(), /\/services$/, 'the portal needs no sign-in')
  await page.getByTestId('ask-box').waitFor()
  assert.equal(await page.getByTestId('ask-example').count(), 4)
  await page.getByTestId('category-tile').first().waitFor()
  assert.equal(await page.getByTestId('category-tile').count(), 13, '13 categories')
  const first = page.getByTestId('category-tile').first()
  assert.equal(await first.getAttribute('data-name'), '养老')
  assert.match(await first.getByTestId('category-count').innerText(), /22/)
  assert.ok(await page.getByTestId('visitor-login').isVisible(), 'a sign-in link for visitors')
  assert.ok(await page.getByTestId('services-login').isVisible())
  assert.equal(await page.getByTestId('menu-toggle').count(), 0, 'no menu for visitors')
  assert.equal(await careOn(page), true, 'large text by default on the portal')
  await assertNoHorizontalScroll(page, 'services portal')
  await screenshot(page, 'services-1-portal-phone')

  await ask(page, '孩子明年上小学要去哪里登记')
  const results = page.getByTestId('service-result')
  await results.first().waitFor()
  assert.equal(await results.first().getAttribute('data-code'), 'JD001')
  assert.equal(await results.first().getByTestId('service-result-name').innerText(), '适龄儿童小学入学登记')
  assert.ok(await results.first().locator('mark').count() > 0, 'the matched words are marked')
  assert.ok(await results.first().getByTestId('badge-time').isVisible())
  assert.match(await results.first().getByTestId('badge-time').innerText(), /当场办结/)
  assert.ok(await results.first().getByTestId('badge-online').isVisible())
  assert.match(page.url(), /\?q=/, 'the question is in the address')
  await assertNoHorizontalScroll(page, 'services results')
  await screenshot(page, 'services-2-results-phone')

  await results.first().click()
  await page.waitForURL(/\/services\/JD001$/)
  const guide = page.getByTestId('guide')
  await guide.waitFor()
  assert.equal(await page.getByTestId('guide-name').innerText(), '适龄儿童小学入学登记')
  for (const s of ['eligibility', 'materials', 'steps', 'time', 'fee', 'where', 'basis']) {
    assert.ok(await page.getByTestId(`guide-section-${s}`).isVisible(), `section ${s}`)
  }
  for (const h of ['谁能办', '要带什么', '怎么办', '多久办好', '收费', '在哪里办', '依据']) {
    await guide.getByRole('heading', { name: h }).waitFor()
  }
  assert.match(await page.getByTestId('guide-sample').innerText(), /示例内容，以街镇公布为准/)
  assert.equal(await page.getByTestId('guide-time').innerText(), '当场办结')
  const shipped = await page.evaluate(() => fetch('/api/v1/services/JD001').then((r) => r.json()))
  const materials = page.getByTestId('guide-material')
  assert.equal(await materials.count(), shipped.materials.length, 'materials as a checklist')
  await materials.first().check()
  assert.match(await page.getByTestId('guide-materials-ready').innerText(), new RegExp(`1 / ${shipped.materials.length}`))
  await page.locator('[data-testid=guide-related-link][data-code=JD005]').waitFor()
  await page.getByText('来沪人员随迁子女入学').first().waitFor() // related guides by name
  assert.equal(await careOn(page), true)
  const fontSize = await page.evaluate(() => parseFloat(getComputedStyle(document.querySelector('[data-testid=guide-summary]')).fontSize))
  assert.ok(fontSize >= 20, `summary at ${fontSize}px`)
  await assertNoHorizontalScroll(page, 'guide page')
  await screenshot(page, 'services-3-guide-phone')

  // printing: the guide only, no header, toolbar or buttons
  await page.getByTestId('guide-print').waitFor()
  await page.emulateMedia({ media: 'print' })
  assert.equal(await page.getByTestId('app-header').isVisible(), false, 'no header in print')
  assert.equal(await page.getByTestId('guide-print').isVisible(), false, 'no buttons in print')
  assert.ok(await page.getByTestId('guide-section-materials').isVisible())
  await screenshot(page, 'services-4-guide-print')
  await page.emulateMedia({ media: 'screen' })

  // a visitor may switch the large text off; it stays off
  await page.getByTestId('visitor-care').click()
  assert.equal(await careOn(page), false)
  await page.reload()
  await page.getByTestId('guide').waitFor()
  assert.equal(await careOn(page), false, 'the visitor’s choice is kept')
  await page.getByTestId('visitor-care').click()
  assert.equal(await careOn(page), true)
  assert.deepEqual(problems, [])
})

test('a question with no good answer offers 转人工咨询, with sign-in first for a visitor', async () => {
  const { page, problems } = await phone()
  await page.goto('/services')
  await ask(page, '今天天气怎么样')
  const card = page.getByTestId('consult-card')
  await card.waitFor()
  assert.equal(await page.getByTestId('service-result').count(), 0)
  const loginLink = card.getByTestId('consult-login')
  assert.ok(await loginLink.isVisible(), 'asks to sign in first')
  assert.match(await loginLink.getAttribute('href'), /\/login\?redirect=/)
  await assertNoHorizontalScroll(page, 'consultation card')
  await screenshot(page, 'services-5-no-answer')

  // signing in comes straight back to the question, ready to send
  await loginLink.click()
  await page.waitForURL(/\/login\?redirect=/)
  await submitLogin(page, 'jiangsu-resident')
  await page.waitForURL(/\/services\?q=/)
  assert.equal(await page.getByTestId('consult-question').inputValue(), '今天天气怎么样')
  assert.ok(await page.getByTestId('consult-send').isEnabled())
  assert.deepEqual(problems, [])
})

test('a script in the question is shown as text and never runs', async () => {
  const b = await phone()
  const { page, problems } = b
  const question = '<img src=x onerror=alert(1)>社保'
  await page.goto('/services')
  await ask(page, question)
  await page.getByTestId('service-result').first().waitFor()
  assert.equal(await page.getByTestId('services-question').innerText(), question, 'the question as typed, as text')
  // the results' highlight is the only HTML shown: nothing but text and <mark>
  const tags = await page.evaluate(() => [...document.querySelectorAll('[data-testid=service-result-highlight] *')]
    .map((e) => e.tagName))
  assert.ok(tags.every((tag) => tag === 'MARK'), `highlight tags: ${tags}`)
  assert.equal(await page.locator('img[src=x]').count(), 0)
  // also the question in the address, on a fresh load
  await page.goto(`/services?q=${encodeURIComponent(question)}`)
  await page.getByTestId('service-result').first().waitFor()
  assert.equal(await page.locator('img[src=x]').count(), 0)
  await page.waitForTimeout(300)
  assert.deepEqual(b.dialogs, [], 'no dialog opened')
  await screenshot(page, 'services-6-script-as-text')
  assert.deepEqual(problems, [])
})

test('a resident sends a consultation and finds it in 我的反映; large text is the default, and their choice is kept', async () => {
  const { page, problems } = await phone()
  await login(page, 'jiangsu-resident')
  await page.waitForURL(/\/my-reports$/)
  assert.equal(await careOn(page), false, 'their own preference elsewhere')

  await page.goto('/services')
  await page.getByTestId('ask-box').waitFor()
  assert.equal(await careOn(page), true, 'large text by default on the portal for residents')
  assert.equal(await page.getByTestId('services-login-line').count(), 0)
  await ask(page, '今天天气怎么样')
  const card = page.getByTestId('consult-card')
  await card.waitFor()
  await card.getByTestId('consult-question').fill('楼下的助餐点周末开不开？想问问居委')
  const created = page.waitForResponse((r) => r.url().endsWith('/api/v1/consultations'))
  await card.getByTestId('consult-send').click()
  const res = await created
  assert.equal(res.status(), 201)
  const consultation = await res.json()
  assert.equal(consultation.category_code, 'S10')
  const sent = card.getByTestId('consult-sent')
  await sent.waitFor()
  assert.equal(Number(await sent.getAttribute('data-id')), consultation.id)
  assert.match(await sent.innerText(), new RegExp(`#${consultation.id}`), 'confirms with the case number')
  await assertNoHorizontalScroll(page, 'consultation sent')
  await screenshot(page, 'services-7-consultation-sent')

  // it is one of "my consultations" and shows in 我的反映
  const mine = await page.evaluate(() => fetch('/api/v1/cases?category=S10').then((r) => r.json()))
  assert.ok(mine.items.some((c) => c.id === consultation.id))
  await card.getByTestId('consult-mine').click()
  await page.waitForURL(/\/my-reports$/)
  const item = page.locator(`[data-testid=case-card][data-id="${consultation.id}"]`)
  await item.waitFor()
  assert.match(await item.innerText(), /咨询/)
  await screenshot(page, 'services-8-my-reports')

  // a guide's own question carries the guide's code
  await page.goto('/services/YL007')
  await page.getByTestId('guide-consult').click()
  await page.getByTestId('consult-question').fill('助餐点在哪里？')
  const second = page.waitForResponse((r) => r.url().endsWith('/api/v1/consultations'))
  await page.getByTestId('consult-send').click()
  const body = JSON.parse((await second).request().postData())
  assert.deepEqual(body, { question: '助餐点在哪里？', guide_code: 'YL007' })
  await page.getByTestId('consult-sent').waitFor()

  // switching large text off on the portal is their choice from then on
  assert.equal(await careOn(page), true)
  await openAccountMenu(page)
  await page.getByTestId('care-switch').click()
  await page.waitForFunction(() => !document.documentElement.classList.contains('care-mode'))
  await closeAccountMenu(page)
  await page.reload()
  await page.getByTestId('guide').waitFor()
  assert.equal(await careOn(page), false, 'the resident’s choice is kept')
  assert.deepEqual(problems, [])
})

test('the kiosk: big targets, a category, a guide, and back to the start when left alone', async () => {
  const { page, problems } = await open({ viewport: KIOSK })
  await page.goto('/kiosk?idle=6')
  const kiosk = page.getByTestId('kiosk')
  await kiosk.waitFor()
  assert.equal(await kiosk.getAttribute('data-idle'), '6')
  await page.getByTestId('kiosk-start').waitFor()
  await page.getByTestId('category-tile').first().waitFor()
  assert.equal(await page.getByTestId('category-tile').count(), 13)
  assert.equal(await page.getByTestId('app-header').count(), 0, 'no console chrome')
  assert.equal(await page.getByTestId('side-menu').count(), 0)
  // every button, tile and the ask box at least 64 px tall
  const small = await page.evaluate(() => [...document.querySelectorAll('[data-testid=kiosk] button, [data-testid=kiosk] input')]
    .map((e) => ({ what: e.dataset.testid || e.textContent.trim(), h: e.getBoundingClientRect().height, w: e.getBoundingClientRect().width }))
    .filter((r) => r.h < 64 || r.w < 64))
  assert.deepEqual(small, [], 'targets under 64px')
  await screenshot(page, 'services-9-kiosk-start')

  await page.locator('[data-testid=category-tile][data-name=养老]').click()
  await page.getByTestId('kiosk-category').waitFor()
  await page.locator('[data-testid=service-result][data-code=YL002]').click()
  await page.getByTestId('kiosk-guide').getByTestId('guide').waitFor()
  assert.equal(await page.getByTestId('guide-name').innerText(), '上海市敬老卡申领')
  for (const s of ['eligibility', 'materials', 'steps', 'time', 'fee', 'where']) {
    assert.ok(await page.getByTestId(`guide-section-${s}`).isVisible(), `kiosk section ${s}`)
  }
  await screenshot(page, 'services-10-kiosk-guide')

  // left alone: the countdown, then the start again
  const countdown = page.getByTestId('kiosk-countdown')
  await countdown.waitFor({ timeout: 5000 })
  assert.match(await countdown.innerText(), /秒后回到首页/)
  await screenshot(page, 'services-11-kiosk-countdown')
  await page.getByTestId('kiosk-start').waitFor({ timeout: 12_000 })
  assert.equal(await page.getByTestId('kiosk-guide').count(), 0)
  assert.equal(await countdown.count(), 0)
  assert.equal(await page.getByTestId('ask-input').inputValue(), '')

  // the ask box on the kiosk; a touch keeps it from going back
  await page.getByTestId('ask-input').fill('长护险')
  await page.getByTestId('ask-submit').click()
  await page.locator('[data-testid=kiosk-results] [data-testid=service-result]').first().waitFor()
  assert.equal(await page.locator('[data-testid=kiosk-results] [data-testid=service-result]').first().getAttribute('data-code'), 'YL005')
  await page.waitForTimeout(3500)
  await page.getByTestId('kiosk-results').locator('h1').click()
  await page.waitForTimeout(3500)
  assert.equal(await page.getByTestId('kiosk-results').count(), 1, 'a touch restarted the idle time')
  await page.getByTestId('kiosk-home').click()
  await page.getByTestId('kiosk-start').waitFor()

  // English for one visitor; the next one starts in Chinese again
  await page.getByTestId('kiosk-language').click()
  await page.getByRole('heading', { name: 'What do you need to do?' }).waitFor()
  await page.getByTestId('kiosk-countdown').waitFor({ timeout: 5000 })
  await page.getByRole('heading', { name: '您想办什么事？' }).waitFor({ timeout: 12_000 })
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'zh-CN')
  assert.deepEqual(problems, [])
})

test('an admin edits a guide’s fee, the guide page shows it, and a stale save is a clear conflict', async () => {
  const { page, problems } = await open({ viewport: DESKTOP })
  await login(page, 'admin')
  await page.getByTestId('menu-services-admin').click()
  await page.waitForURL(/\/services-admin$/)
  await page.getByTestId('services-admin-filter').fill('结婚登记')
  await page.locator('[data-testid=services-admin-edit][data-code=MZ001]').click()
  await page.waitForURL(/\/services-admin\/MZ001$/)
  const fee = page.getByTestId('edit-fee')
  await fee.waitFor()
  assert.equal(await fee.inputValue(), '不收费')
  assert.match(await page.getByTestId('service-edit-version').innerText(), /第 1 版/)
  await fee.fill('不收费；结婚证工本费 9 元（示例）')
  await page.getByTestId('service-edit-dirty').waitFor()
  const saved = page.waitForResponse((r) => r.url().endsWith('/api/v1/services/MZ001') && r.request().method() === 'PATCH')
  await page.getByTestId('service-edit-save').click()
  const res = await saved
  assert.equal(res.status(), 200)
  assert.deepEqual(JSON.parse(res.request().postData()), { version: 1, fee: '不收费；结婚证工本费 9 元（示例）' })
  await page.getByTestId('service-edit-version').filter({ hasText: '第 2 版' }).waitFor()
  await page.getByTestId('service-edit-version-row').nth(1).waitFor()
  await screenshot(page, 'services-12-admin-edit')

  // the guide page (for everyone) shows the new fee
  await page.getByTestId('service-edit-view').click()
  await page.waitForURL(/\/services\/MZ001$/)
  assert.equal(await page.getByTestId('guide-fee').innerText(), '不收费；结婚证工本费 9 元（示例）')
  assert.equal(await careOn(page), false, 'care mode default is for residents')
  await screenshot(page, 'services-13-guide-new-fee')
  const visitor = await phone()
  await visitor.page.goto('/services/MZ001')
  assert.equal(await visitor.page.getByTestId('guide-fee').innerText(), '不收费；结婚证工本费 9 元（示例）')

  // someone else saves first: a 409, shown as such, the edits kept
  await page.goto('/services-admin/MZ001')
  await fee.waitFor()
  const other = await apiAs('admin')
  assert.equal((await other.patch('/services/MZ001', { version: 2, fee: '不收费' })).status, 200)
  await fee.fill('工本费 10 元')
  await page.getByTestId('service-edit-save').click()
  const conflict = page.getByTestId('service-edit-conflict')
  await conflict.waitFor()
  assert.match(await conflict.innerText(), /已被他人修改/)
  assert.match(await conflict.innerText(), /第 2 版.*第 3 版/s)
  assert.equal(await fee.inputValue(), '工本费 10 元', 'the edits stay on screen')
  await screenshot(page, 'services-14-admin-conflict')
  await page.getByTestId('service-edit-take-theirs').click()
  await conflict.waitFor({ state: 'detached' })
  await page.getByTestId('service-edit-version').filter({ hasText: '第 3 版' }).waitFor()
  assert.equal(await fee.inputValue(), '不收费')
  const versions = (await other.get('/services/MZ001/versions')).body.items
  assert.deepEqual(versions.map((v) => v.version), [3, 2, 1])

  // someone else adds a step while I change the fee: keeping mine saves only the fee over theirs
  await fee.fill('工本费 12 元（示例）')
  const steps = [...(await other.get('/services/MZ001')).body.steps, '（他人新增的一步）']
  assert.equal((await other.patch('/services/MZ001', { version: 3, steps })).status, 200)
  await page.getByTestId('service-edit-save').click()
  await conflict.waitFor()
  const kept = page.waitForResponse((r) => r.url().endsWith('/api/v1/services/MZ001') && r.request().method() === 'PATCH')
  await page.getByTestId('service-edit-keep-mine').click()
  const keptRes = await kept
  assert.equal(keptRes.status(), 200)
  assert.deepEqual(JSON.parse(keptRes.request().postData()), { version: 4, fee: '工本费 12 元（示例）' })
  const stored = (await other.get('/services/MZ001')).body
  assert.equal(stored.fee, '工本费 12 元（示例）')
  assert.deepEqual(stored.steps, steps, 'their new step stays')
  assert.deepEqual(problems, [])
})

test('an admin adds a situation in residents’ words, and a visitor asking in those words finds the guide', async () => {
  const SITUATION = '阁楼的琉璃天窗裂开了' // 琉璃, 天窗: in no shipped guide
  const visitor = await phone()
  await visitor.page.goto('/services')
  await ask(visitor.page, '琉璃天窗裂开')
  const firstCode = () => visitor.page.getByTestId('service-result').first().getAttribute('data-code', { timeout: 1000 }).catch(() => null)
  assert.notEqual(await firstCode(), 'ZF014', 'not found before the edit')

  const { page, problems } = await open({ viewport: DESKTOP })
  await login(page, 'admin')
  await page.goto('/services-admin/ZF014')
  const situations = page.getByTestId('edit-situations')
  await situations.waitFor()
  const shipped = (await situations.inputValue()).split('\n')
  assert.ok(shipped.length >= 8, `the shipped situations, one per line: ${shipped.join(' / ')}`)
  await situations.fill([...shipped, SITUATION].join('\n'))
  const saved = page.waitForResponse((r) => r.url().endsWith('/api/v1/services/ZF014') && r.request().method() === 'PATCH')
  await page.getByTestId('service-edit-save').click()
  const res = await saved
  assert.equal(res.status(), 200)
  assert.deepEqual(JSON.parse(res.request().postData()), { version: 1, situations: [...shipped, SITUATION] })
  await page.getByTestId('service-edit-version').filter({ hasText: '第 2 版' }).waitFor()

  await ask(visitor.page, '琉璃天窗裂开')
  const first = visitor.page.getByTestId('service-result').first()
  assert.equal(await first.getAttribute('data-code'), 'ZF014', 'found by the new situation')
  assert.match(await first.innerHTML(), /<mark>琉璃<\/mark>/, 'the situation is the passage shown')
  assert.deepEqual(problems, [])
  assert.deepEqual(visitor.problems, [])
})
