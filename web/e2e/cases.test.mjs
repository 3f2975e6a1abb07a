// Cases (一网统管) in real browser pages, one per role: a resident reports a
// problem on a phone, the dispatcher sees it arrive live and files and
// dispatches it, the department handles it on a phone, the grid worker
// verifies it on a phone, and the resident sees it closed and rates it.
// Then: the workbench map, the indicators page, and a refused action shown
// in the current language.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { apiAs as apiAt } from './server.mjs'
import { useServerAndBrowsers, login, screenshot, assertNoHorizontalScroll, openAccountMenu, closeAccountMenu, PHONE, DESKTOP } from './browser.mjs'
import { apiGet } from './registry-helpers.mjs'

const GRID = '31010500200101'
const env = useServerAndBrowsers()

/**
 * A browser signed in as `user` (a phone with `phone`). Console errors after
 * sign-in (the login page's own 401 probe is expected) land in `consoleErrors`.
 */
async function openAs(user, { phone = false, geolocation = null } = {}) {
  const b = await env.open({ viewport: phone ? PHONE : DESKTOP, isMobile: phone })
  if (geolocation) {
    await b.context.grantPermissions(['geolocation'], { origin: env.srv.baseURL })
    await b.context.setGeolocation(geolocation)
  }
  await login(b.page, user)
  b.consoleErrors = []
  b.page.on('console', (msg) => { if (msg.type() === 'error') b.consoleErrors.push(msg.text()) })
  return b
}

/** The API as `user` with a bearer token (no browser): {get, post, send}. */
const apiAs = (user) => apiAt(env.srv.baseURL, user)

/** The centre of a grid's polygon (the mean of its corners). */
function centreOf(feature) {
  const ring = feature.geometry.type === 'Polygon' ? feature.geometry.coordinates[0] : feature.geometry.coordinates[0][0]
  const pts = ring.slice(0, -1)
  return {
    longitude: pts.reduce((s, p) => s + p[0], 0) / pts.length,
    latitude: pts.reduce((s, p) => s + p[1], 0) / pts.length,
  }
}

// A 2×2 PNG, for the photo inputs.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP8z8DAwMDAxMDAwMDAAAANHQEDasKb6QAAAABJRU5ErkJggg==', 'base64')

/**
 * Whether the server takes photos yet: POST /cases/{id}/photos with an empty
 * body, on a case the caller sees, is refused for the body (4xx other than
 * 404/405) once the route exists.
 */
async function photosSupported(api) {
  const some = (await api.get('/cases?page_size=1')).body.items[0]
  const res = await api.send('POST', `/cases/${some.id}/photos?stage=evidence`, Buffer.alloc(0), 'image/png')
  return res.status !== 404 && res.status !== 405
}

async function caseState(page, state) {
  await page.locator(`[data-testid=case-card][data-state=${state}]`).waitFor()
}

