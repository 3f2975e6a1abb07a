// The registry pages (一标三实) on a desktop: person search, the person page
// with audited unmask, the building grid, moving in, export.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { useServerAndBrowser, openBrowser, screenshot, login } from './browser.mjs'
import { apiGet } from './registry-helpers.mjs'

const env = useServerAndBrowser({ user: 'jiangsu-worker' })

const MASKED = /\*{3,}/

test('jiangsu-worker searches persons by name and opens one: numbers are masked', async () => {
  const { page, problems } = env.browser
  await page.getByTestId('menu-persons').click()
  await page.waitForURL(/\/persons$/)
  const rows = page.getByTestId('persons-table').getByTestId('person-row')
  await rows.first().waitFor()
  // masked document numbers in the list
  const listText = await page.getByTestId('persons-table').locator('.el-table__body').textContent()
  assert.match(listText, MASKED)

  const someone = (await rows.first().textContent()).trim()
  const part = [...someone].slice(0, 2).join('')
  await page.getByTestId('persons-q').fill(part)
  const searched = page.waitForResponse((r) => r.url().includes('/api/v1/persons?') &&
    new URL(r.url()).searchParams.get('q') === part)
  await page.getByTestId('persons-search').click()
  assert.equal((await searched).status(), 200)
  await page.waitForURL((url) => url.searchParams.get('q') === part)
  await rows.first().waitFor()
  const names = (await rows.allTextContents()).map((n) => n.trim())
  assert.ok(names.length >= 1, 'the person we searched for is found')
  for (const n of names) assert.ok(n.includes(part), `${n} contains ${part}`)
  assert.match(await page.getByTestId('persons-total').textContent(), /\d+/)
  await screenshot(page, 'registry-persons-search')

  await rows.first().click()
  await page.waitForURL(/\/persons\/\d+$/)
  await page.getByTestId('person-card').waitFor()
  assert.equal((await page.getByTestId('person-name').textContent()).trim(), names[0])
  assert.match(await page.getByTestId('person-document-number').textContent(), MASKED)
  const phone = (await page.getByTestId('person-phone').textContent()).trim()
  assert.ok(MASKED.test(phone) || phone === '无', `phone masked or absent: ${phone}`)
  assert.equal(await page.getByTestId('person-document-number').getAttribute('data-revealed'), 'false')
  // the timeline lists where the person lives now
  await page.getByTestId('residency-timeline').waitFor()
  assert.ok(await page.locator('[data-testid=residency-item][data-current=true]').count() <= 1)
  await screenshot(page, 'registry-person')

  // Back returns to the same search
  await page.getByTestId('back').click()
  await page.waitForURL((url) => url.pathname === '/persons' && url.searchParams.get('q') === part)
  assert.equal(await page.getByTestId('persons-q').inputValue(), part)
  assert.deepEqual(problems, [])
})

