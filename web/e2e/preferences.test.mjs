import { test } from 'node:test'
import assert from 'node:assert/strict'
import { useServerAndBrowser, screenshot, login, logout, openAccountMenu, closeAccountMenu } from './browser.mjs'

const env = useServerAndBrowser()

const careOn = (page) => page.evaluate(() => document.documentElement.classList.contains('care-mode'))

test('switching to English changes the menu labels and survives a reload', async () => {
  const { page, problems } = env.browser
  await login(page, 'admin')
  const menu = page.getByTestId('side-menu')
  await menu.getByText('区域').waitFor()
  await openAccountMenu(page)
  const saved = page.waitForResponse((r) => r.url().endsWith('/api/v1/me/preferences') && r.request().method() === 'PUT')
  await page.getByTestId('lang-switch').getByText('English').click()
  assert.equal((await saved).status(), 200)
  await menu.getByText('Territory').waitFor()
  await menu.getByText('Audit log').waitFor()
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'en')
  await closeAccountMenu(page)
  await screenshot(page, 'prefs-english')

  // survives a reload, and is what /me says
  await page.reload()
  await menu.getByText('Territory').waitFor()
  const me = await page.evaluate(() => fetch('/api/v1/me').then((r) => r.json()))
  assert.equal(me.preferences.language, 'en')

  // survives sign-out (the login page stays English) and a fresh sign-in
  await logout(page)
  await page.getByTestId('login-submit').filter({ hasText: 'Sign in' }).waitFor()
  await login(page, 'admin')
  await menu.getByText('Territory').waitFor()

  // back to Chinese for the next test
  await openAccountMenu(page)
  await page.getByTestId('lang-switch').getByText('中文').click()
  await menu.getByText('区域').waitFor()
  await closeAccountMenu(page)
  assert.deepEqual(problems, [])
  await logout(page)
})

test('care mode sets the html class, is saved, and is still on after logout and login', async () => {
  const { page, problems } = env.browser
  await login(page, 'jiangsu')
  assert.equal(await careOn(page), false)
  await openAccountMenu(page)
  const saved = page.waitForResponse((r) => r.url().endsWith('/api/v1/me/preferences') && r.request().method() === 'PUT')
  await page.getByTestId('care-switch').click()
  const res = await saved
  assert.equal(res.status(), 200)
  assert.deepEqual(JSON.parse(res.request().postData()), { care_mode: true })
  assert.equal(await careOn(page), true)
  await closeAccountMenu(page)
  await page.getByTestId('area-card').waitFor()

  // larger type and bigger click targets
  const sizes = await page.evaluate(() => ({
    base: parseFloat(getComputedStyle(document.documentElement).fontSize),
    body: parseFloat(getComputedStyle(document.body).fontSize),
    menuButton: document.querySelector('[data-testid=user-menu]').getBoundingClientRect().height,
    treeRow: document.querySelector('.el-tree-node__content')?.getBoundingClientRect().height,
  }))
  assert.ok(sizes.base >= 20 && sizes.body >= 20, `base font ${sizes.base}px / ${sizes.body}px`)
  assert.ok(sizes.menuButton >= 48, `account button ${sizes.menuButton}px tall`)
  assert.ok(sizes.treeRow >= 48, `tree row ${sizes.treeRow}px tall`)
  await screenshot(page, 'prefs-care-mode')

  await logout(page)
  assert.equal(await careOn(page), false, 'care mode belongs to the account, not the login page')
  await login(page, 'jiangsu')
  assert.equal(await careOn(page), true, 'care mode is back after signing in again')
  const me = await page.evaluate(() => fetch('/api/v1/me').then((r) => r.json()))
  assert.equal(me.preferences.care_mode, true)

  // and off again
  await openAccountMenu(page)
  await page.getByTestId('care-switch').click()
  await page.waitForFunction(() => !document.documentElement.classList.contains('care-mode'))
  assert.deepEqual(problems, [])
})