test('the whole loop: resident reports, dispatcher files and dispatches live, department handles, grid verifies, resident rates', async () => {
  // the dispatcher's workbench is open from the start
  const dispatcher = await openAs('jiangsu-dispatcher')
  const dp = dispatcher.page
  await dp.waitForURL(/\/cases$/) // a dispatcher starts on the workbench
  await dp.locator('[data-testid=cases-live][data-state=open]').waitFor()
  await dp.getByTestId('cases-table').getByTestId('case-row').first().waitFor()
  await dp.evaluate(() => { window.__noReload = true })

  // a point in the middle of grid 31010500200101
  const shapes = await apiGet(dp, '/grid-shapes')
  const grid = shapes.features.find((f) => f.properties.code === GRID)
  assert.ok(grid, `grid ${GRID} has a shape`)
  const here = centreOf(grid)

  // 1. the resident, on a phone: category tile → (photo) → send
  const resident = await openAs('jiangsu-resident', { phone: true, geolocation: here })
  const rp = resident.page
  await rp.waitForURL(/\/my-reports$/) // residents start on their reports
  await rp.getByTestId('my-reports-new').click()
  await rp.waitForURL(/\/report$/)
  await rp.locator('[data-testid=category-tile][data-code=E0101]').click()
  await rp.getByTestId('location-located').waitFor()
  const api = await apiAs('jiangsu-dispatcher')
  const withPhotos = await photosSupported(api)
  if (withPhotos) {
    await rp.getByTestId('report-photos-input').setInputFiles({ name: 'rubbish.png', mimeType: 'image/png', buffer: PNG })
    await rp.getByTestId('photo-thumb').first().waitFor()
  }
  await assertNoHorizontalScroll(rp, 'resident report page')
  await screenshot(rp, 'cases-1-resident-report')
  await rp.getByTestId('report-submit').click()
  const sent = rp.getByTestId('report-sent')
  await sent.waitFor()
  const id = Number(await sent.getAttribute('data-id'))
  assert.ok(id > 0)
  await screenshot(rp, 'cases-1-resident-sent')
  const created = (await api.get(`/cases/${id}`)).body
  assert.equal(created.area_code, GRID, 'the point lies in the grid')
  assert.equal(created.source, 'resident')
  assert.equal(created.state, 'reported')
  if (withPhotos) assert.equal(created.photos?.length, 1)
  // the resident follows the case on their list
  await rp.getByTestId('report-my').click()
  await rp.waitForURL(/\/my-reports$/)
  const myCard = rp.locator(`[data-testid=case-card][data-id="${id}"]`)
  await myCard.waitFor()
  assert.match(await myCard.textContent(), /已收到/)

  // 2. the dispatcher sees it appear without a reload, files and dispatches it
  const row = dp.getByTestId('cases-table').locator(`[data-testid=case-row][data-id="${id}"]`)
  await row.waitFor({ timeout: 10_000 })
  assert.equal(await dp.evaluate(() => window.__noReload), true, 'the workbench was not reloaded')
  await screenshot(dp, 'cases-2-dispatcher-live')
  await row.click()
  await dp.waitForURL(new RegExp(`/cases/${id}$`))
  await caseState(dp, 'reported')
  await dp.getByTestId('action-file').click()
  await caseState(dp, 'filed')
  await dp.getByTestId('action-dispatch').click()
  const dialog = dp.getByTestId('action-dialog')
  await dialog.waitFor({ state: 'visible' })
  // the responsibility list's owner is the default; no reason is asked for it
  assert.equal(await dialog.locator('[data-testid=owner-mode-suggested] input').isChecked(), true)
  assert.equal(await dialog.getByTestId('action-note').count(), 0)
  // choosing another owner asks for a reason
  await dialog.getByTestId('owner-mode-other').click()
  await dialog.getByTestId('action-note').waitFor()
  await screenshot(dp, 'cases-2-dispatch-dialog-other')
  await dialog.getByTestId('owner-mode-suggested').click()
  await dialog.getByTestId('action-submit').click()
  await caseState(dp, 'dispatched')
  assert.match(await dp.getByTestId('case-owner').textContent(), /区绿化和市容管理局/)
  assert.ok(await dp.locator('[data-testid=case-step][data-action=dispatch]').count() === 1)
  await screenshot(dp, 'cases-2-dispatched')

  // 3. the department, on a phone: 我的任务 → the case → 处置反馈 with a note
  const staff = await openAs('lvrong-staff', { phone: true })
  const sp = staff.page
  await sp.waitForURL(/\/my-cases$/)
  const staffCard = sp.getByTestId('my-cases-list').locator(`[data-testid=case-card][data-id="${id}"]`)
  await staffCard.waitFor()
  await assertNoHorizontalScroll(sp, 'department task list')
  await screenshot(sp, 'cases-3-department-tasks')
  await staffCard.locator('a').click()
  await sp.waitForURL(new RegExp(`/cases/${id}$`))
  await caseState(sp, 'dispatched')
  await sp.getByTestId('action-handle').click()
  const handleDialog = sp.getByTestId('action-dialog')
  await handleDialog.waitFor({ state: 'visible' })
  // the note is required
  await handleDialog.getByTestId('action-submit').click()
  await handleDialog.locator('.el-form-item__error').waitFor()
  await handleDialog.getByTestId('action-note').fill('已清运暴露垃圾，现场已清洁')
  if (withPhotos) {
    await handleDialog.getByTestId('action-photos-input').setInputFiles({ name: 'after.png', mimeType: 'image/png', buffer: PNG })
    await handleDialog.getByTestId('photo-thumb').waitFor()
  }
  await screenshot(sp, 'cases-3-department-handle')
  await handleDialog.getByTestId('action-submit').click()
  await caseState(sp, 'handled')
  await assertNoHorizontalScroll(sp, 'department case page')
  await screenshot(sp, 'cases-3-department-handled')

  // 4. the grid worker, on a phone: 待核查 → the case → 核查通过
  const gridWorker = await openAs('jiangsu-grid', { phone: true })
  const gp = gridWorker.page
  await gp.getByTestId('menu-toggle').click()
  await gp.locator('.menu-drawer').getByTestId('menu-my-cases').click()
  await gp.waitForURL(/\/my-cases$/)
  const verifyCard = gp.getByTestId('my-cases-list').locator(`[data-testid=case-card][data-id="${id}"]`)
  await verifyCard.waitFor()
  await screenshot(gp, 'cases-4-grid-verify-list')
  await verifyCard.locator('a').click()
  await caseState(gp, 'handled')
  assert.match(await gp.getByTestId('case-timeline').textContent(), /已清运暴露垃圾/)
  await gp.getByTestId('action-verify_pass').click()
  await caseState(gp, 'closed')
  await assertNoHorizontalScroll(gp, 'grid worker case page')
  await screenshot(gp, 'cases-4-grid-verified')

  // 5. the resident's list followed live: 已结案, then three big buttons to rate
  await myCard.locator('[data-testid=case-state]', { hasText: '已结案' }).waitFor()
  const rate = myCard.getByTestId('rate-satisfied')
  await rate.waitFor()
  const box = await rate.boundingBox()
  assert.ok(box.height >= 56, `the rating buttons are big (${box.height}px)`)
  await screenshot(rp, 'cases-5-resident-closed')
  await rate.click()
  await myCard.getByTestId('my-rating').filter({ hasText: '满意' }).waitFor()
  assert.equal(await myCard.getByTestId('rate-satisfied').count(), 0, 'rated once')
  const rated = (await api.get(`/cases/${id}`)).body
  assert.equal(rated.satisfaction, 'satisfied')
  await assertNoHorizontalScroll(rp, 'resident reports')
  await screenshot(rp, 'cases-5-resident-rated')

  // the dispatcher's detail page followed every step live
  await caseState(dp, 'closed')
  assert.equal(await dp.evaluate(() => window.__noReload), true)

  for (const b of [dispatcher, resident, staff, gridWorker]) assert.deepEqual(b.problems, [])
  for (const b of [dispatcher, resident, staff, gridWorker]) assert.deepEqual(b.consoleErrors, [])
})