test('unmasking a phone needs a reason, shows it in full, and is audited for the auditor', async () => {
  const { page, problems } = env.browser
  const list = await apiGet(page, '/persons?page_size=100')
  const target = list.items.find((p) => p.phone)
  assert.ok(target, 'a person with a phone in the demo')
  await page.goto(`/persons/${target.id}`)
  await page.getByTestId('person-card').waitFor()
  assert.equal((await page.getByTestId('person-phone').textContent()).trim(), target.phone)

  await page.getByTestId('unmask-phone').click()
  const dialog = page.getByTestId('unmask-dialog')
  await dialog.waitFor({ state: 'visible' })
  // a reason under 4 characters is refused before anything is sent
  let sent = 0
  const count = (r) => { if (r.url().includes('/unmask')) sent += 1 }
  page.on('request', count)
  await dialog.getByTestId('unmask-reason').fill('核实')
  await dialog.getByTestId('unmask-confirm').click()
  await dialog.locator('.el-form-item__error').waitFor()
  assert.equal(sent, 0)
  await screenshot(page, 'registry-unmask-dialog')

  const reason = '核实身份办理高龄补贴'
  await dialog.getByTestId('unmask-reason').fill(reason)
  const answered = page.waitForResponse((r) => r.url().endsWith(`/api/v1/persons/${target.id}/unmask`))
  await dialog.getByTestId('unmask-confirm').click()
  const res = await answered
  page.off('request', count)
  assert.equal(res.status(), 200)
  assert.deepEqual(JSON.parse(res.request().postData()), { field: 'phone', reason })
  const full = (await res.json()).value
  assert.match(full, /^\+?[\d-]{7,}$/)
  await dialog.waitFor({ state: 'hidden' })
  const value = page.getByTestId('person-phone')
  await page.locator('[data-testid=person-phone][data-revealed=true]').waitFor()
  assert.equal((await value.textContent()).trim(), full)
  // the masked value agrees with the full one (first 3 and last 4 kept)
  assert.equal(full.slice(-4), target.phone.slice(-4))
  assert.match(await page.getByTestId('unmask-countdown-phone').textContent(), /\d+/)
  await screenshot(page, 'registry-unmasked-phone')
  // hiding it again shows the masked value
  await page.getByTestId('hide-phone').click()
  await page.locator('[data-testid=person-phone][data-revealed=false]').waitFor()
  assert.equal((await value.textContent()).trim(), target.phone)
  assert.deepEqual(problems, [])

  // the auditor sees the unmask in the audit log
  const auditor = await openBrowser({ baseURL: env.srv.baseURL })
  try {
    await login(auditor.page, 'auditor')
    await auditor.page.goto('/audit')
    await auditor.page.getByTestId('audit-filter-action').fill('person.unmask')
    await auditor.page.getByTestId('audit-search').click()
    const row = auditor.page.getByTestId('audit-table').locator('.el-table__body tr.el-table__row',
      { hasText: `person:${target.id}` }).first()
    await row.waitFor()
    const text = await row.textContent()
    assert.match(text, /jiangsu-worker/)
    assert.match(text, /person\.unmask/)
    await screenshot(auditor.page, 'registry-audit-unmask')
    assert.deepEqual(auditor.problems, [])
  } finally {
    await auditor.close()
  }
})

test('the revealed value hides itself after 60 seconds', async () => {
  const { page, problems } = env.browser
  const list = await apiGet(page, '/persons?page_size=20')
  const target = list.items[0]
  await page.clock.install()
  await page.goto(`/persons/${target.id}`)
  await page.getByTestId('person-card').waitFor()
  await page.getByTestId('unmask-document-number').click()
  const dialog = page.getByTestId('unmask-dialog')
  await dialog.getByTestId('unmask-reason').fill('核对证件信息')
  await dialog.getByTestId('unmask-confirm').click()
  await page.locator('[data-testid=person-document-number][data-revealed=true]').waitFor()
  const full = (await page.getByTestId('person-document-number').textContent()).trim()
  assert.match(full, /^[0-9A-Z]{15,18}$/)
  await page.clock.fastForward(59_000)
  assert.equal(await page.getByTestId('person-document-number').getAttribute('data-revealed'), 'true')
  await page.clock.fastForward(2_000)
  await page.locator('[data-testid=person-document-number][data-revealed=false]').waitFor()
  assert.match(await page.getByTestId('person-document-number').textContent(), MASKED)
  assert.deepEqual(problems, [])
  // a fresh page without the fake clock for the next tests
  await page.goto('about:blank')
})

