// Importing persons from a CSV: valid rows only (with one bad row), progress
// to 100 %, the error report; and all-or-nothing refusing the same file.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { useServerAndBrowser, screenshot } from './browser.mjs'
import { apiGet, personsCsv } from './registry-helpers.mjs'

let areaCode
const env = useServerAndBrowser({
  user: 'jiangsu-worker',
  setup: async ({ browser }) => { areaCode = (await apiGet(browser.page, '/me')).area.code },
})

async function upload(page, file, mode) {
  await page.goto('/imports')
  await page.getByTestId('import-form').waitFor()
  // the page listens for import events before anything is sent
  await page.locator('[data-testid=import-form][data-live=open]').waitFor()
  await page.getByTestId('import-upload').locator('input[type=file]').setInputFiles(file)
  await page.getByTestId(mode === 'valid_only' ? 'import-mode-valid' : 'import-mode-all').click()
  const started = page.waitForResponse((r) => r.url().includes('/api/v1/imports?') && r.request().method() === 'POST')
  await page.getByTestId('import-start').click()
  return started
}

test('a CSV with one bad row, valid rows only: progress reaches 100 % and the error report downloads', async () => {
  const { page, problems } = env.browser
  await page.getByTestId('menu-imports').click()
  await page.waitForURL(/\/imports$/)
  // enough rows for the server to send progress events on the way
  const { file, names, badNumber } = await personsCsv({ good: 1200, areaCode, tag: 'Valid' })
  const res = await upload(page, file, 'valid_only')
  assert.equal(res.status(), 202)
  const url = new URL(res.url())
  assert.equal(url.searchParams.get('kind'), 'persons')
  assert.equal(url.searchParams.get('mode'), 'valid_only')
  assert.match(res.request().headers()['content-type'], /^text\/csv/)
  const job = page.getByTestId('import-job')
  await job.waitFor()
  const started = await apiGet(page, `/imports/${await job.getAttribute('data-id')}`)
  assert.equal(started.total, 1201)
  assert.equal(started.mode, 'valid_only')
  await page.locator('[data-testid=import-job][data-status=done]').waitFor({ timeout: 30_000 })
  assert.equal(await page.getByTestId('import-progress').getAttribute('data-percent'), '100')
  // progress came over the event stream (polling is only the fallback)
  assert.ok(Number(await job.getAttribute('data-events')) >= 1, 'import events received')
  assert.match(await page.getByTestId('import-progress').textContent(), /100%/)
  const count = async (name) => Number((await page.getByTestId(`import-count-${name}`).locator('.count-value').textContent()).trim())
  assert.equal(await count('total'), 1201)
  assert.equal(await count('rejected'), 1)
  assert.equal((await count('inserted')) + (await count('updated')) + (await count('unchanged')), 1200)
  await screenshot(page, 'registry-import-done')

  const download = page.waitForEvent('download')
  await page.getByTestId('import-errors').click()
  const report = await download
  assert.match(report.suggestedFilename(), /\.csv$/)
  const text = (await readFile(await report.path(), 'utf8')).replace(/^\ufeff/, '')
  const lines = text.trim().split(/\r?\n/)
  assert.match(lines[0], /,error$/)
  assert.equal(lines.length, 2, 'header and the one bad row')
  assert.ok(lines[1].includes(badNumber), 'the bad row is in the report')

  // an imported person can be found
  await page.goto(`/persons?q=${encodeURIComponent(names[0])}`)
  await page.getByTestId('persons-table').getByTestId('person-row').first().waitFor()
  assert.equal((await page.getByTestId('persons-table').getByTestId('person-row').first().textContent()).trim(), names[0])
  assert.deepEqual(problems, [])
})

test('all or nothing: one bad row and nothing is imported', async () => {
  const { page, problems } = env.browser
  const { file, names } = await personsCsv({ good: 3, areaCode, tag: 'Whole' })
  const res = await upload(page, file, 'all_or_nothing')
  assert.equal(res.status(), 202)
  await page.locator('[data-testid=import-job][data-status=failed]').waitFor({ timeout: 30_000 })
  await page.getByTestId('import-failed').waitFor()
  await page.getByTestId('import-errors').waitFor()
  await screenshot(page, 'registry-import-failed')
  const found = await apiGet(page, `/persons?q=${encodeURIComponent(names[0])}`)
  assert.equal(found.total, 0)
  assert.deepEqual(problems, [])
})