test('a grid worker on a phone reports a problem fixed on the spot, choosing the grid on the map', async () => {
  // no position allowed: the page falls back to choosing the grid on the map
  const b = await openAs('jiangsu-grid', { phone: true })
  const { page } = b
  const api = await apiAs('jiangsu-grid')
  await page.goto('/my-cases')
  await page.getByTestId('my-cases-new').click()
  await page.waitForURL(/\/cases\/new$/)
  const location = page.getByTestId('location')
  if ((await location.getAttribute('data-mode')) !== 'map') await page.getByTestId('location-mode-map').click()
  await location.locator('canvas').first().waitFor()
  // the grid worker's territory is one grid: the middle of the map is in it
  const canvas = await location.locator('canvas').first().boundingBox()
  await page.mouse.click(canvas.x + canvas.width / 2, canvas.y + canvas.height / 2)
  await location.getByText('已选择：第1网格').waitFor()

  await page.getByTestId('case-category').click()
  await page.locator('.el-select-dropdown__item', { hasText: '共享单车乱停放' }).click()
  assert.equal(await page.getByTestId('case-title-input').inputValue(), '共享单车乱停放', 'the title follows the category')
  const withPhotos = await photosSupported(api)
  if (withPhotos) {
    await page.getByTestId('photos-before-input').setInputFiles({ name: 'before.png', mimeType: 'image/png', buffer: PNG })
    await page.getByTestId('photos-before').getByTestId('photo-thumb').waitFor()
  }
  await page.getByTestId('case-on-spot').click()
  await page.getByTestId('case-on-spot-note').fill('已将单车摆放整齐')
  if (withPhotos) {
    await page.getByTestId('photos-after-input').setInputFiles({ name: 'after.png', mimeType: 'image/png', buffer: PNG })
    await page.getByTestId('photos-after').getByTestId('photo-thumb').waitFor()
  }
  await assertNoHorizontalScroll(page, 'report form')
  await screenshot(page, 'cases-grid-on-spot-form')
  await page.getByTestId('case-submit').click()
  await page.waitForURL(/\/cases\/\d+$/)
  await caseState(page, 'closed')
  const id = Number(page.url().split('/').pop())
  const made = (await api.get(`/cases/${id}`)).body
  assert.equal(made.area_code, GRID)
  assert.equal(made.source, 'grid_worker')
  assert.deepEqual(made.steps.map((s) => s.action), ['report', 'self_handle'])
  if (withPhotos) assert.deepEqual(made.photos.map((p) => p.stage).sort(), ['after', 'before'])
  await page.getByTestId('case-photos').waitFor()
  await screenshot(page, 'cases-grid-on-spot-closed')
  assert.deepEqual(b.problems, [])
  assert.deepEqual(b.consoleErrors, [])
})

