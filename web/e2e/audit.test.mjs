import { test } from 'node:test'
import assert from 'node:assert/strict'
import { DEMO_PASSWORD } from './server.mjs'
import { useServerAndBrowser, screenshot, login } from './browser.mjs'

const env = useServerAndBrowser()

test('auditor sees the audit log, filters it, and new entries arrive live', async () => {
  const { page, problems } = env.browser
  await login(page, 'auditor')
  await page.getByTestId('menu-audit').click()
  await page.waitForURL(/\/audit/)
  const table = page.getByTestId('audit-table')
  await table.locator('.el-table__body tr').first().waitFor()
  await page.locator('[data-testid=audit-live][data-state=open]').waitFor()
  const rowsBefore = await table.locator('.el-table__body tr.el-table__row').count()
  assert.ok(rowsBefore >= 1, 'at least the auditor\'s own sign-in is logged')

  // someone else signs in: the row appears on page 1 without a reload
  const res = await fetch(`${env.srv.baseURL}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: 'jiangsu', password: DEMO_PASSWORD }),
  })
  assert.equal(res.status, 200)
  await table.locator('.el-table__body tr.el-table__row', { hasText: 'jiangsu' }).first().waitFor({ timeout: 10_000 })
  await screenshot(page, 'audit-live')

  // filter by account
  await page.getByTestId('audit-filter-account').fill('jiangsu')
  const filtered = page.waitForResponse((r) => r.url().includes('/api/v1/audit?') && r.url().includes('account=jiangsu'))
  await page.getByTestId('audit-search').click()
  assert.equal((await filtered).status(), 200)
  await page.waitForTimeout(200)
  const accounts = await table.locator('.el-table__body tr.el-table__row td:nth-child(3)').allTextContents()
  assert.ok(accounts.length >= 1)
  for (const a of accounts) assert.match(a, /jiangsu/)

  // leaving the page closes the event stream
  await page.getByTestId('menu-areas').click()
  await page.waitForURL(/\/areas/)
  assert.deepEqual(problems, [])
})