test('care tags: added and removed with a reason, both kept in the history', async () => {
  const { page, problems } = env.browser
  const list = await apiGet(page, '/persons?page_size=100')
  const target = list.items.find((p) => !p.care_tags.includes('dibao'))
  await page.goto(`/persons/${target.id}`)
  await page.getByTestId('person-card').waitFor()
  await page.getByTestId('care-tag-add').click()
  const dialog = page.getByTestId('care-tag-dialog')
  await dialog.waitFor({ state: 'visible' })
  await dialog.getByTestId('care-tag-select').click()
  await page.locator('.el-select-dropdown__item', { hasText: '低保' }).click()
  await dialog.getByTestId('care-tag-reason').fill('民政部门核定低保')
  const added = page.waitForResponse((r) => r.url().endsWith(`/api/v1/persons/${target.id}/care-tags`))
  await dialog.getByTestId('care-tag-confirm').click()
  assert.equal((await added).status(), 200)
  const chip = page.getByTestId('person-care').getByTestId('care-tag-dibao')
  await chip.waitFor()
  assert.equal((await chip.textContent()).trim(), '低保')

  await chip.locator('.el-tag__close').click()
  await dialog.waitFor({ state: 'visible' })
  await dialog.getByTestId('care-tag-reason').fill('收入超过低保标准')
  const removed = page.waitForResponse((r) => r.url().endsWith(`/api/v1/persons/${target.id}/care-tags/dibao`))
  await dialog.getByTestId('care-tag-confirm').click()
  const res = await removed
  assert.equal(res.request().method(), 'DELETE')
  assert.equal(res.status(), 200)
  await chip.waitFor({ state: 'detached' })
  await page.getByTestId('person-care').locator('.el-collapse-item__header').click()
  const history = page.getByTestId('care-tag-history')
  await history.waitFor()
  const text = await history.textContent()
  assert.match(text, /收入超过低保标准/)
  assert.match(text, /民政部门核定低保/)
  await screenshot(page, 'registry-care-tags')
  assert.deepEqual(problems, [])
})

let dwellingUrl = ''
test('the building grid shows the floors; a cell opens its dwelling with its residents', async () => {
  const { page, problems } = env.browser
  await page.goto('/compounds')
  const compound = page.getByTestId('compounds-table').getByTestId('compound-row').first()
  await compound.waitFor()
  await compound.click()
  await page.waitForURL(/\/compounds\/\d+$/)
  await page.getByTestId('compound-card').waitFor()
  // three charts, drawn
  for (const chart of ['chart-age', 'chart-care', 'chart-occupancy']) {
    await page.getByTestId(chart).waitFor()
  }
  await page.getByTestId('chart-age').locator('canvas').waitFor()
  await page.getByTestId('chart-occupancy').locator('canvas').waitFor()
  await screenshot(page, 'registry-compound')

  await page.getByTestId('building-link').first().click()
  await page.waitForURL(/\/buildings\/\d+$/)
  const grid = page.getByTestId('building-grid')
  await grid.waitFor()
  const floors = await grid.getByTestId('building-floor').evaluateAll((rows) => rows.map((r) => Number(r.dataset.floor)))
  assert.ok(floors.length >= 1)
  assert.deepEqual(floors, [...floors].sort((a, b) => b - a), 'top floor first')
  const cells = grid.getByTestId('dwelling-cell')
  assert.ok((await cells.count()) >= floors.length)
  await page.getByTestId('building-legend').waitFor()
  await screenshot(page, 'registry-building')

  const occupied = grid.locator('[data-testid=dwelling-cell]:not([data-residents="0"])').first()
  const residents = Number(await occupied.getAttribute('data-residents'))
  const id = await occupied.getAttribute('data-id')
  await occupied.click()
  await page.waitForURL(new RegExp(`/dwellings/${id}$`))
  await page.getByTestId('dwelling-card').waitFor()
  await page.getByTestId('resident-row').first().waitFor()
  assert.equal(await page.getByTestId('resident-row').count(), residents)
  await page.getByTestId('dwelling-history-table').waitFor()
  await screenshot(page, 'registry-dwelling')
  dwellingUrl = new URL(page.url()).pathname
  assert.deepEqual(problems, [])
})