test('the workbench map draws the grids and the cases, with no console errors', async () => {
  const b = await openAs('jiangsu-dispatcher')
  const { page } = b
  await page.goto('/cases')
  const map = page.locator('[data-testid=case-map][data-ready=true]')
  await map.locator('canvas').first().waitFor()
  // the points are drawn (some open cases have a place)
  await page.waitForFunction(() => /\d+/.test(document.querySelector('.map-card .el-card__header')?.textContent || ''))
  const size = await map.locator('canvas').first().boundingBox()
  assert.ok(size.width > 300 && size.height > 200, `map canvas ${size.width}×${size.height}`)
  // a deadline chip filters the queue to overdue cases
  await page.locator('[data-testid=deadline-chip][data-deadline=red]').click()
  await page.waitForURL((url) => url.searchParams.get('deadline') === 'red')
  await page.getByTestId('cases-table').getByTestId('case-row').first().waitFor()
  // the rows from before the filter may still be on screen for a moment
  await page.waitForFunction(() => {
    const shown = [...document.querySelectorAll('[data-testid=cases-table] [data-testid=deadline]')].map((e) => e.dataset.deadline)
    return shown.length > 0 && shown.every((d) => d === 'red')
  })
  for (const d of await page.getByTestId('cases-table').getByTestId('deadline').evaluateAll((els) => els.map((e) => e.dataset.deadline))) {
    assert.equal(d, 'red')
  }
  await screenshot(page, 'cases-workbench-map')
  assert.deepEqual(b.problems, [])
  assert.deepEqual(b.consoleErrors, [])
})

test('the indicators page shows the five rates, charts by department and area, and a CSV', async () => {
  const b = await openAs('jiangsu-dispatcher')
  const { page } = b
  await page.goto('/case-indicators')
  const cards = page.getByTestId('indicator-card')
  await cards.first().waitFor()
  assert.equal(await cards.count(), 5)
  for (const text of await cards.allTextContents()) assert.match(text, /\d/, `a value in ${text}`)
  await page.getByTestId('indicators-by-department').locator('canvas').first().waitFor()
  await page.getByTestId('indicators-by-area').locator('canvas').first().waitFor()
  await screenshot(page, 'cases-indicators')
  const download = page.waitForEvent('download')
  await page.getByTestId('indicators-download').click()
  const file = await download
  // The server's workbook: an XLSX (zip) with the three sheets.
  const xlsx = await readFile(await file.path())
  assert.equal(xlsx.subarray(0, 2).toString('latin1'), 'PK')
  assert.ok(xlsx.includes('xl/workbook.xml'), 'an XLSX workbook')
  assert.ok(xlsx.includes('xl/worksheets/sheet3.xml'), 'three sheets: overall, departments, areas')
  assert.match(file.suggestedFilename(), /\.xlsx$/)
  assert.deepEqual(b.problems, [])
  assert.deepEqual(b.consoleErrors, [])
})

test('an action the server refuses shows its reason in the current language', async () => {
  const b = await openAs('jiangsu-dispatcher')
  const { page } = b
  // a fresh hotline case, still to be filed
  const api = await apiAs('jiangsu-dispatcher')
  const made = await api.post('/cases', { category_code: 'E0102', title: 'E2E 道路不洁（拒绝测试）', area_code: GRID, source: 'hotline' })
  assert.equal(made.status, 201)
  const id = made.body.id

  // in English
  await openAccountMenu(page)
  await page.getByTestId('lang-en').click()
  await page.waitForFunction(() => document.documentElement.lang === 'en')
  await closeAccountMenu(page)
  await page.goto(`/cases/${id}`)
  await caseState(page, 'reported')
  await page.getByTestId('action-decline').click()
  const dialog = page.getByTestId('action-dialog')
  await dialog.waitFor({ state: 'visible' })
  await dialog.getByTestId('action-note').fill('Not our business')
  // meanwhile the subdistrict admin files it
  const admin = await apiAs('jiangsu')
  assert.equal((await admin.post(`/cases/${id}/actions`, { action: 'file', version: made.body.version })).status, 200)
  // the page says so but keeps the dialog as it was
  await page.getByTestId('case-stale').waitFor()
  await dialog.getByTestId('action-submit').click()
  const error = dialog.getByTestId('action-error')
  await error.waitFor()
  assert.match(await error.textContent(), /not allowed while the case is filed/)
  await screenshot(page, 'cases-refused-en')
  await dialog.getByTestId('action-cancel').click()
  // the page catches up: the case is filed, decline is gone
  await caseState(page, 'filed')
  assert.equal(await page.getByTestId('action-decline').count(), 0)

  // back to Chinese (the preference belongs to the account)
  await openAccountMenu(page)
  await page.getByTestId('lang-zh').click()
  await page.waitForFunction(() => document.documentElement.lang === 'zh-CN')
  await closeAccountMenu(page)
  assert.deepEqual(b.problems, [])
})
