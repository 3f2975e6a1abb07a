import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startServer } from './server.mjs'
import { openBrowser, screenshot, submitLogin, login, logout, openAccountMenu } from './browser.mjs'

let srv
let browser
before(async () => {
  srv = await startServer()
  browser = await openBrowser({ baseURL: srv.baseURL })
})
after(async () => {
  await browser?.close()
  await srv?.stop()
})

test('a wrong password shows the invalid-credentials error and stays on /login', async (t) => {
  const { page } = browser
  await page.goto('/')
  await page.waitForURL(/\/login/)
  await submitLogin(page, 'admin', 'not-the-password')
  const error = page.getByTestId('login-error')
  await error.waitFor()
  await screenshot(page, 'login-wrong-password')
  assert.equal(await error.getAttribute('data-error-kind'), 'invalid-credentials')
  const text = (await page.getByTestId('login-error-text').textContent()).trim()
  assert.ok(text.length > 0, 'the error has a message')
  assert.match(new URL(page.url()).pathname, /^\/login/)
  // the session cookie was not set: /me still answers 401
  const status = await page.evaluate(() => fetch('/api/v1/me').then((r) => r.status))
  assert.equal(status, 401)
})

test('admin signs in, sees name, role and area, and signs out', async () => {
  const { page, problems } = browser
  await login(page, 'admin')
  await page.waitForURL(/\/areas/)
  await page.getByTestId('area-card').waitFor()
  const panel = await openAccountMenu(page)
  assert.match(await page.getByTestId('user-area').textContent(), /长宁区/)
  assert.ok((await page.getByTestId('user-role').textContent()).trim().length > 0)
  assert.ok(await panel.isVisible())
  // both menu entries are there for a district admin
  await page.keyboard.press('Escape')
  assert.ok(await page.getByTestId('menu-areas').isVisible())
  assert.ok(await page.getByTestId('menu-audit').isVisible())
  await screenshot(page, 'login-admin-signed-in')

  await logout(page)
  await screenshot(page, 'login-admin-signed-out')
  assert.match(new URL(page.url()).pathname, /^\/login/)
  const status = await page.evaluate(() => fetch('/api/v1/me').then((r) => r.status))
  assert.equal(status, 401, 'the session is gone after logout')
  // a protected page now leads back to login
  await page.goto('/areas')
  await page.waitForURL(/\/login\?redirect=/)
  assert.deepEqual(problems, [], 'no page errors or CSP violations')
})

test('an unknown page shows the 404 page', async () => {
  const { page } = browser
  await page.goto('/no/such/page')
  await page.getByTestId('not-found-page').waitFor()
  await screenshot(page, 'not-found')
})
