import { test } from 'node:test'
import assert from 'node:assert/strict'
import { useServerAndBrowser, screenshot, submitLogin, login, logout, openAccountMenu, closeAccountMenu } from './browser.mjs'

const env = useServerAndBrowser()

test('a wrong password shows the invalid-credentials error and stays on /login', async (t) => {
  const { page } = env.browser
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
  const { page, problems } = env.browser
  await login(page, 'admin')
  await page.waitForURL(/\/areas/)
  await page.getByTestId('area-card').waitFor()
  const panel = await openAccountMenu(page)
  assert.match(await page.getByTestId('user-area').textContent(), /长宁区/)
  assert.ok((await page.getByTestId('user-role').textContent()).trim().length > 0)
  assert.ok(await panel.isVisible())
  // both menu entries are there for a district admin
  await closeAccountMenu(page)
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
  const { page } = env.browser
  await page.goto('/no/such/page')
  await page.getByTestId('not-found-page').waitFor()
  await screenshot(page, 'not-found')
})

test('locked account, rate limit and network failure each get their own message', async () => {
  const { page } = env.browser
  const problem = (status, type, zh, en, headers = {}) => ({
    status,
    headers: { 'Content-Type': 'application/problem+json', ...headers },
    body: JSON.stringify({ type: `urn:shequ:problem:${type}`, title: type, status, message_zh: zh, message_en: en }),
  })
  await page.goto('/login')
  const error = page.getByTestId('login-error')
  const errorText = page.getByTestId('login-error-text')

  // 423: the server's own words, in the current language
  await page.route('**/api/v1/auth/login', (route) => route.fulfill(problem(423, 'account-locked', '账号已锁定（测试）', 'Account locked (test)')))
  await submitLogin(page, 'admin')
  await error.and(page.locator('[data-error-kind=account-locked]')).waitFor()
  assert.equal((await errorText.textContent()).trim(), '账号已锁定（测试）')
  await page.getByTestId('login-lang-switch').getByText('English').click()
  assert.equal((await errorText.textContent()).trim(), 'Account locked (test)')
  await page.getByTestId('login-lang-switch').getByText('中文').click()

  // 429: Retry-After seconds are shown and the button waits
  await page.unroute('**/api/v1/auth/login')
  await page.route('**/api/v1/auth/login', (route) => route.fulfill(problem(429, 'rate-limited', '尝试过于频繁', 'Too many attempts', { 'Retry-After': '42' })))
  await submitLogin(page, 'admin')
  await error.and(page.locator('[data-error-kind=rate-limited]')).waitFor()
  assert.match(await page.getByTestId('login-retry').textContent(), /4[0-2]/)
  assert.equal(await page.getByTestId('login-submit').isDisabled(), true)
  await screenshot(page, 'login-rate-limited')

  // network failure
  await page.reload() // clears the countdown
  await page.unroute('**/api/v1/auth/login')
  await page.route('**/api/v1/auth/login', (route) => route.abort('connectionrefused'))
  await submitLogin(page, 'admin')
  await error.and(page.locator('[data-error-kind=network]')).waitFor()
  assert.match(await errorText.textContent(), /服务器|网络/)
  await page.unroute('**/api/v1/auth/login')
})

test('a 401 on an API call sends the user to /login, and back after signing in', async () => {
  const { page, context } = env.browser
  await page.goto('/login')
  await submitLogin(page, 'admin')
  await page.getByTestId('area-card').waitFor()
  // the session disappears behind the page's back
  await context.clearCookies()
  await page.getByTestId('menu-audit').click()
  await page.waitForURL(/\/login\?redirect=/)
  await page.getByTestId('login-expired').waitFor()
  await screenshot(page, 'login-session-expired')
  await submitLogin(page, 'admin')
  await page.waitForURL(/\/audit$/)
  await page.getByTestId('audit-table').waitFor()
})