test('moving a person into another dwelling updates the timeline and both dwellings', async () => {
  const { page, problems } = env.browser
  await page.goto(dwellingUrl || '/dwellings/1')
  await page.getByTestId('resident-row').first().waitFor()
  const oldDwelling = Number(dwellingUrl.split('/').pop())
  const personId = await page.getByTestId('resident-row').first().getAttribute('data-person')
  const dwellings = await apiGet(page, '/dwellings?page_size=50')
  const target = dwellings.items.find((d) => d.id !== oldDwelling)
  assert.ok(target)

  await page.goto(`/persons/${personId}`)
  await page.getByTestId('residency-timeline').waitFor()
  const before = await page.getByTestId('residency-item').count()
  await page.getByTestId('move-in-open').click()
  const form = page.getByTestId('move-in-form')
  await form.waitFor()
  await form.getByTestId('dwelling-picker').click()
  await page.keyboard.type(target.address)
  await page.getByTestId(`dwelling-option-${target.id}`).click()
  await form.getByTestId('move-in-reason').fill('购房迁入')
  await screenshot(page, 'registry-move-in-form')
  const moved = page.waitForResponse((r) => r.url().endsWith('/api/v1/residencies') && r.request().method() === 'POST')
  await form.getByTestId('move-in-submit').click()
  const res = await moved
  assert.equal(res.status(), 201)
  const body = JSON.parse(res.request().postData())
  assert.equal(body.person_id, Number(personId))
  assert.equal(body.dwelling_id, target.id)
  assert.equal(body.relation, 'family')
  assert.match(body.start_date, /^\d{4}-\d{2}-\d{2}$/)

  // the timeline: the new stay on top and current, the old one ended
  await page.locator(`[data-testid=residency-item][data-current=true][data-dwelling="${target.id}"]`).waitFor()
  assert.equal(await page.getByTestId('residency-item').count(), before + 1)
  const first = page.getByTestId('residency-item').first()
  assert.equal(await first.getAttribute('data-dwelling'), String(target.id))
  assert.equal(await page.locator(`[data-testid=residency-item][data-current=false][data-dwelling="${oldDwelling}"]`).count() >= 1, true)
  assert.equal(await page.locator('[data-testid=residency-item][data-current=true]').count(), 1)
  assert.match(await page.getByTestId('person-dwelling').textContent(), new RegExp(target.address))
  await screenshot(page, 'registry-moved')

  // the new dwelling lists the person; the old one has them in its history only
  await first.locator('a').first().click()
  await page.waitForURL(new RegExp(`/dwellings/${target.id}$`))
  await page.locator(`[data-testid=resident-row][data-person="${personId}"]`).waitFor()
  await page.goto(`/dwellings/${oldDwelling}`)
  await page.getByTestId('dwelling-history-table').waitFor()
  assert.equal(await page.locator(`[data-testid=resident-row][data-person="${personId}"]`).count(), 0)
  assert.deepEqual(problems, [])
})

test('export: masked persons download at once; unmasked waits for approval', async () => {
  const { page, problems } = env.browser
  await page.goto('/persons?hukou=registered')
  await page.getByTestId('persons-table').getByTestId('person-row').first().waitFor()
  await page.getByTestId('export-button').click()
  const dialog = page.getByTestId('export-dialog')
  await dialog.waitFor({ state: 'visible' })
  const requested = page.waitForResponse((r) => r.url().endsWith('/api/v1/exports') && r.request().method() === 'POST')
  const download = page.waitForEvent('download')
  await dialog.getByTestId('export-confirm').click()
  const res = await requested
  assert.deepEqual(JSON.parse(res.request().postData()), { kind: 'persons', filters: { hukou: 'registered' }, unmasked: false })
  assert.equal((await res.json()).status, 'ready')
  const file = await download
  assert.match(file.suggestedFilename(), /\.xlsx$/)
  const bytes = await readFile(await file.path())
  assert.equal(bytes.subarray(0, 2).toString(), 'PK', 'an XLSX is a zip file')
  await dialog.waitFor({ state: 'hidden' })

  await page.getByTestId('export-button').click()
  await dialog.waitFor({ state: 'visible' })
  await dialog.getByTestId('export-unmasked').click()
  const pending = page.waitForResponse((r) => r.url().endsWith('/api/v1/exports') && r.request().method() === 'POST')
  await dialog.getByTestId('export-confirm').click()
  assert.equal((await (await pending).json()).status, 'pending_approval')
  await dialog.getByTestId('export-pending').waitFor()
  await screenshot(page, 'registry-export-pending')
  await dialog.getByTestId('export-cancel').click()
  assert.deepEqual(problems, [])
})
